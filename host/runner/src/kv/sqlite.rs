//! SQLite backend: one table, WAL, every atomic operation in an immediate transaction.

use super::{Backend, parse_counter};
use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::Path;
use std::sync::Mutex;

const PAGE: usize = 1000;

/// A rowid table: the (store, key) primary key is a separate index, so a lookup reads the index
/// and one row. (As a WITHOUT ROWID table, whole rows sat in the key b-tree and a lookup that
/// compared against a multi-megabyte row read all of its overflow pages: reading 1k delivery rows
/// went from 5 to 34 ms once ~40 MB of retry plans were stored.)
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS kv (store TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
                      PRIMARY KEY (store, key));";

fn is_without_rowid(conn: &Connection) -> Result<bool> {
    let sql: Option<String> =
        conn.query_row("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'kv'", [], |r| r.get(0)).optional()?;
    Ok(sql.is_some_and(|s| s.to_ascii_uppercase().contains("WITHOUT ROWID")))
}

/// Rewrites a store made by earlier versions (WITHOUT ROWID) into the rowid table, in one
/// transaction.
fn migrate_without_rowid(conn: &mut Connection) -> Result<()> {
    if !is_without_rowid(conn)? {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if is_without_rowid(&tx)? {
        tx.execute_batch("ALTER TABLE kv RENAME TO kv_without_rowid;")?;
        tx.execute_batch(SCHEMA)?;
        tx.execute_batch("INSERT INTO kv (store, key, value) SELECT store, key, value FROM kv_without_rowid; DROP TABLE kv_without_rowid;")?;
    }
    tx.commit()?;
    Ok(())
}

pub struct Sqlite {
    conn: Mutex<Connection>,
}

impl Sqlite {
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // NORMAL in WAL mode survives process crashes (SIGKILL); power loss may drop the last commits.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        migrate_without_rowid(&mut conn)?;
        conn.execute_batch(SCHEMA)?;
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

    #[test]
    fn stores_of_earlier_versions_are_migrated() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("cavra-sqlite-migrate-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("kv.db");
        let old = Connection::open(&path)?;
        old.execute_batch(
            "CREATE TABLE kv (store TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (store, key)) WITHOUT ROWID;
             INSERT INTO kv VALUES ('s', 'a', x'01'), ('s', 'b', x'02');",
        )?;
        drop(old);
        let db = Sqlite::open(&path)?;
        assert!(!is_without_rowid(&db.conn())?);
        assert_eq!(db.get("s", "b")?, Some(vec![2]));
        assert_eq!(db.list_keys("s", None)?.0, vec!["a".to_string(), "b".to_string()]);
        assert!(!db.swap("s", "a", None, b"x")?, "the primary key still holds");
        drop(db);
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
