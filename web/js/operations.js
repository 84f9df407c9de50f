// Escalation, retry health and alerts, the executive report and its delivery retries.

import { $, PREFIX, state, hooks, actor, api, cell, notice, runAction, text } from "./core.js";
import { policy } from "./audit.js";

const sloMinutes = () => Number($("report-slo").value) || 240;

function renderEscalation(plan) {
  state.escalationPlan = plan;
  const body = $("escalation-routes").querySelector("tbody");
  body.replaceChildren();
  for (const r of plan.escalation_routes) {
    const tr = document.createElement("tr");
    cell(tr, r.provider);
    cell(tr, r.severity, r.severity);
    cell(tr, r.reason);
    cell(tr, r.recommended_action);
    cell(tr, r.failure_count);
    cell(tr, r.age_minutes);
    body.append(tr);
  }
  const select = $("escalation-provider");
  select.replaceChildren(...plan.selected_providers.map((p) => new Option(p, p)));
  const summary = plan.executive_summary;
  $("escalation-summary").textContent =
    `${plan.plan_id}: ${plan.escalation_count} route(s), ${plan.critical_escalation_count} critical; closure rate ` +
    `${summary.closure_rate ?? "n/a"} (alert level ${plan.alert_level})`;
}

async function planEscalation() {
  const result = await runAction($("plan-escalation"), () =>
    api("POST", `${PREFIX}/recovery-escalation-plan`, { generated_by: actor(), recovery_slo_minutes: sloMinutes() }));
  if (result) renderEscalation(result.plan);
  await hooks.refresh();
}

async function deliverEscalation() {
  const id = state.escalationPlan ? state.escalationPlan.plan_id : "latest";
  const result = await runAction($("deliver-escalation"), () =>
    api("POST", `${PREFIX}/recovery-escalations/${id}/deliver`, { generated_by: actor(), recovery_slo_minutes: sloMinutes() }));
  if (result) {
    renderEscalation(result.plan);
    notice(`Escalation ${result.event_id} ${result.success ? "delivered" : "failed to deliver"}.`, result.success ? "ok" : "error");
  }
  await hooks.refresh();
}

async function acknowledgeEscalation() {
  if (!state.escalationPlan) {
    notice("Plan or deliver an escalation first.", "error");
    return;
  }
  await runAction($("acknowledge-escalation"), () =>
    api("POST", `${PREFIX}/recovery-escalations/${state.escalationPlan.plan_id}/acknowledgements`, {
      provider: $("escalation-provider").value, acknowledged_by: actor(), acknowledgement_state: $("escalation-ack-state").value,
    }));
}

async function runEscalationWorker() {
  const result = await runAction($("run-escalation-worker"), () =>
    api("POST", `${PREFIX}/recovery-escalations/retry-worker-run`, {
      generated_by: actor(), dry_run: $("escalation-dry-run").checked, retry_policy: policy(),
    }));
  if (result) {
    const s = result.run.summary;
    notice(`Escalation retry run ${result.run.run_id}: ${s.selected_retry_count} selected, ${s.acknowledgement_pending_count} waiting for acknowledgement.`, "ok");
  }
  await hooks.refresh();
}

function renderHealth(health) {
  $("health-summary").replaceChildren();
  const badge = document.createElement("span");
  badge.className = `badge ${health.alert_level}`;
  badge.textContent = health.alert_level;
  $("health-summary").append(badge, ` worker last ran ${text(health.latest_worker_age_minutes ?? "never")} min ago; retry plan ` +
    `${text(health.latest_retry_plan_age_minutes ?? "missing")} min old; ${health.acknowledgement_pending_count} acknowledgement gap(s); ` +
    `${health.failed_execution_count} failed execution(s).`);
  $("health-alerts").replaceChildren(...health.alerts.map((a) => {
    const li = document.createElement("li");
    li.className = a.severity;
    li.textContent = `${a.category}: ${a.message}`;
    return li;
  }));
}

async function retryHealth() {
  const q = `expected_interval_minutes=${encodeURIComponent($("health-interval").value)}&stale_metadata_minutes=${encodeURIComponent($("health-stale").value)}&generated_by=${encodeURIComponent(actor())}`;
  const result = await runAction($("retry-health"), () => api("GET", `${PREFIX}/recovery-escalations/retry-health?${q}`));
  if (result) renderHealth(result.health);
}

// Both alert families answer `{health, plan, ...}` with the same plan shape.
function alertNotice(result) {
  const p = result.plan;
  notice(p.selected_providers.length
    ? `Alert sent to ${p.selected_providers.join(", ")}.`
    : `No alert sent (${result.health.alert_level === "healthy" ? "healthy" : `suppressed: ${p.suppressed_providers.map((x) => x.provider).join(", ")}`}).`, "ok");
}

async function sendAlert() {
  const result = await runAction($("send-alert"), () =>
    api("POST", `${PREFIX}/recovery-escalations/retry-health-alerts/deliver`, {
      generated_by: actor(), force: $("alert-force").checked,
      expected_interval_minutes: Number($("health-interval").value), stale_metadata_minutes: Number($("health-stale").value),
    }));
  if (result) {
    renderHealth(result.health);
    alertNotice(result);
  }
  await hooks.refresh();
}

// SPEC §2: the audit retry worker's own health alert (worker runs missed or stale).
async function sendWorkerAlert() {
  const result = await runAction($("send-worker-alert"), () =>
    api("POST", `${PREFIX}/worker-health-alerts/deliver`, { generated_by: actor(), force: $("alert-force").checked }));
  if (result) alertNotice(result);
  await hooks.refresh();
}

function renderExecutive(run) {
  state.scheduleRun = run;
  const s = run.executive_report.executive_summary;
  $("executive-summary").textContent = `${run.run_id} (${run.schedule.window_start} → ${run.schedule.window_end}): ${s.business_impact}; ` +
    `${s.escalation_count} escalation(s), ${s.open_recovery_count} open, ${s.slo_breached_count} past SLO.`;
  $("executive-risks").replaceChildren(...run.executive_report.key_risks.map((r) => {
    const li = document.createElement("li");
    li.className = r.severity;
    li.textContent = `${r.risk} (${r.count})`;
    return li;
  }));
}

async function scheduleExecutive() {
  const result = await runAction($("schedule-executive"), () =>
    api("POST", `${PREFIX}/recovery-executive-report/schedule-run`, {
      generated_by: actor(), recovery_slo_minutes: sloMinutes(), schedule: { interval_minutes: Number($("schedule-interval").value) },
    }));
  if (result) renderExecutive(result.run);
  await hooks.refresh();
}

async function deliverExecutive() {
  const id = state.scheduleRun ? state.scheduleRun.run_id : "latest";
  const result = await runAction($("deliver-executive"), () =>
    api("POST", `${PREFIX}/recovery-executive-report/schedule-runs/${id}/deliver`, { generated_by: actor() }));
  if (result) {
    renderExecutive(result.run);
    notice(`Executive report ${result.event_id} ${result.success ? "delivered" : "failed to deliver"}.`, result.success ? "ok" : "error");
  }
  await hooks.refresh();
}

async function planExecutiveRetry() {
  const result = await runAction($("plan-executive-retry"), () =>
    api("POST", `${PREFIX}/recovery-executive-report/delivery-retry-plan`, {
      generated_by: actor(),
      retry_policy: {
        max_retry_attempts: Number($("exec-max").value), retry_delay_minutes: Number($("exec-delay").value),
        backoff_multiplier: Number($("exec-multiplier").value), allow_immediate_retry: $("exec-immediate").checked,
      },
    }));
  if (!result) return;
  const body = $("executive-decisions").querySelector("tbody");
  body.replaceChildren();
  for (const d of result.plan.retry_decisions) {
    const tr = document.createElement("tr");
    cell(tr, d.run_id);
    cell(tr, d.provider);
    cell(tr, d.action, d.action);
    cell(tr, d.retry_count);
    cell(tr, d.next_retry_at);
    cell(tr, d.reason);
    body.append(tr);
  }
  await hooks.refresh();
}

export function renderOperationCounts(counts) {
  const set = (id, v) => ($(id).textContent = text(v));
  set("dash-escalations", counts.recovery_escalation_plan_count);
  set("dash-escalation-runs", counts.recovery_escalation_retry_worker_run_count);
  set("dash-health", counts.retry_health_report_count);
  set("dash-health-alerts", counts.health_alert_count);
  set("dash-exec-deliveries", `${counts.executive_report_delivery_count} (${counts.executive_report_delivery_failed_count})`);
  set("dash-exec-plans", counts.executive_delivery_retry_plan_count);
  set("dash-exec-retryable", counts.retryable_executive_delivery_count);
}

export function wireOperations() {
  $("plan-escalation").addEventListener("click", planEscalation);
  $("deliver-escalation").addEventListener("click", deliverEscalation);
  $("acknowledge-escalation").addEventListener("click", acknowledgeEscalation);
  $("run-escalation-worker").addEventListener("click", runEscalationWorker);
  $("retry-health").addEventListener("click", retryHealth);
  $("send-alert").addEventListener("click", sendAlert);
  $("send-worker-alert").addEventListener("click", sendWorkerAlert);
  $("schedule-executive").addEventListener("click", scheduleExecutive);
  $("deliver-executive").addEventListener("click", deliverExecutive);
  $("plan-executive-retry").addEventListener("click", planExecutiveRetry);
}
