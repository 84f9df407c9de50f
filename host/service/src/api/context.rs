//! The per-request context handed to every route.

use crate::auth::{Principal, Role};
use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::http::{Request, Response};
use crate::platform::Platform;
use crate::store::{Store, Stored};
use cavra_engine::Timestamp;
use cavra_engine::input::Fields;
use serde::Serialize;
use serde_json::Value;

pub struct Ctx<'a, P: Platform> {
    pub platform: &'a P,
    pub store: Store<'a, P::Kv>,
    pub config: Config,
    pub now: Timestamp,
    pub request: &'a Request,
    /// The authenticated caller; `None` when auth is off.
    pub principal: Option<Principal>,
}

/// Who caused a record: a public-safe label, from the caller's token (auth on) or the request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Actor {
    pub actor: String,
    pub source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
}

/// Actor labels are public-safe: 1–64 of `[A-Za-z0-9._:@-]`.
pub fn valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 64
        && label.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'@' | b'-'))
}

/// Ids in paths: 1–128 of `[A-Za-z0-9._:-]` (no slashes, no traversal).
pub fn path_id(id: &str) -> ApiResult<&str> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id != "."
        && id != ".."
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
    if ok { Ok(id) } else { Err(ApiError::bad_request("invalid_id", "ids are 1-128 characters of [A-Za-z0-9._:-]")) }
}

impl<P: Platform> Ctx<'_, P> {
    /// The actor of a POST: the caller's token label when auth is on (body labels are then
    /// ignored), else the body's `field` (or aliases), else `default` when given.
    pub fn actor(&self, body: &Fields<'_>, fields: &[&str], default: Option<&str>) -> ApiResult<Actor> {
        if let Some(p) = &self.principal {
            body.allow(fields);
            return Ok(Actor { actor: p.label.clone(), source: "token", role: Some(p.role) });
        }
        let label = body.string(fields, 64).map_err(|_| {
            ApiError::Status {
                status: 400,
                code: "invalid_actor",
                message: format!("`{}` must be 1-64 characters of [A-Za-z0-9._:@-]", fields[0]),
                field: Some(fields[0].into()),
            }
        })?;
        let label = match (label, default) {
            (Some(l), _) if !l.trim().is_empty() => l,
            (_, Some(d)) => d.to_string(),
            _ => return Err(ApiError::Engine(cavra_engine::EngineError::missing(fields[0]))),
        };
        self.checked_actor(label, fields[0])
    }

    /// The actor of a GET: the caller's token label, else the `generated_by` query parameter,
    /// default `console`.
    pub fn query_actor(&self) -> ApiResult<Actor> {
        if let Some(p) = &self.principal {
            return Ok(Actor { actor: p.label.clone(), source: "token", role: Some(p.role) });
        }
        let label = self.request.query_param("generated_by").filter(|s| !s.is_empty()).unwrap_or("console").to_string();
        self.checked_actor(label, "generated_by")
    }

    fn checked_actor(&self, label: String, field: &str) -> ApiResult<Actor> {
        if !valid_label(&label) {
            return Err(ApiError::Status {
                status: 400,
                code: "invalid_actor",
                message: format!("`{field}` must be 1-64 characters of [A-Za-z0-9._:@-]"),
                field: Some(field.into()),
            });
        }
        Ok(Actor { actor: label, source: "request", role: None })
    }

    /// Stores a metadata row and returns the bytes stored (answers embed them as they are).
    pub fn persist(&self, row: &Value) -> ApiResult<Stored> {
        Ok(self.store.append_stored(row)?.1)
    }

    /// An integer query parameter within bounds.
    pub fn query_int(&self, name: &str, default: i64, min: i64, max: i64) -> ApiResult<i64> {
        let Some(text) = self.request.query_param(name) else { return Ok(default) };
        let field_error = |message: String| ApiError::Status { status: 400, code: "invalid_field", message, field: Some(name.into()) };
        let n: i64 = text.trim().parse().map_err(|_| field_error(format!("`{name}` must be an integer")))?;
        if n < min || n > max {
            return Err(field_error(format!("`{name}` must be between {min} and {max}")));
        }
        Ok(n)
    }

    /// Replaces projected rows (what index segments hold) with the full records.
    pub fn full_rows(&self, rows: &mut [Value]) -> ApiResult<()> {
        for item in rows.iter_mut() {
            let id = item.get("session_id").and_then(Value::as_str).unwrap_or("").to_string();
            if let Some(full) = self.store.record(&id)? {
                *item = full;
            }
        }
        Ok(())
    }

    /// A page of full records.
    pub fn full_page(&self, mut page: cavra_engine::history::Page) -> ApiResult<cavra_engine::history::Page> {
        self.full_rows(&mut page.items)?;
        Ok(page)
    }

    /// `limit` (default 50, max 500), `offset` and `cursor` of a list request.
    pub fn paging(&self) -> ApiResult<cavra_engine::history::Paging> {
        use cavra_engine::history::{DEFAULT_LIMIT, MAX_LIMIT};
        let cursor = match self.request.query_param("cursor").filter(|c| !c.is_empty()) {
            Some(c) => Some(path_id(c)?.to_string()),
            None => None,
        };
        Ok(cavra_engine::history::Paging {
            limit: self.query_int("limit", DEFAULT_LIMIT as i64, 1, MAX_LIMIT as i64)? as usize,
            offset: self.query_int("offset", 0, 0, i64::from(u32::MAX))? as usize,
            cursor,
        })
    }

    /// A boolean query parameter (`true`/`false`/`1`/`0`).
    pub fn query_bool(&self, name: &str) -> ApiResult<Option<bool>> {
        match self.request.query_param(name).map(|s| s.trim().to_ascii_lowercase()) {
            None => Ok(None),
            Some(s) if s == "true" || s == "1" => Ok(Some(true)),
            Some(s) if s == "false" || s == "0" => Ok(Some(false)),
            Some(_) => Err(ApiError::Status {
                status: 400,
                code: "invalid_field",
                message: format!("`{name}` must be true or false"),
                field: Some(name.into()),
            }),
        }
    }
}

/// One field of an answer: a value, or bytes already stored.
pub enum Piece {
    Value(Value),
    Raw(Stored),
}

impl From<Value> for Piece {
    fn from(v: Value) -> Self {
        Self::Value(v)
    }
}

impl From<Stored> for Piece {
    fn from(r: Stored) -> Self {
        Self::Raw(r)
    }
}

/// A JSON object response from `(key, piece)` pairs, in order; stored rows are copied, not
/// serialised again.
pub fn object(pairs: Vec<(&str, Piece)>) -> Response {
    let mut body = String::from("{");
    for (i, (key, piece)) in pairs.into_iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&serde_json::to_string(key).unwrap_or_default());
        body.push(':');
        match piece {
            Piece::Value(v) => body.push_str(&serde_json::to_string(&v).unwrap_or_else(|_| "null".into())),
            Piece::Raw(r) => body.push_str(r.get()),
        }
    }
    body.push('}');
    let mut response = Response::json(200, &Value::Null);
    response.body = body.into_bytes();
    response
}

/// Serialises any value for a response field.
pub fn val(value: &impl Serialize) -> Piece {
    Piece::Value(serde_json::to_value(value).unwrap_or(Value::Null))
}
