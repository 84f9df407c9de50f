#!/usr/bin/env bash
# Installs what building and testing cavra-recovery needs. Idempotent: each step checks first.
#   scripts/setup.sh            toolchain targets and wasm-bindgen (enough to build and run)
#   scripts/setup.sh --test     also Chromium, redis-server and the browser-test packages
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate pinned in engine/Cargo.toml
want_test=false
[[ "${1:-}" == "--test" ]] && want_test=true

log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

for target in wasm32-wasip2 wasm32-unknown-unknown; do
  if ! rustup target list --installed | grep -qx "$target"; then
    log "adding rust target $target"
    rustup target add "$target"
  fi
done

if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
  # Not --locked: its lock file pins a webpki-roots release this registry mirror lacks.
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --force
fi

if $want_test; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  if ((${#missing[@]})); then
    log "installing ${missing[*]} from Debian"
    sudo_cmd=""
    [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo_cmd apt-get install -y --no-install-recommends "${missing[@]}" \
      || { $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y --no-install-recommends "${missing[@]}"; }
  fi
  if [[ ! -d tests/browser/node_modules/playwright-core ]]; then
    log "installing playwright-core for the browser tests (no browser download)"
    (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
fi
log "ready"
