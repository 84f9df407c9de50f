//! Retry execution approvals (SPEC §3): the approval plan, approval decisions, and the index
//! a live worker consults. The governance rules marked ✚ in the SPEC (expiry, four-eyes,
//! supersession, one execution per approval) apply to decisions that carry our fields
//! (`expires_at`); decisions exported from the original keep the original's rule (any
//! approved decision counts).

use crate::canonical::{sha256_text, stable_id};
use crate::error::{EngineError, Result};
use crate::input::Fields;
use crate::kinds;
use crate::lenient;
use crate::level::AlertLevel;
use crate::meta::MetaRow;
use crate::provider::normalize;
use crate::redact::redact;
use crate::retry::RetryDecision;
use crate::rows::{kind_of, newest_first, payload, view};
use crate::schema;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

pub const DEFAULT_TTL_MINUTES: i64 = 1440;
pub const MAX_TTL_MINUTES: i64 = 43_200;

/// (provider, delivery_id, audit_id): what an approval is about. The retry plan id is not part
/// of it, so an approval carries over to later plans for the same failed delivery.
pub type ApprovalKey = (String, String, String);

fn key(provider: &str, delivery_id: &str, audit_id: &str) -> ApprovalKey {
    (normalize(provider), delivery_id.to_string(), audit_id.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalState {
    Approved,
    Denied,
    Deferred,
    Expired,
}

impl ApprovalState {
    pub fn parse(text: &str) -> Result<Self> {
        match normalize(text).as_str() {
            "approved" => Ok(Self::Approved),
            "denied" => Ok(Self::Denied),
            "deferred" => Ok(Self::Deferred),
            "expired" => Ok(Self::Expired),
            _ => Err(EngineError::invalid("approval_state", "must be approved, denied, deferred, or expired")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Deferred => "deferred",
            Self::Expired => "expired",
        }
    }
}

/// Where a retry decision stands with respect to approval, for a live worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    /// An unexpired, unexecuted approval exists: the decision may run once.
    Approved,
    /// No approval decision was recorded.
    Missing,
    Denied,
    Deferred,
    /// Approved, but its time-to-live has passed (or it was decided `expired`).
    Expired,
    /// The approval already allowed its one execution.
    Executed,
}

/// An approval decision as stored (lenient, to read the original's rows too).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DecisionView {
    #[serde(deserialize_with = "lenient::opt_text")]
    pub decision_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    pub approval_plan_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    pub retry_plan_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    pub provider: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    pub delivery_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    pub audit_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    pub approval_state: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    pub decided_at: Option<String>,
    /// ✚ Present on our decisions only.
    #[serde(deserialize_with = "lenient::opt_text")]
    pub expires_at: Option<String>,
}

impl DecisionView {
    fn key(&self) -> ApprovalKey {
        key(
            self.provider.as_deref().unwrap_or(""),
            self.delivery_id.as_deref().unwrap_or(""),
            self.audit_id.as_deref().unwrap_or(""),
        )
    }

    fn state(&self) -> Option<ApprovalState> {
        ApprovalState::parse(self.approval_state.as_deref().unwrap_or("")).ok()
    }
}

/// The approval standing of every key, built from approval decisions and execution records.
#[derive(Debug, Default)]
pub struct ApprovalIndex {
    standing: HashMap<ApprovalKey, (ApprovalStatus, DecisionView)>,
}

impl ApprovalIndex {
    pub fn build(items: &[Value], now: Timestamp) -> Result<Self> {
        let mut executed: HashSet<String> = HashSet::new();
        let mut decisions: Vec<(usize, &Value)> = Vec::new();
        for (index, row) in items.iter().enumerate() {
            match kind_of(row) {
                kinds::EXECUTION_RECORD => {
                    // A skipped execution attempted nothing, so it does not use the approval up.
                    let record = payload(row, "retry_execution_record");
                    let attempted = record.get("execution_status").and_then(Value::as_str).is_some_and(|s| s != "skipped");
                    if let Some(id) = record.get("approval_decision_id").and_then(Value::as_str).filter(|s| attempted && !s.is_empty()) {
                        executed.insert(id.to_string());
                    }
                }
                kinds::APPROVAL_DECISION => decisions.push((index, row)),
                _ => {}
            }
        }
        // Oldest first, so later decisions supersede earlier ones.
        let mut order = newest_first(&decisions, |(_, r)| r.get("created_at").and_then(Value::as_str).unwrap_or(""));
        order.reverse();
        let mut ours: HashMap<ApprovalKey, DecisionView> = HashMap::new();
        let mut legacy: HashMap<ApprovalKey, DecisionView> = HashMap::new();
        for i in order {
            let (index, row) = decisions[i];
            let mut d: DecisionView = view(payload(row, "retry_execution_approval_decision"), index)?;
            if d.decided_at.is_none() {
                d.decided_at = row.get("created_at").and_then(Value::as_str).map(str::to_string);
            }
            if d.expires_at.is_some() {
                ours.insert(d.key(), d);
            } else if d.state() == Some(ApprovalState::Approved) {
                // The original: the oldest approved decision per key is the one used.
                legacy.entry(d.key()).or_insert(d);
            }
        }
        let mut standing = HashMap::new();
        for (k, d) in legacy {
            standing.insert(k, (ApprovalStatus::Approved, d));
        }
        for (k, d) in ours {
            let expired = d.expires_at.as_deref().and_then(|t| Timestamp::parse(t).ok()).is_none_or(|t| now >= t);
            let status = match d.state() {
                Some(ApprovalState::Approved) if d.decision_id.as_ref().is_some_and(|id| executed.contains(id)) => {
                    ApprovalStatus::Executed
                }
                Some(ApprovalState::Approved) if expired => ApprovalStatus::Expired,
                Some(ApprovalState::Approved) => ApprovalStatus::Approved,
                Some(ApprovalState::Denied) => ApprovalStatus::Denied,
                Some(ApprovalState::Deferred) => ApprovalStatus::Deferred,
                Some(ApprovalState::Expired) | None => ApprovalStatus::Expired,
            };
            standing.insert(k, (status, d));
        }
        Ok(Self { standing })
    }

    pub fn status_of(&self, provider: &str, delivery_id: &str, audit_id: &str) -> ApprovalStatus {
        self.standing.get(&key(provider, delivery_id, audit_id)).map_or(ApprovalStatus::Missing, |(s, _)| *s)
    }

    pub fn status(&self, decision: &RetryDecision) -> ApprovalStatus {
        match decision.approval_key() {
            Some((p, d, a)) => self.status_of(&p, &d, &a),
            None => ApprovalStatus::Missing,
        }
    }

    /// Whether a live worker may execute `decision` now.
    pub fn allows(&self, decision: &RetryDecision) -> bool {
        self.status(decision) == ApprovalStatus::Approved
    }

    /// The approval decision behind a key's standing.
    pub fn decision(&self, decision: &RetryDecision) -> Option<&DecisionView> {
        let (p, d, a) = decision.approval_key()?;
        self.standing.get(&key(&p, &d, &a)).map(|(_, v)| v)
    }
}

/// What the approval plan proposes for one retry decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalAction {
    AlreadyApproved,
    WaitForRetryAck,
    RequestApproval,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalCandidate {
    pub retry_plan_id: String,
    pub provider: String,
    pub delivery_id: String,
    pub audit_id: String,
    pub action: ApprovalAction,
    pub reason: String,
    pub approval_required: bool,
    pub retry_count: i64,
    pub next_retry_at: Value,
    pub failed_status_codes: Value,
    pub retry_action: String,
    /// ✚ Standing of the key's latest approval decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_status: Option<ApprovalStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalPlan {
    pub schema_version: String,
    pub product: String,
    pub approval_plan_id: String,
    pub generated_at: String,
    pub generated_by: String,
    pub alert_level: AlertLevel,
    pub decision_count: usize,
    pub approval_required_count: usize,
    pub approved_count: usize,
    pub waiting_count: usize,
    pub require_retry_ack: bool,
    /// ✚ Minutes an approval decided on this plan stays valid.
    pub ttl_minutes: i64,
    /// ✚ Who asked for approval; they may not approve their own request.
    pub requested_by: String,
    pub approval_decisions: Vec<ApprovalCandidate>,
    pub controls: Vec<String>,
}

/// The parsed approval-plan request.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalPlanParams {
    pub require_retry_ack: bool,
    pub ttl_minutes: i64,
}

impl ApprovalPlanParams {
    /// Reads `approval_policy` (`require_retry_ack`, default true) and `ttl_minutes`.
    pub fn parse(body: &Fields<'_>) -> Result<Self> {
        let policy = Fields::new(body.value("approval_policy").or_else(|| body.value("policy")), "approval_policy")?;
        body.allow(&["approval_policy", "policy"]);
        let require_retry_ack = policy.bool(&["require_retry_ack"])?.unwrap_or(true);
        let ttl_minutes = body
            .integer(&["ttl_minutes"], 1, MAX_TTL_MINUTES)?
            .or(policy.integer(&["ttl_minutes"], 1, MAX_TTL_MINUTES)?)
            .unwrap_or(DEFAULT_TTL_MINUTES);
        policy.finish()?;
        Ok(Self { require_retry_ack, ttl_minutes })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PlanDecisionView {
    #[serde(deserialize_with = "lenient::opt_text")]
    action: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    provider: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    delivery_id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_text")]
    audit_id: Option<String>,
    #[serde(deserialize_with = "lenient::int")]
    retry_count: i64,
    next_retry_at: Value,
    failed_status_codes: Option<Value>,
}

/// Builds the approval plan over the retry/wait decisions of every retry plan (newest plan
/// first; the first occurrence of a key wins).
pub fn build_approval_plan(items: &[Value], params: &ApprovalPlanParams, generated_by: &str, now: Timestamp) -> Result<ApprovalPlan> {
    let index = ApprovalIndex::build(items, now)?;
    let mut acked: HashSet<ApprovalKey> = HashSet::new();
    let mut plans: Vec<(usize, &Value)> = Vec::new();
    for (i, row) in items.iter().enumerate() {
        match kind_of(row) {
            kinds::RETRY_ACK => {
                let state = row.get("acknowledgement_state").and_then(Value::as_str).unwrap_or("");
                if matches!(state, "accepted" | "resolved") {
                    let text = |k: &str| row.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                    acked.insert(key(&text("provider"), &text("delivery_id"), &text("audit_id")));
                }
            }
            kinds::RETRY_PLAN => plans.push((i, row)),
            _ => {}
        }
    }
    let mut seen: HashSet<ApprovalKey> = HashSet::new();
    let mut candidates = Vec::new();
    for i in newest_first(&plans, |(_, r)| r.get("created_at").and_then(Value::as_str).unwrap_or("")) {
        let (index_in_items, row) = plans[i];
        let plan = payload(row, "acknowledgement_audit_delivery_retry_plan");
        let retry_plan_id = plan
            .get("retry_plan_id")
            .or_else(|| row.get("retry_plan_id"))
            .map(lenient::text_of)
            .unwrap_or_default();
        for d in plan.get("retry_decisions").and_then(Value::as_array).into_iter().flatten() {
            let d: PlanDecisionView = view(d, index_in_items)?;
            let action = d.action.clone().unwrap_or_default();
            if action != "retry" && action != "wait" {
                continue;
            }
            let k = key(
                d.provider.as_deref().unwrap_or(""),
                d.delivery_id.as_deref().unwrap_or(""),
                d.audit_id.as_deref().unwrap_or(""),
            );
            if !seen.insert(k.clone()) {
                continue;
            }
            let status = index.status_of(&k.0, &k.1, &k.2);
            let (action_out, reason, required) = if status == ApprovalStatus::Approved {
                (ApprovalAction::AlreadyApproved, "retry execution already has approved execution evidence", false)
            } else if params.require_retry_ack && !acked.contains(&k) {
                (ApprovalAction::WaitForRetryAck, "retry execution requires accepted retry acknowledgement before approval", false)
            } else {
                (ApprovalAction::RequestApproval, "retry execution is acknowledged and ready for governed approval", true)
            };
            candidates.push(ApprovalCandidate {
                retry_plan_id: retry_plan_id.clone(),
                provider: k.0,
                delivery_id: k.1,
                audit_id: k.2,
                action: action_out,
                reason: reason.into(),
                approval_required: required,
                retry_count: d.retry_count,
                next_retry_at: d.next_retry_at,
                failed_status_codes: d.failed_status_codes.unwrap_or_else(|| json!([])),
                retry_action: action,
                approval_status: (status != ApprovalStatus::Missing).then_some(status),
            });
        }
    }
    let required = candidates.iter().filter(|c| c.approval_required).count();
    let approved = candidates.iter().filter(|c| c.action == ApprovalAction::AlreadyApproved).count();
    let waiting = candidates.iter().filter(|c| c.action == ApprovalAction::WaitForRetryAck).count();
    let generated_at = now.to_iso();
    Ok(ApprovalPlan {
        schema_version: schema!("retry-execution-approval-plan").into(),
        product: kinds::PRODUCT.into(),
        approval_plan_id: stable_id(
            "gordackretryapproval",
            &json!({"generated_at": generated_at, "approval_decisions": candidates}),
        ),
        generated_at,
        generated_by: generated_by.into(),
        alert_level: AlertLevel::from_flags(required > 0, waiting > 0),
        decision_count: candidates.len(),
        approval_required_count: required,
        approved_count: approved,
        waiting_count: waiting,
        require_retry_ack: params.require_retry_ack,
        ttl_minutes: params.ttl_minutes,
        requested_by: generated_by.into(),
        approval_decisions: candidates,
        controls: vec![
            "retry-execution-approval-derived-from-public-retry-metadata".into(),
            "retry-execution-requires-explicit-approval-before-live-worker-delivery".into(),
            "approval-plan-contains-no-provider-credentials".into(),
            "private-connectors-remain-responsible-for-side-effects".into(),
        ],
    })
}

impl ApprovalPlan {
    pub fn metadata(&self) -> Value {
        MetaRow::new(
            &self.approval_plan_id,
            &self.generated_at,
            &self.generated_by,
            kinds::APPROVAL_PLAN,
            [self.decision_count as i64, self.waiting_count as i64, self.approval_required_count as i64],
        )
        .with("approval_plan_id", &self.approval_plan_id)
        .with("alert_level", self.alert_level)
        .with("approved_count", self.approved_count)
        .with("waiting_count", self.waiting_count)
        .nest("retry_execution_approval_plan", self)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalDecision {
    pub schema_version: String,
    pub product: String,
    pub decision_id: String,
    pub approval_plan_id: String,
    pub retry_plan_id: String,
    pub delivery_id: String,
    pub audit_id: String,
    pub provider: String,
    pub approval_state: ApprovalState,
    pub decided_by: String,
    pub decided_at: String,
    pub external_ref: String,
    pub notes: String,
    /// ✚ The approval plan's requester (never the decider).
    pub requested_by: String,
    /// ✚ When an `approved` decision stops unlocking execution.
    pub expires_at: String,
    pub controls: Vec<String>,
}

/// Records a decision on `plan` by `decided_by`, enforcing SPEC §3's governance:
/// ids required, the key must be one the plan proposes, and the requester may not decide.
pub fn build_approval_decision(plan: &ApprovalPlan, body: &Fields<'_>, decided_by: &str, now: Timestamp) -> Result<ApprovalDecision> {
    let provider = normalize(&body.string(&["provider"], 64)?.unwrap_or_default());
    if provider.is_empty() {
        return Err(EngineError::missing("provider"));
    }
    let delivery_id = body.required_string("delivery_id", 128)?;
    let audit_id = body.required_string("audit_id", 128)?;
    let state = ApprovalState::parse(&body.string(&["approval_state"], 32)?.unwrap_or_else(|| "approved".into()))?;
    let retry_plan_id_in = body.string(&["retry_plan_id"], 128)?.unwrap_or_default();
    let external_ref = redact(&body.string(&["external_ref"], 256)?.unwrap_or_default());
    let notes = redact(&body.string(&["notes"], 2000)?.unwrap_or_default());
    body.allow(&["decided_by", "approved_by", "generated_by"]);
    let candidate = plan
        .approval_decisions
        .iter()
        .find(|c| c.provider == provider && c.delivery_id == delivery_id && c.audit_id == audit_id)
        .ok_or_else(|| EngineError::invalid("provider", "names no decision of this approval plan (provider, delivery_id, audit_id)"))?;
    if decided_by == plan.requested_by {
        return Err(EngineError::SelfApproval { actor: decided_by.into() });
    }
    if state == ApprovalState::Approved && candidate.action == ApprovalAction::WaitForRetryAck {
        return Err(EngineError::Conflict {
            message: "this retry needs an accepted retry acknowledgement before it can be approved".into(),
        });
    }
    let retry_plan_id = if retry_plan_id_in.is_empty() { candidate.retry_plan_id.clone() } else { retry_plan_id_in };
    let decided_at = now.to_iso();
    let material = format!(
        "{}|{retry_plan_id}|{provider}|{delivery_id}|{}|{decided_by}|{decided_at}",
        plan.approval_plan_id,
        state.as_str()
    );
    Ok(ApprovalDecision {
        schema_version: schema!("retry-execution-approval-decision").into(),
        product: kinds::PRODUCT.into(),
        decision_id: format!("gordackretryapprovaldecision-{}", &sha256_text(&material)[..16]),
        approval_plan_id: plan.approval_plan_id.clone(),
        retry_plan_id,
        delivery_id,
        audit_id,
        provider,
        approval_state: state,
        decided_by: decided_by.into(),
        decided_at,
        external_ref,
        notes,
        requested_by: plan.requested_by.clone(),
        expires_at: now.plus_minutes(plan.ttl_minutes as f64).to_iso(),
        controls: vec![
            "retry-execution-approval-decision-records-governed-operator-intent".into(),
            "approval-decision-contains-no-provider-token-or-secret".into(),
            "live-retry-worker-execution-must-reference-approved-decision".into(),
        ],
    })
}

impl ApprovalDecision {
    pub fn metadata(&self) -> Value {
        let blocked = i64::from(self.approval_state != ApprovalState::Approved);
        MetaRow::new(&self.decision_id, &self.decided_at, &self.decided_by, kinds::APPROVAL_DECISION, [1, blocked, 0])
            .with("decision_id", &self.decision_id)
            .with("approval_plan_id", &self.approval_plan_id)
            .with("retry_plan_id", &self.retry_plan_id)
            .with("delivery_id", &self.delivery_id)
            .with("audit_id", &self.audit_id)
            .with("provider", &self.provider)
            .with("approval_state", self.approval_state)
            .with("external_ref", &self.external_ref)
            .with("expires_at", &self.expires_at)
            .nest("retry_execution_approval_decision", self)
    }
}

impl crate::worker::Gate for ApprovalIndex {
    fn allows(&self, decision: &RetryDecision) -> bool {
        ApprovalIndex::allows(self, decision)
    }

    fn status(&self, decision: &RetryDecision) -> Option<String> {
        serde_json::to_value(ApprovalIndex::status(self, decision)).ok()?.as_str().map(str::to_string)
    }
}
