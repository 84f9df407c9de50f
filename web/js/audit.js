// Deliver Ack Audit, Plan Audit Retry, Run Audit Worker, retry decisions and worker history.

import { $, PREFIX, state, hooks, actor, api, button, cell, notice, runAction, show, text } from "./core.js";
import { decide, previewInput } from "./engine.js";
import { lastDecision } from "./approvals.js";

export function policy() {
  return {
    max_retry_attempts: Number($("policy-max").value),
    retry_delay_minutes: Number($("policy-delay").value),
    backoff_multiplier: Number($("policy-multiplier").value),
    allow_immediate_retry: $("policy-immediate").checked,
  };
}

export function setCards(values) {
  $("card-retry-plans").textContent = text(values.plans);
  $("card-retryable").textContent = text(values.retryable);
  $("card-worker-runs").textContent = text(values.runs);
  $("card-dry-runs").textContent = text(values.dryRuns);
}

export function renderDecisions(plan) {
  const body = $("decisions").querySelector("tbody");
  body.replaceChildren();
  for (const d of plan.retry_decisions || []) {
    const tr = document.createElement("tr");
    cell(tr, d.provider);
    cell(tr, d.delivery_id);
    cell(tr, d.action, d.action);
    cell(tr, d.retry_count);
    cell(tr, d.next_retry_at);
    cell(tr, d.reason);
    if (state.mode === "live") {
      const last = lastDecision(d);
      cell(tr, last ? last.state : "none", last ? last.state : "missing");
      const review = document.createElement("td");
      review.append(button("Ack Retry", () => ackRetry(d)));
      tr.append(review);
    }
    body.append(tr);
  }
  state.retryPlan = plan;
  $("decisions-summary").textContent =
    `${plan.retry_plan_id}: ${plan.retryable_count} retry, ${plan.waiting_count} wait, ` +
    `${plan.suppressed_count} suppressed (alert level ${plan.alert_level})`;
}

export function renderHistory(page) {
  const body = $("worker-history").querySelector("tbody");
  body.replaceChildren();
  for (const row of page.items || []) {
    const run = row.acknowledgement_audit_delivery_worker_run || row;
    const tr = document.createElement("tr");
    cell(tr, row.run_id);
    cell(tr, row.created_at);
    cell(tr, row.dry_run === false ? "live" : "dry run");
    cell(tr, row.retryable_count);
    cell(tr, row.selected_retry_count);
    cell(tr, run.schedule ? `${run.schedule.window_start} → ${run.schedule.window_end}` : "");
    body.append(tr);
  }
}

async function ackRetry(d) {
  await runAction($("plan-audit-retry"), () =>
    api("POST", `${PREFIX}/retry-plans/${state.retryPlan.retry_plan_id}/acknowledgements`, {
      provider: d.provider, delivery_id: d.delivery_id, audit_id: d.audit_id,
      acknowledged_by: actor(), acknowledgement_state: "accepted",
    }),
  );
}

export async function deliver(event) {
  event.preventDefault();
  let acknowledgements;
  try {
    acknowledgements = JSON.parse($("deliver-acks").value || "[]");
  } catch {
    notice("Acknowledgements must be a JSON list.", "error");
    return;
  }
  await runAction($("deliver-ack-audit"), () =>
    api("POST", PREFIX, {
      generated_by: actor(), provider: $("deliver-provider").value, owner: $("deliver-owner").value,
      cadence: $("deliver-cadence").value, acknowledgements,
    }),
  );
  await hooks.refresh();
}

export async function runWorker(event) {
  event.preventDefault();
  const result = await runAction($("run-audit-worker"), () =>
    api("POST", `${PREFIX}/worker-run`, {
      generated_by: actor(), dry_run: $("worker-dry-run").checked, max_retry_deliveries: Number($("worker-max").value),
      retry_policy: policy(), schedule: { interval_minutes: Number($("worker-interval").value) },
    }),
  );
  if (result) renderDecisions(result.run.retry_plan);
  await hooks.refresh();
}

export async function planRetry(event) {
  event.preventDefault();
  if (state.mode === "live") {
    const result = await runAction($("plan-audit-retry"), () =>
      api("POST", `${PREFIX}/retry-plan`, { generated_by: actor(), retry_policy: policy() }));
    if (result) renderDecisions(result.plan);
    await hooks.refresh();
    return;
  }
  try {
    const { items, now } = previewInput();
    const plan = await decide("retry-plan", { items, params: { policy: policy(), generated_by: "console" }, now });
    show(plan);
    renderDecisions(plan);
    setCards({ plans: 1, retryable: plan.retryable_count, runs: 0, dryRuns: 0 });
    notice("Planned in the browser (preview).", "ok");
  } catch (error) {
    notice(error.message, "error");
  }
}
