//! The evidence hash chain (SPEC §10): `hash = SHA-256(prev_hash ‖ record bytes)` over the exact
//! stored bytes of each record, and the verifier for exported chains (JSON Lines) that
//! `cavra verify`, the service and the console all use.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

/// The chain's hash before its first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// `SHA-256(prev_hash ‖ record)`, lower-case hex.
pub fn chain_hash(prev_hash: &str, record: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(record);
    hex::encode(h.finalize())
}

/// One exported chain entry (one JSON line). `record` keeps its exact bytes.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExportLine {
    pub seq: u64,
    pub kind: String,
    pub id: String,
    pub prev_hash: String,
    pub hash: String,
    pub record: Box<RawValue>,
}

/// The verdict on a chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    pub ok: bool,
    /// Entries checked (up to and excluding the first bad one).
    pub count: u64,
    /// The hash of the last good entry.
    pub head: String,
    /// The sequence number of the first entry that does not verify.
    pub first_bad_seq: Option<u64>,
    pub error: Option<String>,
}

/// Checks entries in order: consecutive sequence numbers from 1, each linked to the previous
/// hash, each hash recomputed from the record bytes, and the record's own id and kind.
pub struct Verifier {
    expected_seq: u64,
    prev: String,
    failure: Option<(u64, String)>,
}

impl Default for Verifier {
    fn default() -> Self {
        Self { expected_seq: 1, prev: GENESIS_HASH.into(), failure: None }
    }
}

impl Verifier {
    /// Checks the next entry; returns false once the chain is broken.
    pub fn check(&mut self, seq: u64, kind: &str, id: &str, hash: &str, record: &str) -> bool {
        if self.failure.is_some() {
            return false;
        }
        let problem = if seq != self.expected_seq {
            Some(format!("expected sequence {}, found {seq} (a record was removed or reordered)", self.expected_seq))
        } else if chain_hash(&self.prev, record.as_bytes()) != hash {
            Some("the record or its link does not match its hash (edited, reordered or removed records)".to_string())
        } else {
            match serde_json::from_str::<serde_json::Value>(record) {
                Ok(v) if v.get("session_id").and_then(|s| s.as_str()) == Some(id)
                    && v.get("metadata_kind").and_then(|s| s.as_str()) == Some(kind) =>
                {
                    None
                }
                Ok(_) => Some("the entry's id or kind does not match its record".to_string()),
                Err(e) => Some(format!("the record is not JSON: {e}")),
            }
        };
        match problem {
            Some(p) => {
                self.failure = Some((self.expected_seq, p));
                false
            }
            None => {
                self.prev = hash.to_string();
                self.expected_seq += 1;
                true
            }
        }
    }

    /// Records a failure found outside `check` (a store copy that differs, a bad line).
    pub fn fail(&mut self, seq: u64, problem: impl Into<String>) {
        if self.failure.is_none() {
            self.failure = Some((seq, problem.into()));
        }
    }

    /// Whether no failure has been found so far.
    pub fn is_ok(&self) -> bool {
        self.failure.is_none()
    }

    pub fn finish(self) -> Verification {
        let count = self.expected_seq - 1;
        match self.failure {
            None => Verification { ok: true, count, head: self.prev, first_bad_seq: None, error: None },
            Some((seq, error)) => Verification { ok: false, count, head: self.prev, first_bad_seq: Some(seq), error: Some(error) },
        }
    }
}

/// Verifies an exported chain (JSON Lines of `ExportLine`).
pub fn verify_export(text: &str) -> Verification {
    let mut verifier = Verifier::default();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        match serde_json::from_str::<ExportLine>(line) {
            Ok(entry) => {
                if entry.prev_hash != verifier.prev {
                    let seq = verifier.expected_seq;
                    verifier.fail(seq, "the entry's prev_hash does not link to the previous entry");
                    break;
                }
                if !verifier.check(entry.seq, &entry.kind, &entry.id, &entry.hash, entry.record.get()) {
                    break;
                }
            }
            Err(e) => {
                let seq = verifier.expected_seq;
                verifier.fail(seq, format!("line {} is not a chain entry: {e}", n + 1));
                break;
            }
        }
    }
    verifier.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export(records: &[&str]) -> Vec<String> {
        let mut prev = GENESIS_HASH.to_string();
        records
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let hash = chain_hash(&prev, r.as_bytes());
                let id = serde_json::from_str::<serde_json::Value>(r).ok().and_then(|v| v["session_id"].as_str().map(String::from)).unwrap_or_default();
                let line = format!(r#"{{"seq":{},"kind":"k","id":"{id}","prev_hash":"{prev}","hash":"{hash}","record":{r}}}"#, i + 1);
                prev = hash;
                line
            })
            .collect()
    }

    const A: &str = r#"{"session_id":"a","metadata_kind":"k","n":1}"#;
    const B: &str = r#"{"session_id":"b","metadata_kind":"k","n":2}"#;
    const C: &str = r#"{"session_id":"c","metadata_kind":"k","n":3}"#;

    #[test]
    fn a_clean_chain_verifies() {
        let v = verify_export(&export(&[A, B, C]).join("\n"));
        assert!(v.ok, "{v:?}");
        assert_eq!(v.count, 3);
    }

    #[test]
    fn edits_deletions_and_reorders_name_the_first_bad_entry() {
        let lines = export(&[A, B, C]);
        let edited = lines.clone().join("\n").replace(r#""n":2"#, r#""n":9"#);
        assert_eq!(verify_export(&edited).first_bad_seq, Some(2));
        let deleted = [lines[0].clone(), lines[2].clone()].join("\n");
        assert_eq!(verify_export(&deleted).first_bad_seq, Some(2));
        let reordered = [lines[0].clone(), lines[2].clone(), lines[1].clone()].join("\n");
        assert_eq!(verify_export(&reordered).first_bad_seq, Some(2));
        let garbage = format!("{}\nnot json", lines[0]);
        assert_eq!(verify_export(&garbage).first_bad_seq, Some(2));
    }
}
