//! Retry execution approvals: the approval plan and approval decisions (SPEC §3).

use super::context::{Ctx, object, val};
use crate::error::{ApiError, ApiResult};
use crate::http::Response;
use crate::platform::Platform;
use cavra_engine::approvals::{ApprovalPlan, ApprovalPlanParams, build_approval_decision, build_approval_plan};
use cavra_engine::input::Fields;
use cavra_engine::kinds;
use serde_json::Value;

/// The kinds an approval plan reads.
const PLAN_INPUTS: &[&str] = &[kinds::RETRY_PLAN, kinds::RETRY_ACK, kinds::APPROVAL_DECISION, kinds::EXECUTION_RECORD];

/// `POST P/retry-execution-approval-plan`.
pub fn approval_plan<P: Platform>(ctx: &Ctx<'_, P>, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["generated_by"], Some("console"))?;
    let params = ApprovalPlanParams::parse(&f)?;
    f.allow(&["actor_claims"]);
    f.finish()?;
    let items = ctx.store.rows_of_kinds(PLAN_INPUTS)?;
    let plan = build_approval_plan(&items, &params, &actor.actor, ctx.now)?;
    let metadata = ctx.persist(&plan.metadata())?;
    Ok(object(vec![("plan", val(&plan)), ("metadata", metadata.into()), ("actor", val(&actor))]))
}

/// `POST P/retry-execution-approval-plans/{approval_plan_id}/decisions`.
pub fn approval_decision<P: Platform>(ctx: &Ctx<'_, P>, approval_plan_id: &str, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["decided_by", "approved_by"], None)?;
    let row = ctx
        .store
        .get(kinds::APPROVAL_PLAN, approval_plan_id)?
        .ok_or_else(|| ApiError::not_found("approval plan", approval_plan_id))?;
    let plan: ApprovalPlan = row
        .get("retry_execution_approval_plan")
        .cloned()
        .and_then(|p| serde_json::from_value(p).ok())
        .ok_or_else(|| ApiError::new(409, "conflict", "the stored approval plan predates governance fields; plan again"))?;
    let decision = build_approval_decision(&plan, &f, &actor.actor, ctx.now)?;
    f.allow(&["actor_claims"]);
    f.finish()?;
    let metadata = ctx.persist(&decision.metadata())?;
    Ok(object(vec![("decision", val(&decision)), ("metadata", metadata.into()), ("actor", val(&actor))]))
}
