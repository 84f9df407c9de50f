// Preview: any engine function on the preview evidence, in the browser (SPEC §13's params).

import { $, notice, show } from "./core.js";
import { decide, loadEngine, previewInput } from "./engine.js";

/** Example params per function (the original builders' arguments). */
const EXAMPLES = {
  "retry-plan": { policy: { max_retry_attempts: 3, retry_delay_minutes: 15, backoff_multiplier: 2 } },
  "worker-run": { dry_run: true, max_retry_deliveries: 5, schedule: { interval_minutes: 60 } },
  "worker-dashboard": {},
  "retry-execution-approval-plan": { policy: { require_retry_ack: true } },
  "connector-recovery-playbook": { min_failure_count: 2, lookback_hours: 24 },
  "retry-recovery-report": { recovery_slo_minutes: 240 },
  "recovery-escalation-plan": { recovery_slo_minutes: 240 },
  "recovery-executive-report": { recovery_slo_minutes: 240 },
  "recovery-escalation-retry-health": { expected_interval_minutes: 30, stale_metadata_minutes: 120 },
  "executive-report-delivery-retry-plan": { policy: { max_retry_attempts: 3, retry_delay_minutes: 30 } },
};

function example() {
  $("decision-params").value = JSON.stringify(EXAMPLES[$("decision-function").value] || {}, null, 2);
}

async function run(event) {
  event.preventDefault();
  try {
    const { items, now } = previewInput();
    let params;
    try {
      params = JSON.parse($("decision-params").value || "{}");
    } catch {
      throw new Error("Params must be a JSON object.");
    }
    const fn = $("decision-function").value;
    const result = await decide(fn, { items, params: { generated_by: "console", ...params }, now });
    show(result);
    const level = result.alert_level ? `, alert level ${result.alert_level}` : "";
    $("decision-summary").textContent = `${fn}: computed in this browser${level}. The full record is under Last result.`;
    notice(`${fn} computed in the browser (preview).`, "ok");
  } catch (error) {
    $("decision-summary").textContent = `Refused: ${error.message}`;
    notice(error.message, "error");
  }
}

export async function setupPlayground() {
  const engine = await loadEngine();
  const select = $("decision-function");
  if (!select.options.length) for (const fn of engine.functions()) select.append(new Option(fn, fn));
  if (!$("decision-params").value) example();
}

export function wirePlayground() {
  $("decision-function").addEventListener("change", example);
  $("decision-form").addEventListener("submit", run);
}
