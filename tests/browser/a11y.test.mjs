// Accessibility basics and SPEC §14's action list: every form control has a label, actions are
// real buttons with names, the keyboard reaches and runs the main actions with a visible focus.

import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, staticServer, startRunner, newPage, signIn } from "./lib.mjs";

// SPEC §14: the actions the console offers (static buttons; row buttons are checked below).
const ACTIONS = [
  "Deliver Ack Audit", "Plan Audit Retry", "Run Audit Worker", "Plan Retry Approval", "Recovery Playbook",
  "Execute Retry", "Retry Recovery Report", "Plan Escalation", "Deliver Escalation", "Acknowledge Escalation",
  "Run Escalation Retry Worker", "Retry Health", "Send Alert", "Send Worker Alert", "Schedule Executive Report", "Deliver Executive Report",
  "Plan Executive Retry", "Verify Evidence", "Fetch and Verify Export",
];
const CARDS = ["Audit retry plans", "Retryable audit deliveries", "Worker runs", "Worker dry-runs"];

/** Controls without a label, aria-label or aria-labelledby (hidden ones included). */
function unlabeled() {
  return [...document.querySelectorAll("input, select, textarea")]
    .filter((el) => el.type !== "hidden")
    .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
    .map((el) => el.id || el.outerHTML.slice(0, 80));
}

/** Clickable things that are not buttons or links, and buttons without a name. */
function fakeButtons() {
  const fake = [...document.querySelectorAll("[onclick], [role=button], div[tabindex], span[tabindex]")].map((el) => el.outerHTML.slice(0, 80));
  const nameless = [...document.querySelectorAll("button")].filter((b) => !b.textContent.trim() && !b.getAttribute("aria-label")).map((b) => b.outerHTML.slice(0, 80));
  return [...fake, ...nameless];
}

test("every control is labelled and SPEC §14's actions and cards are there", async () => {
  const runner = await startRunner();
  const browser = await launch();
  try {
    const { page, errors } = await newPage(browser);
    await page.goto(`${runner.url}/?mode=live`);
    await signIn(page, runner.tokens.admin);
    const buttons = await page.$$eval("button", (bs) => bs.map((b) => b.textContent.trim()));
    for (const action of ACTIONS) assert.ok(buttons.includes(action), `missing action ${action}`);
    const cards = await page.$$eval(".card-label", (ls) => ls.map((l) => l.textContent.trim()));
    for (const card of CARDS) assert.ok(cards.includes(card), `missing card ${card}`);
    assert.ok(await page.$("#report-provider"), "the report's provider filter");
    assert.ok(await page.$("#history-filter"), "the worker history filter");
    assert.ok(await page.$("#trend-chart[role=img]"), "the closure trend chart");

    // Rows bring their own actions (Ack Retry, Approve Retry, Close Recovery): run the flow up to them.
    await page.waitForFunction(() => document.querySelectorAll("#deliver-provider option").length > 1);
    await page.click("#deliver-ack-audit");
    await page.waitForFunction(() => document.getElementById("notice").textContent === "Done.");
    await page.check("#policy-immediate");
    await page.fill("#policy-delay", "0");
    await page.click("#plan-audit-retry");
    await page.waitForSelector("#decisions tbody tr button:has-text('Ack Retry')");
    await page.click("#decisions tbody tr button:has-text('Ack Retry')");
    await page.waitForFunction(() => document.getElementById("notice").textContent === "Done.");
    await page.click("#plan-retry-approval");
    await page.waitForSelector("#approvals tbody tr button:has-text('Approve Retry')");
    await page.fill("#playbook-min", "1");
    await page.click("#recovery-playbook");
    await page.waitForSelector("#playbook tbody tr button:has-text('Close Recovery')");

    // A 4xx names its cause; a progress bar shows while an action runs.
    await page.fill("#playbook-lookback", "0");
    await page.click("#recovery-playbook");
    await page.waitForSelector("#notice.error");
    assert.match(await page.textContent("#notice"), /^400 \w+: .*lookback_hours/);
    await page.route("**/worker-run", async (route) => { await new Promise((ok) => setTimeout(ok, 400)); await route.continue(); });
    await page.click("#run-audit-worker");
    await page.waitForSelector("#worker-form progress.busy");
    assert.equal(await page.getAttribute("#run-audit-worker", "aria-busy"), "true");
    await page.waitForFunction(() => !document.querySelector("progress.busy"));

    assert.deepEqual(await page.evaluate(unlabeled), [], "unlabeled controls (live)");
    assert.deepEqual(await page.evaluate(fakeButtons), [], "non-button clickables or nameless buttons");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await runner.stop();
  }
});

test("the keyboard reaches and runs the main actions in preview, with a visible focus", async () => {
  const server = await staticServer();
  const browser = await launch();
  try {
    const { page, errors } = await newPage(browser);
    await page.goto(`${server.url}/?mode=preview`);
    await page.waitForFunction(() => document.getElementById("preview-items").value.length > 0);
    assert.deepEqual(await page.evaluate(unlabeled), [], "unlabeled controls (preview)");
    const reached = new Set();
    let outlineOnButtons = true;
    for (let i = 0; i < 80; i += 1) {
      await page.keyboard.press("Tab");
      const focus = await page.evaluate(() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return { id: el.id || el.className, tag: el.tagName, outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0 };
      });
      reached.add(focus.id);
      if (focus.tag === "BUTTON" && !focus.outline) outlineOnButtons = false;
    }
    for (const id of ["skip", "mode-live", "mode-preview", "policy-max", "plan-audit-retry", "refresh-report", "verify-file", "verify-evidence"]) {
      assert.ok(reached.has(id), `Tab never reaches ${id} (reached: ${[...reached].join(", ")})`);
    }
    assert.ok(outlineOnButtons, "a focused button shows no outline");

    // Enter on a focused button runs it.
    await page.focus("#plan-audit-retry");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#decisions tbody tr");
    await page.focus("#verify-evidence");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => /Nothing to verify/.test(document.getElementById("verify-result").textContent));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
