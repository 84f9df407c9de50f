//! Recovery playbooks and closures (SPEC §4) through the real runner.

use cavra_e2e::{Behavior, P, Receiver, Runner, RunnerOptions};
use serde_json::json;

#[test]
fn playbook_covers_repeated_failures_and_closures_need_verification() {
    let receiver = Receiver::start();
    let runner = Runner::with_providers(&receiver, &["webhook", "jira", "splunk", "teams"], RunnerOptions { test_clock: true, ..Default::default() });
    receiver.always(Behavior::Status(503));
    // splunk and jira fail twice, teams once, webhook succeeds.
    for (provider, times) in [("splunk", 2), ("jira", 2), ("teams", 1)] {
        for _ in 0..times {
            let r = runner.post_at(P, &json!({"delivery_provider": provider, "retries": 0}), "2026-11-23T09:00:00Z");
            assert_eq!(r.status, 200, "{}", r.text);
        }
    }
    // An old failure outside the 24-hour lookback does not count.
    runner.post_at(P, &json!({"delivery_provider": "teams", "retries": 0}), "2026-11-21T09:00:00Z");

    let r = runner.post_at(&format!("{P}/connector-recovery-playbook"), &json!({"generated_by": "ops"}), "2026-11-23T10:00:00Z");
    assert_eq!(r.status, 200, "{}", r.text);
    let playbook = &r.json["playbook"];
    let entries: Vec<(String, String, u64)> = playbook["provider_playbooks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| (e["provider"].as_str().unwrap_or("").into(), e["category"].as_str().unwrap_or("").into(), e["failure_count"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(entries, [("jira".into(), "itsm".into(), 2), ("splunk".into(), "siem".into(), 2)]);
    assert_eq!(playbook["provider_playbooks"][0]["recovery_steps"].as_array().map(Vec::len), Some(6));
    assert_eq!(playbook["provider_playbooks"][0]["status_codes"], json!(["503"]));
    let playbook_id = playbook["playbook_id"].as_str().unwrap_or_default().to_string();

    let closures = format!("{P}/connector-recovery-playbooks/{playbook_id}/closures");
    let no_refs = runner.post_at(&closures, &json!({"provider": "jira", "closed_by": "ops"}), "2026-11-23T11:00:00Z");
    assert_eq!((no_refs.status, no_refs.json["error"]["field"].clone()), (400, json!("verification_refs")), "{}", no_refs.text);
    let not_in_playbook = runner.post_at(&closures, &json!({"provider": "teams", "closed_by": "ops", "verification_refs": ["INC-1"]}), "2026-11-23T11:00:00Z");
    assert_eq!(not_in_playbook.status, 400, "{}", not_in_playbook.text);
    let unknown = runner.post_at(&format!("{P}/connector-recovery-playbooks/gordackrecovery-0000000000000000/closures"), &json!({"provider": "jira", "closed_by": "ops", "verification_refs": ["INC-1"]}), "2026-11-23T11:00:00Z");
    assert_eq!(unknown.status, 404, "{}", unknown.text);

    let closed = runner.post_at(
        &closures,
        &json!({"provider": "jira", "closed_by": "ops", "external_ref": "INC-123",
                "verification_refs": ["JIRA-123", "https://jira.internal/secret?token=abc"], "notes": "fixed by ops@example.com"}),
        "2026-11-23T11:00:00Z",
    );
    assert_eq!(closed.status, 200, "{}", closed.text);
    let closure = &closed.json["closure"];
    assert_eq!(closure["closure_state"], json!("resolved"));
    assert_eq!(closure["verification_refs"], json!(["JIRA-123", "[redacted-url]"]));
    assert_eq!(closure["notes"], json!("fixed by [redacted-email]"));
    assert_eq!(closure["closure_hash"].as_str().map(str::len), Some(64));

    let listed = runner.get(&format!("{P}/connector-recovery-closures?provider=jira"));
    assert_eq!(listed.json["total"], json!(1), "{}", listed.text);
    assert_eq!(listed.json["items"][0]["closure_hash"], closure["closure_hash"]);
    let deferred = runner.post_at(&closures, &json!({"provider": "splunk", "closed_by": "ops", "closure_state": "deferred"}), "2026-11-23T11:05:00Z");
    assert_eq!(deferred.status, 200, "{}", deferred.text);
    let counts = runner.get(&format!("{P}/dashboard")).json["counts"].clone();
    assert_eq!((counts["recovery_open_count"].clone(), counts["recovery_closure_count"].clone()), (json!(1), json!(2)));
}
