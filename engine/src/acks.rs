//! Review-only acknowledgements of retry plans (SPEC §2): they record a human's view of a
//! provider's failed delivery and never execute anything.

use crate::canonical::sha256_text;
use crate::error::{EngineError, Result};
use crate::input::Fields;
use crate::kinds;
use crate::meta::MetaRow;
use crate::provider::normalize;
use crate::redact::redact;
use crate::schema;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryAckState {
    Accepted,
    Deferred,
    Escalated,
    Resolved,
    Dismissed,
}

impl RetryAckState {
    pub fn parse(text: &str) -> Result<Self> {
        match normalize(text).as_str() {
            "accepted" => Ok(Self::Accepted),
            "deferred" => Ok(Self::Deferred),
            "escalated" => Ok(Self::Escalated),
            "resolved" => Ok(Self::Resolved),
            "dismissed" => Ok(Self::Dismissed),
            _ => Err(EngineError::invalid(
                "acknowledgement_state",
                "must be accepted, deferred, escalated, resolved, or dismissed",
            )),
        }
    }

    /// Accepted and resolved acknowledgements let an approval be requested (SPEC §3).
    pub fn permits_approval(self) -> bool {
        matches!(self, Self::Accepted | Self::Resolved)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetryAck {
    pub schema_version: String,
    pub product: String,
    pub acknowledgement_id: String,
    pub retry_plan_id: String,
    pub delivery_id: String,
    pub audit_id: String,
    pub provider: String,
    pub acknowledgement_state: RetryAckState,
    pub acknowledged_by: String,
    pub acknowledged_at: String,
    pub external_ref: String,
    pub notes: String,
    pub controls: Vec<String>,
}

/// Reads a retry acknowledgement body for `retry_plan_id`; `actor` acknowledges.
pub fn build_retry_ack(retry_plan_id: &str, body: &Fields<'_>, actor: &str, now: Timestamp) -> Result<RetryAck> {
    let provider = normalize(&body.string(&["provider"], 64)?.unwrap_or_default());
    if provider.is_empty() {
        return Err(EngineError::missing("provider"));
    }
    let state = RetryAckState::parse(&body.string(&["acknowledgement_state"], 32)?.unwrap_or_else(|| "accepted".into()))?;
    let delivery_id = body.string(&["delivery_id"], 128)?.unwrap_or_default();
    let audit_id = body.string(&["audit_id"], 128)?.unwrap_or_default();
    let external_ref = redact(&body.string(&["external_ref"], 256)?.unwrap_or_default());
    let notes = redact(&body.string(&["notes"], 2000)?.unwrap_or_default());
    body.allow(&["acknowledged_by", "generated_by"]);
    let acknowledged_at = now.to_iso();
    let state_text = serde_json::to_value(state).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let material = format!("{retry_plan_id}|{provider}|{delivery_id}|{state_text}|{actor}|{acknowledged_at}");
    let digest = sha256_text(&material);
    Ok(RetryAck {
        schema_version: schema!("retry-ack").into(),
        product: kinds::PRODUCT.into(),
        acknowledgement_id: format!("gordackretryack-{}", &digest[..16]),
        retry_plan_id: retry_plan_id.into(),
        delivery_id,
        audit_id,
        provider,
        acknowledgement_state: state,
        acknowledged_by: actor.into(),
        acknowledged_at,
        external_ref,
        notes,
        controls: vec![
            "retry-acknowledgement-records-review-only".into(),
            "retry-delivery-execution-remains-governed-by-worker".into(),
            "no-connector-token-or-secret-stored".into(),
        ],
    })
}

impl RetryAck {
    pub fn metadata(&self) -> Value {
        MetaRow::new(&self.acknowledgement_id, &self.acknowledged_at, &self.acknowledged_by, kinds::RETRY_ACK, [1, 0, 0])
            .with("acknowledgement_id", &self.acknowledgement_id)
            .with("retry_plan_id", &self.retry_plan_id)
            .with("delivery_id", &self.delivery_id)
            .with("audit_id", &self.audit_id)
            .with("provider", &self.provider)
            .with("acknowledgement_state", self.acknowledgement_state)
            .with("external_ref", &self.external_ref)
            .nest("acknowledgement", self)
    }
}
