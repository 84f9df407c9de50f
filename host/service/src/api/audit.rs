//! Deliver Ack Audit, audit retry plans, retry acknowledgements and the audit retry worker.

use super::context::{Ctx, Piece, object, val};
use crate::connector::{DeliveryOptions, deliver};
use crate::error::{ApiError, ApiResult};
use crate::http::Response;
use crate::platform::Platform;
use cavra_engine::acks::build_retry_ack;
use cavra_engine::audit::{
    AuditPackage, DeliverAckAuditRequest, DeliveryPlanOptions, build_audit_package, build_delivery_event, build_delivery_plan,
};
use cavra_engine::delivery::delivery_row;
use cavra_engine::history;
use cavra_engine::input::Fields;
use cavra_engine::kinds::{self, source};
use cavra_engine::policy::RetryPolicy;
use cavra_engine::approvals::ApprovalIndex;
use cavra_engine::executions::{ExecutionFacts, build_execution_record};
use cavra_engine::retry::{RetryDecision, RetryFamily, RetrySubject, build_retry_plan};
use cavra_engine::worker::{WorkerParams, WorkerRun, build_worker_run};
use serde_json::{Map, Value, json};

fn no_connectors() -> ApiError {
    ApiError::bad_request("connector_config_not_configured", "connector config is not configured")
}

/// `POST P`: build an acknowledgement audit package, plan its delivery and deliver it.
pub fn deliver_ack_audit<P: Platform>(ctx: &Ctx<'_, P>, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["generated_by"], Some("console"))?;
    let req = DeliverAckAuditRequest::parse(&f)?;
    f.allow(&["actor_claims"]);
    f.finish()?;
    if ctx.config.connectors.is_empty() {
        return Err(no_connectors());
    }
    let package = build_audit_package(&req, &actor.actor, ctx.now);
    let options = DeliveryPlanOptions {
        requested_provider: req.delivery_provider.clone(),
        cadence: req.cadence.clone(),
        schedule_ref: req.schedule_ref.clone(),
        next_delivery_at: req.next_delivery_at.clone(),
        retry_of: None,
    };
    // Everything that can refuse the request runs before the first write.
    let plan = build_delivery_plan(&package, &options, &ctx.config.provider_names(), &actor.actor, ctx.now)?;
    let event = build_delivery_event(&package, &plan, &actor.actor);
    let audit_metadata = ctx.persist(&package.metadata())?;
    let plan_metadata = ctx.persist(&plan.metadata())?;
    let (delivery, metadata): (Value, Piece) = if plan.selected_providers.is_empty() {
        (Value::Null, Value::Null.into())
    } else {
        let options = DeliveryOptions { retries: req.retries, timeout_seconds: req.timeout_seconds };
        let result = deliver(ctx.platform, &ctx.config, &event, &plan.selected_providers, options, ctx.now);
        let mut bindings = Map::new();
        bindings.insert("audit_id".into(), json!(package.audit_id));
        bindings.insert("delivery_id".into(), json!(plan.delivery_id));
        let row = delivery_row(&result, source::AUDIT, &bindings, ctx.platform.nonce());
        let stored = ctx.persist(&row)?;
        (serde_json::to_value(&result).unwrap_or_default(), stored.into())
    };
    let success = delivery.get("success").and_then(Value::as_bool).unwrap_or(false);
    Ok(object(vec![
        ("audit_package", val(&package)),
        ("audit_metadata", audit_metadata.into()),
        ("delivery_plan", val(&plan)),
        ("plan_metadata", plan_metadata.into()),
        ("delivery", delivery.into()),
        ("metadata", metadata),
        ("success", json!(success).into()),
        ("actor", val(&actor)),
    ]))
}

/// `POST P/retry-plan`.
pub fn retry_plan<P: Platform>(ctx: &Ctx<'_, P>, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["generated_by"], Some("console"))?;
    let policy = RetryPolicy::parse(f.value("retry_policy"), "retry_policy", RetryFamily::AuditDelivery.default_delay())?;
    f.allow(&["actor_claims"]);
    f.finish()?;
    let items = ctx.store.rows_of_kind(kinds::CONNECTOR_DELIVERY)?;
    let plan = build_retry_plan(RetryFamily::AuditDelivery, &items, &policy, &actor.actor, ctx.now)?;
    let metadata = ctx.persist(&plan.metadata(RetryFamily::AuditDelivery))?;
    Ok(object(vec![("plan", val(&plan)), ("metadata", metadata.into()), ("actor", val(&actor))]))
}

/// `POST P/retry-plans/{retry_plan_id}/acknowledgements`: review only.
pub fn retry_ack<P: Platform>(ctx: &Ctx<'_, P>, retry_plan_id: &str, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["acknowledged_by"], None)?;
    let ack = build_retry_ack(retry_plan_id, &f, &actor.actor, ctx.now)?;
    f.allow(&["actor_claims"]);
    f.finish()?;
    if ctx.store.get(kinds::RETRY_PLAN, retry_plan_id)?.is_none() {
        return Err(ApiError::not_found("retry plan", retry_plan_id));
    }
    let metadata = ctx.persist(&ack.metadata())?;
    Ok(object(vec![("acknowledgement", val(&ack)), ("metadata", metadata.into()), ("actor", val(&actor))]))
}

/// Why a selected decision was not redelivered.
const SKIPPED_DRY_RUN: &str = "dry_run";
const SKIPPED_NO_PACKAGE: &str = "audit_package_not_found";
const SKIPPED_NO_CONNECTOR: &str = "connector_config_not_configured";
/// ✚ Another live run took this approval's one execution first.
const SKIPPED_CLAIMED: &str = "approval_already_executed";

/// The kinds the live gate reads: approvals, and executions that used them up.
const GATE_INPUTS: &[&str] = &[kinds::APPROVAL_DECISION, kinds::EXECUTION_RECORD];

fn package_of<P: Platform>(ctx: &Ctx<'_, P>, audit_id: &str) -> ApiResult<Option<AuditPackage>> {
    Ok(ctx
        .store
        .get(kinds::AUDIT_PACKAGE, audit_id)?
        .and_then(|row| serde_json::from_value(row.get("acknowledgement_audit_package")?.clone()).ok()))
}

/// `POST P/worker-run`: dry run by default; a live run redelivers approved decisions only,
/// each approval at most once (an atomic claim on its `decision_id` before any delivery).
pub fn worker_run<P: Platform>(ctx: &Ctx<'_, P>, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["generated_by"], Some("console"))?;
    let params = WorkerParams::parse(&f, RetryFamily::AuditDelivery)?;
    f.allow(&["actor_claims"]);
    f.finish()?;
    let deliveries = ctx.store.rows_of_kind(kinds::CONNECTOR_DELIVERY)?;
    let approvals = ApprovalIndex::build(&ctx.store.rows_of_kinds(GATE_INPUTS)?, ctx.now)?;
    let run = build_worker_run(RetryFamily::AuditDelivery, &deliveries, &params, &actor.actor, &approvals, ctx.now)?;
    let retry_metadata = ctx.persist(&run.retry_plan.metadata(RetryFamily::AuditDelivery))?;
    let options = DeliveryOptions::from(&params);
    let mut results = Vec::new();
    for decision in &run.selected_retries {
        results.push(redeliver(ctx, &run, decision, &approvals, options, &actor.actor)?);
    }
    let metadata = ctx.persist(&run.metadata(RetryFamily::AuditDelivery))?;
    Ok(object(vec![
        ("run", val(&run)),
        ("metadata", metadata.into()),
        ("retry_metadata", retry_metadata.into()),
        ("retry_results", Value::Array(results).into()),
        ("actor", val(&actor)),
    ]))
}

/// One selected decision: plan the redelivery, and (live) claim, deliver and record it.
fn redeliver<P: Platform>(
    ctx: &Ctx<'_, P>,
    run: &WorkerRun,
    decision: &RetryDecision,
    approvals: &ApprovalIndex,
    options: DeliveryOptions,
    actor: &str,
) -> ApiResult<Value> {
    let RetrySubject::Audit { delivery_id, audit_id } = &decision.subject else {
        return Err(ApiError::new(500, "internal", "audit worker selected a non-audit decision"));
    };
    let mut result = json!({
        "decision": decision, "delivery_plan": null, "plan_metadata": null, "delivery": null,
        "delivery_metadata": null, "execution_record": null, "execution_metadata": null, "skipped": null,
    });
    let approval = if run.dry_run { None } else { approvals.decision(decision).filter(|_| approvals.allows(decision)) };
    let mut plan = None;
    let mut delivery_metadata = Value::Null;
    let skipped = match package_of(ctx, audit_id)? {
        None => Some(SKIPPED_NO_PACKAGE),
        Some(package) => {
            let configured = ctx.config.connector(&decision.provider).is_some();
            let options_plan = DeliveryPlanOptions {
                // An unconfigured provider yields a plan with no destination: skipped, not refused.
                requested_provider: if configured { decision.provider.clone() } else { "all".into() },
                cadence: "retry".into(),
                schedule_ref: Some(format!("retry:{}", run.run_id)),
                next_delivery_at: None,
                retry_of: Some(delivery_id.clone()),
            };
            let available = if configured { vec![decision.provider.clone()] } else { Vec::new() };
            let mut p = build_delivery_plan(&package, &options_plan, &available, actor, ctx.now)?;
            p.requested_provider = decision.provider.clone();
            let plan_metadata = p.metadata();
            ctx.persist(&plan_metadata)?;
            result["delivery_plan"] = serde_json::to_value(&p).unwrap_or_default();
            result["plan_metadata"] = plan_metadata;
            let skipped = if run.dry_run {
                Some(SKIPPED_DRY_RUN)
            } else if !configured {
                Some(SKIPPED_NO_CONNECTOR)
            } else if !approval.and_then(|a| a.decision_id.as_deref()).is_some_and(|id| {
                ctx.store.claim(&format!("approval-execution:{id}")).unwrap_or(false)
            }) {
                Some(SKIPPED_CLAIMED)
            } else {
                let event = build_delivery_event(&package, &p, actor);
                let delivered = deliver(ctx.platform, &ctx.config, &event, &p.selected_providers, options, ctx.now);
                let mut bindings = Map::new();
                bindings.insert("audit_id".into(), json!(audit_id));
                bindings.insert("delivery_id".into(), json!(p.delivery_id));
                bindings.insert("retry_of".into(), json!(delivery_id));
                bindings.insert("retry_plan_id".into(), json!(run.retry_plan.retry_plan_id));
                bindings.insert("worker_run_id".into(), json!(run.run_id));
                delivery_metadata = delivery_row(&delivered, source::AUDIT, &bindings, ctx.platform.nonce());
                ctx.persist(&delivery_metadata)?;
                result["delivery"] = serde_json::to_value(&delivered).unwrap_or_default();
                result["delivery_metadata"] = delivery_metadata.clone();
                None
            };
            plan = Some(p);
            skipped
        }
    };
    result["skipped"] = json!(skipped);
    // A lost claim records nothing: the run that won it records the execution.
    if let Some(approval) = approval.filter(|_| skipped != Some(SKIPPED_CLAIMED)) {
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let facts = ExecutionFacts {
            run_id: &run.run_id,
            retry_plan_id: &run.retry_plan.retry_plan_id,
            approval_decision_id: approval.decision_id.as_deref().unwrap_or(""),
            approval_plan_id: approval.approval_plan_id.as_deref().unwrap_or(""),
            provider: &decision.provider,
            delivery_id,
            audit_id,
            delivery_plan_id: plan.as_ref().map_or("", |p| p.delivery_id.as_str()),
            delivery_metadata_id: &text(&delivery_metadata, "session_id"),
            delivery_success: delivery_metadata.get("delivery_success").and_then(Value::as_bool).unwrap_or(false),
            selected_providers: plan.as_ref().map(|p| p.selected_providers.clone()).unwrap_or_default(),
            skipped,
            executed_by: actor,
        };
        let record = build_execution_record(&facts, ctx.now);
        let execution_metadata = record.metadata();
        ctx.persist(&execution_metadata)?;
        result["execution_record"] = serde_json::to_value(&record).unwrap_or_default();
        result["execution_metadata"] = execution_metadata;
    }
    Ok(result)
}

/// `GET P/worker-runs?dry_run=&limit=&offset=`.
pub fn worker_runs<P: Platform>(ctx: &Ctx<'_, P>) -> ApiResult<Response> {
    let dry_run = ctx.query_bool("dry_run")?;
    let paging = ctx.paging()?;
    let items = ctx.store.rows_of_kind(kinds::WORKER_RUN)?;
    Ok(Response::json(200, &ctx.full_page(history::worker_history(&items, dry_run, &paging))?))
}

/// `GET P/worker-dashboard`.
pub fn worker_dashboard<P: Platform>(ctx: &Ctx<'_, P>) -> ApiResult<Response> {
    let items = ctx.store.rows_of_kind(kinds::WORKER_RUN)?;
    let mut dashboard = history::worker_dashboard(&items, ctx.now);
    ctx.full_rows(&mut dashboard.latest)?;
    Ok(Response::json(200, &dashboard))
}
