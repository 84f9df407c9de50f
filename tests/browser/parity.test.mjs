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

// The generated corpus (seeded scenarios with the native answers), written by
// `cargo test --release -p cavra-bench --test parity_corpus` (part of the workspace tests).
test("decide() in Chromium matches every generated corpus scenario byte for byte", async () => {
  const root = join(ROOT, "target", "parity-corpus");
  let names;
  try {
    names = (await readdir(root)).filter((n) => n.endsWith(".json")).sort();
  } catch {
    assert.fail(`${root} is missing: run \`cargo test --release -p cavra-bench --test parity_corpus\` first (scripts/test.sh runs the cargo tests before these)`);
  }
  assert.ok(names.length >= 50, `the corpus has only ${names.length} scenarios; regenerate it with the cargo test`);
  const server = await staticServer();
  const browser = await launch();
  try {
    const { page, errors } = await newPage(browser);
    await page.goto(`${server.url}/?mode=preview`);
    await page.waitForFunction(() => document.getElementById("engine-version").textContent.length > 0);
    const perFunction = {};
    for (const name of names) {
      const scenario = JSON.parse(await readFile(join(root, name), "utf8"));
      const answer = await page.evaluate(async ([fn, input]) => {
        const engine = await import("./pkg/cavra_engine.js");
        return engine.decide(fn, input);
      }, [scenario.function, scenario.input_json]);
      assert.equal(answer, scenario.answer, `${name} (${scenario.function}, seed ${scenario.seed}) differs in the browser`);
      perFunction[scenario.function] = (perFunction[scenario.function] || 0) + 1;
    }
    console.log(`parity corpus: ${names.length} scenarios identical in Chromium`, perFunction);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
