//! Metadata rows: the stored, public-safe form of every record (the original's evidence rows).

use crate::canonical;
use serde::Serialize;
use serde_json::{Map, Value};

/// Builder of one metadata row: the common columns, then summary fields, then the record
/// nested under its kind-specific key.
#[derive(Debug, Clone)]
pub struct MetaRow(Map<String, Value>);

impl MetaRow {
    pub fn new(session_id: &str, created_at: &str, signer: &str, kind: &str, counts: [i64; 3]) -> Self {
        let mut m = Map::new();
        // The original's evidence store prefixes every stored row with these two fields.
        m.insert("schema_version".into(), "cavra.evidence.metadata.v1".into());
        m.insert("product".into(), crate::kinds::PRODUCT.into());
        m.insert("session_id".into(), session_id.into());
        m.insert("created_at".into(), created_at.into());
        m.insert("signer".into(), if signer.is_empty() { "release-governance" } else { signer }.into());
        m.insert("decision_count".into(), counts[0].into());
        m.insert("blocked_count".into(), counts[1].into());
        m.insert("approval_required_count".into(), counts[2].into());
        m.insert("metadata_kind".into(), kind.into());
        Self(m)
    }

    /// Adds a denormalised summary field.
    pub fn with(mut self, key: &str, value: impl Serialize) -> Self {
        self.0.insert(key.into(), serde_json::to_value(value).unwrap_or(Value::Null));
        self
    }

    /// Nests the full record under `key` and returns the row.
    pub fn nest(self, key: &str, record: &impl Serialize) -> Value {
        self.with(key, record).into_value()
    }

    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

/// A record with its stored metadata row.
#[derive(Debug, Clone, Serialize)]
pub struct WithMeta<T> {
    pub record: T,
    pub metadata: Value,
}

/// Full SHA-256 hex of the canonical JSON of `material` (execution and closure hashes).
pub fn full_hash(material: &impl Serialize) -> String {
    canonical::sha256_hex(material)
}
