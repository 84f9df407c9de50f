//! cavra-edge: the engine's stateless decisions as a Wasm component (`engine/wit/engine.wit`).
//!
//! The bindings only convert: every call goes to `cavra_engine::ffi`, the function the browser
//! build and the Spin component's `/engine/v1/{function}` route also call.

wit_bindgen::generate!({
    path: "../../engine/wit",
    world: "edge",
});

use exports::cavra::engine::decisions::Guest;

struct Edge;

impl Guest for Edge {
    fn decide(function: String, input: String) -> Result<String, String> {
        cavra_engine::ffi::call_result(&function, &input)
    }

    fn functions() -> Vec<String> {
        cavra_engine::ffi::FUNCTIONS.iter().map(|f| f.to_string()).collect()
    }

    fn version() -> String {
        env!("CARGO_PKG_VERSION").to_string()
    }
}

export!(Edge);
