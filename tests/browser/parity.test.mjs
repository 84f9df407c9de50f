// The browser build of the engine gives exactly the fixture bytes of the native engine.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { launch, staticServer, newPage, ROOT } from "./lib.mjs";

test("decide() in Chromium matches every fixture byte for byte", async () => {
  const server = await staticServer();
  const browser = await launch();
  try {
    const { page, errors } = await newPage(browser);
    await page.goto(`${server.url}/?mode=preview`);
    await page.waitForFunction(() => document.getElementById("engine-version").textContent.length > 0);
    const root = join(ROOT, "tests", "fixtures");
    let checked = 0;
    for (const name of (await readdir(root)).sort()) {
      let call;
      try {
        call = JSON.parse(await readFile(join(root, name, "call.json"), "utf8"));
      } catch {
        continue;
      }
      const expected = (await readFile(join(root, name, "expected.json"), "utf8")).trimEnd();
      const answer = await page.evaluate(async ([fn, input]) => {
        const engine = await import("./pkg/cavra_engine.js");
        return engine.decide(fn, input);
      }, [call.function, JSON.stringify(call.input)]);
      assert.equal(answer, `{"ok":${expected}}`, `${name} differs in the browser`);
      checked += 1;
    }
    assert.ok(checked >= 3, `checked ${checked} fixtures`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
