//! Deliver Ack Audit (SPEC §1): the acknowledgement audit package, its delivery plan and the
//! public-safe event sent to connectors.

use crate::canonical::{stable_id, to_canonical_json};
use crate::error::{EngineError, Result};
use crate::input::Fields;
use crate::kinds;
use crate::level::AlertLevel;
use crate::meta::MetaRow;
use crate::provider::normalize;
use crate::redact::redact;
use crate::time::Timestamp;
use crate::{error, schema};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

pub const MAX_ACKNOWLEDGEMENTS: usize = 500;

/// The acknowledgement state of one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteAckState {
    Outstanding,
    Acknowledged,
    Resolved,
    Escalated,
    Dismissed,
}

impl RouteAckState {
    fn parse(text: &str, field: &str) -> Result<Self> {
        match normalize(text).as_str() {
            "outstanding" | "" => Ok(Self::Outstanding),
            "acknowledged" => Ok(Self::Acknowledged),
            "resolved" => Ok(Self::Resolved),
            "escalated" => Ok(Self::Escalated),
            "dismissed" => Ok(Self::Dismissed),
            _ => Err(EngineError::invalid(
                field,
                "must be outstanding, acknowledged, resolved, escalated, or dismissed",
            )),
        }
    }
}

/// One drill route with its latest acknowledgement, as the package lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRoute {
    pub route_id: String,
    pub schedule_id: String,
    pub plan_id: String,
    pub provider: String,
    pub owner: String,
    pub escalation_owner: String,
    pub route_action: String,
    pub route_created_at: String,
    pub acknowledgement_state: RouteAckState,
    pub acknowledged: bool,
    pub acknowledged_by: String,
    pub acknowledged_at: String,
    pub external_ref: String,
    pub notes: String,
    pub acknowledgement_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditFilters {
    pub schedule_id: String,
    pub provider: String,
    pub owner: String,
}

/// The acknowledgement audit package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPackage {
    pub schema_version: String,
    pub product: String,
    pub audit_id: String,
    pub generated_at: String,
    pub generated_by: String,
    pub filters: AuditFilters,
    pub route_count: usize,
    pub acknowledgement_count: usize,
    pub acknowledged_count: usize,
    pub resolved_count: usize,
    pub escalated_count: usize,
    pub dismissed_count: usize,
    pub outstanding_count: usize,
    pub alert_level: AlertLevel,
    pub routes: Vec<AuditRoute>,
    pub controls: Vec<String>,
}

/// The parsed Deliver Ack Audit body.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliverAckAuditRequest {
    pub schedule_id: Option<String>,
    pub provider: Option<String>,
    pub owner: Option<String>,
    pub delivery_provider: String,
    pub cadence: String,
    pub schedule_ref: Option<String>,
    pub next_delivery_at: Option<String>,
    pub retries: u32,
    pub timeout_seconds: f64,
    pub routes: Vec<AuditRoute>,
}

impl DeliverAckAuditRequest {
    pub fn parse(body: &Fields<'_>) -> Result<Self> {
        // Labels and ids are echoed into evidence: they pass redaction like free text (a
        // secret pasted as an owner must not be stored), so filters and routes still match.
        let schedule_id = body.string(&["schedule_id"], 128)?.filter(|s| !s.is_empty()).map(|s| redact(&s));
        let provider = body.string(&["provider"], 256)?.filter(|s| !s.is_empty());
        let owner = body.string(&["owner"], 128)?.filter(|s| !s.is_empty()).map(|s| redact(&s));
        let delivery_provider =
            body.string(&["delivery_provider"], 256)?.or_else(|| provider.clone()).unwrap_or_else(|| "all".into());
        let cadence = body.string(&["cadence"], 64)?.filter(|s| !s.trim().is_empty()).map_or_else(|| "on_demand".into(), |s| redact(&s));
        let schedule_ref = body.string(&["schedule_ref"], 256)?.map(|s| redact(&s));
        let next_delivery_at = match body.string(&["next_delivery_at"], 64)? {
            Some(s) if !s.trim().is_empty() => {
                Some(Timestamp::parse(&s).map_err(|e| EngineError::invalid("next_delivery_at", e.to_string()))?.to_iso())
            }
            _ => None,
        };
        let retries = body.integer(&["retries"], 0, 5)?.unwrap_or(2) as u32;
        let timeout_seconds = body.number(&["timeout_seconds"], 0.1, 60.0)?.unwrap_or(10.0);
        let routes = match body.value("acknowledgements") {
            None => Vec::new(),
            Some(Value::Array(items)) if items.len() <= MAX_ACKNOWLEDGEMENTS => items
                .iter()
                .enumerate()
                .map(|(i, item)| parse_route(item, &format!("acknowledgements[{i}]")))
                .collect::<Result<_>>()?,
            Some(Value::Array(_)) => {
                return Err(EngineError::invalid("acknowledgements", format!("must have at most {MAX_ACKNOWLEDGEMENTS} items")));
            }
            Some(_) => return Err(EngineError::invalid("acknowledgements", "must be a list of objects")),
        };
        Ok(Self {
            schedule_id,
            provider,
            owner,
            delivery_provider,
            cadence,
            schedule_ref,
            next_delivery_at,
            retries,
            timeout_seconds,
            routes,
        })
    }
}

fn parse_route(value: &Value, path: &str) -> Result<AuditRoute> {
    let f = Fields::new(Some(value), path)?;
    // Every echoed label passes redaction (see `DeliverAckAuditRequest::parse`).
    let text = |key: &str, max: usize| -> error::Result<String> { Ok(redact(&f.string(&[key], max)?.unwrap_or_default())) };
    let schedule_id = redact(&f.required_string("schedule_id", 128)?);
    let provider = normalize(&f.required_string("provider", 64)?);
    let owner = f.string(&["owner"], 128)?.filter(|s| !s.is_empty()).map_or_else(|| "release-governance".into(), |s| redact(&s));
    let escalation_owner = f.string(&["escalation_owner"], 128)?.filter(|s| !s.is_empty()).map_or_else(|| owner.clone(), |s| redact(&s));
    let state = RouteAckState::parse(&text("acknowledgement_state", 32)?, &format!("{path}.acknowledgement_state"))?;
    let acknowledged_at = match f.string(&["acknowledged_at"], 64)? {
        Some(s) if !s.trim().is_empty() => {
            Timestamp::parse(&s).map_err(|e| EngineError::invalid(format!("{path}.acknowledged_at"), e.to_string()))?.to_iso()
        }
        _ => String::new(),
    };
    let route = AuditRoute {
        route_id: text("route_id", 128)?,
        schedule_id,
        plan_id: text("plan_id", 128)?,
        provider,
        owner,
        escalation_owner,
        route_action: "deliver".into(),
        route_created_at: String::new(),
        acknowledgement_state: state,
        acknowledged: matches!(state, RouteAckState::Acknowledged | RouteAckState::Resolved),
        acknowledged_by: text("acknowledged_by", 64)?,
        acknowledged_at,
        external_ref: text("external_ref", 256)?,
        notes: text("notes", 2000)?,
        acknowledgement_id: text("acknowledgement_id", 128)?,
    };
    f.allow(&["route_action", "route_created_at"]);
    f.finish()?;
    Ok(route)
}

/// Builds the package from the routes that match the request's filters.
pub fn build_audit_package(req: &DeliverAckAuditRequest, generated_by: &str, now: Timestamp) -> AuditPackage {
    let matches = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
    let provider_filter = req.provider.as_deref().map(normalize);
    let routes: Vec<AuditRoute> = req
        .routes
        .iter()
        .filter(|r| matches(&req.schedule_id, &r.schedule_id))
        .filter(|r| provider_filter.as_deref().is_none_or(|p| p == "all" || p == r.provider))
        .filter(|r| matches(&req.owner, &r.owner))
        .cloned()
        .collect();
    let count = |s: RouteAckState| routes.iter().filter(|r| r.acknowledgement_state == s).count();
    let outstanding = routes.iter().filter(|r| !r.acknowledged).count();
    let escalated = count(RouteAckState::Escalated);
    let filters = AuditFilters {
        schedule_id: req.schedule_id.clone().unwrap_or_default(),
        provider: req.provider.clone().unwrap_or_default(),
        owner: req.owner.clone().unwrap_or_default(),
    };
    let audit_id = stable_id(
        "gordackaudit",
        &json!({"generated_by": generated_by, "filters": filters, "route_entries": routes, "generated_at": now.to_iso()}),
    );
    AuditPackage {
        schema_version: "cavra.go-backend-pilot.rollback-drill-acknowledgement-audit-package.v1".into(),
        product: kinds::PRODUCT.into(),
        audit_id,
        generated_at: now.to_iso(),
        generated_by: generated_by.into(),
        filters,
        route_count: routes.len(),
        acknowledgement_count: routes.iter().filter(|r| r.acknowledgement_state != RouteAckState::Outstanding).count(),
        acknowledged_count: count(RouteAckState::Acknowledged),
        resolved_count: count(RouteAckState::Resolved),
        escalated_count: escalated,
        dismissed_count: count(RouteAckState::Dismissed),
        outstanding_count: outstanding,
        alert_level: AlertLevel::from_flags(escalated > 0 || outstanding > 0, false),
        routes,
        controls: vec![
            "public-safe-acknowledgement-audit-package".into(),
            "connector-secrets-not-included".into(),
            "latest-route-acknowledgement-state-only".into(),
        ],
    }
}

impl AuditPackage {
    pub fn metadata(&self) -> Value {
        MetaRow::new(
            &self.audit_id,
            &self.generated_at,
            &self.generated_by,
            kinds::AUDIT_PACKAGE,
            [self.route_count as i64, (self.outstanding_count + self.escalated_count) as i64, self.outstanding_count as i64],
        )
        .with("audit_id", &self.audit_id)
        .with("alert_level", self.alert_level)
        .with("route_count", self.route_count)
        .with("acknowledgement_count", self.acknowledgement_count)
        .with("outstanding_count", self.outstanding_count)
        .nest("acknowledgement_audit_package", self)
    }
}

/// Where and how an audit package is delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryPlan {
    pub schema_version: String,
    pub product: String,
    pub delivery_id: String,
    pub audit_id: String,
    pub generated_at: String,
    pub generated_by: String,
    pub cadence: String,
    pub schedule_ref: String,
    pub next_delivery_at: String,
    pub requested_provider: String,
    pub requested_providers: Vec<String>,
    pub selected_providers: Vec<String>,
    pub destination_count: usize,
    pub route_count: usize,
    pub outstanding_count: usize,
    pub escalated_count: usize,
    pub alert_level: AlertLevel,
    pub filters: AuditFilters,
    /// ✚ The failed delivery this plan redelivers, for worker retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_of: Option<String>,
    pub controls: Vec<String>,
}

/// Options of a delivery plan beyond the package.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeliveryPlanOptions {
    pub requested_provider: String,
    pub cadence: String,
    pub schedule_ref: Option<String>,
    pub next_delivery_at: Option<String>,
    pub retry_of: Option<String>,
}

/// Selects the configured providers the request names (`all`, one, or a comma list).
/// `configured` must already be normalised; an unknown name is an `unknown_provider` error.
pub fn build_delivery_plan(
    package: &AuditPackage,
    options: &DeliveryPlanOptions,
    configured: &[String],
    generated_by: &str,
    now: Timestamp,
) -> Result<DeliveryPlan> {
    let requested = options.requested_provider.trim();
    let requested_providers: Vec<String> = if normalize(requested) == "all" || requested.is_empty() {
        Vec::new()
    } else {
        requested.split(',').map(normalize).filter(|s| !s.is_empty()).collect()
    };
    let selected = crate::provider::select(requested, configured)
        .map_err(|provider| EngineError::UnknownProvider { provider })?;
    let material = json!({
        "audit_id": package.audit_id,
        "eligible": selected,
        "generated_by": generated_by,
        "cadence": options.cadence,
        "schedule_ref": options.schedule_ref.clone().unwrap_or_default(),
        "next_delivery_at": options.next_delivery_at.clone().unwrap_or_default(),
        "generated_at": now.to_iso(),
        "retry_of": options.retry_of,
    });
    Ok(DeliveryPlan {
        schema_version: schema!("plan").into(),
        product: kinds::PRODUCT.into(),
        delivery_id: stable_id("gordackdelivery", &material),
        audit_id: package.audit_id.clone(),
        generated_at: now.to_iso(),
        generated_by: generated_by.into(),
        cadence: options.cadence.clone(),
        schedule_ref: options.schedule_ref.clone().unwrap_or_default(),
        next_delivery_at: options.next_delivery_at.clone().unwrap_or_default(),
        requested_provider: options.requested_provider.clone(),
        requested_providers,
        destination_count: selected.len(),
        selected_providers: selected,
        route_count: package.route_count,
        outstanding_count: package.outstanding_count,
        escalated_count: package.escalated_count,
        alert_level: package.alert_level,
        filters: package.filters.clone(),
        retry_of: options.retry_of.clone(),
        controls: vec![
            "acknowledgement-audit-delivery-uses-public-safe-package".into(),
            "connector-secrets-not-included-in-delivery-plan".into(),
            "scheduled-delivery-is-metadata-only-in-community-edition".into(),
        ],
    })
}

impl DeliveryPlan {
    pub fn metadata(&self) -> Value {
        let blocked = (self.outstanding_count + self.escalated_count) as i64;
        MetaRow::new(
            &self.delivery_id,
            &self.generated_at,
            &self.generated_by,
            kinds::DELIVERY_PLAN,
            [self.destination_count as i64, blocked, self.outstanding_count as i64],
        )
        .with("delivery_id", &self.delivery_id)
        .with("audit_id", &self.audit_id)
        .with("alert_level", self.alert_level)
        .with("selected_providers", &self.selected_providers)
        .with("destination_count", self.destination_count)
        .with("route_count", self.route_count)
        .with("outstanding_count", self.outstanding_count)
        .nest("acknowledgement_audit_delivery_plan", self)
    }
}

/// The event sent to connectors: ids, counts and states only; route notes are never sent.
pub fn build_delivery_event(package: &AuditPackage, plan: &DeliveryPlan, generated_by: &str) -> Value {
    let summary = json!({
        "audit_id": package.audit_id,
        "delivery_id": plan.delivery_id,
        "route_count": package.route_count,
        "acknowledged_count": package.acknowledged_count,
        "resolved_count": package.resolved_count,
        "escalated_count": package.escalated_count,
        "dismissed_count": package.dismissed_count,
        "outstanding_count": package.outstanding_count,
        "alert_level": package.alert_level,
        "filters": package.filters,
        "cadence": plan.cadence,
        "schedule_ref": plan.schedule_ref,
        "next_delivery_at": plan.next_delivery_at,
    });
    let title = format!("CAVRA rollback drill acknowledgement audit {}", package.alert_level.as_str());
    let description = format!(
        "Audit package {} has {} outstanding route(s) and {} escalated route(s).",
        package.audit_id, package.outstanding_count, package.escalated_count
    );
    let routes: Vec<Value> = package
        .routes
        .iter()
        .map(|r| {
            json!({
                "route_id": r.route_id, "schedule_id": r.schedule_id, "plan_id": r.plan_id,
                "provider": r.provider, "owner": r.owner, "escalation_owner": r.escalation_owner,
                "acknowledgement_state": r.acknowledgement_state, "acknowledged": r.acknowledged,
                "acknowledged_by": r.acknowledged_by, "acknowledged_at": r.acknowledged_at,
                "external_ref": r.external_ref, "acknowledgement_id": r.acknowledgement_id,
            })
        })
        .collect();
    let mut event = json!({
        "schema_version": schema!(""),
        "product": kinds::PRODUCT,
        "event_type": "cavra.go_backend.rollback_drill.acknowledgement_audit_delivery",
        "session_id": plan.delivery_id,
        "generated_at": plan.generated_at,
        "generated_by": generated_by,
        "title": title,
        "alert_level": package.alert_level,
        "blocked_count": package.outstanding_count + package.escalated_count,
        "max_severity": if package.alert_level == AlertLevel::Critical { "high" } else { "low" },
        "audit_package_summary": summary,
        "delivery_plan": plan,
        "routes": routes,
        "controls": [
            "delivery-event-redacts-connector-secrets",
            "route-notes-are-not-sent-to-connectors",
            "siem-itsm-routing-uses-public-safe-acknowledgement-state",
        ],
    });
    // `schema!("")` ends in "-.v1"; the event's own schema has no suffix.
    event["schema_version"] = json!("cavra.go-backend-pilot.rollback-drill-acknowledgement-audit-delivery.v1");
    let teams_facts: Vec<Value> = summary
        .as_object()
        .map(|m| m.iter().map(|(k, v)| json!({"name": k, "value": fact_text(v)})).collect())
        .unwrap_or_default();
    let payloads = provider_payloads(
        &event,
        &ProviderTexts {
            title: &title,
            slack_text: &format!("{title}: {description}"),
            summary: &summary,
            teams_text: &description,
            teams_sections: Some(json!([{ "facts": teams_facts }])),
            ticket_description: &pretty_sorted(&event),
            correlation_id: &plan.delivery_id,
            splunk_sourcetype: "cavra:rollback_drill_ack_audit",
            jira_label: "acknowledgement-audit",
        },
    );
    event["provider_payloads"] = payloads;
    event
}

/// Texts the per-provider payloads are made of.
pub struct ProviderTexts<'a> {
    pub title: &'a str,
    pub slack_text: &'a str,
    pub summary: &'a Value,
    pub teams_text: &'a str,
    pub teams_sections: Option<Value>,
    pub ticket_description: &'a str,
    pub correlation_id: &'a str,
    pub splunk_sourcetype: &'a str,
    pub jira_label: &'a str,
}

/// The body each provider kind receives (webhook, splunk, sentinel, datadog, slack, teams,
/// jira, servicenow); any other provider receives the webhook body.
pub fn provider_payloads(event: &Value, t: &ProviderTexts<'_>) -> Value {
    let with_provider = |p: &str| {
        let mut e = event.clone();
        e["provider"] = json!(p);
        e
    };
    let mut teams = json!({"type": "message", "title": t.title, "text": t.teams_text});
    if let Some(sections) = &t.teams_sections {
        teams["sections"] = sections.clone();
    }
    json!({
        "webhook": with_provider("webhook"),
        "splunk": {"event": with_provider("splunk"), "sourcetype": t.splunk_sourcetype},
        "sentinel": {"records": [with_provider("sentinel")]},
        "datadog": {"events": [with_provider("datadog")]},
        "slack": {"text": t.slack_text, "metadata": t.summary},
        "teams": teams,
        "jira": {"summary": t.title, "description": t.ticket_description,
                 "labels": ["cavra", "go-backend", "rollback-drill", t.jira_label]},
        "servicenow": {"short_description": t.title, "description": t.ticket_description,
                       "category": "software", "correlation_id": t.correlation_id},
    })
}

/// The body sent to `provider`: its own payload, or the webhook payload.
pub fn body_for(event: &Value, provider: &str) -> Value {
    let payloads = event.get("provider_payloads");
    payloads
        .and_then(|p| p.get(provider))
        .or_else(|| payloads.and_then(|p| p.get("webhook")))
        .cloned()
        .unwrap_or_else(|| event.clone())
}

/// Python's `str(value)` for a summary fact.
fn fact_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

/// `json.dumps(value, indent=2, sort_keys=True)`.
pub fn pretty_sorted(value: &Value) -> String {
    fn sort(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                Value::Object(keys.into_iter().map(|k| (k.clone(), sort(&m[k]))).collect::<Map<_, _>>())
            }
            Value::Array(a) => Value::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string_pretty(&sort(value)).unwrap_or_else(|_| to_canonical_json(value))
}
