//! The component host: one compiled, pre-instantiated component; a fresh instance per request.

use crate::kv::Backend;
use crate::outbound::{AllowedHost, Hooks};
use crate::spin_imports::{SpinHost, SpinImports};
use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// Largest request body the host forwards (the component enforces its own, smaller limit).
pub const MAX_REQUEST_BYTES: usize = 2 * 1024 * 1024;

pub struct State {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: Hooks,
    pub spin: SpinHost,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.hooks }
    }
}

/// Everything a request instance gets, shared by all requests.
pub struct Host {
    pre: ProxyPre<State>,
    backend: Arc<dyn Backend>,
    stores: Arc<Vec<String>>,
    variables: Arc<HashMap<String, String>>,
    allowed: Arc<Vec<AllowedHost>>,
}

pub struct HostOptions {
    pub backend: Arc<dyn Backend>,
    pub stores: Vec<String>,
    pub variables: HashMap<String, String>,
    pub allowed: Vec<AllowedHost>,
    pub pooling: bool,
}

fn engine(pooling: bool) -> Result<Engine> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    if pooling {
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(64)
            .total_core_instances(128)
            .total_memories(128)
            .total_tables(128)
            .max_memory_size(1 << 30);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    Ok(Engine::new(&config)?)
}

impl Host {
    /// Compiles and links the component once.
    pub fn new(component_path: &Path, options: HostOptions) -> Result<Self> {
        let engine = engine(options.pooling)?;
        let component = Component::from_file(&engine, component_path)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("loading component {}", component_path.display()))?;
        let mut linker: Linker<State> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        SpinImports::add_to_linker::<State, HasSelf<SpinHost>>(&mut linker, |s: &mut State| &mut s.spin)?;
        let pre = ProxyPre::new(linker.instantiate_pre(&component)?)?;
        Ok(Self {
            pre,
            backend: options.backend,
            stores: Arc::new(options.stores),
            variables: Arc::new(options.variables),
            allowed: Arc::new(options.allowed),
        })
    }

    /// A fresh store for one request's instance.
    fn new_store(&self) -> Store<State> {
        let state = State {
            wasi: WasiCtx::builder().inherit_stderr().build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            hooks: Hooks { allowed: self.allowed.clone() },
            spin: SpinHost {
                backend: self.backend.clone(),
                stores: self.stores.clone(),
                variables: self.variables.clone(),
                table: ResourceTable::new(),
            },
        };
        Store::new(self.pre.engine(), state)
    }

    /// Creates, instantiates and drops one instance without calling it: the per-request
    /// instantiation cost (bench/http-load.sh measures it).
    #[allow(dead_code, reason = "used by examples/wasm_tax.rs")]
    pub async fn instantiate_only(&self) -> Result<()> {
        let mut store = self.new_store();
        self.pre.instantiate_async(&mut store).await?;
        Ok(())
    }

    /// Serves one request through a fresh instance and returns a fully buffered response.
    pub async fn handle(&self, request: hyper::Request<Full<Bytes>>) -> Result<hyper::Response<Full<Bytes>>> {
        let mut store = self.new_store();
        let request = request.map(|body| body.map_err(|_| wasmtime_wasi_http::Error::HttpProtocolError));
        let req = store.data_mut().http().new_incoming_request(Scheme::Http, request)?;
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let out = store.data_mut().http().new_response_outparam(sender)?;
        let pre = self.pre.clone();
        let task = tokio::task::spawn(async move {
            let proxy = pre.instantiate_async(&mut store).await?;
            proxy.wasi_http_incoming_handler().call_handle(&mut store, req, out).await
        });
        let response = match receiver.await {
            Ok(Ok(response)) => response,
            Ok(Err(code)) => anyhow::bail!("component answered with error code {code:?}"),
            Err(_) => {
                let outcome = task.await.context("component task panicked")?;
                outcome.map_err(anyhow::Error::from)?;
                anyhow::bail!("component never set a response");
            }
        };
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(|e| anyhow::anyhow!("reading component body: {e:?}"))?.to_bytes();
        Ok(hyper::Response::from_parts(parts, Full::new(body)))
    }
}
