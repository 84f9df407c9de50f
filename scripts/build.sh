#!/usr/bin/env bash
# Builds the Spin component, the edge component, the browser engine (web/pkg) and the native runner.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${CARGO_BUILD_JOBS:-2}"

echo "build: component (wasm32-wasip2)"
cargo build -j "$jobs" -p cavra-component --target wasm32-wasip2 --profile wasm-release

echo "build: edge component (wasm32-wasip2, world cavra:engine/edge)"
cargo build -j "$jobs" -p cavra-edge --target wasm32-wasip2 --profile wasm-release

echo "build: browser engine (wasm32-unknown-unknown + wasm-bindgen)"
cargo build -j "$jobs" -p cavra-engine --features wasm --target wasm32-unknown-unknown --profile browser
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
  --out-dir web/pkg target/wasm32-unknown-unknown/browser/cavra_engine.wasm

echo "build: runner (release)"
cargo build -j "$jobs" --release -p cavra-runner
