// Evidence Console: live mode calls the cavra API; preview mode runs the engine's WebAssembly
// build in the browser. Decisions are never computed here in JavaScript.

const PREFIX = "/runtime/go-pilot/rollback-drill-notifications/acknowledgements/audit-delivery";
const $ = (id) => document.getElementById(id);
const state = { mode: "live", engine: null, sample: null, retryPlan: null, decisions: [], executions: [] };

const actor = () => $("actor").value.trim() || "console";
const keyOf = (d) => `${d.provider}|${d.delivery_id}|${d.audit_id}`;

function button(label, onClick, kind = "") {
  const b = document.createElement("button");
  b.type = "button";
  b.className = `action small ${kind}`;
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

/** The newest stored approval decision for a retry key, and whether an execution used it. */
function lastDecision(d) {
  const decision = state.decisions.find((x) => keyOf(x) === keyOf(d));
  if (!decision) return null;
  const executed = state.executions.some((e) => e.approval_decision_id === decision.decision_id && e.execution_status !== "skipped");
  return { state: executed ? "executed" : decision.approval_state, expires: decision.expires_at };
}

function notice(text, kind = "") {
  const el = $("notice");
  el.textContent = text;
  el.className = `notice ${kind}`;
}

function show(value) {
  $("result").textContent = JSON.stringify(value, null, 2);
}

function text(value) {
  return value === null || value === undefined ? "" : String(value);
}

function cell(row, value, badge) {
  const td = document.createElement("td");
  if (badge) {
    const span = document.createElement("span");
    span.className = `badge ${badge}`;
    span.textContent = text(value);
    td.append(span);
  } else {
    td.textContent = text(value);
  }
  row.append(td);
}

function renderDecisions(plan) {
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

function renderHistory(page) {
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

function setCards(values) {
  $("card-retry-plans").textContent = text(values.plans);
  $("card-retryable").textContent = text(values.retryable);
  $("card-worker-runs").textContent = text(values.runs);
  $("card-dry-runs").textContent = text(values.dryRuns);
}

function policy() {
  return {
    max_retry_attempts: Number($("policy-max").value),
    retry_delay_minutes: Number($("policy-delay").value),
    backoff_multiplier: Number($("policy-multiplier").value),
    allow_immediate_retry: $("policy-immediate").checked,
  };
}

// ---- live mode -------------------------------------------------------------------------

async function api(method, path, body) {
  const options = { method, headers: { accept: "application/json" } };
  if (body !== undefined) {
    options.headers["content-type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = data.error || {};
    throw new Error(`${response.status} ${error.code || "error"}: ${error.message || "request failed"}`);
  }
  return data;
}

async function refreshLive() {
  try {
    const [dashboard, workers, providers, history, decisions, executions] = await Promise.all([
      api("GET", `${PREFIX}/dashboard`),
      api("GET", `${PREFIX}/worker-dashboard`),
      api("GET", `${PREFIX}/providers`),
      api("GET", `${PREFIX}/worker-runs?limit=20`),
      api("GET", `${PREFIX}/retry-execution-approval-decisions?limit=500`),
      api("GET", `${PREFIX}/retry-execution-records?limit=50`),
    ]);
    state.decisions = decisions.items;
    state.executions = executions.items;
    renderExecutions(executions.items);
    if (state.retryPlan) renderDecisions(state.retryPlan);
    setCards({
      plans: dashboard.counts.audit_retry_plan_count,
      retryable: dashboard.counts.retryable_audit_delivery_count,
      runs: workers.run_count,
      dryRuns: workers.dry_run_count,
    });
    const select = $("deliver-provider");
    const current = select.value;
    select.replaceChildren(new Option("all", "all"));
    for (const p of providers.providers) select.append(new Option(`${p.name} (${p.category})`, p.name));
    select.value = [...select.options].some((o) => o.value === current) ? current : "all";
    renderHistory(history);
  } catch (error) {
    notice(`The API is not reachable (${error.message}). Switch to Preview to try the engine in your browser.`, "error");
  }
}

async function runAction(button, work) {
  button.disabled = true;
  notice("Working…");
  try {
    const result = await work();
    show(result);
    notice("Done.", "ok");
    return result;
  } catch (error) {
    notice(error.message, "error");
    return null;
  } finally {
    button.disabled = false;
  }
}

async function deliver(event) {
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
      generated_by: actor(),
      provider: $("deliver-provider").value,
      owner: $("deliver-owner").value,
      cadence: $("deliver-cadence").value,
      acknowledgements,
    }),
  );
  await refreshLive();
}

async function runWorker(event) {
  event.preventDefault();
  const result = await runAction($("run-audit-worker"), () =>
    api("POST", `${PREFIX}/worker-run`, {
      generated_by: actor(),
      dry_run: $("worker-dry-run").checked,
      max_retry_deliveries: Number($("worker-max").value),
      retry_policy: policy(),
      schedule: { interval_minutes: Number($("worker-interval").value) },
    }),
  );
  if (result) renderDecisions(result.run.retry_plan);
  await refreshLive();
}

async function ackRetry(d) {
  await runAction($("plan-audit-retry"), () =>
    api("POST", `${PREFIX}/retry-plans/${state.retryPlan.retry_plan_id}/acknowledgements`, {
      provider: d.provider, delivery_id: d.delivery_id, audit_id: d.audit_id,
      acknowledged_by: actor(), acknowledgement_state: "accepted",
    }),
  );
}

function renderApprovals(plan) {
  const body = $("approvals").querySelector("tbody");
  body.replaceChildren();
  for (const c of plan.approval_decisions) {
    const tr = document.createElement("tr");
    cell(tr, c.provider);
    cell(tr, c.delivery_id);
    cell(tr, c.action);
    const last = lastDecision(c);
    cell(tr, last ? last.state : c.approval_status || "none", last ? last.state : c.approval_status || "missing");
    const td = document.createElement("td");
    for (const [label, value, kind] of [["Approve", "approved", ""], ["Deny", "denied", "danger"], ["Defer", "deferred", "secondary"]]) {
      td.append(button(label, () => decide(plan, c, value), kind));
    }
    tr.append(td);
    body.append(tr);
  }
  $("approvals-summary").textContent =
    `${plan.approval_plan_id} (requested by ${plan.requested_by}): ${plan.approval_required_count} need approval, ` +
    `${plan.approved_count} already approved, ${plan.waiting_count} wait for a retry acknowledgement`;
}

async function planApproval() {
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

async function decide(plan, c, approvalState) {
  const result = await runAction($("plan-retry-approval"), () =>
    api("POST", `${PREFIX}/retry-execution-approval-plans/${plan.approval_plan_id}/decisions`, {
      provider: c.provider, delivery_id: c.delivery_id, audit_id: c.audit_id, retry_plan_id: c.retry_plan_id,
      decided_by: actor(), approval_state: approvalState,
    }),
  );
  if (result) {
    await refreshLive();
    renderApprovals(plan);
  }
}

async function executeRetry() {
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
    api("POST", `${PREFIX}/worker-run`, { execute: true, generated_by: actor(), retry_policy: policy(),
      max_retry_deliveries: Number($("worker-max").value) }),
  );
  if (result) {
    const executed = result.retry_results.filter((r) => r.execution_record).length;
    notice(`Live run ${result.run.run_id}: ${result.run.summary.selected_retry_count} selected, ${executed} executed, ` +
      `${result.run.summary.approval_pending_count} waiting for approval.`, "ok");
    renderDecisions(result.run.retry_plan);
  }
  await refreshLive();
}

function renderExecutions(rows) {
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

function renderPlaybook(playbook) {
  const body = $("playbook").querySelector("tbody");
  body.replaceChildren();
  for (const p of playbook.provider_playbooks) {
    const tr = document.createElement("tr");
    cell(tr, p.provider);
    cell(tr, p.category);
    cell(tr, p.failure_count);
    cell(tr, p.status_codes.join(", "));
    const td = document.createElement("td");
    const form = document.createElement("div");
    form.className = "inline-form";
    const select = document.createElement("select");
    select.setAttribute("aria-label", `Closure state for ${p.provider}`);
    for (const s of ["resolved", "mitigated", "deferred", "escalated", "reopened"]) select.append(new Option(s, s));
    const refs = document.createElement("input");
    refs.placeholder = "verification refs (comma list)";
    refs.setAttribute("aria-label", `Verification references for ${p.provider}`);
    form.append(select, refs, button("Close Recovery", () => closeRecovery(playbook, p.provider, select.value, refs.value)));
    td.append(form);
    tr.append(td);
    body.append(tr);
  }
  $("playbook-steps").replaceChildren(...(playbook.provider_playbooks[0]?.recovery_steps || []).map((s) => {
    const li = document.createElement("li");
    li.textContent = s;
    return li;
  }));
  $("playbook-summary").textContent = `${playbook.playbook_id}: ${playbook.provider_count} provider(s), ${playbook.failure_count} failure(s)`;
}

async function recoveryPlaybook() {
  const result = await runAction($("recovery-playbook"), () =>
    api("POST", `${PREFIX}/connector-recovery-playbook`, {
      generated_by: actor(), min_failure_count: Number($("playbook-min").value), lookback_hours: Number($("playbook-lookback").value),
    }),
  );
  if (result) renderPlaybook(result.playbook);
}

async function closeRecovery(playbook, provider, closureState, refs) {
  await runAction($("recovery-playbook"), () =>
    api("POST", `${PREFIX}/connector-recovery-playbooks/${playbook.playbook_id}/closures`, {
      provider, closed_by: actor(), closure_state: closureState,
      verification_refs: refs.split(",").map((r) => r.trim()).filter(Boolean),
    }),
  );
  await refreshLive();
}

// ---- preview mode ----------------------------------------------------------------------

async function loadEngine() {
  if (state.engine) return state.engine;
  const module = await import("./pkg/cavra_engine.js");
  await module.default();
  state.engine = module;
  $("engine-version").textContent = `engine ${module.version()} (WebAssembly, in this browser)`;
  return module;
}

async function loadSample() {
  if (state.sample) return state.sample;
  const response = await fetch("sample.json");
  state.sample = await response.json();
  return state.sample;
}

async function planRetry(event) {
  event.preventDefault();
  if (state.mode === "live") {
    const result = await runAction($("plan-audit-retry"), () => api("POST", `${PREFIX}/retry-plan`, { generated_by: actor(), retry_policy: policy() }));
    if (result) renderDecisions(result.plan);
    await refreshLive();
    return;
  }
  const engine = await loadEngine();
  let items;
  try {
    items = JSON.parse($("preview-items").value);
  } catch {
    notice("The delivery metadata must be a JSON list of evidence rows.", "error");
    return;
  }
  const input = { items, params: { policy: policy(), generated_by: "console" }, now: $("preview-now").value };
  const answer = JSON.parse(engine.decide("retry-plan", JSON.stringify(input)));
  if (answer.error) {
    notice(`${answer.error.code}: ${answer.error.message}`, "error");
    show(answer);
    return;
  }
  show(answer.ok);
  renderDecisions(answer.ok);
  setCards({ plans: 1, retryable: answer.ok.retryable_count, runs: 0, dryRuns: 0 });
  notice("Planned in the browser (preview).", "ok");
}

async function setMode(mode) {
  state.mode = mode;
  document.body.classList.toggle("preview", mode === "preview");
  $("preview-banner").hidden = mode !== "preview";
  $("mode-live").setAttribute("aria-pressed", String(mode === "live"));
  $("mode-preview").setAttribute("aria-pressed", String(mode === "preview"));
  notice("");
  if (mode === "preview") {
    try {
      await loadEngine();
      const sample = await loadSample();
      if (!$("preview-items").value) $("preview-items").value = JSON.stringify(sample.items, null, 2);
      if (!$("preview-now").value) $("preview-now").value = sample.now;
      setCards({ plans: "–", retryable: "–", runs: "–", dryRuns: "–" });
    } catch (error) {
      notice(`The engine could not be loaded: ${error.message}`, "error");
    }
  } else {
    await refreshLive();
  }
}

$("mode-live").addEventListener("click", () => setMode("live"));
$("mode-preview").addEventListener("click", () => setMode("preview"));
$("deliver-form").addEventListener("submit", deliver);
$("retry-form").addEventListener("submit", planRetry);
$("worker-form").addEventListener("submit", runWorker);
$("plan-retry-approval").addEventListener("click", planApproval);
$("execute-retry").addEventListener("click", executeRetry);
$("recovery-playbook").addEventListener("click", recoveryPlaybook);
// Start in the requested mode; without one, live when a cavra API answers here, else preview
// (the console also works from any static file server).
async function start() {
  const requested = new URLSearchParams(location.search).get("mode");
  if (requested === "preview" || requested === "live") return setMode(requested);
  const reachable = await fetch("/healthz").then((r) => r.ok).catch(() => false);
  await setMode(reachable ? "live" : "preview");
  if (!reachable) notice("No cavra API answers here: showing Preview, computed in your browser.");
}
start();
