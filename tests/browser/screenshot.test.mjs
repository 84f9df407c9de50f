// The README picture: the console in live mode after a short seeded flow against the real runner
// (demo sink), saved to artifacts/browser/console.png; with CAVRA_BLESS=1 also to docs/console.png
// (ids differ per run, so the committed picture changes only when asked to).

import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFile, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { launch, startRunner, newPage, signIn, ARTIFACTS, ROOT } from "./lib.mjs";

test("docs/console.png shows the console after a seeded flow", async () => {
  const runner = await startRunner();
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const done = async (selector) => {
      await page.click(selector);
      await page.waitForFunction(() => !document.querySelector("progress.busy") && !document.getElementById("notice").textContent.startsWith("Working"));
    };
    await page.goto(`${runner.url}/?mode=live`);
    await signIn(page, runner.tokens.admin);
    await page.waitForFunction(() => document.querySelectorAll("#deliver-provider option").length > 1);
    await done("#deliver-ack-audit");
    await done("#deliver-ack-audit");
    await page.check("#policy-immediate");
    await page.fill("#policy-delay", "0");
    await done("#plan-audit-retry");
    await done("#run-audit-worker");
    await page.fill("#playbook-min", "1");
    await done("#recovery-playbook");
    await done("#refresh-report");
    await page.waitForFunction(() => document.getElementById("card-dry-runs").textContent === "1");
    assert.equal(await page.textContent("#card-worker-runs"), "1");
    assert.equal(await page.textContent("#decisions tbody tr td:nth-child(3)"), "retry");
    await page.evaluate(() => window.scrollTo(0, 0));
    const target = join(ARTIFACTS, "console.png");
    await page.screenshot({ path: target, clip: { x: 0, y: 0, width: 1280, height: 900 } });
    if (process.env.CAVRA_BLESS === "1") await copyFile(target, join(ROOT, "docs", "console.png"));
    const png = await readFile(target);
    assert.equal(png.subarray(1, 4).toString(), "PNG");
    const { size } = await stat(target);
    assert.ok(size < 400 * 1024, `console.png is ${size} bytes`);
    console.log(`console.png: ${size} bytes`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await runner.stop();
  }
});
