//! SPEC §6–8 through the real runner: recovery escalation with acknowledgement-gated retries,
//! retry health boundaries, health-alert suppression, executive report delivery and its retries.

use cavra_e2e::{Behavior, P, Receiver, Reply, Runner, RunnerOptions};
use serde_json::{Value, json};

fn runner(receiver: &Receiver) -> Runner {
    Runner::with_receiver(receiver, RunnerOptions { test_clock: true, ..Default::default() })
}

fn ok(reply: Reply) -> Value {
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json
}

fn at(minutes: i64) -> String {
    // Minutes after 2026-11-23T10:00:00Z.
    let (h, m) = (10 + minutes.div_euclid(60), minutes.rem_euclid(60));
    if h < 24 { format!("2026-11-23T{h:02}:{m:02}:00Z") } else { format!("2026-11-24T{:02}:{m:02}:00Z", h - 24) }
}

/// A failed audit delivery, approved and retried live against a failing receiver: one failed
/// retry execution and an open recovery playbook.
fn failed_execution(runner: &Runner, receiver: &Receiver) {
    receiver.always(Behavior::Status(503));
    ok(runner.post_at(P, &json!({"retries": 0, "acknowledgements": [{"schedule_id": "drill", "provider": "webhook", "notes": "see https://intra.example/x?token=t0p"}]}), &at(0)));
    let plan = ok(runner.post_at(&format!("{P}/retry-plan"), &json!({"generated_by": "ops", "retry_policy": {"allow_immediate_retry": true}}), &at(1)));
    let d = plan["plan"]["retry_decisions"][0].clone();
    let id = plan["plan"]["retry_plan_id"].as_str().unwrap_or_default().to_string();
    ok(runner.post_at(&format!("{P}/retry-plans/{id}/acknowledgements"),
        &json!({"provider": d["provider"], "delivery_id": d["delivery_id"], "audit_id": d["audit_id"], "acknowledged_by": "ops"}), &at(1)));
    let approval = ok(runner.post_at(&format!("{P}/retry-execution-approval-plan"), &json!({"generated_by": "ops"}), &at(1)));
    let aid = approval["plan"]["approval_plan_id"].as_str().unwrap_or_default().to_string();
    ok(runner.as_role("approver", "POST", &format!("{P}/retry-execution-approval-plans/{aid}/decisions"),
        Some(&json!({"provider": d["provider"], "delivery_id": d["delivery_id"], "audit_id": d["audit_id"]})), Some(&at(1))));
    let run = ok(runner.post_at(&format!("{P}/worker-run"), &json!({"execute": true, "retries": 0, "retry_policy": {"allow_immediate_retry": true}}), &at(2)));
    assert_eq!(run["retry_results"][0]["execution_record"]["execution_status"], json!("failed"));
    ok(runner.post_at(&format!("{P}/connector-recovery-playbook"), &json!({"min_failure_count": 1}), &at(3)));
}

#[test]
fn seed_001_escalation_retry_needs_a_permitting_acknowledgement() {
    let receiver = Receiver::start();
    let runner = runner(&receiver);
    failed_execution(&runner, &receiver);

    let plan = ok(runner.post_at(&format!("{P}/recovery-escalation-plan"), &json!({"generated_by": "ops", "recovery_slo_minutes": 240}), &at(10)));
    let plan_id = plan["plan"]["plan_id"].as_str().unwrap_or_default().to_string();
    assert_eq!(plan["plan"]["failed_execution_count"], json!(1));
    assert_eq!(plan["plan"]["escalation_routes"][0]["reason"], json!("failed or skipped retry execution"));
    assert_eq!(plan["plan"]["alert_level"], json!("critical"));
    assert_eq!(plan["metadata"]["metadata_kind"], json!("go-backend-rollback-drill-acknowledgement-audit-delivery-recovery-escalation-plan"));

    // Deliver: the receiver fails.
    let delivered = ok(runner.post_at(&format!("{P}/recovery-escalations/{plan_id}/deliver"), &json!({"retries": 0}), &at(11)));
    assert_eq!(delivered["success"], json!(false));
    assert_eq!(delivered["metadata"]["connector_delivery_source"], json!("go_backend_rollback_drill_acknowledgement_audit_recovery_escalation"));
    assert_eq!(receiver.received().last().map(|r| r.json()["event_type"].clone()), Some(json!("cavra.go_backend.rollback_drill.acknowledgement_audit_delivery.recovery_escalation")));

    let retry_plan = ok(runner.post_at(&format!("{P}/recovery-escalations/retry-plan"), &json!({"retry_policy": {"allow_immediate_retry": true}}), &at(12)));
    assert_eq!(retry_plan["plan"]["retry_decisions"][0]["plan_id"], json!(plan_id));
    assert_eq!(retry_plan["plan"]["retry_decisions"][0]["action"], json!("retry"));

    // Live run without an acknowledgement: nothing is executed, and the gap is reported.
    let before = receiver.count();
    let run = ok(runner.post_at(&format!("{P}/recovery-escalations/retry-worker-run"), &json!({"execute": true, "retry_policy": {"allow_immediate_retry": true}}), &at(13)));
    assert_eq!(run["run"]["summary"]["selected_retry_count"], json!(0));
    assert_eq!(run["run"]["summary"]["acknowledgement_pending_count"], json!(1));
    assert_eq!(run["run"]["follow_up_actions"][0]["acknowledgement_state"], json!("acknowledgement_required"));
    assert_eq!(run["run"]["follow_up_actions"][0]["acknowledgement_status"], json!("missing"));
    assert_eq!(receiver.count(), before);
    let health = ok(runner.get_at(&format!("{P}/recovery-escalations/retry-health"), &at(14)));
    let categories: Vec<Value> = health["health"]["alerts"].as_array().cloned().unwrap_or_default().iter().map(|a| a["category"].clone()).collect();
    assert!(categories.contains(&json!("recovery_escalation_acknowledgement_gap")), "{categories:?}");
    assert_eq!(health["metadata"]["metadata_kind"], json!("go-backend-rollback-drill-acknowledgement-audit-delivery-recovery-escalation-retry-health"));

    // Acknowledge (accepted), then a live run redelivers and records the execution.
    let missing_provider = runner.post_at(&format!("{P}/recovery-escalations/{plan_id}/acknowledgements"), &json!({"acknowledged_by": "webhook-owner"}), &at(15));
    assert_eq!(missing_provider.status, 400);
    ok(runner.post_at(&format!("{P}/recovery-escalations/{plan_id}/acknowledgements"),
        &json!({"provider": "webhook", "acknowledged_by": "webhook-owner", "acknowledgement_state": "accepted", "external_ref": "INC-9"}), &at(15)));
    receiver.always(Behavior::Status(200));
    let run = ok(runner.post_at(&format!("{P}/recovery-escalations/retry-worker-run"), &json!({"execute": true, "retry_policy": {"allow_immediate_retry": true}}), &at(16)));
    assert_eq!(run["run"]["summary"]["selected_retry_count"], json!(1));
    let result = &run["retry_results"][0];
    let record = &result["execution_record"];
    assert_eq!(record["execution_status"], json!("delivered"));
    assert_eq!(record["run_id"], run["run"]["run_id"]);
    assert_eq!(record["retry_plan_id"], run["run"]["retry_plan"]["retry_plan_id"]);
    assert_eq!(record["plan_id"], json!(plan_id));
    assert_eq!(record["provider"], json!("webhook"));
    assert_eq!(record["delivery_metadata_id"], result["delivery_metadata"]["session_id"]);
    assert_eq!(receiver.count(), before + 1);
    let refs = record["public_evidence_refs"].as_array().cloned().unwrap_or_default();
    assert_eq!(refs.len(), 3, "{refs:?}");
}

#[test]
fn retry_health_boundaries() {
    let receiver = Receiver::start();
    let runner = runner(&receiver);
    let health = |minute: i64| ok(runner.get_at(&format!("{P}/recovery-escalations/retry-health?expected_interval_minutes=30&stale_metadata_minutes=120"), &at(minute)))["health"].clone();
    // Never run: missed (and no plan: stale).
    let never = health(0);
    assert_eq!((never["missed_worker_count"].clone(), never["stale_retry_plan_count"].clone()), (json!(1), json!(1)));
    assert_eq!(never["alert_level"], json!("critical"));
    // A dry run at minute 0 also writes the retry plan it builds.
    ok(runner.post_at(&format!("{P}/recovery-escalations/retry-worker-run"), &json!({}), &at(0)));
    let exactly = health(60);
    assert_eq!((exactly["latest_worker_age_minutes"].clone(), exactly["missed_worker_count"].clone()), (json!(60), json!(0)), "2 × interval is not missed");
    let late = health(61);
    assert_eq!(late["missed_worker_count"], json!(1), "one minute more is missed");
    assert_eq!(health(120)["stale_retry_plan_count"], json!(0), "exactly at the stale age is fresh");
    assert_eq!(health(121)["stale_retry_plan_count"], json!(1), "one minute more is stale");
    let bad = runner.get_at(&format!("{P}/recovery-escalations/retry-health?expected_interval_minutes=0"), &at(0));
    assert_eq!((bad.status, bad.json["error"]["field"].clone()), (400, json!("expected_interval_minutes")));
}

#[test]
fn worker_health_alerts_are_suppressed_for_an_hour_unless_forced() {
    let receiver = Receiver::start();
    let runner = runner(&receiver);
    let deliver = |minute: i64, force: bool| ok(runner.post_at(&format!("{P}/worker-health-alerts/deliver"), &json!({"force": force, "retries": 0}), &at(minute)));
    // Never run: critical; the alert goes out.
    let first = deliver(0, false);
    assert_eq!(first["health"]["alert_level"], json!("critical"));
    assert_eq!(first["plan"]["selected_providers"], json!(["webhook"]));
    assert_eq!(receiver.count(), 1);
    assert_eq!(receiver.received()[0].json()["event_type"], json!("cavra.go_backend.rollback_drill.acknowledgement_audit_worker_health_alert"));
    // Same health report inside 60 minutes: suppressed. The health id changes with time, so
    // suppression is per health report id, as in the original: re-deliver the same report.
    let health_id = first["plan"]["health_id"].as_str().unwrap_or_default().to_string();
    let again = deliver(0, false);
    assert_eq!(again["plan"]["health_id"], json!(health_id));
    assert_eq!(again["plan"]["selected_providers"], json!([]));
    assert_eq!(again["plan"]["suppressed_providers"][0]["provider"], json!("webhook"));
    assert_eq!(again["success"], json!(true));
    assert_eq!(receiver.count(), 1, "suppressed: nothing sent");
    let forced = deliver(0, true);
    assert_eq!(forced["plan"]["selected_providers"], json!(["webhook"]));
    assert_eq!(receiver.count(), 2, "force sends anyway");

    // A healthy report sends nothing: a fresh worker run and plan, nothing retryable.
    let healthy_runner = Runner::with_receiver(&receiver, RunnerOptions { test_clock: true, ..Default::default() });
    ok(healthy_runner.post_at(&format!("{P}/worker-run"), &json!({}), &at(100)));
    let quiet = ok(healthy_runner.post_at(&format!("{P}/worker-health-alerts/deliver"), &json!({}), &at(101)));
    assert_eq!(quiet["health"]["alert_level"], json!("healthy"), "{}", quiet["health"]);
    assert_eq!(quiet["plan"]["selected_providers"], json!([]));
    assert_eq!(receiver.count(), 2);

    let ack = ok(runner.post_at(&format!("{P}/worker-health-alerts/{health_id}/acknowledgements"),
        &json!({"provider": "webhook", "acknowledged_by": "sre", "plan_id": first["plan"]["plan_id"]}), &at(5)));
    assert_eq!(ack["metadata"]["metadata_kind"], json!("go-backend-rollback-drill-acknowledgement-audit-delivery-worker-health-alert-ack"));
    let list = ok(runner.get(&format!("{P}/worker-health-alerts?health_id={health_id}")));
    assert!(list["total"].as_u64().unwrap_or(0) >= 4, "{list}");
    let dashboard = ok(runner.get(&format!("{P}/worker-health-alert-dashboard")));
    assert_eq!(dashboard["acknowledgement_count"], json!(1));
}

#[test]
fn executive_report_delivery_is_public_safe_and_its_retries_follow_the_policy() {
    let receiver = Receiver::start();
    let runner = runner(&receiver);
    failed_execution(&runner, &receiver);
    let closures = runner.get(&format!("{P}/connector-recovery-playbooks")).json;
    let playbook_id = closures["items"][0]["playbook_id"].as_str().unwrap_or_default().to_string();
    ok(runner.post_at(&format!("{P}/connector-recovery-playbooks/{playbook_id}/closures"),
        &json!({"provider": "webhook", "closed_by": "ops", "closure_state": "deferred", "notes": "call bob@example.com, key=abc123secret"}), &at(20)));

    let report = ok(runner.get_at(&format!("{P}/recovery-executive-report?recovery_slo_minutes=240&generated_by=exec"), &at(21)));
    assert_eq!(report["report"]["executive_summary"]["failed_execution_count"], json!(1));
    assert_eq!(report["report"]["key_risks"][0]["risk"], json!("Retry execution failed or was skipped"));

    let scheduled = ok(runner.post_at(&format!("{P}/recovery-executive-report/schedule-run"), &json!({"schedule": {"interval_minutes": 1440}}), &at(22)));
    let run_id = scheduled["run"]["run_id"].as_str().unwrap_or_default().to_string();
    assert_eq!(scheduled["run"]["schedule"]["window_start"], json!("2026-11-23T10:00:00+00:00"));
    assert_eq!(scheduled["report_metadata"]["metadata_kind"], json!("go-backend-rollback-drill-acknowledgement-audit-delivery-recovery-executive-report"));

    receiver.always(Behavior::Status(503));
    let before = receiver.count();
    let sent = ok(runner.post_at(&format!("{P}/recovery-executive-report/schedule-runs/{run_id}/deliver"), &json!({"retries": 0}), &at(30)));
    assert_eq!(sent["success"], json!(false));
    let body = &receiver.received()[before].body;
    for forbidden in ["notes", "http", "token", "api_key", "receiver-", "bob@", "abc123secret", "intra.example"] {
        assert!(!body.contains(forbidden), "the executive delivery body contains {forbidden}: {body}");
    }
    assert!(body.contains("\"key_risks\""), "{body}");
    assert_eq!(runner.post_at(&format!("{P}/recovery-executive-report/schedule-runs/nope/deliver"), &json!({}), &at(30)).status, 404);

    // Retry planning over the failed executive delivery (base delay 30 × 2^(n−1)).
    let plan = |minute: i64, policy: Value| {
        let r = ok(runner.post_at(&format!("{P}/recovery-executive-report/delivery-retry-plan"), &json!({"retry_policy": policy}), &at(minute)));
        r["plan"]["retry_decisions"][0].clone()
    };
    let waiting = plan(40, json!({}));
    assert_eq!((waiting["action"].clone(), waiting["retry_delay_minutes"].clone()), (json!("wait"), json!(30)));
    assert_eq!(waiting["next_retry_at"], json!("2026-11-23T11:00:00+00:00"));
    assert_eq!(waiting["run_id"], json!(run_id));
    assert_eq!(plan(60, json!({}))["action"], json!("retry"), "due exactly at latest + delay");
    assert_eq!(plan(40, json!({"allow_immediate_retry": true}))["retry_delay_minutes"], json!(0));
    assert_eq!(plan(40, json!({"allow_immediate_retry": true}))["action"], json!("retry"));
    assert_eq!(plan(40, json!({"max_retry_attempts": 1}))["action"], json!("suppress"));
    // A second failure doubles the delay.
    ok(runner.post_at(&format!("{P}/recovery-executive-report/schedule-runs/{run_id}/deliver"), &json!({"retries": 0}), &at(70)));
    let second = plan(80, json!({}));
    assert_eq!((second["retry_count"].clone(), second["retry_delay_minutes"].clone()), (json!(2), json!(60)));
    assert_eq!(second["next_retry_at"], json!("2026-11-23T12:10:00+00:00"));
    for bad in [json!({"max_retry_attempts": 0}), json!({"retry_delay_minutes": -1}), json!({"backoff_multiplier": 0.5}), json!({"allow_immediate_retry": "yes"})] {
        let r = runner.post_at(&format!("{P}/recovery-executive-report/delivery-retry-plan"), &json!({"retry_policy": bad}), &at(80));
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
    }
    // The executive retry worker (no approval gate) redelivers when live.
    receiver.always(Behavior::Status(200));
    let worker = ok(runner.post_at(&format!("{P}/recovery-executive-report/delivery-retry-worker-run"), &json!({"execute": true, "retry_policy": {"allow_immediate_retry": true}}), &at(81)));
    assert_eq!(worker["retry_results"][0]["execution_record"]["execution_status"], json!("delivered"));
    assert_eq!(worker["retry_results"][0]["execution_record"]["run_id"], json!(run_id));
    let counts = ok(runner.get(&format!("{P}/dashboard")))["counts"].clone();
    assert_eq!(counts["executive_report_delivery_failed_count"], json!(2));
    // Five distinct plans (the two identical requests at minute 40 are one record) and the worker's.
    assert_eq!(counts["executive_delivery_retry_plan_count"], json!(6));
}
