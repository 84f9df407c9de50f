//! Recovery escalation routes (SPEC §6): plan, deliver, acknowledge, retry plan, retry worker.

use super::context::{Ctx, Piece, object, val};
use super::reports::report_from_store;
use super::send::{Delivered, bindings, configured_among, options, providers_of, redeliver_to, require_connectors, send};
use crate::error::{ApiError, ApiResult};
use crate::http::Response;
use crate::platform::Platform;
use cavra_engine::escalation::{AckIndex, EscalationPlan, build_escalation_ack, build_escalation_event, build_escalation_plan, DEFAULT_MAX_ROUTES};
use cavra_engine::executions::{RedeliveryFacts, build_escalation_execution};
use cavra_engine::input::Fields;
use cavra_engine::kinds::{self, source};
use cavra_engine::report::{DEFAULT_SLO_MINUTES, MAX_SLO_MINUTES};
use cavra_engine::retry::{RetryDecision, RetryFamily, build_retry_plan};
use cavra_engine::policy::RetryPolicy;
use cavra_engine::worker::{WorkerParams, WorkerRun, build_worker_run};
use serde_json::{Value, json};

fn slo_of(f: &Fields<'_>) -> ApiResult<i64> {
    Ok(f.integer(&["recovery_slo_minutes"], 1, MAX_SLO_MINUTES)?.unwrap_or(DEFAULT_SLO_MINUTES))
}

/// Builds (not stores) an escalation plan from the current evidence.
fn fresh_plan<P: Platform>(ctx: &Ctx<'_, P>, slo: i64, actor: &str) -> ApiResult<EscalationPlan> {
    let report = report_from_store(ctx, slo, actor)?;
    Ok(build_escalation_plan(&report, actor, ctx.now))
}

fn stored_plan<P: Platform>(ctx: &Ctx<'_, P>, plan_id: &str) -> ApiResult<Option<EscalationPlan>> {
    Ok(ctx
        .store
        .get(kinds::ESCALATION_PLAN, plan_id)?
        .and_then(|row| serde_json::from_value(row.get("recovery_escalation_plan")?.clone()).ok()))
}

/// `POST P/recovery-escalation-plan`.
pub fn plan<P: Platform>(ctx: &Ctx<'_, P>, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["generated_by"], Some("console"))?;
    let slo = slo_of(&f)?;
    f.allow(&["actor_claims"]);
    f.finish()?;
    let plan = fresh_plan(ctx, slo, &actor.actor)?;
    let metadata = ctx.persist(&plan.metadata())?;
    Ok(object(vec![("plan", val(&plan)), ("metadata", metadata.into()), ("actor", val(&actor))]))
}

/// `POST P/recovery-escalations/{plan_id}/deliver` (`latest` builds and stores a fresh plan).
pub fn deliver<P: Platform>(ctx: &Ctx<'_, P>, plan_id: &str, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["generated_by"], Some("console"))?;
    let slo = slo_of(&f)?;
    let max_routes = f.integer(&["max_routes"], 1, 500)?.unwrap_or(DEFAULT_MAX_ROUTES) as usize;
    let requested = f.string(&["provider"], 256)?.filter(|p| !p.trim().is_empty());
    let delivery_options = options(&f)?;
    f.allow(&["actor_claims"]);
    f.finish()?;
    require_connectors(ctx)?;
    let requested = match &requested {
        Some(r) => Some(providers_of(ctx, r)?),
        None => None,
    };
    let (plan, plan_metadata): (EscalationPlan, Piece) = match stored_plan(ctx, plan_id)? {
        Some(plan) => (plan, Value::Null.into()),
        None if plan_id == "latest" => {
            let plan = fresh_plan(ctx, slo, &actor.actor)?;
            let stored = ctx.persist(&plan.metadata())?;
            (plan, stored.into())
        }
        None => return Err(ApiError::not_found("recovery escalation plan", plan_id)),
    };
    let providers = requested.unwrap_or_else(|| configured_among(ctx, &plan.selected_providers));
    let event = build_escalation_event(&plan, &actor.actor, max_routes);
    let (result, _, stored) = send(
        ctx,
        &event,
        &providers,
        delivery_options,
        source::ESCALATION,
        bindings(&[("plan_id", json!(plan.plan_id)), ("selected_providers", json!(providers))]),
    )?;
    Ok(object(vec![
        ("plan", val(&plan)),
        ("delivery", val(&result)),
        ("plan_metadata", plan_metadata),
        ("metadata", stored.into()),
        ("success", json!(result.success).into()),
        ("event_id", json!(plan.plan_id).into()),
        ("actor", val(&actor)),
    ]))
}

/// `POST P/recovery-escalations/{plan_id}/acknowledgements`.
pub fn acknowledge<P: Platform>(ctx: &Ctx<'_, P>, plan_id: &str, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["acknowledged_by"], None)?;
    let ack = build_escalation_ack(plan_id, &f, &actor.actor, ctx.now)?;
    f.allow(&["actor_claims"]);
    f.finish()?;
    if stored_plan(ctx, plan_id)?.is_none() {
        return Err(ApiError::not_found("recovery escalation plan", plan_id));
    }
    let metadata = ctx.persist(&ack.metadata())?;
    Ok(object(vec![("acknowledgement", val(&ack)), ("metadata", metadata.into()), ("actor", val(&actor))]))
}

/// `POST P/recovery-escalations/retry-plan`.
pub fn retry_plan<P: Platform>(ctx: &Ctx<'_, P>, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["generated_by"], Some("console"))?;
    let policy = RetryPolicy::parse(f.value("retry_policy"), "retry_policy", RetryFamily::EscalationDelivery.default_delay())?;
    f.allow(&["actor_claims"]);
    f.finish()?;
    let items = ctx.store.rows_of_kind(kinds::CONNECTOR_DELIVERY)?;
    let plan = build_retry_plan(RetryFamily::EscalationDelivery, &items, &policy, &actor.actor, ctx.now)?;
    let metadata = ctx.persist(&plan.metadata(RetryFamily::EscalationDelivery))?;
    Ok(object(vec![("plan", val(&plan)), ("metadata", metadata.into()), ("actor", val(&actor))]))
}

/// `POST P/recovery-escalations/retry-worker-run`: dry run by default; live runs redeliver only
/// where (plan, provider) has an accepted, acknowledged or resolved acknowledgement.
pub fn retry_worker<P: Platform>(ctx: &Ctx<'_, P>, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["generated_by"], Some("console"))?;
    let params = WorkerParams::parse(&f, RetryFamily::EscalationDelivery)?;
    let max_routes = f.integer(&["max_routes"], 1, 500)?.unwrap_or(DEFAULT_MAX_ROUTES) as usize;
    f.allow(&["actor_claims"]);
    f.finish()?;
    let deliveries = ctx.store.rows_of_kind(kinds::CONNECTOR_DELIVERY)?;
    let acks = AckIndex::build(&ctx.store.rows_of_kind(kinds::ESCALATION_ACK)?)?;
    let run = build_worker_run(RetryFamily::EscalationDelivery, &deliveries, &params, &actor.actor, &acks, ctx.now)?;
    let retry_metadata = ctx.persist(&run.retry_plan.metadata(RetryFamily::EscalationDelivery))?;
    let options = crate::connector::DeliveryOptions::from(&params);
    let mut results = Vec::new();
    for decision in &run.selected_retries {
        results.push(redeliver(ctx, &run, decision, options, max_routes, &actor.actor)?);
    }
    let metadata = ctx.persist(&run.metadata(RetryFamily::EscalationDelivery))?;
    Ok(object(vec![
        ("run", val(&run)),
        ("metadata", metadata.into()),
        ("retry_metadata", retry_metadata.into()),
        ("retry_results", Value::Array(results).into()),
        ("actor", val(&actor)),
    ]))
}

fn redeliver<P: Platform>(
    ctx: &Ctx<'_, P>,
    run: &WorkerRun,
    decision: &RetryDecision,
    options: crate::connector::DeliveryOptions,
    max_routes: usize,
    actor: &str,
) -> ApiResult<Value> {
    let plan_id = decision.subject_id();
    let mut result = json!({"decision": decision, "plan": null, "delivery": null, "delivery_metadata": null,
                            "execution_record": null, "execution_metadata": null, "skipped": null});
    let (skipped, delivered) = match stored_plan(ctx, plan_id)? {
        None => (Some("recovery_escalation_plan_not_found"), Delivered::default()),
        Some(plan) => {
            result["plan"] = serde_json::to_value(&plan).unwrap_or_default();
            let binds = bindings(&[
                ("plan_id", json!(plan_id)),
                ("retry_of", json!(plan_id)),
                ("retry_plan_id", json!(run.retry_plan.retry_plan_id)),
                ("worker_run_id", json!(run.run_id)),
            ]);
            redeliver_to(ctx, (run, decision), options, source::ESCALATION, binds, &mut result, || {
                build_escalation_event(&plan, actor, max_routes)
            })?
        }
    };
    result["skipped"] = json!(skipped);
    if !run.dry_run {
        let record = build_escalation_execution(
            &RedeliveryFacts {
                worker_run_id: &run.run_id,
                retry_plan_id: &run.retry_plan.retry_plan_id,
                provider: &decision.provider,
                subject_id: plan_id,
                delivery_metadata_id: &delivered.metadata_id,
                delivery_success: delivered.success,
                selected_providers: delivered.providers,
                skipped,
                executed_by: actor,
                ..Default::default()
            },
            ctx.now,
        );
        let metadata = record.metadata();
        ctx.persist(&metadata)?;
        result["execution_record"] = serde_json::to_value(&record).unwrap_or_default();
        result["execution_metadata"] = metadata;
    }
    Ok(result)
}
