//! The table of every route the service serves, with the role each needs (SPEC §12).
//!
//! `tests/access.rs` calls every entry as every role; `tests/openapi.rs` checks that
//! `docs/api/openapi.yaml` documents exactly these routes, and that this table matches the
//! router in `host/service/src/api/mod.rs`. A new route is added here, in the router and in
//! the OpenAPI document, or a test fails.

use crate::P;
use serde_json::{Value, json};

/// What a request needs from its caller's role (mirrors `auth::Need` in the service).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Need {
    /// `viewer` and up: every GET, and the stateless engine functions.
    Read,
    /// `operator` and admin: every other POST.
    Write,
    /// `approver` and admin: approval decisions only.
    Decide,
    /// `admin` only: a live worker run (`dry_run: false` / `execute: true`).
    Live,
}

impl Need {
    /// The least role that passes (the `x-cavra-role` of the OpenAPI document).
    pub fn role(self) -> &'static str {
        match self {
            Need::Read => "viewer",
            Need::Write => "operator",
            Need::Decide => "approver",
            Need::Live => "admin",
        }
    }
}

/// Whether `role` passes `need` (SPEC §12).
pub fn allowed(role: &str, need: Need) -> bool {
    match role {
        "admin" => true,
        "operator" => matches!(need, Need::Read | Need::Write),
        "approver" => matches!(need, Need::Read | Need::Decide),
        _ => need == Need::Read,
    }
}

/// One call of one route.
#[derive(Clone, Debug)]
pub struct Route {
    pub method: &'static str,
    /// The OpenAPI path template, e.g. `{P}/retry-plans/{retry_plan_id}/acknowledgements`.
    pub template: String,
    /// A concrete path to call.
    pub path: String,
    /// The JSON body of a POST (`Null` for GET).
    pub body: Value,
    pub need: Need,
}

/// Routes served without a token (probes).
pub const OPEN_ROUTES: &[(&str, &str)] = &[("GET", "/healthz")];

/// Every authenticated route; a route whose role depends on the body (live worker runs) appears
/// once per role it can need.
pub fn routes() -> Vec<Route> {
    use Need::*;
    let get = |p: &str| Route { method: "GET", template: format!("{P}{p}"), path: format!("{P}{p}"), body: Value::Null, need: Read };
    let post = |template: &str, path: &str, body: Value, need: Need| Route {
        method: "POST",
        template: format!("{P}{template}"),
        path: format!("{P}{path}"),
        body,
        need,
    };
    let fixed = |p: &str, body: Value, need: Need| post(p, p, body, need);
    vec![
        get("/worker-runs"),
        get("/worker-dashboard"),
        get("/providers"),
        get("/whoami"),
        get("/dashboard"),
        get("/retry-recovery-report"),
        get("/worker-health"),
        get("/worker-health-alerts"),
        get("/worker-health-alert-dashboard"),
        get("/recovery-escalations/retry-health"),
        get("/recovery-escalations/retry-health-alerts"),
        get("/recovery-escalations/retry-health-alert-dashboard"),
        get("/recovery-executive-report"),
        get("/evidence"),
        get("/evidence/verify"),
        get("/evidence/export"),
        get("/retry-plans"),
        get("/retry-acknowledgements"),
        get("/retry-execution-approval-plans"),
        get("/retry-execution-approval-decisions"),
        get("/retry-execution-records"),
        get("/connector-recovery-playbooks"),
        get("/connector-recovery-closures"),
        Route {
            method: "POST",
            template: "/engine/v1/{function}".into(),
            path: "/engine/v1/retry-plan".into(),
            body: json!({"items": [], "now": "2026-11-23T10:00:00Z"}),
            need: Read,
        },
        fixed("", json!({"retries": 0}), Write),
        fixed("/retry-plan", json!({}), Write),
        post("/retry-plans/{retry_plan_id}/acknowledgements", "/retry-plans/x/acknowledgements", json!({"provider": "webhook"}), Write),
        fixed("/worker-run", json!({}), Write),
        fixed("/worker-run", json!({"dry_run": false}), Live),
        fixed("/retry-execution-approval-plan", json!({}), Write),
        post(
            "/retry-execution-approval-plans/{approval_plan_id}/decisions",
            "/retry-execution-approval-plans/x/decisions",
            json!({"provider": "webhook", "delivery_id": "d", "audit_id": "a"}),
            Decide,
        ),
        fixed("/connector-recovery-playbook", json!({}), Write),
        post("/connector-recovery-playbooks/{playbook_id}/closures", "/connector-recovery-playbooks/x/closures", json!({"provider": "webhook"}), Write),
        fixed("/worker-health-alerts/deliver", json!({"retries": 0}), Write),
        post("/worker-health-alerts/{health_id}/acknowledgements", "/worker-health-alerts/h/acknowledgements", json!({"provider": "webhook"}), Write),
        fixed("/recovery-escalation-plan", json!({}), Write),
        post("/recovery-escalations/{plan_id}/deliver", "/recovery-escalations/latest/deliver", json!({"retries": 0}), Write),
        post("/recovery-escalations/{plan_id}/acknowledgements", "/recovery-escalations/x/acknowledgements", json!({"provider": "webhook"}), Write),
        fixed("/recovery-escalations/retry-plan", json!({}), Write),
        fixed("/recovery-escalations/retry-worker-run", json!({}), Write),
        fixed("/recovery-escalations/retry-worker-run", json!({"execute": true}), Live),
        fixed("/recovery-escalations/retry-health-alerts/deliver", json!({"retries": 0}), Write),
        post(
            "/recovery-escalations/retry-health-alerts/{health_id}/acknowledgements",
            "/recovery-escalations/retry-health-alerts/h/acknowledgements",
            json!({"provider": "webhook"}),
            Write,
        ),
        fixed("/recovery-executive-report/schedule-run", json!({}), Write),
        post(
            "/recovery-executive-report/schedule-runs/{run_id}/deliver",
            "/recovery-executive-report/schedule-runs/latest/deliver",
            json!({"retries": 0}),
            Write,
        ),
        fixed("/recovery-executive-report/delivery-retry-plan", json!({}), Write),
        fixed("/recovery-executive-report/delivery-retry-worker-run", json!({}), Write),
        fixed("/recovery-executive-report/delivery-retry-worker-run", json!({"dry_run": false}), Live),
    ]
}
