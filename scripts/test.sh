#!/usr/bin/env bash
# Quick start, command 2: the whole test suite, browser tests included (real headless Chromium
# through a real chromedriver against servers the tests start on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-tools.sh
# xmllint checks the JUnit report against its schema.
ensure_tools "${BROWSER_TOOLS[@]}" xmllint:libxml2-utils

# Browser processes already running before the suite (another session's, say) are not ours;
# the check at the end counts only what the suite leaves behind.
count_browsers() { pgrep -c -f '(/usr/lib/chromium/chromium|chromedriver)' 2>/dev/null || true; }
before=$(count_browsers)

# Build once, then run. Each browser test needs about a core: two test threads on two cores.
cargo build --tests --bins --quiet
export PROPTEST_CASES="${PROPTEST_CASES:-1500}"
cargo test --no-fail-fast -- --test-threads="${VEDETTA_TEST_THREADS:-2}"

after=$(count_browsers)
if [ "${after:-0}" -gt "${before:-0}" ]; then
    echo "error: the test suite left $((after - before)) browser/driver process(es) running:" >&2
    pgrep -a -f '(/usr/lib/chromium/chromium|chromedriver)' >&2 || true
    exit 1
fi
