//! Typed, lenient views of evidence metadata rows (the original's row shapes).

use crate::error::{EngineError, Result};
use crate::lenient;
use crate::time::Timestamp;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Whether a failed delivery is worth retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// 408, 429, 5xx, timeouts and connection errors.
    Transient,
    /// Any other 4xx: retrying the same request will fail again.
    Permanent,
}

impl ErrorClass {
    /// Classifies an HTTP status (or `None` for a transport failure).
    pub fn of_status(status: Option<u16>) -> Self {
        match status {
            Some(408 | 429) | None => Self::Transient,
            Some(s) if (400..500).contains(&s) => Self::Permanent,
            Some(_) => Self::Transient,
        }
    }
}

/// A `release-connector-delivery` row.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DeliveryRow {
    #[serde(deserialize_with = "lenient::opt_text")]
    pub metadata_kind: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    pub connector_delivery_source: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    pub session_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    pub created_at: Option<String>,
    #[serde(deserialize_with = "lenient::flag")]
    pub delivery_success: bool,
    #[serde(deserialize_with = "lenient::texts")]
    pub providers: Vec<String>,
    #[serde(deserialize_with = "lenient::texts")]
    pub failed_providers: Vec<String>,
    pub status_codes: Option<Value>,
    #[serde(deserialize_with = "lenient::opt_text")]
    pub event_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    pub delivery_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    pub audit_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    pub plan_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    pub run_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    pub health_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    pub executive_report_id: Option<String>,
    /// ✚ The failed delivery id this delivery retries.
    #[serde(deserialize_with = "lenient::opt_text")]
    pub retry_of: Option<String>,
    /// ✚ Error class per failed provider.
    pub error_classes: BTreeMap<String, ErrorClass>,
}

impl DeliveryRow {
    pub fn is_from(&self, source: &str) -> bool {
        self.metadata_kind.as_deref() == Some(crate::kinds::CONNECTOR_DELIVERY)
            && self.connector_delivery_source.as_deref() == Some(source)
    }

    /// The providers a failed row failed for: `failed_providers`, else `providers`.
    pub fn failed_provider_names(&self) -> &[String] {
        if self.failed_providers.is_empty() { &self.providers } else { &self.failed_providers }
    }

    /// The providers a successful (or partly successful) row delivered to.
    pub fn delivered_provider_names(&self) -> impl Iterator<Item = &String> {
        self.providers.iter().filter(|p| !self.failed_providers.contains(p))
    }
}

/// Reads `created_at`-style text; empty is unknown (`None`), unreadable is an error naming the row.
pub fn parse_time(text: Option<&str>, row: usize, field: &str) -> Result<Option<Timestamp>> {
    match text.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Timestamp::parse(s).map(Some).map_err(|e| EngineError::InvalidRowTimestamp {
            row,
            field: field.into(),
            message: e.to_string(),
        }),
    }
}

/// Deserialises one row into a view, naming the row on failure.
pub fn view<T: DeserializeOwned>(row: &Value, index: usize) -> Result<T> {
    if !row.is_object() {
        return Err(EngineError::InvalidRow { row: index, message: "not a JSON object".into() });
    }
    T::deserialize(row).map_err(|e| EngineError::InvalidRow { row: index, message: e.to_string() })
}

/// The `metadata_kind` of a raw row.
pub fn kind_of(row: &Value) -> &str {
    row.get("metadata_kind").and_then(Value::as_str).unwrap_or("")
}

/// Indexes of `rows` sorted newest first by the `created_at` text, ties in input order
/// (the original's stable reverse sort on `str(created_at)`).
pub fn newest_first<T>(rows: &[T], created_at: impl Fn(&T) -> &str) -> Vec<usize> {
    // Read each key once: looking it up inside the comparator costs a map lookup per comparison.
    let mut keyed: Vec<(&str, usize)> = rows.iter().enumerate().map(|(i, r)| (created_at(r), i)).collect();
    keyed.sort_by(|a, b| b.0.cmp(a.0).then(a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// The nested record of a row under `key`, or the row itself (the original's `_go_metadata_payload`).
pub fn payload<'a>(row: &'a Value, key: &str) -> &'a Value {
    match row.get(key) {
        Some(v @ Value::Object(_)) => v,
        _ => row,
    }
}

/// The fields builders read from each large kind, and the key its record is nested under.
/// Index segments keep only these (flattened from the record), which keeps a report over
/// 100,000 rows to a few tens of megabytes of JSON instead of hundreds.
const PROJECTIONS: &[(&str, &str, &[&str])] = &[
    (
        crate::kinds::EXECUTION_RECORD,
        "retry_execution_record",
        &["execution_id", "provider", "execution_status", "executed_at", "delivery_success", "approval_decision_id", "run_id"],
    ),
    (crate::kinds::RECOVERY_PLAYBOOK, "connector_recovery_playbook", &["playbook_id", "generated_at", "provider_playbooks"]),
    (
        crate::kinds::RECOVERY_CLOSURE,
        "connector_recovery_closure",
        &["closure_id", "playbook_id", "provider", "closure_state", "closed_at"],
    ),
    (
        crate::kinds::WORKER_RUN,
        "acknowledgement_audit_delivery_worker_run",
        &["run_id", "dry_run", "retryable_count", "selected_retry_count", "summary", "schedule", "status"],
    ),
    (
        crate::kinds::ESCALATION_WORKER_RUN,
        "recovery_escalation_retry_worker_run",
        &["run_id", "dry_run", "retryable_count", "selected_retry_count", "summary", "schedule"],
    ),
    (
        crate::kinds::EXECUTIVE_WORKER_RUN,
        "recovery_executive_report_delivery_retry_worker_run",
        &["run_id", "dry_run", "retryable_count", "selected_retry_count", "summary", "schedule"],
    ),
];

/// Execution rows are most of the evidence; index segments store them as arrays in this column
/// order (no repeated keys), which `report::ProjectedExecution` reads directly.
pub const EXECUTION_COLUMNS: &[&str] = &[
    "session_id",
    "created_at",
    "execution_id",
    "provider",
    "execution_status",
    "executed_at",
    "delivery_success",
    "approval_decision_id",
    "run_id",
];

/// The stored (segment) form of a projected row: an array of `EXECUTION_COLUMNS` for
/// executions, the object otherwise. `metadata_kind` is implied by the segment.
pub fn to_segment_form(kind: &str, projected: Value) -> Value {
    let Value::Object(mut m) = projected else { return projected };
    m.shift_remove("metadata_kind");
    if kind != crate::kinds::EXECUTION_RECORD {
        return Value::Object(m);
    }
    Value::Array(
        EXECUTION_COLUMNS
            .iter()
            .map(|c| match m.shift_remove(*c) {
                Some(v) => v,
                None if *c == "delivery_success" => Value::Bool(false),
                None => Value::String(String::new()),
            })
            .collect(),
    )
}

/// The projected row of a segment entry, with its `metadata_kind` restored.
pub fn from_segment_form(kind: &str, stored: Value) -> Value {
    let mut m = match stored {
        Value::Object(m) => m,
        Value::Array(values) => EXECUTION_COLUMNS
            .iter()
            .zip(values)
            .filter(|(c, v)| !(v.as_str() == Some("") && **c != "session_id"))
            .map(|(c, v)| (c.to_string(), v))
            .collect(),
        other => return other,
    };
    m.insert("metadata_kind".into(), Value::String(kind.into()));
    Value::Object(m)
}

/// Fields of a provider playbook entry that builders read.
const PLAYBOOK_ENTRY_FIELDS: &[&str] = &["provider", "category", "failure_count"];

/// Top-level fields of delivery rows that no builder reads (the full delivery result).
const DELIVERY_DROPPED: &[&str] = &["delivery", "schema_version", "product", "signer", "decision_count", "approval_required_count"];

/// The form a row takes in per-kind index segments: what builders read, flattened from the
/// nested record (a flat row reads the same through `payload`). Full rows stay under `r/<id>`.
pub fn project(row: Value) -> Value {
    let kind = kind_of(&row).to_string();
    if kind == crate::kinds::CONNECTOR_DELIVERY {
        let Value::Object(mut m) = row else { return row };
        for k in DELIVERY_DROPPED {
            m.remove(*k);
        }
        return Value::Object(m);
    }
    let Some((_, nested_key, fields)) = PROJECTIONS.iter().find(|(k, ..)| *k == kind) else { return row };
    let record = payload(&row, nested_key);
    let mut out = serde_json::Map::new();
    for key in ["metadata_kind", "session_id", "created_at"] {
        if let Some(v) = row.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    for key in *fields {
        let value = record.get(*key).or_else(|| row.get(*key));
        if kind == crate::kinds::EXECUTION_RECORD {
            // Typed for copy-free parsing: text as text, the flag as a boolean; an execution
            // time equal to the row time is implied (readers fall back to `created_at`).
            let typed = match (*key, value) {
                ("delivery_success", v) => Some(Value::Bool(v.is_some_and(crate::lenient::truthy))),
                ("executed_at", Some(v)) if Some(v) == row.get("created_at") => None,
                (_, Some(v)) => Some(Value::String(crate::lenient::text_of(v))),
                (_, None) => None,
            };
            if let Some(v) = typed {
                out.insert(key.to_string(), v);
            }
            continue;
        }
        if let Some(v) = value {
            let v = if *key == "provider_playbooks" {
                Value::Array(
                    v.as_array()
                        .into_iter()
                        .flatten()
                        .map(|e| {
                            Value::Object(
                                PLAYBOOK_ENTRY_FIELDS.iter().filter_map(|f| Some((f.to_string(), e.get(*f)?.clone()))).collect(),
                            )
                        })
                        .collect(),
                )
            } else {
                v.clone()
            };
            out.insert(key.to_string(), v);
        }
    }
    Value::Object(out)
}
