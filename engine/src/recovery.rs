//! Connector recovery playbooks and their closures (SPEC §4).

use crate::canonical::{sha256_hex, stable_id};
use crate::error::{EngineError, Result};
use crate::input::Fields;
use crate::kinds::{self, source};
use crate::level::AlertLevel;
use crate::meta::MetaRow;
use crate::provider::{Category, normalize};
use crate::redact::{redact, redact_all};
use crate::rows::{DeliveryRow, kind_of, parse_time, view};
use crate::schema;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

pub const RECOVERY_STEPS: [&str; 6] = [
    "confirm connector destination ownership and maintenance status",
    "verify outbound network path and endpoint allowlist",
    "rotate or reissue connector credential in private secret manager if authentication failed",
    "run acknowledgement audit delivery worker in dry-run mode",
    "request retry execution approval before live retry delivery",
    "record external incident or change reference after recovery",
];

pub const PRIVATE_CONNECTOR_BOUNDARY: &str = "Community Edition records the public-safe recovery playbook only; connector credential rotation and ticket/chat side effects remain private connector or operator runbook work.";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderPlaybook {
    pub provider: String,
    pub category: Category,
    pub failure_count: usize,
    pub latest_failure_at: String,
    pub status_codes: Vec<String>,
    pub recovery_steps: Vec<String>,
    pub private_connector_boundary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Playbook {
    pub schema_version: String,
    pub product: String,
    pub playbook_id: String,
    pub generated_at: String,
    pub generated_by: String,
    pub alert_level: AlertLevel,
    pub lookback_hours: i64,
    pub min_failure_count: i64,
    pub provider_count: usize,
    pub failure_count: usize,
    pub provider_playbooks: Vec<ProviderPlaybook>,
    pub controls: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlaybookParams {
    pub min_failure_count: i64,
    pub lookback_hours: i64,
}

impl PlaybookParams {
    pub fn parse(body: &Fields<'_>) -> Result<Self> {
        Ok(Self {
            min_failure_count: body.integer(&["min_failure_count"], 1, 10_000)?.unwrap_or(2),
            lookback_hours: body.integer(&["lookback_hours"], 1, 8_760)?.unwrap_or(24),
        })
    }
}

/// One entry per provider with at least `min_failure_count` failed audit (or worker-health
/// alert) deliveries within the lookback window.
pub fn build_playbook(items: &[Value], params: PlaybookParams, generated_by: &str, now: Timestamp) -> Result<Playbook> {
    let cutoff = now.plus_minutes(-(params.lookback_hours as f64) * 60.0);
    let mut grouped: BTreeMap<String, Vec<(String, Vec<String>)>> = BTreeMap::new();
    for (index, item) in items.iter().enumerate() {
        if kind_of(item) != kinds::CONNECTOR_DELIVERY {
            continue;
        }
        let row: DeliveryRow = view(item, index)?;
        if row.delivery_success || !(row.is_from(source::AUDIT) || row.is_from(source::WORKER_HEALTH_ALERT)) {
            continue;
        }
        if parse_time(row.created_at.as_deref(), index, "created_at")?.is_some_and(|t| t < cutoff) {
            continue;
        }
        let codes: Vec<String> = match &row.status_codes {
            Some(Value::Array(codes)) => codes.iter().filter(|c| !c.is_null()).map(crate::lenient::text_of).collect(),
            _ => Vec::new(),
        };
        for provider in row.failed_provider_names() {
            grouped
                .entry(normalize(provider))
                .or_default()
                .push((row.created_at.clone().unwrap_or_default(), codes.clone()));
        }
    }
    let mut entries = Vec::new();
    for (provider, failures) in grouped {
        if (failures.len() as i64) < params.min_failure_count {
            continue;
        }
        let codes: BTreeSet<String> = failures.iter().flat_map(|(_, c)| c.iter().cloned()).filter(|c| !c.is_empty()).collect();
        entries.push(ProviderPlaybook {
            category: Category::of(&provider),
            failure_count: failures.len(),
            latest_failure_at: failures.iter().map(|(at, _)| at.clone()).max().unwrap_or_default(),
            status_codes: codes.into_iter().collect(),
            recovery_steps: RECOVERY_STEPS.iter().map(|s| s.to_string()).collect(),
            private_connector_boundary: PRIVATE_CONNECTOR_BOUNDARY.into(),
            provider,
        });
    }
    let generated_at = now.to_iso();
    let failure_count = entries.iter().map(|e| e.failure_count).sum();
    Ok(Playbook {
        schema_version: schema!("connector-recovery-playbook").into(),
        product: kinds::PRODUCT.into(),
        playbook_id: stable_id("gordackrecovery", &json!({"generated_at": generated_at, "provider_playbooks": entries})),
        generated_at,
        generated_by: generated_by.into(),
        alert_level: AlertLevel::from_flags(!entries.is_empty(), false),
        lookback_hours: params.lookback_hours,
        min_failure_count: params.min_failure_count,
        provider_count: entries.len(),
        failure_count,
        provider_playbooks: entries,
        controls: vec![
            "connector-recovery-playbook-derived-from-redacted-delivery-metadata".into(),
            "playbook-contains-no-connector-secrets".into(),
            "credential-rotation-remains-private-operator-or-enterprise-connector-responsibility".into(),
            "live-retry-delivery-remains-approval-bound".into(),
        ],
    })
}

impl Playbook {
    pub fn metadata(&self) -> Value {
        MetaRow::new(
            &self.playbook_id,
            &self.generated_at,
            &self.generated_by,
            kinds::RECOVERY_PLAYBOOK,
            [self.provider_count as i64, self.failure_count as i64, self.provider_count as i64],
        )
        .with("playbook_id", &self.playbook_id)
        .with("alert_level", self.alert_level)
        .with("provider_count", self.provider_count)
        .with("failure_count", self.failure_count)
        .nest("connector_recovery_playbook", self)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureState {
    Resolved,
    Mitigated,
    Deferred,
    Escalated,
    Reopened,
}

impl ClosureState {
    pub fn parse(text: &str) -> Result<Self> {
        match normalize(text).as_str() {
            "resolved" => Ok(Self::Resolved),
            "mitigated" => Ok(Self::Mitigated),
            "deferred" => Ok(Self::Deferred),
            "escalated" => Ok(Self::Escalated),
            "reopened" => Ok(Self::Reopened),
            _ => Err(EngineError::invalid("closure_state", "must be resolved, mitigated, deferred, escalated, or reopened")),
        }
    }

    /// Resolved and mitigated recoveries are closed; the rest stay open.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Resolved | Self::Mitigated)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Closure {
    pub schema_version: String,
    pub product: String,
    pub closure_id: String,
    pub closure_hash: String,
    pub playbook_id: String,
    pub provider: String,
    pub closure_state: ClosureState,
    pub closed_by: String,
    pub closed_at: String,
    pub external_ref: String,
    pub notes: String,
    pub verification_refs: Vec<String>,
    pub controls: Vec<String>,
}

/// Closes (or re-opens...) one provider's recovery on `playbook`. The provider must be one the
/// playbook covers, and `resolved` needs at least one verification reference ✚. The hash
/// covers the stored, redacted values.
pub fn build_closure(playbook: &Playbook, body: &Fields<'_>, closed_by: &str, now: Timestamp) -> Result<Closure> {
    let provider = normalize(&body.string(&["provider"], 64)?.unwrap_or_default());
    if provider.is_empty() {
        return Err(EngineError::missing("provider"));
    }
    let state = ClosureState::parse(&body.string(&["closure_state"], 32)?.unwrap_or_else(|| "resolved".into()))?;
    let external_ref = redact(body.string(&["external_ref"], 256)?.unwrap_or_default().trim());
    let notes = redact(&body.string(&["notes"], 2000)?.unwrap_or_default());
    let verification_refs = redact_all(&body.strings("verification_refs", 50, 256)?);
    body.allow(&["closed_by", "generated_by"]);
    if !playbook.provider_playbooks.iter().any(|p| p.provider == provider) {
        return Err(EngineError::invalid("provider", format!("`{provider}` has no entry in this playbook")));
    }
    if state == ClosureState::Resolved && verification_refs.is_empty() {
        return Err(EngineError::invalid("verification_refs", "a resolved closure needs at least one verification reference"));
    }
    let closed_at = now.to_iso();
    let hash = sha256_hex(&json!({
        "playbook_id": playbook.playbook_id, "provider": provider, "closure_state": state,
        "closed_by": closed_by, "closed_at": closed_at, "external_ref": external_ref,
        "verification_refs": verification_refs,
    }));
    Ok(Closure {
        schema_version: schema!("connector-recovery-closure").into(),
        product: kinds::PRODUCT.into(),
        closure_id: format!("gordackrecoveryclosure-{}", &hash[..16]),
        closure_hash: hash,
        playbook_id: playbook.playbook_id.clone(),
        provider,
        closure_state: state,
        closed_by: closed_by.into(),
        closed_at,
        external_ref,
        notes,
        verification_refs,
        controls: vec![
            "connector-recovery-closure-records-public-safe-operator-evidence".into(),
            "closure-hash-covers-playbook-provider-state-and-verification-refs".into(),
            "closure-record-contains-no-connector-secret-or-private-endpoint".into(),
            "private-ticket-chat-and-credential-side-effects-remain-outside-public-repo".into(),
        ],
    })
}

impl Closure {
    pub fn metadata(&self) -> Value {
        let blocked = i64::from(!self.closure_state.is_closed());
        MetaRow::new(&self.closure_id, &self.closed_at, &self.closed_by, kinds::RECOVERY_CLOSURE, [1, blocked, 0])
            .with("closure_id", &self.closure_id)
            .with("closure_hash", &self.closure_hash)
            .with("playbook_id", &self.playbook_id)
            .with("provider", &self.provider)
            .with("closure_state", self.closure_state)
            .with("external_ref", &self.external_ref)
            .nest("connector_recovery_closure", self)
    }
}
