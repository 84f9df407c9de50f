//! Where the time of a retry plan goes, natively, phase by phase:
//! `cargo run --release -p cavra-bench --example retry_timing -- [RECORDS]`.
use cavra_engine::Timestamp;
use cavra_engine::policy::RetryPolicy;
use cavra_engine::retry::{RetryFamily, build_retry_plan};
use serde_json::{Value, json};
use std::time::Instant;

fn main() {
    let now = Timestamp::parse("2026-11-23T12:00:00Z").expect("time");
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let items = cavra_bench::original_failed_deliveries(n, 9, now);
    let text = serde_json::to_string(&json!({"items": items, "params": {"generated_by": "bench"}, "now": now.to_iso()})).expect("json");
    let policy = RetryPolicy::parse(None, "params.policy", RetryFamily::AuditDelivery.default_delay()).expect("policy");
    for _ in 0..3 {
        let t = Instant::now();
        let input: Value = serde_json::from_str(&text).expect("json");
        let parse = t.elapsed();
        let rows = input["items"].as_array().expect("items");
        let t = Instant::now();
        let plan = build_retry_plan(RetryFamily::AuditDelivery, rows, &policy, "bench", now).expect("plan");
        let build = t.elapsed();
        let t = Instant::now();
        // The whole-material id (the original's formula): the plan's streamed id must equal it.
        let id = cavra_engine::canonical::stable_id("gordackretry", &json!({"generated_at": plan.generated_at, "retry_decisions": plan.retry_decisions}));
        let id_time = t.elapsed();
        assert_eq!(id, plan.retry_plan_id);
        let t = Instant::now();
        let value = serde_json::to_value(&plan).expect("value");
        let to_value = t.elapsed();
        let t = Instant::now();
        let out = serde_json::to_string(&value).expect("text");
        let to_string = t.elapsed();
        let t = Instant::now();
        let direct = serde_json::to_string(&plan).expect("text");
        let direct_time = t.elapsed();
        assert_eq!(direct, out);
        let t = Instant::now();
        drop((value, plan, input));
        let dropped = t.elapsed();
        println!(
            "{n}: parse {parse:?}, build {build:?} (whole-material id alone {id_time:?}), to_value {to_value:?}, to_string {to_string:?}, direct to_string {direct_time:?}, drop {dropped:?} ({} KB)",
            out.len() / 1000
        );
    }
}
