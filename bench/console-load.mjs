// Console load time in headless Chromium: loads the Evidence Console N times, each in a fresh
// browser context (empty cache), and reports the median time from navigation start until the
// browser engine is ready (#engine-version filled in by web/js/engine.js). The page is opened as
// `/?mode=preview`, the mode that loads the engine at start (live mode loads it on demand).
//   node bench/console-load.mjs [N] [--static]
// Default: served by `cavra up --insecure-no-auth` (fresh data directory); --static: a plain
// static file server for web/. Needs scripts/build.sh and `scripts/setup.sh --test`.
import { launch, staticServer, startRunner } from "../tests/browser/lib.mjs";

const runs = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 15);
const viaStatic = process.argv.includes("--static");

const server = viaStatic ? await staticServer() : await startRunner({ args: ["--insecure-no-auth"] });
const stop = viaStatic ? server.close : server.stop;
const browser = await launch();

// Records when #engine-version first gets text, in the page's own clock.
const probe = () => {
  const mark = () => {
    const el = document.getElementById("engine-version");
    if (el && el.textContent.trim() && !window.__engineReady) window.__engineReady = performance.now();
  };
  new MutationObserver(mark).observe(document, { childList: true, subtree: true, characterData: true });
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const samples = { ready: [], domContentLoaded: [], load: [], wasmFetch: [], transferKB: [] };
try {
  for (let i = 0; i < runs + 1; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(probe);
    await page.goto(`${server.url}/?mode=preview`);
    await page.waitForFunction(() => window.__engineReady !== undefined, null, { timeout: 30000 });
    const t = await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const resources = performance.getEntriesByType("resource");
      const wasm = resources.find((r) => r.name.endsWith(".wasm"));
      const transfer = [nav, ...resources].reduce((sum, r) => sum + (r.transferSize || 0), 0);
      return {
        ready: window.__engineReady,
        domContentLoaded: nav.domContentLoadedEventEnd,
        load: nav.loadEventEnd,
        wasmFetch: wasm ? wasm.responseEnd - wasm.startTime : NaN,
        transferKB: transfer / 1024,
      };
    });
    await context.close();
    if (i === 0) continue; // the first load warms Chromium itself
    for (const k of Object.keys(samples)) samples[k].push(t[k]);
  }
} finally {
  await browser.close();
  await stop();
}

const fmt = (k) => median(samples[k]).toFixed(1);
console.log(JSON.stringify({
  served_by: viaStatic ? "static" : "cavra up",
  runs,
  engine_ready_ms_median: Number(fmt("ready")),
  engine_ready_ms_min: Number(Math.min(...samples.ready).toFixed(1)),
  engine_ready_ms_max: Number(Math.max(...samples.ready).toFixed(1)),
  dom_content_loaded_ms_median: Number(fmt("domContentLoaded")),
  load_event_ms_median: Number(fmt("load")),
  wasm_fetch_ms_median: Number(fmt("wasmFetch")),
  transfer_kb: Number(fmt("transferKB")),
}));
