//! Newest-first lists of stored evidence, one route per kind (✚; the original only offered
//! its generic history with a `metadata_kind` filter).

use super::context::Ctx;
use crate::error::ApiResult;
use crate::http::Response;
use crate::platform::Platform;
use cavra_engine::history;
use cavra_engine::kinds;

/// (route, kind, list schema, filterable top-level fields).
pub const LISTS: &[(&str, &str, &str, &[&str])] = &[
    ("retry-plans", kinds::RETRY_PLAN, cavra_engine::schema!("retry-plan-history"), &["alert_level"]),
    ("retry-acknowledgements", kinds::RETRY_ACK, cavra_engine::schema!("retry-ack-history"), &["provider", "acknowledgement_state"]),
    ("retry-execution-approval-plans", kinds::APPROVAL_PLAN, cavra_engine::schema!("retry-execution-approval-plan-history"), &["alert_level"]),
    (
        "retry-execution-approval-decisions",
        kinds::APPROVAL_DECISION,
        cavra_engine::schema!("retry-execution-approval-decision-history"),
        &["provider", "approval_state", "approval_plan_id", "delivery_id"],
    ),
    (
        "retry-execution-records",
        kinds::EXECUTION_RECORD,
        cavra_engine::schema!("retry-execution-record-history"),
        &["provider", "execution_status", "run_id", "approval_decision_id"],
    ),
    ("connector-recovery-playbooks", kinds::RECOVERY_PLAYBOOK, cavra_engine::schema!("connector-recovery-playbook-history"), &["alert_level"]),
    (
        "connector-recovery-closures",
        kinds::RECOVERY_CLOSURE,
        cavra_engine::schema!("connector-recovery-closure-history"),
        &["provider", "closure_state", "playbook_id"],
    ),
];

/// `GET P/<list>`.
pub fn list<P: Platform>(ctx: &Ctx<'_, P>, route: &str) -> Option<ApiResult<Response>> {
    let (_, kind, schema, fields) = LISTS.iter().find(|(r, ..)| *r == route)?;
    Some((|| {
        let paging = ctx.paging()?;
        let filters: Vec<(&str, &str)> =
            fields.iter().filter_map(|f| ctx.request.query_param(f).filter(|v| !v.is_empty()).map(|v| (*f, v))).collect();
        let items = ctx.store.rows_of_kind(kind)?;
        Ok(Response::json(200, &ctx.full_page(history::list(&items, kind, schema, &filters, &paging))?))
    })())
}
