//! The evidence store over a plain key-value bucket (SPEC §10, §15).
//!
//! Layout:
//! - `r/<id>`: each record, written once before it is committed.
//! - `head`: the one mutable key, advanced by compare-and-swap. It holds the chain's sequence
//!   number and hash, the unsealed tail of the chain, and per kind the unsealed tail of ids.
//! - `c/<n>`: sealed chain segments of `CHAIN_SEGMENT` entries, each with its full record.
//! - `k/<kind>/<n>`: sealed per-kind segments of `KIND_SEGMENT` records (in projected form).
//!
//! A record is visible only once the head includes it: a crash between the record write and
//! the head swap leaves an orphan key, never a torn or half-indexed record. Sealed segments are
//! a pure function of committed state, so any writer may (re)write them before advancing the head.
//!
//! The chain hashes the exact bytes stored for each record (compact JSON, as written once):
//! `hash = SHA-256(prev_hash ‖ record bytes)`. Exports carry those bytes verbatim, so a verifier
//! needs no JSON canonicalisation to recompute the chain.

use crate::platform::{Kv, KvError};
use cavra_engine::kinds;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

pub const CHAIN_SEGMENT: usize = 128;
pub const KIND_SEGMENT: usize = 128;
const HEAD: &str = "head";
const HEAD_INIT: &str = "head-init";
const MAX_CAS_ATTEMPTS: usize = 1_000;
pub use cavra_engine::chain::{GENESIS_HASH, chain_hash};
use cavra_engine::chain::{Verification, Verifier};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Kv(#[from] KvError),
    #[error("stored data is corrupt at `{key}`: {message}")]
    Corrupt { key: String, message: String },
    #[error("record `{0}` already exists with different content")]
    Conflict(String),
    #[error("record has no `{0}`")]
    Incomplete(&'static str),
    #[error("the evidence head is contended; try again")]
    Contended,
}

/// One link of the hash chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainLink {
    pub seq: u64,
    pub kind: String,
    pub id: String,
    pub hash: String,
}

/// A sealed chain entry: the link and the exact bytes of the record it covers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChainEntry {
    pub seq: u64,
    pub kind: String,
    pub id: String,
    pub hash: String,
    pub record: Box<RawValue>,
}

impl ChainEntry {
    pub fn link(&self) -> ChainLink {
        ChainLink { seq: self.seq, kind: self.kind.clone(), id: self.id.clone(), hash: self.hash.clone() }
    }
}

/// Raw rows of one kind: (sealed segments, unsealed tail records), as stored bytes.
pub type RawRows = (Vec<Vec<u8>>, Vec<Vec<u8>>);

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct KindIndex {
    count: u64,
    sealed: u64,
    tail: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Head {
    seq: u64,
    hash: String,
    sealed: u64,
    tail: Vec<ChainLink>,
    kinds: BTreeMap<String, KindIndex>,
    /// Dashboard counters (`cavra_engine::dashboard::facets`), summed as records are appended.
    #[serde(default)]
    counters: BTreeMap<String, i64>,
}

impl Head {
    fn genesis() -> Self {
        Self {
            seq: 0,
            hash: GENESIS_HASH.into(),
            sealed: 0,
            tail: Vec::new(),
            kinds: BTreeMap::new(),
            counters: BTreeMap::new(),
        }
    }
}


/// The key-safe form of an id or kind.
fn key_part(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).collect()
}

pub struct Store<'a, K: Kv> {
    kv: &'a K,
}

/// The outcome of an append.
#[derive(Debug, Clone, PartialEq)]
pub enum Appended {
    New(ChainLink),
    /// The same record was stored before; nothing changed.
    Existing,
}

/// A record as stored: its exact bytes.
pub type Stored = Box<RawValue>;

impl<'a, K: Kv> Store<'a, K> {
    pub fn new(kv: &'a K) -> Self {
        Self { kv }
    }

    fn read_json<T: for<'de> Deserialize<'de>>(&self, key: &str) -> Result<Option<T>, StoreError> {
        match self.kv.get(key)? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| StoreError::Corrupt { key: key.into(), message: e.to_string() }),
        }
    }

    /// Reads the head, creating it on a fresh store. Creation uses an atomic counter so that
    /// exactly one writer initialises it, also on backends whose swap of an absent key upserts.
    fn head(&self) -> Result<(Vec<u8>, Head), StoreError> {
        for _ in 0..MAX_CAS_ATTEMPTS {
            if let Some(bytes) = self.kv.get(HEAD)? {
                let head = serde_json::from_slice(&bytes)
                    .map_err(|e| StoreError::Corrupt { key: HEAD.into(), message: e.to_string() })?;
                return Ok((bytes, head));
            }
            if self.kv.increment(HEAD_INIT, 1)? == 1 {
                let bytes = serde_json::to_vec(&Head::genesis()).unwrap_or_default();
                self.kv.set(HEAD, &bytes)?;
            }
        }
        Err(StoreError::Contended)
    }

    fn record_key(id: &str) -> String {
        format!("r/{}", key_part(id))
    }

    fn kind_segment_key(kind: &str, n: u64) -> String {
        format!("k/{}/{n}", key_part(&kinds::short_name(kind)))
    }

    fn chain_segment_key(n: u64) -> String {
        format!("c/{n}")
    }

    /// Appends a metadata row (its `session_id` is the id, `metadata_kind` the kind).
    pub fn append(&self, record: &Value) -> Result<Appended, StoreError> {
        self.append_stored(record).map(|(appended, _)| appended)
    }

    /// Appends a metadata row and returns the exact bytes stored, for answers to embed.
    pub fn append_stored(&self, record: &Value) -> Result<(Appended, Stored), StoreError> {
        let id = record.get("session_id").and_then(Value::as_str).ok_or(StoreError::Incomplete("session_id"))?;
        let kind = record.get("metadata_kind").and_then(Value::as_str).ok_or(StoreError::Incomplete("metadata_kind"))?;
        let text = serde_json::to_string(record).unwrap_or_default();
        let stored = RawValue::from_string(text).map_err(|e| StoreError::Corrupt { key: id.into(), message: e.to_string() })?;
        let bytes = stored.get().as_bytes();
        let record_key = Self::record_key(id);
        // Same id, same content: a replay (or an identical record written concurrently).
        let replay = match self.kv.get(&record_key)? {
            Some(existing) if existing == bytes => true,
            Some(_) => return Err(StoreError::Conflict(id.into())),
            None => {
                self.kv.set(&record_key, bytes)?;
                false
            }
        };
        for _ in 0..MAX_CAS_ATTEMPTS {
            let (old_bytes, mut head) = self.head()?;
            // Checked against the head this CAS replaces: if a concurrent writer commits the same
            // id first, our CAS fails and the next attempt sees it. An orphan (a crash between
            // the record write and the head CAS) is committed by its replay.
            if replay && self.committed_in(&head, id, kind)? {
                return Ok((Appended::Existing, stored));
            }
            self.seal_full_segments(&mut head)?;
            let link = ChainLink {
                seq: head.seq + 1,
                kind: kind.into(),
                id: id.into(),
                hash: chain_hash(&head.hash, bytes),
            };
            head.seq = link.seq;
            head.hash = link.hash.clone();
            head.tail.push(link.clone());
            let index = head.kinds.entry(kind.into()).or_default();
            index.count += 1;
            index.tail.push(id.into());
            for (name, delta) in cavra_engine::dashboard::facets(record) {
                *head.counters.entry(name).or_default() += delta;
            }
            let new_bytes = serde_json::to_vec(&head).unwrap_or_default();
            if self.kv.compare_and_swap(HEAD, &old_bytes, &new_bytes)? {
                return Ok((Appended::New(link), stored));
            }
        }
        Err(StoreError::Contended)
    }

    fn committed_in(&self, head: &Head, id: &str, kind: &str) -> Result<bool, StoreError> {
        Ok(self.rows_in(head, kind)?.iter().any(|r| r.get("session_id").and_then(Value::as_str) == Some(id)))
    }

    /// Moves full tails into sealed segments (written before the head forgets them).
    fn seal_full_segments(&self, head: &mut Head) -> Result<(), StoreError> {
        if head.tail.len() >= CHAIN_SEGMENT {
            let entries: Vec<ChainEntry> =
                head.tail.iter().map(|link| self.chain_entry(link.clone())).collect::<Result<_, StoreError>>()?;
            self.kv.set(&Self::chain_segment_key(head.sealed), &serde_json::to_vec(&entries).unwrap_or_default())?;
            head.sealed += 1;
            head.tail.clear();
        }
        for (kind, index) in head.kinds.iter_mut() {
            if index.tail.len() >= KIND_SEGMENT {
                let rows: Vec<Value> = index
                    .tail
                    .iter()
                    .map(|id| {
                        let row = cavra_engine::rows::project(self.record(id)?.unwrap_or(Value::Null));
                        Ok(cavra_engine::rows::to_segment_form(kind, row))
                    })
                    .collect::<Result<_, StoreError>>()?;
                self.kv.set(&Self::kind_segment_key(kind, index.sealed), &serde_json::to_vec(&rows).unwrap_or_default())?;
                index.sealed += 1;
                index.tail.clear();
            }
        }
        Ok(())
    }

    fn chain_entry(&self, link: ChainLink) -> Result<ChainEntry, StoreError> {
        let key = Self::record_key(&link.id);
        let bytes = self.kv.get(&key)?.ok_or_else(|| StoreError::Corrupt { key: key.clone(), message: "record missing".into() })?;
        let text = String::from_utf8(bytes).map_err(|e| StoreError::Corrupt { key: key.clone(), message: e.to_string() })?;
        let record = RawValue::from_string(text).map_err(|e| StoreError::Corrupt { key, message: e.to_string() })?;
        Ok(ChainEntry { seq: link.seq, kind: link.kind, id: link.id, hash: link.hash, record })
    }

    /// A record by id, committed or not (ids are only handed out for committed records).
    pub fn record(&self, id: &str) -> Result<Option<Value>, StoreError> {
        self.read_json(&Self::record_key(id))
    }

    /// A committed record of `kind` by id.
    pub fn get(&self, kind: &str, id: &str) -> Result<Option<Value>, StoreError> {
        Ok(self.record(id)?.filter(|r| r.get("metadata_kind").and_then(Value::as_str) == Some(kind)))
    }

    /// Every committed row of `kind`, oldest first, in projected form.
    pub fn rows_of_kind(&self, kind: &str) -> Result<Vec<Value>, StoreError> {
        let (_, head) = self.head()?;
        self.rows_in(&head, kind)
    }

    /// The rows of `kind` that `head` commits.
    fn rows_in(&self, head: &Head, kind: &str) -> Result<Vec<Value>, StoreError> {
        let Some(index) = head.kinds.get(kind) else { return Ok(Vec::new()) };
        let mut rows = Vec::with_capacity(index.count as usize);
        for n in 0..index.sealed {
            let key = Self::kind_segment_key(kind, n);
            let segment: Vec<Value> =
                self.read_json(&key)?.ok_or_else(|| StoreError::Corrupt { key, message: "missing segment".into() })?;
            rows.extend(segment.into_iter().map(|row| cavra_engine::rows::from_segment_form(kind, row)));
        }
        for id in &index.tail {
            if let Some(row) = self.record(id)? {
                rows.push(cavra_engine::rows::project(row));
            }
        }
        Ok(rows)
    }

    /// The raw bytes of `kind`: sealed segments (JSON arrays of projected rows) and the
    /// unsealed tail's full records, for callers that parse without copying.
    pub fn raw_rows_of_kind(&self, kind: &str) -> Result<RawRows, StoreError> {
        let (_, head) = self.head()?;
        let Some(index) = head.kinds.get(kind) else { return Ok((Vec::new(), Vec::new())) };
        let mut segments = Vec::with_capacity(index.sealed as usize);
        for n in 0..index.sealed {
            let key = Self::kind_segment_key(kind, n);
            segments.push(self.kv.get(&key)?.ok_or(StoreError::Corrupt { key, message: "missing segment".into() })?);
        }
        let mut tail = Vec::with_capacity(index.tail.len());
        for id in &index.tail {
            if let Some(bytes) = self.kv.get(&Self::record_key(id))? {
                tail.push(bytes);
            }
        }
        Ok((segments, tail))
    }

    /// Every committed row of `kind`, parsed straight into `T` (no intermediate JSON tree):
    /// sealed segments hold projected rows, the unsealed tail full rows; `T` reads both.
    pub fn typed_rows_of_kind<T: serde::de::DeserializeOwned>(&self, kind: &str) -> Result<Vec<T>, StoreError> {
        let (_, head) = self.head()?;
        let Some(index) = head.kinds.get(kind) else { return Ok(Vec::new()) };
        let mut rows = Vec::with_capacity(index.count as usize);
        let corrupt = |key: &str, e: serde_json::Error| StoreError::Corrupt { key: key.into(), message: e.to_string() };
        for n in 0..index.sealed {
            let key = Self::kind_segment_key(kind, n);
            let bytes = self.kv.get(&key)?.ok_or_else(|| StoreError::Corrupt { key: key.clone(), message: "missing segment".into() })?;
            let segment: Vec<T> = serde_json::from_slice(&bytes).map_err(|e| corrupt(&key, e))?;
            rows.extend(segment);
        }
        for id in &index.tail {
            let key = Self::record_key(id);
            if let Some(bytes) = self.kv.get(&key)? {
                rows.push(serde_json::from_slice(&bytes).map_err(|e| corrupt(&key, e))?);
            }
        }
        Ok(rows)
    }

    /// Rows of several kinds, kind by kind.
    pub fn rows_of_kinds(&self, kinds: &[&str]) -> Result<Vec<Value>, StoreError> {
        let mut rows = Vec::new();
        for kind in kinds {
            rows.extend(self.rows_of_kind(kind)?);
        }
        Ok(rows)
    }

    /// Committed record counts per kind.
    pub fn counts(&self) -> Result<BTreeMap<String, u64>, StoreError> {
        let (_, head) = self.head()?;
        Ok(head.kinds.iter().map(|(k, v)| (k.clone(), v.count)).collect())
    }

    /// Dashboard counters.
    pub fn counters(&self) -> Result<BTreeMap<String, i64>, StoreError> {
        let (_, head) = self.head()?;
        Ok(head.counters)
    }

    /// The chain head: (records, hash).
    pub fn chain_head(&self) -> Result<(u64, String), StoreError> {
        let (_, head) = self.head()?;
        Ok((head.seq, head.hash))
    }

    /// Walks the chain in order, calling `visit` with each entry (stops early on `false`).
    pub fn walk_chain(&self, mut visit: impl FnMut(ChainEntry) -> bool) -> Result<(), StoreError> {
        let (_, head) = self.head()?;
        for n in 0..head.sealed {
            let key = Self::chain_segment_key(n);
            let segment: Vec<ChainEntry> =
                self.read_json(&key)?.ok_or_else(|| StoreError::Corrupt { key, message: "missing segment".into() })?;
            for entry in segment {
                if !visit(entry) {
                    return Ok(());
                }
            }
        }
        for link in head.tail {
            if !visit(self.chain_entry(link)?) {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Verifies the whole store: the chain (order, links, hashes), every record copy under
    /// `r/<id>` against the chain, and every per-kind index segment against the records.
    /// Reports the first sequence number that does not verify.
    pub fn verify(&self) -> Result<Verification, StoreError> {
        let mut verifier = Verifier::default();
        // Per kind, in chain order: (seq, id, segment form of the projected record).
        let mut expected: BTreeMap<String, Vec<(u64, String, Value)>> = BTreeMap::new();
        let mut error = None;
        self.walk_chain(|entry| {
            let bytes = entry.record.get();
            if !verifier.check(entry.seq, &entry.kind, &entry.id, &entry.hash, bytes) {
                return false;
            }
            match self.kv.get(&Self::record_key(&entry.id)) {
                Ok(Some(stored)) if stored == bytes.as_bytes() => {}
                Ok(_) => {
                    verifier.fail(entry.seq, format!("the stored copy of `{}` differs from the chain", entry.id));
                    return false;
                }
                Err(e) => {
                    error = Some(e);
                    return false;
                }
            }
            let row: Value = serde_json::from_str(bytes).unwrap_or(Value::Null);
            let form = cavra_engine::rows::to_segment_form(&entry.kind, cavra_engine::rows::project(row));
            expected.entry(entry.kind.clone()).or_default().push((entry.seq, entry.id.clone(), form));
            true
        })?;
        if let Some(e) = error {
            return Err(e.into());
        }
        if verifier.is_ok() {
            let (_, head) = self.head()?;
            for (kind, rows) in &expected {
                let Some(index) = head.kinds.get(kind) else { continue };
                let sealed_rows = (index.sealed as usize) * KIND_SEGMENT;
                for n in 0..index.sealed as usize {
                    let key = Self::kind_segment_key(kind, n as u64);
                    let stored: Option<Vec<Value>> = self.read_json(&key).ok().flatten();
                    let want: Vec<&Value> = rows.iter().skip(n * KIND_SEGMENT).take(KIND_SEGMENT).map(|(_, _, f)| f).collect();
                    if stored.as_ref().map(|s| s.iter().collect::<Vec<_>>()) != Some(want) {
                        let seq = rows.get(n * KIND_SEGMENT).map_or(0, |(seq, ..)| *seq);
                        verifier.fail(seq, format!("index segment `{key}` does not match its records"));
                    }
                }
                let tail: Vec<&String> = rows.iter().skip(sealed_rows).map(|(_, id, _)| id).collect();
                if tail != index.tail.iter().collect::<Vec<_>>() {
                    let seq = rows.get(sealed_rows).map_or(0, |(seq, ..)| *seq);
                    verifier.fail(seq, format!("the `{kind}` index tail does not match the chain"));
                }
            }
        }
        Ok(verifier.finish())
    }

    /// The chain as JSON Lines (`engine::chain::ExportLine`), records as their stored bytes.
    pub fn export(&self, out: &mut String) -> Result<u64, StoreError> {
        let mut prev = GENESIS_HASH.to_string();
        let mut count = 0;
        self.walk_chain(|entry| {
            let line = serde_json::json!({
                "seq": entry.seq, "kind": entry.kind, "id": entry.id, "prev_hash": prev, "hash": entry.hash,
                "record": entry.record,
            });
            out.push_str(&line.to_string());
            out.push('\n');
            prev = entry.hash.clone();
            count += 1;
            true
        })?;
        Ok(count)
    }

    /// One page of chain links, newest first.
    pub fn links(&self, offset: usize, limit: usize) -> Result<(u64, Vec<ChainLink>), StoreError> {
        let (total, _) = self.chain_head()?;
        let first = total.saturating_sub((offset + limit) as u64) + 1;
        let last = total.saturating_sub(offset as u64);
        let mut links = Vec::new();
        self.walk_chain(|entry| {
            if entry.seq >= first && entry.seq <= last {
                links.push(entry.link());
            }
            entry.seq < last
        })?;
        links.reverse();
        Ok((total, links))
    }

    /// Takes a one-time claim: `true` for exactly one caller per name, on every backend.
    pub fn claim(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self.kv.increment(&format!("claim/{}", key_part(name)), 1)? == 1)
    }

    /// Whether a claim was taken.
    pub fn is_claimed(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self.kv.get(&format!("claim/{}", key_part(name)))?.is_some())
    }

    /// A small mutable side value (idempotency results, claim owners).
    pub fn side_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.kv.get(&format!("s/{}", key_part(key)))?)
    }

    pub fn side_set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        Ok(self.kv.set(&format!("s/{}", key_part(key)), value)?)
    }

    /// Checks the store answers.
    pub fn ping(&self) -> Result<(), StoreError> {
        self.head().map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryKv;
    use serde_json::json;

    fn row(kind: &str, id: &str, n: usize) -> Value {
        json!({"session_id": id, "metadata_kind": kind, "created_at": format!("2026-11-23T10:00:{:02}+00:00", n % 60), "n": n})
    }

    #[test]
    fn appends_indexes_and_chains_across_segments() {
        let kv = MemoryKv::default();
        let store = Store::new(&kv);
        let total = CHAIN_SEGMENT * 2 + 7;
        for n in 0..total {
            let kind = if n % 3 == 0 { kinds::RETRY_PLAN } else { kinds::CONNECTOR_DELIVERY };
            assert!(matches!(store.append(&row(kind, &format!("id-{n}"), n)), Ok(Appended::New(_))));
        }
        let plans = store.rows_of_kind(kinds::RETRY_PLAN).expect("rows");
        assert_eq!(plans.len(), total.div_ceil(3));
        assert_eq!(plans[0]["session_id"], json!("id-0"));
        assert_eq!(store.counts().expect("counts")[kinds::CONNECTOR_DELIVERY] as usize, total - total.div_ceil(3));
        let mut prev = GENESIS_HASH.to_string();
        let mut seen = 0;
        store
            .walk_chain(|e| {
                assert_eq!(e.seq, seen + 1);
                assert_eq!(e.hash, chain_hash(&prev, e.record.get().as_bytes()));
                prev = e.hash.clone();
                seen += 1;
                true
            })
            .expect("walk");
        assert_eq!(seen as usize, total);
        assert_eq!(store.chain_head().expect("head"), (total as u64, prev));
        assert!(kv.keys().iter().any(|k| k.starts_with("c/1")));
    }

    #[test]
    fn replays_are_idempotent_and_conflicts_refused() {
        let kv = MemoryKv::default();
        let store = Store::new(&kv);
        let r = row(kinds::RETRY_PLAN, "a", 1);
        assert!(matches!(store.append(&r), Ok(Appended::New(_))));
        assert_eq!(store.append(&r).ok(), Some(Appended::Existing));
        assert!(matches!(store.append(&row(kinds::RETRY_PLAN, "a", 2)), Err(StoreError::Conflict(_))));
        assert_eq!(store.rows_of_kind(kinds::RETRY_PLAN).expect("rows").len(), 1);
    }

    #[test]
    fn an_orphan_record_is_invisible_until_committed() {
        let kv = MemoryKv::default();
        let store = Store::new(&kv);
        let r = row(kinds::RETRY_PLAN, "orphan", 1);
        kv.set("r/orphan", &serde_json::to_vec(&r).expect("json")).expect("set");
        assert!(store.rows_of_kind(kinds::RETRY_PLAN).expect("rows").is_empty());
        assert!(matches!(store.append(&r), Ok(Appended::New(_))), "a replay after a crash commits it");
        assert_eq!(store.rows_of_kind(kinds::RETRY_PLAN).expect("rows").len(), 1);
    }

    fn filled(kv: &MemoryKv, n: usize) {
        let store = Store::new(kv);
        for i in 0..n {
            let kind = if i % 2 == 0 { kinds::EXECUTION_RECORD } else { kinds::RETRY_PLAN };
            store.append(&row(kind, &format!("id-{i}"), i)).expect("append");
        }
    }

    #[test]
    fn verification_finds_the_first_tampered_entry() {
        let n = CHAIN_SEGMENT * 2 + 10;
        let kv = MemoryKv::default();
        filled(&kv, n);
        let store = Store::new(&kv);
        let clean = store.verify().expect("verify");
        assert!(clean.ok, "{clean:?}");
        assert_eq!(clean.count, n as u64);
        let mut export = String::new();
        assert_eq!(store.export(&mut export).expect("export"), n as u64);
        assert_eq!(cavra_engine::chain::verify_export(&export), clean, "offline verification agrees");

        // Editing a record copy (tail), a sealed chain segment, or an index segment.
        let edit = |key: &str, from: &str, to: &str| {
            let kv = MemoryKv::default();
            filled(&kv, n);
            let bytes = String::from_utf8(kv.get(key).expect("get").expect("present")).expect("utf8");
            assert!(bytes.contains(from), "{key}");
            kv.set(key, bytes.replacen(from, to, 1).as_bytes()).expect("set");
            Store::new(&kv).verify().expect("verify")
        };
        let v = edit(&format!("r/id-{}", n - 3), "\"n\":", "\"n\":1");
        assert_eq!(v.first_bad_seq, Some(n as u64 - 2), "{v:?}");
        let v = edit("c/0", "\"n\":5", "\"n\":6");
        assert_eq!(v.first_bad_seq, Some(6), "{v:?}");
        let v = edit("k/retry-plan/0", "id-3\"", "id-X\"");
        assert!(!v.ok && v.first_bad_seq.is_some(), "{v:?}");

        // Deleting and reordering entries in an export.
        let lines: Vec<&str> = export.lines().collect();
        let deleted = [&lines[..40], &lines[41..]].concat().join("\n");
        assert_eq!(cavra_engine::chain::verify_export(&deleted).first_bad_seq, Some(41));
        let mut swapped = lines.clone();
        swapped.swap(7, 8);
        assert_eq!(cavra_engine::chain::verify_export(&swapped.join("\n")).first_bad_seq, Some(8));
        let (total, page) = store.links(0, 5).expect("links");
        assert_eq!((total, page.len(), page[0].seq), (n as u64, 5, n as u64));
    }

    #[test]
    fn claims_are_taken_once() {
        let kv = MemoryKv::default();
        let store = Store::new(&kv);
        assert!(store.claim("decision-1").expect("claim"));
        assert!(!store.claim("decision-1").expect("claim"));
        assert!(store.is_claimed("decision-1").expect("claimed"));
        assert!(!store.is_claimed("decision-2").expect("claimed"));
    }
}
