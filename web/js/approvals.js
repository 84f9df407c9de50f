// Retry approvals: the approval plan, Approve / Deny / Defer, Execute Retry, executions.

import { $, PREFIX, state, hooks, actor, api, button, cell, keyOf, notice, runAction } from "./core.js";

/** The newest stored approval decision for a retry key, and whether an execution used it. */
export function lastDecision(d) {
  const decision = state.decisions.find((x) => keyOf(x) === keyOf(d));
  if (!decision) return null;
  const executed = state.executions.some((e) => e.approval_decision_id === decision.decision_id && e.execution_status !== "skipped");
  return { state: executed ? "executed" : decision.approval_state, expires: decision.expires_at };
}

export function renderApprovals(plan) {
  const body = $("approvals").querySelector("tbody");
  body.replaceChildren();
  for (const c of plan.approval_decisions) {
    const tr = document.createElement("tr");
    cell(tr, c.provider);
    cell(tr, c.delivery_id);
    cell(tr, c.action);
    const last = lastDecision(c);
    const standing = last ? last.state : c.approval_status || "none";
    cell(tr, standing, last ? last.state : c.approval_status || "missing");
    const td = document.createElement("td");
    for (const [label, value, kind] of [["Approve Retry", "approved", ""], ["Deny", "denied", "danger"], ["Defer", "deferred", "secondary"]]) {
      td.append(button(label, () => decideApproval(plan, c, value), kind));
    }
    tr.append(td);
    body.append(tr);
  }
  $("approvals-summary").textContent =
    `${plan.approval_plan_id} (requested by ${plan.requested_by}): ${plan.approval_required_count} need approval, ` +
    `${plan.approved_count} already approved, ${plan.waiting_count} wait for a retry acknowledgement`;
}

export async function planApproval() {
  const result = await runAction($("plan-retry-approval"), () =>
    api("POST", `${PREFIX}/retry-execution-approval-plan`, {
      generated_by: actor(),
      ttl_minutes: Number($("approval-ttl").value),
      approval_policy: { require_retry_ack: $("approval-require-ack").checked },
    }),
  );
  if (result) {
    state.approvalPlan = result.plan;
    renderApprovals(result.plan);
  }
}

async function decideApproval(plan, c, approvalState) {
  const result = await runAction($("plan-retry-approval"), () =>
    api("POST", `${PREFIX}/retry-execution-approval-plans/${plan.approval_plan_id}/decisions`, {
      provider: c.provider, delivery_id: c.delivery_id, audit_id: c.audit_id, retry_plan_id: c.retry_plan_id,
      decided_by: actor(), approval_state: approvalState,
    }),
  );
  if (result) {
    await hooks.refresh();
    renderApprovals(plan);
  }
}

export async function executeRetry(policy, renderDecisions) {
  const b = $("execute-retry");
  if (b.dataset.armed !== "true") {
    b.dataset.armed = "true";
    b.textContent = "Confirm live retry";
    notice("A live retry delivers approved decisions to the real connectors. Click again to confirm.");
    return;
  }
  b.dataset.armed = "false";
  b.textContent = "Execute Retry";
  const result = await runAction(b, () =>
    api("POST", `${PREFIX}/worker-run`, {
      execute: true, generated_by: actor(), retry_policy: policy(), max_retry_deliveries: Number($("worker-max").value),
    }),
  );
  if (result) {
    const executed = result.retry_results.filter((r) => r.execution_record).length;
    notice(`Live run ${result.run.run_id}: ${result.run.summary.selected_retry_count} selected, ${executed} executed, ` +
      `${result.run.summary.approval_pending_count} waiting for approval.`, "ok");
    renderDecisions(result.run.retry_plan);
  }
  await hooks.refresh();
}

export function renderExecutions(rows) {
  const body = $("executions").querySelector("tbody");
  body.replaceChildren();
  for (const row of rows) {
    const tr = document.createElement("tr");
    cell(tr, row.execution_id);
    cell(tr, row.created_at);
    cell(tr, row.provider);
    cell(tr, row.execution_status, row.execution_status);
    cell(tr, row.approval_decision_id);
    cell(tr, row.run_id);
    body.append(tr);
  }
}
