//! The browser parity corpus: seeded, generated engine calls across the decision functions, each
//! written with the NATIVE answer (`ffi::call`) to `target/parity-corpus/NNN.json`.
//! `tests/browser/parity.test.mjs` then replays every file in Chromium and demands the same bytes.
//! File shape: `{"seed", "function", "input_json" (the exact input text), "answer"}`.

use cavra_bench::{PROVIDERS, failed_deliveries, recovery_dataset};
use cavra_engine::delivery::{ProviderOutcome, build_delivery_result, delivery_row};
use cavra_engine::kinds::{self, source};
use cavra_engine::retry::{RetryFamily, build_retry_plan};
use cavra_engine::policy::RetryPolicy;
use cavra_engine::{Timestamp, ffi};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;

const NOW: &str = "2026-11-23T12:00:00+00:00";
/// Final statuses of a failed attempt: transient (5xx, 429, 408, no response) and permanent (4xx).
const FAILURES: [Option<u16>; 10] = [Some(503), Some(502), Some(500), Some(429), Some(408), None, Some(404), Some(400), Some(401), Some(422)];

fn now() -> Timestamp {
    Timestamp::parse(NOW).expect("now")
}

fn pick<'a, T>(rng: &mut Xoshiro256PlusPlus, from: &'a [T]) -> &'a T {
    &from[rng.random_range(0..from.len())]
}

/// One delivery row of `source` at `minutes_ago`: each provider fails with its status or succeeds.
fn delivery(source: &str, outcomes: &[(&str, Option<u16>)], minutes_ago: i64, bindings: Value, nonce: u64) -> Value {
    let when = now().plus_minutes(-(minutes_ago as f64)).to_iso();
    let outcomes = outcomes
        .iter()
        .map(|(p, status)| ProviderOutcome {
            provider: (*p).into(),
            status_code: *status,
            attempt_count: 3,
            started_at: when.clone(),
            completed_at: when.clone(),
            error: status.is_none().then(|| "timeout".into()),
        })
        .collect();
    let event = json!({"event_type": "cavra.go_backend.rollback_drill.acknowledgement_audit_delivery", "session_id": format!("evt-{nonce:016x}")});
    let result = build_delivery_result(&event, outcomes, &when);
    let bindings: Map<String, Value> = bindings.as_object().cloned().unwrap_or_default();
    delivery_row(&result, source, &bindings, nonce)
}

/// Failed audit (or executive) deliveries in groups, with some successful redeliveries (`retry_of`).
fn failure_groups(rng: &mut Xoshiro256PlusPlus, family: RetryFamily) -> Vec<Value> {
    let mut rows = Vec::new();
    for g in 0..rng.random_range(2..9u64) {
        let id = format!("{:016x}", rng.random_range(0..u64::MAX));
        let providers: Vec<&str> = (0..rng.random_range(1..3)).map(|_| *pick(rng, &PROVIDERS)).collect();
        let (src, bindings) = match family {
            RetryFamily::ExecutiveDelivery => (
                source::EXECUTIVE_REPORT,
                json!({"run_id": format!("gordackexecrun-{id}"), "executive_report_id": format!("gordackexec-{id}")}),
            ),
            _ => (source::AUDIT, json!({"delivery_id": format!("gordackdelivery-{id}"), "audit_id": format!("gordackaudit-{g:016x}")})),
        };
        let failures = rng.random_range(1..6);
        let mut latest = i64::MAX;
        for _ in 0..failures {
            let ago = rng.random_range(0..900);
            latest = latest.min(ago);
            let outcomes: Vec<(&str, Option<u16>)> = providers.iter().map(|p| (*p, *pick(rng, &FAILURES))).collect();
            rows.push(delivery(src, &outcomes, ago, bindings.clone(), rng.random_range(0..u64::MAX)));
        }
        // A successful redelivery: after the latest failure it closes the group, before it does not.
        if rng.random_range(0..10) < 3 {
            let retried = bindings.get("delivery_id").or_else(|| bindings.get("run_id")).cloned().unwrap_or_default();
            let mut b = bindings.clone();
            b["retry_of"] = retried;
            let ago = if rng.random_bool(0.7) { rng.random_range(0..latest.max(1)) } else { latest + 30 };
            let outcomes: Vec<(&str, Option<u16>)> = providers.iter().map(|p| (*p, Some(200))).collect();
            rows.push(delivery(src, &outcomes, ago, b, rng.random_range(0..u64::MAX)));
        }
    }
    // Unrelated rows are ignored by the builders: one delivery of another flow, one success.
    rows.push(delivery(source::ESCALATION, &[("slack", Some(503))], 5, json!({"plan_id": "gordackesc-1"}), 1));
    rows.push(delivery(source::AUDIT, &[("webhook", Some(200))], 3, json!({"delivery_id": "gordackdelivery-ok", "audit_id": "gordackaudit-ok"}), 2));
    rows
}

/// A random retry policy, sometimes with the original's aliases or an out-of-range value.
fn policy(rng: &mut Xoshiro256PlusPlus, index: usize) -> Value {
    let immediate = rng.random_bool(0.25);
    let delay = if immediate { rng.random_range(0..20) } else { rng.random_range(1..180) };
    let attempts = rng.random_range(1..7);
    let multiplier = *pick(rng, &[1.0, 1.5, 2.0, 2.5, 3.0]);
    let mut p = if index % 5 == 4 {
        json!({"max_retries": attempts, "delay_minutes": delay, "multiplier": multiplier})
    } else {
        json!({"max_retry_attempts": attempts, "retry_delay_minutes": delay, "backoff_multiplier": multiplier})
    };
    p["allow_immediate_retry"] = json!(immediate);
    if rng.random_bool(0.4) {
        p["suppress_permanent_failures"] = json!(true);
    }
    if index % 11 == 10 {
        p["max_retry_attempts"] = json!(40); // out of range: a 400 in every build
    }
    p
}

fn meta(kind: &str, id: &str, minutes_ago: i64, extra: Value) -> Value {
    let mut row = json!({"metadata_kind": kind, "session_id": id, "created_at": now().plus_minutes(-(minutes_ago as f64)).to_iso()});
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        row[k] = v;
    }
    row
}

/// Escalation retry plans, worker runs, executions and failed escalation deliveries.
fn escalation_rows(rng: &mut Xoshiro256PlusPlus, healthy: bool) -> Vec<Value> {
    let mut rows = Vec::new();
    for i in 0..rng.random_range(usize::from(healthy)..4) {
        let ago = if healthy { rng.random_range(0..20) } else { rng.random_range(0..3000) };
        rows.push(meta(kinds::ESCALATION_RETRY_PLAN, &format!("gordackescretry-{i:016x}"), ago, json!({
            "retry_plan_id": format!("gordackescretry-{i:016x}"), "retryable_count": if healthy { 0 } else { rng.random_range(0..4) }})));
    }
    for i in 0..rng.random_range(usize::from(healthy)..5) {
        let ago = if healthy { rng.random_range(0..20) } else { rng.random_range(0..600) };
        let pending = if healthy || rng.random_bool(0.6) { 0 } else { rng.random_range(1..3) };
        let enabled = healthy || rng.random_bool(0.8);
        let run = json!({"run_id": format!("gordackescworker-{i:016x}"), "dry_run": rng.random_bool(0.5),
            "summary": {"selected_retry_count": rng.random_range(0..3), "acknowledgement_pending_count": pending},
            "schedule": {"interval_minutes": 30, "enabled": enabled}});
        rows.push(meta(kinds::ESCALATION_WORKER_RUN, &format!("gordackescworker-{i:016x}"), ago, json!({
            "run_id": format!("gordackescworker-{i:016x}"), "recovery_escalation_retry_worker_run": run})));
    }
    if !healthy {
        for i in 0..rng.random_range(0..4) {
            let status = *pick(rng, &["delivered", "delivered", "failed", "skipped"]);
            rows.push(meta(kinds::ESCALATION_EXECUTION_RECORD, &format!("gordackescexec-{i:016x}"), rng.random_range(0..600), json!({"execution_status": status})));
        }
        for i in 0..rng.random_range(0..3) {
            rows.push(delivery(source::ESCALATION, &[(*pick(rng, &PROVIDERS), Some(503))], rng.random_range(0..600), json!({"plan_id": format!("gordackesc-{i}")}), i));
        }
    }
    rows
}

/// Retry plan rows (built natively) plus accepted or deferred retry acks, for approval plans.
fn approval_rows(rng: &mut Xoshiro256PlusPlus) -> Vec<Value> {
    let mut deliveries = failure_groups(rng, RetryFamily::AuditDelivery);
    let policy = RetryPolicy::parse(Some(&json!({"allow_immediate_retry": true, "retry_delay_minutes": 0, "max_retry_attempts": 6})), "policy", 15).expect("policy");
    let plan = build_retry_plan(RetryFamily::AuditDelivery, &deliveries, &policy, "ops", now().plus_minutes(-1.0)).expect("plan");
    let mut rows = vec![plan.metadata(RetryFamily::AuditDelivery)];
    for (i, d) in plan.retry_decisions.iter().enumerate() {
        if rng.random_bool(0.5) {
            let v = serde_json::to_value(d).expect("decision");
            let state = *pick(rng, &["accepted", "resolved", "deferred"]);
            rows.push(meta(kinds::RETRY_ACK, &format!("gordackretryack-{i:016x}"), 0, json!({
                "provider": v["provider"], "delivery_id": v["delivery_id"], "audit_id": v["audit_id"], "acknowledgement_state": state})));
        }
    }
    rows.append(&mut deliveries);
    rows
}

fn scenarios() -> Vec<(u64, &'static str, Value)> {
    let mut out = Vec::new();
    let mut add = |seed: u64, function: &'static str, items: Vec<Value>, params: Value| {
        out.push((seed, function, json!({"items": items, "params": params, "now": NOW})));
    };
    for seed in 0..24u64 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let items = failure_groups(&mut rng, RetryFamily::AuditDelivery);
        let key = if seed % 3 == 0 { "retry_policy" } else { "policy" };
        add(seed, "retry-plan", items, json!({key: policy(&mut rng, seed as usize), "generated_by": "parity"}));
    }
    for seed in 100..110u64 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let items = failure_groups(&mut rng, RetryFamily::ExecutiveDelivery);
        add(seed, "executive-report-delivery-retry-plan", items, json!({"policy": policy(&mut rng, seed as usize), "generated_by": "parity"}));
    }
    let slos = [1, 30, 60, 240, 720, 1440, 4320, 10080];
    for (i, slo) in slos.iter().enumerate() {
        let seed = 200 + i as u64;
        add(seed, "retry-recovery-report", recovery_dataset(40 + 20 * i, seed, now()), json!({"recovery_slo_minutes": slo, "generated_by": "parity"}));
    }
    for seed in 300..310u64 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let healthy = seed % 4 == 0;
        let items = escalation_rows(&mut rng, healthy);
        let (interval, stale) = if healthy { (30, 120) } else { (*pick(&mut rng, &[5, 15, 30, 60, 240]), *pick(&mut rng, &[30, 120, 600, 1440])) };
        add(seed, "recovery-escalation-retry-health", items, json!({"expected_interval_minutes": interval, "stale_metadata_minutes": stale, "generated_by": "parity"}));
    }
    for (i, slo) in [60, 240, 1440].iter().enumerate() {
        let seed = 400 + i as u64;
        add(seed, "recovery-escalation-plan", recovery_dataset(60, seed, now()), json!({"recovery_slo_minutes": slo}));
        add(seed, "recovery-executive-report", recovery_dataset(60, seed + 50, now()), json!({"recovery_slo_minutes": slo, "generated_by": "parity"}));
    }
    for (i, (min, hours)) in [(1, 24), (2, 6), (4, 48)].iter().enumerate() {
        let seed = 500 + i as u64;
        add(seed, "connector-recovery-playbook", failed_deliveries(30, seed, now()), json!({"min_failure_count": min, "lookback_hours": hours}));
    }
    for seed in 600..603u64 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let items = failure_groups(&mut rng, RetryFamily::AuditDelivery);
        add(seed, "worker-run", items, json!({"dry_run": true, "max_retry_deliveries": 1 + seed % 5, "retry_policy": policy(&mut rng, 0), "schedule": {"interval_minutes": 15 * (seed - 599)}}));
    }
    for seed in 700..703u64 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        add(seed, "retry-execution-approval-plan", approval_rows(&mut rng), json!({"policy": {"require_retry_ack": seed % 2 == 0}, "generated_by": "parity"}));
    }
    // Invalid input is part of the contract too: the same error bytes everywhere.
    add(800, "retry-plan", vec![json!({"metadata_kind": kinds::CONNECTOR_DELIVERY, "connector_delivery_source": source::AUDIT, "created_at": "yesterday", "failed_providers": ["jira"]})], json!({}));
    out
}

#[test]
fn generated_corpus_has_native_answers() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("target").join("parity-corpus");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("corpus dir");
    let mut per_function: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut actions: BTreeMap<String, usize> = BTreeMap::new();
    let mut levels: BTreeMap<String, usize> = BTreeMap::new();
    let mut permanent = 0;
    let mut breached: std::collections::BTreeSet<i64> = std::collections::BTreeSet::new();
    let all = scenarios();
    for (n, (seed, function, input)) in all.iter().enumerate() {
        let input_json = input.to_string();
        let answer = ffi::call(function, &input_json);
        let value: Value = serde_json::from_str(&answer).expect("answer is JSON");
        let ok = value.get("ok").is_some();
        let entry = per_function.entry(function).or_default();
        entry.0 += 1;
        entry.1 += usize::from(ok);
        if let Some(result) = value.get("ok") {
            for d in result.get("retry_decisions").and_then(Value::as_array).into_iter().flatten() {
                *actions.entry(d["action"].as_str().unwrap_or("").to_string()).or_default() += 1;
                permanent += usize::from(d["reason"].as_str().is_some_and(|r| r.contains("permanent")));
            }
            if let Some(n) = result.get("recovery_slo_breached_count").and_then(Value::as_i64) {
                breached.insert(n);
            }
            if let Some(level) = result.get("alert_level").and_then(Value::as_str) {
                *levels.entry(format!("{function}:{level}")).or_default() += 1;
            }
        }
        let file = json!({"seed": seed, "function": function, "input_json": input_json, "answer": answer});
        std::fs::write(root.join(format!("{n:03}.json")), file.to_string()).expect("write scenario");
    }
    eprintln!("parity corpus: {} scenarios in {}; per function (count, ok) {per_function:?}; actions {actions:?}; levels {levels:?}; breached counts {breached:?}", all.len(), root.display());
    // Non-trivial: enough scenarios, nearly all answered, every function covered, every action seen.
    assert!(all.len() >= 50, "only {} scenarios", all.len());
    let ok: usize = per_function.values().map(|c| c.1).sum();
    assert!(ok * 10 >= all.len() * 9, "only {ok} of {} answered", all.len());
    assert!(ok < all.len(), "the corpus must include error answers too");
    for f in ["retry-plan", "retry-recovery-report", "recovery-escalation-retry-health", "executive-report-delivery-retry-plan"] {
        assert!(per_function.get(f).is_some_and(|c| c.1 >= 5), "{f}: {:?}", per_function.get(f));
    }
    assert!(per_function.len() >= 8, "{per_function:?}");
    for a in ["retry", "wait", "suppress"] {
        assert!(actions.get(a).is_some_and(|n| *n >= 5), "action {a} too rare: {actions:?}");
    }
    assert!(permanent > 0, "no permanent-error suppression in the corpus");
    for l in ["healthy", "warning", "critical"] {
        assert!(levels.keys().any(|k| k.starts_with("recovery-escalation-retry-health:") && k.ends_with(l)), "health level {l} missing: {levels:?}");
    }
    // The SLO matters: breached counts differ across the generated SLOs.
    assert!(breached.len() >= 3, "breached counts: {breached:?}");
}
