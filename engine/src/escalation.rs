//! Recovery escalation (SPEC §6): routes for breached and open recoveries and for providers
//! with failed executions; the event delivered to operations channels; provider
//! acknowledgements, which gate live escalation retries.

use crate::canonical::stable_id;
use crate::error::{EngineError, Result};
use crate::input::Fields;
use crate::kinds;
use crate::lenient;
use crate::level::AlertLevel;
use crate::meta::MetaRow;
use crate::provider::normalize;
use crate::redact::redact;
use crate::report::{RecoveryReport, SloStatus, round4};
use crate::retry::RetryDecision;
use crate::rows::{kind_of, newest_first, view};
use crate::schema;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};

pub const DEFAULT_MAX_ROUTES: i64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    Warning,
}

/// One escalation route (SPEC §6 field names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationRoute {
    pub provider: String,
    pub category: String,
    pub severity: Severity,
    pub reason: String,
    pub recommended_action: String,
    pub playbook_id: String,
    pub closure_state: String,
    pub age_minutes: Option<i64>,
    pub recovery_slo_minutes: i64,
    pub failure_count: i64,
    pub slo_status: String,
    pub slo_breached: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutiveSummary {
    pub status: AlertLevel,
    pub tracked_provider_count: usize,
    pub execution_count: usize,
    pub failed_execution_count: usize,
    pub open_recovery_count: usize,
    pub slo_breached_count: usize,
    pub closure_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationPlan {
    pub schema_version: String,
    pub product: String,
    pub plan_id: String,
    pub generated_at: String,
    pub generated_by: String,
    pub alert_level: AlertLevel,
    pub recovery_slo_minutes: i64,
    pub recovery_report_id: String,
    pub escalation_count: usize,
    pub critical_escalation_count: usize,
    pub slo_breached_count: usize,
    pub failed_execution_count: usize,
    pub open_recovery_count: usize,
    pub provider_count: usize,
    pub selected_providers: Vec<String>,
    pub escalation_routes: Vec<EscalationRoute>,
    pub executive_summary: ExecutiveSummary,
    pub controls: Vec<String>,
}

/// Builds the plan from a recovery report computed at the same `now`.
pub fn build_escalation_plan(report: &RecoveryReport, generated_by: &str, now: Timestamp) -> EscalationPlan {
    let slo = report.recovery_slo_minutes;
    let mut routes: Vec<EscalationRoute> = Vec::new();
    for row in &report.recovery_rows {
        let (severity, reason, action) = match row.slo_status {
            SloStatus::Breached => (Severity::Critical, "recovery SLO breached", "page release owner and require executive visibility"),
            SloStatus::Open => (Severity::Warning, "connector recovery remains open", "notify release owner for recovery follow-up"),
            SloStatus::Closed => continue,
        };
        routes.push(EscalationRoute {
            provider: if row.provider.is_empty() { "unknown".into() } else { row.provider.clone() },
            category: row.category.clone(),
            severity,
            reason: reason.into(),
            recommended_action: action.into(),
            playbook_id: row.playbook_id.clone(),
            closure_state: row.closure_state.clone(),
            age_minutes: row.age_minutes,
            recovery_slo_minutes: row.recovery_slo_minutes,
            failure_count: row.failure_count,
            slo_status: serde_json::to_value(row.slo_status).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
            slo_breached: row.slo_breached,
        });
    }
    for p in &report.provider_summary {
        let failed = (p.execution_failed_count + p.execution_skipped_count) as i64;
        if failed > 0 {
            routes.push(EscalationRoute {
                provider: p.provider.clone(),
                category: "retry-execution".into(),
                severity: Severity::Critical,
                reason: "failed or skipped retry execution".into(),
                recommended_action: "notify release owner and verify connector recovery closure evidence".into(),
                playbook_id: String::new(),
                closure_state: "review_required".into(),
                age_minutes: None,
                recovery_slo_minutes: slo,
                failure_count: failed,
                slo_status: "review_required".into(),
                slo_breached: false,
            });
        }
    }
    // Critical first, then more failures, then older; ties keep their order.
    routes.sort_by(|a, b| {
        let key = |r: &EscalationRoute| (r.severity == Severity::Critical, r.failure_count, r.age_minutes.unwrap_or(0));
        key(b).cmp(&key(a))
    });
    let critical = routes.iter().filter(|r| r.severity == Severity::Critical).count();
    let providers: BTreeSet<String> = routes.iter().map(|r| r.provider.clone()).filter(|p| !p.is_empty()).collect();
    let alert_level = AlertLevel::from_flags(critical > 0, !routes.is_empty());
    let generated_at = now.to_iso();
    let plan_id = stable_id(
        "gordackrecoveryesc",
        &json!({"generated_at": generated_at, "recovery_report_id": report.report_id, "routes": routes}),
    );
    let rows = report.recovery_playbook_provider_count;
    EscalationPlan {
        schema_version: schema!("recovery-escalation-plan").into(),
        product: kinds::PRODUCT.into(),
        plan_id,
        generated_at,
        generated_by: generated_by.into(),
        alert_level,
        recovery_slo_minutes: slo,
        recovery_report_id: report.report_id.clone(),
        escalation_count: routes.len(),
        critical_escalation_count: critical,
        slo_breached_count: report.recovery_slo_breached_count,
        failed_execution_count: report.execution_failed_count,
        open_recovery_count: report.recovery_open_count,
        provider_count: providers.len(),
        selected_providers: providers.into_iter().collect(),
        escalation_routes: routes,
        executive_summary: ExecutiveSummary {
            status: alert_level,
            tracked_provider_count: report.provider_summary.len(),
            execution_count: report.execution_count,
            failed_execution_count: report.execution_failed_count,
            open_recovery_count: report.recovery_open_count,
            slo_breached_count: report.recovery_slo_breached_count,
            closure_rate: (rows > 0).then(|| round4(report.recovery_closed_count as f64 / rows as f64)),
        },
        controls: vec![
            "recovery-escalation-derived-from-public-safe-retry-recovery-report".into(),
            "escalation-plan-contains-no-connector-secrets".into(),
            "delivery-requires-explicit-connector-endpoint-configuration".into(),
        ],
    }
}

impl EscalationPlan {
    pub fn metadata(&self) -> Value {
        MetaRow::new(
            &self.plan_id,
            &self.generated_at,
            &self.generated_by,
            kinds::ESCALATION_PLAN,
            [self.escalation_count as i64, self.critical_escalation_count as i64, self.open_recovery_count as i64],
        )
        .with("plan_id", &self.plan_id)
        .with("recovery_report_id", &self.recovery_report_id)
        .with("alert_level", self.alert_level)
        .with("escalation_count", self.escalation_count)
        .with("slo_breached_count", self.slo_breached_count)
        .with("failed_execution_count", self.failed_execution_count)
        .with("selected_providers", &self.selected_providers)
        .nest("recovery_escalation_plan", self)
    }
}

/// The event delivered for an escalation plan: public-safe summary and routes only.
pub fn build_escalation_event(plan: &EscalationPlan, generated_by: &str, max_routes: usize) -> Value {
    let routes: Vec<&EscalationRoute> = plan.escalation_routes.iter().take(max_routes.max(1)).collect();
    json!({
        "event_type": "cavra.go_backend.rollback_drill.acknowledgement_audit_delivery.recovery_escalation",
        "product": kinds::PRODUCT,
        "event_id": plan.plan_id,
        "generated_at": plan.generated_at,
        "generated_by": generated_by,
        "alert_level": plan.alert_level,
        "summary": plan.executive_summary,
        "escalation_count": plan.escalation_count,
        "slo_breached_count": plan.slo_breached_count,
        "failed_execution_count": plan.failed_execution_count,
        "open_recovery_count": plan.open_recovery_count,
        "routes": routes,
        "controls": [
            "recovery-escalation-event-redacts-connector-credentials",
            "event-routes-include-public-safe-provider-and-status-metadata",
        ],
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationAckState {
    Acknowledged,
    Accepted,
    Deferred,
    Escalated,
    Resolved,
    Dismissed,
}

impl EscalationAckState {
    pub fn parse(text: &str) -> Result<Self> {
        match normalize(text).as_str() {
            "acknowledged" => Ok(Self::Acknowledged),
            "accepted" => Ok(Self::Accepted),
            "deferred" => Ok(Self::Deferred),
            "escalated" => Ok(Self::Escalated),
            "resolved" => Ok(Self::Resolved),
            "dismissed" => Ok(Self::Dismissed),
            _ => Err(EngineError::invalid(
                "acknowledgement_state",
                "must be acknowledged, accepted, deferred, escalated, resolved, or dismissed",
            )),
        }
    }

    /// Accepted, acknowledged and resolved acknowledgements permit a live retry (SPEC §6).
    pub fn permits_retry(self) -> bool {
        matches!(self, Self::Acknowledged | Self::Accepted | Self::Resolved)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationAck {
    pub schema_version: String,
    pub product: String,
    pub acknowledgement_id: String,
    pub plan_id: String,
    pub provider: String,
    pub acknowledged_by: String,
    pub acknowledgement_state: EscalationAckState,
    pub acknowledged_at: String,
    pub external_ref: String,
    pub notes: String,
    pub escalation_reason: String,
}

/// A provider's acknowledgement of an escalation plan (providers normalised ✚).
pub fn build_escalation_ack(plan_id: &str, body: &Fields<'_>, actor: &str, now: Timestamp) -> Result<EscalationAck> {
    let provider = normalize(&body.string(&["provider"], 64)?.unwrap_or_default());
    if provider.is_empty() {
        return Err(EngineError::missing("provider"));
    }
    let state = EscalationAckState::parse(&body.string(&["acknowledgement_state"], 32)?.unwrap_or_else(|| "acknowledged".into()))?;
    let external_ref = redact(&body.string(&["external_ref"], 256)?.unwrap_or_default());
    let notes = redact(&body.string(&["notes"], 2000)?.unwrap_or_default());
    let escalation_reason = redact(&body.string(&["escalation_reason"], 500)?.unwrap_or_default());
    body.allow(&["acknowledged_by", "generated_by"]);
    let acknowledged_at = now.to_iso();
    let acknowledgement_id = stable_id(
        "gordackrecoveryescack",
        &json!({"plan_id": plan_id, "provider": provider, "acknowledged_by": actor, "acknowledgement_state": state, "acknowledged_at": acknowledged_at}),
    );
    Ok(EscalationAck {
        schema_version: schema!("recovery-escalation-ack").into(),
        product: kinds::PRODUCT.into(),
        acknowledgement_id,
        plan_id: plan_id.into(),
        provider,
        acknowledged_by: actor.into(),
        acknowledgement_state: state,
        acknowledged_at,
        external_ref,
        notes,
        escalation_reason,
    })
}

impl EscalationAck {
    pub fn metadata(&self) -> Value {
        MetaRow::new(&self.acknowledgement_id, &self.acknowledged_at, &self.acknowledged_by, kinds::ESCALATION_ACK, [1, 0, 0])
            .with("acknowledgement_id", &self.acknowledgement_id)
            .with("plan_id", &self.plan_id)
            .with("provider", &self.provider)
            .with("acknowledgement_state", self.acknowledgement_state)
            .nest("recovery_escalation_acknowledgement", self)
    }
}

/// The latest acknowledgement state per (plan_id, provider): the live escalation retry gate.
#[derive(Debug, Default)]
pub struct AckIndex {
    latest: HashMap<(String, String), String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AckView {
    #[serde(deserialize_with = "lenient::opt_text")]
    plan_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    provider: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    acknowledgement_state: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    created_at: Option<String>,
}

impl AckIndex {
    /// The newest acknowledgement per key decides (a later `deferred` withdraws an acceptance ✚;
    /// the original let any permitting acknowledgement count).
    pub fn build(items: &[Value]) -> Result<Self> {
        let mut acks: Vec<(usize, AckView)> = Vec::new();
        for (i, row) in items.iter().enumerate() {
            if kind_of(row) == kinds::ESCALATION_ACK {
                acks.push((i, view(row, i)?));
            }
        }
        let mut latest = HashMap::new();
        for i in newest_first(&acks, |(_, a)| a.created_at.as_deref().unwrap_or("")) {
            let a = &acks[i].1;
            let key = (a.plan_id.clone().unwrap_or_default(), normalize(a.provider.as_deref().unwrap_or("")));
            latest.entry(key).or_insert_with(|| normalize(a.acknowledgement_state.as_deref().unwrap_or("")));
        }
        Ok(Self { latest })
    }

    fn state(&self, decision: &RetryDecision) -> Option<&str> {
        self.latest.get(&(decision.subject_id().to_string(), decision.provider.clone())).map(String::as_str)
    }
}

impl crate::worker::Gate for AckIndex {
    fn allows(&self, decision: &RetryDecision) -> bool {
        self.state(decision).and_then(|s| EscalationAckState::parse(s).ok()).is_some_and(EscalationAckState::permits_retry)
    }

    fn status(&self, decision: &RetryDecision) -> Option<String> {
        Some(self.state(decision).unwrap_or("missing").to_string())
    }
}
