//! The subset of Spin's `spin.toml` (manifest version 2) the runner needs: variables, HTTP
//! routes, component sources, key-value stores, outbound hosts and static files.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
pub struct Manifest {
    pub spin_manifest_version: u32,
    pub application: Application,
    #[serde(default)]
    pub variables: BTreeMap<String, VariableDecl>,
    pub trigger: Triggers,
    pub component: BTreeMap<String, Component>,
}

#[derive(Debug, Deserialize)]
pub struct Application {
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct VariableDecl {
    pub default: Option<String>,
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Deserialize)]
pub struct Triggers {
    pub http: Vec<HttpTrigger>,
}

#[derive(Debug, Deserialize)]
pub struct HttpTrigger {
    pub route: String,
    pub component: String,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Source {
    Path(String),
    /// A published component (spin-fileserver for the console); the runner serves its files natively.
    Url {},
}

#[derive(Debug, Deserialize)]
pub struct FileMount {
    pub source: String,
}

#[derive(Debug, Deserialize)]
pub struct Component {
    pub source: Source,
    #[serde(default)]
    pub allowed_outbound_hosts: Vec<String>,
    #[serde(default)]
    pub key_value_stores: Vec<String>,
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    #[serde(default)]
    pub files: Vec<FileMount>,
}

impl Manifest {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let manifest: Manifest = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        if manifest.spin_manifest_version != 2 {
            bail!("only spin_manifest_version = 2 is supported");
        }
        for trigger in &manifest.trigger.http {
            if !manifest.component.contains_key(&trigger.component) {
                bail!("route {} names unknown component {}", trigger.route, trigger.component);
            }
        }
        Ok(manifest)
    }

    /// Resolves application variables: `--var` overrides, then `SPIN_VARIABLE_<NAME>`, then
    /// `provided` (values the runner generates), then the declared default.
    pub fn resolve_variables(
        &self,
        overrides: &HashMap<String, String>,
        provided: &HashMap<String, String>,
    ) -> Result<HashMap<String, String>> {
        let mut values = HashMap::new();
        for (name, decl) in &self.variables {
            let env = std::env::var(format!("SPIN_VARIABLE_{}", name.to_uppercase())).ok();
            let value = overrides.get(name).cloned().or(env).or_else(|| provided.get(name).cloned()).or_else(|| decl.default.clone());
            match value {
                Some(v) => {
                    values.insert(name.clone(), v);
                }
                None if decl.required => bail!("variable {name} is required"),
                None => {}
            }
        }
        for name in overrides.keys() {
            if !self.variables.contains_key(name) {
                bail!("--var {name}: the manifest declares no such variable");
            }
        }
        Ok(values)
    }
}

/// Expands `{{ name }}` templates with application variables.
pub fn expand(template: &str, variables: &HashMap<String, String>) -> Result<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").context("unclosed {{ in template")? + start;
        let name = rest[start + 2..end].trim();
        let value = variables.get(name).with_context(|| format!("template names unknown variable {name}"))?;
        out.push_str(value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

impl Component {
    /// The local path of a `source = "..."` component, relative to the manifest.
    pub fn local_source(&self, base: &Path) -> Option<PathBuf> {
        match &self.source {
            Source::Path(p) => Some(base.join(p)),
            Source::Url { .. } => None,
        }
    }
}

/// Whether `path` matches a Spin route (`/exact` or `/prefix/...`).
pub fn route_matches(route: &str, path: &str) -> bool {
    match route.strip_suffix("/...") {
        Some("") => true,
        Some(prefix) => path == prefix || path.starts_with(&format!("{prefix}/")),
        None => path == route,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_templates() -> Result<()> {
        assert!(route_matches("/...", "/anything"));
        assert!(route_matches("/a/...", "/a"));
        assert!(route_matches("/a/...", "/a/b/c"));
        assert!(!route_matches("/a/...", "/ab"));
        assert!(route_matches("/healthz", "/healthz"));
        let vars = HashMap::from([("host".to_string(), "example.com".to_string())]);
        assert_eq!(expand("https://{{ host }}:443", &vars)?, "https://example.com:443");
        assert!(expand("{{ nope }}", &vars).is_err());
        Ok(())
    }
}
