//! The demo sink: a loopback `webhook` provider for newcomers, failing until told otherwise.

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use tokio::net::TcpListener;

#[derive(Default)]
pub struct Sink {
    healthy: AtomicBool,
    received: AtomicU64,
}

#[derive(Serialize)]
pub struct SinkStatus {
    pub mode: &'static str,
    pub status_code: u16,
    pub received: u64,
}

impl Sink {
    pub fn status(&self) -> SinkStatus {
        let healthy = self.healthy.load(Ordering::SeqCst);
        SinkStatus {
            mode: if healthy { "accepting" } else { "failing" },
            status_code: if healthy { 200 } else { 503 },
            received: self.received.load(Ordering::SeqCst),
        }
    }

    pub fn set_healthy(&self, healthy: bool) {
        self.healthy.store(healthy, Ordering::SeqCst);
    }
}

/// Starts the sink on an ephemeral loopback port and returns its URL.
pub async fn start(sink: Arc<Sink>) -> anyhow::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let sink = sink.clone();
            tokio::spawn(async move {
                let service = service_fn(move |_req| {
                    let sink = sink.clone();
                    async move {
                        sink.received.fetch_add(1, Ordering::SeqCst);
                        let status = sink.status().status_code;
                        Ok::<_, std::convert::Infallible>(
                            hyper::Response::builder()
                                .status(status)
                                .body(Full::new(Bytes::from_static(b"{}")))
                                .unwrap_or_default(),
                        )
                    }
                });
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    Ok(format!("http://{addr}/demo-sink"))
}
