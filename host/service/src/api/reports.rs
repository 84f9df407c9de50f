//! Reports that GET computes and persists, as the original does (SPEC §5).

use super::context::{Ctx, object, val};
use crate::error::ApiResult;
use crate::http::Response;
use crate::platform::Platform;
use cavra_engine::kinds;
use crate::store::StoreError;
use cavra_engine::report::{ExecutionRow, ProjectedExecution, RecoveryReport, ReportInput, build_recovery_report_from, parse_slo};

/// Builds the report from the store: execution segments are parsed without copying their text
/// (they are most of the input), playbooks and closures into owned rows.
pub fn report_from_store<P: Platform>(ctx: &Ctx<'_, P>, slo: i64, actor: &str) -> ApiResult<RecoveryReport> {
    let corrupt = |e: serde_json::Error| StoreError::Corrupt { key: kinds::EXECUTION_RECORD.into(), message: e.to_string() };
    let (segments, tail) = ctx.store.raw_rows_of_kind(kinds::EXECUTION_RECORD)?;
    let mut projected: Vec<ProjectedExecution<'_>> = Vec::new();
    for segment in &segments {
        projected.extend(serde_json::from_slice::<Vec<ProjectedExecution<'_>>>(segment).map_err(corrupt)?);
    }
    let full: Vec<ExecutionRow> = tail.iter().map(|b| serde_json::from_slice(b)).collect::<Result<_, _>>().map_err(corrupt)?;
    let input = ReportInput {
        executions: projected.iter().map(ProjectedExecution::as_ref).chain(full.iter().map(ExecutionRow::as_ref)).collect(),
        playbooks: ctx.store.typed_rows_of_kind(kinds::RECOVERY_PLAYBOOK)?,
        closures: ctx.store.typed_rows_of_kind(kinds::RECOVERY_CLOSURE)?,
    };
    Ok(build_recovery_report_from(input, slo, actor, ctx.now)?)
}

/// `GET P/retry-recovery-report?recovery_slo_minutes=240&generated_by=console`.
pub fn recovery_report<P: Platform>(ctx: &Ctx<'_, P>) -> ApiResult<Response> {
    let slo = parse_slo(ctx.request.query_param("recovery_slo_minutes"))?;
    let actor = ctx.query_actor()?;
    let report = report_from_store(ctx, slo, &actor.actor)?;
    let stored = ctx.persist(&report.metadata())?;
    Ok(object(vec![("report", val(&report)), ("metadata", stored.into())]))
}
