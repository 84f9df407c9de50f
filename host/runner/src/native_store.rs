//! The service's evidence store used natively, over the runner's key-value backend: the same
//! layout code the component runs, for `cavra import` and `cavra verify`.

use crate::kv::Backend;
use cavra_service::platform::{Kv, KvError};
use std::sync::Arc;

/// The component's `default` store, seen from the host.
pub struct BackendKv {
    pub backend: Arc<dyn Backend>,
    pub label: String,
}

fn err(e: anyhow::Error) -> KvError {
    KvError(e.to_string())
}

impl Kv for BackendKv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        self.backend.get(&self.label, key).map_err(err)
    }
    fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError> {
        self.backend.set(&self.label, key, value).map_err(err)
    }
    fn delete(&self, key: &str) -> Result<(), KvError> {
        self.backend.delete(&self.label, key).map_err(err)
    }
    fn compare_and_swap(&self, key: &str, expected: &[u8], new: &[u8]) -> Result<bool, KvError> {
        self.backend.swap(&self.label, key, Some(expected), new).map_err(err)
    }
    fn increment(&self, key: &str, delta: i64) -> Result<i64, KvError> {
        self.backend.increment(&self.label, key, delta).map_err(err)
    }
}
