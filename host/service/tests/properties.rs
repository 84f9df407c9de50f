//! Property test of the whole HTTP API over the in-memory platform: after a realistic preamble
//! (failed deliveries, plans, acknowledgements, approvals, playbook, escalation, alerts), random
//! sequences of requests — real routes with real and odd ids, mutated real bodies, arbitrary
//! JSON and bytes, odd headers — never panic and never answer 5xx; every refusal is a JSON
//! `{"error": {code, message}}`.
//!
//! Budget: `PROPTEST_CASES` sequences (default 256) of up to 12 requests each.

use cavra_service::api::PREFIX;
use cavra_service::http::{Method, Request};
use cavra_service::memory::MemoryPlatform;
use cavra_service::platform::OutboundError;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Map, Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
}

fn platform() -> MemoryPlatform {
    let p = MemoryPlatform::new(&[
        ("providers", "webhook,jira"),
        ("provider_webhook_url", "http://127.0.0.1:9/hook"),
        ("provider_jira_url", "http://127.0.0.1:9/jira"),
        ("test_clock", "true"),
        ("auth_mode", "off"),
    ]);
    p.responses.borrow_mut().push(Ok(503));
    p
}

fn request(method: Method, path: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> Request {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    Request { method, path: path.into(), query: Request::parse_query(query), headers, body }
}

fn json_headers(now: &str) -> Vec<(String, String)> {
    vec![("content-type".into(), "application/json".into()), ("x-cavra-now".into(), now.into())]
}

/// What the preamble left behind: ids and decision-shaped objects to aim requests at.
#[derive(Default, Clone, Debug)]
struct Harvest {
    ids: Vec<String>,
    decisions: Vec<Value>,
}

fn harvest(v: &Value, into: &mut Harvest) {
    match v {
        Value::String(s) if s.starts_with("gord") && s.len() <= 64 => into.ids.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| harvest(i, into)),
        Value::Object(map) => {
            if map.contains_key("delivery_id") && map.contains_key("audit_id") && map.contains_key("provider") {
                let keep = ["provider", "delivery_id", "audit_id", "retry_plan_id"];
                into.decisions.push(Value::Object(map.iter().filter(|(k, _)| keep.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()));
            }
            map.values().for_each(|i| harvest(i, into));
        }
        _ => {}
    }
}

/// Builds realistic state on `p` and returns what it produced.
fn preamble(p: &MemoryPlatform) -> Harvest {
    let mut h = Harvest::default();
    let mut post = |path: &str, body: Value, now: &str| {
        let r = cavra_service::handle(p, &request(Method::Post, &format!("{PREFIX}{path}"), json_headers(now), body.to_string().into_bytes()));
        let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        harvest(&v, &mut h);
        v
    };
    for i in 0..3 {
        post("", json!({"retries": 0, "acknowledgements": [{"schedule_id": format!("s{i}"), "provider": "webhook", "notes": "n"}]}), "2026-11-23T10:00:00Z");
    }
    let plan = post("/retry-plan", json!({"generated_by": "ops", "retry_policy": {"allow_immediate_retry": true}}), "2026-11-23T10:01:00Z");
    let plan_id = plan["plan"]["retry_plan_id"].as_str().unwrap_or_default().to_string();
    for d in plan["plan"]["retry_decisions"].as_array().cloned().unwrap_or_default() {
        post(&format!("/retry-plans/{plan_id}/acknowledgements"),
            json!({"provider": d["provider"], "delivery_id": d["delivery_id"], "audit_id": d["audit_id"], "acknowledged_by": "ops"}), "2026-11-23T10:01:00Z");
    }
    let approval = post("/retry-execution-approval-plan", json!({"generated_by": "ops"}), "2026-11-23T10:02:00Z");
    let approval_id = approval["plan"]["approval_plan_id"].as_str().unwrap_or_default().to_string();
    if let Some(d) = approval["plan"]["approval_decisions"].get(0) {
        post(&format!("/retry-execution-approval-plans/{approval_id}/decisions"),
            json!({"provider": d["provider"], "delivery_id": d["delivery_id"], "audit_id": d["audit_id"], "decided_by": "approver"}), "2026-11-23T10:02:00Z");
    }
    post("/worker-run", json!({"execute": true, "retries": 0, "retry_policy": {"allow_immediate_retry": true}}), "2026-11-23T10:03:00Z");
    post("/connector-recovery-playbook", json!({"min_failure_count": 1}), "2026-11-23T10:04:00Z");
    post("/recovery-escalation-plan", json!({"recovery_slo_minutes": 1}), "2026-11-23T10:05:00Z");
    post("/worker-health-alerts/deliver", json!({"retries": 0}), "2026-11-23T10:06:00Z");
    post("/recovery-escalations/retry-health-alerts/deliver", json!({"retries": 0}), "2026-11-23T10:06:00Z");
    post("/recovery-executive-report/schedule-run", json!({}), "2026-11-23T10:07:00Z");
    h.ids.sort();
    h.ids.dedup();
    assert!(h.ids.len() >= 5 && !h.decisions.is_empty(), "the preamble built nothing: {h:?}");
    h
}

const POST_ROUTES: &[&str] = &[
    "", "/retry-plan", "/retry-plans/{id}/acknowledgements", "/worker-run", "/retry-execution-approval-plan",
    "/retry-execution-approval-plans/{id}/decisions", "/connector-recovery-playbook", "/connector-recovery-playbooks/{id}/closures",
    "/worker-health-alerts/deliver", "/worker-health-alerts/{id}/acknowledgements", "/recovery-escalation-plan",
    "/recovery-escalations/retry-plan", "/recovery-escalations/retry-worker-run", "/recovery-escalations/retry-health-alerts/deliver",
    "/recovery-escalations/retry-health-alerts/{id}/acknowledgements", "/recovery-escalations/{id}/deliver",
    "/recovery-escalations/{id}/acknowledgements", "/recovery-executive-report/schedule-run",
    "/recovery-executive-report/schedule-runs/{id}/deliver", "/recovery-executive-report/delivery-retry-plan",
    "/recovery-executive-report/delivery-retry-worker-run",
];

const GET_ROUTES: &[&str] = &[
    "/worker-runs", "/worker-dashboard", "/providers", "/whoami", "/dashboard", "/retry-recovery-report", "/worker-health",
    "/worker-health-alerts", "/worker-health-alert-dashboard", "/recovery-escalations/retry-health",
    "/recovery-escalations/retry-health-alerts", "/recovery-escalations/retry-health-alert-dashboard", "/recovery-executive-report",
    "/evidence", "/evidence/verify", "/evidence/export", "/retry-plans", "/retry-acknowledgements", "/retry-execution-approval-plans",
    "/retry-execution-approval-decisions", "/retry-execution-records", "/connector-recovery-playbooks", "/connector-recovery-closures",
];

const KEYS: &[&str] = &[
    "provider", "delivery_id", "audit_id", "retry_plan_id", "plan_id", "retries", "timeout_seconds", "execute", "dry_run", "force",
    "notes", "external_ref", "verification_refs", "closure_state", "approval_state", "acknowledgement_state", "escalation_reason",
    "retry_policy", "approval_policy", "ttl_minutes", "min_failure_count", "lookback_hours", "recovery_slo_minutes", "schedule",
    "acknowledgements", "schedule_id", "schedule_ref", "delivery_provider", "generated_by", "acknowledged_by", "decided_by",
    "closed_by", "max_retry_deliveries", "limit", "cadence", "next_delivery_at",
];

const ODD_IDS: &[&str] = &["..", ".", "%2e%2e", "", "a/b", "é", "\u{0}", "gordackretry-0000000000000000", "latest", "-1"];

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        (0i64..40).prop_map(|n| json!(n)),
        any::<String>().prop_map(Value::String),
        prop::sample::select(&["webhook", "jira", "all", "accepted", "approved", "rejected", "resolved", "mitigated", "deferred", "2026-11-23T10:00:00Z", ""][..])
            .prop_map(|s| json!(s)),
        (1usize..3000).prop_map(|n| Value::String("y".repeat(n))),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS).prop_map(str::to_string), inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// One request, resolved against the harvest when it runs.
#[derive(Debug, Clone)]
struct Step {
    get: bool,
    route: Index,
    id: Option<Index>,
    odd_id: Option<Index>,
    query: Option<(Index, Value)>,
    body: Body,
    now: Option<String>,
    idempotency: Option<String>,
    content_type: Option<String>,
}

#[derive(Debug, Clone)]
enum Body {
    /// A decision-shaped object from the preamble with some fields set to anything.
    Decision(Index, Vec<(Index, Value)>),
    Object(Vec<(Index, Value)>),
    Json(Value),
    Bytes(Vec<u8>),
}

fn step() -> impl Strategy<Value = Step> {
    let fields = || prop::collection::vec((any::<Index>(), arb_json()), 0..5);
    let body = prop_oneof![
        4 => (any::<Index>(), fields()).prop_map(|(i, f)| Body::Decision(i, f)),
        3 => fields().prop_map(Body::Object),
        1 => arb_json().prop_map(Body::Json),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(Body::Bytes),
    ];
    let now = prop_oneof![
        4 => Just(None),
        2 => Just(Some("2026-11-23T11:00:00Z".to_string())),
        1 => Just(Some("2026-11-24T10:00:00+02:00".to_string())),
        1 => any::<String>().prop_map(Some),
    ];
    (
        prop::bool::weighted(0.3),
        any::<Index>(),
        prop::option::weighted(0.8, any::<Index>()),
        prop::option::weighted(0.2, any::<Index>()),
        prop::option::weighted(0.2, (any::<Index>(), arb_json())),
        body,
        now,
        prop::option::weighted(0.1, "[ -~]{0,140}"),
        prop::option::weighted(0.05, prop::sample::select(&["text/plain", "application/problem+json", ""][..]).prop_map(str::to_string)),
    )
        .prop_map(|(get, route, id, odd_id, query, body, now, idempotency, content_type)| Step {
            get, route, id, odd_id, query, body, now, idempotency, content_type,
        })
}

fn run_step(p: &MemoryPlatform, h: &Harvest, s: &Step) -> Result<u16, TestCaseError> {
    let routes = if s.get { GET_ROUTES } else { POST_ROUTES };
    let route = routes[s.route.index(routes.len())];
    let id = match (s.odd_id, s.id) {
        (Some(i), _) => ODD_IDS[i.index(ODD_IDS.len())].to_string(),
        (None, Some(i)) => h.ids[i.index(h.ids.len())].clone(),
        (None, None) => "nope".into(),
    };
    let mut path = format!("{PREFIX}{}", route.replace("{id}", &id));
    if let Some((k, v)) = &s.query {
        let value = v.as_str().map_or_else(|| v.to_string(), str::to_string);
        path.push_str(&format!("?{}={}", KEYS[k.index(KEYS.len())], value.replace(['&', '#', '?'], "")));
    }
    let set = |obj: &mut Map<String, Value>, fields: &[(Index, Value)]| {
        for (k, v) in fields {
            obj.insert(KEYS[k.index(KEYS.len())].to_string(), v.clone());
        }
    };
    let body = match &s.body {
        Body::Decision(i, fields) => {
            let mut obj = h.decisions[i.index(h.decisions.len())].as_object().cloned().unwrap_or_default();
            set(&mut obj, fields);
            Value::Object(obj).to_string().into_bytes()
        }
        Body::Object(fields) => {
            let mut obj = Map::new();
            set(&mut obj, fields);
            Value::Object(obj).to_string().into_bytes()
        }
        Body::Json(v) => v.to_string().into_bytes(),
        Body::Bytes(b) => b.clone(),
    };
    let mut headers = vec![
        ("content-type".to_string(), s.content_type.clone().unwrap_or_else(|| "application/json".into())),
        ("x-cavra-now".to_string(), s.now.clone().unwrap_or_else(|| "2026-11-23T10:30:00Z".into())),
    ];
    if let Some(key) = &s.idempotency {
        headers.push(("idempotency-key".into(), key.clone()));
    }
    let method = if s.get { Method::Get } else { Method::Post };
    let response = cavra_service::handle(p, &request(method, &path, headers, if s.get { Vec::new() } else { body }));
    let text = String::from_utf8_lossy(&response.body);
    prop_assert!(response.status < 500, "{} {path}: {} {text}", if s.get { "GET" } else { "POST" }, response.status);
    if response.status >= 400 {
        let v: Value = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(format!("{path}: error body is not JSON ({e}): {text}")))?;
        prop_assert!(
            v["error"]["code"].as_str().is_some_and(|c| !c.is_empty()) && v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{path}: {text}"
        );
    } else if route != "/evidence/export" {
        prop_assert!(serde_json::from_str::<Value>(&text).is_ok(), "{path}: answer is not JSON: {text}");
    }
    Ok(response.status)
}

#[test]
fn random_request_sequences_never_fail_the_server() {
    let template = platform();
    let harvest = preamble(&template);
    let requests = AtomicUsize::new(0);
    let statuses = std::sync::Mutex::new(std::collections::BTreeMap::<u16, usize>::new());
    let mut runner = TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() });
    let result = runner.run(&prop::collection::vec(step(), 1..12), |steps| {
        // Each sequence starts from the same preamble state (replayed: the platform is not Clone).
        let p = platform();
        preamble(&p);
        *p.responses.borrow_mut() = vec![Ok(503), Ok(200), Err(OutboundError::Other)];
        for s in &steps {
            requests.fetch_add(1, Ordering::Relaxed);
            let status = run_step(&p, &harvest, s)?;
            *statuses.lock().map_err(|_| TestCaseError::fail("poisoned"))?.entry(status).or_default() += 1;
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let statuses = statuses.into_inner().unwrap_or_default();
    println!("service properties: {} sequences, {} requests, 0 panics, 0 server errors; statuses {statuses:?}", cases(), requests.load(Ordering::Relaxed));
    assert!(statuses.get(&200).is_some_and(|n| *n > 0), "no request was accepted: the generator only probes refusals");
}
