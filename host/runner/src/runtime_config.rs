//! Spin's runtime configuration file, for the key-value store: the same field names Spin uses.
//!
//! ```toml
//! [key_value_store.default]
//! type = "redis"                    # or "spin" (SQLite; optional `path`)
//! url = "redis://127.0.0.1:6379"
//! ```

use crate::kv::{Backend, redis::Redis, sqlite::Sqlite};
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Default, Deserialize)]
pub struct RuntimeConfig {
    #[serde(default)]
    pub key_value_store: BTreeMap<String, StoreConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StoreConfig {
    /// Spin's built-in store: SQLite.
    Spin { path: Option<String> },
    Redis { url: String },
}

impl RuntimeConfig {
    pub fn load(path: Option<&Path>) -> Result<Self> {
        let Some(path) = path else { return Ok(Self::default()) };
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }

    /// The backend of the `default` store (SQLite in the data directory unless configured).
    pub fn default_store(&self, data_dir: &Path, base: &Path) -> Result<Arc<dyn Backend>> {
        for label in self.key_value_store.keys() {
            if label != "default" {
                bail!("key_value_store.{label}: only the `default` store is used by cavra");
            }
        }
        Ok(match self.key_value_store.get("default") {
            None | Some(StoreConfig::Spin { path: None }) => Arc::new(Sqlite::open(&data_dir.join("sqlite_key_value.db"))?),
            Some(StoreConfig::Spin { path: Some(p) }) => Arc::new(Sqlite::open(&base.join(p))?),
            Some(StoreConfig::Redis { url }) => Arc::new(Redis::open(url)?),
        })
    }

    pub fn describe(&self) -> &'static str {
        match self.key_value_store.get("default") {
            Some(StoreConfig::Redis { .. }) => "redis",
            _ => "sqlite",
        }
    }
}
