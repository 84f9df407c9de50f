//! Host side of the edge component (`engine/wit/engine.wit`, world `edge`): compile and link
//! once, then call `decide` on an instance. Bindings come from the same WIT the guest uses.

use std::path::{Path, PathBuf};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

wasmtime::component::bindgen!({
    path: "../../engine/wit",
    world: "edge",
});

/// Why the edge component could not be loaded or called.
#[derive(Debug, thiserror::Error)]
pub enum EdgeError {
    /// The component file could not be read.
    #[error("cannot read component `{path}`")]
    Read { path: PathBuf, source: std::io::Error },
    /// The file is not a component of world `cavra:engine/edge`, or its imports cannot be met.
    #[error("`{path}` is not a usable cavra:engine/edge component: {message}")]
    Load { path: PathBuf, message: String },
    /// The engine could not be configured.
    #[error("cannot configure wasmtime: {0}")]
    Engine(String),
    /// Instantiating or calling the component trapped.
    #[error("the edge component trapped: {0}")]
    Trap(String),
}

/// Per-instance host state: WASI p2 for whatever Rust std imports (stderr for panics).
pub struct State {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// A compiled, linked edge component.
pub struct EdgeComponent {
    pre: EdgePre<State>,
}

fn trap(e: wasmtime::Error) -> EdgeError {
    EdgeError::Trap(format!("{e:#}"))
}

impl EdgeComponent {
    /// Compiles the component at `path` and links its imports (Cranelift, once).
    pub fn load(path: &Path) -> Result<Self, EdgeError> {
        let bytes = std::fs::read(path).map_err(|source| EdgeError::Read { path: path.into(), source })?;
        let load = |e: wasmtime::Error| EdgeError::Load { path: path.into(), message: format!("{e:#}") };
        let mut config = Config::new();
        config.wasm_component_model(true);
        let engine = Engine::new(&config).map_err(|e| EdgeError::Engine(format!("{e:#}")))?;
        let component = Component::new(&engine, &bytes).map_err(load)?;
        let mut linker: Linker<State> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(load)?;
        let pre = EdgePre::new(linker.instantiate_pre(&component).map_err(load)?).map_err(load)?;
        Ok(Self { pre })
    }

    /// A fresh instance: its own store and linear memory; no ambient authority beyond stderr.
    pub fn instantiate(&self) -> Result<EdgeInstance, EdgeError> {
        let state = State { wasi: WasiCtx::builder().inherit_stderr().build(), table: ResourceTable::new() };
        let mut store = Store::new(self.pre.engine(), state);
        let bindings = self.pre.instantiate(&mut store).map_err(trap)?;
        Ok(EdgeInstance { store, bindings })
    }
}

/// One instance of the edge component; calls may be repeated on it.
pub struct EdgeInstance {
    store: Store<State>,
    bindings: Edge,
}

impl EdgeInstance {
    /// `decide(function, input)`: Ok is the record JSON, Err the SPEC §0 error body JSON. The
    /// outer error is a trap, not a refused input.
    pub fn decide(&mut self, function: &str, input: &str) -> Result<Result<String, String>, EdgeError> {
        self.bindings.cavra_engine_decisions().call_decide(&mut self.store, function, input).map_err(trap)
    }

    pub fn functions(&mut self) -> Result<Vec<String>, EdgeError> {
        self.bindings.cavra_engine_decisions().call_functions(&mut self.store).map_err(trap)
    }

    pub fn version(&mut self) -> Result<String, EdgeError> {
        self.bindings.cavra_engine_decisions().call_version(&mut self.store).map_err(trap)
    }
}
