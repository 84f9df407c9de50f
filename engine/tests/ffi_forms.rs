//! `ffi::call_result` writes records straight to text; `ffi::decide` builds a JSON value. Both
//! must give the same bytes for every function, on every fixture's rows and on all of them mixed.

use cavra_engine::ffi;
use serde_json::{Value, json};
use std::path::Path;

fn fixture_calls() -> Vec<Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let mut calls: Vec<(std::path::PathBuf, Value)> = std::fs::read_dir(&root)
        .expect("fixtures folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|dir| {
            let text = std::fs::read_to_string(dir.join("call.json")).ok()?;
            Some((dir, serde_json::from_str(&text).expect("call.json is JSON")))
        })
        .collect();
    calls.sort_by(|a, b| a.0.cmp(&b.0));
    calls.into_iter().map(|(_, call)| call).collect()
}

fn same_bytes(function: &str, input: &Value) -> bool {
    let text = ffi::call_result(function, &input.to_string());
    let value = ffi::decide(function, input).map(|v| serde_json::to_string(&v).expect("serialise"));
    match (text, value) {
        (Ok(text), Ok(value)) => {
            assert_eq!(text, value, "{function}: text and value forms differ");
            true
        }
        (Err(body), Err(e)) => {
            assert_eq!(body, serde_json::to_string(&e.body()).expect("serialise"));
            false
        }
        (text, value) => panic!("{function}: forms disagree on success: {text:?} vs {value:?}"),
    }
}

#[test]
fn text_and_value_forms_give_the_same_bytes() {
    let calls = fixture_calls();
    assert!(calls.len() >= 3);
    let mut accepted = 0;
    for call in &calls {
        accepted += usize::from(same_bytes(call["function"].as_str().expect("function"), &call["input"]));
    }
    let items: Vec<Value> = calls.iter().flat_map(|c| c["input"]["items"].as_array().cloned().unwrap_or_default()).collect();
    for function in ffi::FUNCTIONS {
        for now in ["2026-11-23T12:00:00+00:00", "2026-11-25T00:00:00Z"] {
            accepted += usize::from(same_bytes(function, &json!({"items": items, "params": {"generated_by": "forms"}, "now": now})));
        }
    }
    assert_eq!(accepted, calls.len() + 2 * ffi::FUNCTIONS.len());
    assert!(!same_bytes("no-such-function", &json!({"items": [], "now": "2026-11-23T12:00:00Z"})));
}
