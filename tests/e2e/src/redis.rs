//! A real `redis-server` (Debian's package, installed by `scripts/setup.sh --test`) on a free
//! loopback port, for the scale-out tests. Nothing is persisted; the process dies with the guard.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    pub url: String,
    child: Child,
}

impl RedisServer {
    pub fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = crate::temp_dir("redis");
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start redis-server ({e}): run scripts/setup.sh --test"));
        let server = Self { url: format!("redis://127.0.0.1:{port}"), child };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !ping(port) {
            assert!(Instant::now() < deadline, "redis-server did not answer on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// A Spin runtime-config file pointing the default key-value store at this server.
    pub fn runtime_config(&self) -> PathBuf {
        let path = crate::temp_dir("runtime-config").join("runtime-config.toml");
        std::fs::write(&path, format!("[key_value_store.default]\ntype = \"redis\"\nurl = \"{}\"\n", self.url)).unwrap();
        path
    }

    /// Number of keys stored (`DBSIZE`).
    pub fn key_count(&self) -> u64 {
        let port: u16 = self.url.rsplit(':').next().unwrap().parse().unwrap();
        let reply = command(port, "DBSIZE\r\n").unwrap_or_default();
        reply.trim().trim_start_matches(':').parse().unwrap_or(0)
    }
}

fn command(port: u16, line: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream.write_all(line.as_bytes()).ok()?;
    let mut buf = [0u8; 64];
    let n = stream.read(&mut buf).ok()?;
    Some(String::from_utf8_lossy(&buf[..n]).into_owned())
}

fn ping(port: u16) -> bool {
    command(port, "PING\r\n").is_some_and(|r| r.starts_with("+PONG"))
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
