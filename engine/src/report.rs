//! The retry recovery report (SPEC §5): execution outcomes, recovery SLO rows per playbook
//! provider, closure trends by UTC day. One pass over each input after one sort.

use crate::canonical::stable_id;
use crate::error::{EngineError, Result};
use crate::kinds;
use crate::lenient;
use crate::level::AlertLevel;
use crate::meta::MetaRow;
use crate::provider::normalize;
use crate::rows::{kind_of, newest_first, parse_time, payload, view};
use crate::schema;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

pub const DEFAULT_SLO_MINUTES: i64 = 240;
pub const MAX_SLO_MINUTES: i64 = 525_600;
pub const LATEST_EXECUTIONS: usize = 20;

/// `round(x, 4)` as Python does it (correctly rounded decimal).
pub fn round4(x: f64) -> f64 {
    format!("{x:.4}").parse().unwrap_or(x)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ExecutionView {
    #[serde(deserialize_with = "lenient::opt_text")]
    execution_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    provider: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    execution_status: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    executed_at: Option<String>,
    #[serde(deserialize_with = "lenient::flag")]
    delivery_success: bool,
    #[serde(deserialize_with = "lenient::opt_text")]
    approval_decision_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    run_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ClosureView {
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
struct PlaybookView {
    #[serde(deserialize_with = "lenient::opt_text")]
    playbook_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    generated_at: Option<String>,
    provider_playbooks: Vec<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ProviderEntryView {
    #[serde(deserialize_with = "lenient::opt_text")]
    provider: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    category: Option<String>,
    #[serde(deserialize_with = "lenient::int")]
    failure_count: i64,
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

fn created_at(row: &Value) -> &str {
    row.get("created_at").and_then(Value::as_str).unwrap_or("")
}

const CLOSED: [&str; 2] = ["resolved", "mitigated"];

/// Builds the report from execution records, playbooks and closures among `items`.
pub fn build_recovery_report(items: &[Value], slo_minutes: i64, generated_by: &str, now: Timestamp) -> Result<RecoveryReport> {
    let mut executions: Vec<(usize, &Value)> = Vec::new();
    let mut playbooks: Vec<(usize, &Value)> = Vec::new();
    let mut closures: Vec<(usize, &Value)> = Vec::new();
    for (i, row) in items.iter().enumerate() {
        match kind_of(row) {
            kinds::EXECUTION_RECORD => executions.push((i, row)),
            kinds::RECOVERY_PLAYBOOK => playbooks.push((i, row)),
            kinds::RECOVERY_CLOSURE => closures.push((i, row)),
            _ => {}
        }
    }
    let mut summary: HashMap<String, ProviderSummary> = HashMap::new();
    let mut status_counts = Map::new();
    let mut latest: Vec<LatestExecution> = Vec::new();

    // Executions, newest first.
    for i in newest_first(&executions, |(_, r)| created_at(r)) {
        let (index, row) = executions[i];
        let e: ExecutionView = view(payload(row, "retry_execution_record"), index)?;
        let top: ExecutionView = view(row, index)?;
        let provider = normalize(e.provider.or(top.provider).as_deref().unwrap_or("unknown"));
        let status = e.execution_status.or(top.execution_status).unwrap_or_else(|| "unknown".into());
        bump(&mut status_counts, &status);
        let s = summary.entry(provider.clone()).or_insert_with(|| ProviderSummary::new(&provider));
        s.execution_count += 1;
        match status.as_str() {
            "delivered" => s.execution_delivered_count += 1,
            "skipped" => s.execution_skipped_count += 1,
            "failed" => s.execution_failed_count += 1,
            _ => {}
        }
        let executed_at = e.executed_at.unwrap_or_else(|| created_at(row).to_string());
        if executed_at > s.latest_execution_at {
            s.latest_execution_at = executed_at.clone();
        }
        latest.push(LatestExecution {
            execution_id: e.execution_id.or(top.execution_id).unwrap_or_default(),
            provider,
            execution_status: status,
            executed_at,
            delivery_success: e.delivery_success,
            approval_decision_id: e.approval_decision_id.or(top.approval_decision_id).unwrap_or_default(),
            run_id: e.run_id.or(top.run_id).unwrap_or_default(),
        });
    }

    // Closures, newest first: grouped per (playbook, provider), counted per state and UTC day.
    let mut grouped: HashMap<(String, String), Vec<ClosureView>> = HashMap::new();
    let mut state_counts = Map::new();
    let mut trends: Vec<Map<String, Value>> = Vec::new();
    let mut trend_index: HashMap<String, usize> = HashMap::new();
    for i in newest_first(&closures, |(_, r)| created_at(r)) {
        let (index, row) = closures[i];
        let mut c: ClosureView = view(payload(row, "connector_recovery_closure"), index)?;
        let top: ClosureView = view(row, index)?;
        let provider = normalize(c.provider.clone().or(top.provider).as_deref().unwrap_or("unknown"));
        let state = c.closure_state.clone().or(top.closure_state).unwrap_or_else(|| "unknown".into());
        let closed_at = c.closed_at.clone().unwrap_or_else(|| created_at(row).to_string());
        let playbook_id = c.playbook_id.clone().or(top.playbook_id).unwrap_or_default();
        bump(&mut state_counts, &state);
        // Trends group by the UTC day of `closed_at` (an offset time can fall on another day).
        let day = match parse_time(Some(&closed_at), index, "closed_at") {
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
        let s = summary.entry(provider.clone()).or_insert_with(|| ProviderSummary::new(&provider));
        s.recovery_closure_count += 1;
        if closed_at > s.latest_closure_at {
            s.latest_closure_at = closed_at.clone();
        }
        c.provider = Some(provider.clone());
        c.closure_state = Some(state);
        grouped.entry((playbook_id, provider)).or_default().push(c);
    }

    // Playbooks, newest first: one recovery row per provider entry.
    let mut rows: Vec<RecoveryRow> = Vec::new();
    for i in newest_first(&playbooks, |(_, r)| created_at(r)) {
        let (index, row) = playbooks[i];
        let p: PlaybookView = view(payload(row, "connector_recovery_playbook"), index)?;
        let playbook_id = p.playbook_id.clone().or_else(|| row.get("playbook_id").map(lenient::text_of)).unwrap_or_default();
        let generated_at = p.generated_at.clone().unwrap_or_else(|| created_at(row).to_string());
        let generated = parse_time(Some(&generated_at), index, "generated_at")?;
        let age = generated.map(|g| now.minutes_since(g));
        for entry in &p.provider_playbooks {
            if !entry.is_object() {
                continue;
            }
            let entry: ProviderEntryView = view(entry, index)?;
            let provider = normalize(entry.provider.as_deref().unwrap_or("unknown"));
            let latest_closure = grouped.get(&(playbook_id.clone(), provider.clone())).and_then(|cs| {
                // Latest by closed_at; ties keep the newest-first order.
                cs.iter().enumerate().max_by(|(ia, a), (ib, b)| {
                    a.closed_at.as_deref().unwrap_or("").cmp(b.closed_at.as_deref().unwrap_or("")).then(ib.cmp(ia))
                })
            });
            let closure_state = latest_closure.and_then(|(_, c)| c.closure_state.clone()).unwrap_or_else(|| "open".into());
            let closed = CLOSED.contains(&closure_state.as_str());
            let breached = !closed && age.is_some_and(|a| a > slo_minutes);
            let closed_at = latest_closure.and_then(|(_, c)| c.closed_at.clone()).unwrap_or_default();
            let closure_minutes = match (parse_time(Some(&closed_at), index, "closed_at").ok().flatten(), generated) {
                (Some(c), Some(g)) => Some(c.minutes_since(g)),
                _ => None,
            };
            let s = summary.entry(provider.clone()).or_insert_with(|| ProviderSummary::new(&provider));
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

    let execution_count = latest.len();
    let count = |s: &str| status_counts.get(s).and_then(Value::as_u64).unwrap_or(0) as usize;
    let success = count("delivered");
    let failed = count("failed") + count("skipped");
    let closed = rows.iter().filter(|r| r.slo_status == SloStatus::Closed).count();
    let breached = rows.iter().filter(|r| r.slo_breached).count();
    let open = rows.len() - closed;
    let generated_at = now.to_iso();
    let report_id = stable_id(
        "gordackretryreport",
        &json!({"generated_at": generated_at, "execution_count": execution_count, "recovery_rows": rows, "recovery_slo_minutes": slo_minutes}),
    );

    let mut provider_summary: Vec<ProviderSummary> = summary.into_values().collect();
    provider_summary.sort_by(|a, b| a.provider.cmp(&b.provider));
    // Breached first, then newest; ties keep their order.
    rows.sort_by(|a, b| (b.slo_breached, &b.generated_at).cmp(&(a.slo_breached, &a.generated_at)));
    let day = |m: &Map<String, Value>| m.get("date").and_then(Value::as_str).unwrap_or("").to_string();
    trends.sort_by_key(|m| std::cmp::Reverse(day(m)));
    latest.sort_by(|a, b| b.executed_at.cmp(&a.executed_at));
    latest.truncate(LATEST_EXECUTIONS);

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
