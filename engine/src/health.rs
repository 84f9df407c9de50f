//! Worker freshness and retry health (SPEC §2 worker health, §7 recovery escalation retry
//! health): missed runs, stale plans, acknowledgement gaps, failed executions, disabled schedules.

use crate::canonical::stable_id;
use crate::error::{EngineError, Result};
use crate::kinds::{self, source};
use crate::lenient::int_of;
use crate::level::AlertLevel;
use crate::meta::MetaRow;
use crate::rows::{DeliveryRow, kind_of, newest_first, payload, view};
use crate::schema;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub const MAX_INTERVAL_MINUTES: i64 = 10_080;
pub const MAX_STALE_MINUTES: i64 = 525_600;

/// `expected_interval_minutes` and `stale_metadata_minutes`, validated (400 on bad values).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HealthParams {
    pub expected_interval_minutes: i64,
    pub stale_metadata_minutes: i64,
}

impl HealthParams {
    /// Reads the two thresholds from query text (absent = default).
    pub fn parse(interval: Option<&str>, stale: Option<&str>, default_interval: i64, default_stale: i64) -> Result<Self> {
        let read = |text: Option<&str>, name: &str, default: i64, max: i64| -> Result<i64> {
            match text.map(str::trim).filter(|t| !t.is_empty()) {
                None => Ok(default),
                Some(t) => match t.parse::<i64>() {
                    Ok(n) if (1..=max).contains(&n) => Ok(n),
                    _ => Err(EngineError::invalid(name, format!("must be an integer between 1 and {max}"))),
                },
            }
        };
        Ok(Self {
            expected_interval_minutes: read(interval, "expected_interval_minutes", default_interval, MAX_INTERVAL_MINUTES)?,
            stale_metadata_minutes: read(stale, "stale_metadata_minutes", default_stale, MAX_STALE_MINUTES)?,
        })
    }
}

/// One alert of a health report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthAlert {
    pub severity: String,
    pub category: String,
    pub message: String,
}

fn alert(severity: &str, category: &str, message: String) -> HealthAlert {
    HealthAlert { severity: severity.into(), category: category.into(), message }
}

fn level_of(alerts: &[HealthAlert]) -> AlertLevel {
    AlertLevel::from_flags(alerts.iter().any(|a| a.severity == "critical"), !alerts.is_empty())
}

/// The newest row of a kind and its age in whole minutes (`None` when absent, unreadable or
/// in the future — a future row is not "missed", as in the original).
fn latest_with_age<'a>(rows: &[&'a Value], now: Timestamp) -> (Option<&'a Value>, Option<Timestamp>, Option<i64>) {
    let order = newest_first(rows, |r| r.get("created_at").and_then(Value::as_str).unwrap_or(""));
    let Some(&first) = order.first() else { return (None, None, None) };
    let row = rows[first];
    let at = row.get("created_at").and_then(Value::as_str).and_then(|s| Timestamp::parse(s).ok());
    let age = at.filter(|t| now >= *t).map(|t| now.minutes_since(t));
    (Some(row), at, age)
}

fn id_of(row: Option<&Value>, key: &str) -> Option<String> {
    let row = row?;
    row.get(key).or_else(|| row.get("session_id")).and_then(Value::as_str).map(str::to_string)
}

fn count(row: &Value, nested: &str, key: &str) -> i64 {
    let from_summary = payload(row, nested).get("summary").and_then(|s| s.get(key)).map_or(0, int_of);
    if from_summary != 0 { from_summary } else { row.get(key).map_or(0, int_of) }
}

fn schedule_disabled(row: &Value, nested: &str) -> bool {
    payload(row, nested).get("schedule").and_then(|s| s.get("enabled")) == Some(&Value::Bool(false))
}

/// The audit retry worker's health (`GET P/worker-health`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerHealth {
    pub schema_version: String,
    pub product: String,
    pub health_id: String,
    pub generated_at: String,
    pub alert_level: AlertLevel,
    pub expected_interval_minutes: i64,
    pub missed_after_minutes: i64,
    pub stale_metadata_minutes: i64,
    pub run_count: usize,
    pub retry_plan_count: usize,
    pub retryable_count: i64,
    pub selected_retry_count: i64,
    pub missed_run_count: u32,
    pub failed_job_count: usize,
    pub disabled_schedule_count: usize,
    pub stale_retry_plan_count: u32,
    pub connector_delivery_failure_count: usize,
    pub latest_run_id: Option<String>,
    pub latest_run_at: Option<String>,
    pub latest_run_age_minutes: Option<i64>,
    pub latest_retry_plan_id: Option<String>,
    pub latest_retry_plan_age_minutes: Option<i64>,
    pub failed_deliveries: Vec<Value>,
    pub alerts: Vec<HealthAlert>,
    pub recommendations: Vec<String>,
    pub latest: Vec<Value>,
}

pub fn build_worker_health(items: &[Value], params: HealthParams, now: Timestamp) -> Result<WorkerHealth> {
    let missed_after = params.expected_interval_minutes * 2;
    let mut runs: Vec<&Value> = Vec::new();
    let mut plans: Vec<&Value> = Vec::new();
    let mut failures: Vec<&Value> = Vec::new();
    for (i, row) in items.iter().enumerate() {
        match kind_of(row) {
            kinds::WORKER_RUN => runs.push(row),
            kinds::RETRY_PLAN => plans.push(row),
            kinds::CONNECTOR_DELIVERY => {
                let d: DeliveryRow = view(row, i)?;
                if d.is_from(source::AUDIT) && !d.delivery_success {
                    failures.push(row);
                }
            }
            _ => {}
        }
    }
    let nested = "acknowledgement_audit_delivery_worker_run";
    let (latest_run, latest_run_at, run_age) = latest_with_age(&runs, now);
    let (latest_plan, plan_at, plan_age) = latest_with_age(&plans, now);
    let missed = u32::from(latest_run_at.is_none() || run_age.unwrap_or(0) > missed_after);
    let stale = u32::from(plan_at.is_none() || plan_age.unwrap_or(0) > params.stale_metadata_minutes);
    let retryable: i64 = runs.iter().map(|r| count(r, nested, "retryable_count")).sum();
    let selected: i64 = runs.iter().map(|r| count(r, nested, "selected_retry_count")).sum();
    let failed_jobs = runs
        .iter()
        .filter(|r| {
            let status = payload(r, nested).get("status").or_else(|| r.get("status")).and_then(Value::as_str).unwrap_or("");
            matches!(status.to_lowercase().as_str(), "failed" | "error" | "timeout" | "cancelled")
        })
        .count();
    let disabled = runs.iter().filter(|r| schedule_disabled(r, nested)).count();
    let mut alerts = Vec::new();
    if missed > 0 {
        alerts.push(alert("critical", "missed_worker_run", "No acknowledgement audit retry worker run completed inside the expected schedule window.".into()));
    }
    if failed_jobs > 0 {
        alerts.push(alert("critical", "failed_worker_run", format!("{failed_jobs} acknowledgement audit retry worker runs reported a failed status.")));
    }
    if retryable > 0 {
        alerts.push(alert("warning", "retryable_deliveries", format!("{retryable} failed acknowledgement audit deliveries remain retryable.")));
    }
    if !failures.is_empty() {
        alerts.push(alert("warning", "connector_failure", format!("{} acknowledgement audit connector delivery attempts failed.", failures.len())));
    }
    if stale > 0 {
        alerts.push(alert("warning", "stale_retry_plan", "Acknowledgement audit retry plan metadata is missing or stale.".into()));
    }
    if disabled > 0 {
        alerts.push(alert("warning", "disabled_schedule", format!("{disabled} worker runs reported disabled schedules.")));
    }
    let latest_run_id = id_of(latest_run, "run_id");
    let generated_at = now.to_iso();
    let failure_order = newest_first(&failures, |r| r.get("created_at").and_then(Value::as_str).unwrap_or(""));
    let run_order = newest_first(&runs, |r| r.get("created_at").and_then(Value::as_str).unwrap_or(""));
    Ok(WorkerHealth {
        schema_version: schema!("worker-health").into(),
        product: kinds::PRODUCT.into(),
        health_id: stable_id(
            "gordackhealth",
            &json!({"generated_at": generated_at, "latest_run_id": latest_run_id, "retryable_count": retryable, "alerts": alerts}),
        ),
        generated_at,
        alert_level: level_of(&alerts),
        expected_interval_minutes: params.expected_interval_minutes,
        missed_after_minutes: missed_after,
        stale_metadata_minutes: params.stale_metadata_minutes,
        run_count: runs.len(),
        retry_plan_count: plans.len(),
        retryable_count: retryable,
        selected_retry_count: selected,
        missed_run_count: missed,
        failed_job_count: failed_jobs,
        disabled_schedule_count: disabled,
        stale_retry_plan_count: stale,
        connector_delivery_failure_count: failures.len(),
        latest_run_id,
        latest_run_at: latest_run_at.map(Timestamp::to_iso),
        latest_run_age_minutes: run_age,
        latest_retry_plan_id: id_of(latest_plan, "retry_plan_id"),
        latest_retry_plan_age_minutes: plan_age,
        failed_deliveries: failure_order.iter().take(10).map(|&i| failures[i].clone()).collect(),
        alerts,
        recommendations: vec![
            "Review retryable acknowledgement audit deliveries and acknowledge the retry decision owner.".into(),
            "Run the worker in dry-run mode before enabling guarded retry execution.".into(),
            "Check connector delivery evidence for repeated SIEM, ITSM, ChatOps, or webhook failures.".into(),
            "Refresh retry plans when retry metadata is stale.".into(),
        ],
        latest: run_order.iter().take(10).map(|&i| runs[i].clone()).collect(),
    })
}

/// The recovery escalation retry worker's health (`GET P/recovery-escalations/retry-health`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetryHealth {
    pub schema_version: String,
    pub product: String,
    pub health_id: String,
    pub generated_at: String,
    pub generated_by: String,
    pub alert_level: AlertLevel,
    pub expected_interval_minutes: i64,
    pub stale_metadata_minutes: i64,
    pub latest_worker_run_id: Option<String>,
    pub latest_worker_age_minutes: Option<i64>,
    pub latest_retry_plan_id: Option<String>,
    pub latest_retry_plan_age_minutes: Option<i64>,
    pub retry_plan_count: usize,
    pub worker_run_count: usize,
    pub execution_record_count: usize,
    pub retryable_count: i64,
    pub selected_retry_count: i64,
    pub acknowledgement_pending_count: i64,
    pub missed_worker_count: u32,
    pub stale_retry_plan_count: u32,
    pub failed_recovery_escalation_delivery_count: usize,
    pub failed_execution_count: usize,
    pub delivered_execution_count: usize,
    pub disabled_schedule_count: usize,
    pub alert_count: usize,
    pub alerts: Vec<HealthAlert>,
    pub recommended_actions: Vec<String>,
    pub controls: Vec<String>,
}

pub fn build_retry_health(items: &[Value], params: HealthParams, generated_by: &str, now: Timestamp) -> Result<RetryHealth> {
    let missed_after = params.expected_interval_minutes * 2;
    let mut plans: Vec<&Value> = Vec::new();
    let mut runs: Vec<&Value> = Vec::new();
    let mut executions: Vec<&Value> = Vec::new();
    let mut failed_deliveries = 0;
    for (i, row) in items.iter().enumerate() {
        match kind_of(row) {
            kinds::ESCALATION_RETRY_PLAN => plans.push(row),
            kinds::ESCALATION_WORKER_RUN => runs.push(row),
            kinds::ESCALATION_EXECUTION_RECORD => executions.push(row),
            kinds::CONNECTOR_DELIVERY => {
                let d: DeliveryRow = view(row, i)?;
                if d.is_from(source::ESCALATION) && !d.delivery_success {
                    failed_deliveries += 1;
                }
            }
            _ => {}
        }
    }
    let nested = "recovery_escalation_retry_worker_run";
    let (latest_run, run_at, run_age) = latest_with_age(&runs, now);
    let (latest_plan, plan_at, plan_age) = latest_with_age(&plans, now);
    let missed = u32::from(run_at.is_none() || run_age.unwrap_or(0) > missed_after);
    let stale = u32::from(plan_at.is_none() || plan_age.unwrap_or(0) > params.stale_metadata_minutes);
    let retryable: i64 = plans.iter().map(|r| r.get("retryable_count").map_or(0, int_of)).sum();
    let selected: i64 = runs.iter().map(|r| count(r, nested, "selected_retry_count")).sum();
    let pending: i64 =
        runs.iter().map(|r| payload(r, nested).get("summary").and_then(|s| s.get("acknowledgement_pending_count")).map_or(0, int_of)).sum();
    let disabled = runs.iter().filter(|r| schedule_disabled(r, nested)).count();
    let status = |r: &Value| r.get("execution_status").and_then(Value::as_str).unwrap_or("").to_string();
    let failed = executions.iter().filter(|r| matches!(status(r).as_str(), "failed" | "skipped")).count();
    let delivered = executions.iter().filter(|r| status(r) == "delivered").count();
    let mut alerts = Vec::new();
    if missed > 0 {
        alerts.push(alert("critical", "missed_recovery_escalation_retry_worker", "No recovery escalation retry worker run completed inside the expected schedule window.".into()));
    }
    if stale > 0 {
        alerts.push(alert("warning", "stale_recovery_escalation_retry_plan", "Recovery escalation retry plan metadata is stale or missing.".into()));
    }
    if pending > 0 {
        alerts.push(alert("warning", "recovery_escalation_acknowledgement_gap", "One or more recovery escalation retries require accepted provider acknowledgement.".into()));
    }
    if failed > 0 {
        alerts.push(alert("critical", "failed_recovery_escalation_retry_execution", "Recovery escalation retry execution has failed or skipped records.".into()));
    }
    if disabled > 0 {
        alerts.push(alert("warning", "disabled_recovery_escalation_retry_schedule", "Recovery escalation retry worker schedule is disabled in at least one run.".into()));
    }
    let latest_worker_run_id = id_of(latest_run, "run_id");
    let latest_retry_plan_id = id_of(latest_plan, "retry_plan_id");
    let generated_at = now.to_iso();
    Ok(RetryHealth {
        schema_version: schema!("recovery-escalation-retry-health").into(),
        product: kinds::PRODUCT.into(),
        health_id: stable_id(
            "gordackrecoveryeschealth",
            &json!({"generated_at": generated_at, "latest_worker": latest_worker_run_id, "latest_retry_plan": latest_retry_plan_id, "alert_count": alerts.len()}),
        ),
        generated_at,
        generated_by: generated_by.into(),
        alert_level: level_of(&alerts),
        expected_interval_minutes: params.expected_interval_minutes,
        stale_metadata_minutes: params.stale_metadata_minutes,
        latest_worker_run_id,
        latest_worker_age_minutes: run_age,
        latest_retry_plan_id,
        latest_retry_plan_age_minutes: plan_age,
        retry_plan_count: plans.len(),
        worker_run_count: runs.len(),
        execution_record_count: executions.len(),
        retryable_count: retryable,
        selected_retry_count: selected,
        acknowledgement_pending_count: pending,
        missed_worker_count: missed,
        stale_retry_plan_count: stale,
        failed_recovery_escalation_delivery_count: failed_deliveries,
        failed_execution_count: failed,
        delivered_execution_count: delivered,
        disabled_schedule_count: disabled,
        alert_count: alerts.len(),
        alerts,
        recommended_actions: vec![
            "run recovery escalation retry worker in dry-run mode".into(),
            "record accepted recovery escalation acknowledgement before live retry execution".into(),
            "review failed retry execution records before increasing retry attempts".into(),
            "confirm scheduled executive report delivery retry plans are current".into(),
        ],
        controls: vec![
            "recovery-escalation-retry-health-derived-from-public-safe-metadata".into(),
            "health-report-contains-no-connector-secret-or-private-endpoint".into(),
            "acknowledgement-gaps-are-reported-without-private-incident-payloads".into(),
        ],
    })
}

impl RetryHealth {
    pub fn metadata(&self) -> Value {
        MetaRow::new(
            &self.health_id,
            &self.generated_at,
            &self.generated_by,
            kinds::RETRY_HEALTH,
            [self.worker_run_count as i64, (self.failed_execution_count + self.missed_worker_count as usize) as i64, self.acknowledgement_pending_count],
        )
        .with("health_id", &self.health_id)
        .with("alert_level", self.alert_level)
        .with("alert_count", self.alert_count)
        .with("failed_execution_count", self.failed_execution_count)
        .with("acknowledgement_pending_count", self.acknowledgement_pending_count)
        .nest("recovery_escalation_retry_health", self)
    }
}
