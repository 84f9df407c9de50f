//! Worker history and the worker dashboard (SPEC §2).

use crate::kinds;
use crate::lenient::{int_of, truthy};
use crate::level::AlertLevel;
use crate::rows::{kind_of, newest_first, payload};
use crate::schema;
use crate::time::Timestamp;
use serde::Serialize;
use serde_json::Value;

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 500;

/// One page of newest-first rows.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub schema_version: String,
    pub product: String,
    pub items: Vec<Value>,
    pub total: usize,
    pub limit: usize,
    pub offset: usize,
    /// ✚ Pass as `cursor` to get the page after this one, stable while new rows arrive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Paging of a newest-first list: `offset`, or a `cursor` (the last id of the previous page).
#[derive(Debug, Clone, Default)]
pub struct Paging {
    pub limit: usize,
    pub offset: usize,
    pub cursor: Option<String>,
}

fn session_id(row: &Value) -> &str {
    row.get("session_id").and_then(Value::as_str).unwrap_or("")
}

/// One page of `rows` (already filtered and newest first).
pub fn page(schema_version: &str, rows: Vec<&Value>, paging: &Paging) -> Page {
    let start = match &paging.cursor {
        Some(cursor) => rows.iter().position(|r| session_id(r) == cursor).map_or(rows.len(), |i| i + 1),
        None => paging.offset,
    };
    let items: Vec<Value> = rows.iter().skip(start).take(paging.limit).map(|r| (*r).clone()).collect();
    let next_cursor = (start + items.len() < rows.len()).then(|| items.last().map(|r| session_id(r).to_string())).flatten();
    Page {
        schema_version: schema_version.into(),
        product: kinds::PRODUCT.into(),
        total: rows.len(),
        items,
        limit: paging.limit,
        offset: paging.offset,
        next_cursor,
    }
}

/// A newest-first list of one kind, optionally only rows whose top-level `field` equals a value.
pub fn list(items: &[Value], kind: &str, schema_version: &str, filters: &[(&str, &str)], paging: &Paging) -> Page {
    let rows: Vec<&Value> = rows_of_kind(items, kind)
        .into_iter()
        .filter(|r| filters.iter().all(|(field, want)| r.get(*field).and_then(Value::as_str) == Some(*want)))
        .collect();
    page(schema_version, rows, paging)
}

/// Rows of `kind`, newest first (ties keep input order).
pub fn rows_of_kind<'a>(items: &'a [Value], kind: &str) -> Vec<&'a Value> {
    let rows: Vec<&Value> = items.iter().filter(|r| kind_of(r) == kind).collect();
    newest_first(&rows, |r| r.get("created_at").and_then(Value::as_str).unwrap_or("")).into_iter().map(|i| rows[i]).collect()
}

fn dry_run_of(row: &Value) -> bool {
    row.get("dry_run").is_none_or(truthy)
}

/// `GET worker-runs`: audit worker runs, optionally only dry or only live ones.
pub fn worker_history(items: &[Value], dry_run: Option<bool>, paging: &Paging) -> Page {
    let runs: Vec<&Value> =
        rows_of_kind(items, kinds::WORKER_RUN).into_iter().filter(|r| dry_run.is_none_or(|d| dry_run_of(r) == d)).collect();
    page(schema!("worker-history"), runs, paging)
}

/// `GET worker-dashboard`.
#[derive(Debug, Clone, Serialize)]
pub struct WorkerDashboard {
    pub schema_version: String,
    pub product: String,
    pub generated_at: String,
    pub alert_level: AlertLevel,
    pub run_count: usize,
    pub dry_run_count: usize,
    pub executed_count: usize,
    pub retryable_count: i64,
    pub selected_retry_count: i64,
    pub latest: Vec<Value>,
}

pub fn worker_dashboard(items: &[Value], now: Timestamp) -> WorkerDashboard {
    let runs = rows_of_kind(items, kinds::WORKER_RUN);
    let mut dashboard = WorkerDashboard {
        schema_version: schema!("worker-dashboard").into(),
        product: kinds::PRODUCT.into(),
        generated_at: now.to_iso(),
        alert_level: AlertLevel::Healthy,
        run_count: runs.len(),
        dry_run_count: 0,
        executed_count: 0,
        retryable_count: 0,
        selected_retry_count: 0,
        latest: runs.iter().take(10).map(|r| (*r).clone()).collect(),
    };
    for row in &runs {
        let summary = payload(row, "acknowledgement_audit_delivery_worker_run").get("summary");
        let count = |key: &str| {
            let from_summary = summary.and_then(|s| s.get(key)).map(int_of).unwrap_or(0);
            if from_summary != 0 { from_summary } else { row.get(key).map(int_of).unwrap_or(0) }
        };
        dashboard.retryable_count += count("retryable_count");
        dashboard.selected_retry_count += count("selected_retry_count");
        if dry_run_of(row) {
            dashboard.dry_run_count += 1;
        } else {
            dashboard.executed_count += 1;
        }
    }
    dashboard.alert_level = AlertLevel::from_flags(dashboard.retryable_count > 0, false);
    dashboard
}
