// Live mode against the real runner with its demo sink: deliver, plan, dry-run the worker.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launch, startRunner, newPage, ARTIFACTS } from "./lib.mjs";

test("the seed 002 operator flow works in live mode", async () => {
  const runner = await startRunner();
  const browser = await launch();
  try {
    const { page, errors, failedLoads } = await newPage(browser);
    await page.goto(`${runner.url}/`);
    await page.waitForFunction(() => document.querySelectorAll("#deliver-provider option").length > 1);
    await page.selectOption("#deliver-provider", "webhook");
    await page.click("#deliver-ack-audit");
    await page.waitForFunction(() => document.getElementById("notice").textContent === "Done.");
    const delivery = JSON.parse(await page.textContent("#result"));
    assert.equal(delivery.success, false, "the demo sink fails deliveries");

    await page.check("#policy-immediate");
    await page.fill("#policy-delay", "0");
    await page.click("#plan-audit-retry");
    await page.waitForSelector("#decisions tbody tr");
    assert.equal(await page.textContent("#decisions tbody tr td:nth-child(3)"), "retry");

    await page.click("#run-audit-worker");
    await page.waitForFunction(() => document.querySelectorAll("#worker-history tbody tr").length === 1);
    assert.equal(await page.textContent("#worker-history tbody tr td:nth-child(3)"), "dry run");
    await page.waitForFunction(() => document.getElementById("card-dry-runs").textContent === "1");
    assert.equal(await page.textContent("#card-worker-runs"), "1");
    assert.equal(await page.textContent("#card-retry-plans"), "2");
    const html = await page.content();
    assert.ok(!html.includes("/demo-sink"), "no connector URL is rendered");
    await page.screenshot({ path: join(ARTIFACTS, "live.png"), fullPage: true });
    assert.deepEqual(errors, []);
    assert.deepEqual(failedLoads, []);
  } finally {
    await browser.close();
    await runner.stop();
  }
});
