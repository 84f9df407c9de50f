//! Outbound HTTP for the component: only to hosts `allowed_outbound_hosts` permits.

use wasmtime_wasi_http::WasiHttpHooks;

/// One `allowed_outbound_hosts` entry: `scheme://host:port`, where host and port may be `*`
/// (and a host may start with `*.`).
#[derive(Debug, Clone, PartialEq)]
pub struct AllowedHost {
    scheme: String,
    host: String,
    port: String,
}

impl AllowedHost {
    pub fn parse(entry: &str) -> anyhow::Result<Self> {
        let (scheme, rest) = entry.split_once("://").ok_or_else(|| anyhow::anyhow!("{entry:?} lacks a scheme"))?;
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if !h.is_empty() => (h.to_string(), p.to_string()),
            _ => (rest.to_string(), if scheme == "https" { "443" } else { "80" }.to_string()),
        };
        Ok(Self { scheme: scheme.to_string(), host: host.to_ascii_lowercase(), port })
    }

    pub fn allows(&self, scheme: &str, host: &str, port: u16) -> bool {
        let host = host.to_ascii_lowercase();
        let scheme_ok = self.scheme == "*" || self.scheme == scheme;
        let host_ok = self.host == "*"
            || self.host == host
            || self.host.strip_prefix("*.").is_some_and(|suffix| host.ends_with(&format!(".{suffix}")));
        let port_ok = self.port == "*" || self.port == port.to_string();
        scheme_ok && host_ok && port_ok
    }
}

/// Hooks that refuse requests to hosts outside the allow list.
pub struct Hooks {
    pub allowed: std::sync::Arc<Vec<AllowedHost>>,
}

impl WasiHttpHooks for Hooks {
    fn send_request(
        &mut self,
        request: http::Request<wasmtime_wasi_http::WasiBody>,
        options: Option<wasmtime_wasi_http::RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ) -> Box<
        dyn Future<
                Output = wasmtime_wasi_http::Result<(
                    http::Response<wasmtime_wasi_http::WasiBody>,
                    Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
                )>,
            > + Send,
    > {
        let uri = request.uri();
        let scheme = uri.scheme_str().unwrap_or("http").to_string();
        let host = uri.host().unwrap_or_default().to_string();
        let port = uri.port_u16().unwrap_or(if scheme == "https" { 443 } else { 80 });
        if !self.allowed.iter().any(|a| a.allows(&scheme, &host, port)) {
            return Box::new(async move { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        let default = wasmtime_wasi_http::default_hooks();
        default.send_request(request, options, fut)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_wildcards() -> anyhow::Result<()> {
        let any_https = AllowedHost::parse("https://*:*")?;
        assert!(any_https.allows("https", "splunk.example.com", 8088));
        assert!(!any_https.allows("http", "splunk.example.com", 80));
        let loopback = AllowedHost::parse("http://127.0.0.1:*")?;
        assert!(loopback.allows("http", "127.0.0.1", 4000));
        assert!(!loopback.allows("http", "10.0.0.1", 4000));
        let sub = AllowedHost::parse("https://*.example.com")?;
        assert!(sub.allows("https", "a.example.com", 443));
        assert!(!sub.allows("https", "example.org", 443));
        assert!(!sub.allows("https", "a.example.com", 8443));
        Ok(())
    }
}
