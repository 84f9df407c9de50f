//! The evidence chain (SPEC §10): links, verification, export.

use super::context::Ctx;
use crate::error::ApiResult;
use crate::http::Response;
use crate::platform::Platform;
use serde_json::json;

/// `GET P/evidence?limit=&offset=`: chain links, newest first.
pub fn links<P: Platform>(ctx: &Ctx<'_, P>) -> ApiResult<Response> {
    let paging = ctx.paging()?;
    let (total, links) = ctx.store.links(paging.offset, paging.limit)?;
    let (_, head) = ctx.store.chain_head()?;
    Ok(Response::json(
        200,
        &json!({"schema_version": "cavra.evidence.chain.v1", "head": head, "total": total, "items": links,
                "limit": paging.limit, "offset": paging.offset}),
    ))
}

/// `GET P/evidence/verify`: `{ok, count, head, first_bad_seq, error}` over the whole store.
pub fn verify<P: Platform>(ctx: &Ctx<'_, P>) -> ApiResult<Response> {
    Ok(Response::json(200, &ctx.store.verify()?))
}

/// `GET P/evidence/export`: the chain as JSON Lines, verifiable offline with `cavra verify`.
pub fn export<P: Platform>(ctx: &Ctx<'_, P>) -> ApiResult<Response> {
    let mut body = String::new();
    ctx.store.export(&mut body)?;
    let mut response = Response::json(200, &serde_json::Value::Null);
    response.headers[0].1 = "application/x-ndjson".into();
    response.body = body.into_bytes();
    Ok(response.with_header("content-disposition", "attachment; filename=\"cavra-evidence.jsonl\""))
}
