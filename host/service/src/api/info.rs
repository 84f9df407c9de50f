//! Service information: health, providers and the dashboard counts.

use super::context::{Ctx, object, val};
use crate::config::Config;
use crate::error::ApiResult;
use crate::http::Response;
use crate::platform::Platform;
use crate::store::Store;
use cavra_engine::dashboard::build_dashboard;
use serde_json::json;

/// `GET /healthz`: reachability of the store; no secrets, no auth.
pub fn healthz<P: Platform>(platform: &P) -> Response {
    let store = Store::new(platform.kv());
    let config = Config::load(platform);
    match store.ping() {
        Ok(()) => Response::json(
            200,
            &json!({"status": "ok", "store": "reachable", "providers": config.connectors.len(),
                    "auth": if config.tokens.is_some() { "on" } else { "off" }}),
        ),
        Err(e) => Response::json(503, &json!({"status": "unavailable", "store": "unreachable", "error": e.to_string()})),
    }
}

/// `GET P/providers`: name, category and enabled only.
pub fn providers<P: Platform>(ctx: &Ctx<'_, P>) -> ApiResult<Response> {
    Ok(object(vec![("providers", val(&ctx.config.providers()))]))
}

/// `GET P/whoami` ✚: the caller's label and role (for the console).
pub fn whoami<P: Platform>(ctx: &Ctx<'_, P>) -> ApiResult<Response> {
    Ok(Response::json(
        200,
        &match &ctx.principal {
            Some(p) => json!({"auth": "on", "actor": p.label, "role": p.role}),
            None => json!({"auth": "off", "actor": null, "role": null}),
        },
    ))
}

/// `GET P/dashboard` (SPEC §9).
pub fn dashboard<P: Platform>(ctx: &Ctx<'_, P>) -> ApiResult<Response> {
    let counts = ctx.store.counts()?;
    let counters = ctx.store.counters()?;
    let items = ctx.store.rows_of_kinds(cavra_engine::dashboard::INPUT_KINDS)?;
    Ok(Response::json(200, &build_dashboard(&items, &counts, &counters, ctx.now)))
}
