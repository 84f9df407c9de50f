//! Harness for end-to-end tests: starts the real `cavra` runner with the built component on a
//! free port, a scriptable loopback receiver playing a connector, and a small HTTP client.
//!
//! The binaries must be built first (`scripts/test.sh` does): `target/release/cavra` and the
//! component named in `spin.toml`.

#![expect(clippy::unwrap_used, reason = "test harness: a failed setup should fail the test loudly")]

pub mod approval_flow;
pub mod receiver;
pub mod redis;
pub mod routes;
pub mod runner;

pub use receiver::{Behavior, Receiver};
pub use redis::RedisServer;
pub use runner::{Reply, Runner, RunnerOptions};

/// The API prefix (SPEC §0).
pub const P: &str = "/runtime/go-pilot/rollback-drill-notifications/acknowledgements/audit-delivery";

/// The workspace root (where `spin.toml` lives).
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// A fresh, empty directory under the target directory.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = workspace_root()
        .join("target/e2e-tmp")
        .join(format!("{name}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
