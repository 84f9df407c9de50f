//! `POST /engine/v1/{function}`: the stateless decisions, without storage (SPEC §13).

use crate::error::{ApiError, ApiResult};
use crate::http::Response;
use serde_json::Value;

pub fn decide(function: &str, body: &Value) -> ApiResult<Response> {
    let result = cavra_engine::ffi::decide(function, body).map_err(|e| match e {
        cavra_engine::EngineError::InvalidField { ref field, .. } if field == "function" => {
            ApiError::new(404, "unknown_function", e.to_string())
        }
        other => ApiError::Engine(other),
    })?;
    Ok(Response::json(200, &result))
}
