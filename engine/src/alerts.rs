//! Health alerts (SPEC §2, §7): a plan of which providers to notify (with a suppression window
//! per health report and provider), the alert event with per-provider payloads, review-only
//! acknowledgements, the alert history and its dashboard. One implementation, two families.

use crate::audit::{ProviderTexts, pretty_sorted, provider_payloads};
use crate::canonical::{python_repr, sha256_text, stable_id};
use crate::error::{EngineError, Result};
use crate::history::{Page, Paging, page};
use crate::input::Fields;
use crate::kinds::{self, source};
use crate::lenient::int_of;
use crate::meta::MetaRow;
use crate::provider::normalize;
use crate::redact::redact;
use crate::rows::{DeliveryRow, kind_of, newest_first, payload, view};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};

pub const DEFAULT_SUPPRESSION_MINUTES: i64 = 60;
pub const DEFAULT_MAX_ALERTS: i64 = 20;

/// Which health report the alerts are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertFamily {
    /// The audit retry worker (`worker-health-alerts`).
    WorkerHealth,
    /// The recovery escalation retry worker (`recovery-escalations/retry-health-alerts`).
    RetryHealth,
}

struct Spec {
    plan_kind: &'static str,
    ack_kind: &'static str,
    source: &'static str,
    thing: &'static str,
    default_health_id: &'static str,
    plan_prefix: &'static str,
    ack_prefix: &'static str,
    plan_key: &'static str,
    event_type: &'static str,
    title: &'static str,
    sourcetype: &'static str,
    jira_label: &'static str,
    summary_fields: &'static [&'static str],
    plan_summary_fields: &'static [&'static str],
    plan_controls: &'static [&'static str],
    event_controls: &'static [&'static str],
    ack_controls: &'static [&'static str],
}

fn spec(family: AlertFamily) -> Spec {
    match family {
        AlertFamily::WorkerHealth => Spec {
            plan_kind: kinds::WORKER_HEALTH_ALERT_PLAN,
            ack_kind: kinds::WORKER_HEALTH_ALERT_ACK,
            source: source::WORKER_HEALTH_ALERT,
            thing: "worker-health-alert",
            default_health_id: "go-rollback-drill-ack-audit-worker-health",
            plan_prefix: "gordackhealthalert",
            ack_prefix: "gordackhealthack",
            plan_key: "worker_health_alert_plan",
            event_type: "cavra.go_backend.rollback_drill.acknowledgement_audit_worker_health_alert",
            title: "CAVRA rollback drill audit worker health",
            sourcetype: "cavra:rollback_drill_ack_worker_health",
            jira_label: "audit-worker-health",
            summary_fields: &[
                "run_count", "retry_plan_count", "retryable_count", "missed_run_count", "failed_job_count",
                "stale_retry_plan_count", "connector_delivery_failure_count",
            ],
            plan_summary_fields: &["run_count", "retryable_count", "missed_run_count", "failed_job_count"],
            plan_controls: &[
                "worker-health-alert-routing-derived-from-public-health-metadata",
                "duplicate-suppression-uses-redacted-delivery-metadata",
                "acknowledgements-record-human-or-automation-review",
                "no-connector-credentials-stored-in-worker-health-alert-plan",
            ],
            event_controls: &[
                "worker-health-alert-derived-from-public-health-metadata",
                "connector-delivery-evidence-redacts-secrets",
                "health-alert-acknowledgements-record-review-only",
                "private-connectors-remain-responsible-for-ticket-or-chat-side-effects",
            ],
            ack_controls: &[
                "worker-health-alert-acknowledgement-records-review-only",
                "no-provider-token-or-secret-stored",
                "retry-worker-recovery-remains-operator-or-private-connector-responsibility",
            ],
        },
        AlertFamily::RetryHealth => Spec {
            plan_kind: kinds::RETRY_HEALTH_ALERT_PLAN,
            ack_kind: kinds::RETRY_HEALTH_ALERT_ACK,
            source: source::RETRY_HEALTH_ALERT,
            thing: "recovery-escalation-retry-health-alert",
            default_health_id: "go-rollback-drill-recovery-escalation-retry-health",
            plan_prefix: "gordackrecoveryhealthalert",
            ack_prefix: "gordackrecoveryhealthack",
            plan_key: "recovery_escalation_retry_health_alert_plan",
            event_type: "cavra.go_backend.rollback_drill.acknowledgement_audit_recovery_escalation_retry_health_alert",
            title: "CAVRA rollback drill recovery retry health",
            sourcetype: "cavra:rollback_drill_recovery_retry_health",
            jira_label: "recovery-retry-health",
            summary_fields: &[
                "retry_plan_count", "worker_run_count", "execution_record_count", "retryable_count", "selected_retry_count",
                "acknowledgement_pending_count", "missed_worker_count", "stale_retry_plan_count", "failed_execution_count",
                "failed_recovery_escalation_delivery_count",
            ],
            plan_summary_fields: &["retryable_count", "selected_retry_count", "missed_worker_count", "failed_execution_count"],
            plan_controls: &[
                "recovery-retry-health-alert-routing-derived-from-public-health-metadata",
                "duplicate-suppression-uses-redacted-delivery-metadata",
                "acknowledgements-record-human-or-automation-review",
                "no-connector-credentials-stored-in-recovery-retry-health-alert-plan",
            ],
            event_controls: &[
                "recovery-escalation-retry-health-alert-derived-from-public-health-metadata",
                "connector-delivery-evidence-redacts-secrets",
                "health-alert-acknowledgements-record-review-only",
                "private-connectors-remain-responsible-for-ticket-or-chat-side-effects",
            ],
            ack_controls: &[
                "recovery-retry-health-alert-acknowledgement-records-review-only",
                "no-provider-token-or-secret-stored",
                "retry-worker-recovery-remains-operator-or-private-connector-responsibility",
            ],
        },
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

fn health_id(health: &Value, family: AlertFamily) -> String {
    Some(text(health, "health_id")).filter(|s| !s.is_empty()).unwrap_or_else(|| spec(family).default_health_id.into())
}

fn alert_level(health: &Value) -> String {
    Some(text(health, "alert_level")).filter(|s| !s.is_empty()).unwrap_or_else(|| "healthy".into())
}

impl AlertFamily {
    pub fn plan_kind(self) -> &'static str {
        spec(self).plan_kind
    }
    pub fn ack_kind(self) -> &'static str {
        spec(self).ack_kind
    }
    pub fn source(self) -> &'static str {
        spec(self).source
    }
}

/// A provider held back by the suppression window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppressed {
    pub provider: String,
    pub last_delivery_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertPlan {
    pub schema_version: String,
    pub product: String,
    pub plan_id: String,
    pub health_id: String,
    pub generated_at: String,
    pub generated_by: String,
    pub source_health_generated_at: String,
    pub alert_level: String,
    pub summary: Map<String, Value>,
    pub requested_provider: String,
    pub eligible_providers: Vec<String>,
    pub selected_providers: Vec<String>,
    pub suppressed_providers: Vec<Suppressed>,
    pub suppression_window_minutes: i64,
    pub force: bool,
    pub acknowledgement_required_providers: Vec<String>,
    pub controls: Vec<String>,
}

/// The alert-delivery request: provider, window, force, max alerts.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRequest {
    pub provider: String,
    pub suppression_window_minutes: i64,
    pub force: bool,
    pub max_alerts: usize,
}

impl AlertRequest {
    pub fn parse(body: &Fields<'_>) -> Result<Self> {
        Ok(Self {
            provider: body.string(&["provider"], 256)?.filter(|p| !p.trim().is_empty()).unwrap_or_else(|| "all".into()),
            suppression_window_minutes: body.integer(&["suppression_window_minutes"], 1, 10_080)?.unwrap_or(DEFAULT_SUPPRESSION_MINUTES),
            force: body.bool(&["force"])?.unwrap_or(false),
            max_alerts: body.integer(&["max_alerts"], 1, 100)?.unwrap_or(DEFAULT_MAX_ALERTS) as usize,
        })
    }
}

/// Which configured providers get the alert: the requested ones, minus those that received an
/// alert for the same health report within the window (unless `force`), and none while healthy.
pub fn build_alert_plan(
    family: AlertFamily,
    health: &Value,
    deliveries: &[Value],
    request: &AlertRequest,
    available: &[String],
    generated_by: &str,
    now: Timestamp,
) -> Result<AlertPlan> {
    let s = spec(family);
    let health_id = health_id(health, family);
    let level = alert_level(health);
    let available: Vec<String> = if available.is_empty() { vec!["webhook".into()] } else { available.to_vec() };
    let eligible: Vec<String> = if normalize(&request.provider) == "all" {
        available.clone()
    } else {
        let wanted: Vec<String> = request.provider.split(',').map(normalize).filter(|p| !p.is_empty()).collect();
        if let Some(unknown) = wanted.iter().find(|w| !available.contains(w)) {
            return Err(EngineError::UnknownProvider { provider: unknown.clone() });
        }
        available.iter().filter(|p| wanted.contains(p)).cloned().collect()
    };
    let mut suppressed: Vec<Suppressed> = Vec::new();
    if !request.force {
        let cutoff = now.plus_minutes(-(request.suppression_window_minutes as f64));
        for (i, row) in deliveries.iter().enumerate() {
            if kind_of(row) != kinds::CONNECTOR_DELIVERY {
                continue;
            }
            let d: DeliveryRow = view(row, i)?;
            let recent = d.created_at.as_deref().and_then(|t| Timestamp::parse(t).ok()).is_some_and(|t| t >= cutoff);
            if d.is_from(s.source) && d.event_id.as_deref() == Some(&health_id) && recent {
                for p in &d.providers {
                    suppressed.push(Suppressed { provider: normalize(p), last_delivery_at: d.created_at.clone().unwrap_or_default() });
                }
            }
        }
    }
    let held: HashSet<&str> = suppressed.iter().map(|x| x.provider.as_str()).collect();
    let selected: Vec<String> =
        eligible.iter().filter(|p| !held.contains(p.as_str()) && level != "healthy").cloned().collect();
    let mut summary = Map::new();
    for key in s.plan_summary_fields {
        summary.insert((*key).into(), json!(health.get(*key).map_or(0, int_of)));
    }
    summary.insert("alert_count".into(), json!(health.get("alerts").and_then(Value::as_array).map_or(0, Vec::len)));
    let generated_at = now.to_iso();
    Ok(AlertPlan {
        schema_version: format!("cavra.go-backend-pilot.rollback-drill-acknowledgement-audit-delivery-{}-plan.v1", s.thing),
        product: kinds::PRODUCT.into(),
        plan_id: stable_id(
            s.plan_prefix,
            &json!({"health_id": health_id, "generated_at": generated_at, "eligible": eligible, "selected": selected,
                    "suppressed": suppressed, "force": request.force}),
        ),
        health_id,
        generated_at,
        generated_by: generated_by.into(),
        source_health_generated_at: text(health, "generated_at"),
        alert_level: level,
        summary,
        requested_provider: request.provider.clone(),
        eligible_providers: eligible,
        acknowledgement_required_providers: selected.clone(),
        selected_providers: selected,
        suppressed_providers: suppressed,
        suppression_window_minutes: request.suppression_window_minutes,
        force: request.force,
        controls: s.plan_controls.iter().map(|c| c.to_string()).collect(),
    })
}

impl AlertPlan {
    pub fn metadata(&self, family: AlertFamily) -> Value {
        let s = spec(family);
        let names: Vec<&str> = self.suppressed_providers.iter().map(|x| x.provider.as_str()).collect();
        MetaRow::new(
            &self.plan_id,
            &self.generated_at,
            &self.generated_by,
            s.plan_kind,
            [self.eligible_providers.len() as i64, names.len() as i64, self.acknowledgement_required_providers.len() as i64],
        )
        .with("plan_id", &self.plan_id)
        .with("health_id", &self.health_id)
        .with("alert_level", &self.alert_level)
        .with("selected_providers", &self.selected_providers)
        .with("suppressed_providers", &names)
        .with("suppressed_provider_count", names.len())
        .with("acknowledgement_required_providers", &self.acknowledgement_required_providers)
        .with("suppression_window_minutes", self.suppression_window_minutes)
        .nest(s.plan_key, self)
    }
}

/// The alert event: summary, the first `max_alerts` alerts, and each provider's payload.
pub fn build_alert_event(family: AlertFamily, health: &Value, generated_by: &str, max_alerts: usize, now: Timestamp) -> Value {
    let s = spec(family);
    let health_id = health_id(health, family);
    let level = alert_level(health);
    let alerts: Vec<Value> = health.get("alerts").and_then(Value::as_array).cloned().unwrap_or_default();
    let selected: Vec<Value> = alerts.iter().filter(|a| a.is_object()).take(max_alerts.max(1)).cloned().collect();
    let mut summary = Map::new();
    for key in s.summary_fields {
        summary.insert((*key).into(), json!(health.get(*key).map_or(0, int_of)));
    }
    let (latest_id, latest_age) = match family {
        AlertFamily::WorkerHealth => ("latest_run_id", "latest_run_age_minutes"),
        AlertFamily::RetryHealth => ("latest_worker_run_id", "latest_worker_age_minutes"),
    };
    summary.insert(latest_id.into(), health.get(latest_id).cloned().unwrap_or(Value::Null));
    summary.insert(latest_age.into(), health.get(latest_age).cloned().unwrap_or(Value::Null));
    summary.insert("omitted_alert_count".into(), json!(alerts.len().saturating_sub(selected.len())));
    let summary = Value::Object(summary);
    let title = format!("{} {level}: {health_id}", s.title);
    let description = pretty_sorted(&json!({"summary": summary, "alerts": selected}));
    let (blocked, decision) = match family {
        AlertFamily::WorkerHealth => (
            health.get("missed_run_count").map_or(0, int_of) + health.get("failed_job_count").map_or(0, int_of),
            health.get("run_count").map_or(0, int_of),
        ),
        AlertFamily::RetryHealth => (
            health.get("missed_worker_count").map_or(0, int_of) + health.get("failed_execution_count").map_or(0, int_of),
            health.get("worker_run_count").map_or(0, int_of),
        ),
    };
    let recommendations =
        health.get("recommendations").or_else(|| health.get("recommended_actions")).cloned().unwrap_or_else(|| json!([]));
    let mut event = json!({
        "schema_version": format!("cavra.go-backend-pilot.rollback-drill-acknowledgement-audit-delivery-{}.v1", s.thing),
        "product": kinds::PRODUCT,
        "event_type": s.event_type,
        "session_id": health_id,
        "health_id": health_id,
        "generated_at": now.to_iso(),
        "generated_by": generated_by,
        "source_health_generated_at": text(health, "generated_at"),
        "title": title,
        "alert_level": level,
        "max_severity": match level.as_str() { "critical" => "critical", "warning" => "warning", _ => "low" },
        "blocked_count": blocked,
        "approval_required_count": selected.len(),
        "decision_count": decision,
        "summary": summary,
        "alerts": selected,
        "omitted_alert_count": alerts.len().saturating_sub(selected.len()),
        "recommendations": recommendations,
        "controls": s.event_controls,
    });
    let payloads = provider_payloads(
        &event,
        &ProviderTexts {
            title: &title,
            slack_text: &format!("{title}: {}", python_repr(&summary)),
            summary: &summary,
            teams_text: &description,
            teams_sections: None,
            ticket_description: &description,
            correlation_id: &health_id,
            splunk_sourcetype: s.sourcetype,
            jira_label: s.jira_label,
        },
    );
    event["provider_payloads"] = payloads;
    event
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertAckState {
    Acknowledged,
    Dismissed,
    Escalated,
    Resolved,
}

impl AlertAckState {
    pub fn parse(text: &str) -> Result<Self> {
        match normalize(text).as_str() {
            "acknowledged" => Ok(Self::Acknowledged),
            "dismissed" => Ok(Self::Dismissed),
            "escalated" => Ok(Self::Escalated),
            "resolved" => Ok(Self::Resolved),
            _ => Err(EngineError::invalid("acknowledgement_state", "must be acknowledged, dismissed, escalated, or resolved")),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Acknowledged => "acknowledged",
            Self::Dismissed => "dismissed",
            Self::Escalated => "escalated",
            Self::Resolved => "resolved",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertAck {
    pub schema_version: String,
    pub product: String,
    pub acknowledgement_id: String,
    pub health_id: String,
    pub plan_id: String,
    pub provider: String,
    pub acknowledgement_state: AlertAckState,
    pub acknowledged_by: String,
    pub acknowledged_at: String,
    pub external_ref: String,
    pub notes: String,
    pub controls: Vec<String>,
}

pub fn build_alert_ack(family: AlertFamily, health_id: &str, body: &Fields<'_>, actor: &str, now: Timestamp) -> Result<AlertAck> {
    let s = spec(family);
    let provider = normalize(&body.string(&["provider"], 64)?.unwrap_or_default());
    if provider.is_empty() {
        return Err(EngineError::missing("provider"));
    }
    let state = AlertAckState::parse(&body.string(&["acknowledgement_state"], 32)?.unwrap_or_else(|| "acknowledged".into()))?;
    let plan_id = body.string(&["plan_id"], 128)?.unwrap_or_default();
    let external_ref = redact(&body.string(&["external_ref"], 256)?.unwrap_or_default());
    let notes = redact(&body.string(&["notes"], 2000)?.unwrap_or_default());
    body.allow(&["acknowledged_by", "generated_by"]);
    let acknowledged_at = now.to_iso();
    let digest = sha256_text(&format!("{health_id}|{provider}|{}|{actor}|{acknowledged_at}", state.as_str()));
    Ok(AlertAck {
        schema_version: format!("cavra.go-backend-pilot.rollback-drill-acknowledgement-audit-delivery-{}-ack.v1", s.thing),
        product: kinds::PRODUCT.into(),
        acknowledgement_id: format!("{}-{}", s.ack_prefix, &digest[..16]),
        health_id: health_id.into(),
        plan_id,
        provider,
        acknowledgement_state: state,
        acknowledged_by: actor.into(),
        acknowledged_at,
        external_ref,
        notes,
        controls: s.ack_controls.iter().map(|c| c.to_string()).collect(),
    })
}

impl AlertAck {
    pub fn metadata(&self, family: AlertFamily) -> Value {
        MetaRow::new(&self.acknowledgement_id, &self.acknowledged_at, &self.acknowledged_by, spec(family).ack_kind, [1, 0, 0])
            .with("acknowledgement_id", &self.acknowledgement_id)
            .with("health_id", &self.health_id)
            .with("plan_id", &self.plan_id)
            .with("provider", &self.provider)
            .with("acknowledgement_state", self.acknowledgement_state)
            .with("external_ref", &self.external_ref)
            .nest("acknowledgement", self)
    }
}

/// Filters of the alert history.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub health_id: Option<String>,
    pub provider: Option<String>,
    pub metadata_kind: Option<String>,
    pub acknowledgement_state: Option<String>,
    pub suppressed: Option<bool>,
}

fn strings(row: &Value, key: &str) -> Vec<String> {
    row.get(key).and_then(Value::as_array).map(|a| a.iter().filter_map(|v| v.as_str().map(normalize)).collect()).unwrap_or_default()
}

/// Alert plans, acknowledgements and alert deliveries of a family, newest first, filtered.
pub fn alert_rows<'a>(family: AlertFamily, items: &'a [Value], filter: &AlertFilter) -> Vec<&'a Value> {
    let s = spec(family);
    let rows: Vec<&Value> = items
        .iter()
        .filter(|r| {
            let kind = kind_of(r);
            kind == s.plan_kind
                || kind == s.ack_kind
                || (kind == kinds::CONNECTOR_DELIVERY && r.get("connector_delivery_source").and_then(Value::as_str) == Some(s.source))
        })
        .filter(|r| {
            filter.health_id.as_ref().is_none_or(|h| ["health_id", "event_id", "session_id"].iter().any(|k| text(r, k) == *h))
        })
        .filter(|r| {
            filter.provider.as_ref().map(|p| normalize(p)).is_none_or(|p| {
                normalize(&text(r, "provider")) == p
                    || ["providers", "selected_providers", "suppressed_providers"].iter().any(|k| strings(r, k).contains(&p))
            })
        })
        .filter(|r| filter.metadata_kind.as_ref().is_none_or(|k| kind_of(r) == k))
        .filter(|r| filter.acknowledgement_state.as_ref().is_none_or(|st| text(r, "acknowledgement_state") == normalize(st)))
        .filter(|r| {
            filter.suppressed.is_none_or(|want| r.get("suppressed_providers").and_then(Value::as_array).is_some_and(|a| !a.is_empty()) == want)
        })
        .collect();
    newest_first(&rows, |r| r.get("created_at").and_then(Value::as_str).unwrap_or("")).into_iter().map(|i| rows[i]).collect()
}

pub fn alert_history(family: AlertFamily, items: &[Value], filter: &AlertFilter, paging: &Paging) -> Page {
    let schema = format!("cavra.go-backend-pilot.rollback-drill-acknowledgement-audit-delivery-{}-history.v1", spec(family).thing);
    page(&schema, alert_rows(family, items, filter), paging)
}

#[derive(Debug, Clone, Serialize)]
pub struct Outstanding {
    pub health_id: String,
    pub provider: String,
    pub plan_id: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AlertDashboard {
    pub schema_version: String,
    pub product: String,
    pub generated_at: String,
    pub alert_level: crate::level::AlertLevel,
    pub plan_count: usize,
    pub delivery_count: usize,
    pub failed_delivery_count: usize,
    pub acknowledgement_count: usize,
    pub outstanding_acknowledgement_count: usize,
    pub suppressed_provider_count: usize,
    pub outstanding_acknowledgements: Vec<Outstanding>,
    pub latest: Vec<Value>,
}

/// Outstanding acknowledgements of each health report's latest alert plan, failures and
/// suppressions.
pub fn alert_dashboard(family: AlertFamily, items: &[Value], now: Timestamp) -> Result<AlertDashboard> {
    let s = spec(family);
    let rows = alert_rows(family, items, &AlertFilter::default());
    let plans: Vec<&Value> = rows.iter().copied().filter(|r| kind_of(r) == s.plan_kind).collect();
    let acks: Vec<&Value> = rows.iter().copied().filter(|r| kind_of(r) == s.ack_kind).collect();
    let deliveries: Vec<&Value> = rows.iter().copied().filter(|r| kind_of(r) == kinds::CONNECTOR_DELIVERY).collect();
    let mut latest_plan: Vec<(String, &Value)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for p in &plans {
        let h = text(p, "health_id");
        if !h.is_empty() && !seen.contains_key(&h) {
            seen.insert(h.clone(), latest_plan.len());
            latest_plan.push((h, p));
        }
    }
    let acknowledged: HashSet<(String, String)> = acks
        .iter()
        .filter(|a| matches!(text(a, "acknowledgement_state").as_str(), "acknowledged" | "resolved"))
        .map(|a| (text(a, "health_id"), normalize(&text(a, "provider"))))
        .collect();
    let mut outstanding = Vec::new();
    for (h, p) in &latest_plan {
        let plan = payload(p, s.plan_key);
        for provider in strings(plan, "acknowledgement_required_providers") {
            if !acknowledged.contains(&(h.clone(), provider.clone())) {
                outstanding.push(Outstanding { health_id: h.clone(), provider, plan_id: text(p, "plan_id") });
            }
        }
    }
    let mut failed = 0;
    for (i, d) in deliveries.iter().enumerate() {
        let row: DeliveryRow = view(d, i)?;
        if !row.delivery_success {
            failed += 1;
        }
    }
    let suppressed: usize = plans.iter().map(|p| p.get("suppressed_provider_count").map_or(0, int_of) as usize).sum();
    Ok(AlertDashboard {
        schema_version: format!("cavra.go-backend-pilot.rollback-drill-acknowledgement-audit-delivery-{}-dashboard.v1", s.thing),
        product: kinds::PRODUCT.into(),
        generated_at: now.to_iso(),
        alert_level: crate::level::AlertLevel::from_flags(failed > 0 || !outstanding.is_empty(), suppressed > 0),
        plan_count: plans.len(),
        delivery_count: deliveries.len(),
        failed_delivery_count: failed,
        acknowledgement_count: acks.len(),
        outstanding_acknowledgement_count: outstanding.len(),
        suppressed_provider_count: suppressed,
        outstanding_acknowledgements: outstanding.into_iter().take(20).collect(),
        latest: rows.iter().take(10).map(|r| (*r).clone()).collect(),
    })
}
