//! Hostile input through the real runner: wrong media types, invalid UTF-8, deep nesting, huge
//! numbers, non-JSON literals, unknown fields, wrong types, overlong strings, odd ids in path
//! segments, odd methods and headers. Every answer is a JSON 4xx with error.code and
//! error.message — never a 500, never a dropped connection — and the runner stays healthy with
//! an intact evidence chain. (`audit_retry.rs` covers `{not json`, a top-level array, 1e400 in a
//! policy and a 3 MiB body; `access.rs` covers missing and wrong tokens.)

use cavra_e2e::{P, Receiver, Runner, RunnerOptions};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A raw HTTP/1.1 exchange, for what an HTTP client library refuses to send.
struct Raw {
    status: u16,
    body: String,
}

fn raw(runner: &Runner, method: &str, target: &[u8], headers: &[(&str, &[u8])], body: &[u8]) -> Raw {
    let addr = runner.base.trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    let mut request = Vec::new();
    request.extend_from_slice(method.as_bytes());
    request.push(b' ');
    request.extend_from_slice(target);
    request.extend_from_slice(b" HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n");
    request.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    for (k, v) in headers {
        request.extend_from_slice(k.as_bytes());
        request.extend_from_slice(b": ");
        request.extend_from_slice(v);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    request.extend_from_slice(body);
    // The server may answer (413) before reading everything; a broken pipe then is fine.
    let _ = stream.write_all(&request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Raw { status, body }
}

/// A request as the admin, with a JSON content type unless `headers` name one.
fn send(runner: &Runner, method: &str, target: &str, headers: &[(&str, &[u8])], body: &[u8]) -> Raw {
    let auth = format!("Bearer {}", runner.token("admin"));
    let mut all: Vec<(&str, &[u8])> = vec![("authorization", auth.as_bytes()), ("x-cavra-now", b"2026-11-23T10:00:00Z")];
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
        all.push(("content-type", b"application/json"));
    }
    all.extend_from_slice(headers);
    raw(runner, method, target.as_bytes(), &all, body)
}

/// Asserts a JSON 4xx error body with a code and a message; returns the code.
fn refused(what: &str, r: &Raw, statuses: &[u16]) -> String {
    assert!(statuses.contains(&r.status), "{what}: status {} (want {statuses:?}): {}", r.status, &r.body[..r.body.len().min(300)]);
    let v: Value = serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {}", &r.body[..r.body.len().min(300)]));
    let code = v["error"]["code"].as_str().unwrap_or_default().to_string();
    assert!(!code.is_empty() && v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: {}", r.body);
    code
}

fn start() -> (Receiver, Runner) {
    let receiver = Receiver::start();
    let runner = Runner::with_receiver(&receiver, RunnerOptions { test_clock: true, ..Default::default() });
    (receiver, runner)
}

fn still_healthy(runner: &Runner) {
    let health = runner.get("/healthz");
    assert_eq!(health.status, 200, "{}", health.text);
    let verify = runner.get(&format!("{P}/evidence/verify"));
    assert_eq!((verify.status, verify.json["ok"].clone()), (200, json!(true)), "{}", verify.text);
    assert!(!runner.logs().contains("component error"), "the component failed: {}", runner.logs());
}

#[test]
fn bodies_media_types_and_encodings() {
    let (_receiver, runner) = start();
    let mut checks = 0;
    let mut expect = |what: &str, r: Raw, statuses: &[u16], code: &str| {
        let got = refused(what, &r, statuses);
        assert_eq!(got, code, "{what}: {}", r.body);
        checks += 1;
    };
    let plan = format!("{P}/retry-plan");
    // Just over the service's 1 MiB limit (audit_retry.rs covers the runner's 2 MiB cap).
    let just_over = format!("{{\"notes\": \"{}\"}}", "x".repeat(1024 * 1024));
    expect("1 MiB + 14 bytes", send(&runner, "POST", P, &[], just_over.as_bytes()), &[413], "payload_too_large");
    expect("engine 1 MiB+", send(&runner, "POST", "/engine/v1/retry-plan", &[], just_over.as_bytes()), &[413], "payload_too_large");
    // Wrong media types with a body.
    for ct in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp", "", "application/json-seq"] {
        let r = send(&runner, "POST", &plan, &[("content-type", ct.as_bytes())], b"{}");
        expect(&format!("content-type {ct:?}"), r, &[415], "unsupported_media_type");
    }
    // Parameters and case on a JSON type are fine.
    let r = send(&runner, "POST", &plan, &[("content-type", b"Application/JSON; charset=utf-8")], b"{}");
    assert_eq!(r.status, 200, "{}", r.body);
    // Invalid UTF-8, a BOM, lone surrogates, NUL bytes.
    for (what, body) in [
        ("invalid UTF-8", &b"{\"notes\": \"\xff\xfe\xfd\"}"[..]),
        ("overlong UTF-8", &b"{\"notes\": \"\xc0\xaf\"}"[..]),
        ("truncated UTF-8", &b"{\"notes\": \"\xe2\x82\"}"[..]),
        ("BOM", &b"\xef\xbb\xbf{}"[..]),
        ("lone surrogate", &br#"{"notes": "\ud800"}"#[..]),
        ("raw NUL", &b"{\"notes\": \"a\x00b\"}"[..]),
        ("raw control", &b"{\"notes\": \"a\x01\nb\"}"[..]),
        ("trailing garbage", &b"{} {}"[..]),
        ("unterminated", &b"{\"notes\": \"abc"[..]),
        ("single quotes", &b"{'notes': 'x'}"[..]),
        ("comments", &b"{/* c */}"[..]),
        ("trailing comma", &b"{\"retries\": 0,}"[..]),
    ] {
        for target in [P.to_string(), plan.clone(), "/engine/v1/retry-plan".to_string()] {
            expect(&format!("{what} to {target}"), send(&runner, "POST", &target, &[], body), &[400], "invalid_json");
        }
    }
    // Non-JSON number literals and numbers beyond every range.
    for literal in ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "0x10", "+1", "01", ".5"] {
        let body = format!("{{\"retries\": {literal}}}");
        expect(&format!("literal {literal}"), send(&runner, "POST", P, &[], body.as_bytes()), &[400], "invalid_json");
    }
    for number in ["18446744073709551616", "18446744073709551615", "-9223372036854775809", "1e308", "-1e308", "4.9e-324", "2.5", "-1", "6"] {
        let body = format!("{{\"retries\": {number}}}");
        expect(&format!("retries {number}"), send(&runner, "POST", P, &[], body.as_bytes()), &[400], "invalid_field");
        let body = format!("{{\"items\": [], \"now\": \"2026-11-23T10:00:00Z\", \"params\": {{\"recovery_slo_minutes\": {number}}}}}");
        let r = send(&runner, "POST", "/engine/v1/retry-recovery-report", &[], body.as_bytes());
        if r.status != 200 {
            expect(&format!("engine slo {number}"), r, &[400], "invalid_field");
        }
    }
    // Deep nesting: far past serde_json's recursion limit, as arrays and as objects, in the
    // body and inside a field.
    for depth in [200usize, 10_000, 100_000] {
        let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        for body in [arrays.clone(), objects.clone(), format!("{{\"acknowledgements\": {arrays}}}"), format!("{{\"notes\": {objects}}}")] {
            for target in [P.to_string(), "/engine/v1/worker-run".to_string()] {
                let r = send(&runner, "POST", &target, &[], body.as_bytes());
                expect(&format!("depth {depth} to {target}"), r, &[400, 413], if body.len() > 1024 * 1024 { "payload_too_large" } else { "invalid_json" });
            }
        }
    }
    // Duplicate keys are JSON; the answer is whatever the last one says, never a crash.
    let r = send(&runner, "POST", &plan, &[], br#"{"generated_by": "a", "generated_by": 5}"#);
    assert!(r.status == 200 || r.status == 400, "{}", r.body);
    println!("hostile bodies: {checks} refusals checked");
    still_healthy(&runner);
}

#[test]
fn fields_of_the_wrong_type_size_or_name() {
    let (_receiver, runner) = start();
    let mut checks = 0;
    let long = |n: usize| "x".repeat(n);
    let cases: Vec<(String, Value)> = vec![
        (P.into(), json!({"no_such_field": 1})),
        (P.into(), json!({"retries": "2"})),
        (P.into(), json!({"retries": [2]})),
        (P.into(), json!({"retries": {"n": 2}})),
        (P.into(), json!({"retries": true})),
        (P.into(), json!({"timeout_seconds": 0})),
        (P.into(), json!({"timeout_seconds": "10"})),
        (P.into(), json!({"acknowledgements": "x"})),
        (P.into(), json!({"acknowledgements": [1]})),
        (P.into(), json!({"acknowledgements": [{"schedule_id": "s", "provider": "webhook", "extra": 1}]})),
        (P.into(), json!({"acknowledgements": [{"schedule_id": "s", "provider": "webhook", "notes": long(2001)}]})),
        (P.into(), json!({"acknowledgements": [{"schedule_id": "s", "provider": "webhook", "external_ref": long(257)}]})),
        (P.into(), json!({"acknowledgements": [{"schedule_id": long(129), "provider": "webhook"}]})),
        (P.into(), json!({"acknowledgements": [{"schedule_id": "s", "provider": "webhook", "acknowledged_at": "2026-13-45T99:99:99Z"}]})),
        (P.into(), json!({"acknowledgements": vec![json!({"schedule_id": "s", "provider": "webhook"}); 501]})),
        (P.into(), json!({"schedule_ref": long(257)})),
        (P.into(), json!({"next_delivery_at": "yesterday"})),
        (P.into(), json!({"provider": "\u{0}\u{202e}evil"})),
        (P.into(), json!({"cadence": long(65)})),
        (format!("{P}/retry-plan"), json!({"retry_policy": "fast"})),
        (format!("{P}/retry-plan"), json!({"retry_policy": {"max_retry_attempts": 1e300}})),
        (format!("{P}/retry-plan"), json!({"retry_policy": {"max_retry_attempts": -9_223_372_036_854_775_807i64}})),
        (format!("{P}/retry-plan"), json!({"retry_policy": {"unknown": 1}})),
        (format!("{P}/worker-run"), json!({"execute": "yes"})),
        (format!("{P}/worker-run"), json!({"max_retry_deliveries": u64::MAX})),
        (format!("{P}/retry-execution-approval-plan"), json!({"ttl_minutes": -5})),
        (format!("{P}/retry-execution-approval-plan"), json!({"approval_policy": [1]})),
        (format!("{P}/connector-recovery-playbook"), json!({"min_failure_count": 0})),
        (format!("{P}/connector-recovery-playbook"), json!({"lookback_hours": 1e20})),
        (format!("{P}/recovery-escalation-plan"), json!({"recovery_slo_minutes": "240"})),
        (format!("{P}/worker-health-alerts/deliver"), json!({"force": 1})),
        (format!("{P}/recovery-executive-report/schedule-run"), json!({"schedule": {"interval_minutes": -1}})),
        (format!("{P}/recovery-executive-report/delivery-retry-plan"), json!({"retry_policy": {"backoff_multiplier": 1e308}})),
        ("/engine/v1/retry-plan".into(), json!({"items": "rows", "now": "2026-11-23T10:00:00Z"})),
        ("/engine/v1/retry-plan".into(), json!({"items": [], "now": 5})),
        ("/engine/v1/retry-plan".into(), json!({"items": [], "now": "2026-11-23T10:00:00Z", "extra": 1})),
        ("/engine/v1/no-such-function".into(), json!({"items": [], "now": "2026-11-23T10:00:00Z"})),
    ];
    let mut accepted = Vec::new();
    for (path, body) in &cases {
        let r = send(&runner, "POST", path, &[], body.to_string().as_bytes());
        let what = format!("POST {path} {}", &body.to_string()[..body.to_string().len().min(120)]);
        if r.status == 200 {
            accepted.push(what);
            continue;
        }
        refused(&what, &r, &[400, 404]);
        checks += 1;
    }
    assert!(accepted.is_empty(), "accepted:\n{}", accepted.join("\n"));
    // Rows that are not evidence rows are skipped (the engine reads rows leniently), not fatal.
    let junk = json!({"items": [[], 1, "x", null, {"metadata_kind": 7}], "now": "2026-11-23T10:00:00Z"}).to_string();
    let r = send(&runner, "POST", "/engine/v1/retry-plan", &[], junk.as_bytes());
    assert!(r.status == 200 || r.status == 400, "{} {}", r.status, r.body);
    // Query strings: out of range, not numbers, invalid percent-encoding and UTF-8.
    for query in ["limit=0", "limit=-1", "limit=1e9", "limit=abc", "limit=99999999999999999999", "offset=-1", "limit=%ff%fe", "limit=%", "provider=%00"] {
        let r = send(&runner, "GET", &format!("{P}/worker-runs?{query}"), &[], b"");
        assert!(r.status == 200 || r.status == 400, "?{query}: {} {}", r.status, r.body);
        if r.status == 400 {
            refused(&format!("?{query}"), &r, &[400]);
        }
        checks += 1;
    }
    for query in ["recovery_slo_minutes=0", "recovery_slo_minutes=NaN", "recovery_slo_minutes=1e400", "recovery_slo_minutes=-5", "recovery_slo_minutes=%ff"] {
        let r = send(&runner, "GET", &format!("{P}/retry-recovery-report?{query}"), &[], b"");
        refused(&format!("report ?{query}"), &r, &[400]);
        checks += 1;
    }
    println!("hostile fields: {checks} refusals checked");
    still_healthy(&runner);
}

#[test]
fn odd_paths_methods_and_headers() {
    let (_receiver, runner) = start();
    let mut checks = 0;
    let id_routes = [
        "retry-plans/{id}/acknowledgements",
        "retry-execution-approval-plans/{id}/decisions",
        "connector-recovery-playbooks/{id}/closures",
        "worker-health-alerts/{id}/acknowledgements",
        "recovery-escalations/{id}/deliver",
        "recovery-escalations/{id}/acknowledgements",
        "recovery-escalations/retry-health-alerts/{id}/acknowledgements",
        "recovery-executive-report/schedule-runs/{id}/deliver",
    ];
    let long_id = "a".repeat(129);
    let very_long_id = "b".repeat(20_000);
    let ids: Vec<&str> = vec![
        "..", ".", "%2e%2e", "%2E%2E%2F", "..%2f..%2fetc%2fpasswd", "%00", "%ff%fe", "%C3%A9t%C3%A9", "a%20b", "a+b", "%",
        "a%2Fb", "~root", "$(id)", "'%20OR%201=1--", "%3Cscript%3E", &long_id, &very_long_id, "nope", "0", "-", "a:b",
    ];
    let body = json!({"provider": "webhook", "delivery_id": "d", "audit_id": "a", "verification_refs": ["JIRA-1"]}).to_string();
    for route in id_routes {
        for id in &ids {
            let path = format!("{P}/{}", route.replace("{id}", id));
            let r = send(&runner, "POST", &path, &[], body.as_bytes());
            let code = refused(&format!("POST {}", &path[..path.len().min(160)]), &r, &[400, 404, 409, 414, 431]);
            assert!(["invalid_id", "not_found", "conflict", "unknown_provider", "invalid_field", "missing_field"].contains(&code.as_str()), "{path}: {code}");
            checks += 1;
        }
        // Traversal as real path segments.
        for traversal in ["../../etc/passwd", "x/../../../engine/v1/retry-plan", "x/./y", "x//y"] {
            let path = format!("{P}/{}", route.replace("{id}", traversal));
            let r = send(&runner, "POST", &path, &[], body.as_bytes());
            refused(&format!("POST {path}"), &r, &[400, 404]);
            checks += 1;
        }
    }
    // Raw bytes that are not UTF-8 or not allowed in a request target: refused at the HTTP
    // layer (400, no JSON needed) or by the routes, never a crash.
    let auth = format!("Bearer {}", runner.token("admin"));
    for target in [&b"/runtime/\xff\xfe"[..], "/runtime/é".as_bytes(), &b"/runtime/a b"[..], &b"/runtime/a\x01b"[..]] {
        let r = raw(&runner, "GET", target, &[("authorization", auth.as_bytes())], b"");
        assert!((400..500).contains(&r.status), "{:?}: {} {}", String::from_utf8_lossy(target), r.status, r.body);
        checks += 1;
    }
    // Unknown routes, wrong methods, long paths.
    for (method, path, statuses) in [
        ("GET", format!("{P}/retry-plan"), &[404, 405][..]),
        ("PUT", format!("{P}/retry-plan"), &[404, 405][..]),
        ("DELETE", format!("{P}/evidence"), &[404, 405][..]),
        ("PATCH", P.to_string(), &[404, 405][..]),
        ("OPTIONS", P.to_string(), &[404, 405][..]),
        ("GET", "/engine/v1/retry-plan".to_string(), &[405][..]),
        ("GET", format!("{P}/{}", "x/".repeat(5000)), &[404, 414][..]),
        ("GET", format!("{P}/evidence/export/extra"), &[404][..]),
        ("POST", format!("{P}/evidence"), &[404][..]),
    ] {
        let r = send(&runner, method, &path, &[], b"");
        refused(&format!("{method} {}", &path[..path.len().min(120)]), &r, statuses);
        checks += 1;
    }
    // Odd headers: a garbage test clock, idempotency keys out of bounds, absurd tokens.
    let plan = format!("{P}/retry-plan");
    for (name, value, status) in [
        ("x-cavra-now", &b"not-a-time"[..], 400),
        ("x-cavra-now", &b"99999-01-01T00:00:00Z"[..], 400),
        ("x-cavra-now", &b"2026-11-23T10:00:00+99:00"[..], 400),
        ("idempotency-key", "k".repeat(129).as_bytes(), 400),
        ("idempotency-key", &b"with space"[..], 400),
        ("idempotency-key", &b"\xff\xfe"[..], 400),
    ] {
        // Replace the default clock header rather than sending two.
        let auth = format!("Bearer {}", runner.token("admin"));
        let mut headers: Vec<(&str, &[u8])> = vec![("authorization", auth.as_bytes()), ("content-type", b"application/json")];
        if name != "x-cavra-now" {
            headers.push(("x-cavra-now", b"2026-11-23T10:00:00Z"));
        }
        headers.push((name, value));
        let r = raw(&runner, "POST", plan.as_bytes(), &headers, b"{}");
        refused(&format!("{name}: {:?}", String::from_utf8_lossy(&value[..value.len().min(40)])), &r, &[status]);
        checks += 1;
    }
    for token in ["Bearer ".to_string() + &"t".repeat(6000), "Bearer".into(), "Basic YWRtaW46YWRtaW4=".into(), format!("Bearer {}x", runner.token("admin"))] {
        let r = raw(&runner, "GET", format!("{P}/dashboard").as_bytes(), &[("authorization", token.as_bytes())], b"");
        refused("odd authorization", &r, &[401, 431]);
        checks += 1;
    }
    let r = raw(&runner, "GET", format!("{P}/dashboard").as_bytes(), &[("authorization", b"Bearer \xff\xfe")], b"");
    assert!(r.status == 401 || r.status == 400, "{} {}", r.status, r.body);
    println!("hostile paths, methods and headers: {checks} refusals checked");
    still_healthy(&runner);
}
