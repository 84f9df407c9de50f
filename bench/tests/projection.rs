//! Index segments hold projected rows; every decision must be the same on projected rows as on
//! the full rows.

use cavra_engine::rows::{from_segment_form, kind_of, project, to_segment_form};
use cavra_engine::{Timestamp, ffi};
use serde_json::{Value, json};

fn now() -> Timestamp {
    Timestamp::parse("2026-11-23T12:00:00Z").expect("time")
}

fn same_answer(function: &str, items: Vec<Value>, params: Value) {
    // As the store keeps them: projected, in segment form, and read back.
    let projected: Vec<Value> = items
        .iter()
        .map(|r| {
            let kind = kind_of(r).to_string();
            from_segment_form(&kind, to_segment_form(&kind, project(r.clone())))
        })
        .collect();
    let full = ffi::call(function, &json!({"items": items, "params": params, "now": "2026-11-23T12:00:00Z"}).to_string());
    let small = ffi::call(function, &json!({"items": projected, "params": params, "now": "2026-11-23T12:00:00Z"}).to_string());
    assert!(full.starts_with("{\"ok\""), "{function}: {}", &full[..full.len().min(300)]);
    assert_eq!(full, small, "{function} differs on projected rows");
}

#[test]
fn projections_keep_every_decision() {
    let recovery = cavra_bench::recovery_dataset(3_000, 7, now());
    same_answer("retry-recovery-report", recovery.clone(), json!({"recovery_slo_minutes": 600}));
    let deliveries = cavra_bench::failed_deliveries(2_000, 7, now());
    same_answer("retry-plan", deliveries.clone(), json!({}));
    same_answer("connector-recovery-playbook", deliveries, json!({"min_failure_count": 1}));
    let sizes: (usize, usize) = recovery.iter().fold((0, 0), |(f, p), r| {
        (f + r.to_string().len(), p + to_segment_form(kind_of(r), project(r.clone())).to_string().len())
    });
    assert!(sizes.1 * 3 < sizes.0, "projections are at least 3x smaller: {sizes:?}");
}
