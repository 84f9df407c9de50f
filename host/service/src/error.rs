//! API errors: every refusal is a JSON `{"error": {code, message, field}}` with one status.

use crate::http::Response;
use crate::store::StoreError;
use cavra_engine::EngineError;
use cavra_engine::error::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{message}")]
    Status { status: u16, code: &'static str, message: String, field: Option<String> },
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self::Status { status, code, message: message.into(), field: None }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(404, "not_found", format!("{what} `{id}` not found"))
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::Engine(e) => e.status(),
            Self::Store(StoreError::Conflict(_)) => 409,
            Self::Store(StoreError::Contended) => 503,
            Self::Store(_) => 500,
            Self::Status { status, .. } => *status,
        }
    }

    pub fn response(&self) -> Response {
        let body = match self {
            Self::Engine(e) => e.body(),
            Self::Store(e) => ErrorBody::new(
                match e {
                    StoreError::Conflict(_) => "conflict",
                    StoreError::Contended => "store_contended",
                    _ => "store_unavailable",
                },
                // Store errors name keys, never values.
                e.to_string(),
                None,
            ),
            Self::Status { code, message, field, .. } => ErrorBody::new(code, message.clone(), field.clone()),
        };
        Response::json(self.status(), &body)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
