//! Runtime configuration from Spin variables. Connector URLs and tokens are read here and
//! handed only to the outbound call; nothing else sees them.

use crate::platform::Platform;
use cavra_engine::provider::{Category, normalize};
use serde::Serialize;

/// Providers whose url/token variables `spin.toml` declares (real Spin only resolves declared
/// variables; the local runner accepts any provider name).
pub const KNOWN_PROVIDERS: &[&str] =
    &["webhook", "splunk", "sentinel", "datadog", "slack", "teams", "pagerduty", "email", "jira", "servicenow"];

/// A configured connector, secrets included. Never serialised.
pub struct Connector {
    pub name: String,
    pub url: String,
    pub token: Option<String>,
}

/// The public view of a connector: `GET providers`.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderInfo {
    pub name: String,
    pub category: Category,
    pub enabled: bool,
}

pub struct Config {
    pub connectors: Vec<Connector>,
    pub test_clock: bool,
    /// `None` when auth is off (`auth_mode = off`, the runner's `--insecure-no-auth`).
    pub tokens: Option<Vec<crate::auth::TokenEntry>>,
}

impl Config {
    pub fn load(platform: &impl Platform) -> Self {
        let mut names: Vec<String> = platform
            .variable("providers")
            .unwrap_or_default()
            .split(',')
            .map(normalize)
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .collect();
        names.sort();
        names.dedup();
        let connectors = names
            .into_iter()
            .filter_map(|name| {
                let url = platform.variable(&format!("provider_{name}_url"))?;
                let token = platform.variable(&format!("provider_{name}_token"));
                Some(Connector { name, url, token })
            })
            .collect();
        let test_clock = platform.variable("test_clock").is_some_and(|v| v == "true");
        // Auth is on unless explicitly turned off; unreadable token lists admit nobody.
        let tokens = match platform.variable("auth_mode").as_deref() {
            Some("off") => None,
            _ => Some(platform.variable("auth_tokens").and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()),
        };
        Self { connectors, test_clock, tokens }
    }

    /// Configured provider names, sorted.
    pub fn provider_names(&self) -> Vec<String> {
        self.connectors.iter().map(|c| c.name.clone()).collect()
    }

    pub fn connector(&self, name: &str) -> Option<&Connector> {
        self.connectors.iter().find(|c| c.name == name)
    }

    pub fn providers(&self) -> Vec<ProviderInfo> {
        self.connectors
            .iter()
            .map(|c| ProviderInfo { name: c.name.clone(), category: Category::of(&c.name), enabled: true })
            .collect()
    }
}
