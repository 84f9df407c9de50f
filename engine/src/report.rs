//! The retry recovery report (SPEC §5): execution outcomes, recovery SLO rows per playbook
//! provider, closure trends by UTC day. One pass over each input after one sort.

use crate::canonical::stable_id;
use crate::error::{EngineError, Result};
use crate::kinds;
use crate::lenient;
use crate::level::AlertLevel;
use crate::meta::MetaRow;
use crate::provider::normalize;
use crate::rows::{kind_of, newest_first, parse_time, view};
use crate::schema;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use rustc_hash::FxHashMap;
use std::collections::HashMap;

pub const DEFAULT_SLO_MINUTES: i64 = 240;
pub const MAX_SLO_MINUTES: i64 = 525_600;
pub const LATEST_EXECUTIONS: usize = 20;

/// `round(x, 4)` as Python does it (correctly rounded decimal).
pub fn round4(x: f64) -> f64 {
    format!("{x:.4}").parse().unwrap_or(x)
}

/// Fields of an execution record the report reads (a flat row, or the nested record).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ExecutionFields {
    #[serde(deserialize_with = "lenient::opt_text")]
    execution_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    provider: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    execution_status: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    executed_at: Option<String>,
    #[serde(deserialize_with = "lenient::opt_flag")]
    delivery_success: Option<bool>,
    #[serde(deserialize_with = "lenient::opt_text")]
    approval_decision_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    run_id: Option<String>,
}

/// An execution record row: top-level fields, created_at, and the nested record if any.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExecutionRow {
    #[serde(deserialize_with = "lenient::opt_text")]
    created_at: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    execution_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    provider: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    execution_status: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    executed_at: Option<String>,
    #[serde(deserialize_with = "lenient::opt_flag")]
    delivery_success: Option<bool>,
    #[serde(deserialize_with = "lenient::opt_text")]
    approval_decision_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    run_id: Option<String>,
    retry_execution_record: Option<ExecutionFields>,
}

impl ExecutionRow {
    /// The record's fields, falling back to the row's (the original's `_go_metadata_payload`):
    /// a nested record is the payload, and the row only fills what the record lacks.
    pub fn as_ref(&self) -> ExecRef<'_> {
        let r = self.retry_execution_record.as_ref();
        fn pick<'a>(nested: Option<&'a Option<String>>, top: &'a Option<String>) -> &'a str {
            nested.and_then(|n| n.as_deref()).or(top.as_deref()).unwrap_or("")
        }
        ExecRef {
            created_at: self.created_at.as_deref().unwrap_or(""),
            execution_id: pick(r.map(|r| &r.execution_id), &self.execution_id),
            provider: pick(r.map(|r| &r.provider), &self.provider),
            execution_status: pick(r.map(|r| &r.execution_status), &self.execution_status),
            executed_at: match r {
                Some(r) => r.executed_at.as_deref().unwrap_or(""),
                None => self.executed_at.as_deref().unwrap_or(""),
            },
            delivery_success: match r {
                Some(r) => r.delivery_success.unwrap_or(false),
                None => self.delivery_success.unwrap_or(false),
            },
            approval_decision_id: pick(r.map(|r| &r.approval_decision_id), &self.approval_decision_id),
            run_id: pick(r.map(|r| &r.run_id), &self.run_id),
        }
    }
}

/// One execution as the report reads it, borrowed from where it was parsed. Empty text means
/// absent (the original's `x or default`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ExecRef<'a> {
    pub created_at: &'a str,
    pub execution_id: &'a str,
    pub provider: &'a str,
    pub execution_status: &'a str,
    pub executed_at: &'a str,
    pub delivery_success: bool,
    pub approval_decision_id: &'a str,
    pub run_id: &'a str,
}

/// An execution row as index segments store it: an array in `rows::EXECUTION_COLUMNS` order
/// (the field order below), parsed without copying its text.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProjectedExecution<'a> {
    #[serde(borrow)]
    session_id: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    created_at: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    execution_id: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    provider: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    execution_status: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    executed_at: std::borrow::Cow<'a, str>,
    delivery_success: bool,
    #[serde(borrow)]
    approval_decision_id: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    run_id: std::borrow::Cow<'a, str>,
}

impl ProjectedExecution<'_> {
    pub fn as_ref(&self) -> ExecRef<'_> {
        ExecRef {
            created_at: &self.created_at,
            execution_id: &self.execution_id,
            provider: &self.provider,
            execution_status: &self.execution_status,
            executed_at: &self.executed_at,
            delivery_success: self.delivery_success,
            approval_decision_id: &self.approval_decision_id,
            run_id: &self.run_id,
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ClosureFields {
    #[serde(deserialize_with = "lenient::opt_text")]
    closure_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    playbook_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    provider: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    closure_state: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    closed_at: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ClosureRow {
    #[serde(deserialize_with = "lenient::opt_text")]
    created_at: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    closure_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    playbook_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    provider: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    closure_state: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    closed_at: Option<String>,
    connector_recovery_closure: Option<ClosureFields>,
}

impl ClosureRow {
    fn merged(self) -> ClosureFields {
        match self.connector_recovery_closure {
            Some(c) => ClosureFields {
                closure_id: c.closure_id,
                playbook_id: c.playbook_id.or(self.playbook_id),
                provider: c.provider.or(self.provider),
                closure_state: c.closure_state.or(self.closure_state),
                closed_at: c.closed_at,
            },
            None => ClosureFields {
                closure_id: self.closure_id,
                playbook_id: self.playbook_id,
                provider: self.provider,
                closure_state: self.closure_state,
                closed_at: self.closed_at,
            },
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ProviderEntry {
    #[serde(deserialize_with = "lenient::opt_text")]
    provider: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    category: Option<String>,
    #[serde(deserialize_with = "lenient::int")]
    failure_count: i64,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct PlaybookFields {
    #[serde(deserialize_with = "lenient::opt_text")]
    playbook_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    generated_at: Option<String>,
    #[serde(deserialize_with = "entries")]
    provider_playbooks: Vec<ProviderEntry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlaybookRow {
    #[serde(deserialize_with = "lenient::opt_text")]
    created_at: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    playbook_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    generated_at: Option<String>,
    #[serde(deserialize_with = "entries")]
    provider_playbooks: Vec<ProviderEntry>,
    connector_recovery_playbook: Option<PlaybookFields>,
}

impl PlaybookRow {
    fn merged(self) -> PlaybookFields {
        match self.connector_recovery_playbook {
            Some(p) => PlaybookFields { playbook_id: p.playbook_id.or(self.playbook_id), ..p },
            None => PlaybookFields {
                playbook_id: self.playbook_id,
                generated_at: self.generated_at,
                provider_playbooks: self.provider_playbooks,
            },
        }
    }
}

/// Provider entries that are objects (others are skipped, as the original skips them).
fn entries<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Vec<ProviderEntry>, D::Error> {
    let values: Vec<Value> = match Value::deserialize(d)? {
        Value::Array(a) => a,
        _ => Vec::new(),
    };
    Ok(values.into_iter().filter(Value::is_object).filter_map(|v| ProviderEntry::deserialize(v).ok()).collect())
}

/// The report's inputs: executions borrowed from wherever they were parsed (the host parses
/// index segments without copying), playbooks and closures owned.
#[derive(Debug, Default)]
pub struct ReportInput<'a> {
    pub executions: Vec<ExecRef<'a>>,
    pub playbooks: Vec<PlaybookRow>,
    pub closures: Vec<ClosureRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderSummary {
    pub provider: String,
    pub execution_count: usize,
    pub execution_delivered_count: usize,
    pub execution_failed_count: usize,
    pub execution_skipped_count: usize,
    pub recovery_playbook_count: usize,
    pub recovery_closure_count: usize,
    pub open_recovery_count: usize,
    pub slo_breached_count: usize,
    pub latest_execution_at: String,
    pub latest_closure_at: String,
}

impl ProviderSummary {
    fn new(provider: &str) -> Self {
        Self {
            provider: provider.into(),
            execution_count: 0,
            execution_delivered_count: 0,
            execution_failed_count: 0,
            execution_skipped_count: 0,
            recovery_playbook_count: 0,
            recovery_closure_count: 0,
            open_recovery_count: 0,
            slo_breached_count: 0,
            latest_execution_at: String::new(),
            latest_closure_at: String::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SloStatus {
    Breached,
    Closed,
    Open,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryRow {
    pub playbook_id: String,
    pub provider: String,
    pub category: String,
    pub failure_count: i64,
    pub generated_at: String,
    pub age_minutes: Option<i64>,
    pub recovery_slo_minutes: i64,
    pub closure_state: String,
    pub closure_id: String,
    pub closed_at: String,
    pub closure_minutes: Option<i64>,
    pub slo_status: SloStatus,
    pub slo_breached: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatestExecution {
    pub execution_id: String,
    pub provider: String,
    pub execution_status: String,
    pub executed_at: String,
    pub delivery_success: bool,
    pub approval_decision_id: String,
    pub run_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryReport {
    pub schema_version: String,
    pub product: String,
    pub report_id: String,
    pub generated_at: String,
    pub generated_by: String,
    pub alert_level: AlertLevel,
    pub recovery_slo_minutes: i64,
    pub execution_count: usize,
    pub execution_success_count: usize,
    pub execution_failed_count: usize,
    pub execution_success_rate: Option<f64>,
    pub execution_status_counts: Map<String, Value>,
    pub recovery_playbook_provider_count: usize,
    pub recovery_closed_count: usize,
    pub recovery_open_count: usize,
    pub recovery_slo_breached_count: usize,
    pub closure_state_counts: Map<String, Value>,
    pub provider_summary: Vec<ProviderSummary>,
    pub recovery_rows: Vec<RecoveryRow>,
    pub closure_trends: Vec<Map<String, Value>>,
    pub latest_executions: Vec<LatestExecution>,
    pub controls: Vec<String>,
}

/// Reads `recovery_slo_minutes` (default 240, 1..=525600).
pub fn parse_slo(value: Option<&str>) -> Result<i64> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(DEFAULT_SLO_MINUTES),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (1..=MAX_SLO_MINUTES).contains(&n) => Ok(n),
            _ => Err(EngineError::invalid("recovery_slo_minutes", format!("must be an integer between 1 and {MAX_SLO_MINUTES}"))),
        },
    }
}

fn bump(map: &mut Map<String, Value>, key: &str) {
    let n = map.get(key).and_then(Value::as_u64).unwrap_or(0) + 1;
    map.insert(key.to_string(), json!(n));
}

const CLOSED: [&str; 2] = ["resolved", "mitigated"];

/// Builds the report from execution records, playbooks and closures among `items`.
pub fn build_recovery_report(items: &[Value], slo_minutes: i64, generated_by: &str, now: Timestamp) -> Result<RecoveryReport> {
    let mut executions: Vec<ExecutionRow> = Vec::new();
    let mut input = ReportInput::default();
    for (i, row) in items.iter().enumerate() {
        match kind_of(row) {
            kinds::EXECUTION_RECORD => executions.push(view(row, i)?),
            kinds::RECOVERY_PLAYBOOK => input.playbooks.push(view(row, i)?),
            kinds::RECOVERY_CLOSURE => input.closures.push(view(row, i)?),
            _ => {}
        }
    }
    input.executions = executions.iter().map(ExecutionRow::as_ref).collect();
    build_recovery_report_from(input, slo_minutes, generated_by, now)
}

/// The newest `LATEST_EXECUTIONS` executions by `executed_at`, kept while streaming (ties keep
/// the earlier one, as a stable descending sort would).
/// Rank of an execution among the newest: later `executed_at` first, then later `created_at`
/// (the newest-first input order), then earlier arrival — a stable descending sort's order.
type Rank = (String, String, std::cmp::Reverse<usize>);

#[derive(Default)]
struct Newest {
    kept: Vec<(Rank, LatestExecution)>,
    /// Index of the lowest-ranked kept entry, once full.
    worst: Option<usize>,
}

impl Newest {
    /// Offers an execution (executed_at, created_at, arrival); `make` builds it only if kept.
    fn offer(&mut self, (at, created, arrival): (&str, &str, usize), make: impl FnOnce() -> LatestExecution) {
        if let Some(worst) = self.worst {
            let w = &self.kept[worst].0;
            if (at, created, std::cmp::Reverse(arrival)) <= (w.0.as_str(), w.1.as_str(), w.2) {
                return;
            }
            self.kept.swap_remove(worst);
        }
        self.kept.push(((at.to_string(), created.to_string(), std::cmp::Reverse(arrival)), make()));
        if self.kept.len() == LATEST_EXECUTIONS {
            self.worst = self.kept.iter().enumerate().min_by(|(_, a), (_, b)| a.0.cmp(&b.0)).map(|(i, _)| i);
        }
    }

    fn into_sorted(mut self) -> Vec<LatestExecution> {
        self.kept.sort_by(|a, b| b.0.cmp(&a.0));
        self.kept.into_iter().map(|(_, e)| e).collect()
    }
}

/// Provider summaries, found by name without allocating on a hit.
#[derive(Default)]
struct Summaries {
    index: HashMap<String, usize>,
    list: Vec<ProviderSummary>,
}

impl Summaries {
    fn index_of(&mut self, provider: &str) -> usize {
        match self.index.get(provider) {
            Some(&i) => i,
            None => {
                self.list.push(ProviderSummary::new(provider));
                self.index.insert(provider.to_string(), self.list.len() - 1);
                self.list.len() - 1
            }
        }
    }

    fn of(&mut self, provider: &str) -> &mut ProviderSummary {
        let i = self.index_of(provider);
        &mut self.list[i]
    }
}

fn created(c: &Option<String>) -> &str {
    c.as_deref().unwrap_or("")
}

/// Builds the report from typed inputs: one sort and one pass per input.
pub fn build_recovery_report_from(input: ReportInput<'_>, slo_minutes: i64, generated_by: &str, now: Timestamp) -> Result<RecoveryReport> {
    let ReportInput { executions, playbooks, closures } = input;
    let mut summary = Summaries::default();
    let mut status_counts = Map::new();
    let mut latest = Newest::default();
    let execution_count = executions.len();

    // Executions, in any order: every total is order-free, and the newest 20 are chosen with
    // the stable newest-first tie-break. Texts stay borrowed; per-row work is two lookups.
    let mut provider_slot: FxHashMap<&str, usize> = FxHashMap::default();
    let mut status_slot: FxHashMap<&str, usize> = FxHashMap::default();
    let mut statuses: Vec<(String, usize)> = Vec::new();
    for (index, e) in executions.iter().enumerate() {
        let slot = match provider_slot.get(e.provider) {
            Some(&slot) => slot,
            None => {
                let slot = summary.index_of(&normalize(if e.provider.is_empty() { "unknown" } else { e.provider }));
                provider_slot.insert(e.provider, slot);
                slot
            }
        };
        let status = if e.execution_status.is_empty() { "unknown" } else { e.execution_status };
        match status_slot.get(status) {
            Some(&k) => statuses[k].1 += 1,
            None => {
                status_slot.insert(status, statuses.len());
                statuses.push((status.to_string(), 1));
            }
        }
        let s = &mut summary.list[slot];
        s.execution_count += 1;
        match status {
            "delivered" => s.execution_delivered_count += 1,
            "skipped" => s.execution_skipped_count += 1,
            "failed" => s.execution_failed_count += 1,
            _ => {}
        }
        let executed_at = if e.executed_at.is_empty() { e.created_at } else { e.executed_at };
        if executed_at > s.latest_execution_at.as_str() {
            s.latest_execution_at = executed_at.to_string();
        }
        let provider = &summary.list[slot].provider;
        latest.offer((executed_at, e.created_at, index), || LatestExecution {
            execution_id: e.execution_id.to_string(),
            provider: provider.clone(),
            execution_status: status.to_string(),
            executed_at: executed_at.to_string(),
            delivery_success: e.delivery_success,
            approval_decision_id: e.approval_decision_id.to_string(),
            run_id: e.run_id.to_string(),
        });
    }
    statuses.sort();
    for (status, n) in statuses {
        status_counts.insert(status, json!(n));
    }

    // Closures, newest first: grouped per (playbook, provider), counted per state and UTC day.
    let mut grouped: HashMap<String, HashMap<String, Vec<ClosureFields>>> = HashMap::new();
    let mut state_counts = Map::new();
    let mut trends: Vec<Map<String, Value>> = Vec::new();
    let mut trend_index: HashMap<String, usize> = HashMap::new();
    let order = newest_first(&closures, |r| created(&r.created_at));
    let mut closures: Vec<Option<ClosureRow>> = closures.into_iter().map(Some).collect();
    for (position, i) in order.into_iter().enumerate() {
        let Some(row) = closures[i].take() else { continue };
        let created_at = row.created_at.clone().unwrap_or_default();
        let mut c = row.merged();
        let provider = normalize(c.provider.as_deref().unwrap_or("unknown"));
        let state = c.closure_state.clone().unwrap_or_else(|| "unknown".into());
        let closed_at = c.closed_at.clone().unwrap_or(created_at);
        let playbook_id = c.playbook_id.clone().unwrap_or_default();
        bump(&mut state_counts, &state);
        // Trends group by the UTC day of `closed_at` (an offset time can fall on another day).
        let day = match parse_time(Some(&closed_at), position, "closed_at") {
            Ok(Some(t)) => t.day(),
            _ if closed_at.len() >= 10 => closed_at[..10].to_string(),
            _ => "unknown".into(),
        };
        let t = *trend_index.entry(day.clone()).or_insert_with(|| {
            let mut m = Map::new();
            m.insert("date".into(), json!(day));
            m.insert("closure_count".into(), json!(0));
            for s in ["resolved", "mitigated", "deferred", "escalated", "reopened"] {
                m.insert(format!("{s}_count"), json!(0));
            }
            m.insert("provider_counts".into(), json!({}));
            trends.push(m);
            trends.len() - 1
        });
        bump(&mut trends[t], "closure_count");
        bump(&mut trends[t], &format!("{state}_count"));
        if let Some(Value::Object(pc)) = trends[t].get_mut("provider_counts") {
            bump(pc, &provider);
        }
        let s = summary.of(&provider);
        s.recovery_closure_count += 1;
        if closed_at > s.latest_closure_at {
            s.latest_closure_at = closed_at.clone();
        }
        c.provider = Some(provider.clone());
        c.closure_state = Some(state);
        grouped.entry(playbook_id).or_default().entry(provider).or_default().push(c);
    }

    // Playbooks, newest first: one recovery row per provider entry.
    let mut rows: Vec<RecoveryRow> = Vec::new();
    let order = newest_first(&playbooks, |r| created(&r.created_at));
    let mut playbooks: Vec<Option<PlaybookRow>> = playbooks.into_iter().map(Some).collect();
    for (position, i) in order.into_iter().enumerate() {
        let Some(row) = playbooks[i].take() else { continue };
        let created_at = row.created_at.clone().unwrap_or_default();
        let p = row.merged();
        let playbook_id = p.playbook_id.clone().unwrap_or_default();
        let generated_at = p.generated_at.clone().unwrap_or(created_at);
        let generated = parse_time(Some(&generated_at), position, "generated_at")?;
        let age = generated.map(|g| now.minutes_since(g));
        for entry in p.provider_playbooks {
            let provider = normalize(entry.provider.as_deref().unwrap_or("unknown"));
            let latest_closure = grouped.get(&playbook_id).and_then(|g| g.get(&provider)).and_then(|cs| {
                // Latest by closed_at; ties keep the newest-first order.
                cs.iter().enumerate().max_by(|(ia, a), (ib, b)| {
                    a.closed_at.as_deref().unwrap_or("").cmp(b.closed_at.as_deref().unwrap_or("")).then(ib.cmp(ia))
                })
            });
            let closure_state = latest_closure.and_then(|(_, c)| c.closure_state.clone()).unwrap_or_else(|| "open".into());
            let closed = CLOSED.contains(&closure_state.as_str());
            let breached = !closed && age.is_some_and(|a| a > slo_minutes);
            let closed_at = latest_closure.and_then(|(_, c)| c.closed_at.clone()).unwrap_or_default();
            let closure_minutes = match (Timestamp::parse(&closed_at).ok(), generated) {
                (Some(c), Some(g)) => Some(c.minutes_since(g)),
                _ => None,
            };
            let s = summary.of(&provider);
            s.recovery_playbook_count += 1;
            if !closed {
                s.open_recovery_count += 1;
            }
            if breached {
                s.slo_breached_count += 1;
            }
            rows.push(RecoveryRow {
                playbook_id: playbook_id.clone(),
                provider,
                category: entry.category.unwrap_or_else(|| "unknown".into()),
                failure_count: entry.failure_count,
                generated_at: generated_at.clone(),
                age_minutes: age,
                recovery_slo_minutes: slo_minutes,
                closure_state,
                closure_id: latest_closure.and_then(|(_, c)| c.closure_id.clone()).unwrap_or_default(),
                closed_at,
                closure_minutes,
                slo_status: if breached {
                    SloStatus::Breached
                } else if closed {
                    SloStatus::Closed
                } else {
                    SloStatus::Open
                },
                slo_breached: breached,
            });
        }
    }


    let count = |s: &str| status_counts.get(s).and_then(Value::as_u64).unwrap_or(0) as usize;
    let success = count("delivered");
    let failed = count("failed") + count("skipped");
    let closed = rows.iter().filter(|r| r.slo_status == SloStatus::Closed).count();
    let breached = rows.iter().filter(|r| r.slo_breached).count();
    let open = rows.len() - closed;
    let generated_at = now.to_iso();
    // The id's material is the report's time, actor, threshold and totals (the original also
    // hashed every row; with tens of thousands of rows that would dominate the report's cost).
    let report_id = stable_id(
        "gordackretryreport",
        &json!({"generated_at": generated_at, "generated_by": generated_by, "recovery_slo_minutes": slo_minutes,
                "execution_count": execution_count, "execution_status_counts": status_counts,
                "recovery_playbook_provider_count": rows.len(), "recovery_closed_count": closed,
                "recovery_slo_breached_count": breached, "closure_state_counts": state_counts}),
    );

    let mut provider_summary = summary.list;
    provider_summary.sort_by(|a, b| a.provider.cmp(&b.provider));
    // Breached first, then newest; ties keep their order.
    rows.sort_by(|a, b| (b.slo_breached, &b.generated_at).cmp(&(a.slo_breached, &a.generated_at)));
    let day = |m: &Map<String, Value>| m.get("date").and_then(Value::as_str).unwrap_or("").to_string();
    trends.sort_by_key(|m| std::cmp::Reverse(day(m)));
    let latest = latest.into_sorted();

    Ok(RecoveryReport {
        schema_version: schema!("retry-recovery-report").into(),
        product: kinds::PRODUCT.into(),
        report_id,
        generated_at,
        generated_by: generated_by.into(),
        alert_level: AlertLevel::from_flags(breached > 0 || failed > 0, open > 0),
        recovery_slo_minutes: slo_minutes,
        execution_count,
        execution_success_count: success,
        execution_failed_count: failed,
        execution_success_rate: (execution_count > 0).then(|| round4(success as f64 / execution_count as f64)),
        execution_status_counts: status_counts,
        recovery_playbook_provider_count: rows.len(),
        recovery_closed_count: closed,
        recovery_open_count: open,
        recovery_slo_breached_count: breached,
        closure_state_counts: state_counts,
        provider_summary,
        recovery_rows: rows,
        closure_trends: trends,
        latest_executions: latest,
        controls: vec![
            "retry-recovery-report-derived-from-public-safe-execution-and-closure-metadata".into(),
            "recovery-slo-report-contains-no-connector-secrets".into(),
            "closure-trends-aggregate-provider-and-state-counts-only".into(),
        ],
    })
}

impl RecoveryReport {
    pub fn metadata(&self) -> Value {
        MetaRow::new(
            &self.report_id,
            &self.generated_at,
            &self.generated_by,
            kinds::RECOVERY_REPORT,
            [
                self.recovery_playbook_provider_count as i64,
                (self.recovery_slo_breached_count + self.execution_failed_count) as i64,
                self.recovery_open_count as i64,
            ],
        )
        .with("report_id", &self.report_id)
        .with("alert_level", self.alert_level)
        .with("execution_count", self.execution_count)
        .with("execution_failed_count", self.execution_failed_count)
        .with("recovery_slo_breached_count", self.recovery_slo_breached_count)
        .nest("retry_recovery_report", self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec(at: &str, id: usize) -> LatestExecution {
        LatestExecution {
            execution_id: id.to_string(),
            provider: String::new(),
            execution_status: String::new(),
            executed_at: at.into(),
            delivery_success: false,
            approval_decision_id: String::new(),
            run_id: String::new(),
        }
    }

    #[test]
    fn newest_matches_a_stable_descending_sort() {
        // Many ties and out-of-order times.
        let times: Vec<String> = (0..200).map(|i| format!("2026-11-23T10:{:02}:00", (i * 37) % 13)).collect();
        let mut newest = Newest::default();
        for (i, t) in times.iter().enumerate() {
            newest.offer((t, "", i), || exec(t, i));
        }
        let mut all: Vec<LatestExecution> = times.iter().enumerate().map(|(i, t)| exec(t, i)).collect();
        all.sort_by(|a, b| b.executed_at.cmp(&a.executed_at));
        all.truncate(LATEST_EXECUTIONS);
        assert_eq!(newest.into_sorted(), all);
    }

    #[test]
    fn rounds_like_python() {
        assert_eq!(round4(2.0 / 3.0), 0.6667);
        assert_eq!(round4(0.12345), 0.1235);
        assert_eq!(round4(1.0), 1.0);
    }
}
