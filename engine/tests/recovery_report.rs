//! The recovery report's rules, field by field, on the `recovery-report-*` fixtures.

use serde_json::{Value, json};
use std::path::Path;

fn report(case: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures").join(case).join("call.json");
    let call: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
    cavra_engine::ffi::decide(call["function"].as_str().expect("function"), &call["input"]).expect("report")
}

fn row<'a>(report: &'a Value, provider: &str) -> &'a Value {
    report["recovery_rows"].as_array().and_then(|rows| rows.iter().find(|r| r["provider"] == provider)).expect("row")
}

#[test]
fn execution_counts_and_rate() {
    let r = report("recovery-report-slo");
    assert_eq!(r["execution_count"], json!(3));
    assert_eq!(r["execution_success_count"], json!(2));
    assert_eq!(r["execution_failed_count"], json!(1));
    assert_eq!(r["execution_success_rate"], json!(0.6667));
    assert_eq!(r["latest_executions"][0]["provider"], json!("splunk"), "newest first");
    assert_eq!(r["provider_summary"].as_array().map(|p| p.len()), Some(6));
    assert_eq!(report("recovery-report-empty")["execution_success_rate"], Value::Null);
}

#[test]
fn slo_breach_is_strictly_after_the_slo() {
    let r = report("recovery-report-slo");
    // Playbook 1 is exactly 240 minutes old: open, not breached.
    assert_eq!((row(&r, "teams")["age_minutes"].clone(), row(&r, "teams")["slo_status"].clone()), (json!(240), json!("open")));
    // Playbook 2 is 840 minutes old: its open provider is breached...
    assert_eq!((row(&r, "slack")["age_minutes"].clone(), row(&r, "slack")["slo_status"].clone()), (json!(840), json!("breached")));
    // ...and a closed row is never breached, however old.
    assert_eq!(row(&r, "servicenow")["slo_status"], json!("closed"));
    assert_eq!(row(&r, "servicenow")["slo_breached"], json!(false));
    assert_eq!(row(&r, "servicenow")["closure_minutes"], json!(210));
    assert_eq!(r["recovery_rows"][0]["provider"], json!("slack"), "breached rows first");
    assert_eq!(r["recovery_slo_breached_count"], json!(1));
    assert_eq!(r["alert_level"], json!("critical"));
    // One minute past the SLO is a breach.
    let late = report("recovery-report-empty");
    assert_eq!((late["recovery_rows"][0]["age_minutes"].clone(), late["recovery_rows"][0]["slo_status"].clone()), (json!(241), json!("breached")));
}

#[test]
fn mitigated_is_closed_and_deferred_is_open() {
    let r = report("recovery-report-slo");
    let jira = row(&r, "jira");
    assert_eq!((jira["closure_state"].clone(), jira["slo_status"].clone()), (json!("mitigated"), json!("closed")), "latest closure wins");
    assert_eq!(jira["closure_minutes"], json!(190));
    assert_eq!((row(&r, "splunk")["closure_state"].clone(), row(&r, "splunk")["slo_status"].clone()), (json!("deferred"), json!("open")));
    assert_eq!(r["recovery_closed_count"], json!(3));
    assert_eq!(r["recovery_open_count"], json!(3));
    let mut counts = r["closure_state_counts"].as_object().cloned().unwrap_or_default();
    counts.sort_keys();
    assert_eq!(Value::Object(counts), json!({"deferred": 2, "mitigated": 1, "resolved": 2}));
}

#[test]
fn trends_group_by_utc_day_newest_first() {
    let r = report("recovery-report-slo");
    let days: Vec<&str> = r["closure_trends"].as_array().into_iter().flatten().filter_map(|t| t["date"].as_str()).collect();
    assert_eq!(days, ["2026-11-23", "2026-11-22"], "01:30+02:00 on the 23rd is the 22nd in UTC");
    let today = &r["closure_trends"][0];
    assert_eq!(today["closure_count"], json!(4));
    assert_eq!((today["resolved_count"].clone(), today["deferred_count"].clone(), today["mitigated_count"].clone()), (json!(1), json!(2), json!(1)));
    assert_eq!(today["provider_counts"]["jira"], json!(2));
}
