// Verify Evidence: the chain exported by a real runner is checked in Chromium by the engine's
// WebAssembly build; an edited field and two swapped lines are caught at the right sequence.

import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, startRunner, staticServer, newPage, signIn, P } from "./lib.mjs";

async function verdict(page) {
  await page.waitForFunction(() => document.getElementById("verify-result").dataset.ok !== undefined);
  return page.$eval("#verify-result", (el) => ({ ...el.dataset, text: el.textContent, role: el.getAttribute("role"), live: el.getAttribute("aria-live") }));
}

async function verifyPasted(page, text) {
  await page.$eval("#verify-result", (el) => { delete el.dataset.ok; });
  await page.fill("#verify-text", text);
  await page.click("#verify-evidence");
  return verdict(page);
}

test("an exported chain verifies in the browser; edits and reorders name the first bad entry", async () => {
  const runner = await startRunner();
  const browser = await launch();
  try {
    // Evidence from a real flow: a failed delivery through the demo sink, then a retry plan.
    const auth = { authorization: `Bearer ${runner.tokens.operator}` };
    for (const [path, data] of [[P, { provider: "webhook", generated_by: "ops" }], [`${P}/retry-plan`, { retry_policy: { allow_immediate_retry: true } }]]) {
      const r = await fetch(`${runner.url}${path}`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(data) });
      assert.equal(r.status, 200, await r.text());
    }
    const { page, errors } = await newPage(browser);
    await page.goto(`${runner.url}/?mode=live`);
    await signIn(page, runner.tokens.viewer);
    await page.click("#verify-fetch");
    const good = await verdict(page);
    assert.equal(good.ok, "true", good.text);
    assert.equal(good.role, "status");
    assert.equal(good.live, "polite");
    const count = Number(good.count);
    assert.ok(count >= 4, `only ${count} records exported`);
    assert.match(good.text, new RegExp(`Chain intact: ${count} records verified`));
    // The same verdict as the server's own verifier.
    const server = await (await fetch(`${runner.url}${P}/evidence/verify`, { headers: { authorization: `Bearer ${runner.tokens.viewer}` } })).json();
    assert.equal(server.ok, true);
    assert.equal(server.count, count);
    assert.ok(good.text.includes(server.head), "the head hash matches the server's");

    const lines = (await page.inputValue("#verify-text")).trim().split("\n");
    assert.equal(lines.length, count);

    // Edit one field of the second record.
    const second = JSON.parse(lines[1]);
    const field = Object.keys(second.record).find((k) => typeof second.record[k] === "string" && k !== "session_id" && k !== "metadata_kind");
    const original = `"${field}":${JSON.stringify(second.record[field])}`;
    assert.ok(lines[1].includes(original), `field ${field} is written compactly`);
    const edited = [...lines];
    edited[1] = lines[1].replace(original, `"${field}":"tampered"`);
    const tampered = await verifyPasted(page, edited.join("\n"));
    assert.equal(tampered.ok, "false");
    assert.equal(tampered.firstBadSeq, "2", tampered.text);
    assert.match(tampered.text, /Chain broken at sequence 2: the record or its link does not match its hash/);

    // Swap the third and fourth lines.
    const swapped = [...lines];
    [swapped[2], swapped[3]] = [swapped[3], swapped[2]];
    const reordered = await verifyPasted(page, swapped.join("\n"));
    assert.equal(reordered.ok, "false");
    assert.equal(reordered.firstBadSeq, "3", reordered.text);
    assert.equal(reordered.count, "2");

    // A removed line and a garbage line are caught too.
    const removed = await verifyPasted(page, [...lines.slice(0, 2), ...lines.slice(3)].join("\n"));
    assert.equal(removed.firstBadSeq, "3", removed.text);
    const garbage = await verifyPasted(page, [lines[0], "not json"].join("\n"));
    assert.equal(garbage.firstBadSeq, "2", garbage.text);
    assert.match(garbage.text, /line 2 is not a chain entry/);
    assert.deepEqual(errors, []);

    // Offline: the console from a plain static server verifies an export file, in preview mode.
    const statics = await staticServer();
    try {
      const offline = await newPage(browser);
      await offline.page.goto(`${statics.url}/?mode=preview`);
      await offline.page.setInputFiles("#verify-file", { name: "evidence.jsonl", mimeType: "application/jsonl", buffer: Buffer.from(`${lines.join("\n")}\n`) });
      const fromFile = await verdict(offline.page);
      assert.equal(fromFile.ok, "true", fromFile.text);
      assert.equal(fromFile.count, String(count));
      assert.match(fromFile.text, /file evidence\.jsonl/);
      assert.equal(await offline.page.isVisible("#verify-fetch"), false, "no API to fetch from in preview");
      assert.deepEqual(offline.errors, []);
    } finally {
      await statics.close();
    }
  } finally {
    await browser.close();
    await runner.stop();
  }
});
