//! Outbound connector POSTs through wasi:http with per-request timeouts.

use cavra_service::platform::{OutboundError, OutboundRequest};
use wasi::http::outgoing_handler;
use wasi::http::types::{ErrorCode, Fields, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme};

/// POSTs the request and returns the response status.
pub fn post(request: &OutboundRequest) -> Result<u16, OutboundError> {
    let uri: http::Uri = request.url.parse().map_err(|_| OutboundError::Other)?;
    let scheme = match uri.scheme_str() {
        Some("https") => Scheme::Https,
        Some("http") => Scheme::Http,
        _ => return Err(OutboundError::NotAllowed),
    };
    let authority = uri.authority().map(|a| a.as_str().to_string()).ok_or(OutboundError::Other)?;
    let path = uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());

    let entries: Vec<(String, Vec<u8>)> =
        request.headers.iter().map(|(k, v)| (k.clone(), v.as_bytes().to_vec())).collect();
    let headers = Fields::from_list(&entries).map_err(|_| OutboundError::Other)?;
    let outgoing = OutgoingRequest::new(headers);
    outgoing.set_method(&Method::Post).map_err(|()| OutboundError::Other)?;
    outgoing.set_scheme(Some(&scheme)).map_err(|()| OutboundError::Other)?;
    outgoing.set_authority(Some(&authority)).map_err(|()| OutboundError::Other)?;
    outgoing.set_path_with_query(Some(&path)).map_err(|()| OutboundError::Other)?;

    let body = outgoing.body().map_err(|()| OutboundError::Other)?;
    let options = RequestOptions::new();
    let timeout_ns = request.timeout_ms.saturating_mul(1_000_000);
    let _ = options.set_connect_timeout(Some(timeout_ns));
    let _ = options.set_first_byte_timeout(Some(timeout_ns));
    let _ = options.set_between_bytes_timeout(Some(timeout_ns));
    let future = outgoing_handler::handle(outgoing, Some(options)).map_err(map_error)?;

    {
        let stream = body.write().map_err(|()| OutboundError::Other)?;
        for chunk in request.body.chunks(4096) {
            stream.blocking_write_and_flush(chunk).map_err(|_| OutboundError::Other)?;
        }
    }
    OutgoingBody::finish(body, None).map_err(map_error)?;

    future.subscribe().block();
    match future.get() {
        Some(Ok(Ok(response))) => Ok(response.status()),
        Some(Ok(Err(code))) => Err(map_error(code)),
        _ => Err(OutboundError::Other),
    }
}

fn map_error(code: ErrorCode) -> OutboundError {
    match code {
        ErrorCode::ConnectionTimeout
        | ErrorCode::ConnectionReadTimeout
        | ErrorCode::ConnectionWriteTimeout
        | ErrorCode::HttpResponseTimeout
        | ErrorCode::DnsTimeout => OutboundError::Timeout,
        ErrorCode::ConnectionRefused => OutboundError::ConnectionRefused,
        ErrorCode::HttpRequestDenied => OutboundError::NotAllowed,
        _ => OutboundError::Other,
    }
}
