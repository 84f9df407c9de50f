//! The recovery executive report, its scheduled runs and their public-safe delivery (SPEC §8).

use crate::canonical::stable_id;
use crate::escalation::EscalationPlan;
use crate::kinds;
use crate::level::AlertLevel;
use crate::meta::MetaRow;
use crate::report::{ProviderSummary, RecoveryReport};
use crate::schedule::{Schedule, ScheduleInput};
use crate::schema;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

pub const DEFAULT_MAX_RISKS: i64 = 10;
pub const DEFAULT_SCHEDULE_INTERVAL: u32 = 1440;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyRisk {
    pub severity: String,
    pub risk: String,
    pub count: usize,
    pub owner: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutiveSummary {
    pub status: AlertLevel,
    pub business_impact: String,
    pub execution_count: usize,
    pub failed_execution_count: usize,
    pub open_recovery_count: usize,
    pub slo_breached_count: usize,
    pub escalation_count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutiveReport {
    pub schema_version: String,
    pub product: String,
    pub executive_report_id: String,
    pub generated_at: String,
    pub generated_by: String,
    pub alert_level: AlertLevel,
    pub recovery_slo_minutes: i64,
    pub recovery_report_id: String,
    pub escalation_plan_id: String,
    pub executive_summary: ExecutiveSummary,
    pub provider_summary: Vec<ProviderSummary>,
    pub closure_trends: Vec<Map<String, Value>>,
    pub key_risks: Vec<KeyRisk>,
    pub recommended_actions: Vec<String>,
    pub controls: Vec<String>,
}

/// Builds the executive report from a recovery report and the escalation plan built from it.
pub fn build_executive_report(report: &RecoveryReport, plan: &EscalationPlan, generated_by: &str, now: Timestamp) -> ExecutiveReport {
    let risk = |severity: &str, risk: &str, count: usize| KeyRisk {
        severity: severity.into(),
        risk: risk.into(),
        count,
        owner: "release-governance".into(),
    };
    let mut key_risks = Vec::new();
    if report.execution_failed_count > 0 {
        key_risks.push(risk("critical", "Retry execution failed or was skipped", report.execution_failed_count));
    }
    if report.recovery_slo_breached_count > 0 {
        key_risks.push(risk("critical", "Connector recovery SLO breached", report.recovery_slo_breached_count));
    }
    if report.recovery_open_count > 0 {
        key_risks.push(risk("warning", "Connector recovery remains open", report.recovery_open_count));
    }
    let first_action = if plan.escalation_count > 0 {
        "deliver recovery escalation notifications to the selected operations channels"
    } else {
        "continue routine retry recovery monitoring"
    };
    let generated_at = now.to_iso();
    ExecutiveReport {
        schema_version: schema!("recovery-executive-report").into(),
        product: kinds::PRODUCT.into(),
        executive_report_id: stable_id(
            "gordackexecreport",
            &json!({"generated_at": generated_at, "recovery_report_id": report.report_id, "escalation_plan_id": plan.plan_id}),
        ),
        generated_at,
        generated_by: generated_by.into(),
        alert_level: plan.alert_level,
        recovery_slo_minutes: report.recovery_slo_minutes,
        recovery_report_id: report.report_id.clone(),
        escalation_plan_id: plan.plan_id.clone(),
        executive_summary: ExecutiveSummary {
            status: plan.alert_level,
            business_impact: if plan.critical_escalation_count > 0 {
                "Connector recovery requires leadership attention"
            } else {
                "Connector recovery is being monitored within operating tolerances"
            }
            .into(),
            execution_count: report.execution_count,
            failed_execution_count: report.execution_failed_count,
            open_recovery_count: report.recovery_open_count,
            slo_breached_count: report.recovery_slo_breached_count,
            escalation_count: plan.escalation_count,
        },
        provider_summary: report.provider_summary.clone(),
        closure_trends: report.closure_trends.clone(),
        key_risks,
        recommended_actions: vec![
            first_action.into(),
            "verify recovery closure evidence for each failed connector provider".into(),
            "review retry execution trends before enabling promoted Go backend mode".into(),
        ],
        controls: vec![
            "executive-report-derived-from-public-safe-retry-and-recovery-evidence".into(),
            "executive-report-contains-no-provider-secrets".into(),
            "report-links-escalation-plan-without-embedding-private-connector-config".into(),
        ],
    }
}

impl ExecutiveReport {
    pub fn metadata(&self) -> Value {
        let s = &self.executive_summary;
        MetaRow::new(
            &self.executive_report_id,
            &self.generated_at,
            &self.generated_by,
            kinds::EXECUTIVE_REPORT,
            [s.escalation_count as i64, (s.slo_breached_count + s.failed_execution_count) as i64, s.open_recovery_count as i64],
        )
        .with("executive_report_id", &self.executive_report_id)
        .with("recovery_report_id", &self.recovery_report_id)
        .with("escalation_plan_id", &self.escalation_plan_id)
        .with("alert_level", self.alert_level)
        .with("escalation_count", s.escalation_count)
        .nest("recovery_executive_report", self)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleSummary {
    pub executive_report_count: u32,
    pub escalation_count: usize,
    pub failed_execution_count: usize,
    pub open_recovery_count: usize,
    pub slo_breached_count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleRun {
    pub schema_version: String,
    pub product: String,
    pub run_id: String,
    pub generated_at: String,
    pub generated_by: String,
    pub alert_level: AlertLevel,
    pub schedule: Schedule,
    pub summary: ScheduleSummary,
    pub executive_report: ExecutiveReport,
    pub controls: Vec<String>,
}

/// A scheduled run of the executive report (interval default 1440 minutes).
pub fn build_schedule_run(report: ExecutiveReport, schedule: &ScheduleInput, generated_by: &str, now: Timestamp) -> ScheduleRun {
    let window = schedule.window(now);
    let s = &report.executive_summary;
    let summary = ScheduleSummary {
        executive_report_count: 1,
        escalation_count: s.escalation_count,
        failed_execution_count: s.failed_execution_count,
        open_recovery_count: s.open_recovery_count,
        slo_breached_count: s.slo_breached_count,
    };
    ScheduleRun {
        schema_version: schema!("recovery-executive-report-schedule-run").into(),
        product: kinds::PRODUCT.into(),
        run_id: stable_id(
            "gordackexecsched",
            &json!({"window_start": window.window_start, "report_id": report.executive_report_id, "generated_by": generated_by, "generated_at": now.to_iso()}),
        ),
        generated_at: now.to_iso(),
        generated_by: generated_by.into(),
        alert_level: report.alert_level,
        schedule: window,
        summary,
        executive_report: report,
        controls: vec![
            "scheduled-executive-report-derived-from-public-safe-recovery-evidence".into(),
            "schedule-run-contains-no-connector-secrets".into(),
            "private-notification-or-report-distribution-remains-outside-public-repo".into(),
        ],
    }
}

impl ScheduleRun {
    pub fn metadata(&self) -> Value {
        MetaRow::new(
            &self.run_id,
            &self.generated_at,
            &self.generated_by,
            kinds::EXECUTIVE_SCHEDULE_RUN,
            [1, (self.summary.slo_breached_count + self.summary.failed_execution_count) as i64, self.summary.open_recovery_count as i64],
        )
        .with("run_id", &self.run_id)
        .with("alert_level", self.alert_level)
        .with("escalation_count", self.summary.escalation_count)
        .nest("recovery_executive_report_schedule_run", self)
    }
}

/// The public-safe summary delivered for a schedule run: counts, key risks and ids only.
pub fn build_schedule_event(run: &ScheduleRun, generated_by: &str, max_risks: usize, now: Timestamp) -> Value {
    let title = format!("CAVRA recovery executive report {}", if run.run_id.is_empty() { "scheduled run" } else { &run.run_id });
    let summary = serde_json::to_value(&run.summary).unwrap_or_default();
    let risks: Vec<&KeyRisk> = run.executive_report.key_risks.iter().take(max_risks.max(1)).collect();
    let mut event = json!({
        "schema_version": schema!("recovery-executive-report-delivery-event"),
        "product": kinds::PRODUCT,
        "event_type": "cavra.go_backend.rollback_drill.acknowledgement_audit_delivery.recovery_executive_report",
        "session_id": run.run_id,
        "run_id": run.run_id,
        "executive_report_id": run.executive_report.executive_report_id,
        "generated_at": now.to_iso(),
        "generated_by": generated_by,
        "alert_level": run.alert_level,
        "title": title,
        "summary": summary,
        "key_risks": risks,
        "controls": [
            "executive-report-delivery-event-derived-from-scheduled-public-evidence",
            "delivery-event-contains-summary-and-evidence-references-only",
            "connector-secrets-remain-in-runtime-configuration",
        ],
    });
    let summary_text = crate::canonical::python_json_dumps_sorted(&summary);
    event["slack"] = json!({
        "text": title,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": format!("*{title}*")}},
            {"type": "section", "text": {"type": "mrkdwn", "text": summary_text}},
        ],
    });
    let payload = event.clone();
    event["webhook"] = json!({"event": event["event_type"], "payload": payload});
    let slack = event["slack"].clone();
    let webhook = event["webhook"].clone();
    event["provider_payloads"] = json!({"slack": slack, "webhook": webhook});
    event
}
