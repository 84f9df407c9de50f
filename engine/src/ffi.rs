//! One JSON entry point per stateless decision (SPEC §13): `{items, params, now}` in, the
//! original's record out. The browser console, the edge component and `cavra decide` call these;
//! the Spin host calls the same builders with rows read from its store.

use crate::error::{EngineError, Result};
use crate::history;
use crate::input::Fields;
use crate::policy::RetryPolicy;
use crate::retry::{RetryFamily, build_retry_plan};
use crate::time::Timestamp;
use crate::worker::{WorkerParams, build_worker_run};
use serde::Serialize;
use serde_json::Value;

/// The functions `call` knows, in SPEC §13 order.
pub const FUNCTIONS: &[&str] = &[
    "retry-plan",
    "worker-run",
    "worker-dashboard",
    "retry-execution-approval-plan",
    "connector-recovery-playbook",
    "retry-recovery-report",
    "recovery-escalation-plan",
    "recovery-executive-report",
    "recovery-escalation-retry-health",
    "executive-report-delivery-retry-plan",
];

/// A parsed `{items, params, now}` call.
pub struct Call<'a> {
    pub items: &'a [Value],
    pub params: Fields<'a>,
    pub now: Timestamp,
}

impl<'a> Call<'a> {
    pub fn parse(input: &'a Value) -> Result<Self> {
        let root = Fields::new(Some(input), "")?;
        let items = match root.value("items") {
            None => &[][..],
            Some(Value::Array(items)) => items.as_slice(),
            Some(_) => return Err(EngineError::invalid("items", "must be a list of evidence rows")),
        };
        let now = match root.string(&["now"], 64)? {
            Some(text) => Timestamp::parse(&text).map_err(|e| EngineError::invalid("now", e.to_string()))?,
            None => return Err(EngineError::missing("now")),
        };
        let params = Fields::new(root.value("params"), "params")?;
        root.finish()?;
        Ok(Self { items, params, now })
    }

    /// `params.generated_by`, default `release-governance` (the original builders' default).
    pub fn generated_by(&self) -> Result<String> {
        let by = self.params.string(&["generated_by"], 64)?.unwrap_or_else(|| "release-governance".into());
        if by.is_empty() || by.len() > 64 || !by.bytes().all(|b| b.is_ascii_alphanumeric() || b".:_@-".contains(&b)) {
            return Err(EngineError::invalid("params.generated_by", "must be 1-64 characters of [A-Za-z0-9._:@-]"));
        }
        Ok(by)
    }
}

/// What a decision's record is turned into: a JSON value (the Spin host embeds it in its answer)
/// or compact JSON text (Wasm boundaries). Text is written straight from the typed record: the
/// same bytes as serialising its `Value`, without building one (18 MB for a 100k-row retry plan).
trait Form {
    type Out;
    fn emit(record: impl Serialize) -> Self::Out;
}

struct AsValue;

impl Form for AsValue {
    type Out = Value;
    fn emit(record: impl Serialize) -> Value {
        serde_json::to_value(record).unwrap_or(Value::Null)
    }
}

struct AsText;

impl Form for AsText {
    type Out = String;
    fn emit(record: impl Serialize) -> String {
        serde_json::to_string(&record).unwrap_or_else(|_| "null".into())
    }
}

fn slo(call: &Call<'_>) -> Result<i64> {
    Ok(call.params.integer(&["recovery_slo_minutes"], 1, crate::report::MAX_SLO_MINUTES)?.unwrap_or(crate::report::DEFAULT_SLO_MINUTES))
}

/// Runs `function` on a parsed input value.
pub fn decide(function: &str, input: &Value) -> Result<Value> {
    run::<AsValue>(function, input)
}

fn run<F: Form>(function: &str, input: &Value) -> Result<F::Out> {
    let unknown = || EngineError::invalid("function", format!("`{function}` is not one of: {}", FUNCTIONS.join(", ")));
    if !FUNCTIONS.contains(&function) {
        return Err(unknown());
    }
    let call = Call::parse(input)?;
    let by = call.generated_by()?;
    let out = match function {
        "retry-plan" => {
            let policy_value = call.params.value("policy").or_else(|| call.params.value("retry_policy"));
            call.params.allow(&["policy", "retry_policy"]);
            let policy = RetryPolicy::parse(policy_value, "params.policy", RetryFamily::AuditDelivery.default_delay())?;
            F::emit(build_retry_plan(RetryFamily::AuditDelivery, call.items, &policy, &by, call.now)?)
        }
        "worker-run" => {
            let params = WorkerParams::parse(&call.params, RetryFamily::AuditDelivery)?;
            let gate = crate::approvals::ApprovalIndex::build(call.items, call.now)?;
            F::emit(build_worker_run(RetryFamily::AuditDelivery, call.items, &params, &by, &gate, call.now)?)
        }
        "worker-dashboard" => F::emit(history::worker_dashboard(call.items, call.now)),
        "retry-execution-approval-plan" => {
            let params = crate::approvals::ApprovalPlanParams::parse(&call.params)?;
            F::emit(crate::approvals::build_approval_plan(call.items, &params, &by, call.now)?)
        }
        "connector-recovery-playbook" => {
            let params = crate::recovery::PlaybookParams::parse(&call.params)?;
            F::emit(crate::recovery::build_playbook(call.items, params, &by, call.now)?)
        }
        "retry-recovery-report" => F::emit(crate::report::build_recovery_report(call.items, slo(&call)?, &by, call.now)?),
        "recovery-escalation-plan" => {
            let report = crate::report::build_recovery_report(call.items, slo(&call)?, &by, call.now)?;
            F::emit(crate::escalation::build_escalation_plan(&report, &by, call.now))
        }
        "recovery-executive-report" => {
            let report = crate::report::build_recovery_report(call.items, slo(&call)?, &by, call.now)?;
            let plan = crate::escalation::build_escalation_plan(&report, &by, call.now);
            F::emit(crate::executive::build_executive_report(&report, &plan, &by, call.now))
        }
        "recovery-escalation-retry-health" => {
            let params = crate::health::HealthParams {
                expected_interval_minutes: call
                    .params
                    .integer(&["expected_interval_minutes"], 1, crate::health::MAX_INTERVAL_MINUTES)?
                    .unwrap_or(30),
                stale_metadata_minutes: call.params.integer(&["stale_metadata_minutes"], 1, crate::health::MAX_STALE_MINUTES)?.unwrap_or(120),
            };
            F::emit(crate::health::build_retry_health(call.items, params, &by, call.now)?)
        }
        "executive-report-delivery-retry-plan" => {
            let policy_value = call.params.value("policy").or_else(|| call.params.value("retry_policy"));
            call.params.allow(&["policy", "retry_policy"]);
            let policy = RetryPolicy::parse(policy_value, "params.policy", RetryFamily::ExecutiveDelivery.default_delay())?;
            F::emit(build_retry_plan(RetryFamily::ExecutiveDelivery, call.items, &policy, &by, call.now)?)
        }
        _ => return Err(unknown()),
    };
    call.params.finish()?;
    Ok(out)
}

/// The string-in, string-out form used across Wasm boundaries: `{"ok": result}` or the SPEC §0
/// error body. Bytes are identical wherever the engine runs.
pub fn call(function: &str, input: &str) -> String {
    match call_result(function, input) {
        // Compact JSON of a one-key object is exactly this; no second serialisation.
        Ok(record) => format!("{{\"ok\":{record}}}"),
        Err(body) => body,
    }
}

/// `call` split for hosts with typed results (the edge component's WIT `result<string, string>`):
/// Ok is the record as compact JSON, Err the SPEC §0 error body.
pub fn call_result(function: &str, input: &str) -> std::result::Result<String, String> {
    let result = serde_json::from_str::<Value>(input)
        .map_err(|e| EngineError::invalid("input", format!("is not valid JSON: {e}")))
        .and_then(|v| run::<AsText>(function, &v));
    match result {
        Ok(record) => Ok(record),
        Err(e) => Err(serde_json::to_string(&e.body()).unwrap_or_else(|_| "{}".into())),
    }
}
