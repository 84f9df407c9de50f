//! SPEC §12: every route × every role, allowed and denied; no token and bad tokens refused.

use cavra_e2e::{P, Receiver, Runner, RunnerOptions};
use serde_json::{Value, json};

#[derive(Clone, Copy, PartialEq, Debug)]
enum Need {
    Read,
    Write,
    Decide,
    Live,
}

fn routes() -> Vec<(&'static str, String, Value, Need)> {
    use Need::*;
    let get = |p: &str| ("GET", format!("{P}{p}"), Value::Null, Read);
    let post = |p: &str, body: Value, need: Need| ("POST", format!("{P}{p}"), body, need);
    vec![
        get("/worker-runs"),
        get("/worker-dashboard"),
        get("/providers"),
        get("/dashboard"),
        get("/retry-recovery-report"),
        get("/worker-health"),
        get("/worker-health-alerts"),
        get("/worker-health-alert-dashboard"),
        get("/recovery-escalations/retry-health"),
        get("/recovery-escalations/retry-health-alerts"),
        get("/recovery-escalations/retry-health-alert-dashboard"),
        get("/recovery-executive-report"),
        get("/evidence"),
        get("/evidence/verify"),
        get("/evidence/export"),
        get("/retry-plans"),
        get("/retry-acknowledgements"),
        get("/retry-execution-approval-plans"),
        get("/retry-execution-approval-decisions"),
        get("/retry-execution-records"),
        get("/connector-recovery-playbooks"),
        get("/connector-recovery-closures"),
        ("POST", "/engine/v1/retry-plan".into(), json!({"items": [], "now": "2026-11-23T10:00:00Z"}), Read),
        post("", json!({"retries": 0}), Write),
        post("/retry-plan", json!({}), Write),
        post("/retry-plans/x/acknowledgements", json!({"provider": "webhook"}), Write),
        post("/worker-run", json!({}), Write),
        post("/worker-run", json!({"dry_run": false}), Live),
        post("/retry-execution-approval-plan", json!({}), Write),
        post("/retry-execution-approval-plans/x/decisions", json!({"provider": "webhook", "delivery_id": "d", "audit_id": "a"}), Decide),
        post("/connector-recovery-playbook", json!({}), Write),
        post("/connector-recovery-playbooks/x/closures", json!({"provider": "webhook"}), Write),
        post("/worker-health-alerts/deliver", json!({"retries": 0}), Write),
        post("/worker-health-alerts/h/acknowledgements", json!({"provider": "webhook"}), Write),
        post("/recovery-escalation-plan", json!({}), Write),
        post("/recovery-escalations/latest/deliver", json!({"retries": 0}), Write),
        post("/recovery-escalations/x/acknowledgements", json!({"provider": "webhook"}), Write),
        post("/recovery-escalations/retry-plan", json!({}), Write),
        post("/recovery-escalations/retry-worker-run", json!({}), Write),
        post("/recovery-escalations/retry-worker-run", json!({"execute": true}), Live),
        post("/recovery-escalations/retry-health-alerts/deliver", json!({"retries": 0}), Write),
        post("/recovery-escalations/retry-health-alerts/h/acknowledgements", json!({"provider": "webhook"}), Write),
        post("/recovery-executive-report/schedule-run", json!({}), Write),
        post("/recovery-executive-report/schedule-runs/latest/deliver", json!({"retries": 0}), Write),
        post("/recovery-executive-report/delivery-retry-plan", json!({}), Write),
        post("/recovery-executive-report/delivery-retry-worker-run", json!({}), Write),
        post("/recovery-executive-report/delivery-retry-worker-run", json!({"dry_run": false}), Live),
    ]
}

fn allowed(role: &str, need: Need) -> bool {
    match role {
        "admin" => true,
        "operator" => matches!(need, Need::Read | Need::Write),
        "approver" => matches!(need, Need::Read | Need::Decide),
        _ => need == Need::Read,
    }
}

#[test]
fn every_route_checks_every_role() {
    let receiver = Receiver::start();
    let runner = Runner::with_receiver(&receiver, RunnerOptions::default());
    let routes = routes();
    let mut checks = 0;
    for (method, path, body, need) in &routes {
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
