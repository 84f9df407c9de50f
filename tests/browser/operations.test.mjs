// The seed 001 and 004 operator flows in live mode against the real runner and its demo sink.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launch, startRunner, newPage, signIn, ARTIFACTS } from "./lib.mjs";

test("escalation, retry health, alerts and the executive report from the console", async () => {
  const runner = await startRunner();
  const browser = await launch();
  try {
    const { page, errors } = await newPage(browser);
    const click = async (selector) => {
      await page.click(selector);
      await page.waitForFunction(() => !document.getElementById("notice").textContent.startsWith("Working"));
    };
    await page.goto(`${runner.url}/`);
    await signIn(page, runner.tokens.admin);
    await page.waitForFunction(() => document.querySelectorAll("#deliver-provider option").length > 1);
    // A failed live retry: deliver, plan, acknowledge, approve (as someone else), execute.
    await click("#deliver-ack-audit");
    await page.check("#policy-immediate");
    await page.fill("#policy-delay", "0");
    await click("#plan-audit-retry");
    await click("#decisions tbody tr button:has-text('Ack Retry')");
    await click("#plan-retry-approval");
    await signIn(page, runner.tokens.approver);
    await click("#approvals tbody tr button:has-text('Approve')");
    await signIn(page, runner.tokens.admin);
    await page.click("#execute-retry");
    await click("#execute-retry");
    await page.waitForSelector("#executions tbody tr");
    assert.equal(await page.textContent("#executions tbody tr td:nth-child(4)"), "failed");
    await page.fill("#playbook-min", "1");
    await click("#recovery-playbook");

    // Escalation: plan, deliver (the demo sink fails), live retry without acknowledgement.
    await click("#plan-escalation");
    await page.waitForSelector("#escalation-routes tbody tr");
    assert.match(await page.textContent("#escalation-summary"), /critical/);
    await click("#deliver-escalation");
    assert.match(await page.textContent("#notice"), /failed to deliver/);
    await page.uncheck("#escalation-dry-run");
    await click("#run-escalation-worker");
    assert.match(await page.textContent("#notice"), /0 selected, 1 waiting for acknowledgement/);
    await click("#retry-health");
    assert.match(await page.textContent("#health-summary"), /1 acknowledgement gap/);
    assert.ok((await page.$$eval("#health-alerts li", (lis) => lis.length)) > 0);

    // Acknowledge and alert.
    await click("#acknowledge-escalation");
    await click("#send-alert");
    assert.match(await page.textContent("#notice"), /Alert sent to webhook|No alert sent/);
    await page.check("#alert-force");
    await click("#send-alert");
    assert.match(await page.textContent("#notice"), /Alert sent to webhook/);
    // The audit worker's own health alert (forced: the worker has never run, so it is missed).
    await click("#send-worker-alert");
    assert.match(await page.textContent("#notice"), /Alert sent to webhook/);

    // Executive report: schedule, deliver (fails), plan its retry.
    await click("#schedule-executive");
    assert.match(await page.textContent("#executive-summary"), /leadership attention|operating tolerances/);
    assert.ok((await page.$$eval("#executive-risks li", (lis) => lis.length)) > 0);
    await click("#deliver-executive");
    await click("#plan-executive-retry");
    await page.waitForSelector("#executive-decisions tbody tr");
    assert.equal(await page.textContent("#executive-decisions tbody tr td:nth-child(3)"), "wait");
    await page.waitForFunction(() => document.getElementById("dash-escalations").textContent !== "–");
    assert.equal(await page.textContent("#dash-escalations"), "1");
    const html = await page.content();
    assert.ok(!html.includes("/demo-sink"), "no connector URL is rendered");
    await page.screenshot({ path: join(ARTIFACTS, "live-operations.png"), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await runner.stop();
  }
});
