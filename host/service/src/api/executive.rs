//! The recovery executive report, its schedule runs, their delivery and delivery retries (SPEC §8).

use super::context::{Ctx, Piece, object, val};
use super::reports::report_from_store;
use super::send::{Delivered, bindings, options, providers_of, redeliver_to, require_connectors, send};
use crate::connector::DeliveryOptions;
use crate::error::{ApiError, ApiResult};
use crate::http::Response;
use crate::platform::Platform;
use cavra_engine::escalation::build_escalation_plan;
use cavra_engine::executions::{RedeliveryFacts, build_executive_execution};
use cavra_engine::executive::{DEFAULT_MAX_RISKS, DEFAULT_SCHEDULE_INTERVAL, ExecutiveReport, ScheduleRun, build_executive_report, build_schedule_event, build_schedule_run};
use cavra_engine::input::Fields;
use cavra_engine::kinds::{self, source};
use cavra_engine::policy::RetryPolicy;
use cavra_engine::report::{DEFAULT_SLO_MINUTES, MAX_SLO_MINUTES, parse_slo};
use cavra_engine::retry::{RetryDecision, RetryFamily, build_retry_plan};
use cavra_engine::schedule::ScheduleInput;
use cavra_engine::worker::{WorkerParams, WorkerRun, build_worker_run};
use serde_json::{Value, json};

fn executive_report<P: Platform>(ctx: &Ctx<'_, P>, slo: i64, actor: &str) -> ApiResult<ExecutiveReport> {
    let report = report_from_store(ctx, slo, actor)?;
    let plan = build_escalation_plan(&report, actor, ctx.now);
    Ok(build_executive_report(&report, &plan, actor, ctx.now))
}

/// `GET P/recovery-executive-report?recovery_slo_minutes=240&generated_by=console` (stored).
pub fn report<P: Platform>(ctx: &Ctx<'_, P>) -> ApiResult<Response> {
    let slo = parse_slo(ctx.request.query_param("recovery_slo_minutes"))?;
    let actor = ctx.query_actor()?;
    let report = executive_report(ctx, slo, &actor.actor)?;
    let metadata = ctx.persist(&report.metadata())?;
    Ok(object(vec![("report", val(&report)), ("metadata", metadata.into())]))
}

fn new_schedule_run<P: Platform>(ctx: &Ctx<'_, P>, f: &Fields<'_>, actor: &str) -> ApiResult<(ScheduleRun, Piece, Piece)> {
    let slo = f.integer(&["recovery_slo_minutes"], 1, MAX_SLO_MINUTES)?.unwrap_or(DEFAULT_SLO_MINUTES);
    let schedule = ScheduleInput::parse(f.value("schedule"), DEFAULT_SCHEDULE_INTERVAL, false)?;
    let run = build_schedule_run(executive_report(ctx, slo, actor)?, &schedule, actor, ctx.now);
    let run_metadata = ctx.persist(&run.metadata())?;
    let report_metadata = ctx.persist(&run.executive_report.metadata())?;
    Ok((run, run_metadata.into(), report_metadata.into()))
}

/// `POST P/recovery-executive-report/schedule-run`.
pub fn schedule_run<P: Platform>(ctx: &Ctx<'_, P>, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["generated_by"], Some("console"))?;
    f.allow(&["actor_claims", "recovery_slo_minutes", "schedule"]);
    f.finish()?;
    let (run, metadata, report_metadata) = new_schedule_run(ctx, &f, &actor.actor)?;
    Ok(object(vec![("run", val(&run)), ("metadata", metadata), ("report_metadata", report_metadata), ("actor", val(&actor))]))
}

fn stored_run<P: Platform>(ctx: &Ctx<'_, P>, run_id: &str) -> ApiResult<Option<ScheduleRun>> {
    Ok(ctx
        .store
        .get(kinds::EXECUTIVE_SCHEDULE_RUN, run_id)?
        .and_then(|row| serde_json::from_value(row.get("recovery_executive_report_schedule_run")?.clone()).ok()))
}

/// `POST P/recovery-executive-report/schedule-runs/{run_id}/deliver` (`latest` runs one now).
pub fn deliver<P: Platform>(ctx: &Ctx<'_, P>, run_id: &str, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["generated_by"], Some("console"))?;
    let max_risks = f.integer(&["max_risks"], 1, 100)?.unwrap_or(DEFAULT_MAX_RISKS) as usize;
    let requested = f.string(&["provider"], 256)?.filter(|p| !p.trim().is_empty());
    let delivery_options = options(&f)?;
    f.allow(&["actor_claims", "recovery_slo_minutes", "schedule"]);
    f.finish()?;
    require_connectors(ctx)?;
    let providers = match &requested {
        Some(r) => providers_of(ctx, r)?,
        None => ctx.config.provider_names(),
    };
    let (run, run_metadata) = match stored_run(ctx, run_id)? {
        Some(run) => (run, Value::Null.into()),
        None if run_id == "latest" => {
            let (run, metadata, _) = new_schedule_run(ctx, &f, &actor.actor)?;
            (run, metadata)
        }
        None => return Err(ApiError::not_found("recovery executive report schedule run", run_id)),
    };
    let event = build_schedule_event(&run, &actor.actor, max_risks, ctx.now);
    let (result, _, stored) = send(
        ctx,
        &event,
        &providers,
        delivery_options,
        source::EXECUTIVE_REPORT,
        bindings(&[("run_id", json!(run.run_id)), ("executive_report_id", json!(run.executive_report.executive_report_id))]),
    )?;
    Ok(object(vec![
        ("run", val(&run)),
        ("delivery", val(&result)),
        ("metadata", stored.into()),
        ("run_metadata", run_metadata),
        ("success", json!(result.success).into()),
        ("event_id", json!(run.run_id).into()),
        ("actor", val(&actor)),
    ]))
}

/// `POST P/recovery-executive-report/delivery-retry-plan` (base delay 30 minutes).
pub fn retry_plan<P: Platform>(ctx: &Ctx<'_, P>, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["generated_by"], Some("console"))?;
    let policy = RetryPolicy::parse(f.value("retry_policy"), "retry_policy", RetryFamily::ExecutiveDelivery.default_delay())?;
    f.allow(&["actor_claims"]);
    f.finish()?;
    let items = ctx.store.rows_of_kind(kinds::CONNECTOR_DELIVERY)?;
    let plan = build_retry_plan(RetryFamily::ExecutiveDelivery, &items, &policy, &actor.actor, ctx.now)?;
    let metadata = ctx.persist(&plan.metadata(RetryFamily::ExecutiveDelivery))?;
    Ok(object(vec![("plan", val(&plan)), ("metadata", metadata.into()), ("actor", val(&actor))]))
}

/// `POST P/recovery-executive-report/delivery-retry-worker-run`: no approval gate; dry run by
/// default; a live run needs configured connectors.
pub fn retry_worker<P: Platform>(ctx: &Ctx<'_, P>, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["generated_by"], Some("console"))?;
    let params = WorkerParams::parse(&f, RetryFamily::ExecutiveDelivery)?;
    let max_risks = f.integer(&["max_risks"], 1, 100)?.unwrap_or(DEFAULT_MAX_RISKS) as usize;
    f.allow(&["actor_claims"]);
    f.finish()?;
    if !params.dry_run {
        require_connectors(ctx)?;
    }
    let deliveries = ctx.store.rows_of_kind(kinds::CONNECTOR_DELIVERY)?;
    let open = |_: &RetryDecision| true;
    let run = build_worker_run(RetryFamily::ExecutiveDelivery, &deliveries, &params, &actor.actor, &open, ctx.now)?;
    let retry_metadata = ctx.persist(&run.retry_plan.metadata(RetryFamily::ExecutiveDelivery))?;
    let mut results = Vec::new();
    for decision in &run.selected_retries {
        results.push(redeliver(ctx, &run, decision, DeliveryOptions::from(&params), max_risks, &actor.actor)?);
    }
    let metadata = ctx.persist(&run.metadata(RetryFamily::ExecutiveDelivery))?;
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
    options: DeliveryOptions,
    max_risks: usize,
    actor: &str,
) -> ApiResult<Value> {
    let run_id = decision.subject_id();
    let mut result = json!({"decision": decision, "schedule_run": null, "delivery": null, "delivery_metadata": null,
                            "execution_record": null, "execution_metadata": null, "skipped": null});
    let mut report_id = String::new();
    let (skipped, delivered) = match stored_run(ctx, run_id)? {
        None => (Some("recovery_executive_report_schedule_run_not_found"), Delivered::default()),
        Some(schedule_run) => {
            report_id = schedule_run.executive_report.executive_report_id.clone();
            result["schedule_run"] = serde_json::to_value(&schedule_run).unwrap_or_default();
            let binds = bindings(&[
                ("run_id", json!(run_id)),
                ("executive_report_id", json!(report_id)),
                ("retry_of", json!(run_id)),
                ("retry_plan_id", json!(run.retry_plan.retry_plan_id)),
                ("worker_run_id", json!(run.run_id)),
            ]);
            redeliver_to(ctx, (run, decision), options, source::EXECUTIVE_REPORT, binds, &mut result, || {
                build_schedule_event(&schedule_run, actor, max_risks, ctx.now)
            })?
        }
    };
    result["skipped"] = json!(skipped);
    if !run.dry_run {
        let record = build_executive_execution(
            &RedeliveryFacts {
                worker_run_id: &run.run_id,
                retry_plan_id: &run.retry_plan.retry_plan_id,
                provider: &decision.provider,
                subject_id: run_id,
                executive_report_id: &report_id,
                latest_delivery_id: decision.latest_delivery_id.as_deref().unwrap_or(""),
                delivery_metadata_id: &delivered.metadata_id,
                delivery_success: delivered.success,
                selected_providers: delivered.providers,
                skipped,
                executed_by: actor,
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
