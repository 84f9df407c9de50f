//! `alert_level`: the one severity vocabulary of every report.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AlertLevel {
    #[default]
    Healthy,
    Warning,
    Critical,
}

impl AlertLevel {
    /// `critical` if `critical`, else `warning` if `warning`, else `healthy`.
    pub fn from_flags(critical: bool, warning: bool) -> Self {
        if critical {
            Self::Critical
        } else if warning {
            Self::Warning
        } else {
            Self::Healthy
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::Warning => "warning",
            Self::Critical => "critical",
        }
    }
}
