//! Delivering an event to connectors and storing the public-safe delivery row.

use super::context::Ctx;
use crate::connector::{DeliveryOptions, deliver};
use crate::error::{ApiError, ApiResult};
use crate::platform::Platform;
use crate::store::Stored;
use cavra_engine::delivery::{DeliveryResult, delivery_row};
use cavra_engine::input::Fields;
use cavra_engine::provider::normalize;
use cavra_engine::retry::RetryDecision;
use cavra_engine::worker::WorkerRun;
use serde_json::{Map, Value};

/// Delivers `event` to `providers`, stores the delivery row tagged `source` with `bindings`.
pub fn send<P: Platform>(
    ctx: &Ctx<'_, P>,
    event: &Value,
    providers: &[String],
    options: DeliveryOptions,
    source: &str,
    bindings: Map<String, Value>,
) -> ApiResult<(DeliveryResult, Value, Stored)> {
    let result = deliver(ctx.platform, &ctx.config, event, providers, options, ctx.now);
    let row = delivery_row(&result, source, &bindings, ctx.platform.nonce());
    let stored = ctx.persist(&row)?;
    Ok((result, row, stored))
}

/// `retries` (0–5, default 2) and `timeout_seconds` (0.1–60, default 10) of a delivering POST.
pub fn options(body: &Fields<'_>) -> ApiResult<DeliveryOptions> {
    Ok(DeliveryOptions {
        retries: body.integer(&["retries"], 0, 5)?.unwrap_or(2) as u32,
        timeout_seconds: body.number(&["timeout_seconds"], 0.1, 60.0)?.unwrap_or(10.0),
    })
}

/// Refuses delivering routes when no connector is configured (the original's 400).
pub fn require_connectors<P: Platform>(ctx: &Ctx<'_, P>) -> ApiResult<()> {
    if ctx.config.connectors.is_empty() {
        return Err(ApiError::bad_request("connector_config_not_configured", "connector config is not configured"));
    }
    Ok(())
}

/// The configured providers a request names (`all`, one, a comma list); unknown ones are a 400.
pub fn providers_of<P: Platform>(ctx: &Ctx<'_, P>, requested: &str) -> ApiResult<Vec<String>> {
    cavra_engine::provider::select(requested, &ctx.config.provider_names())
        .map_err(|provider| ApiError::Engine(cavra_engine::EngineError::UnknownProvider { provider }))
}

/// The configured providers among `wanted`, else every configured provider.
pub fn configured_among<P: Platform>(ctx: &Ctx<'_, P>, wanted: &[String]) -> Vec<String> {
    let configured = ctx.config.provider_names();
    let chosen: Vec<String> = wanted.iter().map(|w| normalize(w)).filter(|w| configured.contains(w)).collect();
    if chosen.is_empty() { configured } else { chosen }
}

/// A binding map from pairs.
pub fn bindings(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// One redelivery by an escalation or executive retry worker: `event()` goes to the decision's provider
/// unless the run is a dry run or the provider has no connector. Fills `result`'s `delivery`
/// and `delivery_metadata`; returns why it was skipped, and what the execution record binds to.
pub fn redeliver_to<P: Platform>(
    ctx: &Ctx<'_, P>,
    (run, decision): (&WorkerRun, &RetryDecision),
    options: DeliveryOptions,
    source: &str,
    bindings: Map<String, Value>,
    result: &mut Value,
    event: impl FnOnce() -> Value,
) -> ApiResult<(Option<&'static str>, Delivered)> {
    if run.dry_run {
        return Ok((Some("dry_run"), Delivered::default()));
    }
    if ctx.config.connector(&decision.provider).is_none() {
        return Ok((Some("connector_config_not_configured"), Delivered::default()));
    }
    let (delivered, row, _) = send(ctx, &event(), std::slice::from_ref(&decision.provider), options, source, bindings)?;
    result["delivery"] = serde_json::to_value(&delivered).unwrap_or_default();
    let facts = Delivered::of(&row);
    result["delivery_metadata"] = row;
    Ok((None, facts))
}

/// The facts of a stored delivery row that an execution record binds to.
#[derive(Debug, Default)]
pub struct Delivered {
    pub metadata_id: String,
    pub success: bool,
    pub providers: Vec<String>,
}

impl Delivered {
    fn of(row: &Value) -> Self {
        Self {
            metadata_id: row.get("session_id").and_then(Value::as_str).unwrap_or("").to_string(),
            success: row.get("delivery_success").and_then(Value::as_bool).unwrap_or(false),
            providers: row
                .get("providers")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
        }
    }
}
