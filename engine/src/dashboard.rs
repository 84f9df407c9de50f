//! The dashboard (SPEC §9): counts of every kind, from counters kept as records are stored.
//!
//! `facets` says which counters a stored row adds to; the store keeps the sums next to its
//! index, so the dashboard never re-reads the evidence. Only recovery state (open recoveries)
//! is recomputed, from playbooks and closures.

use crate::kinds::{self, source};
use crate::lenient::{int_of, truthy};
use crate::level::AlertLevel;
use crate::rows::{kind_of, payload};
use crate::time::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};

/// Kinds whose rows the dashboard reads (all others come from counters).
pub const INPUT_KINDS: &[&str] = &[kinds::RECOVERY_PLAYBOOK, kinds::RECOVERY_CLOSURE];

fn text<'a>(row: &'a Value, key: &str) -> &'a str {
    row.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The counters a row adds to, with their increments.
pub fn facets(row: &Value) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    match kind_of(row) {
        kinds::CONNECTOR_DELIVERY => {
            let failed = !row.get("delivery_success").is_some_and(truthy);
            let flow = match text(row, "connector_delivery_source") {
                source::AUDIT => Some("audit_delivery"),
                source::ESCALATION => Some("recovery_escalation_delivery"),
                source::EXECUTIVE_REPORT => Some("executive_report_delivery"),
                source::RETRY_HEALTH_ALERT => Some("health_alert_delivery"),
                source::WORKER_HEALTH_ALERT => Some("worker_health_alert_delivery"),
                _ => None,
            };
            if let Some(flow) = flow {
                out.push((format!("{flow}_count"), 1));
                if failed {
                    out.push((format!("{flow}_failed_count"), 1));
                }
            }
        }
        kinds::RETRY_PLAN => out.push(("retryable_audit_delivery_count".into(), row.get("retryable_count").map_or(0, int_of))),
        kinds::EXECUTIVE_RETRY_PLAN => {
            out.push(("retryable_executive_delivery_count".into(), row.get("retryable_count").map_or(0, int_of)))
        }
        kinds::ESCALATION_RETRY_PLAN => {
            out.push(("retryable_recovery_escalation_delivery_count".into(), row.get("retryable_count").map_or(0, int_of)))
        }
        kinds::WORKER_RUN | kinds::ESCALATION_WORKER_RUN | kinds::EXECUTIVE_WORKER_RUN => {
            let dry = row.get("dry_run").is_none_or(truthy);
            let name = match kind_of(row) {
                kinds::WORKER_RUN => "worker",
                kinds::ESCALATION_WORKER_RUN => "recovery_escalation_retry_worker",
                _ => "executive_delivery_retry_worker",
            };
            out.push((format!("{name}_{}_count", if dry { "dry_run" } else { "live_run" }), 1));
        }
        kinds::APPROVAL_DECISION => out.push((format!("approval_decision:{}", text(row, "approval_state")), 1)),
        kinds::EXECUTION_RECORD => out.push((format!("retry_execution:{}", text(row, "execution_status")), 1)),
        kinds::ESCALATION_EXECUTION_RECORD => {
            out.push((format!("recovery_escalation_retry_execution:{}", text(row, "execution_status")), 1))
        }
        kinds::EXECUTIVE_EXECUTION_RECORD => {
            out.push((format!("executive_delivery_retry_execution:{}", text(row, "execution_status")), 1))
        }
        kinds::RETRY_HEALTH => out.push(("health_alert_count".into(), row.get("alert_count").map_or(0, int_of))),
        _ => {}
    }
    out
}

/// The dashboard answer.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub generated_at: String,
    pub alert_level: AlertLevel,
    pub counts: Map<String, Value>,
}

/// Open recoveries: (playbook, provider) entries whose latest closure is not resolved/mitigated.
pub fn open_recoveries(playbooks: &[&Value], closures: &[&Value]) -> usize {
    let mut latest: HashMap<(String, String), (String, String)> = HashMap::new();
    for row in closures {
        let c = payload(row, "connector_recovery_closure");
        let key = (text(c, "playbook_id").to_string(), text(c, "provider").to_string());
        let at = text(c, "closed_at").to_string();
        let state = text(c, "closure_state").to_string();
        match latest.get(&key) {
            Some((seen, _)) if *seen > at => {}
            _ => {
                latest.insert(key, (at, state));
            }
        }
    }
    let mut open = 0;
    for row in playbooks {
        let p = payload(row, "connector_recovery_playbook");
        let id = text(p, "playbook_id");
        for entry in p.get("provider_playbooks").and_then(Value::as_array).into_iter().flatten() {
            let key = (id.to_string(), text(entry, "provider").to_string());
            let closed = latest.get(&key).is_some_and(|(_, s)| s == "resolved" || s == "mitigated");
            if !closed {
                open += 1;
            }
        }
    }
    open
}

/// Builds the dashboard from per-kind counts, facet counters and playbook/closure rows.
pub fn build_dashboard(items: &[Value], kind_counts: &BTreeMap<String, u64>, counters: &BTreeMap<String, i64>, now: Timestamp) -> Dashboard {
    let kind = |k: &str| kind_counts.get(k).copied().unwrap_or(0);
    let counter = |k: &str| counters.get(k).copied().unwrap_or(0);
    let by_prefix = |prefix: &str| -> Map<String, Value> {
        counters
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(prefix).filter(|s| !s.is_empty()).map(|s| (s.to_string(), json!(v))))
            .collect()
    };
    let playbooks: Vec<&Value> = items.iter().filter(|r| kind_of(r) == kinds::RECOVERY_PLAYBOOK).collect();
    let closures: Vec<&Value> = items.iter().filter(|r| kind_of(r) == kinds::RECOVERY_CLOSURE).collect();
    let open = open_recoveries(&playbooks, &closures);
    let executions = by_prefix("retry_execution:");
    let failed_executions: i64 = ["failed", "skipped"].iter().filter_map(|s| executions.get(*s)?.as_i64()).sum();
    let worker_dry = counter("worker_dry_run_count");
    let mut counts = Map::new();
    let mut put = |k: &str, v: Value| {
        counts.insert(k.into(), v);
    };
    put("audit_delivery_count", json!(counter("audit_delivery_count")));
    put("audit_delivery_failed_count", json!(counter("audit_delivery_failed_count")));
    put("audit_retry_plan_count", json!(kind(kinds::RETRY_PLAN)));
    put("retryable_audit_delivery_count", json!(counter("retryable_audit_delivery_count")));
    put("retry_ack_count", json!(kind(kinds::RETRY_ACK)));
    put("worker_run_count", json!(kind(kinds::WORKER_RUN)));
    put("worker_dry_run_count", json!(worker_dry));
    put("worker_live_run_count", json!(counter("worker_live_run_count")));
    put("approval_plan_count", json!(kind(kinds::APPROVAL_PLAN)));
    put("approval_decision_counts", Value::Object(by_prefix("approval_decision:")));
    put("retry_execution_count", json!(kind(kinds::EXECUTION_RECORD)));
    put("retry_execution_status_counts", Value::Object(executions));
    put("recovery_playbook_count", json!(kind(kinds::RECOVERY_PLAYBOOK)));
    put("recovery_open_count", json!(open));
    put("recovery_closure_count", json!(kind(kinds::RECOVERY_CLOSURE)));
    put("retry_recovery_report_count", json!(kind(kinds::RECOVERY_REPORT)));
    put("recovery_escalation_plan_count", json!(kind(kinds::ESCALATION_PLAN)));
    put("recovery_escalation_delivery_count", json!(counter("recovery_escalation_delivery_count")));
    put("recovery_escalation_delivery_failed_count", json!(counter("recovery_escalation_delivery_failed_count")));
    put("recovery_escalation_ack_count", json!(kind(kinds::ESCALATION_ACK)));
    put("recovery_escalation_retry_plan_count", json!(kind(kinds::ESCALATION_RETRY_PLAN)));
    put("recovery_escalation_retry_worker_run_count", json!(kind(kinds::ESCALATION_WORKER_RUN)));
    put("recovery_escalation_retry_execution_status_counts", Value::Object(by_prefix("recovery_escalation_retry_execution:")));
    put("retry_health_report_count", json!(kind(kinds::RETRY_HEALTH)));
    put("health_alert_count", json!(counter("health_alert_count")));
    put("health_alert_plan_count", json!(kind(kinds::RETRY_HEALTH_ALERT_PLAN)));
    put("executive_report_count", json!(kind(kinds::EXECUTIVE_REPORT)));
    put("executive_schedule_run_count", json!(kind(kinds::EXECUTIVE_SCHEDULE_RUN)));
    put("executive_report_delivery_count", json!(counter("executive_report_delivery_count")));
    put("executive_report_delivery_failed_count", json!(counter("executive_report_delivery_failed_count")));
    put("executive_delivery_retry_plan_count", json!(kind(kinds::EXECUTIVE_RETRY_PLAN)));
    put("retryable_executive_delivery_count", json!(counter("retryable_executive_delivery_count")));
    put("executive_delivery_retry_worker_run_count", json!(kind(kinds::EXECUTIVE_WORKER_RUN)));
    put("evidence_record_count", json!(kind_counts.values().sum::<u64>()));
    let alert_level = AlertLevel::from_flags(
        failed_executions > 0 || counter("audit_delivery_failed_count") > 0 && counter("retryable_audit_delivery_count") > 0,
        open > 0 || counter("audit_delivery_failed_count") > 0,
    );
    Dashboard { generated_at: now.to_iso(), alert_level, counts }
}
