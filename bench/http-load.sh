#!/usr/bin/env bash
# HTTP load through `cavra up` (issue 9): GET P/worker-dashboard and POST P/retry-plan over a
# seeded store of failed deliveries, keep-alive and new-connection, concurrency 1 and 8, then the
# same calls natively and through the component without HTTP (the Wasm tax) and instantiation.
#   bench/http-load.sh [SECONDS] [RECORDS]     (default: 10 s per run, 1000 failed deliveries)
# Needs scripts/build.sh first. Every run starts `cavra up --insecure-no-auth` on a fresh copy of
# the seeded store (retry-plan persists a plan per request). Results: target/bench-http/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
records="${2:-1000}"
jobs="${CARGO_BUILD_JOBS:-2}"
cargo build -q -j "$jobs" --release -p cavra-bench --bin cavra-load --bin cavra-dataset
cargo build -q -j "$jobs" --release -p cavra-runner --example wasm_tax --example retry_plan_phases
prefix=/runtime/go-pilot/rollback-drill-notifications/acknowledgements/audit-delivery
work=target/bench-http
seed="$work/seed-$records"
mkdir -p "$work"
if [[ ! -f "$seed/imported" ]]; then
  rm -rf "$seed" && mkdir -p "$seed"
  target/release/cavra-dataset deliveries "$records" 42 > "$work/rows-$records.jsonl"
  target/release/cavra import "$work/rows-$records.jsonl" --data-dir "$seed" 2>"$work/import.log"
  touch "$seed/imported"
fi
results="$work/results.jsonl"
: > "$results"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "store: $records failed deliveries; $secs s per run after 1 s warm-up"
printf '%-17s %-15s %3s %9s %8s %8s %8s %8s %s\n' endpoint mode c req_per_s p50_ms p90_ms p99_ms max_ms load1
pid=""
trap '[[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true' EXIT
for endpoint in worker-dashboard retry-plan; do
  method=GET body=""
  [[ $endpoint == retry-plan ]] && method=POST body='{"generated_by":"load"}'
  for mode in keep-alive new-connection; do
    for c in 1 8; do
      dir="$work/run"
      rm -rf "$dir" && cp -r "$seed" "$dir"
      target/release/cavra up --port 0 --data-dir "$dir" --insecure-no-auth > "$dir/up.out" 2>"$dir/up.err" &
      pid=$!
      for _ in $(seq 300); do grep -q listening "$dir/up.out" 2>/dev/null && break; sleep 0.1; done
      base=$(grep -o 'http://[0-9.:]*' "$dir/up.out" | head -1)
      flags=(--concurrency "$c" --duration "$secs" --warmup 1 --method "$method" --json)
      [[ -n $body ]] && flags+=(--body "$body")
      [[ $mode == new-connection ]] && flags+=(--new-connection)
      line=$(target/release/cavra-load "$base$prefix/$endpoint" "${flags[@]}") || { echo "cavra-load failed: $line" >&2; exit 1; }
      kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
      load1=$(cut -d' ' -f1 /proc/loadavg)
      echo "{\"endpoint\":\"$endpoint\",\"load1\":$load1,${line#\{}" >> "$results"
      echo "$line" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
print("%-17s %-15s %3d %9.0f %8.3f %8.3f %8.3f %8.3f %s" % (sys.argv[1], r["mode"], r["concurrency"], r["rps"], r["p50_ms"], r["p90_ms"], r["p99_ms"], r["max_ms"], sys.argv[2]))' "$endpoint" "$load1"
    done
  done
done
echo
echo "native vs component, no HTTP (p50; Wasm tax = component p50 / native p50), and instantiation:"
target/release/examples/wasm_tax "$seed" 300 | tee "$work/wasm-tax.jsonl" | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    tax = " wasm tax %.2fx" % r["wasm_tax"] if "wasm_tax" in r else ""
    print("%-17s %-7s p50 %8.1f us  p90 %8.1f us  p99 %8.1f us  mean %8.1f us%s" % (r["endpoint"], r["path"], r["p50_us"], r["p90_us"], r["p99_us"], r["mean_us"], tax))'
echo
echo "retry-plan natively, by phase:"
target/release/examples/retry_plan_phases "$seed" 300
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
