//! The approval flow shared by the approval and scale-out tests: failed deliveries → retry plan
//! → retry acks → approval plan, and decisions and live runs on top of it.

use crate::{Behavior, P, Receiver, Reply, Runner};
use serde_json::{Value, json};

pub const T0: &str = "2026-11-23T10:00:00Z";
pub const T1: &str = "2026-11-23T10:20:00Z";

pub fn ok(reply: Reply) -> Value {
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json
}

/// Delivers `n` audit packages that all fail, then plans retries, acknowledges each decision
/// and plans approval (as `ops`). Returns the approval plan's decisions.
pub fn prepare(runner: &Runner, receiver: &Receiver, n: usize, ttl_minutes: Option<i64>) -> (String, Vec<Value>) {
    receiver.script(&vec![Behavior::Status(503); n]);
    for i in 0..n {
        let acks = json!([{"schedule_id": format!("drill-{i}"), "provider": "webhook"}]);
        let r = ok(runner.post_at(P, &json!({"retries": 0, "schedule_id": format!("drill-{i}"), "acknowledgements": acks}), T0));
        assert_eq!(r["success"], json!(false));
    }
    let plan = ok(runner.post_at(&format!("{P}/retry-plan"), &json!({"generated_by": "ops"}), T1));
    let retry_plan_id = plan["plan"]["retry_plan_id"].as_str().unwrap_or_default().to_string();
    let decisions = plan["plan"]["retry_decisions"].as_array().cloned().unwrap_or_default();
    assert_eq!(decisions.len(), n);
    for d in &decisions {
        assert_eq!(d["action"], json!("retry"));
        let ack = json!({"provider": d["provider"], "delivery_id": d["delivery_id"], "audit_id": d["audit_id"],
                         "acknowledged_by": "ops", "acknowledgement_state": "accepted"});
        ok(runner.post_at(&format!("{P}/retry-plans/{retry_plan_id}/acknowledgements"), &ack, T1));
    }
    let mut body = json!({"generated_by": "ops", "approval_policy": {"require_retry_ack": true}});
    if let Some(ttl) = ttl_minutes {
        body["ttl_minutes"] = json!(ttl);
    }
    let approval = ok(runner.post_at(&format!("{P}/retry-execution-approval-plan"), &body, T1));
    assert_eq!(approval["plan"]["approval_required_count"], json!(n));
    let id = approval["plan"]["approval_plan_id"].as_str().unwrap_or_default().to_string();
    (id, approval["plan"]["approval_decisions"].as_array().cloned().unwrap_or_default())
}

/// A decision by `role`'s token (the actor is the token's label; body labels are ignored).
pub fn decide(runner: &Runner, plan_id: &str, d: &Value, role: &str, state: &str, now: &str) -> Reply {
    let body = json!({"provider": d["provider"], "delivery_id": d["delivery_id"], "audit_id": d["audit_id"],
                      "retry_plan_id": d["retry_plan_id"], "decided_by": "someone-else", "approval_state": state,
                      "external_ref": "CHG-789"});
    runner.as_role(role, "POST", &format!("{P}/retry-execution-approval-plans/{plan_id}/decisions"), Some(&body), Some(now))
}

pub fn live_run(runner: &Runner, now: &str) -> Value {
    ok(runner.post_at(&format!("{P}/worker-run"), &json!({"execute": true, "generated_by": "ops", "retries": 0}), now))
}

