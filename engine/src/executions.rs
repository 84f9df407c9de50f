//! Live retry execution records (SPEC §4): the evidence that an approved retry was attempted.

use crate::canonical::sha256_hex;
use crate::kinds;
use crate::meta::MetaRow;
use crate::schema;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecutionStatus {
    Delivered,
    Failed,
    Skipped,
}

impl ExecutionStatus {
    /// `skipped` when nothing was attempted, else by the delivery's success.
    pub fn of(skipped: Option<&str>, delivered: bool) -> Self {
        match (skipped, delivered) {
            (Some(_), _) => Self::Skipped,
            (None, true) => Self::Delivered,
            (None, false) => Self::Failed,
        }
    }
}

/// What the worker did for one approved audit retry decision.
#[derive(Debug, Clone, Default)]
pub struct ExecutionFacts<'a> {
    pub run_id: &'a str,
    pub retry_plan_id: &'a str,
    pub approval_decision_id: &'a str,
    pub approval_plan_id: &'a str,
    pub provider: &'a str,
    pub delivery_id: &'a str,
    pub audit_id: &'a str,
    pub delivery_plan_id: &'a str,
    pub delivery_metadata_id: &'a str,
    pub delivery_success: bool,
    pub selected_providers: Vec<String>,
    pub skipped: Option<&'a str>,
    pub executed_by: &'a str,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionRecord {
    pub schema_version: String,
    pub product: String,
    pub execution_id: String,
    pub execution_hash: String,
    pub execution_status: ExecutionStatus,
    pub executed_at: String,
    pub executed_by: String,
    pub run_id: String,
    pub retry_plan_id: String,
    pub approval_decision_id: String,
    pub approval_plan_id: String,
    pub delivery_id: String,
    pub audit_id: String,
    pub provider: String,
    pub skipped: String,
    pub delivery_plan_id: String,
    pub delivery_metadata_id: String,
    pub delivery_success: bool,
    pub selected_providers: Vec<String>,
    pub public_evidence_refs: Vec<String>,
    pub controls: Vec<String>,
}

/// `scheme://id` references, dropping those without an id.
pub fn evidence_refs(refs: &[(&str, &str)]) -> Vec<String> {
    refs.iter().filter(|(_, id)| !id.is_empty()).map(|(scheme, id)| format!("{scheme}://{id}")).collect()
}

pub fn build_execution_record(f: &ExecutionFacts<'_>, now: Timestamp) -> ExecutionRecord {
    let status = ExecutionStatus::of(f.skipped, f.delivery_success);
    let executed_at = now.to_iso();
    let hash = sha256_hex(&json!({
        "run_id": f.run_id, "retry_plan_id": f.retry_plan_id, "provider": f.provider,
        "delivery_id": f.delivery_id, "audit_id": f.audit_id, "approval_decision_id": f.approval_decision_id,
        "delivery_metadata_id": f.delivery_metadata_id, "execution_status": status, "executed_at": executed_at,
    }));
    ExecutionRecord {
        schema_version: schema!("retry-execution-record").into(),
        product: kinds::PRODUCT.into(),
        execution_id: format!("gordackretryexec-{}", &hash[..16]),
        execution_hash: hash,
        execution_status: status,
        executed_at,
        executed_by: f.executed_by.into(),
        run_id: f.run_id.into(),
        retry_plan_id: f.retry_plan_id.into(),
        approval_decision_id: f.approval_decision_id.into(),
        approval_plan_id: f.approval_plan_id.into(),
        delivery_id: f.delivery_id.into(),
        audit_id: f.audit_id.into(),
        provider: f.provider.into(),
        skipped: f.skipped.unwrap_or_default().into(),
        delivery_plan_id: f.delivery_plan_id.into(),
        delivery_metadata_id: f.delivery_metadata_id.into(),
        delivery_success: f.delivery_success,
        selected_providers: f.selected_providers.clone(),
        public_evidence_refs: evidence_refs(&[
            ("go-rollback-drill-retry-worker", f.run_id),
            ("go-rollback-drill-retry-approval", f.approval_decision_id),
            ("go-rollback-drill-audit-delivery", f.delivery_plan_id),
            ("connector-delivery", f.delivery_metadata_id),
        ]),
        controls: vec![
            "live-retry-execution-record-bound-to-approved-decision".into(),
            "execution-record-derived-from-public-safe-worker-and-delivery-metadata".into(),
            "execution-hash-covers-worker-approval-delivery-and-status".into(),
            "record-contains-no-connector-secret-or-private-endpoint".into(),
        ],
    }
}

impl ExecutionRecord {
    pub fn metadata(&self) -> Value {
        let blocked = i64::from(self.execution_status != ExecutionStatus::Delivered);
        MetaRow::new(&self.execution_id, &self.executed_at, &self.executed_by, kinds::EXECUTION_RECORD, [1, blocked, 0])
            .with("execution_id", &self.execution_id)
            .with("execution_hash", &self.execution_hash)
            .with("execution_status", self.execution_status)
            .with("run_id", &self.run_id)
            .with("retry_plan_id", &self.retry_plan_id)
            .with("approval_decision_id", &self.approval_decision_id)
            .with("delivery_id", &self.delivery_id)
            .with("audit_id", &self.audit_id)
            .with("provider", &self.provider)
            .with("delivery_success", self.delivery_success)
            .nest("retry_execution_record", self)
    }
}

/// What a live escalation or executive retry worker did for one decision.
#[derive(Debug, Clone, Default)]
pub struct RedeliveryFacts<'a> {
    pub worker_run_id: &'a str,
    pub retry_plan_id: &'a str,
    pub provider: &'a str,
    /// The escalation plan, or the executive schedule run, that was redelivered.
    pub subject_id: &'a str,
    pub executive_report_id: &'a str,
    pub latest_delivery_id: &'a str,
    pub delivery_metadata_id: &'a str,
    pub delivery_success: bool,
    pub selected_providers: Vec<String>,
    pub skipped: Option<&'a str>,
    pub executed_by: &'a str,
}

/// A live recovery escalation retry execution (SPEC §6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationExecution {
    pub schema_version: String,
    pub product: String,
    pub execution_id: String,
    pub execution_hash: String,
    pub execution_status: ExecutionStatus,
    pub executed_at: String,
    pub executed_by: String,
    pub run_id: String,
    pub retry_plan_id: String,
    pub plan_id: String,
    pub provider: String,
    pub skipped: String,
    pub delivery_metadata_id: String,
    pub delivery_success: bool,
    pub selected_providers: Vec<String>,
    pub public_evidence_refs: Vec<String>,
    pub controls: Vec<String>,
}

pub fn build_escalation_execution(f: &RedeliveryFacts<'_>, now: Timestamp) -> EscalationExecution {
    let status = ExecutionStatus::of(f.skipped, f.delivery_success);
    let executed_at = now.to_iso();
    let hash = sha256_hex(&json!({
        "run_id": f.worker_run_id, "retry_plan_id": f.retry_plan_id, "provider": f.provider, "plan_id": f.subject_id,
        "delivery_metadata_id": f.delivery_metadata_id, "execution_status": status, "executed_at": executed_at,
    }));
    EscalationExecution {
        schema_version: schema!("recovery-escalation-retry-execution-record").into(),
        product: kinds::PRODUCT.into(),
        execution_id: format!("gordackrecoveryescexec-{}", &hash[..16]),
        execution_hash: hash,
        execution_status: status,
        executed_at,
        executed_by: f.executed_by.into(),
        run_id: f.worker_run_id.into(),
        retry_plan_id: f.retry_plan_id.into(),
        plan_id: f.subject_id.into(),
        provider: f.provider.into(),
        skipped: f.skipped.unwrap_or_default().into(),
        delivery_metadata_id: f.delivery_metadata_id.into(),
        delivery_success: f.delivery_success,
        selected_providers: f.selected_providers.clone(),
        public_evidence_refs: evidence_refs(&[
            ("go-rollback-drill-recovery-escalation-retry-worker", f.worker_run_id),
            ("go-rollback-drill-recovery-escalation", f.subject_id),
            ("connector-delivery", f.delivery_metadata_id),
        ]),
        controls: vec![
            "recovery-escalation-retry-execution-bound-to-worker-run".into(),
            "execution-record-derived-from-public-safe-escalation-and-delivery-metadata".into(),
            "execution-hash-covers-worker-plan-delivery-and-status".into(),
            "record-contains-no-connector-secret-or-private-endpoint".into(),
        ],
    }
}

impl EscalationExecution {
    pub fn metadata(&self) -> Value {
        let blocked = i64::from(self.execution_status != ExecutionStatus::Delivered);
        MetaRow::new(&self.execution_id, &self.executed_at, &self.executed_by, kinds::ESCALATION_EXECUTION_RECORD, [1, blocked, 0])
            .with("execution_id", &self.execution_id)
            .with("execution_hash", &self.execution_hash)
            .with("execution_status", self.execution_status)
            .with("run_id", &self.run_id)
            .with("retry_plan_id", &self.retry_plan_id)
            .with("plan_id", &self.plan_id)
            .with("provider", &self.provider)
            .with("delivery_success", self.delivery_success)
            .nest("recovery_escalation_retry_execution_record", self)
    }
}

/// A live executive report delivery retry execution (SPEC §8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutiveExecution {
    pub schema_version: String,
    pub product: String,
    pub execution_id: String,
    pub execution_hash: String,
    pub execution_status: ExecutionStatus,
    pub executed_at: String,
    pub executed_by: String,
    pub worker_run_id: String,
    pub run_id: String,
    pub retry_plan_id: String,
    pub executive_report_id: String,
    pub latest_delivery_id: String,
    pub provider: String,
    pub skipped: String,
    pub delivery_metadata_id: String,
    pub delivery_success: bool,
    pub selected_providers: Vec<String>,
    pub public_evidence_refs: Vec<String>,
    pub controls: Vec<String>,
}

pub fn build_executive_execution(f: &RedeliveryFacts<'_>, now: Timestamp) -> ExecutiveExecution {
    let status = ExecutionStatus::of(f.skipped, f.delivery_success);
    let executed_at = now.to_iso();
    let hash = sha256_hex(&json!({
        "worker_run_id": f.worker_run_id, "run_id": f.subject_id, "retry_plan_id": f.retry_plan_id, "provider": f.provider,
        "delivery_metadata_id": f.delivery_metadata_id, "execution_status": status, "executed_at": executed_at,
    }));
    ExecutiveExecution {
        schema_version: schema!("recovery-executive-report-delivery-retry-execution-record").into(),
        product: kinds::PRODUCT.into(),
        execution_id: format!("gordackexecdeliveryexec-{}", &hash[..16]),
        execution_hash: hash,
        execution_status: status,
        executed_at,
        executed_by: f.executed_by.into(),
        worker_run_id: f.worker_run_id.into(),
        run_id: f.subject_id.into(),
        retry_plan_id: f.retry_plan_id.into(),
        executive_report_id: f.executive_report_id.into(),
        latest_delivery_id: f.latest_delivery_id.into(),
        provider: f.provider.into(),
        skipped: f.skipped.unwrap_or_default().into(),
        delivery_metadata_id: f.delivery_metadata_id.into(),
        delivery_success: f.delivery_success,
        selected_providers: f.selected_providers.clone(),
        public_evidence_refs: evidence_refs(&[
            ("go-rollback-drill-executive-delivery-retry-worker", f.worker_run_id),
            ("go-rollback-drill-executive-report-schedule-run", f.subject_id),
            ("connector-delivery", f.delivery_metadata_id),
        ]),
        controls: vec![
            "executive-delivery-retry-execution-bound-to-worker-run".into(),
            "execution-record-derived-from-public-safe-schedule-and-delivery-metadata".into(),
            "execution-hash-covers-worker-schedule-delivery-and-status".into(),
            "record-contains-no-connector-secret-or-private-endpoint".into(),
        ],
    }
}

impl ExecutiveExecution {
    pub fn metadata(&self) -> Value {
        let blocked = i64::from(self.execution_status != ExecutionStatus::Delivered);
        MetaRow::new(&self.execution_id, &self.executed_at, &self.executed_by, kinds::EXECUTIVE_EXECUTION_RECORD, [1, blocked, 0])
            .with("execution_id", &self.execution_id)
            .with("execution_hash", &self.execution_hash)
            .with("execution_status", self.execution_status)
            .with("worker_run_id", &self.worker_run_id)
            .with("run_id", &self.run_id)
            .with("retry_plan_id", &self.retry_plan_id)
            .with("executive_report_id", &self.executive_report_id)
            .with("provider", &self.provider)
            .with("delivery_success", self.delivery_success)
            .nest("recovery_executive_report_delivery_retry_execution_record", self)
    }
}
