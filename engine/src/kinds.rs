//! The original's `metadata_kind` and `connector_delivery_source` strings.

macro_rules! audit_kind {
    ($suffix:literal) => {
        concat!("go-backend-rollback-drill-acknowledgement-audit-delivery", $suffix)
    };
}

macro_rules! audit_source {
    ($suffix:literal) => {
        concat!("go_backend_rollback_drill_acknowledgement_audit", $suffix)
    };
}

pub const CONNECTOR_DELIVERY: &str = "release-connector-delivery";
pub const AUDIT_PACKAGE: &str = "go-backend-rollback-drill-acknowledgement-audit-package";
pub const DELIVERY_PLAN: &str = audit_kind!("-plan");
pub const RETRY_PLAN: &str = audit_kind!("-retry-plan");
pub const RETRY_ACK: &str = audit_kind!("-retry-ack");
pub const WORKER_RUN: &str = audit_kind!("-worker-run");
pub const WORKER_HEALTH: &str = audit_kind!("-worker-health");
pub const WORKER_HEALTH_ALERT_PLAN: &str = audit_kind!("-worker-health-alert-plan");
pub const WORKER_HEALTH_ALERT_ACK: &str = audit_kind!("-worker-health-alert-ack");
pub const APPROVAL_PLAN: &str = audit_kind!("-retry-execution-approval-plan");
pub const APPROVAL_DECISION: &str = audit_kind!("-retry-execution-approval-decision");
pub const EXECUTION_RECORD: &str = audit_kind!("-retry-execution-record");
pub const RECOVERY_PLAYBOOK: &str = audit_kind!("-connector-recovery-playbook");
pub const RECOVERY_CLOSURE: &str = audit_kind!("-connector-recovery-closure");
pub const RECOVERY_REPORT: &str = audit_kind!("-retry-recovery-report");
pub const ESCALATION_PLAN: &str = audit_kind!("-recovery-escalation-plan");
pub const ESCALATION_ACK: &str = audit_kind!("-recovery-escalation-ack");
pub const ESCALATION_RETRY_PLAN: &str = audit_kind!("-recovery-escalation-delivery-retry-plan");
pub const ESCALATION_WORKER_RUN: &str = audit_kind!("-recovery-escalation-retry-worker-run");
pub const ESCALATION_EXECUTION_RECORD: &str = audit_kind!("-recovery-escalation-retry-execution-record");
pub const RETRY_HEALTH: &str = audit_kind!("-recovery-escalation-retry-health");
pub const RETRY_HEALTH_ALERT_PLAN: &str = audit_kind!("-recovery-escalation-retry-health-alert-plan");
pub const RETRY_HEALTH_ALERT_ACK: &str = audit_kind!("-recovery-escalation-retry-health-alert-ack");
pub const EXECUTIVE_REPORT: &str = audit_kind!("-recovery-executive-report");
pub const EXECUTIVE_SCHEDULE_RUN: &str = audit_kind!("-recovery-executive-report-schedule-run");
pub const EXECUTIVE_RETRY_PLAN: &str = audit_kind!("-recovery-executive-report-delivery-retry-plan");
pub const EXECUTIVE_WORKER_RUN: &str = audit_kind!("-recovery-executive-report-delivery-retry-worker-run");
pub const EXECUTIVE_EXECUTION_RECORD: &str = audit_kind!("-recovery-executive-report-delivery-retry-execution-record");

/// `connector_delivery_source` tags of delivery rows, one per flow.
pub mod source {
    pub const AUDIT: &str = audit_source!("");
    pub const WORKER_HEALTH_ALERT: &str = audit_source!("_worker_health_alert");
    pub const ESCALATION: &str = audit_source!("_recovery_escalation");
    pub const RETRY_HEALTH_ALERT: &str = audit_source!("_recovery_escalation_retry_health_alert");
    pub const EXECUTIVE_REPORT: &str = audit_source!("_recovery_executive_report");
}

/// Every kind this implementation writes, in a stable order (for dashboards and indexes).
pub const ALL: &[&str] = &[
    CONNECTOR_DELIVERY,
    AUDIT_PACKAGE,
    DELIVERY_PLAN,
    RETRY_PLAN,
    RETRY_ACK,
    WORKER_RUN,
    WORKER_HEALTH,
    WORKER_HEALTH_ALERT_PLAN,
    WORKER_HEALTH_ALERT_ACK,
    APPROVAL_PLAN,
    APPROVAL_DECISION,
    EXECUTION_RECORD,
    RECOVERY_PLAYBOOK,
    RECOVERY_CLOSURE,
    RECOVERY_REPORT,
    ESCALATION_PLAN,
    ESCALATION_ACK,
    ESCALATION_RETRY_PLAN,
    ESCALATION_WORKER_RUN,
    ESCALATION_EXECUTION_RECORD,
    RETRY_HEALTH,
    RETRY_HEALTH_ALERT_PLAN,
    RETRY_HEALTH_ALERT_ACK,
    EXECUTIVE_REPORT,
    EXECUTIVE_SCHEDULE_RUN,
    EXECUTIVE_RETRY_PLAN,
    EXECUTIVE_WORKER_RUN,
    EXECUTIVE_EXECUTION_RECORD,
];

/// The short, key-safe name of a kind (used in storage keys).
pub fn short_name(kind: &str) -> String {
    kind.strip_prefix("go-backend-rollback-drill-acknowledgement-audit-delivery-")
        .or_else(|| kind.strip_prefix("go-backend-rollback-drill-"))
        .unwrap_or(kind)
        .to_string()
}

/// Schema version of a record: `cavra.go-backend-pilot.rollback-drill-acknowledgement-audit-delivery-<thing>.v1`.
#[macro_export]
macro_rules! schema {
    ($thing:literal) => {
        concat!("cavra.go-backend-pilot.rollback-drill-acknowledgement-audit-delivery-", $thing, ".v1")
    };
}

pub const PRODUCT: &str = "CAVRA";
