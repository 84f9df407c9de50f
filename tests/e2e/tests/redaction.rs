//! SPEC §11 through the real runner: every shape of the secrets corpus is planted in every
//! free-text field of every route that takes one (and returned by the connector as its error
//! page); afterwards no needle may appear in any HTTP answer, any value in the store, the
//! evidence export, the runner's log or any body sent to the connector.

use cavra_e2e::{Behavior, P, Receiver, Reply, Runner, RunnerOptions};
use serde_json::{Value, json};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

struct Shape {
    category: String,
    needle: String,
    text: String,
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn corpus() -> Vec<Shape> {
    let text = std::fs::read_to_string(cavra_e2e::workspace_root().join("tests/redaction/corpus.txt")).expect("corpus");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut p = l.splitn(3, '\t');
            Some(Shape { category: p.next()?.into(), needle: unescape(p.next()?), text: unescape(p.next()?) })
        })
        .collect()
}

/// Sends requests at a test clock that moves one second per request (records stay distinct
/// and ordered), and keeps every answer for the final scan.
struct Session<'a> {
    runner: &'a Runner,
    second: Cell<u32>,
    answers: RefCell<Vec<String>>,
    /// field name → shapes accepted (200) in it.
    planted: RefCell<BTreeMap<String, usize>>,
}

impl Session<'_> {
    fn now(&self) -> String {
        let s = self.second.get();
        self.second.set(s + 1);
        // 2026-11-23T10:00:00Z plus `s` seconds (stays within the day for < 50 400 requests).
        format!("2026-11-23T{:02}:{:02}:{:02}Z", 10 + s / 3600, (s / 60) % 60, s % 60)
    }

    fn send(&self, role: &str, method: &str, path: &str, body: Option<&Value>) -> Reply {
        let reply = self.runner.as_role(role, method, path, body, Some(&self.now()));
        assert!(reply.status < 500, "{method} {path}: {}", reply.text);
        self.answers.borrow_mut().push(reply.text.clone());
        reply
    }

    fn ok(&self, role: &str, path: &str, body: &Value) -> Value {
        let reply = self.send(role, "POST", path, Some(body));
        assert_eq!(reply.status, 200, "POST {path}: {}", reply.text);
        reply.json
    }

    /// POSTs `body` and, when accepted, counts the shape as planted in each of `fields`.
    fn plant(&self, role: &str, path: &str, body: &Value, fields: &[&str]) -> Reply {
        let reply = self.send(role, "POST", path, Some(body));
        if reply.status == 200 {
            for f in fields {
                *self.planted.borrow_mut().entry((*f).to_string()).or_default() += 1;
            }
        }
        reply
    }
}

/// `text` where a field allows `max` characters, else a harmless reference.
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max { text.to_string() } else { "JIRA-123".into() }
}

#[test]
fn the_secrets_corpus_never_leaks() {
    let shapes = corpus();
    assert!(shapes.len() >= 100);
    let receiver = Receiver::start();
    // The connector answers every delivery with an error page full of the corpus.
    let error_page: String = serde_json::to_string(&shapes.iter().map(|s| s.text.as_str()).collect::<Vec<_>>()).unwrap_or_default();
    let error_page: &'static str = Box::leak(error_page.into_boxed_str());
    receiver.always(Behavior::Respond(503, error_page));
    let runner = Runner::with_providers(&receiver, &["webhook", "jira"], RunnerOptions { test_clock: true, ..Default::default() });
    let s = Session { runner: &runner, second: Cell::new(0), answers: RefCell::new(Vec::new()), planted: RefCell::new(BTreeMap::new()) };

    // 1. Ack-audit delivery: one route per shape (route notes and external_ref), then one
    //    delivery per shape carrying it in schedule_ref. Every delivery fails (503).
    let routes: Vec<Value> = shapes
        .iter()
        .enumerate()
        .map(|(i, sh)| json!({"schedule_id": format!("drill-{i}"), "provider": "webhook", "acknowledgement_state": "acknowledged",
                               "notes": fit(&sh.text, 2000), "external_ref": fit(&sh.text, 256)}))
        .collect();
    let r = s.plant("operator", P, &json!({"retries": 0, "acknowledgements": routes}), &[]);
    assert_eq!(r.status, 200, "{}", r.text);
    *s.planted.borrow_mut().entry("audit route notes".into()).or_default() += shapes.iter().filter(|x| x.text.chars().count() <= 2000).count();
    *s.planted.borrow_mut().entry("audit route external_ref".into()).or_default() += shapes.iter().filter(|x| x.text.chars().count() <= 256).count();
    for sh in &shapes {
        s.plant("operator", P, &json!({"retries": 0, "schedule_ref": sh.text, "delivery_provider": "all"}), &["schedule_ref"]);
    }
    // Labels and ids of routes are echoed into the package: a shape pasted there is masked too.
    let labelled: Vec<Value> = shapes
        .iter()
        .map(|sh| {
            let id = fit(&sh.text, 128);
            json!({"schedule_id": id, "provider": "webhook", "owner": id, "escalation_owner": id, "route_id": id, "plan_id": id,
                   "acknowledgement_id": id, "acknowledged_by": fit(&sh.text, 64), "acknowledgement_state": "acknowledged"})
        })
        .collect();
    let r = s.plant("operator", P, &json!({"retries": 0, "cadence": "weekly", "acknowledgements": labelled}), &[]);
    assert_eq!(r.status, 200, "{}", r.text);
    for (field, max) in [("schedule_id", 128), ("owner", 128), ("escalation_owner", 128), ("route_id", 128), ("plan_id", 128), ("acknowledgement_id", 128), ("acknowledged_by", 64)] {
        *s.planted.borrow_mut().entry(format!("audit route {field}")).or_default() += shapes.iter().filter(|x| x.text.chars().count() <= max).count();
    }

    // 2. Retry plan; one acknowledgement per shape, each on its own decision.
    let plan = s.ok("operator", &format!("{P}/retry-plan"), &json!({"retry_policy": {"allow_immediate_retry": true}}));
    let retry_plan_id = plan["plan"]["retry_plan_id"].as_str().unwrap_or_default().to_string();
    let decisions = plan["plan"]["retry_decisions"].as_array().cloned().unwrap_or_default();
    assert!(decisions.len() >= shapes.len(), "{} decisions", decisions.len());
    for (sh, d) in shapes.iter().zip(&decisions) {
        let body = json!({"provider": d["provider"], "delivery_id": d["delivery_id"], "audit_id": d["audit_id"],
                          "acknowledgement_state": "accepted", "notes": sh.text, "external_ref": sh.text});
        let r = s.plant("operator", &format!("{P}/retry-plans/{retry_plan_id}/acknowledgements"), &body, &["retry ack notes", "retry ack external_ref"]);
        if r.status != 200 {
            // external_ref is limited to 256 characters: plant the notes alone.
            let body = json!({"provider": d["provider"], "delivery_id": d["delivery_id"], "audit_id": d["audit_id"],
                              "acknowledgement_state": "accepted", "notes": sh.text, "external_ref": fit(&sh.text, 256)});
            let r = s.plant("operator", &format!("{P}/retry-plans/{retry_plan_id}/acknowledgements"), &body, &["retry ack notes"]);
            assert_eq!(r.status, 200, "{}", r.text);
        }
    }

    // 3. Approval plan over the acknowledged decisions; the approver decides each with a shape.
    let approval = s.ok("operator", &format!("{P}/retry-execution-approval-plan"), &json!({"approval_policy": {"require_retry_ack": true}}));
    let approval_id = approval["plan"]["approval_plan_id"].as_str().unwrap_or_default().to_string();
    let candidates = approval["plan"]["approval_decisions"].as_array().cloned().unwrap_or_default();
    assert!(candidates.len() >= shapes.len(), "{} approval decisions", candidates.len());
    for (sh, d) in shapes.iter().zip(&candidates) {
        let body = json!({"provider": d["provider"], "delivery_id": d["delivery_id"], "audit_id": d["audit_id"],
                          "retry_plan_id": d["retry_plan_id"], "approval_state": "approved",
                          "notes": fit(&sh.text, 2000), "external_ref": fit(&sh.text, 256)});
        let r = s.plant("approver", &format!("{P}/retry-execution-approval-plans/{approval_id}/decisions"), &body, &["approval decision notes"]);
        assert_eq!(r.status, 200, "{}", r.text);
        if sh.text.chars().count() <= 256 {
            *s.planted.borrow_mut().entry("approval decision external_ref".into()).or_default() += 1;
        }
    }

    // 4. A live run retries them all against the failing connector; a playbook follows.
    s.ok("admin", &format!("{P}/worker-run"), &json!({"execute": true, "retries": 0, "max_retry_deliveries": 25, "retry_policy": {"allow_immediate_retry": true}}));
    let playbook = s.ok("operator", &format!("{P}/connector-recovery-playbook"), &json!({"min_failure_count": 1}));
    let playbook_id = playbook["playbook"]["playbook_id"].as_str().unwrap_or_default().to_string();
    let provider = playbook["playbook"]["provider_playbooks"][0]["provider"].clone();
    assert!(provider.is_string(), "{playbook}");

    // 5. Closures: notes, external_ref and verification_refs.
    for sh in &shapes {
        let body = json!({"provider": provider, "closure_state": "mitigated", "notes": fit(&sh.text, 2000),
                          "external_ref": fit(&sh.text, 256), "verification_refs": ["JIRA-123", fit(&sh.text, 256)]});
        let r = s.plant("operator", &format!("{P}/connector-recovery-playbooks/{playbook_id}/closures"), &body, &["closure notes"]);
        assert_eq!(r.status, 200, "{}", r.text);
        if sh.text.chars().count() <= 256 {
            *s.planted.borrow_mut().entry("closure external_ref".into()).or_default() += 1;
            *s.planted.borrow_mut().entry("closure verification_refs".into()).or_default() += 1;
        }
    }

    // A control: plain text in the same field is stored and shown as is, so the scan below
    // does reach the planted fields.
    let control = json!({"provider": provider, "closure_state": "deferred", "notes": "control OPS-4242 kept", "verification_refs": ["JIRA-4242"]});
    assert_eq!(s.plant("operator", &format!("{P}/connector-recovery-playbooks/{playbook_id}/closures"), &control, &[]).status, 200);

    // 6. Recovery escalation acknowledgements: notes, external_ref, escalation_reason.
    let escalation = s.ok("operator", &format!("{P}/recovery-escalation-plan"), &json!({"recovery_slo_minutes": 1}));
    let escalation_id = escalation["plan"]["plan_id"].as_str().unwrap_or_default().to_string();
    for sh in &shapes {
        let body = json!({"provider": "webhook", "acknowledgement_state": "accepted", "notes": fit(&sh.text, 2000),
                          "external_ref": fit(&sh.text, 256), "escalation_reason": fit(&sh.text, 500)});
        let r = s.plant("operator", &format!("{P}/recovery-escalations/{escalation_id}/acknowledgements"), &body, &["escalation ack notes"]);
        assert_eq!(r.status, 200, "{}", r.text);
        if sh.text.chars().count() <= 500 {
            *s.planted.borrow_mut().entry("escalation ack escalation_reason".into()).or_default() += 1;
        }
        if sh.text.chars().count() <= 256 {
            *s.planted.borrow_mut().entry("escalation ack external_ref".into()).or_default() += 1;
        }
    }
    s.ok("operator", &format!("{P}/recovery-escalations/{escalation_id}/deliver"), &json!({"retries": 0}));

    // 7. Worker-health and retry-health alert acknowledgements.
    for (deliver, acks, field) in [
        (format!("{P}/worker-health-alerts/deliver"), "worker-health-alerts", "worker-health alert ack"),
        (format!("{P}/recovery-escalations/retry-health-alerts/deliver"), "recovery-escalations/retry-health-alerts", "retry-health alert ack"),
    ] {
        let alert = s.ok("operator", &deliver, &json!({"retries": 0, "force": true}));
        let health_id = alert["plan"]["health_id"].as_str().unwrap_or_default().to_string();
        assert!(!health_id.is_empty(), "{alert}");
        for sh in &shapes {
            let body = json!({"provider": "webhook", "notes": fit(&sh.text, 2000), "external_ref": fit(&sh.text, 256)});
            let r = s.plant("operator", &format!("{P}/{acks}/{health_id}/acknowledgements"), &body, &[]);
            assert_eq!(r.status, 200, "{}", r.text);
            *s.planted.borrow_mut().entry(format!("{field} notes")).or_default() += 1;
            if sh.text.chars().count() <= 256 {
                *s.planted.borrow_mut().entry(format!("{field} external_ref")).or_default() += 1;
            }
        }
    }

    // 8. Executive report delivery (public-safe event to the failing connector).
    let run = s.ok("operator", &format!("{P}/recovery-executive-report/schedule-run"), &json!({}));
    let run_id = run["run"]["run_id"].as_str().unwrap_or_default().to_string();
    s.ok("operator", &format!("{P}/recovery-executive-report/schedule-runs/{run_id}/deliver"), &json!({"retries": 0}));

    // Read everything back through every GET route.
    for path in [
        "/worker-runs", "/worker-dashboard", "/dashboard", "/retry-recovery-report", "/worker-health", "/worker-health-alerts",
        "/worker-health-alert-dashboard", "/recovery-escalations/retry-health", "/recovery-escalations/retry-health-alerts",
        "/recovery-escalations/retry-health-alert-dashboard", "/recovery-executive-report", "/evidence", "/evidence/verify",
        "/retry-plans", "/retry-acknowledgements?limit=500", "/retry-execution-approval-plans",
        "/retry-execution-approval-decisions?limit=500", "/retry-execution-records", "/connector-recovery-playbooks",
        "/connector-recovery-closures?limit=500",
    ] {
        let r = s.send("viewer", "GET", &format!("{P}{path}"), None);
        assert_eq!(r.status, 200, "{path}: {}", r.text);
    }
    let export = runner.get(&format!("{P}/evidence/export"));
    assert_eq!(export.status, 200);
    let verify = runner.get(&format!("{P}/evidence/verify"));
    assert_eq!(verify.json["ok"], json!(true), "{}", verify.text);

    // Scan: answers, stored values, export, log and what the connector received.
    let mut places: Vec<(&str, Vec<String>)> = vec![
        ("HTTP answers", s.answers.borrow().clone()),
        ("stored values", runner.stored_values()),
        ("evidence export", vec![export.text.clone()]),
        ("runner log", vec![runner.logs()]),
    ];
    // Outbound bodies only: the request line and headers carry the connector's own configured
    // credentials by design.
    places.push(("connector bodies", receiver.received().into_iter().map(|r| r.body).collect()));
    let mut leaks = Vec::new();
    let mut bytes = 0usize;
    for (place, texts) in &places {
        for text in texts {
            bytes += text.len();
            for sh in &shapes {
                if text.contains(&sh.needle) {
                    leaks.push(format!("{place}: [{}] {:?}", sh.category, sh.needle));
                }
            }
            for own in ["receiver-url-secret", "receiver-bearer-secret"] {
                if *place != "runner log" && text.contains(own) {
                    leaks.push(format!("{place}: connector credential {own}"));
                }
            }
        }
    }
    leaks.sort();
    leaks.dedup();
    let planted = s.planted.borrow();
    let total: usize = planted.values().sum();
    println!("redaction e2e: {} shapes x {} fields = {total} plantings accepted; connector error page {} bytes on {} responses", shapes.len(), planted.len(), error_page.len(), receiver.count());
    for (field, n) in planted.iter() {
        println!("  {field}: {n}");
    }
    println!("redaction e2e: scanned {bytes} bytes ({} answers, {} stored values, export {} bytes, log {} bytes, {} connector bodies); leaks: {}",
        places[0].1.len(), places[1].1.len(), export.text.len(), places[3].1[0].len(), places[4].1.len(), leaks.len());
    assert!(leaks.is_empty(), "{} leaks:\n{}", leaks.len(), leaks.join("\n"));
    assert!(planted.len() >= 15 && total >= 15 * 100, "{planted:?}");
    // The scan is not vacuous: the stored records hold the masked free text and the control.
    assert!(places[1].1.iter().any(|v| v.contains("[redacted")), "no masked text was stored");
    for (place, texts) in &places[..3] {
        assert!(texts.iter().any(|t| t.contains("control OPS-4242 kept")), "the control note is missing from {place}");
    }
}
