// Times the browser build of the engine (web/pkg, wasm-bindgen) under Node on the inputs the
// criterion bench writes: `node bench/browser-engine.mjs target/bench-inputs/retry-plan-*.json`.
// Each input's answer must equal the native engine's (`<input>.out` beside it, written by the
// bench) byte for byte. Like criterion, it warms up for 3 s first (V8 tiers hot wasm code up
// from its baseline compiler while it runs). The timed call includes copying the input string
// into wasm memory (UTF-16 to UTF-8) and the answer out again, as in the console.
import { readFileSync, existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { initSync, decide } from '../web/pkg/cavra_engine.js';

const root = new URL('..', import.meta.url);
initSync({ module: readFileSync(new URL('web/pkg/cavra_engine_bg.wasm', root)) });

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node bench/browser-engine.mjs INPUT.json...');
  process.exit(2);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const records = (file) => Number((file.match(/-(\d+)\.json$/) || [])[1] || 0);
for (const file of files.sort((a, b) => records(a) - records(b))) {
  const input = readFileSync(file, 'utf8');
  const expectedFile = file.replace(/\.json$/, '.out');
  const answer = decide('retry-plan', input);
  if (existsSync(expectedFile) && answer !== `{"ok":${readFileSync(expectedFile, 'utf8')}}`) {
    console.error(`${file}: the browser build's answer differs from the native engine's`);
    process.exit(1);
  }
  const warmUntil = performance.now() + 3000;
  for (let n = 0; n < 3 || performance.now() < warmUntil; n++) decide('retry-plan', input);
  const runs = records(file) >= 50000 ? 10 : 30;
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    decide('retry-plan', input);
    times.push(performance.now() - t);
  }
  console.log(JSON.stringify({ function: 'retry-plan', records: records(file), runs,
    median_ms: +median(times).toFixed(2), min_ms: +Math.min(...times).toFixed(2) }));
}
