//! Access control (SPEC §12): bearer tokens with roles, configured as SHA-256 hashes.
//!
//! `viewer` reads; `operator` also writes (deliveries, plans, acknowledgements, playbooks,
//! closures, dry runs, alerts, schedule runs); `approver` reads and decides approvals only;
//! `admin` does everything and alone starts live worker runs. With auth off (demo mode) the
//! actor is the request's own label.

use crate::error::ApiError;
use crate::http::Request;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Operator,
    Approver,
    Admin,
}

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// GETs, and the storage-free engine.
    Read,
    /// POSTs that write evidence or deliver (dry runs included).
    Write,
    /// Approval decisions.
    Decide,
    /// Live worker runs of any family.
    Live,
}

impl Role {
    pub fn allows(self, need: Need) -> bool {
        matches!(
            (self, need),
            (Role::Admin, _) | (_, Need::Read) | (Role::Operator, Need::Write) | (Role::Approver, Need::Decide)
        )
    }
}

/// A configured token: its label (the recorded actor), role and SHA-256.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenEntry {
    pub label: String,
    pub role: Role,
    pub sha256: String,
}

/// Who is calling, when auth is on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Principal {
    pub label: String,
    pub role: Role,
}

/// Constant-time equality of two digests.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Finds the caller's token among `tokens` (every entry is compared, to keep timing flat).
pub fn authenticate(tokens: &[TokenEntry], request: &Request) -> Result<Principal, ApiError> {
    let header = request.header("authorization").unwrap_or("").trim();
    let Some(token) = header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer ")).map(str::trim) else {
        return Err(ApiError::new(401, "unauthenticated", "this route needs an `Authorization: Bearer <token>` header"));
    };
    let digest = Sha256::digest(token.as_bytes());
    let mut found = None;
    for entry in tokens {
        let Ok(expected) = hex::decode(&entry.sha256) else { continue };
        if same(&digest, &expected) && found.is_none() {
            found = Some(Principal { label: entry.label.clone(), role: entry.role });
        }
    }
    found.ok_or_else(|| ApiError::new(401, "invalid_token", "the bearer token is not valid"))
}

pub fn authorize(principal: &Principal, need: Need) -> Result<(), ApiError> {
    if principal.role.allows(need) {
        return Ok(());
    }
    let what = match need {
        Need::Read => "read evidence",
        Need::Write => "write evidence or deliver",
        Need::Decide => "decide approvals",
        Need::Live => "start a live worker run (admin only)",
    };
    Err(ApiError::new(403, "forbidden", format!("the `{:?}` role may not {what}", principal.role).to_lowercase()))
}

/// SHA-256 hex of a token, as configured.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_follow_separation_of_duties() {
        use Need::*;
        use Role::*;
        let table = [
            (Viewer, [true, false, false, false]),
            (Operator, [true, true, false, false]),
            (Approver, [true, false, true, false]),
            (Admin, [true, true, true, true]),
        ];
        for (role, expected) in table {
            assert_eq!([Read, Write, Decide, Live].map(|n| role.allows(n)), expected, "{role:?}");
        }
    }
}
