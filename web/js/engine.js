// The engine's WebAssembly build, for preview mode: every decision comes from Rust.

import { $, state } from "./core.js";

export async function loadEngine() {
  if (state.engine) return state.engine;
  const module = await import("../pkg/cavra_engine.js");
  await module.default();
  state.engine = module;
  $("engine-version").textContent = `engine ${module.version()} (WebAssembly, in this browser)`;
  return module;
}

export async function loadSample() {
  if (state.sample) return state.sample;
  const response = await fetch("sample.json");
  state.sample = await response.json();
  return state.sample;
}

/** Runs an engine function on `{items, params, now}`; returns the result or throws. */
export async function decide(fn, input) {
  const engine = await loadEngine();
  const answer = JSON.parse(engine.decide(fn, JSON.stringify(input)));
  if (answer.error) throw new Error(`${answer.error.code}: ${answer.error.message}`);
  return answer.ok;
}

/** The preview's evidence rows (the editable sample) and evaluation time. */
export function previewInput() {
  let items;
  try {
    items = JSON.parse($("preview-items").value);
  } catch {
    throw new Error("The evidence must be a JSON list of metadata rows.");
  }
  return { items, now: $("preview-now").value };
}
