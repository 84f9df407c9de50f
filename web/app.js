// Evidence Console: live mode calls the cavra API; preview mode runs the engine's WebAssembly
// build in the browser. No decision is computed in JavaScript.

import { $, PREFIX, state, hooks, api, notice, text } from "./js/core.js";
import { loadEngine, loadSample } from "./js/engine.js";
import { deliver, planRetry, policy, renderDecisions, renderHistory, runWorker, setCards } from "./js/audit.js";
import { executeRetry, planApproval, renderExecutions } from "./js/approvals.js";
import { recoveryPlaybook } from "./js/recovery.js";
import { refreshReport, setupReportTable } from "./js/report.js";
import { renderOperationCounts, wireOperations } from "./js/operations.js";
import { wireEvidence } from "./js/evidence.js";
import { setupPlayground, wirePlayground } from "./js/playground.js";

function renderDashboard(counts) {
  const cards = {
    "dash-executions": counts.retry_execution_count,
    "dash-open": counts.recovery_open_count,
    "dash-playbooks": counts.recovery_playbook_count,
    "dash-closures": counts.recovery_closure_count,
    "dash-approvals": Object.values(counts.approval_decision_counts || {}).reduce((a, b) => a + b, 0),
    "dash-evidence": counts.evidence_record_count,
  };
  for (const [id, value] of Object.entries(cards)) $(id).textContent = text(value);
  renderOperationCounts(counts);
}

async function refreshSession() {
  const who = await api("GET", `${PREFIX}/whoami`).catch(() => null);
  const el = $("whoami");
  const off = who && who.auth === "off";
  $("actor-label").hidden = !off;
  $("token-label").hidden = off;
  el.className = off ? "whoami off" : "whoami";
  el.textContent = off ? "Authentication is OFF (demo mode)" : who ? `Signed in as ${who.actor} (${who.role})` : "Not signed in";
  return who;
}

async function refreshLive() {
  if (!(await refreshSession())) {
    notice("Paste an access token to use the live API (cavra up prints one per role), or switch to Preview.", "error");
    return;
  }
  try {
    const [dashboard, workers, providers, history, decisions, executions] = await Promise.all([
      api("GET", `${PREFIX}/dashboard`),
      api("GET", `${PREFIX}/worker-dashboard`),
      api("GET", `${PREFIX}/providers`),
      api("GET", `${PREFIX}/worker-runs?limit=20${$("history-filter").value ? `&dry_run=${$("history-filter").value}` : ""}`),
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
    renderDashboard(dashboard.counts);
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
hooks.refresh = refreshLive;

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
      await setupPlayground();
      setCards({ plans: "–", retryable: "–", runs: "–", dryRuns: "–" });
    } catch (error) {
      notice(`The engine could not be loaded: ${error.message}`, "error");
    }
  } else {
    await refreshLive();
  }
}

$("token").value = sessionStorage.getItem("cavra-token") || "";
$("token").addEventListener("change", async () => {
  sessionStorage.setItem("cavra-token", $("token").value.trim());
  await refreshLive();
});
$("mode-live").addEventListener("click", () => setMode("live"));
$("mode-preview").addEventListener("click", () => setMode("preview"));
$("deliver-form").addEventListener("submit", deliver);
$("retry-form").addEventListener("submit", planRetry);
$("worker-form").addEventListener("submit", runWorker);
$("plan-retry-approval").addEventListener("click", planApproval);
$("execute-retry").addEventListener("click", () => executeRetry(policy, renderDecisions));
$("recovery-playbook").addEventListener("click", recoveryPlaybook);
$("refresh-report").addEventListener("click", refreshReport);
setupReportTable();
wireOperations();
wireEvidence();
wirePlayground();
$("history-filter").addEventListener("change", refreshLive);

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
