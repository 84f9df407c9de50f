//! Where the time of a report goes, natively, on projected rows read from a JSON file:
//! `cargo run --release -p cavra-bench --example report_timing -- FILE.json`
//! (make FILE with `--example report_timing -- --write N FILE.json`).
use cavra_engine::Timestamp;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let now = Timestamp::parse("2026-11-23T12:00:00Z").expect("time");
    if args.get(1).map(String::as_str) == Some("--write") {
        let n: usize = args[2].parse().expect("records");
        let rows: Vec<serde_json::Value> =
            cavra_bench::recovery_dataset(n, 42, now).into_iter().map(cavra_engine::rows::project).collect();
        std::fs::write(&args[3], serde_json::to_vec(&rows).expect("json")).expect("write");
        return;
    }
    let bytes = std::fs::read(&args[1]).expect("read");
    {
        // The host's path: typed rows parsed straight from per-kind segment bytes.
        let all: Vec<serde_json::Value> = serde_json::from_slice(&bytes).expect("parse");
        let of = |k: &str| serde_json::to_vec(&all.iter().filter(|r| cavra_engine::rows::kind_of(r) == k).collect::<Vec<_>>()).expect("json");
        let (e, p, c) = (of(cavra_engine::kinds::EXECUTION_RECORD), of(cavra_engine::kinds::RECOVERY_PLAYBOOK), of(cavra_engine::kinds::RECOVERY_CLOSURE));
        drop(all);
        let t = Instant::now();
        let input = cavra_engine::report::ReportInput {
            executions: serde_json::from_slice(&e).expect("e"),
            playbooks: serde_json::from_slice(&p).expect("p"),
            closures: serde_json::from_slice(&c).expect("c"),
        };
        println!("typed parse: {:?}", t.elapsed());
        let t = Instant::now();
        let report = cavra_engine::report::build_recovery_report_from(input, 240, "bench", now).expect("report");
        println!("typed build: {:?} ({} rows)", t.elapsed(), report.recovery_rows.len());
        let t = Instant::now();
        let v = serde_json::to_value(&report.recovery_rows).expect("v");
        println!("  rows to_value: {:?}", t.elapsed());
        let t = Instant::now();
        let c = cavra_engine::canonical::to_canonical_json(&v);
        println!("  rows canonical ({} MB): {:?}", c.len() / 1_000_000, t.elapsed());
        let t = Instant::now();
        let s = serde_json::to_string(&report.recovery_rows).expect("s");
        println!("  rows compact ({} MB): {:?}", s.len() / 1_000_000, t.elapsed());
    }
    let t = Instant::now();
    let parsed: Vec<serde_json::Value> = serde_json::from_slice(&bytes).expect("parse");
    println!("parse {} MB of projected rows: {:?}", bytes.len() / 1_000_000, t.elapsed());
    let t = Instant::now();
    let report = cavra_engine::report::build_recovery_report(&parsed, 240, "bench", now).expect("report");
    println!("build report: {:?}", t.elapsed());
    let t = Instant::now();
    let meta = report.metadata();
    println!("metadata row: {:?}", t.elapsed());
    let t = Instant::now();
    let canon = cavra_engine::canonical::to_canonical_json(&meta);
    println!("canonical JSON {} MB: {:?}", canon.len() / 1_000_000, t.elapsed());
}
