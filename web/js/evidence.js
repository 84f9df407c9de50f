// Verify Evidence: checks an exported hash chain (JSON Lines) with the engine's WebAssembly
// build, in this browser. Nothing is uploaded; in live mode the export can be fetched first.

import { $, PREFIX, notice, token } from "./core.js";
import { loadEngine } from "./engine.js";

/** Runs the engine's verifier on JSON Lines text and shows the verdict. */
export async function verifyText(text, source) {
  const out = $("verify-result");
  if (!text.trim()) {
    out.className = "verify-result bad";
    out.textContent = "Nothing to verify: choose an exported .jsonl file or paste its lines.";
    return null;
  }
  const engine = await loadEngine();
  const v = JSON.parse(engine.verifyExport(text));
  out.replaceChildren();
  const title = document.createElement("strong");
  const detail = document.createElement("span");
  if (v.ok) {
    out.className = "verify-result ok";
    title.textContent = `Chain intact: ${v.count} records verified`;
    detail.textContent = ` (${source}). Head ${v.head}`;
  } else {
    out.className = "verify-result bad";
    title.textContent = `Chain broken at sequence ${v.first_bad_seq}`;
    detail.textContent = `: ${v.error}. ${v.count} records before it verified (${source}).`;
  }
  out.append(title, detail);
  out.dataset.ok = String(v.ok);
  out.dataset.firstBadSeq = v.first_bad_seq ?? "";
  out.dataset.count = String(v.count);
  return v;
}

async function fromFile() {
  const file = $("verify-file").files[0];
  if (!file) return;
  const text = await file.text();
  // Small files are shown for inspection and editing; large ones are verified as they are.
  $("verify-text").value = text.length <= 2_000_000 ? text : "";
  await verifyText(text, `file ${file.name}`);
}

async function fromApi(event) {
  const btn = event.currentTarget;
  btn.disabled = true;
  btn.setAttribute("aria-busy", "true");
  notice("Fetching the evidence export…");
  try {
    const headers = token() ? { authorization: `Bearer ${token()}` } : {};
    const response = await fetch(`${PREFIX}/evidence/export`, { headers });
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = JSON.parse(text).error.message;
      } catch { /* plain text */ }
      throw new Error(`${response.status}: ${message}${response.status === 401 ? " Paste an access token in the header." : ""}`);
    }
    $("verify-text").value = text.length <= 2_000_000 ? text : "";
    await verifyText(text, "fetched from this API");
    notice("Export fetched and verified in this browser.", "ok");
  } catch (error) {
    notice(`The export could not be fetched: ${error.message}`, "error");
  } finally {
    btn.disabled = false;
    btn.removeAttribute("aria-busy");
  }
}

export function wireEvidence() {
  $("verify-file").addEventListener("change", () => fromFile().catch((e) => notice(e.message, "error")));
  $("verify-evidence").addEventListener("click", () => verifyText($("verify-text").value, "pasted").catch((e) => notice(e.message, "error")));
  $("verify-fetch").addEventListener("click", fromApi);
}
