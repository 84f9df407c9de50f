//! Key-value backends behind the component's `wasi:keyvalue` imports.

pub mod redis;
pub mod sqlite;

use anyhow::Result;

/// One persistent key-value store with the atomics the component relies on. Every method is
/// one atomic operation on the backend.
pub trait Backend: Send + Sync {
    fn get(&self, store: &str, key: &str) -> Result<Option<Vec<u8>>>;
    fn set(&self, store: &str, key: &str, value: &[u8]) -> Result<()>;
    fn delete(&self, store: &str, key: &str) -> Result<()>;
    fn exists(&self, store: &str, key: &str) -> Result<bool>;
    /// A page of keys after `cursor`, and the cursor of the next page.
    fn list_keys(&self, store: &str, cursor: Option<&str>) -> Result<(Vec<String>, Option<String>)>;
    /// Writes `new` only if the current value is `expected` (`None` = absent).
    fn swap(&self, store: &str, key: &str, expected: Option<&[u8]>, new: &[u8]) -> Result<bool>;
    /// Adds `delta` to the decimal integer at `key` (absent = 0).
    fn increment(&self, store: &str, key: &str, delta: i64) -> Result<i64>;
    /// Checks the backend answers (for `/healthz` and start-up).
    fn ping(&self) -> Result<()>;
}

/// Parses the decimal integers `increment` stores.
pub fn parse_counter(bytes: Option<&[u8]>) -> Result<i64> {
    match bytes {
        None => Ok(0),
        Some(b) => std::str::from_utf8(b)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| anyhow::anyhow!("value is not an integer counter")),
    }
}
