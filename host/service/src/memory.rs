//! An in-memory platform for unit tests and benchmarks.

use crate::platform::{Kv, KvError, OutboundError, OutboundRequest, Platform};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};

/// A map-backed bucket with real compare-and-swap semantics.
#[derive(Default)]
pub struct MemoryKv {
    map: RefCell<BTreeMap<String, Vec<u8>>>,
}

impl MemoryKv {
    pub fn keys(&self) -> Vec<String> {
        self.map.borrow().keys().cloned().collect()
    }
}

impl Kv for MemoryKv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        Ok(self.map.borrow().get(key).cloned())
    }
    fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError> {
        self.map.borrow_mut().insert(key.into(), value.to_vec());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), KvError> {
        self.map.borrow_mut().remove(key);
        Ok(())
    }
    fn compare_and_swap(&self, key: &str, expected: &[u8], new: &[u8]) -> Result<bool, KvError> {
        let mut map = self.map.borrow_mut();
        match map.get(key) {
            Some(current) if current.as_slice() == expected => {
                map.insert(key.into(), new.to_vec());
                Ok(true)
            }
            _ => Ok(false),
        }
    }
    fn increment(&self, key: &str, delta: i64) -> Result<i64, KvError> {
        let mut map = self.map.borrow_mut();
        let current = map.get(key).and_then(|v| std::str::from_utf8(v).ok()?.parse::<i64>().ok()).unwrap_or(0);
        let next = current + delta;
        map.insert(key.into(), next.to_string().into_bytes());
        Ok(next)
    }
}

/// A test platform: memory KV, fixed variables, scripted outbound statuses, a settable clock.
pub struct MemoryPlatform {
    pub kv: MemoryKv,
    pub variables: HashMap<String, String>,
    /// Statuses returned to successive sends (the last one repeats); empty = 200.
    pub responses: RefCell<Vec<Result<u16, OutboundError>>>,
    pub sent: RefCell<Vec<OutboundRequest>>,
    pub now: Cell<i64>,
    nonces: Cell<u64>,
}

impl MemoryPlatform {
    pub fn new(variables: &[(&str, &str)]) -> Self {
        Self {
            kv: MemoryKv::default(),
            variables: variables.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            responses: RefCell::new(Vec::new()),
            sent: RefCell::new(Vec::new()),
            now: Cell::new(1_795_000_000_000_000),
            nonces: Cell::new(0),
        }
    }
}

impl Platform for MemoryPlatform {
    type Kv = MemoryKv;
    fn kv(&self) -> &MemoryKv {
        &self.kv
    }
    fn variable(&self, name: &str) -> Option<String> {
        self.variables.get(name).filter(|v| !v.is_empty()).cloned()
    }
    fn send(&self, request: &OutboundRequest) -> Result<u16, OutboundError> {
        self.sent.borrow_mut().push(request.clone());
        let mut responses = self.responses.borrow_mut();
        match responses.len() {
            0 => Ok(200),
            1 => responses[0].clone(),
            _ => responses.remove(0),
        }
    }
    fn now_micros(&self) -> i64 {
        self.now.get()
    }
    fn sleep_ms(&self, _ms: u64) {}
    fn nonce(&self) -> u64 {
        self.nonces.set(self.nonces.get() + 1);
        self.nonces.get()
    }
}
