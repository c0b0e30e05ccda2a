#!/usr/bin/env bash
# Quick start, command 2: the whole test suite, browser tests included (real headless Chromium
# through a real chromedriver against servers the tests start on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-tools.sh
# xmllint checks the JUnit report against its schema.
ensure_tools "${BROWSER_TOOLS[@]}" xmllint:libxml2-utils firefox-esr:firefox-esr
# The monitor's channel and metrics tests talk to real Alertmanager, Prometheus and SMTP.
ensure_tools "${MONITOR_TOOLS[@]}"
ensure_python_module aiosmtpd python3-aiosmtpd
# The Firefox tests drive Debian's firefox-esr through geckodriver.
ensure_geckodriver
# The grid test drives the browser through a real Selenium Grid.
VEDETTA_SELENIUM_JAR=$(ensure_selenium_jar)
export VEDETTA_SELENIUM_JAR
# The network test validates each network.har against the HAR schema.
VEDETTA_HAR_SCHEMA_DIR=$(ensure_har_schema)
export VEDETTA_HAR_SCHEMA_DIR
# The fill tests type into real CodeMirror 6 and Monaco editors.
VEDETTA_EDITORS=$(ensure_editor_packages)
export VEDETTA_EDITORS

# Browser processes already running before the suite (another session's, say) are not ours;
# the check at the end counts only what the suite leaves behind.
count_browsers() { pgrep -c -f '(/usr/lib/chromium/chromium|chromedriver|selenium-server|/usr/lib/firefox-esr/firefox-esr|geckodriver)' 2>/dev/null || true; }
before=$(count_browsers)

# Build once, then run. Each browser test needs about a core: two test threads on two cores.
echo "building vedetta (the first build takes several minutes)…" >&2
cargo build --tests --bins --quiet
export PROPTEST_CASES="${PROPTEST_CASES:-1500}"
# (Doc tests are left out: the crate's examples are its journeys, tested for real.)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --no-fail-fast --lib --bins --tests -- --test-threads="${VEDETTA_TEST_THREADS:-2}" 2>&1 |
    tee "$log" || status=$?

# One closing line for the whole suite, summed over every test binary.
awk '/^test result:/ { p += $4; f += $6 } END { printf "suite: %d passed, %d failed\n", p, f }' "$log"
[ "$status" -eq 0 ] || exit "$status"

after=$(count_browsers)
if [ "${after:-0}" -gt "${before:-0}" ]; then
    echo "error: the test suite left $((after - before)) browser/driver process(es) running:" >&2
    pgrep -a -f '(/usr/lib/chromium/chromium|chromedriver|selenium-server|/usr/lib/firefox-esr/firefox-esr|geckodriver)' >&2 || true
    exit 1
fi
