//! Writes a seeded dataset as JSON Lines: `cavra-dataset recovery 100000 [seed] [now]`.

use cavra_engine::Timestamp;
use std::io::{BufWriter, Write};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: cavra-dataset recovery|deliveries RECORDS [SEED] [NOW]";
    let (Some(kind), Some(records)) = (args.get(1), args.get(2).and_then(|n| n.parse::<usize>().ok())) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(42);
    let now = args.get(4).and_then(|s| Timestamp::parse(s).ok()).or_else(|| Timestamp::parse("2026-11-23T12:00:00Z").ok());
    let Some(now) = now else { std::process::exit(2) };
    let rows = match kind.as_str() {
        "recovery" => cavra_bench::recovery_dataset(records, seed, now),
        "deliveries" => cavra_bench::failed_deliveries(records, seed, now),
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    for row in rows {
        serde_json::to_writer(&mut out, &row)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
