#!/usr/bin/env bash
# Builds everything and serves the API and the Evidence Console on http://127.0.0.1:3000.
# With no provider configured, a demo sink plays a failing `webhook` connector.
# Extra arguments go to `cavra up` (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec target/release/cavra up "$@"
