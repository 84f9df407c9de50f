//! Worker health, retry health and their alerts (SPEC §2, §7).

use super::context::{Ctx, object, val};
use super::send::{bindings, require_connectors, send};
use crate::error::ApiResult;
use crate::http::Response;
use crate::platform::Platform;
use cavra_engine::alerts::{AlertFamily, AlertFilter, AlertRequest, alert_dashboard, alert_history, build_alert_ack, build_alert_event, build_alert_plan};
use cavra_engine::health::{HealthParams, build_retry_health, build_worker_health};
use cavra_engine::input::Fields;
use cavra_engine::kinds;
use serde_json::{Value, json};

const WORKER_HEALTH_INPUTS: &[&str] = &[kinds::WORKER_RUN, kinds::RETRY_PLAN, kinds::CONNECTOR_DELIVERY];
const RETRY_HEALTH_INPUTS: &[&str] =
    &[kinds::ESCALATION_RETRY_PLAN, kinds::ESCALATION_WORKER_RUN, kinds::ESCALATION_EXECUTION_RECORD, kinds::CONNECTOR_DELIVERY];

fn query_params<P: Platform>(ctx: &Ctx<'_, P>) -> ApiResult<HealthParams> {
    let q = |k: &str| ctx.request.query_param(k);
    Ok(HealthParams::parse(q("expected_interval_minutes"), q("stale_metadata_minutes"), 30, 120)?)
}

fn body_params(f: &Fields<'_>) -> ApiResult<HealthParams> {
    let interval = f.integer(&["expected_interval_minutes"], 1, cavra_engine::health::MAX_INTERVAL_MINUTES)?.unwrap_or(30);
    let stale = f.integer(&["stale_metadata_minutes"], 1, cavra_engine::health::MAX_STALE_MINUTES)?.unwrap_or(120);
    Ok(HealthParams { expected_interval_minutes: interval, stale_metadata_minutes: stale })
}

/// The audit worker's health report (not stored, as in the original).
fn worker_health<P: Platform>(ctx: &Ctx<'_, P>, params: HealthParams) -> ApiResult<Value> {
    let items = ctx.store.rows_of_kinds(WORKER_HEALTH_INPUTS)?;
    let mut health = build_worker_health(&items, params, ctx.now)?;
    ctx.full_rows(&mut health.failed_deliveries)?;
    ctx.full_rows(&mut health.latest)?;
    Ok(serde_json::to_value(&health).unwrap_or_default())
}

fn retry_health<P: Platform>(ctx: &Ctx<'_, P>, params: HealthParams, actor: &str) -> ApiResult<cavra_engine::health::RetryHealth> {
    let items = ctx.store.rows_of_kinds(RETRY_HEALTH_INPUTS)?;
    Ok(build_retry_health(&items, params, actor, ctx.now)?)
}

/// `GET P/worker-health?expected_interval_minutes=30&stale_metadata_minutes=120`.
pub fn worker_health_route<P: Platform>(ctx: &Ctx<'_, P>) -> ApiResult<Response> {
    let health = worker_health(ctx, query_params(ctx)?)?;
    Ok(Response::json(200, &health))
}

/// `GET P/recovery-escalations/retry-health`: computed and stored, as the original does.
pub fn retry_health_route<P: Platform>(ctx: &Ctx<'_, P>) -> ApiResult<Response> {
    let actor = ctx.query_actor()?;
    let health = retry_health(ctx, query_params(ctx)?, &actor.actor)?;
    let metadata = ctx.persist(&health.metadata())?;
    Ok(object(vec![("health", val(&health)), ("metadata", metadata.into())]))
}

/// `POST .../{worker-health,recovery-escalations/retry-health}-alerts/deliver`.
pub fn deliver_alert<P: Platform>(ctx: &Ctx<'_, P>, family: AlertFamily, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["generated_by"], Some("console"))?;
    let params = body_params(&f)?;
    let request = AlertRequest::parse(&f)?;
    let delivery_options = super::send::options(&f)?;
    f.allow(&["actor_claims"]);
    f.finish()?;
    require_connectors(ctx)?;
    let health = match family {
        AlertFamily::WorkerHealth => worker_health(ctx, params)?,
        AlertFamily::RetryHealth => serde_json::to_value(retry_health(ctx, params, &actor.actor)?).unwrap_or_default(),
    };
    let deliveries = ctx.store.rows_of_kind(kinds::CONNECTOR_DELIVERY)?;
    let plan = build_alert_plan(family, &health, &deliveries, &request, &ctx.config.provider_names(), &actor.actor, ctx.now)?;
    let plan_metadata = ctx.persist(&plan.metadata(family))?;
    let mut event = build_alert_event(family, &health, &actor.actor, request.max_alerts, ctx.now);
    let plan_key = match family {
        AlertFamily::WorkerHealth => "worker_health_alert_plan",
        AlertFamily::RetryHealth => "recovery_escalation_retry_health_alert_plan",
    };
    event[plan_key] = serde_json::to_value(&plan).unwrap_or_default();
    let (delivery, metadata, success) = if plan.selected_providers.is_empty() {
        (Value::Null, Value::Null.into(), true)
    } else {
        let (result, _, stored) = send(
            ctx,
            &event,
            &plan.selected_providers,
            delivery_options,
            family.source(),
            bindings(&[("health_id", json!(plan.health_id)), ("plan_id", json!(plan.plan_id))]),
        )?;
        let success = result.success;
        (serde_json::to_value(&result).unwrap_or_default(), stored.into(), success)
    };
    Ok(object(vec![
        ("health", health.into()),
        ("plan", val(&plan)),
        ("delivery", delivery.into()),
        ("plan_metadata", plan_metadata.into()),
        ("metadata", metadata),
        ("success", json!(success).into()),
        ("event_id", json!(plan.health_id).into()),
        ("actor", val(&actor)),
    ]))
}

/// `POST .../{health_id}/acknowledgements` of either alert family.
pub fn acknowledge_alert<P: Platform>(ctx: &Ctx<'_, P>, family: AlertFamily, health_id: &str, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["acknowledged_by"], None)?;
    let ack = build_alert_ack(family, health_id, &f, &actor.actor, ctx.now)?;
    f.allow(&["actor_claims"]);
    f.finish()?;
    let metadata = ctx.persist(&ack.metadata(family))?;
    Ok(object(vec![("acknowledgement", val(&ack)), ("metadata", metadata.into()), ("actor", val(&actor))]))
}

fn alert_items<P: Platform>(ctx: &Ctx<'_, P>, family: AlertFamily) -> ApiResult<Vec<Value>> {
    Ok(ctx.store.rows_of_kinds(&[family.plan_kind(), family.ack_kind(), kinds::CONNECTOR_DELIVERY])?)
}

/// `GET .../alerts?health_id=&provider=&metadata_kind=&acknowledgement_state=&suppressed=`.
pub fn alert_list<P: Platform>(ctx: &Ctx<'_, P>, family: AlertFamily) -> ApiResult<Response> {
    let q = |k: &str| ctx.request.query_param(k).filter(|v| !v.is_empty()).map(str::to_string);
    let filter = AlertFilter {
        health_id: q("health_id"),
        provider: q("provider"),
        metadata_kind: q("metadata_kind"),
        acknowledgement_state: q("acknowledgement_state"),
        suppressed: ctx.query_bool("suppressed")?,
    };
    let paging = ctx.paging()?;
    let items = alert_items(ctx, family)?;
    Ok(Response::json(200, &ctx.full_page(alert_history(family, &items, &filter, &paging))?))
}

/// `GET .../alert-dashboard`.
pub fn alert_dashboard_route<P: Platform>(ctx: &Ctx<'_, P>, family: AlertFamily) -> ApiResult<Response> {
    let items = alert_items(ctx, family)?;
    let mut dashboard = alert_dashboard(family, &items, ctx.now)?;
    ctx.full_rows(&mut dashboard.latest)?;
    Ok(Response::json(200, &dashboard))
}
