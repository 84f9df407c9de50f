//! Reports that GET computes and persists, as the original does (SPEC §5).

use super::context::{Ctx, object, val};
use crate::error::ApiResult;
use crate::http::Response;
use crate::platform::Platform;
use cavra_engine::kinds;
use cavra_engine::report::{ReportInput, build_recovery_report_from, parse_slo};

/// The report's inputs, parsed straight from the index segments.
pub fn report_input<P: Platform>(ctx: &Ctx<'_, P>) -> ApiResult<ReportInput> {
    Ok(ReportInput {
        executions: ctx.store.typed_rows_of_kind(kinds::EXECUTION_RECORD)?,
        playbooks: ctx.store.typed_rows_of_kind(kinds::RECOVERY_PLAYBOOK)?,
        closures: ctx.store.typed_rows_of_kind(kinds::RECOVERY_CLOSURE)?,
    })
}

/// `GET P/retry-recovery-report?recovery_slo_minutes=240&generated_by=console`.
pub fn recovery_report<P: Platform>(ctx: &Ctx<'_, P>) -> ApiResult<Response> {
    let slo = parse_slo(ctx.request.query_param("recovery_slo_minutes"))?;
    let actor = ctx.query_actor()?;
    let report = build_recovery_report_from(report_input(ctx)?, slo, &actor.actor, ctx.now)?;
    let stored = ctx.persist(&report.metadata())?;
    Ok(object(vec![("report", val(&report)), ("metadata", stored.into())]))
}
