//! Starts and stops the real `cavra up` process.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

#[derive(Debug, Clone, Default)]
pub struct RunnerOptions {
    pub data_dir: Option<PathBuf>,
    /// `--var name=value` pairs.
    pub vars: Vec<(String, String)>,
    pub test_clock: bool,
    /// Start with `--insecure-no-auth` (access control off).
    pub insecure_no_auth: bool,
    pub extra_args: Vec<String>,
}

pub struct Runner {
    pub base: String,
    pub data_dir: PathBuf,
    child: Child,
    agent: ureq::Agent,
    options: RunnerOptions,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
    /// Role → bearer token, from the data directory's `tokens.json`.
    pub tokens: std::collections::HashMap<String, String>,
}

/// An HTTP answer: status, JSON body (or `Null`), raw text.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub json: Value,
    pub text: String,
}

impl Runner {
    pub fn binary() -> PathBuf {
        crate::workspace_root().join("target/release/cavra")
    }

    pub fn start(options: RunnerOptions) -> Self {
        let data_dir = options.data_dir.clone().unwrap_or_else(|| crate::temp_dir("runner"));
        let root = crate::workspace_root();
        let mut cmd = Command::new(Self::binary());
        cmd.current_dir(&root)
            .arg("up")
            .arg("--port")
            .arg("0")
            .arg("--data-dir")
            .arg(&data_dir)
            .args(&options.extra_args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if options.test_clock {
            cmd.arg("--test-clock");
        }
        if options.insecure_no_auth {
            cmd.arg("--insecure-no-auth");
        }
        for (k, v) in &options.vars {
            cmd.arg("--var").arg(format!("{k}={v}"));
        }
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e} (run scripts/build.sh first)", Self::binary().display()));
        let stdout = child.stdout.take().unwrap();
        let stderr_pipe = child.stderr.take().unwrap();
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
                sink.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        let mut lines = BufReader::new(stdout).lines();
        let line = lines.next().and_then(Result::ok).unwrap_or_default();
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("runner did not report its address: {line:?}; stderr: {}", stderr.lock().unwrap()))
            .to_string();
        std::thread::spawn(move || for _ in lines {});
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .new_agent();
        let tokens = std::fs::read_to_string(data_dir.join("tokens.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<Vec<Value>>(&t).ok())
            .unwrap_or_default()
            .iter()
            .filter_map(|t| Some((t["role"].as_str()?.to_string(), t["token"].as_str()?.to_string())))
            .collect();
        Self { base, data_dir, child, agent, options, stderr, tokens }
    }

    /// The bearer token of `role` (`viewer`, `operator`, `approver`, `admin`).
    pub fn token(&self, role: &str) -> String {
        self.tokens.get(role).cloned().unwrap_or_default()
    }

    /// A runner whose only provider `webhook` posts to `receiver`.
    pub fn with_receiver(receiver: &crate::Receiver, options: RunnerOptions) -> Self {
        Self::with_providers(receiver, &["webhook"], options)
    }

    /// A runner whose `providers` all post to `receiver` (at `/hook/<provider>`).
    pub fn with_providers(receiver: &crate::Receiver, providers: &[&str], mut options: RunnerOptions) -> Self {
        options.vars.push(("providers".to_string(), providers.join(",")));
        for p in providers {
            options.vars.push((format!("provider_{p}_url"), format!("{}/{p}?api_key=receiver-url-secret", receiver.url)));
            options.vars.push((format!("provider_{p}_token"), "receiver-bearer-secret".to_string()));
        }
        options.vars.push(("extra_outbound_origin".to_string(), receiver.origin.clone()));
        Self::start(options)
    }

    /// Stops the process and starts it again on the same data directory.
    pub fn restart(mut self) -> Self {
        self.stop();
        let mut options = self.options.clone();
        options.data_dir = Some(self.data_dir.clone());
        Self::start(options)
    }

    /// The runner's process id (to kill it from another thread while requests are in flight).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The runner's stderr so far.
    pub fn logs(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// A request as the admin (when auth is on), unless `headers` carry an authorization.
    pub fn request(&self, method: &str, path: &str, body: Option<&Value>, headers: &[(&str, &str)]) -> Reply {
        let admin = format!("Bearer {}", self.token("admin"));
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        if !self.tokens.is_empty() && !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization")) {
            all.push(("authorization", &admin));
        }
        self.raw_request(method, path, body, &all)
    }

    /// A request as `role` (its bearer token) at a test-clock time.
    pub fn as_role(&self, role: &str, method: &str, path: &str, body: Option<&Value>, now: Option<&str>) -> Reply {
        let auth = format!("Bearer {}", self.token(role));
        let mut headers = vec![("authorization", auth.as_str())];
        if let Some(now) = now {
            headers.push(("x-cavra-now", now));
        }
        self.raw_request(method, path, body, &headers)
    }

    /// A request with exactly these headers (no token added).
    pub fn raw_request(&self, method: &str, path: &str, body: Option<&Value>, headers: &[(&str, &str)]) -> Reply {
        self.try_raw_request(method, path, body, headers).unwrap_or_else(|e| panic!("{method} {path} failed: {e}"))
    }

    /// As `raw_request`, but a transport failure (the runner died) is an `Err`, not a panic.
    pub fn try_raw_request(&self, method: &str, path: &str, body: Option<&Value>, headers: &[(&str, &str)]) -> Result<Reply, String> {
        let url = format!("{}{path}", self.base);
        let response = match method {
            "GET" => {
                let mut req = self.agent.get(&url);
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                req.call()
            }
            _ => {
                let mut req = self.agent.post(&url).header("content-type", "application/json");
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                let bytes = body.map(|b| serde_json::to_vec(b).unwrap()).unwrap_or_default();
                req.send(&bytes[..])
            }
        };
        let mut response = response.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().map_err(|e| e.to_string())?;
        Ok(Reply { status, json: serde_json::from_str(&text).unwrap_or(Value::Null), text })
    }

    /// POST with a JSON body at a test-clock time.
    pub fn post_at(&self, path: &str, body: &Value, now: &str) -> Reply {
        self.request("POST", path, Some(body), &[("x-cavra-now", now)])
    }

    pub fn get_at(&self, path: &str, now: &str) -> Reply {
        self.request("GET", path, None, &[("x-cavra-now", now)])
    }

    pub fn post(&self, path: &str, body: &Value) -> Reply {
        self.request("POST", path, Some(body), &[])
    }

    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, None, &[])
    }

    /// Every value stored in the runner's SQLite key-value database, as text.
    pub fn stored_values(&self) -> Vec<String> {
        let db = rusqlite::Connection::open(self.data_dir.join("sqlite_key_value.db")).unwrap();
        let mut stmt = db.prepare("SELECT value FROM kv").unwrap();
        stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))
            .unwrap()
            .map(|v| String::from_utf8_lossy(&v.unwrap()).into_owned())
            .collect()
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        self.stop();
    }
}
