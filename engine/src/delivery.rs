//! Connector delivery results and their public-safe `release-connector-delivery` rows.
//!
//! The host performs the HTTP calls and reports each provider's outcome; everything stored is
//! built here. URLs, tokens and bodies never enter a result or a row.

use crate::canonical::sha256_text;
use crate::kinds;
use crate::meta::MetaRow;
use crate::rows::ErrorClass;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// What the host observed delivering to one provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderOutcome {
    pub provider: String,
    /// The final HTTP status, `None` when no response arrived (timeout, refused, DNS...).
    pub status_code: Option<u16>,
    pub attempt_count: u32,
    pub started_at: String,
    pub completed_at: String,
    /// A short public-safe error label (`HTTP 503`, `timeout`, `connection refused`).
    pub error: Option<String>,
}

impl ProviderOutcome {
    pub fn success(&self) -> bool {
        self.status_code.is_some_and(|s| (200..300).contains(&s))
    }
}

/// One provider's entry in a delivery result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderDelivery {
    pub provider: String,
    pub success: bool,
    pub status_code: Option<u16>,
    pub attempt_count: u32,
    pub started_at: String,
    pub completed_at: String,
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_class: Option<ErrorClass>,
    /// The request as it may be shown: method and header names, nothing secret.
    pub request: Value,
}

/// The `delivery` object of responses (`cavra.connector.delivery.v1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryResult {
    pub schema_version: String,
    pub product: String,
    pub event_type: String,
    pub event_id: String,
    pub session_id: Option<String>,
    pub generated_at: String,
    pub success: bool,
    pub deliveries: Vec<ProviderDelivery>,
}

/// Builds the result from the host's per-provider outcomes (sorted by provider).
pub fn build_delivery_result(event: &Value, mut outcomes: Vec<ProviderOutcome>, generated_at: &str) -> DeliveryResult {
    outcomes.sort_by(|a, b| a.provider.cmp(&b.provider));
    let text = |k: &str| event.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    let event_type = text("event_type").unwrap_or_else(|| "cavra.connector.event".into());
    let event_id = text("session_id").or_else(|| text("event_id")).unwrap_or_else(|| event_type.clone());
    let deliveries: Vec<ProviderDelivery> = outcomes
        .into_iter()
        .map(|o| {
            let success = o.success();
            ProviderDelivery {
                error: if success { None } else { o.error.clone().or_else(|| o.status_code.map(|s| format!("HTTP {s}"))) },
                error_class: (!success).then(|| ErrorClass::of_status(o.status_code)),
                success,
                status_code: o.status_code,
                attempt_count: o.attempt_count,
                started_at: o.started_at,
                completed_at: o.completed_at,
                request: json!({"method": "POST", "url": "REDACTED", "headers": {"content-type": "application/json", "authorization": "REDACTED"}}),
                provider: o.provider,
            }
        })
        .collect();
    DeliveryResult {
        schema_version: "cavra.connector.delivery.v1".into(),
        product: kinds::PRODUCT.into(),
        event_type,
        event_id,
        session_id: text("session_id"),
        generated_at: generated_at.into(),
        success: deliveries.iter().all(|d| d.success),
        deliveries,
    }
}

/// The stored `release-connector-delivery` row, tagged with its flow's `source` and enriched
/// with the ids it binds to (`audit_id`, `delivery_id`, `retry_of`...). `nonce` comes from the
/// host and makes the row id unique to this delivery (two deliveries are two side effects).
pub fn delivery_row(result: &DeliveryResult, source: &str, bindings: &Map<String, Value>, nonce: u64) -> Value {
    let providers: Vec<&str> = result.deliveries.iter().map(|d| d.provider.as_str()).collect();
    let failed: Vec<&str> = result.deliveries.iter().filter(|d| !d.success).map(|d| d.provider.as_str()).collect();
    let digest = sha256_text(&format!("{}|{}|{}|{nonce:016x}", result.event_id, result.generated_at, providers.join(",")));
    let session_id = format!("rcd-{}-{}", slug(&result.event_id), &digest[..12]);
    let error_classes: BTreeMap<&str, ErrorClass> =
        result.deliveries.iter().filter_map(|d| d.error_class.map(|c| (d.provider.as_str(), c))).collect();
    let error_class = if error_classes.is_empty() {
        None
    } else if error_classes.values().all(|c| *c == ErrorClass::Permanent) {
        Some(ErrorClass::Permanent)
    } else {
        Some(ErrorClass::Transient)
    };
    let mut row = MetaRow::new(&session_id, &result.generated_at, source, kinds::CONNECTOR_DELIVERY, [0, failed.len() as i64, 0])
        .with("connector_delivery_source", source)
        .with("event_id", &result.event_id)
        .with("event_type", &result.event_type)
        .with("delivery_success", result.success)
        .with("providers", &providers)
        .with("failed_providers", &failed)
        .with("attempt_count", result.deliveries.iter().map(|d| d.attempt_count).sum::<u32>())
        .with("max_attempt_count", result.deliveries.iter().map(|d| d.attempt_count).max().unwrap_or(0))
        .with("status_codes", result.deliveries.iter().map(|d| d.status_code).collect::<Vec<_>>())
        .with("error_class", error_class)
        .with("error_classes", &error_classes)
        .with("delivery", result)
        .into_value();
    if let Value::Object(m) = &mut row {
        for (k, v) in bindings {
            m.insert(k.clone(), v.clone());
        }
    }
    row
}

/// The original's `_slug`: lower case, non-alphanumerics to `-`, trimmed.
fn slug(text: &str) -> String {
    let s: String = text.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "connector".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(provider: &str, status: Option<u16>) -> ProviderOutcome {
        ProviderOutcome {
            provider: provider.into(),
            status_code: status,
            attempt_count: 3,
            started_at: "2026-11-23T10:00:00+00:00".into(),
            completed_at: "2026-11-23T10:00:01+00:00".into(),
            error: status.is_none().then(|| "timeout".to_string()),
        }
    }

    #[test]
    fn row_lists_failed_providers_and_classes() {
        let event = json!({"event_type": "t", "session_id": "gordackdelivery-abc"});
        let result = build_delivery_result(
            &event,
            vec![outcome("webhook", Some(503)), outcome("jira", Some(401)), outcome("splunk", Some(200))],
            "2026-11-23T10:00:01+00:00",
        );
        assert!(!result.success);
        let providers: Vec<&str> = result.deliveries.iter().map(|d| d.provider.as_str()).collect();
        assert_eq!(providers, ["jira", "splunk", "webhook"]);
        let mut bindings = Map::new();
        bindings.insert("audit_id".into(), json!("gordackaudit-1"));
        let row = delivery_row(&result, "src", &bindings, 7);
        assert_eq!(row["failed_providers"], json!(["jira", "webhook"]));
        assert_eq!(row["status_codes"], json!([401, 200, 503]));
        assert_eq!(row["error_classes"], json!({"jira": "permanent", "webhook": "transient"}));
        assert_eq!(row["error_class"], json!("transient"));
        assert_eq!(row["audit_id"], json!("gordackaudit-1"));
        assert!(row["session_id"].as_str().is_some_and(|s| s.starts_with("rcd-gordackdelivery-abc-")));
        assert_eq!(result.deliveries[2].error.as_deref(), Some("HTTP 503"));
    }

    #[test]
    fn classifies_errors() {
        assert_eq!(ErrorClass::of_status(None), ErrorClass::Transient);
        assert_eq!(ErrorClass::of_status(Some(408)), ErrorClass::Transient);
        assert_eq!(ErrorClass::of_status(Some(429)), ErrorClass::Transient);
        assert_eq!(ErrorClass::of_status(Some(503)), ErrorClass::Transient);
        assert_eq!(ErrorClass::of_status(Some(404)), ErrorClass::Permanent);
        assert_eq!(ErrorClass::of_status(Some(400)), ErrorClass::Permanent);
    }
}
