//! Fixture replay: every `tests/fixtures/<case>/call.json` gives exactly `expected.json`.
//! `CAVRA_BLESS=1` rewrites the expectations (review the diff).

use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("call.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// The engine's answer for a fixture, as compact JSON bytes.
pub fn answer(dir: &Path) -> String {
    let call: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("call.json")).expect("call.json")).expect("json");
    let function = call["function"].as_str().expect("function");
    let result = cavra_engine::ffi::decide(function, &call["input"]).expect("the fixture call succeeds");
    serde_json::to_string(&result).expect("serialise")
}

#[test]
fn every_fixture_gives_its_expected_bytes() {
    let bless = std::env::var_os("CAVRA_BLESS").is_some();
    let dirs = fixtures();
    assert!(!dirs.is_empty());
    for dir in dirs {
        let got = answer(&dir);
        let expected_path = dir.join("expected.json");
        if bless {
            std::fs::write(&expected_path, format!("{got}\n")).expect("write expected");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{} has no expected.json; run with CAVRA_BLESS=1", dir.display()));
        assert_eq!(got, expected.trim_end(), "{} differs (CAVRA_BLESS=1 rewrites it)", dir.display());
    }
}
