//! The HTTP front: routes requests to the component, the console's static files, or the
//! runner's own `/_cavra/` endpoints, as `spin.toml` lays them out.

use crate::component::{Host, MAX_REQUEST_BYTES};
use crate::manifest::route_matches;
use crate::sink::Sink;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};

/// Bodies beyond this are cut off rather than drained.
const DRAIN_CAP_BYTES: usize = 64 * 1024 * 1024;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Where a route leads.
pub enum Target {
    Component(Arc<Host>),
    Files(PathBuf),
}

pub struct Router {
    /// (route, target), most specific first.
    pub routes: Vec<(String, Target)>,
    pub sink: Option<Arc<Sink>>,
}

fn json_response(status: u16, value: serde_json::Value) -> hyper::Response<Full<Bytes>> {
    hyper::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(value.to_string())))
        .unwrap_or_default()
}

fn error(status: u16, code: &str, message: &str) -> hyper::Response<Full<Bytes>> {
    let body = cavra_engine::error::ErrorBody::new(code, message.to_string(), None);
    json_response(status, serde_json::to_value(body).unwrap_or_default())
}

impl Router {
    async fn route(&self, request: hyper::Request<Incoming>) -> hyper::Response<Full<Bytes>> {
        let path = request.uri().path().to_string();
        if path.starts_with("/_cavra/") {
            return self.runner_endpoint(request).await;
        }
        let Some((_, target)) = self.routes.iter().find(|(route, _)| route_matches(route, &path)) else {
            return error(404, "not_found", "no route");
        };
        match target {
            Target::Files(root) => crate::statics::serve(root, &path),
            Target::Component(host) => {
                let (parts, mut body) = request.into_parts();
                let mut buffer = Vec::new();
                let mut received = 0usize;
                // Read the whole body even when it is too large (up to a hard cap), so the client
                // finishes sending and gets the 413 instead of a reset connection.
                while let Some(frame) = body.frame().await {
                    let Ok(frame) = frame else { return error(400, "invalid_body", "the request body could not be read") };
                    if let Some(data) = frame.data_ref() {
                        received += data.len();
                        if received <= MAX_REQUEST_BYTES {
                            buffer.extend_from_slice(data);
                        } else if received > DRAIN_CAP_BYTES {
                            break;
                        }
                    }
                }
                if received > MAX_REQUEST_BYTES {
                    return error(413, "payload_too_large", "request body is too large");
                }
                let body = Bytes::from(buffer);
                match host.handle(hyper::Request::from_parts(parts, Full::new(body))).await {
                    Ok(response) => response,
                    Err(e) => {
                        eprintln!("cavra: component error: {e:#}");
                        error(500, "component_failed", "the component failed to answer")
                    }
                }
            }
        }
    }

    /// `/_cavra/demo-sink`: GET shows the sink, POST `{"mode": "failing"|"accepting"}` sets it.
    async fn runner_endpoint(&self, request: hyper::Request<Incoming>) -> hyper::Response<Full<Bytes>> {
        if request.uri().path() != "/_cavra/demo-sink" {
            return error(404, "not_found", "no route");
        }
        let Some(sink) = &self.sink else {
            return error(404, "not_found", "the demo sink runs only when no provider is configured");
        };
        if request.method() == hyper::Method::POST {
            let body = Limited::new(request.into_body(), 4096).collect().await.map(|c| c.to_bytes()).unwrap_or_default();
            let mode = serde_json::from_slice::<serde_json::Value>(&body).ok().and_then(|v| v.get("mode")?.as_str().map(String::from));
            match mode.as_deref() {
                Some("accepting") => sink.set_healthy(true),
                Some("failing") => sink.set_healthy(false),
                _ => return error(400, "invalid_field", "mode must be \"failing\" or \"accepting\""),
            }
        }
        json_response(200, serde_json::to_value(sink.status()).unwrap_or_default())
    }
}

/// Serves until the process ends.
pub async fn serve(listener: TcpListener, router: Arc<Router>) -> anyhow::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let router = router.clone();
                async move { Ok::<_, std::convert::Infallible>(router.route(request).await) }
            });
            let _ = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service).await;
        });
    }
}
