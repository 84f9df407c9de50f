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
