//! Outbound delivery of public-safe events to configured connectors.

use crate::config::{Config, Connector};
use crate::platform::{OutboundError, OutboundRequest, Platform};
use cavra_engine::Timestamp;
use cavra_engine::audit::body_for;
use cavra_engine::delivery::{DeliveryResult, ProviderOutcome, build_delivery_result};
use cavra_engine::rows::ErrorClass;
use serde_json::Value;

/// How hard to try each provider.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryOptions {
    pub retries: u32,
    pub timeout_seconds: f64,
}

impl From<&cavra_engine::worker::WorkerParams> for DeliveryOptions {
    fn from(p: &cavra_engine::worker::WorkerParams) -> Self {
        Self { retries: p.retries, timeout_seconds: p.timeout_seconds }
    }
}

fn auth_header(connector: &Connector) -> Option<(String, String)> {
    let token = connector.token.as_ref()?;
    Some(match connector.name.as_str() {
        "splunk" => ("authorization".into(), format!("Splunk {token}")),
        "datadog" => ("dd-api-key".into(), token.clone()),
        _ => ("authorization".into(), format!("Bearer {token}")),
    })
}

/// POSTs `event` (each provider's own payload) to every provider in `providers`, retrying
/// transient failures, and returns the public-safe result. Times are the request's `now`: the
/// host reads the clock once per request.
pub fn deliver(
    platform: &impl Platform,
    config: &Config,
    event: &Value,
    providers: &[String],
    options: DeliveryOptions,
    now: Timestamp,
) -> DeliveryResult {
    let now_iso = now.to_iso();
    let outcomes = providers
        .iter()
        .map(|provider| match config.connector(provider) {
            Some(connector) => deliver_one(platform, connector, event, options, &now_iso),
            None => ProviderOutcome {
                provider: provider.clone(),
                status_code: None,
                attempt_count: 0,
                started_at: now_iso.clone(),
                completed_at: now_iso.clone(),
                error: Some("connector is not configured".into()),
            },
        })
        .collect();
    build_delivery_result(event, outcomes, &now_iso)
}

fn deliver_one(
    platform: &impl Platform,
    connector: &Connector,
    event: &Value,
    options: DeliveryOptions,
    now_iso: &str,
) -> ProviderOutcome {
    let body = serde_json::to_vec(&body_for(event, &connector.name)).unwrap_or_default();
    let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
    headers.extend(auth_header(connector));
    let request = OutboundRequest {
        url: connector.url.clone(),
        headers,
        body,
        timeout_ms: (options.timeout_seconds * 1000.0).round() as u64,
    };
    let attempts = options.retries + 1;
    let mut last: Result<u16, OutboundError> = Err(OutboundError::Other);
    let mut attempt_count = 0;
    for attempt in 1..=attempts {
        attempt_count = attempt;
        last = platform.send(&request);
        match &last {
            Ok(status) if (200..300).contains(status) => break,
            // A permanent client error will fail the same way again.
            Ok(status) if ErrorClass::of_status(Some(*status)) == ErrorClass::Permanent => break,
            Err(OutboundError::NotAllowed) => break,
            _ if attempt < attempts => platform.sleep_ms((250 * u64::from(attempt)).min(1000)),
            _ => {}
        }
    }
    let (status_code, error) = match last {
        Ok(status) if (200..300).contains(&status) => (Some(status), None),
        Ok(status) => (Some(status), Some(format!("HTTP {status}"))),
        Err(e) => (None, Some(e.to_string())),
    };
    ProviderOutcome {
        provider: connector.name.clone(),
        status_code,
        attempt_count,
        started_at: now_iso.to_string(),
        completed_at: now_iso.to_string(),
        error,
    }
}
