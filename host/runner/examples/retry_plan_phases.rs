//! Where `POST P/retry-plan` spends its time, natively, on a copy of an imported store:
//!
//!   cargo run --release -p cavra-runner --example retry_plan_phases -- DATA_DIR [ROUNDS]
//!
//! The phases of `audit::retry_plan` in cavra-service: read the delivery rows, build the plan,
//! its metadata row, persist it, serialise the answer. Each round's clock is a minute later, so
//! every plan is new and the store grows as under `bench/http-load.sh`. Prints the median of
//! each phase over the first and the last half of the rounds.

#![allow(dead_code, reason = "modules shared with the cavra binary")]

#[path = "../src/kv/mod.rs"]
mod kv;
#[path = "../src/native_store.rs"]
mod native_store;

use anyhow::{Context, Result};
use cavra_engine::policy::RetryPolicy;
use cavra_engine::retry::{RetryFamily, build_retry_plan};
use std::sync::Arc;
use std::time::Instant;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let data_dir = std::path::PathBuf::from(args.next().context("usage: retry_plan_phases DATA_DIR [ROUNDS]")?);
    let rounds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(300).max(2);
    let copy = std::env::temp_dir().join(format!("cavra-phases-{}.db", std::process::id()));
    std::fs::copy(data_dir.join("sqlite_key_value.db"), &copy).context("copying the store")?;
    let backend: Arc<dyn kv::Backend> = Arc::new(kv::sqlite::Sqlite::open(&copy)?);
    let kv = native_store::BackendKv { backend, label: "default".into() };
    let store = cavra_service::store::Store::new(&kv);
    let now = cavra_engine::Timestamp::parse("2026-11-29T07:00:00Z").context("time")?;
    let names = ["read rows", "build plan", "metadata row", "persist", "serialise answer"];
    let mut phases: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let (mut rows, mut bytes) = (0, 0);
    for round in 0..rounds {
        let now = now.plus_minutes(round as f64);
        let mut t = Instant::now();
        let mut lap = |i: usize, phases: &mut Vec<Vec<f64>>| {
            phases[i].push(t.elapsed().as_secs_f64() * 1e3);
            t = Instant::now();
        };
        let items = store.rows_of_kind(cavra_engine::kinds::CONNECTOR_DELIVERY)?;
        lap(0, &mut phases);
        let policy = RetryPolicy::parse(None, "retry_policy", RetryFamily::AuditDelivery.default_delay())?;
        let plan = build_retry_plan(RetryFamily::AuditDelivery, &items, &policy, "load", now)?;
        lap(1, &mut phases);
        let metadata = plan.metadata(RetryFamily::AuditDelivery);
        lap(2, &mut phases);
        store.append_stored(&metadata)?;
        lap(3, &mut phases);
        let answer = serde_json::to_vec(&serde_json::json!({"plan": plan, "metadata": metadata}))?;
        lap(4, &mut phases);
        (rows, bytes) = (items.len(), answer.len());
    }
    let _ = std::fs::remove_file(&copy);
    let half = rounds / 2;
    println!("{rows} delivery rows, answer {bytes} bytes; median ms of rounds 1-{half} and {}-{rounds}:", half + 1);
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mut first, mut last) = (0.0, 0.0);
    for (name, v) in names.iter().zip(phases) {
        let (a, b) = (median(&v[..half]), median(&v[half..]));
        (first, last) = (first + a, last + b);
        println!("  {name:<17} {a:8.2} {b:8.2}");
    }
    println!("  {:<17} {first:8.2} {last:8.2}", "sum");
    Ok(())
}
