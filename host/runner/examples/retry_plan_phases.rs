//! Where `POST P/retry-plan` spends its time, natively, on a copy of an imported store:
//!
//!   cargo run --release -p cavra-runner --example retry_plan_phases -- DATA_DIR [ROUNDS]
//!
//! The phases of `audit::retry_plan` in cavra-service: read the delivery rows, build the plan,
//! its metadata row, persist it, serialise the answer. Prints the median of each phase.

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
    let rounds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(30);
    let copy = std::env::temp_dir().join(format!("cavra-phases-{}.db", std::process::id()));
    std::fs::copy(data_dir.join("sqlite_key_value.db"), &copy).context("copying the store")?;
    let backend: Arc<dyn kv::Backend> = Arc::new(kv::sqlite::Sqlite::open(&copy)?);
    let kv = native_store::BackendKv { backend, label: "default".into() };
    let store = cavra_service::store::Store::new(&kv);
    let now = cavra_engine::Timestamp::parse("2026-11-29T07:00:00Z").context("time")?;
    let names = ["read rows", "build plan", "metadata row", "persist", "serialise answer"];
    let mut phases: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let (mut rows, mut bytes) = (0, 0);
    for _ in 0..rounds {
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
    println!("{rows} delivery rows, answer {bytes} bytes, median of {rounds} rounds:");
    let mut total = 0.0;
    for (name, mut v) in names.iter().zip(phases) {
        v.sort_by(f64::total_cmp);
        let median = v[v.len() / 2];
        total += median;
        println!("  {name:<17} {median:7.2} ms");
    }
    println!("  {:<17} {total:7.2} ms", "sum");
    Ok(())
}
