//! SPEC §15 scale-out: two runner processes share one evidence store in a real `redis-server`
//! (configured the way Spin's runtime config does it). Approval claims stay exactly-once across
//! processes, and the chain both processes appended to verifies as one.

use cavra_e2e::approval_flow::{T1, decide, live_run, ok, prepare};
use cavra_e2e::{Behavior, P, Receiver, RedisServer, Runner, RunnerOptions};
use serde_json::{Value, json};
use std::sync::Arc;

fn runner_on(redis: &RedisServer, receiver: &Receiver, data_dir: std::path::PathBuf) -> Runner {
    let config = redis.runtime_config();
    let options = RunnerOptions {
        test_clock: true,
        data_dir: Some(data_dir),
        extra_args: vec!["--runtime-config-file".into(), config.display().to_string()],
        ..Default::default()
    };
    Runner::with_receiver(receiver, options)
}

#[test]
fn two_runners_on_one_redis_deliver_each_approval_once() {
    const DECISIONS: usize = 4;
    const RUNS_PER_PROCESS: usize = 5;
    let redis = RedisServer::start();
    let receiver = Receiver::start();
    // One data directory holds the tokens both processes accept; the evidence lives in Redis.
    let data_dir = cavra_e2e::temp_dir("scale-out");
    let a = Arc::new(runner_on(&redis, &receiver, data_dir.clone()));
    let b = Arc::new(runner_on(&redis, &receiver, data_dir.clone()));
    assert!(a.logs().contains("key-value store: redis") || b.logs().contains("key-value store: redis"));
    assert!(!data_dir.join("sqlite_key_value.db").exists(), "nothing went to SQLite");

    // Prepared through A, approved through B: both see the same store.
    let (plan_id, decisions) = prepare(&a, &receiver, DECISIONS, None);
    for d in &decisions {
        ok(decide(&b, &plan_id, d, "approver", "approved", T1));
    }
    assert_eq!(ok(b.get(&format!("{P}/retry-execution-approval-decisions")))["total"], json!(DECISIONS));

    receiver.always(Behavior::Delay(std::time::Duration::from_millis(300)));
    let before = receiver.count();
    let threads: Vec<_> = (0..RUNS_PER_PROCESS * 2)
        .map(|i| {
            let runner = if i % 2 == 0 { a.clone() } else { b.clone() };
            std::thread::spawn(move || live_run(&runner, "2026-11-23T10:30:00Z"))
        })
        .collect();
    let runs: Vec<Value> = threads.into_iter().map(|t| t.join().unwrap_or(Value::Null)).collect();
    let results: Vec<Value> = runs.iter().flat_map(|r| r["retry_results"].as_array().cloned().unwrap_or_default()).collect();
    let delivered = results.iter().filter(|r| r["execution_record"]["execution_status"] == json!("delivered")).count();
    let lost = results.iter().filter(|r| r["skipped"] == json!("approval_already_executed")).count();
    assert_eq!(receiver.count() - before, DECISIONS, "one delivery per approval across both processes");
    assert_eq!(delivered, DECISIONS);
    assert!(lost > 0, "the processes raced for the same approvals");
    for runner in [&a, &b] {
        assert_eq!(ok(runner.get(&format!("{P}/retry-execution-records")))["total"], json!(DECISIONS), "executions = decisions");
        let verify = ok(runner.get(&format!("{P}/evidence/verify")));
        assert_eq!(verify["ok"], json!(true), "{verify}");
    }
    assert!(redis.key_count() > 0);
    println!(
        "scale-out: 2 processes x {RUNS_PER_PROCESS} runs x {DECISIONS} approvals -> {delivered} deliveries, {lost} lost claims, 0 duplicates; {} keys in redis",
        redis.key_count()
    );
}
