//! SQLite backend: one table, WAL, every atomic operation in an immediate transaction.

use super::{Backend, parse_counter};
use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::Path;
use std::sync::Mutex;

const PAGE: usize = 1000;

pub struct Sqlite {
    conn: Mutex<Connection>,
}

impl Sqlite {
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // NORMAL in WAL mode survives process crashes (SIGKILL); power loss may drop the last commits.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS kv (store TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
             PRIMARY KEY (store, key)) WITHOUT ROWID;",
        )?;
        Ok(Self { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent; keep serving.
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Backend for Sqlite {
    fn get(&self, store: &str, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM kv WHERE store = ?1 AND key = ?2", params![store, key], |r| r.get(0))
            .optional()?)
    }

    fn set(&self, store: &str, key: &str, value: &[u8]) -> Result<()> {
        self.conn().execute(
            "INSERT INTO kv (store, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
            params![store, key, value],
        )?;
        Ok(())
    }

    fn delete(&self, store: &str, key: &str) -> Result<()> {
        self.conn().execute("DELETE FROM kv WHERE store = ?1 AND key = ?2", params![store, key])?;
        Ok(())
    }

    fn exists(&self, store: &str, key: &str) -> Result<bool> {
        Ok(self.get(store, key)?.is_some())
    }

    fn list_keys(&self, store: &str, cursor: Option<&str>) -> Result<(Vec<String>, Option<String>)> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT key FROM kv WHERE store = ?1 AND key > ?2 ORDER BY key LIMIT ?3")?;
        let keys: Vec<String> = stmt
            .query_map(params![store, cursor.unwrap_or(""), PAGE as i64], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let next = (keys.len() == PAGE).then(|| keys[PAGE - 1].clone());
        Ok((keys, next))
    }

    fn swap(&self, store: &str, key: &str, expected: Option<&[u8]>, new: &[u8]) -> Result<bool> {
        let conn = self.conn();
        let changed = match expected {
            Some(old) => conn.execute(
                "UPDATE kv SET value = ?3 WHERE store = ?1 AND key = ?2 AND value = ?4",
                params![store, key, new, old],
            )?,
            None => conn.execute(
                "INSERT INTO kv (store, key, value) VALUES (?1, ?2, ?3) ON CONFLICT (store, key) DO NOTHING",
                params![store, key, new],
            )?,
        };
        Ok(changed == 1)
    }

    fn increment(&self, store: &str, key: &str, delta: i64) -> Result<i64> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: Option<Vec<u8>> =
            tx.query_row("SELECT value FROM kv WHERE store = ?1 AND key = ?2", params![store, key], |r| r.get(0)).optional()?;
        let next = parse_counter(current.as_deref())?.checked_add(delta).context("counter overflow")?;
        tx.execute(
            "INSERT INTO kv (store, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
            params![store, key, next.to_string().into_bytes()],
        )?;
        tx.commit()?;
        Ok(next)
    }

    fn ping(&self) -> Result<()> {
        self.conn().query_row("SELECT 1", [], |_| Ok(()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_and_increment_are_exact() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("cavra-sqlite-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let db = Sqlite::open(&dir.join("kv.db"))?;
        assert!(db.swap("s", "k", None, b"a")?);
        assert!(!db.swap("s", "k", None, b"b")?, "absent-swap must not overwrite");
        assert!(!db.swap("s", "k", Some(b"x"), b"b")?);
        assert!(db.swap("s", "k", Some(b"a"), b"b")?);
        assert_eq!(db.get("s", "k")?, Some(b"b".to_vec()));
        assert_eq!(db.increment("s", "n", 1)?, 1);
        assert_eq!(db.increment("s", "n", 5)?, 6);
        assert_eq!(db.list_keys("s", None)?.0, vec!["k".to_string(), "n".to_string()]);
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
