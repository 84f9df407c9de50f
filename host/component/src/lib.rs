//! The Spin HTTP component: adapts spin-sdk (wasi:http, wasi:keyvalue, Spin variables) to the
//! service's platform trait. All logic lives in `cavra-service` and `cavra-engine`.

mod outbound;

use cavra_service::http::{Method, Request, Response};
use cavra_service::platform::{Kv, KvError, OutboundError, OutboundRequest, Platform};
use spin_sdk::http::{IntoResponse, Method as SpinMethod, Request as SpinRequest, Response as SpinResponse};
use spin_sdk::http_component;
use spin_sdk::wit::wasi::keyvalue::{atomics, store};

/// The `default` key-value store (Spin KV; SQLite or Redis in the local runner).
struct SpinKv {
    bucket: store::Bucket,
}

fn kv_error(e: store::Error) -> KvError {
    KvError(match e {
        store::Error::NoSuchStore => "no such store".into(),
        store::Error::AccessDenied => "access denied".into(),
        store::Error::Other(message) => message,
    })
}

impl Kv for SpinKv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        self.bucket.get(key).map_err(kv_error)
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError> {
        self.bucket.set(key, value).map_err(kv_error)
    }

    fn delete(&self, key: &str) -> Result<(), KvError> {
        self.bucket.delete(key).map_err(kv_error)
    }

    fn compare_and_swap(&self, key: &str, expected: &[u8], new: &[u8]) -> Result<bool, KvError> {
        let cas = atomics::Cas::new(&self.bucket, key).map_err(kv_error)?;
        // Compare against the snapshot ourselves, then let the host's swap detect later writers.
        if cas.current().map_err(kv_error)?.as_deref() != Some(expected) {
            return Ok(false);
        }
        match atomics::swap(cas, new) {
            Ok(()) => Ok(true),
            Err(atomics::CasError::CasFailed(_)) => Ok(false),
            Err(atomics::CasError::StoreError(e)) => Err(kv_error(e)),
        }
    }

    fn increment(&self, key: &str, delta: i64) -> Result<i64, KvError> {
        atomics::increment(&self.bucket, key, delta).map_err(kv_error)
    }
}

struct SpinPlatform {
    kv: SpinKv,
}

impl Platform for SpinPlatform {
    type Kv = SpinKv;

    fn kv(&self) -> &SpinKv {
        &self.kv
    }

    fn variable(&self, name: &str) -> Option<String> {
        spin_sdk::variables::get(name).ok().filter(|v| !v.is_empty())
    }

    fn send(&self, request: &OutboundRequest) -> Result<u16, OutboundError> {
        outbound::post(request)
    }

    fn now_micros(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros() as i64)
            .unwrap_or(0)
    }

    fn nonce(&self) -> u64 {
        wasi::random::random::get_random_u64()
    }

    fn sleep_ms(&self, ms: u64) {
        wasi::clocks::monotonic_clock::subscribe_duration(ms.saturating_mul(1_000_000)).block();
    }
}

fn to_request(req: &SpinRequest) -> Request {
    let method = match req.method() {
        SpinMethod::Get => Method::Get,
        SpinMethod::Post => Method::Post,
        _ => Method::Other,
    };
    Request {
        method,
        path: req.path().to_string(),
        query: Request::parse_query(req.query()),
        headers: req
            .headers()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str().unwrap_or_default().to_string()))
            .collect(),
        body: req.body().to_vec(),
    }
}

fn to_response(response: Response) -> SpinResponse {
    let mut builder = SpinResponse::builder();
    builder.status(response.status);
    for (name, value) in response.headers {
        builder.header(name, value);
    }
    builder.body(response.body);
    builder.build()
}

#[http_component]
fn handle(req: SpinRequest) -> anyhow::Result<impl IntoResponse> {
    let request = to_request(&req);
    let response = match store::open("default") {
        Ok(bucket) => cavra_service::handle(&SpinPlatform { kv: SpinKv { bucket } }, &request),
        Err(e) => cavra_service::error::ApiError::new(503, "store_unavailable", kv_error(e).to_string()).response(),
    };
    Ok(to_response(response))
}
