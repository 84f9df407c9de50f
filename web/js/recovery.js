// Connector recovery playbooks and closures.

import { $, PREFIX, hooks, actor, api, button, cell, runAction } from "./core.js";

export function renderPlaybook(playbook) {
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

export async function recoveryPlaybook() {
  const result = await runAction($("recovery-playbook"), () =>
    api("POST", `${PREFIX}/connector-recovery-playbook`, {
      generated_by: actor(), min_failure_count: Number($("playbook-min").value), lookback_hours: Number($("playbook-lookback").value),
    }),
  );
  if (result) renderPlaybook(result.playbook);
  await hooks.refresh();
}

async function closeRecovery(playbook, provider, closureState, refs) {
  await runAction($("recovery-playbook"), () =>
    api("POST", `${PREFIX}/connector-recovery-playbooks/${playbook.playbook_id}/closures`, {
      provider, closed_by: actor(), closure_state: closureState,
      verification_refs: refs.split(",").map((r) => r.trim()).filter(Boolean),
    }),
  );
  await hooks.refresh();
}
