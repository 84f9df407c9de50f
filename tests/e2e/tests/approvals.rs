//! SPEC §3–4 through the real runner: approval-gated live retries, four-eyes, expiry,
//! supersession, and exactly one delivery per approval even when live runs race.

use cavra_e2e::{Behavior, P, Receiver, Runner, RunnerOptions};
use serde_json::{Value, json};

use cavra_e2e::approval_flow::{T1, decide, live_run, ok, prepare};

fn runner(receiver: &Receiver) -> Runner {
    Runner::with_receiver(receiver, RunnerOptions { test_clock: true, ..Default::default() })
}

#[test]
fn an_approval_by_a_second_actor_allows_exactly_one_live_retry() {
    let receiver = Receiver::start();
    let runner = runner(&receiver);
    let (plan_id, decisions) = prepare(&runner, &receiver, 1, None);
    let d = &decisions[0];

    // The plan was requested with the admin token: the admin may not approve it too.
    let own = decide(&runner, &plan_id, d, "admin", "approved", T1);
    assert_eq!((own.status, own.json["error"]["code"].clone()), (403, json!("self_approval")), "{}", own.text);
    let unknown = decide(&runner, "gordackretryapproval-0000000000000000", d, "approver", "approved", T1);
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    let mut partial = d.clone();
    partial["delivery_id"] = Value::Null;
    let missing = decide(&runner, &plan_id, &partial, "approver", "approved", T1);
    assert_eq!((missing.status, missing.json["error"]["code"].clone()), (400, json!("missing_field")), "{}", missing.text);

    let approved = ok(decide(&runner, &plan_id, d, "approver", "approved", T1));
    assert_eq!(approved["decision"]["requested_by"], json!("local-admin"));
    assert_eq!(approved["decision"]["decided_by"], json!("local-approver"), "the token's label, not the body's");
    // Separation of duties: the approver may not run workers, the operator may not go live.
    let body = json!({"execute": true});
    assert_eq!(runner.as_role("approver", "POST", &format!("{P}/worker-run"), Some(&body), Some(T1)).status, 403);
    assert_eq!(runner.as_role("operator", "POST", &format!("{P}/worker-run"), Some(&body), Some(T1)).status, 403);
    assert_eq!(approved["decision"]["expires_at"], json!("2026-11-24T10:20:00+00:00"));
    let decision_id = approved["decision"]["decision_id"].clone();

    receiver.always(Behavior::Status(200));
    let before = receiver.count();
    let run = live_run(&runner, "2026-11-23T10:30:00Z");
    assert_eq!(run["run"]["dry_run"], json!(false));
    assert_eq!(run["run"]["summary"]["selected_retry_count"], json!(1));
    let result = &run["retry_results"][0];
    assert_eq!(result["skipped"], Value::Null, "{result}");
    let record = &result["execution_record"];
    assert_eq!(record["execution_status"], json!("delivered"));
    assert_eq!(record["approval_decision_id"], decision_id);
    assert_eq!(record["execution_hash"].as_str().map(str::len), Some(64));
    assert!(record["public_evidence_refs"].as_array().is_some_and(|r| r.len() == 4), "{record}");
    assert_eq!(result["execution_metadata"]["metadata_kind"], json!("go-backend-rollback-drill-acknowledgement-audit-delivery-retry-execution-record"));
    assert_eq!(receiver.count(), before + 1, "exactly one POST for one approved decision");

    // The approval is used up; the redelivery closed the group.
    let again = live_run(&runner, "2026-11-23T10:31:00Z");
    assert_eq!(again["run"]["summary"]["selected_retry_count"], json!(0));
    assert_eq!(receiver.count(), before + 1);
    let executions = ok(runner.get(&format!("{P}/retry-execution-records")));
    assert_eq!(executions["total"], json!(1));
    let dashboard = ok(runner.get(&format!("{P}/dashboard")));
    assert_eq!(dashboard["counts"]["retry_execution_status_counts"], json!({"delivered": 1}));
    assert_eq!(dashboard["counts"]["approval_decision_counts"], json!({"approved": 1}));
}

#[test]
fn denied_deferred_expired_and_revoked_approvals_execute_nothing() {
    let receiver = Receiver::start();
    let runner = runner(&receiver);
    let (plan_id, decisions) = prepare(&runner, &receiver, 4, Some(5));
    ok(decide(&runner, &plan_id, &decisions[0], "approver", "denied", T1));
    ok(decide(&runner, &plan_id, &decisions[1], "approver", "deferred", T1));
    ok(decide(&runner, &plan_id, &decisions[2], "approver", "approved", T1)); // expires after 5 minutes
    ok(decide(&runner, &plan_id, &decisions[3], "approver", "approved", T1));
    ok(decide(&runner, &plan_id, &decisions[3], "approver", "denied", "2026-11-23T10:21:00Z")); // revokes

    receiver.always(Behavior::Status(200));
    let before = receiver.count();
    let run = live_run(&runner, "2026-11-23T10:26:00Z");
    assert_eq!(run["run"]["summary"]["selected_retry_count"], json!(0));
    assert_eq!(run["run"]["summary"]["approval_pending_count"], json!(4));
    assert_eq!(receiver.count(), before, "nothing was delivered");
    let mut why: Vec<String> = run["run"]["follow_up_actions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            assert_eq!(f["approval_state"], json!("approval_required"));
            f["approval_status"].as_str().unwrap_or("?").to_string()
        })
        .collect();
    why.sort();
    assert_eq!(why, ["deferred", "denied", "denied", "expired"]);
    assert_eq!(ok(runner.get(&format!("{P}/retry-execution-records")))["total"], json!(0));
}

#[test]
fn racing_live_runs_deliver_each_approval_once() {
    const DECISIONS: usize = 3;
    const RUNS: usize = 8;
    let receiver = Receiver::start();
    let runner = std::sync::Arc::new(runner(&receiver));
    let (plan_id, decisions) = prepare(&runner, &receiver, DECISIONS, None);
    for d in &decisions {
        ok(decide(&runner, &plan_id, d, "approver", "approved", T1));
    }
    // A slow connector keeps the first claims in flight while the other runs select.
    receiver.always(Behavior::Delay(std::time::Duration::from_millis(300)));
    let before = receiver.count();
    let threads: Vec<_> = (0..RUNS)
        .map(|_| {
            let runner = runner.clone();
            std::thread::spawn(move || live_run(&runner, "2026-11-23T10:30:00Z"))
        })
        .collect();
    let runs: Vec<Value> = threads.into_iter().map(|t| t.join().unwrap_or(Value::Null)).collect();
    let delivered: usize = runs
        .iter()
        .flat_map(|r| r["retry_results"].as_array().cloned().unwrap_or_default())
        .filter(|r| r["execution_record"]["execution_status"] == json!("delivered"))
        .count();
    let claimed_elsewhere: usize = runs
        .iter()
        .flat_map(|r| r["retry_results"].as_array().cloned().unwrap_or_default())
        .filter(|r| r["skipped"] == json!("approval_already_executed"))
        .count();
    let selected: u64 = runs.iter().map(|r| r["run"]["summary"]["selected_retry_count"].as_u64().unwrap_or(0)).sum();
    assert_eq!(receiver.count() - before, DECISIONS, "one delivery per approved decision");
    assert_eq!(delivered, DECISIONS);
    assert_eq!(delivered + claimed_elsewhere, selected as usize, "every selected decision was delivered once or lost its claim");
    assert!(claimed_elsewhere > 0, "the runs raced for the same approvals");
    let executions = ok(runner.get(&format!("{P}/retry-execution-records")));
    assert_eq!(executions["total"], json!(DECISIONS), "executions = decisions");
    println!("concurrency: {RUNS} runs x {DECISIONS} approvals -> {delivered} deliveries, {claimed_elsewhere} lost claims, 0 duplicates");
}
