//! Retry workers (SPEC §2, §6, §8): a fresh plan, a schedule window, and the selection of
//! decisions to redeliver. Dry runs select every `retry` decision; live runs only those the
//! family's gate opens (an approval, an acknowledgement, or nothing for executive delivery).

use crate::canonical::stable_id;
use crate::error::Result;
use crate::input::Fields;
use crate::kinds;
use crate::meta::MetaRow;
use crate::policy::RetryPolicy;
use crate::retry::{RetryAction, RetryDecision, RetryFamily, RetryPlan, RetrySubject, build_retry_plan};
use crate::schedule::{Schedule, ScheduleInput};
use crate::schema;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub const MAX_RETRY_DELIVERIES: i64 = 25;

/// The parsed body of a worker-run request.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerParams {
    pub policy: RetryPolicy,
    pub schedule: ScheduleInput,
    pub dry_run: bool,
    pub max_retry_deliveries: usize,
    /// Provider used when a decision has none (live delivery only).
    pub provider: Option<String>,
    /// In-call delivery retries (live delivery only).
    pub retries: u32,
    pub timeout_seconds: f64,
}

impl WorkerParams {
    /// Reads a worker-run body. `dry_run` defaults to `not execute` (and so to true).
    pub fn parse(body: &Fields<'_>, family: RetryFamily) -> Result<Self> {
        let execute = body.bool(&["execute"])?.unwrap_or(false);
        let dry_run = body.bool(&["dry_run"])?.unwrap_or(!execute);
        let policy = RetryPolicy::parse(body.value("retry_policy"), "retry_policy", family.default_delay())?;
        let schedule = ScheduleInput::parse(body.value("schedule"), 60, true)?;
        let max = body.integer(&["max_retry_deliveries"], 1, MAX_RETRY_DELIVERIES)?.unwrap_or(5) as usize;
        let provider = body.string(&["provider"], 256)?;
        let retries = body.integer(&["retries"], 0, 5)?.unwrap_or(2) as u32;
        let timeout_seconds = body.number(&["timeout_seconds"], 0.1, 60.0)?.unwrap_or(10.0);
        Ok(Self { policy, schedule, dry_run, max_retry_deliveries: max, provider, retries, timeout_seconds })
    }
}

/// Counts of a worker run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerSummary {
    pub retry_plan_count: u32,
    pub retryable_count: usize,
    pub waiting_retry_count: usize,
    pub suppressed_retry_count: usize,
    pub selected_retry_count: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_pending_count: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledgement_pending_count: Option<usize>,
    pub follow_up_action_count: usize,
}

/// What opens a live run to a decision: an approval, an acknowledgement, or nothing.
pub trait Gate {
    fn allows(&self, decision: &RetryDecision) -> bool;
    /// ✚ Why, as a snake_case word for the follow-up action (`approved`, `denied`, `missing`...).
    fn status(&self, _decision: &RetryDecision) -> Option<String> {
        None
    }
}

impl<F: Fn(&RetryDecision) -> bool> Gate for F {
    fn allows(&self, decision: &RetryDecision) -> bool {
        self(decision)
    }
}

/// Whether a decision may be executed, as each family words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateState {
    DryRunNotRequired,
    Approved,
    ApprovalRequired,
    Accepted,
    AcknowledgementRequired,
    DryRun,
    SelectedForDeliveryRetry,
}

/// One follow-up action per plan decision, in each family's field order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FollowUpAction {
    Audit {
        action: RetryAction,
        provider: String,
        audit_id: String,
        delivery_id: String,
        reason: String,
        approval_state: GateState,
        /// ✚ The standing of the decision's approval, in live runs.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approval_status: Option<String>,
    },
    Escalation {
        action: RetryAction,
        provider: String,
        plan_id: String,
        reason: String,
        acknowledgement_state: GateState,
        /// ✚ The standing of the provider's acknowledgement, in live runs.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        acknowledgement_status: Option<String>,
    },
    Executive {
        action: RetryAction,
        provider: String,
        run_id: String,
        executive_report_id: String,
        reason: String,
        execution_state: GateState,
    },
}

/// A worker run record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerRun {
    pub schema_version: String,
    pub product: String,
    pub run_id: String,
    pub generated_at: String,
    pub generated_by: String,
    pub dry_run: bool,
    pub schedule: Schedule,
    pub summary: WorkerSummary,
    pub retry_plan: RetryPlan,
    pub selected_retries: Vec<RetryDecision>,
    pub follow_up_actions: Vec<FollowUpAction>,
    pub controls: Vec<String>,
}

struct WorkerSpec {
    kind: &'static str,
    nested_key: &'static str,
    schema_version: &'static str,
    id_prefix: &'static str,
    controls: &'static [&'static str],
}

fn spec(family: RetryFamily) -> WorkerSpec {
    match family {
        RetryFamily::AuditDelivery => WorkerSpec {
            kind: kinds::WORKER_RUN,
            nested_key: "acknowledgement_audit_delivery_worker_run",
            schema_version: schema!("worker-run"),
            id_prefix: "gordackworker",
            controls: &[
                "worker-run-derived-from-public-audit-delivery-metadata",
                "scheduled-worker-run-contains-no-connector-secrets",
                "dry-run-default-prevents-accidental-retry-delivery",
                "live-retry-delivery-requires-approved-retry-execution-decision",
                "idempotency-key-derived-from-schedule-window-and-input-metadata",
            ],
        },
        RetryFamily::EscalationDelivery => WorkerSpec {
            kind: kinds::ESCALATION_WORKER_RUN,
            nested_key: "recovery_escalation_retry_worker_run",
            schema_version: schema!("recovery-escalation-retry-worker-run"),
            id_prefix: "gordackrecoveryescworker",
            controls: &[
                "recovery-escalation-retry-worker-derived-from-public-delivery-metadata",
                "dry-run-default-prevents-accidental-escalation-redelivery",
                "live-recovery-escalation-retry-requires-accepted-operator-acknowledgement",
                "worker-run-contains-no-connector-secret-or-private-endpoint",
            ],
        },
        RetryFamily::ExecutiveDelivery => WorkerSpec {
            kind: kinds::EXECUTIVE_WORKER_RUN,
            nested_key: "recovery_executive_report_delivery_retry_worker_run",
            schema_version: schema!("recovery-executive-report-delivery-retry-worker-run"),
            id_prefix: "gordackexecdeliveryworker",
            controls: &[
                "executive-report-delivery-retry-worker-derived-from-public-delivery-metadata",
                "dry-run-default-prevents-accidental-executive-report-redelivery",
                "live-executive-report-delivery-retry-requires-explicit-execute-request",
                "worker-run-contains-no-connector-secret-or-private-endpoint",
            ],
        },
    }
}

/// Builds a worker run. `gate` says whether a live run may execute a `retry` decision.
pub fn build_worker_run(
    family: RetryFamily,
    items: &[Value],
    params: &WorkerParams,
    generated_by: &str,
    gate: &dyn Gate,
    now: Timestamp,
) -> Result<WorkerRun> {
    let spec = spec(family);
    let schedule = params.schedule.window(now);
    let plan = build_retry_plan(family, items, &params.policy, generated_by, now)?;
    let candidates: Vec<&RetryDecision> = plan.retry_decisions().collect();
    let gated = family != RetryFamily::ExecutiveDelivery;
    let selected: Vec<RetryDecision> = candidates
        .iter()
        .filter(|d| params.dry_run || !gated || gate.allows(d))
        .take(params.max_retry_deliveries)
        .map(|d| (*d).clone())
        .collect();
    let pending = if params.dry_run { 0 } else { candidates.len().saturating_sub(selected.len()) };

    let follow_up_actions: Vec<FollowUpAction> = plan
        .retry_decisions
        .iter()
        .map(|d| {
            let chosen = selected.contains(d);
            let status = if params.dry_run || d.action != RetryAction::Retry { None } else { gate.status(d) };
            follow_up(family, d, params.dry_run, chosen, status)
        })
        .collect();
    let summary = WorkerSummary {
        retry_plan_count: 1,
        retryable_count: plan.retryable_count,
        waiting_retry_count: plan.waiting_count,
        suppressed_retry_count: plan.suppressed_count,
        selected_retry_count: selected.len(),
        approval_pending_count: (family == RetryFamily::AuditDelivery).then_some(pending),
        acknowledgement_pending_count: (family == RetryFamily::EscalationDelivery).then_some(pending),
        follow_up_action_count: follow_up_actions.len(),
    };
    let run_id = stable_id(
        spec.id_prefix,
        &json!({
            "window_start": schedule.window_start,
            "generated_by": generated_by,
            "dry_run": params.dry_run,
            "retry_plan_id": plan.retry_plan_id,
            "selected": selected,
        }),
    );
    Ok(WorkerRun {
        schema_version: spec.schema_version.into(),
        product: kinds::PRODUCT.into(),
        run_id,
        generated_at: now.to_iso(),
        generated_by: generated_by.into(),
        dry_run: params.dry_run,
        schedule,
        summary,
        retry_plan: plan,
        selected_retries: selected,
        follow_up_actions,
        controls: spec.controls.iter().map(|c| c.to_string()).collect(),
    })
}

fn follow_up(family: RetryFamily, d: &RetryDecision, dry_run: bool, chosen: bool, status: Option<String>) -> FollowUpAction {
    let (action, provider, reason) = (d.action, d.provider.clone(), d.reason.clone());
    match (&d.subject, family) {
        (RetrySubject::Audit { delivery_id, audit_id }, _) => FollowUpAction::Audit {
            action,
            provider,
            audit_id: audit_id.clone(),
            delivery_id: delivery_id.clone(),
            reason,
            approval_state: if dry_run {
                GateState::DryRunNotRequired
            } else if chosen {
                GateState::Approved
            } else {
                GateState::ApprovalRequired
            },
            approval_status: status,
        },
        (RetrySubject::Escalation { plan_id }, _) => FollowUpAction::Escalation {
            action,
            provider,
            plan_id: plan_id.clone(),
            reason,
            acknowledgement_state: if dry_run {
                GateState::DryRunNotRequired
            } else if chosen {
                GateState::Accepted
            } else {
                GateState::AcknowledgementRequired
            },
            acknowledgement_status: status,
        },
        (RetrySubject::Executive { run_id, executive_report_id }, _) => FollowUpAction::Executive {
            action,
            provider,
            run_id: run_id.clone(),
            executive_report_id: executive_report_id.clone(),
            reason,
            execution_state: if dry_run { GateState::DryRun } else { GateState::SelectedForDeliveryRetry },
        },
    }
}

impl WorkerRun {
    /// The stored metadata row.
    pub fn metadata(&self, family: RetryFamily) -> Value {
        let spec = spec(family);
        MetaRow::new(
            &self.run_id,
            &self.generated_at,
            &self.generated_by,
            spec.kind,
            [
                self.summary.follow_up_action_count as i64,
                self.summary.suppressed_retry_count as i64,
                self.summary.selected_retry_count as i64,
            ],
        )
        .with("run_id", &self.run_id)
        .with("dry_run", self.dry_run)
        .with("retryable_count", self.summary.retryable_count)
        .with("selected_retry_count", self.summary.selected_retry_count)
        .nest(spec.nested_key, self)
    }
}
