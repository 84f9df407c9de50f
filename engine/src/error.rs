//! Typed errors of the engine. Each maps to one HTTP status and a stable `error.code`.

use serde::Serialize;

/// Why an engine call refused its input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    /// A field is present but has the wrong type or an out-of-range value.
    #[error("`{field}` {message}")]
    InvalidField { field: String, message: String },
    /// A required field is absent or empty.
    #[error("`{field}` is required")]
    MissingField { field: String },
    /// A requested provider is not configured.
    #[error("provider `{provider}` is not configured")]
    UnknownProvider { provider: String },
    /// An evidence row carries a timestamp that cannot be read.
    #[error("row {row} has an unreadable `{field}`: {message}")]
    InvalidRowTimestamp { row: usize, field: String, message: String },
    /// An evidence row is not a JSON object of the expected shape.
    #[error("row {row} is not a valid evidence row: {message}")]
    InvalidRow { row: usize, message: String },
    /// The actor deciding is the actor who asked (four-eyes rule).
    #[error("`{actor}` requested this approval and cannot decide it")]
    SelfApproval { actor: String },
    /// The referenced record does not exist.
    #[error("{what} `{id}` not found")]
    NotFound { what: &'static str, id: String },
    /// The request conflicts with the stored state.
    #[error("{message}")]
    Conflict { message: String },
}

impl EngineError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidField { field: field.into(), message: message.into() }
    }

    pub fn missing(field: impl Into<String>) -> Self {
        Self::MissingField { field: field.into() }
    }

    /// The stable snake_case code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidField { .. } => "invalid_field",
            Self::MissingField { .. } => "missing_field",
            Self::UnknownProvider { .. } => "unknown_provider",
            Self::InvalidRowTimestamp { .. } => "invalid_timestamp",
            Self::InvalidRow { .. } => "invalid_row",
            Self::SelfApproval { .. } => "self_approval",
            Self::NotFound { .. } => "not_found",
            Self::Conflict { .. } => "conflict",
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::SelfApproval { .. } => 403,
            Self::NotFound { .. } => 404,
            Self::Conflict { .. } => 409,
            _ => 400,
        }
    }

    /// The dotted field path the error is about, when there is one.
    pub fn field(&self) -> Option<String> {
        match self {
            Self::InvalidField { field, .. } | Self::MissingField { field } => Some(field.clone()),
            Self::InvalidRowTimestamp { row, field, .. } => Some(format!("items[{row}].{field}")),
            Self::InvalidRow { row, .. } => Some(format!("items[{row}]")),
            Self::UnknownProvider { .. } => Some("provider".into()),
            _ => None,
        }
    }

    /// The JSON error body: `{"error": {"code", "message", "field"}}`.
    pub fn body(&self) -> ErrorBody {
        ErrorBody::new(self.code(), self.to_string(), self.field())
    }
}

/// The wire form of every error answer.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct ErrorBody {
    pub error: ErrorDetail,
    /// The message as the original's FastAPI answers carried it (`{"detail": "..."}`), so
    /// clients written against the original keep reading errors: plain text, no quoted values.
    pub detail: String,
}

impl ErrorBody {
    pub fn new(code: &str, message: String, field: Option<String>) -> Self {
        let detail = if code == "not_found" {
            // "retry plan `x` not found" -> "retry plan not found": the id is the caller's own.
            let mut parts = message.split('`');
            let before = parts.next().unwrap_or_default().trim_end();
            let after = parts.nth(1).unwrap_or_default().trim_start();
            format!("{before} {after}").trim().to_string()
        } else {
            message.replace('`', "")
        };
        Self { error: ErrorDetail { code: code.into(), message, field }, detail }
    }
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;
