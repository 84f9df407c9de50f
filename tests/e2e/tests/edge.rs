//! `cavra decide` runs the edge component (world `cavra:engine/edge`) under wasmtime and must
//! answer byte for byte what the native engine answers, for every function. The `original-*`
//! fixtures (evidence rows in the original's shapes) are also checked against the reference
//! rules by hand, so their blessed bytes are not trusted blindly.
//!
//! Needs `target/release/cavra` and the edge component (`scripts/build.sh` builds both).

use cavra_e2e::workspace_root;
use cavra_engine::ffi;
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn decide_in(dir: &Path, args: &[&str], input: &str) -> Outcome {
    let mut child = Command::new(workspace_root().join("target/release/cavra"))
        .arg("decide")
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("target/release/cavra runs (scripts/build.sh builds it)");
    let mut stdin = child.stdin.take().expect("stdin");
    // A run that fails before reading its input (a missing component) closes the pipe early.
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    let out = child.wait_with_output().expect("cavra decide finishes");
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

fn decide(function: &str, input: &str) -> Outcome {
    decide_in(&workspace_root(), &[function], input)
}

/// Runs `function` through the component and natively; both answers must be the same bytes.
/// Returns whether the native engine accepted the input.
fn assert_same(function: &str, input: &str, what: &str) -> bool {
    let out = decide(function, input);
    match ffi::call_result(function, input) {
        Ok(record) => {
            assert_eq!(out.code, Some(0), "{what}: {function} failed: {}", out.stderr);
            assert_eq!(out.stdout, format!("{record}\n"), "{what}: {function} differs from the native engine");
            assert_eq!(ffi::call(function, input), format!("{{\"ok\":{record}}}"), "{what}: call and call_result disagree");
            true
        }
        Err(body) => {
            assert_eq!(out.code, Some(1), "{what}: {function} should fail with {body}");
            assert!(out.stdout.is_empty(), "{what}: an error prints no record");
            assert_eq!(out.stderr.trim_end(), body, "{what}: {function} error body differs");
            assert_eq!(ffi::call(function, input), body);
            false
        }
    }
}

fn fixtures() -> Vec<(PathBuf, Value)> {
    let mut dirs: Vec<(PathBuf, Value)> = std::fs::read_dir(workspace_root().join("tests/fixtures"))
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|dir| {
            let call = std::fs::read_to_string(dir.join("call.json")).ok()?;
            Some((dir, serde_json::from_str(&call).expect("call.json is JSON")))
        })
        .collect();
    dirs.sort_by(|a, b| a.0.cmp(&b.0));
    dirs
}

fn expected(name: &str) -> Value {
    let text = std::fs::read_to_string(workspace_root().join("tests/fixtures").join(name).join("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("expected.json is JSON")
}

#[test]
fn every_fixture_gives_its_expected_bytes_through_the_component() {
    let fixtures = fixtures();
    assert!(fixtures.iter().filter(|(d, _)| d.file_name().is_some_and(|n| n.to_string_lossy().starts_with("original-"))).count() >= 3);
    for (dir, call) in fixtures {
        let function = call["function"].as_str().expect("function");
        let input = serde_json::to_string(&call["input"]).expect("input");
        let want = std::fs::read_to_string(dir.join("expected.json")).expect("expected.json");
        let out = decide(function, &input);
        assert_eq!(out.code, Some(0), "{}: {}", dir.display(), out.stderr);
        assert_eq!(out.stdout.trim_end(), want.trim_end(), "{} differs through the edge component", dir.display());
        assert!(assert_same(function, &input, &dir.display().to_string()));
    }
}

#[test]
fn every_function_matches_the_native_engine() {
    // Every fixture's rows together: deliveries of several flows and records of other kinds.
    let items: Vec<Value> = fixtures().iter().flat_map(|(_, c)| c["input"]["items"].as_array().cloned().unwrap_or_default()).collect();
    assert!(items.len() > 20);
    let inputs = [
        json!({"items": items, "params": {"generated_by": "edge-e2e"}, "now": "2026-11-23T12:00:00+00:00"}),
        json!({"items": items, "now": "2026-11-24T09:30:00Z"}),
        json!({"items": [], "params": {}, "now": "2026-11-23T00:00:00Z"}),
    ];
    for function in ffi::FUNCTIONS {
        // Two processes at a time: each compiles the component once.
        let accepted = std::thread::scope(|scope| {
            let runs: Vec<_> = inputs
                .iter()
                .enumerate()
                .map(|(n, input)| {
                    let text = serde_json::to_string(input).expect("json");
                    scope.spawn(move || assert_same(function, &text, &format!("input {n}")))
                })
                .collect();
            runs.into_iter().map(|r| r.join().expect("run")).filter(|ok| *ok).count()
        });
        assert_eq!(accepted, inputs.len(), "{function} refused an input the engine should accept");
    }
}

#[test]
fn errors_exit_non_zero_with_the_error_body() {
    let now = "2026-11-23T12:00:00Z";
    let cases = [
        ("no-such-function", json!({"items": [], "now": now}).to_string(), "invalid_field", "function"),
        ("retry-plan", "{not json".to_string(), "invalid_field", "input"),
        ("retry-plan", json!({"items": "x", "now": now}).to_string(), "invalid_field", "items"),
        ("worker-run", json!({"items": []}).to_string(), "missing_field", "now"),
        (
            "retry-plan",
            json!({"items": [{"metadata_kind": "release-connector-delivery",
                              "connector_delivery_source": "go_backend_rollback_drill_acknowledgement_audit",
                              "created_at": "yesterday", "delivery_success": false, "providers": ["jira"]}],
                   "now": now})
            .to_string(),
            "invalid_timestamp",
            "items[0].created_at",
        ),
        ("retry-plan", json!({"items": [], "params": {"policy": {"max_retry_attempts": 0}}, "now": now}).to_string(), "invalid_field", ""),
    ];
    for (function, input, code, field) in cases {
        assert!(!assert_same(function, &input, code), "{function} {input} should be refused");
        let out = decide(function, &input);
        let body: Value = serde_json::from_str(out.stderr.trim_end()).expect("the error body is JSON");
        assert_eq!(body["error"]["code"], code, "{}", out.stderr);
        assert!(!body["error"]["message"].as_str().unwrap_or("").is_empty());
        if !field.is_empty() {
            assert_eq!(body["error"]["field"], field, "{}", out.stderr);
        }
    }
}

#[test]
fn the_component_is_found_from_a_subdirectory_and_a_missing_one_is_named() {
    let input = json!({"items": [], "now": "2026-11-23T12:00:00Z"}).to_string();
    let out = decide_in(&workspace_root().join("engine/src"), &["worker-dashboard"], &input);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout.trim_end(), ffi::call_result("worker-dashboard", &input).expect("native"));
    let listed = decide_in(&workspace_root(), &["--list"], "");
    assert_eq!(listed.stdout.lines().collect::<Vec<_>>(), ffi::FUNCTIONS);
    let missing = decide_in(&workspace_root(), &["retry-plan", "--component", "no/such/edge.wasm"], &input);
    assert_ne!(missing.code, Some(0));
    assert!(missing.stderr.contains("no/such/edge.wasm"), "{}", missing.stderr);
}

fn decisions(plan: &Value) -> Vec<(&str, &str, &str, u64, i64, &str)> {
    plan["retry_decisions"]
        .as_array()
        .expect("retry_decisions")
        .iter()
        .map(|d| {
            let subject = d.get("delivery_id").or_else(|| d.get("run_id")).and_then(Value::as_str).unwrap_or("");
            (
                subject,
                d["provider"].as_str().unwrap_or(""),
                d["action"].as_str().unwrap_or(""),
                d["retry_count"].as_u64().unwrap_or(0),
                d["retry_delay_minutes"].as_i64().unwrap_or(-1),
                d["next_retry_at"].as_str().unwrap_or(""),
            )
        })
        .collect()
}

/// Policy `max_retries` 4, `delay_minutes` 10, `multiplier` 3 (the original's aliases), now 12:00:
/// delay = 10 × 3^(count−1); suppress at 4 failures; wait while now < latest + delay.
#[test]
fn original_retry_plan_follows_the_reference_rules() {
    let plan = expected("original-retry-plan-backoff");
    let d = |n: u8| format!("gordackdelivery-100000000000000{n}");
    let (d1, d2, d3, d4, d6) = (d(1), d(2), d(3), d(4), d(6));
    let want: Vec<(&str, &str, &str, u64, i64, &str)> = vec![
        // one failure 11:55 → due 12:05
        (&d1, "splunk", "wait", 1, 10, "2026-11-23T12:05:00+00:00"),
        // two failures, newest 11:00Z → due 11:30; the Slack success in that row is no group
        (&d2, "jira", "retry", 2, 30, "2026-11-23T11:30:00+00:00"),
        // empty failed_providers → providers, normalised; due exactly now → retry
        (&d3, "servicenow", "retry", 3, 90, "2026-11-23T12:00:00+00:00"),
        // keyed by event_id; four failures ≥ max 4 → suppress; 11:50 + 270
        (&d4, "data_dog", "suppress", 4, 270, "2026-11-23T16:20:00+00:00"),
        // one row, two failed providers → two groups
        (&d6, "pagerduty", "wait", 1, 10, "2026-11-23T12:08:00+00:00"),
        (&d6, "webhook", "wait", 1, 10, "2026-11-23T12:08:00+00:00"),
        // keyed by session_id (no delivery or event id): sorts after the gordackdelivery ids
        ("rcd-gordackdelivery-1000000000000005-0011", "teams", "retry", 1, 10, "2026-11-23T06:10:00+00:00"),
    ];
    assert_eq!(decisions(&plan), want);
    assert_eq!(
        (&plan["decision_count"], &plan["retryable_count"], &plan["waiting_count"], &plan["suppressed_count"]),
        (&json!(7), &json!(3), &json!(3), &json!(1))
    );
    assert_eq!(plan["alert_level"], "critical");
    assert_eq!(plan["max_retry_attempts"], 4);
    assert_eq!(plan["base_retry_delay_minutes"], 10);
    assert_eq!(plan["retry_decisions"][1]["failed_status_codes"], json!([502, 200]));
    assert_eq!(plan["retry_decisions"][1]["latest_delivery_at"], "2026-11-23T11:00:00Z");
    assert_eq!(plan["retry_decisions"][3]["reason"], "maximum retry attempts 4 reached");
    assert_eq!(plan["retry_decisions"][0]["reason"], "retry delay 10 minutes has not elapsed");
}

/// The same rows at 12:07:30: D1 is now due; a 5-minute schedule gives the 12:05–12:10 window;
/// a dry run selects the first `max_retry_deliveries` (2) retry decisions.
#[test]
fn original_worker_run_follows_the_reference_rules() {
    let run = expected("original-worker-run-dry-run");
    assert_eq!(run["dry_run"], true);
    assert_eq!(run["schedule"]["window_start"], "2026-11-23T12:05:00+00:00");
    assert_eq!(run["schedule"]["window_end"], "2026-11-23T12:10:00+00:00");
    assert_eq!(run["schedule"]["cadence"], "every_5_minutes");
    let actions: Vec<&str> = decisions(&run["retry_plan"]).iter().map(|d| d.2).collect();
    assert_eq!(actions, ["retry", "retry", "retry", "suppress", "wait", "wait", "retry"]);
    let summary = &run["summary"];
    assert_eq!(
        [&summary["retryable_count"], &summary["waiting_retry_count"], &summary["suppressed_retry_count"], &summary["selected_retry_count"]],
        [&json!(4), &json!(2), &json!(1), &json!(2)]
    );
    assert_eq!(summary["approval_pending_count"], 0);
    assert_eq!(summary["follow_up_action_count"], 7);
    let selected: Vec<&str> = run["selected_retries"].as_array().expect("selected").iter().map(|d| d["provider"].as_str().unwrap_or("")).collect();
    assert_eq!(selected, ["splunk", "jira"]);
    assert!(run["follow_up_actions"].as_array().expect("follow-ups").iter().all(|f| f["approval_state"] == "dry_run_not_required"));
}

/// Executive report deliveries: default delay 30, max 3, multiplier 2; keyed (run_id, provider);
/// `executive_report_id` from the newest failure; audit deliveries ignored.
#[test]
fn original_executive_delivery_retry_plan_follows_the_reference_rules() {
    let plan = expected("original-executive-delivery-retry-plan");
    let r = |n: u8| format!("gordackexecsched-900000000000000{n}");
    let (r1, r2, r3) = (r(1), r(2), r(3));
    let want: Vec<(&str, &str, &str, u64, i64, &str)> = vec![
        (&r1, "slack", "wait", 1, 30, "2026-11-23T12:15:00+00:00"),
        (&r2, "email", "retry", 2, 60, "2026-11-23T12:00:00+00:00"),
        // no run_id: keyed by event_id; three failures → suppress, 09:30 + 120
        (&r3, "teams", "suppress", 3, 120, "2026-11-23T11:30:00+00:00"),
    ];
    assert_eq!(decisions(&plan), want);
    assert_eq!(plan["retry_decisions"][1]["executive_report_id"], "gordackexecreport-e0000000000000bb");
    assert_eq!(plan["retry_decisions"][1]["reason"], "failed executive report delivery is eligible for retry");
    assert_eq!(plan["base_retry_delay_minutes"], 30);
    assert_eq!((&plan["retryable_count"], &plan["waiting_count"], &plan["suppressed_count"]), (&json!(1), &json!(1), &json!(1)));
}
