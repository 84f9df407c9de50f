//! Property tests: every engine function answers arbitrary input with `{"ok": …}` or a SPEC §0
//! error body, never a panic; redaction never panics and is idempotent.
//!
//! Budget: `PROPTEST_CASES` cases per function and per property (default 256), so CI stays fast.

use cavra_engine::ffi::{FUNCTIONS, call};
use cavra_engine::redact::redact;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Map, Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
}

fn runner() -> TestRunner {
    // A fresh seed each run (PROPTEST_RNG_SEED pins one); no failure files in the tree.
    TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() })
}

/// Any JSON value: scalars of every type (huge and tiny numbers, unicode, long strings),
/// nested up to a few levels in arrays and objects.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop_oneof![Just(1e308), Just(-1e308), Just(f64::MIN_POSITIVE), Just(4.9e-324), Just(9.007_199_254_740_993e15)]
            .prop_map(|f| json!(f)),
        any::<String>().prop_map(Value::String),
        "[a-z_]{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("2026-11-23T10:00:00Z"),
            Just("2026-11-23T10:00:00+00:00"),
            Just("9999-12-31T23:59:59Z"),
            Just("0000-01-01T00:00:00Z"),
            Just("2026-02-30T25:61:61Z"),
            Just("not a time"),
            Just(""),
            Just("all"),
            Just("webhook"),
            Just("slack"),
        ]
        .prop_map(|s| json!(s)),
        (1usize..20_000).prop_map(|n| Value::String("x".repeat(n))),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..8).prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Keys: the ones the engine reads, and random ones.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(KNOWN_KEYS).prop_map(str::to_string),
        "[a-z_]{1,16}",
        any::<String>(),
    ]
}

const KNOWN_KEYS: &[&str] = &[
    "items", "params", "now", "generated_by", "policy", "retry_policy", "max_retry_attempts", "max_retries",
    "backoff_multiplier", "multiplier", "initial_delay_minutes", "delay_minutes", "max_delay_minutes",
    "recovery_slo_minutes", "expected_interval_minutes", "stale_metadata_minutes", "min_failure_count",
    "lookback_hours", "ttl_minutes", "execute", "dry_run", "retries", "timeout_seconds", "limit", "provider",
    "providers", "approval_policy", "require_retry_ack", "metadata_kind", "created_at", "delivery_success",
    "failed_providers", "status_codes", "run_id", "event_id", "session_id", "connector_delivery_source",
    "retry_plan_id", "approval_plan_id", "delivery_id", "audit_id", "approval_state", "acknowledgement_state",
    "retry_decisions", "approval_decisions", "expires_at", "decided_at", "closure_state", "playbook_id",
];

/// Evidence rows shaped like the real ones: every fixture's rows and every function's answer to
/// them, with `metadata_kind` spread over all known kinds.
fn real_rows() -> Vec<Value> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let mut rows = Vec::new();
    let mut inputs = Vec::new();
    for entry in std::fs::read_dir(root).expect("fixtures").flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path().join("call.json")) else { continue };
        let call: Value = serde_json::from_str(&text).expect("fixture json");
        rows.extend(call["input"]["items"].as_array().cloned().unwrap_or_default());
        inputs.push(call["input"].clone());
    }
    for input in &inputs {
        for f in FUNCTIONS {
            if let Ok(Value::Object(mut out)) = cavra_engine::ffi::decide(f, input) {
                for (_, v) in out.iter_mut() {
                    if v.is_object() {
                        rows.push(v.clone());
                    }
                }
                out.insert("metadata_kind".into(), json!(cavra_engine::kinds::ALL[rows.len() % cavra_engine::kinds::ALL.len()]));
                rows.push(Value::Object(out));
            }
        }
    }
    assert!(!rows.is_empty());
    rows
}

/// One mutation of a row: set a (known or random) key to any value, drop a key, or change the kind.
#[derive(Debug, Clone)]
enum Mutation {
    Set(Index, String, Value),
    Drop(Index, Index),
    Kind(Index, Index),
    Replace(Index, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), key(), arb_json()).prop_map(|(r, k, v)| Mutation::Set(r, k, v)),
        (any::<Index>(), any::<Index>()).prop_map(|(r, k)| Mutation::Drop(r, k)),
        (any::<Index>(), any::<Index>()).prop_map(|(r, k)| Mutation::Kind(r, k)),
        (any::<Index>(), arb_json()).prop_map(|(r, v)| Mutation::Replace(r, v)),
    ]
}

fn apply(rows: &mut [Value], m: &Mutation) {
    if rows.is_empty() {
        return;
    }
    match m {
        Mutation::Set(r, k, v) => {
            if let Some(obj) = rows[r.index(rows.len())].as_object_mut() {
                obj.insert(k.clone(), v.clone());
            }
        }
        Mutation::Drop(r, k) => {
            if let Some(obj) = rows[r.index(rows.len())].as_object_mut()
                && let Some(key) = obj.keys().nth(k.index(obj.len().max(1))).cloned()
            {
                obj.remove(&key);
            }
        }
        Mutation::Kind(r, k) => {
            let kinds = cavra_engine::kinds::ALL;
            if let Some(obj) = rows[r.index(rows.len())].as_object_mut() {
                obj.insert("metadata_kind".into(), json!(kinds[k.index(kinds.len())]));
            }
        }
        Mutation::Replace(r, v) => rows[r.index(rows.len())] = v.clone(),
    }
}

/// A whole input text: a mutated realistic call, an arbitrary value, or hostile raw text.
fn input_text(pool: Vec<Value>) -> impl Strategy<Value = String> {
    let n = pool.len();
    let realistic = (
        prop::collection::vec(any::<Index>(), 0..24),
        prop::collection::vec(mutation(), 0..6),
        prop::collection::vec((key(), arb_json()), 0..4),
        prop_oneof![Just(json!("2026-11-23T12:00:00Z")), arb_json()],
    )
        .prop_map(move |(picks, mutations, params, now)| {
            let mut rows: Vec<Value> = picks.iter().map(|i| pool[i.index(n)].clone()).collect();
            for m in &mutations {
                apply(&mut rows, m);
            }
            let params: Map<String, Value> = params.into_iter().collect();
            json!({"items": rows, "params": params, "now": now}).to_string()
        });
    let raw = prop_oneof![
        (1usize..12_000).prop_map(|d| format!("{}{}", "[".repeat(d), "]".repeat(d))),
        (1usize..12_000).prop_map(|d| format!("{{\"items\":{}1{}}}", "[".repeat(d), "]".repeat(d))),
        prop_oneof![Just("1e400"), Just("-1e400"), Just("18446744073709551616"), Just("NaN"), Just("Infinity"), Just("-0")]
            .prop_map(|n| format!("{{\"items\":[],\"now\":\"2026-11-23T12:00:00Z\",\"params\":{{\"recovery_slo_minutes\":{n},\"retries\":{n}}}}}")),
        any::<String>(),
        Just(String::new()),
        Just("{\"now\":\"2026-11-23T12:00:00Z\",\"now\":1}".to_string()),
    ];
    prop_oneof![6 => realistic, 2 => arb_json().prop_map(|v| v.to_string()), 2 => raw]
}

/// The answer is JSON: exactly `{"ok": …}`, or `{"error": {"code", "message"}}` with both non-empty.
fn check_answer(function: &str, input: &str, answer: &str) -> Result<(), TestCaseError> {
    let v: Value = serde_json::from_str(answer).map_err(|e| TestCaseError::fail(format!("{function}: not JSON ({e}): {answer}")))?;
    let obj = v.as_object().ok_or_else(|| TestCaseError::fail(format!("{function}: not an object: {answer}")))?;
    let ok = obj.len() == 1 && obj.contains_key("ok");
    let err = obj.len() == 2
        && v["detail"].is_string()
        && v["error"]["code"].as_str().is_some_and(|c| !c.is_empty())
        && v["error"]["message"].as_str().is_some_and(|m| !m.is_empty());
    prop_assert!(ok || err, "{function}: neither ok nor error body: {answer} (input {})", &input[..input.len().min(400)]);
    Ok(())
}

#[test]
fn every_function_answers_any_input_without_panicking() {
    let pool = real_rows();
    let total = AtomicUsize::new(0);
    let (oks, errors) = (AtomicUsize::new(0), AtomicUsize::new(0));
    for function in FUNCTIONS {
        let mut runner = runner();
        let result = runner.run(&input_text(pool.clone()), |input| {
            total.fetch_add(1, Ordering::Relaxed);
            let answer = call(function, &input);
            check_answer(function, &input, &answer)?;
            if answer.starts_with("{\"ok\"") { &oks } else { &errors }.fetch_add(1, Ordering::Relaxed);
            Ok(())
        });
        if let Err(e) = result {
            panic!("{function}: {e}");
        }
    }
    // An unknown function name is an error body too.
    check_answer("nope", "{}", &call("no-such-function", "{}")).expect("unknown function");
    println!(
        "engine properties: {} cases over {} functions ({} per function): {} ok, {} error bodies, 0 panics",
        total.load(Ordering::Relaxed),
        FUNCTIONS.len(),
        cases(),
        oks.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed)
    );
    assert_eq!(total.load(Ordering::Relaxed), FUNCTIONS.len() * cases() as usize);
}

/// Text that looks like what people paste into notes: fragments of secrets, identifiers,
/// separators and arbitrary unicode, glued together.
fn note_text() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        any::<String>(),
        prop::sample::select(FRAGMENTS).prop_map(str::to_string),
        "[A-Za-z0-9+/=_.:@-]{1,60}",
        "[ \t\n\"'=:;,&?<>{}\\[\\]\\\\-]{1,4}",
    ];
    prop::collection::vec(fragment, 0..16).prop_map(|parts| parts.concat())
}

const FRAGMENTS: &[&str] = &[
    "password", "password: ", "token=", "Token ", "Bearer ", "Basic ", "Authorization: ", "api_key=", "\"secret\": \"",
    "https://", "http://user:pass@", "10.", "192.168.", "fe80:", "fd00:", "@example.com", "eyJ", "eyJhbGciOiJIUzI1NiJ9.",
    "AKIA", "ghp_", "xoxb-", "sk_live_", "AIza", "SG.", "-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----",
    "[redacted]", "[redacted-url]", "==", "0123456789abcdef0123456789abcdef01234567", "JIRA-123", "change:CHG0031",
    "execution:gordackretryexec-0123456789abcdef", "--password ", " is ", "<password>", "</password>", "=>", "\\\"", "key=",
    "hooks.slack.com/", ".internal", "SharedKey ", "MIIB",
];

#[test]
fn redaction_never_panics_and_is_idempotent() {
    let mut runner = runner();
    let count = AtomicUsize::new(0);
    // Four times the per-function budget: redaction is cheap and sees every free-text field.
    runner = TestRunner::new(Config { cases: cases() * 4, ..runner.config().clone() });
    let result = runner.run(&note_text(), |text| {
        count.fetch_add(1, Ordering::Relaxed);
        let once = redact(&text);
        let twice = redact(&once);
        prop_assert_eq!(&twice, &once, "not idempotent for {:?}", text);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    println!("redaction properties: {} cases, idempotent, 0 panics", count.load(Ordering::Relaxed));
}
