// Retry Recovery SLO: the report's rows (sortable, filterable, breaches highlighted), the
// provider summary and the closure-trend chart. The report itself comes from the engine
// (through the API, or in the browser in preview).

import { $, PREFIX, state, actor, api, cell, notice, runAction, show, text } from "./core.js";
import { decide, previewInput } from "./engine.js";

const COLUMNS = [
  ["provider", "Provider"], ["category", "Category"], ["playbook_id", "Playbook"], ["closure_state", "Closure state"],
  ["age_minutes", "Age (min)"], ["closure_minutes", "Closure (min)"], ["slo_status", "SLO"],
];
const STATES = [["resolved", "#1a7f37"], ["mitigated", "#2f8f9d"], ["deferred", "#8a5300"], ["escalated", "#b42318"], ["reopened", "#6e40c9"]];
const sorting = { key: null, descending: false };

function sloMinutes() {
  return Number($("report-slo").value) || 240;
}

export async function refreshReport() {
  const slo = sloMinutes();
  if (state.mode === "live") {
    const result = await runAction($("refresh-report"), () =>
      api("GET", `${PREFIX}/retry-recovery-report?recovery_slo_minutes=${encodeURIComponent(slo)}&generated_by=${encodeURIComponent(actor())}`));
    if (result) renderReport(result.report);
    return;
  }
  try {
    const { items, now } = previewInput();
    const report = await decide("retry-recovery-report", { items, params: { recovery_slo_minutes: slo, generated_by: "console" }, now });
    show(report);
    renderReport(report);
    notice("Report computed in the browser (preview).", "ok");
  } catch (error) {
    notice(error.message, "error");
  }
}

export function renderReport(report) {
  state.report = report;
  $("report-summary").textContent =
    `${report.report_id}: ${report.recovery_playbook_provider_count} recoveries, ${report.recovery_open_count} open, ` +
    `${report.recovery_slo_breached_count} past the ${report.recovery_slo_minutes}-minute SLO; ` +
    `${report.execution_count} executions, success rate ${report.execution_success_rate ?? "n/a"} (alert level ${report.alert_level})`;
  const filter = $("report-provider");
  const current = filter.value;
  filter.replaceChildren(new Option("all providers", ""));
  for (const p of report.provider_summary) filter.append(new Option(p.provider, p.provider));
  filter.value = [...filter.options].some((o) => o.value === current) ? current : "";
  renderRows();
  renderSummary(report.provider_summary);
  renderTrends(report.closure_trends);
}

function renderRows() {
  const report = state.report;
  if (!report) return;
  const provider = $("report-provider").value;
  let rows = report.recovery_rows.filter((r) => !provider || r.provider === provider);
  if (sorting.key) {
    const k = sorting.key;
    rows = [...rows].sort((a, b) => {
      const x = a[k] ?? "";
      const y = b[k] ?? "";
      const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return sorting.descending ? -order : order;
    });
  }
  const table = $("recovery-rows");
  for (const th of table.querySelectorAll("th[data-key]")) {
    th.setAttribute("aria-sort", th.dataset.key === sorting.key ? (sorting.descending ? "descending" : "ascending") : "none");
  }
  const body = table.querySelector("tbody");
  body.replaceChildren();
  for (const r of rows) {
    const tr = document.createElement("tr");
    if (r.slo_breached) tr.className = "row-breached";
    cell(tr, r.provider);
    cell(tr, r.category);
    cell(tr, r.playbook_id);
    cell(tr, r.closure_state, r.closure_state === "open" ? "open" : undefined);
    cell(tr, r.age_minutes);
    cell(tr, r.closure_minutes);
    cell(tr, r.slo_status, r.slo_status);
    body.append(tr);
  }
  $("report-count").textContent = `${rows.length} row(s)`;
}

export function setupReportTable() {
  const head = $("recovery-rows").querySelector("thead tr");
  head.replaceChildren();
  for (const [key, label] of COLUMNS) {
    const th = document.createElement("th");
    th.scope = "col";
    th.dataset.key = key;
    th.setAttribute("aria-sort", "none");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "sort";
    b.textContent = label;
    b.addEventListener("click", () => {
      sorting.descending = sorting.key === key ? !sorting.descending : false;
      sorting.key = key;
      renderRows();
    });
    th.append(b);
    head.append(th);
  }
  $("report-provider").addEventListener("change", renderRows);
}

function renderSummary(summary) {
  const body = $("provider-summary").querySelector("tbody");
  body.replaceChildren();
  for (const p of summary) {
    const tr = document.createElement("tr");
    for (const v of [p.provider, p.execution_count, p.execution_delivered_count, p.execution_failed_count + p.execution_skipped_count,
      p.recovery_playbook_count, p.recovery_closure_count, p.open_recovery_count, p.slo_breached_count, p.latest_execution_at, p.latest_closure_at]) {
      cell(tr, v);
    }
    body.append(tr);
  }
}

const SVG = "http://www.w3.org/2000/svg";

function svg(name, attrs, content) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (content !== undefined) el.textContent = content;
  return el;
}

/** Stacked bars of closures per UTC day, oldest on the left. */
function renderTrends(trends) {
  const chart = $("trend-chart");
  chart.replaceChildren();
  const days = [...trends].reverse();
  const width = 640;
  const height = 220;
  const pad = { left: 36, right: 12, top: 12, bottom: 48 };
  const max = Math.max(1, ...days.map((d) => d.closure_count));
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const slot = days.length ? plotW / days.length : plotW;
  chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
  chart.append(svg("title", {}, "Connector recovery closures per UTC day"));
  const described = days.map((d) => `${d.date}: ${d.closure_count}`).join(", ");
  chart.append(svg("desc", {}, days.length ? `Closures per day: ${described}` : "No closures yet"));
  chart.append(svg("line", { x1: pad.left, y1: pad.top + plotH, x2: width - pad.right, y2: pad.top + plotH, stroke: "#57606a" }));
  chart.append(svg("text", { x: 4, y: pad.top + 10, "font-size": 11, fill: "#57606a" }, text(max)));
  chart.append(svg("text", { x: 4, y: pad.top + plotH, "font-size": 11, fill: "#57606a" }, "0"));
  days.forEach((d, i) => {
    let y = pad.top + plotH;
    const x = pad.left + i * slot + slot * 0.15;
    for (const [s, color] of STATES) {
      const n = d[`${s}_count`] || 0;
      if (!n) continue;
      const h = (n / max) * plotH;
      y -= h;
      const rect = svg("rect", { x, y, width: slot * 0.7, height: h, fill: color, "data-state": s, "data-day": d.date });
      rect.append(svg("title", {}, `${d.date}: ${n} ${s}`));
      chart.append(rect);
    }
    chart.append(svg("text", { x: x + slot * 0.35, y: height - pad.bottom + 16, "font-size": 10, "text-anchor": "middle", fill: "#1b1f24" }, d.date.slice(5)));
  });
  STATES.forEach(([s, color], i) => {
    const lx = pad.left + i * 110;
    chart.append(svg("rect", { x: lx, y: height - 16, width: 10, height: 10, fill: color }));
    chart.append(svg("text", { x: lx + 14, y: height - 7, "font-size": 11, fill: "#1b1f24" }, s));
  });
}
