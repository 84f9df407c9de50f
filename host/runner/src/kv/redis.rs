//! Redis backend: lets several runner processes share one evidence store. Compare-and-swap is
//! a Lua script (atomic on the server); absent-key swaps use `SET NX`; counters use `INCRBY`.

use super::Backend;
use anyhow::{Context, Result};
use redis::{Commands, Connection, Script};
use std::sync::Mutex;

const SWAP: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0
";

pub struct Redis {
    client: redis::Client,
    conn: Mutex<Option<Connection>>,
    swap: Script,
}

impl Redis {
    pub fn open(url: &str) -> Result<Self> {
        let client = redis::Client::open(url).context("parsing the Redis URL")?;
        let conn = client.get_connection().context("connecting to Redis")?;
        Ok(Self { client, conn: Mutex::new(Some(conn)), swap: Script::new(SWAP) })
    }

    /// Runs `op` on the shared connection; a broken connection is dropped so the next call
    /// reconnects (a restarted Redis does not need a restarted runner). Never retries `op`
    /// itself: a write whose reply was lost must surface as an error, not run twice.
    fn with<T>(&self, op: impl FnOnce(&mut Connection) -> redis::RedisResult<T>) -> Result<T> {
        let mut slot = self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if slot.is_none() {
            *slot = Some(self.client.get_connection().context("reconnecting to Redis")?);
        }
        let Some(conn) = slot.as_mut() else { unreachable!("connected above") };
        let result = op(conn);
        if let Err(e) = &result
            && (e.is_io_error() || e.is_connection_dropped() || e.is_unrecoverable_error())
        {
            *slot = None;
        }
        Ok(result?)
    }
}

/// Store labels namespace the keys.
fn key(store: &str, key: &str) -> String {
    format!("{store}:{key}")
}

impl Backend for Redis {
    fn get(&self, store: &str, k: &str) -> Result<Option<Vec<u8>>> {
        self.with(|c| c.get(key(store, k)))
    }

    fn set(&self, store: &str, k: &str, value: &[u8]) -> Result<()> {
        self.with(|c| c.set(key(store, k), value))
    }

    fn delete(&self, store: &str, k: &str) -> Result<()> {
        self.with(|c| c.del(key(store, k)))
    }

    fn exists(&self, store: &str, k: &str) -> Result<bool> {
        self.with(|c| c.exists(key(store, k)))
    }

    fn list_keys(&self, store: &str, cursor: Option<&str>) -> Result<(Vec<String>, Option<String>)> {
        let start: u64 = cursor.and_then(|c| c.parse().ok()).unwrap_or(0);
        let (next, keys): (u64, Vec<String>) =
            self.with(|c| redis::cmd("SCAN").arg(start).arg("MATCH").arg(format!("{store}:*")).arg("COUNT").arg(1000).query(c))?;
        let prefix = format!("{store}:");
        let keys = keys.into_iter().filter_map(|k| k.strip_prefix(&prefix).map(str::to_string)).collect();
        Ok((keys, (next != 0).then(|| next.to_string())))
    }

    fn swap(&self, store: &str, k: &str, expected: Option<&[u8]>, new: &[u8]) -> Result<bool> {
        let full = key(store, k);
        match expected {
            Some(old) => {
                let changed: i64 = self.with(|c| self.swap.key(&full).arg(old).arg(new).invoke(c))?;
                Ok(changed == 1)
            }
            None => {
                let set: Option<String> = self.with(|c| redis::cmd("SET").arg(&full).arg(new).arg("NX").query(c))?;
                Ok(set.is_some())
            }
        }
    }

    fn increment(&self, store: &str, k: &str, delta: i64) -> Result<i64> {
        self.with(|c| c.incr(key(store, k), delta))
    }

    fn ping(&self) -> Result<()> {
        let _: String = self.with(|c| redis::cmd("PING").query(c))?;
        Ok(())
    }
}
