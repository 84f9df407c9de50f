//! Retry planning over failed connector deliveries (SPEC §2): one algorithm, four families.

use crate::canonical::stable_id_with_list;
use crate::error::Result;
use crate::kinds::{self, source};
use crate::level::AlertLevel;
use crate::meta::MetaRow;
use crate::policy::RetryPolicy;
use crate::provider::normalize;
use crate::rows::{DeliveryRow, ErrorClass, newest_first, parse_time, view};
use crate::schema;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use rustc_hash::FxHashMap;

/// Which failed deliveries a plan covers; each family has its own source, key and wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryFamily {
    /// Acknowledgement audit deliveries, keyed (delivery_id, audit_id, provider).
    AuditDelivery,
    /// Recovery escalation deliveries, keyed (plan_id, provider).
    EscalationDelivery,
    /// Executive report deliveries, keyed (run_id, provider).
    ExecutiveDelivery,
}

struct FamilySpec {
    source: &'static str,
    kind: &'static str,
    nested_key: &'static str,
    schema_version: &'static str,
    id_prefix: &'static str,
    eligible_reason: &'static str,
    default_delay: u32,
    controls: &'static [&'static str],
}

impl RetryFamily {
    fn spec(self) -> FamilySpec {
        match self {
            Self::AuditDelivery => FamilySpec {
                source: source::AUDIT,
                kind: kinds::RETRY_PLAN,
                nested_key: "acknowledgement_audit_delivery_retry_plan",
                schema_version: schema!("retry-plan"),
                id_prefix: "gordackretry",
                eligible_reason: "failed acknowledgement audit delivery is eligible for retry",
                default_delay: 15,
                controls: &[
                    "retry-plan-derived-from-redacted-audit-delivery-metadata",
                    "retry-policy-contains-no-provider-credentials",
                    "failed-provider-selection-preserves-delivery-evidence",
                    "public-retry-plan-does-not-perform-delivery-without-worker-execution",
                ],
            },
            Self::EscalationDelivery => FamilySpec {
                source: source::ESCALATION,
                kind: kinds::ESCALATION_RETRY_PLAN,
                nested_key: "recovery_escalation_delivery_retry_plan",
                schema_version: schema!("recovery-escalation-delivery-retry-plan"),
                id_prefix: "gordackrecoveryescretry",
                eligible_reason: "failed recovery escalation delivery is eligible for retry",
                default_delay: 15,
                controls: &[
                    "recovery-escalation-retry-plan-derived-from-redacted-connector-delivery-metadata",
                    "retry-plan-contains-no-provider-credentials",
                    "operator-or-private-connector-executes-side-effects",
                ],
            },
            Self::ExecutiveDelivery => FamilySpec {
                source: source::EXECUTIVE_REPORT,
                kind: kinds::EXECUTIVE_RETRY_PLAN,
                nested_key: "recovery_executive_report_delivery_retry_plan",
                schema_version: schema!("recovery-executive-report-delivery-retry-plan"),
                id_prefix: "gordackexecdeliveryretry",
                eligible_reason: "failed executive report delivery is eligible for retry",
                default_delay: 30,
                controls: &[
                    "executive-report-delivery-retry-plan-derived-from-redacted-delivery-metadata",
                    "retry-plan-contains-no-provider-credentials",
                    "private-connector-runtime-executes-delivery-side-effects",
                ],
            },
        }
    }

    /// The family's default base delay: 15 minutes, 30 for executive report delivery.
    pub fn default_delay(self) -> u32 {
        self.spec().default_delay
    }

    pub fn metadata_kind(self) -> &'static str {
        self.spec().kind
    }

    pub fn nested_key(self) -> &'static str {
        self.spec().nested_key
    }

    /// The group id of a row: what one retry decision is about (besides the provider).
    fn group_id(self, row: &DeliveryRow) -> (&str, &str) {
        fn first<'a>(options: &[&'a Option<String>]) -> &'a str {
            options.iter().find_map(|o| o.as_deref()).unwrap_or("")
        }
        match self {
            Self::AuditDelivery => {
                (first(&[&row.retry_of, &row.delivery_id, &row.event_id, &row.session_id]), row.audit_id.as_deref().unwrap_or(""))
            }
            Self::EscalationDelivery => (first(&[&row.retry_of, &row.plan_id, &row.event_id]), ""),
            Self::ExecutiveDelivery => (first(&[&row.retry_of, &row.run_id, &row.event_id, &row.session_id]), ""),
        }
    }
}

/// What to do with one failed group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryAction {
    Retry,
    Wait,
    Suppress,
}

/// What a decision is about, besides its provider. Flattened into the decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RetrySubject {
    Audit { delivery_id: String, audit_id: String },
    Escalation { plan_id: String },
    Executive { run_id: String, executive_report_id: String },
}

/// One retry decision (SPEC §2 field names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetryDecision {
    #[serde(flatten)]
    pub subject: RetrySubject,
    pub provider: String,
    pub action: RetryAction,
    pub reason: String,
    pub retry_count: u32,
    pub max_retry_attempts: u32,
    pub retry_delay_minutes: i64,
    pub latest_delivery_id: Option<String>,
    pub latest_delivery_at: Option<String>,
    pub next_retry_at: String,
    pub failed_status_codes: Value,
    /// ✚ Class of the latest failure for this provider, when the row recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_class: Option<ErrorClass>,
}

impl RetryDecision {
    /// `(provider, delivery_id, audit_id)` for audit decisions: the approval key (SPEC §3).
    pub fn approval_key(&self) -> Option<(String, String, String)> {
        match &self.subject {
            RetrySubject::Audit { delivery_id, audit_id } => {
                Some((self.provider.clone(), delivery_id.clone(), audit_id.clone()))
            }
            _ => None,
        }
    }

    /// The escalation plan or executive schedule run this decision redelivers.
    pub fn subject_id(&self) -> &str {
        match &self.subject {
            RetrySubject::Audit { delivery_id, .. } => delivery_id,
            RetrySubject::Escalation { plan_id } => plan_id,
            RetrySubject::Executive { run_id, .. } => run_id,
        }
    }
}

/// A retry plan record (the same shape for every family).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetryPlan {
    pub schema_version: String,
    pub product: String,
    pub retry_plan_id: String,
    pub generated_at: String,
    pub generated_by: String,
    pub alert_level: AlertLevel,
    pub decision_count: usize,
    pub retryable_count: usize,
    pub waiting_count: usize,
    pub suppressed_count: usize,
    pub max_retry_attempts: u32,
    pub base_retry_delay_minutes: u32,
    pub allow_immediate_retry: bool,
    pub backoff_multiplier: f64,
    pub retry_decisions: Vec<RetryDecision>,
    pub controls: Vec<String>,
}

impl RetryPlan {
    pub fn retry_decisions(&self) -> impl Iterator<Item = &RetryDecision> {
        self.retry_decisions.iter().filter(|d| d.action == RetryAction::Retry)
    }

    /// The stored metadata row.
    pub fn metadata(&self, family: RetryFamily) -> Value {
        let spec = family.spec();
        MetaRow::new(
            &self.retry_plan_id,
            &self.generated_at,
            &self.generated_by,
            spec.kind,
            [self.decision_count as i64, self.suppressed_count as i64, self.retryable_count as i64],
        )
        .with("retry_plan_id", &self.retry_plan_id)
        .with("alert_level", self.alert_level)
        .with("retryable_count", self.retryable_count)
        .with("waiting_count", self.waiting_count)
        .with("suppressed_count", self.suppressed_count)
        .nest(spec.nested_key, self)
    }
}

/// Builds a retry plan for `family` from evidence `items` (rows of any kind; others are ignored).
pub fn build_retry_plan(
    family: RetryFamily,
    items: &[Value],
    policy: &RetryPolicy,
    generated_by: &str,
    now: Timestamp,
) -> Result<RetryPlan> {
    let spec = family.spec();
    let mut rows = Vec::new();
    for (index, item) in items.iter().enumerate() {
        if crate::rows::kind_of(item) == kinds::CONNECTOR_DELIVERY {
            let row: DeliveryRow = view(item, index)?;
            if row.is_from(spec.source) {
                rows.push((index, row));
            }
        }
    }
    let order = newest_first(&rows, |(_, r)| r.created_at.as_deref().unwrap_or(""));

    // ✚ Lifecycle: a successful redelivery (`retry_of`) closes its group: newest redelivery time.
    // Keys borrow from the rows (hash maps, sorted once at the end): no per-row key copies.
    let mut redelivered: FxHashMap<(&str, &str, String), &str> = FxHashMap::default();
    // Failed rows per (group id, audit id, provider), newest first.
    let mut groups: FxHashMap<(&str, &str, String), Vec<usize>> = FxHashMap::default();
    for &i in &order {
        let row = &rows[i].1;
        let (id, audit) = family.group_id(row);
        if row.delivery_success {
            if row.retry_of.is_some() {
                for provider in row.delivered_provider_names() {
                    let at = row.created_at.as_deref().unwrap_or_default();
                    redelivered.entry((id, audit, normalize(provider))).or_insert(at);
                }
            }
            continue;
        }
        for provider in row.failed_provider_names() {
            groups.entry((id, audit, normalize(provider))).or_default().push(i);
        }
    }
    // The original processes groups in sorted key order; keys are unique.
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));

    let mut decisions = Vec::with_capacity(groups.len());
    for (key, members) in groups {
        let (index, latest) = &rows[members[0]];
        if let Some(at) = redelivered.get(&key)
            && *at >= latest.created_at.as_deref().unwrap_or("")
        {
            continue;
        }
        let (id, audit, provider) = (key.0.to_string(), key.1.to_string(), key.2);
        let retry_count = members.len() as u32;
        let delay = policy.delay_minutes(retry_count);
        let latest_at = parse_time(latest.created_at.as_deref(), *index, "created_at")?;
        let due_at = latest_at.map(|t| t.plus_minutes(delay));
        let error_class = latest.error_classes.get(&provider).copied();
        let (action, reason) = if retry_count >= policy.max_retry_attempts {
            (RetryAction::Suppress, format!("maximum retry attempts {} reached", policy.max_retry_attempts))
        } else if policy.suppress_permanent_failures && error_class == Some(ErrorClass::Permanent) {
            (RetryAction::Suppress, "permanent delivery error is not retried".to_string())
        } else if due_at.is_some_and(|due| now < due) {
            (RetryAction::Wait, format!("retry delay {} minutes has not elapsed", delay.trunc() as i64))
        } else {
            (RetryAction::Retry, spec.eligible_reason.to_string())
        };
        let subject = match family {
            RetryFamily::AuditDelivery => RetrySubject::Audit { delivery_id: id, audit_id: audit },
            RetryFamily::EscalationDelivery => RetrySubject::Escalation { plan_id: id },
            RetryFamily::ExecutiveDelivery => RetrySubject::Executive {
                run_id: id,
                executive_report_id: latest.executive_report_id.clone().unwrap_or_default(),
            },
        };
        decisions.push(RetryDecision {
            subject,
            provider,
            action,
            reason,
            retry_count,
            max_retry_attempts: policy.max_retry_attempts,
            retry_delay_minutes: delay.trunc() as i64,
            latest_delivery_id: latest.session_id.clone(),
            latest_delivery_at: latest.created_at.clone(),
            next_retry_at: due_at.unwrap_or(now).to_iso(),
            failed_status_codes: latest.status_codes.clone().unwrap_or_else(|| json!([])),
            error_class,
        });
    }

    let count = |a: RetryAction| decisions.iter().filter(|d| d.action == a).count();
    let (retryable, waiting, suppressed) = (count(RetryAction::Retry), count(RetryAction::Wait), count(RetryAction::Suppress));
    let generated_at = now.to_iso();
    let mut head = serde_json::Map::new();
    head.insert("generated_at".into(), Value::String(generated_at.clone()));
    let retry_plan_id = stable_id_with_list(spec.id_prefix, &head, "retry_decisions", &decisions);
    Ok(RetryPlan {
        schema_version: spec.schema_version.into(),
        product: kinds::PRODUCT.into(),
        retry_plan_id,
        generated_at,
        generated_by: generated_by.into(),
        alert_level: AlertLevel::from_flags(retryable > 0, waiting > 0),
        decision_count: decisions.len(),
        retryable_count: retryable,
        waiting_count: waiting,
        suppressed_count: suppressed,
        max_retry_attempts: policy.max_retry_attempts,
        base_retry_delay_minutes: policy.retry_delay_minutes,
        allow_immediate_retry: policy.allow_immediate_retry,
        backoff_multiplier: policy.backoff_multiplier,
        retry_decisions: decisions,
        controls: spec.controls.iter().map(|c| c.to_string()).collect(),
    })
}
