//! Local access tokens: one per role, generated on first start into the data directory.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

pub const ROLES: [&str; 4] = ["viewer", "operator", "approver", "admin"];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LocalToken {
    pub label: String,
    pub role: String,
    pub token: String,
}

fn random_hex() -> Result<String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(hex::encode(bytes))
}

/// The tokens file (`tokens.json`, readable by the owner only), created on first use.
/// Returns the tokens and whether they were just created.
pub fn load_or_create(data_dir: &Path) -> Result<(Vec<LocalToken>, bool)> {
    let path = data_dir.join("tokens.json");
    if path.exists() {
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        return Ok((serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?, false));
    }
    let tokens = ROLES
        .iter()
        .map(|role| Ok(LocalToken { label: format!("local-{role}"), role: role.to_string(), token: format!("cavra_{role}_{}", random_hex()?) }))
        .collect::<Result<Vec<_>>>()?;
    let text = serde_json::to_string_pretty(&tokens)?;
    write_private(&path, &text)?;
    Ok((tokens, true))
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> Result<()> {
    Ok(std::fs::write(path, text)?)
}

/// The `auth_tokens` variable: labels, roles and hashes only.
pub fn hashed(tokens: &[LocalToken]) -> String {
    let entries: Vec<serde_json::Value> = tokens
        .iter()
        .map(|t| serde_json::json!({"label": t.label, "role": t.role, "sha256": hex::encode(Sha256::digest(t.token.as_bytes()))}))
        .collect();
    serde_json::Value::Array(entries).to_string()
}
