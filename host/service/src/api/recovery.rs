//! Connector recovery playbooks and closures (SPEC §4).

use super::context::{Ctx, object, val};
use crate::error::{ApiError, ApiResult};
use crate::http::Response;
use crate::platform::Platform;
use cavra_engine::input::Fields;
use cavra_engine::kinds;
use cavra_engine::recovery::{Playbook, PlaybookParams, build_closure, build_playbook};
use serde_json::Value;

/// `POST P/connector-recovery-playbook`.
pub fn playbook<P: Platform>(ctx: &Ctx<'_, P>, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["generated_by"], Some("console"))?;
    let params = PlaybookParams::parse(&f)?;
    f.allow(&["actor_claims"]);
    f.finish()?;
    let items = ctx.store.rows_of_kind(kinds::CONNECTOR_DELIVERY)?;
    let playbook = build_playbook(&items, params, &actor.actor, ctx.now)?;
    let metadata = ctx.persist(&playbook.metadata())?;
    Ok(object(vec![("playbook", val(&playbook)), ("metadata", metadata.into()), ("actor", val(&actor))]))
}

/// `POST P/connector-recovery-playbooks/{playbook_id}/closures`.
pub fn closure<P: Platform>(ctx: &Ctx<'_, P>, playbook_id: &str, body: &Value) -> ApiResult<Response> {
    let f = Fields::new(Some(body), "")?;
    let actor = ctx.actor(&f, &["closed_by"], None)?;
    let playbook: Playbook = ctx
        .store
        .get(kinds::RECOVERY_PLAYBOOK, playbook_id)?
        .and_then(|row| serde_json::from_value(row.get("connector_recovery_playbook")?.clone()).ok())
        .ok_or_else(|| ApiError::not_found("connector recovery playbook", playbook_id))?;
    let closure = build_closure(&playbook, &f, &actor.actor, ctx.now)?;
    f.allow(&["actor_claims"]);
    f.finish()?;
    let metadata = ctx.persist(&closure.metadata())?;
    Ok(object(vec![("closure", val(&closure)), ("metadata", metadata.into()), ("actor", val(&actor))]))
}
