//! Provider names and connector categories.

use serde::{Deserialize, Serialize};

/// Lower-case, trimmed, `-` → `_` (the original's normalisation).
pub fn normalize(provider: &str) -> String {
    provider.trim().to_lowercase().replace('-', "_")
}

/// The connector category of a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Siem,
    Itsm,
    Chatops,
    Webhook,
}

impl Category {
    pub fn of(provider: &str) -> Self {
        match normalize(provider).as_str() {
            "splunk" | "sentinel" | "datadog" => Self::Siem,
            "jira" | "servicenow" => Self::Itsm,
            "slack" | "teams" | "pagerduty" | "email" => Self::Chatops,
            _ => Self::Webhook,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Siem => "siem",
            Self::Itsm => "itsm",
            Self::Chatops => "chatops",
            Self::Webhook => "webhook",
        }
    }
}

/// Resolves a requested provider selector (`all`, a name, or a comma list) against the
/// configured providers. Unknown names are returned as the error value.
pub fn select(requested: &str, configured: &[String]) -> Result<Vec<String>, String> {
    let requested = requested.trim();
    if requested.is_empty() || normalize(requested) == "all" {
        return Ok(configured.to_vec());
    }
    let mut selected = Vec::new();
    for name in requested.split(',').map(normalize).filter(|n| !n.is_empty()) {
        if normalize(&name) == "all" {
            return Ok(configured.to_vec());
        }
        if !configured.contains(&name) {
            return Err(name);
        }
        if !selected.contains(&name) {
            selected.push(name);
        }
    }
    Ok(selected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_like_the_original() {
        assert_eq!(normalize("  Data-Dog "), "data_dog");
        assert_eq!(normalize("ServiceNow"), "servicenow");
    }

    #[test]
    fn maps_categories() {
        for (p, c) in [
            ("splunk", Category::Siem),
            ("Sentinel", Category::Siem),
            ("datadog", Category::Siem),
            ("jira", Category::Itsm),
            ("servicenow", Category::Itsm),
            ("slack", Category::Chatops),
            ("teams", Category::Chatops),
            ("pagerduty", Category::Chatops),
            ("email", Category::Chatops),
            ("webhook", Category::Webhook),
            ("acme", Category::Webhook),
        ] {
            assert_eq!(Category::of(p), c, "{p}");
        }
    }

    #[test]
    fn selects_all_lists_and_rejects_unknown() {
        let configured = vec!["splunk".to_string(), "slack".to_string()];
        assert_eq!(select("all", &configured).unwrap_or_default(), configured);
        assert_eq!(select("", &configured).unwrap_or_default(), configured);
        assert_eq!(select("Slack, splunk,slack", &configured).unwrap_or_default(), vec!["slack", "splunk"]);
        assert_eq!(select("jira", &configured), Err("jira".to_string()));
    }
}
