// Shared helpers: DOM, formatting, the API client and the page state.

export const PREFIX = "/runtime/go-pilot/rollback-drill-notifications/acknowledgements/audit-delivery";
export const $ = (id) => document.getElementById(id);
export const state = {
  mode: "live", engine: null, sample: null, retryPlan: null, decisions: [], executions: [], report: null,
};
/** Late-bound actions (set by app.js) so modules can refresh without importing each other. */
export const hooks = { refresh: async () => {} };

export const actor = () => $("actor").value.trim() || "console";
export const keyOf = (d) => `${d.provider}|${d.delivery_id}|${d.audit_id}`;

export function button(label, onClick, kind = "") {
  const b = document.createElement("button");
  b.type = "button";
  b.className = `action small ${kind}`;
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

export function notice(text, kind = "") {
  const el = $("notice");
  el.textContent = text;
  el.className = `notice ${kind}`;
}

export function show(value) {
  $("result").textContent = JSON.stringify(value, null, 2);
}

export function text(value) {
  return value === null || value === undefined ? "" : String(value);
}

export function cell(row, value, badge) {
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
  return td;
}

/** The bearer token of this tab (sessionStorage: gone when the tab closes). */
export function token() {
  return sessionStorage.getItem("cavra-token") || "";
}

export async function api(method, path, body) {
  const options = { method, headers: { accept: "application/json" } };
  if (token()) options.headers.authorization = `Bearer ${token()}`;
  if (body !== undefined) {
    options.headers["content-type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = data.error || {};
    const hint = response.status === 401 ? " Paste an access token (cavra up prints them) in the header."
      : response.status === 403 ? " Your token's role may not do this."
      : response.status === 404 ? " The record does not exist (plan or refresh first)."
      : response.status === 409 ? " The record's state does not allow this now."
      : response.status === 413 ? " The request is too large." : "";
    const field = error.field ? ` (field ${error.field})` : "";
    throw new Error(`${response.status} ${error.code || "error"}: ${error.message || "request failed"}${field}.${hint}`);
  }
  return data;
}

/** Runs an action: the button is disabled and a progress bar shows until the answer arrives. */
export async function runAction(btn, work) {
  btn.disabled = true;
  btn.setAttribute("aria-busy", "true");
  const progress = document.createElement("progress");
  progress.className = "busy";
  progress.setAttribute("aria-label", `${btn.textContent} in progress`);
  btn.after(progress);
  notice(`Working: ${btn.textContent}…`);
  try {
    const result = await work();
    show(result);
    notice("Done.", "ok");
    return result;
  } catch (error) {
    notice(error.message, "error");
    return null;
  } finally {
    progress.remove();
    btn.disabled = false;
    btn.removeAttribute("aria-busy");
  }
}
