//! Reports that GET computes and persists, as the original does (SPEC §5).

use super::context::{Ctx, object, val};
use crate::error::ApiResult;
use crate::http::Response;
use crate::platform::Platform;
use cavra_engine::kinds;
use cavra_engine::report::{build_recovery_report, parse_slo};

/// The kinds the recovery report reads.
pub const REPORT_INPUTS: &[&str] = &[kinds::EXECUTION_RECORD, kinds::RECOVERY_PLAYBOOK, kinds::RECOVERY_CLOSURE];

/// `GET P/retry-recovery-report?recovery_slo_minutes=240&generated_by=console`.
pub fn recovery_report<P: Platform>(ctx: &Ctx<'_, P>) -> ApiResult<Response> {
    let slo = parse_slo(ctx.request.query_param("recovery_slo_minutes"))?;
    let actor = ctx.query_actor()?;
    let items = ctx.store.rows_of_kinds(REPORT_INPUTS)?;
    let report = build_recovery_report(&items, slo, &actor.actor, ctx.now)?;
    let metadata = report.metadata();
    ctx.persist(&[&metadata])?;
    Ok(object(vec![("report", val(&report)), ("metadata", metadata)]))
}
