// Preview mode: the console served by a plain static file server (no cavra running) plans
// retries in the browser through the engine's WebAssembly build.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launch, staticServer, newPage, ARTIFACTS } from "./lib.mjs";

test("Plan Audit Retry runs in the browser on the sample data", async () => {
  const server = await staticServer();
  const browser = await launch();
  try {
    const { page, errors } = await newPage(browser);
    await page.goto(`${server.url}/`);
    // No API on a static server: the console falls back to preview by itself.
    await page.waitForFunction(() => document.getElementById("preview-items").value.length > 0);
    assert.equal(await page.getAttribute("#mode-preview", "aria-pressed"), "true");
    assert.equal(await page.isVisible("#preview-banner"), true);
    assert.equal(await page.isVisible("#deliver-form"), false, "live-only actions are hidden in preview");
    await page.click("#plan-audit-retry");
    await page.waitForSelector("#decisions tbody tr");
    const rows = await page.$$eval("#decisions tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    const byProvider = Object.fromEntries(rows.map((r) => [r[0], r[2]]));
    assert.deepEqual(byProvider, { splunk: "retry", jira: "wait", servicenow: "suppress" });
    const plan = JSON.parse(await page.textContent("#result"));
    assert.match(plan.retry_plan_id, /^gordackretry-[0-9a-f]{16}$/);
    assert.equal(plan.generated_at, "2026-11-23T10:00:00+00:00");
    assert.equal(await page.textContent("#card-retryable"), "1");

    // A bad policy is refused by the engine with a clear message, as the server would.
    await page.fill("#policy-max", "0");
    await page.click("#plan-audit-retry");
    await page.waitForSelector("#notice.error");
    assert.match(await page.textContent("#notice"), /invalid_field: `params.policy.max_retry_attempts` must be between 1 and 25/);
    await page.screenshot({ path: join(ARTIFACTS, "preview.png"), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});

test("Run Engine Decision runs any engine function on the preview evidence", async () => {
  const server = await staticServer();
  const browser = await launch();
  try {
    const { page, errors } = await newPage(browser);
    await page.goto(`${server.url}/?mode=preview`);
    await page.waitForFunction(() => document.querySelectorAll("#decision-function option").length === 10);
    // No escalation retry worker has run in the sample: health is critical, with that alert.
    await page.selectOption("#decision-function", "recovery-escalation-retry-health");
    assert.match(await page.inputValue("#decision-params"), /"expected_interval_minutes": 30/);
    await page.click("#run-decision");
    await page.waitForFunction(() => /alert level/.test(document.getElementById("decision-summary").textContent));
    const health = JSON.parse(await page.textContent("#result"));
    assert.equal(health.alert_level, "critical");
    assert.ok(health.alerts.some((a) => a.category === "missed_recovery_escalation_retry_worker"));
    assert.equal(health.generated_at, "2026-11-23T10:00:00+00:00");

    // The escalation plan routes the sample's open and breached recoveries.
    await page.selectOption("#decision-function", "recovery-escalation-plan");
    await page.click("#run-decision");
    await page.waitForFunction(() => /^recovery-escalation-plan/.test(document.getElementById("decision-summary").textContent));
    const plan = JSON.parse(await page.textContent("#result"));
    assert.match(plan.plan_id, /^gordack\w+-[0-9a-f]{16}$/);
    assert.ok(plan.alert_level !== "healthy", "the sample has open recoveries to route");

    // Bad params are refused with the engine's message.
    await page.fill("#decision-params", '{"recovery_slo_minutes": 0}');
    await page.click("#run-decision");
    await page.waitForFunction(() => /^Refused/.test(document.getElementById("decision-summary").textContent));
    assert.match(await page.textContent("#decision-summary"), /recovery_slo_minutes/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
