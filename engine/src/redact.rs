//! Redaction of free text (SPEC §11): notes, reasons, references and provider errors pass here
//! before they are stored or shown. Identifiers such as `JIRA-123`, `change:CHG0031` or
//! `execution:<id>` survive; URLs, credentials, private addresses and emails do not.

use regex_lite::Regex;
use std::sync::LazyLock;

struct Rule {
    pattern: Regex,
    replacement: &'static str,
}

fn rule(pattern: &str, replacement: &'static str) -> Rule {
    Rule { pattern: Regex::new(pattern).unwrap_or_else(|e| panic!("redaction pattern {pattern}: {e}")), replacement }
}

// Order matters: whole-token shapes first, then key=value pairs, then addresses.
static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        rule(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)", "[redacted-private-key]"),
        rule(r"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s\x22'<>()\[\]{}]+", "[redacted-url]"),
        rule(r"\beyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}", "[redacted-token]"),
        rule(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=\-]{8,}", "[redacted-token]"),
        rule(r"\b(AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b", "[redacted-key]"),
        rule(r"\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}", "[redacted-key]"),
        rule(r"\bgithub_pat_[A-Za-z0-9_]{20,}", "[redacted-key]"),
        rule(r"\bglpat-[A-Za-z0-9_\-]{16,}", "[redacted-key]"),
        rule(r"\bxox[abposre]-[A-Za-z0-9\-]{8,}", "[redacted-key]"),
        rule(r"\bxapp-[A-Za-z0-9\-]{8,}", "[redacted-key]"),
        rule(r"\bATATT[A-Za-z0-9_=\-]{16,}", "[redacted-key]"),
        rule(r"\b(sk|pk|rk)_(live|test)_[A-Za-z0-9]{12,}", "[redacted-key]"),
        rule(r"\bsk-[A-Za-z0-9_\-]{20,}", "[redacted-key]"),
        rule(r"\bAIza[0-9A-Za-z_\-]{30,}", "[redacted-key]"),
        rule(r"\bnpm_[A-Za-z0-9]{30,}", "[redacted-key]"),
        rule(r"\bSG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}", "[redacted-key]"),
        rule(
            r"(?i)\b([a-z0-9_\-]*(password|passwd|pwd|secret|token|api[_\-]?key|apikey|access[_\-]?key|auth|credential|private[_\-]?key|signature)[a-z0-9_\-]*)(\s*[:=]\s*)(\x22[^\x22]*\x22|'[^']*'|[^\s,;&]+)",
            "${1}${3}[redacted]",
        ),
        rule(r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b", "[redacted-email]"),
        rule(
            r"\b(10\.\d{1,3}\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3}|172\.(1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|169\.254\.\d{1,3}\.\d{1,3}|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.\d{1,3}\.\d{1,3})\b",
            "[redacted-ip]",
        ),
        rule(r"(?i)\b(f[cd][0-9a-f]{2}|fe80):[0-9a-f:]{2,}", "[redacted-ip]"),
        rule(r"(?i)\b[0-9a-f]{40,}\b", "[redacted-secret]"),
    ]
});

/// Masks every secret-shaped part of `text`.
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for r in RULES.iter() {
        if r.pattern.is_match(&out) {
            out = r.pattern.replace_all(&out, r.replacement).into_owned();
        }
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
