//! SPEC §15 crash safety: the runner is killed with SIGKILL in the middle of a burst of writes,
//! several times over. After each restart every acknowledged write is present, lists agree with
//! the chain, no record is half-written, and the chain verifies.

use cavra_e2e::{P, Reply, Runner, RunnerOptions};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::{Arc, mpsc};
use std::time::Duration;

const ROUNDS: usize = 4;
const WRITERS: usize = 4;

/// Keeps writing retry plans and acknowledgements of them until the runner stops answering;
/// sends the id of every write the runner acknowledged with a 200.
fn writer(runner: Arc<Runner>, n: usize, acked: mpsc::Sender<String>) -> bool {
    let auth = format!("Bearer {}", runner.token("operator"));
    let headers = [("authorization", auth.as_str())];
    let post = |path: &str, body: &Value| runner.try_raw_request("POST", path, Some(body), &headers);
    let mut plan_id: Option<String> = None;
    for i in 0.. {
        let reply: Result<Reply, String> = match (&plan_id, i % 3) {
            (Some(id), 0) => post(
                &format!("{P}/retry-plans/{id}/acknowledgements"),
                &json!({"provider": "webhook", "delivery_id": format!("d-{n}-{i}"), "audit_id": format!("a-{n}-{i}"),
                        "acknowledgement_state": "accepted", "notes": format!("writer {n} write {i}")}),
            ),
            _ => post(&format!("{P}/retry-plan"), &json!({"generated_by": format!("writer-{n}")})),
        };
        // A transport error: the request was in flight when the process died.
        let Ok(reply) = reply else { return true };
        assert_eq!(reply.status, 200, "{}", reply.text);
        if let Some(id) = reply.json["plan"]["retry_plan_id"].as_str() {
            plan_id = Some(id.to_string());
        }
        let id = reply.json["metadata"]["session_id"].as_str().unwrap_or_default().to_string();
        assert!(!id.is_empty(), "{}", reply.text);
        if acked.send(id).is_err() {
            return false;
        }
    }
    false
}

fn exported_ids(runner: &Runner) -> (Vec<String>, Vec<Value>) {
    let export = runner.get(&format!("{P}/evidence/export"));
    assert_eq!(export.status, 200);
    let lines: Vec<Value> = export.text.lines().map(|l| serde_json::from_str(l).expect("export line is JSON")).collect();
    (lines.iter().map(|l| l["id"].as_str().unwrap_or_default().to_string()).collect(), lines)
}

#[test]
fn sigkill_during_write_bursts_loses_no_acknowledged_write() {
    let mut runner = Runner::start(RunnerOptions::default());
    let mut acknowledged: HashSet<String> = HashSet::new();
    let mut cut_in_flight = 0;
    for round in 0..ROUNDS {
        let shared = Arc::new(runner);
        let (tx, rx) = mpsc::channel();
        let threads: Vec<_> = (0..WRITERS)
            .map(|n| {
                let (runner, tx) = (shared.clone(), tx.clone());
                std::thread::spawn(move || writer(runner, round * WRITERS + n, tx))
            })
            .collect();
        drop(tx);
        // Kill at a different point of the burst each round.
        std::thread::sleep(Duration::from_millis(300 + 170 * round as u64));
        let status = std::process::Command::new("kill").arg("-KILL").arg(shared.pid().to_string()).status().expect("kill");
        assert!(status.success());
        for t in threads {
            cut_in_flight += usize::from(t.join().expect("writers do not panic"));
        }
        acknowledged.extend(rx.iter());
        runner = Arc::try_unwrap(shared).ok().expect("writers finished").restart();

        let (ids, lines) = exported_ids(&runner);
        let present: HashSet<&String> = ids.iter().collect();
        let lost: Vec<&String> = acknowledged.iter().filter(|id| !present.contains(id)).collect();
        assert!(lost.is_empty(), "round {round}: acknowledged writes missing after SIGKILL: {lost:?}");
        if present.len() != ids.len() {
            let mut seen = HashSet::new();
            let twice: Vec<&Value> = lines.iter().filter(|l| !seen.insert(l["id"].clone())).collect();
            panic!("round {round}: ids appear twice in the chain: {twice:?}");
        }
        for line in &lines {
            assert!(line["record"].is_object(), "round {round}: half-written record {line}");
        }
        let verify = runner.get(&format!("{P}/evidence/verify"));
        assert_eq!(verify.json["ok"], json!(true), "round {round}: {}", verify.text);
        assert_eq!(verify.json["count"], json!(ids.len()));
        // The per-kind lists agree with the chain.
        let plans = lines.iter().filter(|l| l["kind"].as_str().is_some_and(|k| k.ends_with("-retry-plan"))).count();
        let listed = runner.get(&format!("{P}/retry-plans?limit=1"));
        assert_eq!(listed.status, 200, "{}", listed.text);
        assert_eq!(listed.json["total"], json!(plans), "round {round}: retry-plan list total vs chain");
        // And the store takes writes again.
        let after = runner.post(&format!("{P}/retry-plan"), &json!({"generated_by": "after-restart"}));
        assert_eq!(after.status, 200, "round {round}: {}", after.text);
        acknowledged.insert(after.json["metadata"]["session_id"].as_str().unwrap_or_default().to_string());
    }
    assert_eq!(cut_in_flight, ROUNDS * WRITERS, "every writer was still writing when the runner died");
    println!(
        "crash safety: {ROUNDS} SIGKILLs under {WRITERS} writers ({cut_in_flight} requests cut or refused); {} acknowledged writes, 0 lost, chain verified",
        acknowledged.len()
    );
}
