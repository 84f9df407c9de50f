//! The component, served by the runner, gives exactly the fixture bytes the native engine gives
//! (`engine/tests/golden.rs` checks those), through `POST /engine/v1/{function}`.

use cavra_e2e::{Receiver, Runner, RunnerOptions, workspace_root};
use serde_json::Value;

#[test]
fn engine_route_matches_the_native_fixture_bytes() {
    let receiver = Receiver::start();
    let runner = Runner::with_receiver(&receiver, RunnerOptions::default());
    let mut checked = 0;
    for entry in std::fs::read_dir(workspace_root().join("tests/fixtures")).expect("fixtures") {
        let dir = entry.expect("entry").path();
        let Ok(call) = std::fs::read_to_string(dir.join("call.json")) else { continue };
        let call: Value = serde_json::from_str(&call).expect("json");
        let expected = std::fs::read_to_string(dir.join("expected.json")).expect("expected.json");
        let function = call["function"].as_str().expect("function");
        let reply = runner.post(&format!("/engine/v1/{function}"), &call["input"]);
        assert_eq!(reply.status, 200, "{}: {}", dir.display(), reply.text);
        assert_eq!(reply.text, expected.trim_end(), "{} differs through the runner", dir.display());
        checked += 1;
    }
    assert!(checked >= 3, "checked {checked} fixtures");
    let unknown = runner.post("/engine/v1/no-such-function", &serde_json::json!({}));
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    let bad = runner.post("/engine/v1/retry-plan", &serde_json::json!({"items": "x", "now": "2026-11-23T00:00:00Z"}));
    assert_eq!(bad.status, 400, "{}", bad.text);
}
