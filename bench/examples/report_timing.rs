//! Where the time of a report goes, natively, on the host's path (projected segments parsed
//! without copying): `cargo run --release -p cavra-bench --example report_timing -- [RECORDS]`.
use cavra_engine::Timestamp;
use cavra_engine::kinds;
use cavra_engine::report::{ProjectedExecution, ReportInput, build_recovery_report_from};
use std::time::Instant;

fn main() {
    let now = Timestamp::parse("2026-11-23T12:00:00Z").expect("time");
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let rows: Vec<serde_json::Value> = cavra_bench::recovery_dataset(n, 42, now).into_iter().map(cavra_engine::rows::project).collect();
    let of = |k: &str| serde_json::to_vec(&rows.iter().filter(|r| cavra_engine::rows::kind_of(r) == k).collect::<Vec<_>>()).expect("json");
    let (e, p, c) = (of(kinds::EXECUTION_RECORD), of(kinds::RECOVERY_PLAYBOOK), of(kinds::RECOVERY_CLOSURE));
    drop(rows);
    println!("segment bytes: executions {} MB, playbooks {} KB, closures {} KB", e.len() / 1_000_000, p.len() / 1000, c.len() / 1000);
    for _ in 0..3 {
        let t = Instant::now();
        let projected: Vec<ProjectedExecution<'_>> = serde_json::from_slice(&e).expect("e");
        let input = ReportInput {
            executions: projected.iter().map(ProjectedExecution::as_ref).collect(),
            playbooks: serde_json::from_slice(&p).expect("p"),
            closures: serde_json::from_slice(&c).expect("c"),
        };
        let parsed = t.elapsed();
        let t = Instant::now();
        let report = build_recovery_report_from(input, 240, "bench", now).expect("report");
        let built = t.elapsed();
        let t = Instant::now();
        let meta = serde_json::to_string(&report.metadata()).expect("json");
        println!("parse {parsed:?}, build {built:?}, metadata row {:?} ({} KB, {} rows)", t.elapsed(), meta.len() / 1000, report.recovery_rows.len());
    }
}
