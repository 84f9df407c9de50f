//! The HTTP API: request checks, the clock, the actor, idempotency and routing.

mod approvals;
mod audit;
mod context;
mod engine;
mod escalations;
mod evidence;
mod executive;
mod health;
mod info;
mod lists;
mod recovery;
mod reports;
mod send;

pub use context::{Actor, Ctx};

use crate::auth::{self, Need};
use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::http::{Method, Request, Response};
use crate::platform::Platform;
use crate::store::Store;
use cavra_engine::alerts::AlertFamily;
use cavra_engine::Timestamp;
use serde_json::Value;

/// The original's route prefix (SPEC §0).
pub const PREFIX: &str = "/runtime/go-pilot/rollback-drill-notifications/acknowledgements/audit-delivery";
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Handles one request. Never panics on input; every refusal is a JSON error.
pub fn handle<P: Platform>(platform: &P, request: &Request) -> Response {
    match dispatch(platform, request) {
        Ok(response) => response,
        Err(err) => err.response(),
    }
}

fn dispatch<P: Platform>(platform: &P, request: &Request) -> ApiResult<Response> {
    let path = request.path.trim_end_matches('/');
    if path == "/healthz" {
        return Ok(info::healthz(platform));
    }
    if let Some(function) = path.strip_prefix("/engine/v1/") {
        if request.method != Method::Post {
            return Err(ApiError::new(405, "method_not_allowed", "engine functions take POST"));
        }
        let config = Config::load(platform);
        if let Some(tokens) = &config.tokens {
            auth::authorize(&auth::authenticate(tokens, request)?, Need::Read)?;
        }
        return engine::decide(function, &read_body(request)?);
    }
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return Err(ApiError::new(404, "not_found", format!("no route for `{}`", truncate(&request.path))));
    };
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let config = Config::load(platform);
    // Who first (nothing is parsed for strangers), then what the body asks for.
    let principal = match &config.tokens {
        None => None,
        Some(tokens) => Some(auth::authenticate(tokens, request)?),
    };
    let body = read_body(request)?;
    if let Some(principal) = &principal {
        auth::authorize(principal, need(request.method, &segments, &body))?;
    }
    let now = clock(platform, &config, request)?;
    let ctx = Ctx { platform, store: Store::new(platform.kv()), config, now, request, principal };
    match request.method {
        Method::Get => route_get(&ctx, &segments),
        Method::Post => with_idempotency(&ctx, |ctx| route_post(ctx, &segments, &body)),
        Method::Other => Err(ApiError::new(405, "method_not_allowed", "only GET and POST are supported")),
    }
}

/// What a request needs from its caller's role.
fn need(method: Method, segments: &[&str], body: &Value) -> Need {
    if method != Method::Post {
        return Need::Read;
    }
    let live = || {
        let flag = |k: &str| body.get(k).and_then(Value::as_bool);
        !flag("dry_run").unwrap_or(!flag("execute").unwrap_or(false))
    };
    match segments {
        ["retry-execution-approval-plans", _, "decisions"] => Need::Decide,
        ["worker-run"] | ["recovery-escalations", "retry-worker-run"] | ["recovery-executive-report", "delivery-retry-worker-run"]
            if live() =>
        {
            Need::Live
        }
        _ => Need::Write,
    }
}

fn route_get<P: Platform>(ctx: &Ctx<'_, P>, segments: &[&str]) -> ApiResult<Response> {
    match segments {
        ["worker-runs"] => audit::worker_runs(ctx),
        ["worker-dashboard"] => audit::worker_dashboard(ctx),
        ["providers"] => info::providers(ctx),
        ["whoami"] => info::whoami(ctx),
        ["dashboard"] => info::dashboard(ctx),
        ["retry-recovery-report"] => reports::recovery_report(ctx),
        ["worker-health"] => health::worker_health_route(ctx),
        ["worker-health-alerts"] => health::alert_list(ctx, AlertFamily::WorkerHealth),
        ["worker-health-alert-dashboard"] => health::alert_dashboard_route(ctx, AlertFamily::WorkerHealth),
        ["recovery-escalations", "retry-health"] => health::retry_health_route(ctx),
        ["recovery-escalations", "retry-health-alerts"] => health::alert_list(ctx, AlertFamily::RetryHealth),
        ["recovery-escalations", "retry-health-alert-dashboard"] => health::alert_dashboard_route(ctx, AlertFamily::RetryHealth),
        ["recovery-executive-report"] => executive::report(ctx),
        ["evidence"] => evidence::links(ctx),
        ["evidence", "verify"] => evidence::verify(ctx),
        ["evidence", "export"] => evidence::export(ctx),
        [route] => lists::list(ctx, route).unwrap_or_else(|| Err(unknown_route(ctx.request))),
        _ => Err(unknown_route(ctx.request)),
    }
}

fn route_post<P: Platform>(ctx: &Ctx<'_, P>, segments: &[&str], body: &Value) -> ApiResult<Response> {
    match segments {
        [] => audit::deliver_ack_audit(ctx, body),
        ["retry-plan"] => audit::retry_plan(ctx, body),
        ["retry-plans", id, "acknowledgements"] => audit::retry_ack(ctx, context::path_id(id)?, body),
        ["worker-run"] => audit::worker_run(ctx, body),
        ["retry-execution-approval-plan"] => approvals::approval_plan(ctx, body),
        ["retry-execution-approval-plans", id, "decisions"] => approvals::approval_decision(ctx, context::path_id(id)?, body),
        ["connector-recovery-playbook"] => recovery::playbook(ctx, body),
        ["connector-recovery-playbooks", id, "closures"] => recovery::closure(ctx, context::path_id(id)?, body),
        ["worker-health-alerts", "deliver"] => health::deliver_alert(ctx, AlertFamily::WorkerHealth, body),
        ["worker-health-alerts", id, "acknowledgements"] => {
            health::acknowledge_alert(ctx, AlertFamily::WorkerHealth, context::path_id(id)?, body)
        }
        ["recovery-escalation-plan"] => escalations::plan(ctx, body),
        ["recovery-escalations", "retry-plan"] => escalations::retry_plan(ctx, body),
        ["recovery-escalations", "retry-worker-run"] => escalations::retry_worker(ctx, body),
        ["recovery-escalations", "retry-health-alerts", "deliver"] => health::deliver_alert(ctx, AlertFamily::RetryHealth, body),
        ["recovery-escalations", "retry-health-alerts", id, "acknowledgements"] => {
            health::acknowledge_alert(ctx, AlertFamily::RetryHealth, context::path_id(id)?, body)
        }
        ["recovery-escalations", id, "deliver"] => escalations::deliver(ctx, context::path_id(id)?, body),
        ["recovery-escalations", id, "acknowledgements"] => escalations::acknowledge(ctx, context::path_id(id)?, body),
        ["recovery-executive-report", "schedule-run"] => executive::schedule_run(ctx, body),
        ["recovery-executive-report", "schedule-runs", id, "deliver"] => executive::deliver(ctx, context::path_id(id)?, body),
        ["recovery-executive-report", "delivery-retry-plan"] => executive::retry_plan(ctx, body),
        ["recovery-executive-report", "delivery-retry-worker-run"] => executive::retry_worker(ctx, body),
        _ => Err(unknown_route(ctx.request)),
    }
}

fn unknown_route(request: &Request) -> ApiError {
    let method = match request.method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Other => "this method",
    };
    ApiError::new(404, "not_found", format!("no {method} route for `{}`", truncate(&request.path)))
}

fn truncate(s: &str) -> String {
    s.chars().take(200).collect()
}

/// `now` for this request: the platform clock, or `X-Cavra-Now` when the test clock is on.
fn clock<P: Platform>(platform: &P, config: &Config, request: &Request) -> ApiResult<Timestamp> {
    if let Some(value) = request.header("x-cavra-now") {
        if !config.test_clock {
            return Err(ApiError::bad_request("test_clock_disabled", "X-Cavra-Now is only accepted when the runner runs with --test-clock"));
        }
        return Timestamp::parse(value)
            .map_err(|e| ApiError::Status { status: 400, code: "invalid_field", message: e.to_string(), field: Some("X-Cavra-Now".into()) });
    }
    Timestamp::from_unix_micros(platform.now_micros()).ok_or_else(|| ApiError::new(500, "clock_unavailable", "the host clock is out of range"))
}

/// The JSON object body of a POST (`{}` when empty).
fn read_body(request: &Request) -> ApiResult<Value> {
    if request.body.len() > MAX_BODY_BYTES {
        return Err(ApiError::new(413, "payload_too_large", format!("request bodies are limited to {MAX_BODY_BYTES} bytes")));
    }
    if request.method != Method::Post || request.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    let content_type = request.header("content-type").unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if media != "application/json" && !media.ends_with("+json") {
        return Err(ApiError::new(415, "unsupported_media_type", "request bodies must be application/json"));
    }
    let text = std::str::from_utf8(&request.body).map_err(|_| ApiError::bad_request("invalid_json", "request body is not valid UTF-8"))?;
    let value: Value =
        serde_json::from_str(text).map_err(|e| ApiError::bad_request("invalid_json", format!("request body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::bad_request("invalid_json", "request body must be a JSON object"));
    }
    Ok(value)
}

/// Replays the stored answer of an earlier POST with the same `Idempotency-Key`.
fn with_idempotency<P: Platform>(ctx: &Ctx<'_, P>, run: impl FnOnce(&Ctx<'_, P>) -> ApiResult<Response>) -> ApiResult<Response> {
    let Some(key) = ctx.request.header("idempotency-key") else { return run(ctx) };
    if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::bad_request("invalid_idempotency_key", "Idempotency-Key must be 1-128 visible ASCII characters"));
    }
    let caller = ctx.principal.as_ref().map_or("", |p| p.label.as_str());
    let slot = format!("idem-{}", cavra_engine::canonical::sha256_text(&format!("{caller}\n{}\n{key}", ctx.request.path)));
    if let Some(stored) = ctx.store.side_get(&slot)? {
        return replay(&stored);
    }
    if !ctx.store.claim(&slot)? {
        return Err(ApiError::new(409, "idempotency_in_progress", "a request with this Idempotency-Key is still in progress"));
    }
    let response = run(ctx).unwrap_or_else(|e| e.response());
    let stored = serde_json::json!({"status": response.status, "body": String::from_utf8_lossy(&response.body)});
    ctx.store.side_set(&slot, &serde_json::to_vec(&stored).unwrap_or_default())?;
    Ok(response)
}

fn replay(stored: &[u8]) -> ApiResult<Response> {
    let v: Value = serde_json::from_slice(stored).map_err(|_| ApiError::new(500, "store_unavailable", "stored idempotent result is unreadable"))?;
    let status = v.get("status").and_then(Value::as_u64).unwrap_or(200) as u16;
    let body = v.get("body").and_then(Value::as_str).unwrap_or("{}");
    let mut response = Response::json(status, &Value::Null);
    response.body = body.as_bytes().to_vec();
    Ok(response.with_header("idempotent-replayed", "true"))
}
