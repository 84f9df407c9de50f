//! SPEC §10 through the real runner: the exported chain verifies offline with `cavra verify`;
//! an edited, removed or reordered line is named by its sequence number; and an edit made
//! directly in the runner's key-value store is found by `GET P/evidence/verify`.

#![expect(clippy::unwrap_used, reason = "test: a failed setup step should fail loudly")]

use cavra_e2e::{P, Runner, RunnerOptions};
use serde_json::{Value, json};
use std::process::Command;

const RECORDS: usize = 6;

fn seeded_runner() -> Runner {
    let runner = Runner::start(RunnerOptions { test_clock: true, ..Default::default() });
    for i in 0..RECORDS {
        let now = format!("2026-11-23T10:{i:02}:00Z");
        let r = runner.post_at(&format!("{P}/retry-plan"), &json!({"generated_by": "ops"}), &now);
        assert_eq!(r.status, 200, "{}", r.text);
    }
    runner
}

/// `cavra verify FILE`: (exit success, parsed verdict).
fn cavra_verify(text: &str) -> (bool, Value) {
    let file = cavra_e2e::temp_dir("verify").join("evidence.jsonl");
    std::fs::write(&file, text).unwrap();
    let out = Command::new(Runner::binary()).arg("verify").arg(&file).output().unwrap();
    (out.status.success(), serde_json::from_slice(&out.stdout).unwrap_or(Value::Null))
}

#[test]
fn exports_verify_offline_and_tampering_names_the_first_bad_line() {
    let runner = seeded_runner();
    let export = runner.get(&format!("{P}/evidence/export"));
    assert_eq!(export.status, 200);
    let lines: Vec<String> = export.text.lines().map(str::to_string).collect();
    assert_eq!(lines.len(), RECORDS);

    let (ok, verdict) = cavra_verify(&export.text);
    assert!(ok, "{verdict}");
    assert_eq!((verdict["ok"].clone(), verdict["count"].clone()), (json!(true), json!(RECORDS)));
    let head = runner.get(&format!("{P}/evidence/verify")).json["head"].clone();
    assert_eq!(verdict["head"], head, "offline and online verification agree on the head");

    let mut edited = lines.clone();
    edited[3] = edited[3].replacen("\"signer\":\"local-admin\"", "\"signer\":\"mallory\"", 1);
    assert_ne!(edited[3], lines[3], "the edit changed the line");
    let mut removed = lines.clone();
    removed.remove(2);
    let mut reordered = lines.clone();
    reordered.swap(1, 4);
    for (what, tampered, first_bad) in [("edited", edited, 4), ("removed", removed, 3), ("reordered", reordered, 2)] {
        let (ok, verdict) = cavra_verify(&tampered.join("\n"));
        assert!(!ok, "{what}: cavra verify must fail");
        assert_eq!(verdict["first_bad_seq"], json!(first_bad), "{what}: {verdict}");
    }
}

#[test]
fn an_edit_in_the_store_is_found_by_the_verify_route() {
    let mut runner = seeded_runner();
    let victim = runner.get(&format!("{P}/evidence?limit={RECORDS}")).json["items"]
        .as_array()
        .and_then(|items| items.iter().find(|l| l["seq"] == json!(2)).cloned())
        .expect("link 2");
    let id = victim["id"].as_str().unwrap().to_string();
    runner.stop();

    let db = rusqlite::Connection::open(runner.data_dir.join("sqlite_key_value.db")).unwrap();
    let key = format!("r/{id}");
    let value: Vec<u8> = db.query_row("SELECT value FROM kv WHERE key = ?1", [&key], |r| r.get(0)).unwrap();
    let text = String::from_utf8(value).unwrap().replacen("\"alert_level\":\"healthy\"", "\"alert_level\":\"critical\"", 1);
    let changed = db.execute("UPDATE kv SET value = ?1 WHERE key = ?2", rusqlite::params![text.into_bytes(), key]).unwrap();
    assert_eq!(changed, 1);
    drop(db);

    let runner = runner.restart();
    let verify = runner.get(&format!("{P}/evidence/verify"));
    assert_eq!(verify.status, 200, "{}", verify.text);
    assert_eq!(verify.json["ok"], json!(false), "{}", verify.text);
    assert_eq!(verify.json["first_bad_seq"], json!(2), "{}", verify.text);
}
