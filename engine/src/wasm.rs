//! Browser bindings (the `wasm` feature): thin wrappers around `ffi`, no logic of their own.

use wasm_bindgen::prelude::wasm_bindgen;

/// Runs a decision: `decide("retry-plan", "{\"items\":[...],\"params\":{},\"now\":\"...\"}")`.
#[wasm_bindgen(js_name = decide)]
pub fn decide(function: &str, input: &str) -> String {
    crate::ffi::call(function, input)
}

/// The functions `decide` knows.
#[wasm_bindgen(js_name = functions)]
pub fn functions() -> Vec<String> {
    crate::ffi::FUNCTIONS.iter().map(|f| f.to_string()).collect()
}

/// The engine version, for the console footer.
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Verifies an exported evidence chain (JSON Lines): `{ok, count, head, first_bad_seq, error}`.
#[wasm_bindgen(js_name = verifyExport)]
pub fn verify_export(text: &str) -> String {
    serde_json::to_string(&crate::chain::verify_export(text)).unwrap_or_else(|_| "{}".into())
}
