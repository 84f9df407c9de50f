//! Redaction of free text (SPEC §11): notes, reasons, references and provider errors pass here
//! before they are stored or shown. Identifiers such as `JIRA-123`, `change:CHG0031` or
//! `execution:<id>` survive; URLs, credentials, private addresses and emails do not.

use regex_lite::{Captures, Regex};
use std::sync::LazyLock;

struct Rule {
    pattern: Regex,
    replacement: &'static str,
    /// When set, a match is only masked if this says its captures look like a credential.
    guard: Option<fn(&Captures<'_>) -> bool>,
}

fn rule(pattern: &str, replacement: &'static str) -> Rule {
    Rule { pattern: Regex::new(pattern).unwrap_or_else(|e| panic!("redaction pattern {pattern}: {e}")), replacement, guard: None }
}

/// A rule whose matches must also pass `guard`.
fn guarded(pattern: &str, replacement: &'static str, guard: fn(&Captures<'_>) -> bool) -> Rule {
    Rule { guard: Some(guard), ..rule(pattern, replacement) }
}

/// Group 1 is credential-looking: a digit, `=` padding, or mixed case (plain words, as in
/// "token rotation" or "basic connectivity", are not).
fn credential_like(caps: &Captures<'_>) -> bool {
    let s = caps.get(1).map_or("", |m| m.as_str());
    s.bytes().any(|b| b.is_ascii_digit() || b == b'=')
        || (s.bytes().any(|b| b.is_ascii_uppercase()) && s.bytes().any(|b| b.is_ascii_lowercase()))
}

/// The `value` group is not already a mask, so a second pass changes nothing.
fn not_yet_masked(caps: &Captures<'_>) -> bool {
    !caps.name("value").is_some_and(|m| m.as_str().trim_start_matches(['\\', '"', '\'']).starts_with("[redacted"))
}

/// Key names whose value is a secret (`name: value`, `name=value`, `"name": "value"`).
const SECRET_KEY_NAMES: &str = concat!(
    r"password|passwd|passphrase|pwd|secret|token|api[_\-]?key|apikey|access[_\-]?key|auth|credential|private[_\-]?key|signature",
    r"|(app|application|account|shared|routing|integration|service|workspace|master|licen[cs]e|client|storage|primary|secondary",
    r"|encryption|signing|subscription|hec|ingest|sas)[_\-]?key|cookie|jsessionid|phpsessid|session[_\-]?id|sessionid|dsn",
);

// Order matters: whole-token shapes first, then key=value pairs, then addresses.
static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        rule(r"-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY( BLOCK)?-----|$)", "[redacted-private-key]"),
        rule(r"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s\x22'<>()\[\]{}]+", "[redacted-url]"),
        // Webhook URLs pasted without their scheme are still credentials.
        rule(
            r"(?i)\b(hooks\.slack\.com|discord(app)?\.com/api/webhooks|[a-z0-9.\-]*webhook\.office\.com|outlook\.office\.com/webhook)[^\s\x22'<>]*",
            "[redacted-url]",
        ),
        rule(r"\beyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}", "[redacted-token]"),
        // Unsigned (`alg: none`) or truncated JWTs still carry their claims.
        rule(r"\beyJ[A-Za-z0-9_\-]{4,}\.eyJ[A-Za-z0-9_\-]{2,}\.?", "[redacted-token]"),
        // An Authorization header hides its credential behind any scheme (Splunk, SSWS, SharedKey…).
        guarded(
            r"(?i)\b((proxy-)?authorization)(\x22?\s*[:=]\s*)(?P<value>\x22[^\x22]*\x22|([A-Za-z\-]+\s+)?[^\s,;\x22']+)",
            "${1}${3}[redacted]",
            not_yet_masked,
        ),
        rule(r"(?i)\b(bearer|ssws|splunk|apikey)\s+[A-Za-z0-9._~+/=\-]{8,}", "[redacted-token]"),
        guarded(r"(?i)\b(?:basic|token)\s+([A-Za-z0-9._~+/=\-]{8,})", "[redacted-token]", credential_like),
        rule(r"(?i)\bsharedkey\s+[^\s,;\x22']+", "[redacted-token]"),
        rule(r"\b(AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b", "[redacted-key]"),
        rule(r"\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}", "[redacted-key]"),
        rule(r"\bgithub_pat_[A-Za-z0-9_]{20,}", "[redacted-key]"),
        rule(r"\bgl(pat|rt|dt|ptt|soat|ft|cbt|imt|agent)-[A-Za-z0-9_\-]{16,}", "[redacted-key]"),
        rule(r"\bGR1348941[A-Za-z0-9_\-]{16,}", "[redacted-key]"),
        rule(r"\bxox[abposre]-[A-Za-z0-9\-]{8,}", "[redacted-key]"),
        rule(r"\bxapp-[A-Za-z0-9\-]{8,}", "[redacted-key]"),
        rule(r"\bAT[A-Z]TT[A-Za-z0-9_=\-]{16,}", "[redacted-key]"),
        rule(r"\b(sk|pk|rk)_(live|test)_[A-Za-z0-9]{12,}", "[redacted-key]"),
        rule(r"\bwhsec_[A-Za-z0-9]{20,}", "[redacted-key]"),
        rule(r"\bsk-[A-Za-z0-9_\-]{20,}", "[redacted-key]"),
        rule(r"\bAIza[0-9A-Za-z_\-]{30,}", "[redacted-key]"),
        rule(r"\bya29\.[A-Za-z0-9_\-]{20,}", "[redacted-key]"),
        rule(r"\bGOCSPX-[A-Za-z0-9_\-]{20,}", "[redacted-key]"),
        rule(r"\bnpm_[A-Za-z0-9]{30,}", "[redacted-key]"),
        rule(r"\bSG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}", "[redacted-key]"),
        rule(r"\bSK[0-9a-fA-F]{32}\b", "[redacted-key]"),
        rule(r"\bhv[sbr]\.[A-Za-z0-9_\-]{20,}", "[redacted-key]"),
        rule(r"\bdckr_pat_[A-Za-z0-9_\-]{20,}", "[redacted-key]"),
        rule(r"\bpypi-[A-Za-z0-9_\-]{40,}", "[redacted-key]"),
        rule(r"\bshp(at|ss|ca|pa)_[A-Fa-f0-9]{32}", "[redacted-key]"),
        rule(r"\bdo[opr]_v1_[a-f0-9]{64}", "[redacted-key]"),
        rule(r"\bkey-[0-9a-f]{32}\b", "[redacted-key]"),
        rule(r"\bNRAK-[A-Z0-9]{27}\b", "[redacted-key]"),
        rule(r"\bdapi[0-9a-f]{32}", "[redacted-key]"),
        rule(r"\bgl(sa|c)_[A-Za-z0-9_=+/\-]{20,}", "[redacted-key]"),
        rule(r"\blin_(api|oauth)_[A-Za-z0-9]{30,}", "[redacted-key]"),
        rule(r"\bAGE-SECRET-KEY-1[0-9A-Z]{40,}", "[redacted-key]"),
        // A DER private key pasted as bare base64.
        rule(r"\bMII[A-Za-z0-9+/]{60,}={0,2}", "[redacted-private-key]"),
        // CLI credentials: `-u user:pass`, `--password value`.
        rule(r"(^|\s)(-u|--user)(\s+)[^\s:]+:[^\s]+", "${1}${2}${3}[redacted]"),
        guarded(
            r"(?i)(--(password|passwd|pass|token|secret|api-key|apikey|client-secret|auth-token|access-key|secret-key))(\s+)(?P<value>\x22[^\x22]*\x22|'[^']*'|[^\s\-][^\s]*)",
            "${1}${3}[redacted]",
            not_yet_masked,
        ),
        guarded(
            r"(?i)\b(password|passwd|passphrase)(\s+)(is|was)(\s+)(?P<value>\x22[^\x22]*\x22|'[^']*'|[^\s]+)",
            "${1}${2}${3}${4}[redacted]",
            not_yet_masked,
        ),
        rule(&format!(r"(?i)<([a-z0-9_:\-]*({SECRET_KEY_NAMES})[a-z0-9_:\-]*)>[^<]*<"), "<${1}>[redacted]<"),
        // Values may be quoted, or quoted with escaped quotes when JSON sits inside a string.
        guarded(
            &format!(
                r"(?i)\b([a-z0-9_\-]*({SECRET_KEY_NAMES})[a-z0-9_\-]*)(?P<sep>\\?['\x22]?\s*(=>|[:=])\s*)(?P<value>\\\x22([^\x22\\]|\\[^\x22])*\\\x22|\x22[^\x22]*\x22|'[^']*'|[^\s,;&]+)"
            ),
            "${1}${sep}[redacted]",
            not_yet_masked,
        ),
        // Short key names that are only secrets as `name=value` (query strings, env files).
        guarded(r"(?i)(^|[\s?&;,\x22'(\[{])(key|sig|pass|pw|sas)(\s*=\s*)(?P<value>[^\s,;&]+)", "${1}${2}${3}[redacted]", not_yet_masked),
        rule(r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b", "[redacted-email]"),
        // Hosts only resolvable inside a private network.
        rule(r"(?i)\b[a-z0-9][a-z0-9\-]*(\.[a-z0-9\-]+)*\.(internal|local|localdomain|lan|corp|intranet|home\.arpa)\b", "[redacted-host]"),
        rule(
            r"\b(10\.\d{1,3}\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3}|172\.(1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|169\.254\.\d{1,3}\.\d{1,3}|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.\d{1,3}\.\d{1,3})\b",
            "[redacted-ip]",
        ),
        rule(r"(?i)\b(f[cd][0-9a-f]{2}|fe80):[0-9a-f:]{2,}", "[redacted-ip]"),
        rule(r"(?i)\b[0-9a-f]{40,}\b", "[redacted-secret]"),
        // Long base64 with padding (Azure/Sentinel shared keys, DER blobs).
        rule(r"[A-Za-z0-9+/]{40,}={1,2}", "[redacted-secret]"),
    ]
});

/// Masks every secret-shaped part of `text`.
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for r in RULES.iter() {
        if !r.pattern.is_match(&out) {
            continue;
        }
        out = match r.guard {
            None => r.pattern.replace_all(&out, r.replacement).into_owned(),
            Some(guard) => r
                .pattern
                .replace_all(&out, |caps: &Captures<'_>| {
                    if guard(caps) {
                        let mut expanded = String::new();
                        caps.expand(r.replacement, &mut expanded);
                        expanded
                    } else {
                        caps[0].to_string()
                    }
                })
                .into_owned(),
        };
    }
    out
}

/// Masks each item of a list, dropping items that end up empty.
pub fn redact_all(items: &[String]) -> Vec<String> {
    items.iter().map(|s| redact(s.trim())).filter(|s| !s.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_identifiers() {
        for keep in ["JIRA-123", "change:CHG0031", "execution:gordackretryexec-0123456789abcdef", "INC-42 closed", "retry ok"] {
            assert_eq!(redact(keep), keep);
        }
    }

    #[test]
    fn masks_secret_shapes() {
        let cases = [
            "see https://hooks.slack.com/services/T000/B000/XXXX",
            "https://user:pass@example.com/x",
            "Authorization: Bearer abcdefghijklmnop",
            "key AKIAIOSFODNN7EXAMPLE",
            "ghp_0123456789abcdefghijABCDEFGHIJ",
            "xoxb-123456789012-abcdefghij",
            "password=hunter22",
            "api_key: 'zzz-top-secret'",
            "host 10.1.2.3",
            "mail ops@example.com",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
        ];
        for text in cases {
            let out = redact(text);
            for secret in ["hooks.slack", "user:pass", "abcdefghijklmnop", "AKIAIOSFODNN7EXAMPLE", "ghp_0123", "xoxb-1", "hunter22", "zzz-top-secret", "10.1.2.3", "ops@example.com", "eyJhbG"] {
                assert!(!out.contains(secret), "{text} -> {out}");
            }
        }
    }
}
