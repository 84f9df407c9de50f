//! Host side of the Spin imports: `wasi:keyvalue/{store,atomics}` and `fermyon:spin/variables`.

use crate::kv::Backend;
use std::collections::HashMap;
use std::sync::Arc;
use wasmtime::component::{Resource, ResourceTable};

wasmtime::component::bindgen!({
    path: "wit",
    world: "spin-imports",
    imports: { default: trappable },
    with: {
        "wasi:keyvalue/store.bucket": Bucket,
        "wasi:keyvalue/atomics.cas": Cas,
    },
});

use fermyon::spin::variables;
use wasi::keyvalue::{atomics, store};

/// An open bucket: the store label.
pub struct Bucket {
    label: String,
}

/// A compare-and-swap handle: the value seen when it was made.
pub struct Cas {
    label: String,
    key: String,
    seen: Option<Vec<u8>>,
}

/// What one request's instance may reach.
pub struct SpinHost {
    pub backend: Arc<dyn Backend>,
    pub stores: Arc<Vec<String>>,
    pub variables: Arc<HashMap<String, String>>,
    pub table: ResourceTable,
}

fn other(e: impl std::fmt::Display) -> store::Error {
    store::Error::Other(e.to_string())
}

impl store::Host for SpinHost {
    fn open(&mut self, identifier: String) -> wasmtime::Result<Result<Resource<Bucket>, store::Error>> {
        if !self.stores.contains(&identifier) {
            return Ok(Err(store::Error::NoSuchStore));
        }
        Ok(Ok(self.table.push(Bucket { label: identifier })?))
    }
}

impl SpinHost {
    fn label(&self, bucket: &Resource<Bucket>) -> wasmtime::Result<String> {
        Ok(self.table.get(bucket)?.label.clone())
    }
}

impl store::HostBucket for SpinHost {
    fn get(&mut self, bucket: Resource<Bucket>, key: String) -> wasmtime::Result<Result<Option<Vec<u8>>, store::Error>> {
        let label = self.label(&bucket)?;
        Ok(self.backend.get(&label, &key).map_err(other))
    }

    fn set(&mut self, bucket: Resource<Bucket>, key: String, value: Vec<u8>) -> wasmtime::Result<Result<(), store::Error>> {
        let label = self.label(&bucket)?;
        Ok(self.backend.set(&label, &key, &value).map_err(other))
    }

    fn delete(&mut self, bucket: Resource<Bucket>, key: String) -> wasmtime::Result<Result<(), store::Error>> {
        let label = self.label(&bucket)?;
        Ok(self.backend.delete(&label, &key).map_err(other))
    }

    fn exists(&mut self, bucket: Resource<Bucket>, key: String) -> wasmtime::Result<Result<bool, store::Error>> {
        let label = self.label(&bucket)?;
        Ok(self.backend.exists(&label, &key).map_err(other))
    }

    fn list_keys(
        &mut self,
        bucket: Resource<Bucket>,
        cursor: Option<String>,
    ) -> wasmtime::Result<Result<store::KeyResponse, store::Error>> {
        let label = self.label(&bucket)?;
        Ok(self
            .backend
            .list_keys(&label, cursor.as_deref())
            .map(|(keys, cursor)| store::KeyResponse { keys, cursor })
            .map_err(other))
    }

    fn drop(&mut self, bucket: Resource<Bucket>) -> wasmtime::Result<()> {
        self.table.delete(bucket)?;
        Ok(())
    }
}

impl atomics::Host for SpinHost {
    fn increment(&mut self, bucket: Resource<Bucket>, key: String, delta: i64) -> wasmtime::Result<Result<i64, store::Error>> {
        let label = self.label(&bucket)?;
        Ok(self.backend.increment(&label, &key, delta).map_err(other))
    }

    fn swap(&mut self, cas: Resource<Cas>, value: Vec<u8>) -> wasmtime::Result<Result<(), atomics::CasError>> {
        let handle = self.table.delete(cas)?;
        match self.backend.swap(&handle.label, &handle.key, handle.seen.as_deref(), &value) {
            Ok(true) => Ok(Ok(())),
            Ok(false) => {
                // Hand back a fresh handle holding the current value, as the interface asks.
                let seen = self.backend.get(&handle.label, &handle.key).ok().flatten();
                let fresh = self.table.push(Cas { label: handle.label, key: handle.key, seen })?;
                Ok(Err(atomics::CasError::CasFailed(fresh)))
            }
            Err(e) => Ok(Err(atomics::CasError::StoreError(other(e)))),
        }
    }
}

impl atomics::HostCas for SpinHost {
    fn new(&mut self, bucket: Resource<Bucket>, key: String) -> wasmtime::Result<Result<Resource<Cas>, store::Error>> {
        let label = self.label(&bucket)?;
        let seen = match self.backend.get(&label, &key) {
            Ok(seen) => seen,
            Err(e) => return Ok(Err(other(e))),
        };
        Ok(Ok(self.table.push(Cas { label, key, seen })?))
    }

    fn current(&mut self, cas: Resource<Cas>) -> wasmtime::Result<Result<Option<Vec<u8>>, store::Error>> {
        Ok(Ok(self.table.get(&cas)?.seen.clone()))
    }

    fn drop(&mut self, cas: Resource<Cas>) -> wasmtime::Result<()> {
        self.table.delete(cas)?;
        Ok(())
    }
}

impl variables::Host for SpinHost {
    fn get(&mut self, name: String) -> wasmtime::Result<Result<String, variables::Error>> {
        Ok(match self.variables.get(&name) {
            Some(value) => Ok(value.clone()),
            None => Err(variables::Error::Undefined(format!("no variable for {name:?}"))),
        })
    }
}
