//! SPEC §12: every route × every role, allowed and denied; no token and bad tokens refused.

use cavra_e2e::routes::{Route, allowed, routes};
use cavra_e2e::{P, Receiver, Runner, RunnerOptions};
use serde_json::json;

#[test]
fn every_route_checks_every_role() {
    let receiver = Receiver::start();
    let runner = Runner::with_receiver(&receiver, RunnerOptions::default());
    let routes = routes();
    let mut checks = 0;
    for Route { method, path, body, need, .. } in &routes {
        let body = (!body.is_null()).then_some(body);
        let none = runner.raw_request(method, path, body, &[]);
        assert_eq!((none.status, none.json["error"]["code"].clone()), (401, json!("unauthenticated")), "{method} {path}");
        let bad = runner.raw_request(method, path, body, &[("authorization", "Bearer cavra_admin_not-a-real-token")]);
        assert_eq!((bad.status, bad.json["error"]["code"].clone()), (401, json!("invalid_token")), "{method} {path}");
        checks += 2;
        for role in ["viewer", "operator", "approver", "admin"] {
            let reply = runner.as_role(role, method, path, body, None);
            if allowed(role, *need) {
                assert!(![401, 403].contains(&reply.status), "{role} should pass {method} {path} ({need:?}): {}", reply.text);
            } else {
                assert_eq!((reply.status, reply.json["error"]["code"].clone()), (403, json!("forbidden")), "{role} {method} {path}");
            }
            checks += 1;
        }
    }
    assert!(routes.len() >= 45);
    println!("access matrix: {} routes x 4 roles + 2 unauthenticated cases = {checks} checks", routes.len());
    // Health stays open for probes and says whether auth is on.
    let health = runner.raw_request("GET", "/healthz", None, &[]);
    assert_eq!((health.status, health.json["auth"].clone()), (200, json!("on")));
    assert!(std::fs::metadata(runner.data_dir.join("tokens.json")).is_ok());
}

#[cfg(unix)]
#[test]
fn tokens_are_private_and_stored_hashed() {
    use std::os::unix::fs::PermissionsExt;
    let receiver = Receiver::start();
    let runner = Runner::with_receiver(&receiver, RunnerOptions::default());
    let mode = std::fs::metadata(runner.data_dir.join("tokens.json")).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
    assert_eq!(mode, 0o600);
    runner.post(&format!("{P}/retry-plan"), &json!({}));
    for value in runner.stored_values() {
        for token in runner.tokens.values() {
            assert!(!value.contains(token.as_str()), "a token is stored in plain text");
        }
    }
}
