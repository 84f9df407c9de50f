//! A loopback HTTP receiver that plays a connector: it answers each POST as scripted and
//! records what it got.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the receiver answers one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Behavior {
    Status(u16),
    /// Answers 200, but only after this long (longer than the caller's timeout = a timeout).
    Delay(Duration),
    /// Answers this status with this body (a provider error page, say).
    Respond(u16, &'static str),
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Default)]
struct Shared {
    script: VecDeque<Behavior>,
    fallback: Option<Behavior>,
    received: Vec<Received>,
}

pub struct Receiver {
    pub url: String,
    pub origin: String,
    shared: Arc<Mutex<Shared>>,
    server: Arc<tiny_http::Server>,
}

impl Receiver {
    /// Starts on a free loopback port; answers 200 until scripted otherwise.
    pub fn start() -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let (srv, sh) = (server.clone(), shared.clone());
        std::thread::spawn(move || {
            for mut request in srv.incoming_requests() {
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                let behavior = {
                    let mut s = sh.lock().unwrap();
                    s.received.push(Received {
                        path: request.url().to_string(),
                        headers: request.headers().iter().map(|h| (h.field.to_string(), h.value.to_string())).collect(),
                        body,
                    });
                    s.script.pop_front().or(s.fallback).unwrap_or(Behavior::Status(200))
                };
                std::thread::spawn(move || {
                    let (status, body) = match behavior {
                        Behavior::Status(s) => (s, "{}"),
                        Behavior::Delay(d) => {
                            std::thread::sleep(d);
                            (200, "{}")
                        }
                        Behavior::Respond(s, body) => (s, body),
                    };
                    let _ = request.respond(tiny_http::Response::from_string(body).with_status_code(status));
                });
            }
        });
        Self { url: format!("http://127.0.0.1:{port}/hook"), origin: format!("http://127.0.0.1:{port}"), shared, server }
    }

    /// Answers the next requests in this order, then `fallback` (or 200).
    pub fn script(&self, behaviors: &[Behavior]) {
        self.shared.lock().unwrap().script.extend(behaviors.iter().copied());
    }

    /// Answers every request this way once the script is used up.
    pub fn always(&self, behavior: Behavior) {
        self.shared.lock().unwrap().fallback = Some(behavior);
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().unwrap().received.clone()
    }

    pub fn count(&self) -> usize {
        self.shared.lock().unwrap().received.len()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.unblock();
    }
}
