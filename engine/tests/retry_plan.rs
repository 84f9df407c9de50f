//! Retry plan and worker decisions, branch by branch (SPEC §2).

use cavra_engine::input::Fields;
use cavra_engine::kinds;
use cavra_engine::policy::RetryPolicy;
use cavra_engine::retry::{RetryAction, RetryDecision, RetryFamily, RetrySubject, build_retry_plan};
use cavra_engine::worker::{GateState, WorkerParams, build_worker_run, FollowUpAction};
use cavra_engine::Timestamp;
use serde_json::{Value, json};

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).expect("timestamp")
}

fn failure(delivery: &str, audit: &str, provider: &str, at: &str) -> Value {
    json!({
        "metadata_kind": kinds::CONNECTOR_DELIVERY,
        "connector_delivery_source": kinds::source::AUDIT,
        "session_id": format!("rcd-{delivery}-{at}"),
        "created_at": at,
        "delivery_success": false,
        "providers": [provider],
        "failed_providers": [provider],
        "status_codes": [503],
        "event_id": delivery,
        "delivery_id": delivery,
        "audit_id": audit,
    })
}

fn plan(items: &[Value], policy: &RetryPolicy, now: &str) -> cavra_engine::retry::RetryPlan {
    build_retry_plan(RetryFamily::AuditDelivery, items, policy, "tester", t(now)).expect("plan")
}

#[test]
fn first_failure_past_its_delay_is_retried() {
    let items = [failure("d1", "a1", "webhook", "2026-11-23T10:00:00+00:00")];
    let p = plan(&items, &RetryPolicy::defaults(15), "2026-11-23T10:15:00+00:00");
    assert_eq!(p.decision_count, 1);
    let d = &p.retry_decisions[0];
    assert_eq!(d.action, RetryAction::Retry);
    assert_eq!(d.reason, "failed acknowledgement audit delivery is eligible for retry");
    assert_eq!(d.subject, RetrySubject::Audit { delivery_id: "d1".into(), audit_id: "a1".into() });
    assert_eq!(d.next_retry_at, "2026-11-23T10:15:00+00:00");
    assert_eq!(d.failed_status_codes, json!([503]));
    assert_eq!(p.alert_level.as_str(), "critical");
    assert!(p.retry_plan_id.starts_with("gordackretry-"));
}

#[test]
fn inside_the_delay_the_decision_waits() {
    let items = [failure("d1", "a1", "webhook", "2026-11-23T10:00:00+00:00")];
    let p = plan(&items, &RetryPolicy::defaults(15), "2026-11-23T10:14:59+00:00");
    let d = &p.retry_decisions[0];
    assert_eq!(d.action, RetryAction::Wait);
    assert_eq!(d.reason, "retry delay 15 minutes has not elapsed");
    assert_eq!((p.waiting_count, p.alert_level.as_str()), (1, "warning"));
}

#[test]
fn backoff_grows_with_each_failure() {
    // base 10, multiplier 3: attempt n waits 10 * 3^(n-1) minutes after the newest failure.
    let policy = RetryPolicy { max_retry_attempts: 10, retry_delay_minutes: 10, backoff_multiplier: 3.0, ..RetryPolicy::defaults(15) };
    let mut items = Vec::new();
    for n in 1..=4u32 {
        items.push(failure("d1", "a1", "splunk", &format!("2026-11-23T10:0{n}:00+00:00")));
        let p = plan(&items, &policy, "2026-11-23T10:04:00+00:00");
        let d = &p.retry_decisions[0];
        let delay = 10 * 3i64.pow(n - 1);
        assert_eq!(d.retry_count, n);
        assert_eq!(d.retry_delay_minutes, delay);
        let latest = t(&format!("2026-11-23T10:0{n}:00+00:00"));
        assert_eq!(d.next_retry_at, latest.plus_minutes(delay as f64).to_iso());
        assert_eq!(d.latest_delivery_at.as_deref(), Some(format!("2026-11-23T10:0{n}:00+00:00").as_str()));
    }
}

#[test]
fn fractional_backoff_keeps_exact_minutes() {
    let policy = RetryPolicy { retry_delay_minutes: 15, backoff_multiplier: 1.5, ..RetryPolicy::defaults(15) };
    let items = [failure("d1", "a1", "w", "2026-11-23T10:00:00+00:00"), failure("d1", "a1", "w", "2026-11-23T10:01:00+00:00")];
    let d = &plan(&items, &policy, "2026-11-23T10:02:00+00:00").retry_decisions[0];
    assert_eq!(d.retry_delay_minutes, 22); // int(22.5)
    assert_eq!(d.next_retry_at, "2026-11-23T10:23:30+00:00");
}

#[test]
fn reaching_max_attempts_suppresses() {
    let items: Vec<Value> = (0..3).map(|i| failure("d1", "a1", "jira", &format!("2026-11-23T10:0{i}:00+00:00"))).collect();
    let p = plan(&items, &RetryPolicy::defaults(15), "2026-11-24T00:00:00+00:00");
    let d = &p.retry_decisions[0];
    assert_eq!((d.action, d.reason.as_str()), (RetryAction::Suppress, "maximum retry attempts 3 reached"));
    assert_eq!((p.suppressed_count, p.alert_level.as_str()), (1, "healthy"));
}

#[test]
fn permanent_errors_are_suppressed_only_when_asked() {
    let mut row = failure("d1", "a1", "jira", "2026-11-23T10:00:00+00:00");
    row["status_codes"] = json!([401]);
    row["error_classes"] = json!({"jira": "permanent"});
    let now = "2026-11-23T11:00:00+00:00";
    let default = plan(std::slice::from_ref(&row), &RetryPolicy::defaults(15), now);
    assert_eq!(default.retry_decisions[0].action, RetryAction::Retry, "the original's decision by default");
    let strict = RetryPolicy { suppress_permanent_failures: true, ..RetryPolicy::defaults(15) };
    let p = plan(&[row], &strict, now);
    assert_eq!(p.retry_decisions[0].action, RetryAction::Suppress);
    assert!(p.retry_decisions[0].reason.contains("permanent"));
}

#[test]
fn groups_by_delivery_audit_and_each_failed_provider_in_sorted_order() {
    let mut multi = failure("d2", "a2", "webhook", "2026-11-23T10:00:00+00:00");
    multi["providers"] = json!(["Splunk", "webhook", "Slack"]);
    multi["failed_providers"] = json!(["Splunk", "Slack"]);
    let items = [multi, failure("d1", "a1", "Teams", "2026-11-23T09:00:00+00:00")];
    let p = plan(&items, &RetryPolicy::defaults(15), "2026-11-23T12:00:00+00:00");
    let keys: Vec<(String, String)> =
        p.retry_decisions.iter().map(|d| (d.subject_id().to_string(), d.provider.clone())).collect();
    assert_eq!(keys, [("d1".into(), "teams".into()), ("d2".into(), "slack".into()), ("d2".into(), "splunk".into())]);
}

#[test]
fn successful_and_foreign_rows_are_ignored() {
    let mut ok = failure("d1", "a1", "webhook", "2026-11-23T10:00:00+00:00");
    ok["delivery_success"] = json!(true);
    let mut other_source = failure("d2", "a2", "webhook", "2026-11-23T10:00:00+00:00");
    other_source["connector_delivery_source"] = json!("go_backend_rollback_drill_notification");
    let p = plan(&[ok, other_source, json!({"metadata_kind": "something-else"})], &RetryPolicy::defaults(15), "2026-11-23T12:00:00+00:00");
    assert_eq!(p.decision_count, 0);
    assert_eq!(p.alert_level.as_str(), "healthy");
}

#[test]
fn a_successful_redelivery_closes_its_group() {
    let failed = failure("d1", "a1", "webhook", "2026-11-23T10:00:00+00:00");
    let mut retry_failed = failure("d9", "a1", "webhook", "2026-11-23T10:30:00+00:00");
    retry_failed["retry_of"] = json!("d1");
    let p = plan(&[failed.clone(), retry_failed.clone()], &RetryPolicy::defaults(15), "2026-11-23T12:00:00+00:00");
    assert_eq!(p.retry_decisions.len(), 1, "a failed redelivery counts toward the original group");
    assert_eq!(p.retry_decisions[0].retry_count, 2);
    let mut retry_ok = failure("d10", "a1", "webhook", "2026-11-23T11:00:00+00:00");
    retry_ok["retry_of"] = json!("d1");
    retry_ok["delivery_success"] = json!(true);
    retry_ok["failed_providers"] = json!([]);
    let p = plan(&[failed, retry_failed, retry_ok], &RetryPolicy::defaults(15), "2026-11-23T12:00:00+00:00");
    assert_eq!(p.decision_count, 0);
}

#[test]
fn unknown_times_are_due_now_and_bad_times_are_refused() {
    let mut row = failure("d1", "a1", "webhook", "");
    row["created_at"] = Value::Null;
    let p = plan(std::slice::from_ref(&row), &RetryPolicy::defaults(15), "2026-11-23T12:00:00+00:00");
    assert_eq!(p.retry_decisions[0].action, RetryAction::Retry);
    assert_eq!(p.retry_decisions[0].next_retry_at, "2026-11-23T12:00:00+00:00");
    row["created_at"] = json!("yesterday");
    let err = build_retry_plan(RetryFamily::AuditDelivery, &[row], &RetryPolicy::defaults(15), "x", t("2026-11-23T12:00:00Z"))
        .expect_err("unreadable time");
    assert_eq!(err.code(), "invalid_timestamp");
    assert_eq!(err.field().as_deref(), Some("items[0].created_at"));
}

#[test]
fn the_plan_id_is_deterministic() {
    let items = [failure("d1", "a1", "webhook", "2026-11-23T10:00:00+00:00")];
    let a = plan(&items, &RetryPolicy::defaults(15), "2026-11-23T12:00:00+00:00");
    let b = plan(&items, &RetryPolicy::defaults(15), "2026-11-23T12:00:00+00:00");
    let c = plan(&items, &RetryPolicy::defaults(15), "2026-11-23T12:00:01+00:00");
    assert_eq!(a.retry_plan_id, b.retry_plan_id);
    assert_ne!(a.retry_plan_id, c.retry_plan_id);
}

fn worker_params(body: Value) -> WorkerParams {
    let f = Fields::new(Some(&body), "").expect("object");
    WorkerParams::parse(&f, RetryFamily::AuditDelivery).expect("params")
}

#[test]
fn worker_runs_are_dry_by_default_and_select_every_retry() {
    let items: Vec<Value> = (0..7).map(|i| failure(&format!("d{i}"), "a", "webhook", "2026-11-23T10:00:00+00:00")).collect();
    let params = worker_params(json!({}));
    assert!(params.dry_run);
    assert!(!worker_params(json!({"execute": true})).dry_run);
    assert!(worker_params(json!({"execute": true, "dry_run": true})).dry_run);
    let run = build_worker_run(RetryFamily::AuditDelivery, &items, &params, "tester", &|_: &RetryDecision| false, t("2026-11-23T12:34:56Z")).expect("run");
    assert_eq!(run.summary.retryable_count, 7);
    assert_eq!(run.selected_retries.len(), 5, "max_retry_deliveries defaults to 5");
    assert_eq!(run.summary.approval_pending_count, Some(0));
    assert_eq!(run.schedule.window_start, "2026-11-23T12:00:00+00:00");
    assert!(run.follow_up_actions.iter().all(|f| matches!(f, FollowUpAction::Audit { approval_state: GateState::DryRunNotRequired, .. })));
    let meta = run.metadata(RetryFamily::AuditDelivery);
    assert_eq!(meta["metadata_kind"], json!(kinds::WORKER_RUN));
    assert_eq!(meta["dry_run"], json!(true));
    assert_eq!(meta["approval_required_count"], json!(5));
}

#[test]
fn live_runs_select_only_gated_decisions() {
    let items = [failure("d1", "a1", "webhook", "2026-11-23T10:00:00+00:00"), failure("d2", "a2", "webhook", "2026-11-23T10:00:00+00:00")];
    let params = worker_params(json!({"dry_run": false, "schedule": {"interval_minutes": 15}}));
    let run = build_worker_run(RetryFamily::AuditDelivery, &items, &params, "ops", &|d: &RetryDecision| d.subject_id() == "d2", t("2026-11-23T12:34:56Z"))
        .expect("run");
    assert_eq!(run.selected_retries.len(), 1);
    assert_eq!(run.summary.approval_pending_count, Some(1));
    assert_eq!(run.schedule.window_start, "2026-11-23T12:30:00+00:00");
    let states: Vec<GateState> = run
        .follow_up_actions
        .iter()
        .map(|f| match f {
            FollowUpAction::Audit { approval_state, .. } => *approval_state,
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(states, [GateState::ApprovalRequired, GateState::Approved]);
}

#[test]
fn worker_params_are_validated() {
    for bad in [
        json!({"max_retry_deliveries": 0}),
        json!({"max_retry_deliveries": 26}),
        json!({"dry_run": "no"}),
        json!({"schedule": {"interval_minutes": -5}}),
        json!({"retry_policy": {"backoff_multiplier": 0.5}}),
    ] {
        let f = Fields::new(Some(&bad), "").expect("object");
        assert!(WorkerParams::parse(&f, RetryFamily::AuditDelivery).is_err(), "{bad}");
    }
}
