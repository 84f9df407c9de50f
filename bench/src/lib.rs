//! Seeded, reproducible evidence datasets in the exact row shapes the service stores (built
//! with the engine's own record builders), for benchmarks and load tests.

use cavra_engine::Timestamp;
use cavra_engine::delivery::{ProviderOutcome, build_delivery_result, delivery_row};
use cavra_engine::executions::{ExecutionFacts, build_execution_record};
use cavra_engine::kinds::source;
use cavra_engine::level::AlertLevel;
use cavra_engine::provider::Category;
use cavra_engine::recovery::{Closure, ClosureState, PRIVATE_CONNECTOR_BOUNDARY, Playbook, ProviderPlaybook, RECOVERY_STEPS};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use serde_json::{Map, Value, json};

pub const PROVIDERS: [&str; 8] = ["webhook", "splunk", "sentinel", "datadog", "slack", "teams", "jira", "servicenow"];

/// The recovery-report mix: 88% execution records, 4% playbooks (1–3 providers each, one per
/// repeated-failure incident), 8% closures of earlier playbooks. Times spread over the 7 days
/// before `now`.
pub const RECOVERY_MIX: (u32, u32, u32) = (88, 4, 8);

fn hex(rng: &mut Xoshiro256PlusPlus) -> String {
    format!("{:016x}", rng.random_range(0..u64::MAX))
}

fn at(rng: &mut Xoshiro256PlusPlus, now: Timestamp) -> Timestamp {
    now.plus_minutes(-(rng.random_range(0..7 * 24 * 60) as f64))
}

/// `records` rows for the retry recovery report, in the RECOVERY_MIX proportions.
pub fn recovery_dataset(records: usize, seed: u64, now: Timestamp) -> Vec<Value> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut rows = Vec::with_capacity(records);
    let mut playbooks: Vec<(String, Vec<String>)> = Vec::new();
    let statuses = ["delivered", "delivered", "delivered", "failed", "skipped"];
    let states = [ClosureState::Resolved, ClosureState::Mitigated, ClosureState::Deferred, ClosureState::Escalated, ClosureState::Reopened];
    while rows.len() < records {
        let roll = rng.random_range(0..100u32);
        let when = at(&mut rng, now);
        let provider = PROVIDERS[rng.random_range(0..PROVIDERS.len())];
        if roll < RECOVERY_MIX.0 || (playbooks.is_empty() && roll >= RECOVERY_MIX.0 + RECOVERY_MIX.1) {
            let (run, decision, delivery) = (hex(&mut rng), hex(&mut rng), hex(&mut rng));
            let status = statuses[rng.random_range(0..statuses.len())];
            let facts = ExecutionFacts {
                run_id: &format!("gordackworker-{run}"),
                retry_plan_id: &format!("gordackretry-{run}"),
                approval_decision_id: &format!("gordackretryapprovaldecision-{decision}"),
                approval_plan_id: &format!("gordackretryapproval-{decision}"),
                provider,
                delivery_id: &format!("gordackdelivery-{delivery}"),
                audit_id: &format!("gordackaudit-{delivery}"),
                delivery_plan_id: &format!("gordackdelivery-{run}"),
                delivery_metadata_id: &format!("rcd-gordackdelivery-{delivery}-{}", &run[..12]),
                delivery_success: status == "delivered",
                selected_providers: vec![provider.to_string()],
                skipped: (status == "skipped").then_some("connector_config_not_configured"),
                executed_by: "release-manager",
            };
            rows.push(build_execution_record(&facts, when).metadata());
        } else if roll < RECOVERY_MIX.0 + RECOVERY_MIX.1 || playbooks.is_empty() {
            let count = rng.random_range(1..=3usize);
            let mut names: Vec<String> = (0..count).map(|_| PROVIDERS[rng.random_range(0..PROVIDERS.len())].to_string()).collect();
            names.sort();
            names.dedup();
            let entries: Vec<ProviderPlaybook> = names
                .iter()
                .map(|p| ProviderPlaybook {
                    provider: p.clone(),
                    category: Category::of(p),
                    failure_count: rng.random_range(2..10),
                    latest_failure_at: when.to_iso(),
                    status_codes: vec!["503".into()],
                    recovery_steps: RECOVERY_STEPS.iter().map(|s| s.to_string()).collect(),
                    private_connector_boundary: PRIVATE_CONNECTOR_BOUNDARY.into(),
                })
                .collect();
            let id = format!("gordackrecovery-{}", hex(&mut rng));
            let playbook = Playbook {
                schema_version: cavra_engine::schema!("connector-recovery-playbook").into(),
                product: "CAVRA".into(),
                playbook_id: id.clone(),
                generated_at: when.to_iso(),
                generated_by: "release-manager".into(),
                alert_level: AlertLevel::Critical,
                lookback_hours: 24,
                min_failure_count: 2,
                provider_count: entries.len(),
                failure_count: entries.iter().map(|e| e.failure_count).sum(),
                provider_playbooks: entries,
                controls: Vec::new(),
            };
            rows.push(playbook.metadata());
            playbooks.push((id, names));
        } else {
            let (id, names) = &playbooks[rng.random_range(0..playbooks.len())];
            let state = states[rng.random_range(0..states.len())];
            let closure = Closure {
                schema_version: cavra_engine::schema!("connector-recovery-closure").into(),
                product: "CAVRA".into(),
                closure_id: format!("gordackrecoveryclosure-{}", hex(&mut rng)),
                closure_hash: format!("{}{}{}{}", hex(&mut rng), hex(&mut rng), hex(&mut rng), hex(&mut rng)),
                playbook_id: id.clone(),
                provider: names[rng.random_range(0..names.len())].clone(),
                closure_state: state,
                closed_by: "release-manager".into(),
                closed_at: when.to_iso(),
                external_ref: "INC-1".into(),
                notes: String::new(),
                verification_refs: vec!["JIRA-1".into()],
                controls: Vec::new(),
            };
            rows.push(closure.metadata());
        }
    }
    rows
}

/// `records` failed acknowledgement-audit delivery rows over `records / 3` delivery groups
/// (so groups have 1–5 failures and all three retry actions occur).
pub fn failed_deliveries(records: usize, seed: u64, now: Timestamp) -> Vec<Value> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let groups = (records / 3).max(1);
    (0..records)
        .map(|_| {
            let group = rng.random_range(0..groups);
            let provider = PROVIDERS[group % PROVIDERS.len()];
            let when = now.plus_minutes(-(rng.random_range(0..600) as f64));
            let event = json!({"event_type": "cavra.go_backend.rollback_drill.acknowledgement_audit_delivery",
                               "session_id": format!("gordackdelivery-{group:016x}")});
            let outcome = ProviderOutcome {
                provider: provider.into(),
                status_code: Some(503),
                attempt_count: 3,
                started_at: when.to_iso(),
                completed_at: when.to_iso(),
                error: None,
            };
            let result = build_delivery_result(&event, vec![outcome], &when.to_iso());
            let mut bindings = Map::new();
            bindings.insert("audit_id".into(), json!(format!("gordackaudit-{group:016x}")));
            bindings.insert("delivery_id".into(), json!(format!("gordackdelivery-{group:016x}")));
            delivery_row(&result, source::AUDIT, &bindings, rng.random_range(0..u64::MAX))
        })
        .collect()
}

/// `records` failed acknowledgement-audit deliveries in the original's row shape: the columns
/// `build_connector_delivery_metadata` stores plus the binding ids, no nested delivery record
/// (reference-behaviour.md §2, §12). `records / 3` groups over the last 10 hours, so all three
/// retry actions occur; a quarter of the rows went to two providers, one of which may have
/// succeeded (it then forms no group).
pub fn original_failed_deliveries(records: usize, seed: u64, now: Timestamp) -> Vec<Value> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let groups = (records / 3).max(1);
    let codes = [500, 502, 503, 504, 429, 408];
    (0..records)
        .map(|i| {
            let group = rng.random_range(0..groups);
            let when = now.plus_minutes(-(rng.random_range(0..600) as f64));
            let first = PROVIDERS[group % PROVIDERS.len()];
            let second = PROVIDERS[(group / PROVIDERS.len() + 1 + group % 7) % PROVIDERS.len()];
            let providers: Vec<&str> = if first != second && rng.random_range(0..4) == 0 { vec![first, second] } else { vec![first] };
            let second_failed = providers.len() == 2 && rng.random_range(0..2) == 0;
            let failed: Vec<&str> = if second_failed { providers.clone() } else { vec![first] };
            let status_codes: Vec<u16> =
                providers.iter().map(|p| if failed.contains(p) { codes[rng.random_range(0..codes.len())] } else { 200 }).collect();
            let delivery_id = format!("gordackdelivery-{group:016x}");
            json!({
                "session_id": format!("rcd-{delivery_id}-{i:06}"),
                "created_at": when.to_iso(),
                "signer": "release-manager",
                "decision_count": providers.len(),
                "blocked_count": failed.len(),
                "approval_required_count": 0,
                "metadata_kind": cavra_engine::kinds::CONNECTOR_DELIVERY,
                "connector_delivery_source": source::AUDIT,
                "delivery_success": false,
                "providers": providers,
                "failed_providers": failed,
                "status_codes": status_codes,
                "event_id": delivery_id,
                "delivery_id": delivery_id,
                "audit_id": format!("gordackaudit-{:016x}", group / 2),
            })
        })
        .collect()
}
