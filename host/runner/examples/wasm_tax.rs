//! The "Wasm tax" and per-request instantiation, without HTTP:
//!
//!   cargo run --release -p cavra-runner --example wasm_tax -- DATA_DIR [ITERATIONS]
//!
//! DATA_DIR holds an imported store (`cavra import`). For each of `GET /healthz`,
//! `GET P/worker-dashboard` and `POST P/retry-plan` it times the same `cavra_service::handle`
//! call natively (no Wasm) and through the runner's component host (fresh pooled instance per call, as `cavra up` does),
//! each on its own copy of the store since plans are persisted. Then it times instantiation
//! alone. Prints one JSON object per line. `CAVRA_COMPONENT=path` times another build of the
//! component (e.g. one compiled with a different opt-level).

// The runner's own modules, shared with the `cavra` binary; only some items are used here.
#![allow(dead_code, reason = "modules shared with the cavra binary")]

#[path = "../src/component.rs"]
mod component;
#[path = "../src/kv/mod.rs"]
mod kv;
#[path = "../src/native_store.rs"]
mod native_store;
#[path = "../src/outbound.rs"]
mod outbound;
#[path = "../src/spin_imports.rs"]
mod spin_imports;

use anyhow::{Context, Result};
use bytes::Bytes;
use cavra_service::http::{Method, Request};
use cavra_service::platform::{OutboundError, OutboundRequest, Platform};
use http_body_util::Full;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PREFIX: &str = "/runtime/go-pilot/rollback-drill-notifications/acknowledgements/audit-delivery";
const COMPONENT: &str = "target/wasm32-wasip2/wasm-release/cavra_component.wasm";
const BODY: &str = r#"{"generated_by":"load"}"#;

/// What `cavra up --insecure-no-auth` gives the component when no provider is configured.
fn variables() -> HashMap<String, String> {
    [("auth_mode", "off"), ("test_clock", "false"), ("providers", "webhook"), ("provider_webhook_url", "http://127.0.0.1:9/demo-sink")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

struct NativePlatform {
    kv: native_store::BackendKv,
    variables: HashMap<String, String>,
}

impl Platform for NativePlatform {
    type Kv = native_store::BackendKv;
    fn kv(&self) -> &Self::Kv {
        &self.kv
    }
    fn variable(&self, name: &str) -> Option<String> {
        self.variables.get(name).filter(|v| !v.is_empty()).cloned()
    }
    fn send(&self, _: &OutboundRequest) -> Result<u16, OutboundError> {
        Err(OutboundError::ConnectionRefused)
    }
    fn now_micros(&self) -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0)
    }
    fn sleep_ms(&self, ms: u64) {
        std::thread::sleep(Duration::from_millis(ms));
    }
    fn nonce(&self) -> u64 {
        getrandom::u64().unwrap_or(0)
    }
}

/// A fresh copy of the imported store, so every measured series starts from the same state.
fn copy_store(data_dir: &Path, name: &str) -> Result<Arc<dyn kv::Backend>> {
    let dir = std::env::temp_dir().join(format!("cavra-wasm-tax-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("sqlite_key_value.db");
    std::fs::copy(data_dir.join("sqlite_key_value.db"), &db).with_context(|| format!("copying the store of {}", data_dir.display()))?;
    Ok(Arc::new(kv::sqlite::Sqlite::open(&db)?))
}

fn host(backend: Arc<dyn kv::Backend>) -> Result<component::Host> {
    component::Host::new(
        &std::env::var_os("CAVRA_COMPONENT").map_or_else(|| PathBuf::from(COMPONENT), PathBuf::from),
        component::HostOptions { backend, stores: vec!["default".into()], variables: variables(), allowed: Vec::new(), pooling: true },
    )
}

fn summary(mut us: Vec<f64>) -> String {
    us.sort_by(f64::total_cmp);
    let at = |p: f64| us[(((p / 100.0) * us.len() as f64).ceil() as usize).clamp(1, us.len()) - 1];
    let mean = us.iter().sum::<f64>() / us.len() as f64;
    format!("\"n\":{},\"p50_us\":{:.1},\"p90_us\":{:.1},\"p99_us\":{:.1},\"mean_us\":{mean:.1}", us.len(), at(50.0), at(90.0), at(99.0))
}

fn service_request(post: bool, path: &str) -> Request {
    Request {
        method: if post { Method::Post } else { Method::Get },
        path: path.into(),
        query: Vec::new(),
        headers: vec![("host".into(), "127.0.0.1".into()), ("content-type".into(), "application/json".into())],
        body: if post { BODY.as_bytes().to_vec() } else { Vec::new() },
    }
}

fn hyper_request(post: bool, path: &str) -> Result<hyper::Request<Full<Bytes>>> {
    Ok(hyper::Request::builder()
        .method(if post { "POST" } else { "GET" })
        .uri(path)
        .header("host", "127.0.0.1")
        .header("content-type", "application/json")
        .body(Full::new(if post { Bytes::from_static(BODY.as_bytes()) } else { Bytes::new() }))?)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let data_dir = PathBuf::from(args.next().context("usage: wasm_tax DATA_DIR [ITERATIONS]")?);
    let iterations: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(300);
    let warmup = 20;
    // healthz: the fixed cost of a request (config, one store read, a small answer).
    for (name, post) in [("healthz", false), ("worker-dashboard", false), ("retry-plan", true)] {
        let path = if name == "healthz" { "/healthz".to_string() } else { format!("{PREFIX}/{name}") };
        // Natively: the service and engine code the component runs, on the same store layout.
        let platform =
            NativePlatform { kv: native_store::BackendKv { backend: copy_store(&data_dir, &format!("{name}-native"))?, label: "default".into() }, variables: variables() };
        let mut native = Vec::with_capacity(iterations);
        let mut bytes = 0;
        for i in 0..warmup + iterations {
            let request = service_request(post, &path);
            let t = Instant::now();
            let response = cavra_service::handle(&platform, &request);
            let us = t.elapsed().as_secs_f64() * 1e6;
            anyhow::ensure!(response.status < 300, "native {name}: status {}", response.status);
            bytes = response.body.len();
            if i >= warmup {
                native.push(us);
            }
        }
        // Through the component: a fresh instance per call, no HTTP.
        let host = host(copy_store(&data_dir, &format!("{name}-wasm"))?)?;
        let mut wasm = Vec::with_capacity(iterations);
        for i in 0..warmup + iterations {
            let request = hyper_request(post, &path)?;
            let t = Instant::now();
            let response = host.handle(request).await?;
            let us = t.elapsed().as_secs_f64() * 1e6;
            anyhow::ensure!(response.status().as_u16() < 300, "wasm {name}: status {}", response.status());
            if i >= warmup {
                wasm.push(us);
            }
        }
        let median = |v: &[f64]| {
            let mut v = v.to_vec();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let ratio = median(&wasm) / median(&native);
        println!("{{\"endpoint\":\"{name}\",\"path\":\"native\",\"response_bytes\":{bytes},{}}}", summary(native));
        println!("{{\"endpoint\":\"{name}\",\"path\":\"wasm\",\"wasm_tax\":{ratio:.2},{}}}", summary(wasm));
    }
    // Instantiation alone: store, pooled instance, drop.
    let host = host(copy_store(&data_dir, "instantiate")?)?;
    let mut times = Vec::new();
    for i in 0..warmup + iterations * 10 {
        let t = Instant::now();
        host.instantiate_only().await?;
        if i >= warmup {
            times.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    println!("{{\"endpoint\":\"instantiate\",\"path\":\"wasm\",{}}}", summary(times));
    for name in ["healthz-native", "healthz-wasm", "worker-dashboard-native", "worker-dashboard-wasm", "retry-plan-native", "retry-plan-wasm", "instantiate"] {
        let _ = std::fs::remove_dir_all(std::env::temp_dir().join(format!("cavra-wasm-tax-{}-{name}", std::process::id())));
    }
    Ok(())
}
