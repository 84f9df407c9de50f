//! What the service needs from its host: key-value storage with atomics, configuration
//! variables, outbound HTTP and a clock. The Spin component implements it with spin-sdk; unit
//! tests use the in-memory implementation in `memory`.

use std::fmt;

/// A failed key-value operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("key-value store: {0}")]
pub struct KvError(pub String);

/// A key-value bucket with the two atomics the evidence store relies on.
pub trait Kv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError>;
    fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError>;
    fn delete(&self, key: &str) -> Result<(), KvError>;
    /// Replaces the value of an existing `key` only if it still equals `expected`.
    /// Returns `false` when another writer got there first.
    fn compare_and_swap(&self, key: &str, expected: &[u8], new: &[u8]) -> Result<bool, KvError>;
    /// Atomically adds `delta` to the integer at `key` (absent = 0) and returns the new value.
    fn increment(&self, key: &str, delta: i64) -> Result<i64, KvError>;
}

/// An outbound HTTP POST to a connector.
#[derive(Clone)]
pub struct OutboundRequest {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub timeout_ms: u64,
}

impl fmt::Debug for OutboundRequest {
    // Never print the URL or headers: they carry connector secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboundRequest").field("body_len", &self.body.len()).field("timeout_ms", &self.timeout_ms).finish()
    }
}

/// Why an outbound request got no HTTP response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    #[error("timeout")]
    Timeout,
    #[error("connection refused")]
    ConnectionRefused,
    #[error("destination not allowed")]
    NotAllowed,
    #[error("connector delivery failed")]
    Other,
}

/// The host platform of one request.
pub trait Platform {
    type Kv: Kv;
    fn kv(&self) -> &Self::Kv;
    /// A configuration variable (Spin variable), `None` when unset or empty.
    fn variable(&self, name: &str) -> Option<String>;
    /// Sends a POST and returns the HTTP status, or why there was none.
    fn send(&self, request: &OutboundRequest) -> Result<u16, OutboundError>;
    /// The wall clock, in Unix microseconds.
    fn now_micros(&self) -> i64;
    /// Pauses between delivery attempts.
    fn sleep_ms(&self, ms: u64);
    /// A value unique to this request (random), so that evidence of two side effects made at
    /// the same instant never shares an id.
    fn nonce(&self) -> u64;
}
