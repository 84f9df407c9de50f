#!/usr/bin/env bash
# Runs every test: engine and service unit tests, end-to-end tests through the real runner
# with a loopback receiver, and headless Chromium tests of the console.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
scripts/build.sh

echo "test: cargo (release: unit, integration and end-to-end)"
cargo test -j "${CARGO_BUILD_JOBS:-2}" --release --workspace

echo "test: browser (Chromium)"
(cd tests/browser && npm test)
echo "test: all passed"
