#!/usr/bin/env bash
# Quick start, command 1: build vedetta and walk the demo journey against the embedded demo
# bank in a real headless Chromium. Extra arguments go to `vedetta demo` (e.g. --fault outage).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-tools.sh
ensure_tools "${BROWSER_TOOLS[@]}"
echo "building vedetta (the first build takes several minutes)…" >&2
cargo build --quiet --bin vedetta
exec target/debug/vedetta demo "$@"
