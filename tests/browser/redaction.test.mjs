// SPEC §11 in the console: the secrets corpus (tests/redaction/corpus.txt) is planted through the
// console's own form and through the API, then every live panel is rendered and the page, its
// text and the last-result pane are scanned: no needle may appear.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { launch, startRunner, newPage, signIn, ROOT, P } from "./lib.mjs";

async function corpus() {
  const text = await readFile(join(ROOT, "tests", "redaction", "corpus.txt"), "utf8");
  const unescape = (s) => s.replace(/\\(n|\\)/g, (_, c) => (c === "n" ? "\n" : "\\"));
  return text
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [category, needle, body] = l.split("\t");
      return { category, needle: unescape(needle), text: unescape(body) };
    });
}

/** A shape that fits the field, else a harmless reference (the field would refuse it). */
const fit = (text, max) => ([...text].length <= max ? text : "JIRA-123");

test("no secret of the corpus is ever rendered by the console", async () => {
  const shapes = await corpus();
  assert.ok(shapes.length >= 100, `${shapes.length} shapes`);
  const runner = await startRunner();
  const browser = await launch();
  const api = async (role, path, body) => {
    const r = await fetch(`${runner.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${runner.tokens[role]}` },
      body: JSON.stringify(body),
    });
    const json = await r.json();
    assert.equal(r.status, 200, JSON.stringify(json));
    return json;
  };
  try {
    const { page, errors } = await newPage(browser);
    const done = () => page.waitForFunction(() => document.getElementById("notice").textContent === "Done.");
    await page.goto(`${runner.url}/`);
    await signIn(page, runner.tokens.admin);
    await page.waitForFunction(() => document.querySelectorAll("#deliver-provider option").length > 1);

    // 1. Through the console's form: one acknowledgement route per shape, plus a plain control.
    const routes = shapes.map((s, i) => ({ schedule_id: "drill-weekly", provider: "webhook", route_id: `route-${i}`,
      acknowledgement_state: "acknowledged", notes: fit(s.text, 2000), external_ref: fit(s.text, 256) }));
    routes.push({ schedule_id: "drill-weekly", provider: "webhook", route_id: "control", notes: "control OPS-4242 kept" });
    await page.fill("#deliver-acks", JSON.stringify(routes));
    await page.click("#deliver-ack-audit");
    await done();
    const shown = await page.textContent("#result");
    assert.ok(shown.includes("control OPS-4242 kept"), "the result pane shows the planted notes field");
    const scans = [await page.content(), await page.evaluate(() => document.body.innerText)];

    // 2. Through the API: retry acknowledgements, a playbook and closures with every shape.
    const plan = await api("operator", `${P}/retry-plan`, { retry_policy: { allow_immediate_retry: true } });
    const decision = plan.plan.retry_decisions[0];
    for (const s of shapes) {
      await api("operator", `${P}/retry-plans/${plan.plan.retry_plan_id}/acknowledgements`, {
        provider: decision.provider, delivery_id: decision.delivery_id, audit_id: decision.audit_id,
        acknowledgement_state: "accepted", notes: fit(s.text, 2000), external_ref: fit(s.text, 256) });
    }
    const playbook = await api("operator", `${P}/connector-recovery-playbook`, { min_failure_count: 1 });
    const { playbook_id } = playbook.playbook;
    const provider = playbook.playbook.provider_playbooks[0].provider;
    for (const s of shapes) {
      await api("operator", `${P}/connector-recovery-playbooks/${playbook_id}/closures`, {
        provider, closure_state: "mitigated", notes: fit(s.text, 2000), external_ref: fit(s.text, 256),
        verification_refs: ["JIRA-123", fit(s.text, 256)] });
    }

    // 3. Render every live panel again from the store: reload, sign in, fetch the export.
    await page.reload();
    await signIn(page, runner.tokens.admin);
    await page.waitForFunction(() => !["–", "0"].includes(document.getElementById("dash-closures").textContent));
    await page.click("#verify-fetch");
    await page.waitForFunction(() => /Chain intact/.test(document.getElementById("verify-result").textContent));

    scans.push(await page.content(), await page.evaluate(() => document.body.innerText));
    const leaks = shapes.filter((s) => scans.some((scan) => scan.includes(s.needle)));
    assert.deepEqual(leaks.map((s) => `${s.category}: ${s.needle}`), [], "needles rendered by the console");
    const bytes = scans.reduce((n, scan) => n + scan.length, 0);
    console.log(`console: ${shapes.length} shapes planted (form and API), ${bytes} characters of page scanned, 0 leaks`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await runner.stop();
  }
});
