#!/usr/bin/env bash
# Artefact sizes (issues 7, 9) and console load time.
#   bench/sizes.sh [RUNS]     (default 15 console loads per server)
# Needs scripts/build.sh first; the console timing also needs `scripts/setup.sh --test`
# (Chromium, playwright-core) and is skipped without them. gzip is `gzip -9`.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-15}"
gz() { gzip -9c "$1" | wc -c; }
row() { printf '%-48s %10s %10s\n' "$1" "$2" "$3"; }
row file bytes gzip_bytes
for f in target/wasm32-wasip2/wasm-release/cavra_component.wasm web/pkg/cavra_engine_bg.wasm web/pkg/cavra_engine.js; do
  row "$f" "$(wc -c < "$f")" "$(gz "$f")"
done
# web/: every file the console serves, each compressed on its own (as a server would).
total=0 total_gz=0
while IFS= read -r -d '' f; do
  total=$((total + $(wc -c < "$f"))) total_gz=$((total_gz + $(gz "$f")))
done < <(find web -type f -print0)
row "web/ ($(find web -type f | wc -l) files)" "$total" "$total_gz"
budget=$((350 * 1024))
browser_gz=$(gz web/pkg/cavra_engine_bg.wasm)
echo "browser engine gzip: $browser_gz bytes, budget $budget: $([[ $browser_gz -le $budget ]] && echo within || echo OVER)"

if command -v node >/dev/null && [[ -d tests/browser/node_modules/playwright-core ]] && [[ -x "${CHROMIUM:-/usr/bin/chromium}" ]]; then
  echo "console load, median of $runs fresh-context loads (load: $(cut -d' ' -f1-3 /proc/loadavg)):"
  node bench/console-load.mjs "$runs"
  node bench/console-load.mjs "$runs" --static
else
  echo "console load: skipped (run scripts/setup.sh --test for Chromium and playwright-core)"
fi
