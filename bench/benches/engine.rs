//! The retry plan over 1k–100k failed deliveries (original row shapes), three ways:
//! - `native`: `ffi::call_result` on the JSON text (parse, plan, serialise);
//! - `native-decide`: the decision on rows already parsed into `serde_json::Value` (no JSON text);
//! - `component`: the edge component under wasmtime, compiled and instantiated once; the timed
//!   call includes copying the input string into guest memory and the record string out.
//!
//! It also writes each input and the native answer to `target/bench-inputs/` for the browser
//! build's timing under Node (`node bench/browser-engine.mjs target/bench-inputs/retry-plan-*.json`).
//! Run: `scripts/build.sh` (the edge component), then `cargo bench -p cavra-bench --bench engine`.

use cavra_engine::{Timestamp, ffi};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::path::PathBuf;

const SIZES: [usize; 4] = [1_000, 10_000, 50_000, 100_000];

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn input(records: usize, now: Timestamp) -> String {
    let items = cavra_bench::original_failed_deliveries(records, 9, now);
    serde_json::to_string(&serde_json::json!({"items": items, "params": {"generated_by": "bench"}, "now": now.to_iso()}))
        .expect("serialise")
}

fn retry_plan(c: &mut Criterion) {
    let now = Timestamp::parse("2026-11-23T12:00:00Z").expect("now");
    let path = workspace().join("target/wasm32-wasip2/wasm-release/cavra_edge.wasm");
    let component = cavra_edge_host::EdgeComponent::load(&path).expect("the edge component (scripts/build.sh builds it)");
    let mut instance = component.instantiate().expect("instantiate");
    let out_dir = workspace().join("target/bench-inputs");
    std::fs::create_dir_all(&out_dir).expect("target/bench-inputs");

    let mut group = c.benchmark_group("retry-plan");
    group.sample_size(10);
    for records in SIZES {
        let text = input(records, now);
        let native = ffi::call_result("retry-plan", &text).expect("the plan builds");
        let parsed: serde_json::Value = serde_json::from_str(&text).expect("json");
        // The text form must be the value form's bytes, at every size.
        let value_form = serde_json::to_string(&ffi::decide("retry-plan", &parsed).expect("the plan builds")).expect("text");
        assert_eq!(native, value_form);
        // Same bytes inside the component, or the timing compares different work.
        assert_eq!(instance.decide("retry-plan", &text).expect("no trap"), Ok(native.clone()));
        std::fs::write(out_dir.join(format!("retry-plan-{records}.json")), &text).expect("write input");
        std::fs::write(out_dir.join(format!("retry-plan-{records}.out")), &native).expect("write answer");
        eprintln!("retry-plan {records}: input {} KB, record {} KB", text.len() / 1000, native.len() / 1000);

        group.throughput(Throughput::Elements(records as u64));
        group.bench_with_input(BenchmarkId::new("native", records), &text, |b, text| {
            b.iter(|| ffi::call_result("retry-plan", text))
        });
        group.bench_with_input(BenchmarkId::new("native-decide", records), &parsed, |b, parsed| {
            b.iter(|| ffi::decide("retry-plan", parsed))
        });
        group.bench_with_input(BenchmarkId::new("component", records), &text, |b, text| {
            b.iter(|| instance.decide("retry-plan", text).expect("no trap"))
        });
    }
    group.finish();
}

criterion_group!(benches, retry_plan);
criterion_main!(benches);
