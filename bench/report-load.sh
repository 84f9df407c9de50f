#!/usr/bin/env bash
# Times GET retry-recovery-report through `cavra up` over seeded datasets of several sizes.
#   bench/report-load.sh [SIZES...]     (default: 1000 10000 50000 100000)
# Needs scripts/build.sh first. Prints one line per size: records, median and p90 of 7 requests.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-1000 10000 50000 100000}")
[[ $# -eq 0 ]] && sizes=(1000 10000 50000 100000)
cargo build -q --release -p cavra-bench
work=target/bench-report
mkdir -p "$work"
url_path=/runtime/go-pilot/rollback-drill-notifications/acknowledgements/audit-delivery/retry-recovery-report
printf '%-9s %-10s %-10s %-10s %s\n' records median_ms p90_ms per_rec_us response_bytes
for n in "${sizes[@]}"; do
  dir="$work/$n"
  if [[ ! -f "$dir/imported" ]]; then
    rm -rf "$dir" && mkdir -p "$dir"
    target/release/cavra-dataset recovery "$n" 42 > "$dir/rows.jsonl"
    target/release/cavra import "$dir/rows.jsonl" --data-dir "$dir" 2>"$dir/import.log"
    touch "$dir/imported"
  fi
  # A benchmark on loopback: no tokens needed (the runner says so loudly on stderr).
  target/release/cavra up --port 0 --data-dir "$dir" --insecure-no-auth > "$dir/up.out" 2>"$dir/up.err" &
  pid=$!
  for _ in $(seq 50); do grep -q listening "$dir/up.out" 2>/dev/null && break; sleep 0.1; done
  base=$(grep -o 'http://[0-9.:]*' "$dir/up.out" | head -1)
  curl -s -o /dev/null "$base$url_path"   # warm-up (the component is compiled at start)
  times=()
  for _ in $(seq 7); do
    out=$(curl -s -o "$dir/report.json" -w '%{http_code} %{time_total}' "$base$url_path")
    [[ ${out%% *} == 200 ]] || { echo "report-load: HTTP ${out%% *}: $(head -c 300 "$dir/report.json")" >&2; kill "$pid"; exit 1; }
    times+=("${out#* }")
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  bytes=$(wc -c < "$dir/report.json")
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  median=$(awk "BEGIN{printf \"%.1f\", ${sorted[3]}*1000}")
  p90=$(awk "BEGIN{printf \"%.1f\", ${sorted[6]}*1000}")
  per=$(awk "BEGIN{printf \"%.2f\", ${sorted[3]}*1000000/$n}")
  printf '%-9s %-10s %-10s %-10s %s\n' "$n" "$median" "$p90" "$per" "$bytes"
done
