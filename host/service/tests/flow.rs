//! The service over the in-memory platform: routing, validation and the audit retry flow.

use cavra_service::api::PREFIX;
use cavra_service::http::{Method, Request};
use cavra_service::memory::MemoryPlatform;
use cavra_service::platform::OutboundError;
use serde_json::{Value, json};

fn platform() -> MemoryPlatform {
    MemoryPlatform::new(&[
        ("providers", "webhook,Splunk"),
        ("provider_webhook_url", "http://127.0.0.1:9/hook?token=s3cr3t-url-token"),
        ("provider_webhook_token", "s3cr3t-bearer"),
        ("provider_splunk_url", "http://127.0.0.1:9/splunk"),
        ("test_clock", "true"),
        ("auth_mode", "off"),
    ])
}

fn call(p: &MemoryPlatform, method: Method, path: &str, body: Option<Value>, now: &str) -> (u16, Value) {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let request = Request {
        method,
        path: path.into(),
        query: Request::parse_query(query),
        headers: vec![("content-type".into(), "application/json".into()), ("x-cavra-now".into(), now.into())],
        body: body.map(|b| serde_json::to_vec(&b).expect("json")).unwrap_or_default(),
    };
    let response = cavra_service::handle(p, &request);
    let text = String::from_utf8(response.body).expect("utf8");
    assert!(!text.contains("s3cr3t"), "a secret leaked into {path}: {text}");
    (response.status, serde_json::from_str(&text).expect("json body"))
}

#[test]
fn failed_delivery_becomes_a_retry_and_a_dry_run() {
    let p = platform();
    p.responses.borrow_mut().push(Ok(503));
    let (status, v) = call(&p, Method::Post, PREFIX, Some(json!({"provider": "webhook", "retries": 1, "generated_by": "ops"})), "2026-11-23T10:00:00Z");
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["success"], json!(false));
    assert_eq!(v["metadata"]["failed_providers"], json!(["webhook"]));
    assert_eq!(v["delivery"]["deliveries"][0]["attempt_count"], json!(2));
    assert_eq!(p.sent.borrow().len(), 2);
    assert_eq!(v["actor"]["actor"], json!("ops"));

    let path = format!("{PREFIX}/retry-plan");
    let (status, v) = call(&p, Method::Post, &path, Some(json!({})), "2026-11-23T10:20:00Z");
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["plan"]["retryable_count"], json!(1));
    assert_eq!(v["metadata"]["metadata_kind"], json!("go-backend-rollback-drill-acknowledgement-audit-delivery-retry-plan"));

    let path = format!("{PREFIX}/worker-run");
    let (status, v) = call(&p, Method::Post, &path, Some(json!({"schedule": {"interval_minutes": 30}})), "2026-11-23T10:21:00Z");
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["run"]["dry_run"], json!(true));
    assert_eq!(v["retry_results"][0]["skipped"], json!("dry_run"));
    assert_eq!(p.sent.borrow().len(), 2, "a dry run sends nothing");

    let (_, v) = call(&p, Method::Get, &format!("{PREFIX}/worker-dashboard"), None, "2026-11-23T10:22:00Z");
    assert_eq!((v["run_count"].clone(), v["dry_run_count"].clone(), v["retryable_count"].clone()), (json!(1), json!(1), json!(1)));
    let (_, v) = call(&p, Method::Get, &format!("{PREFIX}/worker-runs?dry_run=false"), None, "2026-11-23T10:22:00Z");
    assert_eq!(v["total"], json!(0));
    let (_, v) = call(&p, Method::Get, &format!("{PREFIX}/dashboard"), None, "2026-11-23T10:22:00Z");
    assert_eq!(v["counts"]["audit_delivery_failed_count"], json!(1));
    assert_eq!(v["counts"]["worker_dry_run_count"], json!(1));
}

#[test]
fn timeouts_are_transient_failures() {
    let p = platform();
    p.responses.borrow_mut().push(Err(OutboundError::Timeout));
    let (_, v) = call(&p, Method::Post, PREFIX, Some(json!({"provider": "splunk", "retries": 0})), "2026-11-23T10:00:00Z");
    assert_eq!(v["metadata"]["status_codes"], json!([null]));
    assert_eq!(v["metadata"]["error_classes"], json!({"splunk": "transient"}));
    assert_eq!(v["delivery"]["deliveries"][0]["error"], json!("timeout"));
}

#[test]
fn bad_input_gets_clear_errors_and_writes_nothing() {
    let p = platform();
    let cases = [
        (json!({"provider": "jira"}), 400, "unknown_provider"),
        (json!({"generated_by": "bad actor!"}), 400, "invalid_actor"),
        (json!({"retries": "2"}), 400, "invalid_field"),
        (json!({"surprise": true}), 400, "invalid_field"),
        (json!({"acknowledgements": [{"provider": "webhook"}]}), 400, "missing_field"),
    ];
    for (body, status, code) in cases {
        let (s, v) = call(&p, Method::Post, PREFIX, Some(body.clone()), "2026-11-23T10:00:00Z");
        assert_eq!((s, v["error"]["code"].as_str()), (status, Some(code)), "{body} -> {v}");
    }
    let (_, v) = call(&p, Method::Get, &format!("{PREFIX}/dashboard"), None, "2026-11-23T10:00:00Z");
    assert_eq!(v["counts"]["evidence_record_count"], json!(0));
    let (s, v) = call(&p, Method::Post, &format!("{PREFIX}/retry-plans/..%2F/acknowledgements"), Some(json!({})), "2026-11-23T10:00:00Z");
    assert_eq!((s, v["error"]["code"].as_str()), (400, Some("invalid_id")));
    let (s, v) = call(&p, Method::Post, &format!("{PREFIX}/retry-plans/nope/acknowledgements"), Some(json!({"provider": "webhook", "acknowledged_by": "ops"})), "2026-11-23T10:00:00Z");
    assert_eq!((s, v["error"]["code"].as_str()), (404, Some("not_found")));
}
