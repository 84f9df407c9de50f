//! SPEC §1–2 through the real runner: deliver to a failing receiver, plan retries, dry-run the
//! worker, restart, and find the evidence still there — with no secret anywhere.

use cavra_e2e::{Behavior, P, Receiver, Runner, RunnerOptions};
use serde_json::json;
use std::time::Duration;

const SECRETS: &[&str] = &["receiver-url-secret", "receiver-bearer-secret", "api_key="];

fn assert_no_secrets(text: &str, context: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{context} leaks {secret}: {text}");
    }
}

fn runner(receiver: &Receiver) -> Runner {
    Runner::with_receiver(receiver, RunnerOptions { test_clock: true, ..Default::default() })
}

#[test]
fn failed_delivery_is_planned_dry_run_and_survives_a_restart() {
    let receiver = Receiver::start();
    receiver.always(Behavior::Status(503));
    let runner = runner(&receiver);

    let deliver = runner.post_at(
        P,
        &json!({"provider": "webhook", "owner": "release-governance", "retries": 1, "timeout_seconds": 2,
                "generated_by": "release-manager",
                "acknowledgements": [{"schedule_id": "drill-1", "provider": "webhook", "owner": "release-governance",
                                      "acknowledgement_state": "resolved", "notes": "private note"}]}),
        "2026-11-23T10:00:00Z",
    );
    assert_eq!(deliver.status, 200, "{}", deliver.text);
    assert_eq!(deliver.json["success"], json!(false));
    assert_eq!(deliver.json["metadata"]["connector_delivery_source"], json!("go_backend_rollback_drill_acknowledgement_audit"));
    assert_eq!(deliver.json["metadata"]["failed_providers"], json!(["webhook"]));
    assert_eq!(deliver.json["metadata"]["status_codes"], json!([503]));
    assert_eq!(deliver.json["metadata"]["error_classes"], json!({"webhook": "transient"}));
    assert_eq!(deliver.json["plan_metadata"]["metadata_kind"], json!("go-backend-rollback-drill-acknowledgement-audit-delivery-plan"));
    assert_eq!(deliver.json["audit_package"]["resolved_count"], json!(1));
    assert_eq!(receiver.count(), 2, "one call plus one in-call retry");
    // What the connector got: the public-safe event, never route notes.
    let got = &receiver.received()[0];
    assert_eq!(got.json()["event_type"], json!("cavra.go_backend.rollback_drill.acknowledgement_audit_delivery"));
    assert!(!got.body.contains("private note"), "route notes must not be sent");
    assert!(got.headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("authorization") && v == "Bearer receiver-bearer-secret"));
    assert_no_secrets(&deliver.text, "deliver response");
    let delivery_id = deliver.json["delivery_plan"]["delivery_id"].as_str().unwrap_or_default().to_string();

    // Inside the 15-minute backoff the decision waits; after it, it retries.
    let early = runner.post_at(&format!("{P}/retry-plan"), &json!({"generated_by": "release-manager"}), "2026-11-23T10:14:00Z");
    assert_eq!(early.status, 200, "{}", early.text);
    assert_eq!(early.json["plan"]["retry_decisions"][0]["action"], json!("wait"));
    let plan = runner.post_at(&format!("{P}/retry-plan"), &json!({"generated_by": "release-manager"}), "2026-11-23T10:20:00Z");
    let decision = &plan.json["plan"]["retry_decisions"][0];
    assert_eq!(decision["action"], json!("retry"), "{decision}");
    assert_eq!(decision["delivery_id"], json!(delivery_id));
    assert_eq!(decision["failed_status_codes"], json!([503]));
    assert_eq!(plan.json["metadata"]["approval_required_count"], json!(1));

    let run = runner.post_at(&format!("{P}/worker-run"), &json!({"schedule": {"interval_minutes": 30}}), "2026-11-23T10:21:00Z");
    assert_eq!(run.status, 200, "{}", run.text);
    assert_eq!(run.json["run"]["dry_run"], json!(true));
    assert_eq!(run.json["run"]["schedule"]["window_start"], json!("2026-11-23T10:00:00+00:00"));
    assert_eq!(run.json["retry_results"][0]["skipped"], json!("dry_run"));
    assert_eq!(run.json["run"]["follow_up_actions"][0]["approval_state"], json!("dry_run_not_required"));
    assert_eq!(receiver.count(), 2, "a dry run delivers nothing");

    let dashboard = runner.get_at(&format!("{P}/worker-dashboard"), "2026-11-23T10:22:00Z");
    assert!(dashboard.json["retryable_count"].as_i64().unwrap_or(0) >= 1, "{}", dashboard.text);
    assert_eq!(dashboard.json["dry_run_count"], json!(1));

    // Evidence survives a restart of the runner.
    let runner = runner.restart();
    let history = runner.get(&format!("{P}/worker-runs?dry_run=true"));
    assert_eq!(history.json["total"], json!(1), "{}", history.text);
    let counts = runner.get(&format!("{P}/dashboard")).json["counts"].clone();
    assert_eq!(counts["audit_retry_plan_count"], json!(3), "two plans and the worker's own: {counts}");
    assert_eq!(counts["audit_delivery_failed_count"], json!(1));
    assert_eq!(counts["worker_dry_run_count"], json!(1));

    for value in runner.stored_values() {
        assert_no_secrets(&value, "stored record");
    }
    assert_no_secrets(&runner.logs(), "runner log");
}

#[test]
fn receiver_outcomes_are_classified() {
    let receiver = Receiver::start();
    let runner = runner(&receiver);
    let cases = [
        (Behavior::Status(200), true, json!([200]), json!({})),
        (Behavior::Status(400), false, json!([400]), json!({"webhook": "permanent"})),
        (Behavior::Status(503), false, json!([503]), json!({"webhook": "transient"})),
        (Behavior::Delay(Duration::from_secs(3)), false, json!([null]), json!({"webhook": "transient"})),
    ];
    for (behavior, success, codes, classes) in cases {
        receiver.script(&[behavior]);
        let r = runner.post_at(P, &json!({"retries": 0, "timeout_seconds": 0.5}), "2026-11-23T10:00:00Z");
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json["success"], json!(success), "{behavior:?}: {}", r.text);
        assert_eq!(r.json["metadata"]["status_codes"], codes, "{behavior:?}");
        assert_eq!(r.json["metadata"]["error_classes"], classes, "{behavior:?}");
    }
    let timeout = runner.post_at(P, &json!({"retries": 0, "timeout_seconds": 0.5}), "2026-11-23T10:00:00Z");
    assert_eq!(timeout.status, 200);
}

#[test]
fn bad_input_gets_spec_errors_and_writes_nothing() {
    let receiver = Receiver::start();
    let runner = runner(&receiver);
    let plan = format!("{P}/retry-plan");
    let cases: Vec<(&str, String, Option<&str>, u16, &str)> = vec![
        ("POST", P.to_string(), Some("{not json"), 400, "invalid_json"),
        ("POST", P.to_string(), Some("[1,2]"), 400, "invalid_json"),
        ("POST", P.to_string(), Some(r#"{"provider": "jira"}"#), 400, "unknown_provider"),
        ("POST", P.to_string(), Some(r#"{"retries": "two"}"#), 400, "invalid_field"),
        ("POST", plan.clone(), Some(r#"{"retry_policy": {"max_retry_attempts": 0}}"#), 400, "invalid_field"),
        ("POST", plan.clone(), Some(r#"{"retry_policy": {"backoff_multiplier": 1e400}}"#), 400, "invalid_json"),
        ("POST", format!("{P}/worker-run"), Some(r#"{"max_retry_deliveries": 26}"#), 400, "invalid_field"),
        ("POST", format!("{P}/retry-plans/nope/acknowledgements"), Some(r#"{"provider": "webhook", "acknowledged_by": "ops"}"#), 404, "not_found"),
        ("GET", format!("{P}/worker-runs?limit=0"), None, 400, "invalid_field"),
        ("GET", format!("{P}/no-such-route"), None, 404, "not_found"),
    ];
    for (method, path, body, status, code) in cases {
        let value = body.map(|b| serde_json::from_str(b).unwrap_or(json!(b)));
        let reply = match (method, body) {
            ("POST", Some(raw)) if value.as_ref().is_some_and(|v| v.is_string()) => raw_post(&runner, &path, raw),
            ("POST", Some(raw)) if raw.contains("1e400") => raw_post(&runner, &path, raw),
            ("POST", _) => runner.post(&path, value.as_ref().unwrap_or(&json!({}))),
            _ => runner.get(&path),
        };
        assert_eq!(reply.status, status, "{method} {path} {body:?}: {}", reply.text);
        assert_eq!(reply.json["error"]["code"], json!(code), "{method} {path} {body:?}: {}", reply.text);
        assert!(reply.json["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        // The original's FastAPI `detail`, for clients written against it.
        let detail = reply.json["detail"].as_str().unwrap_or_default();
        assert!(!detail.is_empty() && !detail.contains('`'), "{method} {path}: {}", reply.text);
    }
    let ack = runner.post(&format!("{P}/retry-plans/nope/acknowledgements"), &json!({"provider": "webhook"}));
    assert_eq!(ack.json["detail"], json!("retry plan not found"), "{}", ack.text);
    // Not JSON at all, and too large.
    let reply = runner.request("POST", P, None, &[("content-type", "text/plain")]);
    assert_eq!(reply.status, 200, "an empty body is an empty object");
    let big = format!("{{\"notes\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let reply = raw_post(&runner, P, &big);
    assert_eq!(reply.status, 413, "{}", reply.text);
    let reply = runner.request("GET", &format!("{P}/dashboard"), None, &[]);
    assert_eq!(reply.json["counts"]["audit_delivery_count"], json!(1), "only the empty-body delivery was stored");
    assert_eq!(receiver.count(), 1);
}

fn raw_post(runner: &Runner, path: &str, raw: &str) -> cavra_e2e::Reply {
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let mut response = agent
        .post(&format!("{}{path}", runner.base))
        .header("content-type", "application/json")
        .header("authorization", &format!("Bearer {}", runner.token("admin")))
        .send(raw.as_bytes())
        .expect("request");
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    cavra_e2e::Reply { status, json: serde_json::from_str(&text).unwrap_or_default(), text }
}

#[test]
fn without_auth_actor_labels_are_validated() {
    let receiver = Receiver::start();
    let runner = Runner::with_receiver(&receiver, RunnerOptions { insecure_no_auth: true, ..Default::default() });
    assert!(runner.tokens.is_empty());
    let reply = runner.post(P, &json!({"generated_by": "robert'); drop"}));
    assert_eq!((reply.status, reply.json["error"]["code"].clone()), (400, json!("invalid_actor")), "{}", reply.text);
    let reply = runner.post(&format!("{P}/retry-plan"), &json!({"generated_by": "release-manager"}));
    assert_eq!(reply.json["actor"], json!({"actor": "release-manager", "source": "request"}));
    assert!(runner.logs().contains("access control is OFF"), "the runner says so loudly");
}

#[test]
fn the_test_clock_is_refused_unless_enabled() {
    let receiver = Receiver::start();
    let runner = Runner::with_receiver(&receiver, RunnerOptions::default());
    let reply = runner.get_at(&format!("{P}/worker-dashboard"), "2026-01-01T00:00:00Z");
    assert_eq!((reply.status, reply.json["error"]["code"].clone()), (400, json!("test_clock_disabled")));
    let reply = runner.post(&format!("{P}/retry-plan"), &json!({}));
    assert_eq!(reply.status, 200);
}

#[test]
fn the_console_and_health_are_served() {
    let receiver = Receiver::start();
    let runner = Runner::with_receiver(&receiver, RunnerOptions::default());
    let health = runner.get("/healthz");
    assert_eq!((health.status, health.json["store"].clone()), (200, json!("reachable")));
    let page = runner.get("/");
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Go Rollback Drill Notifications"));
    assert_eq!(runner.get("/../Cargo.toml").status, 404);
    let providers = runner.get(&format!("{P}/providers"));
    assert_eq!(providers.json, json!({"providers": [{"name": "webhook", "category": "webhook", "enabled": true}]}));
}
