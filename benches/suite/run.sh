#!/usr/bin/env bash
# The three-way benchmark: vedetta vs Selenium-Python vs Playwright-Python, the same suite of
# journeys against the same local site (bank_site.py), alternating, ROUNDS rounds each.
#
#   benches/suite/run.sh                  # 6 journeys, 2 at a time, 5 rounds; then one cold journey
#   ROUNDS=3 JOURNEYS=4 JOBS=2 benches/suite/run.sh
#   CHROMIUM=/usr/lib/chromium/chromium-headless-shell benches/suite/run.sh   # all three on it
#   PLAYWRIGHT_CHROMIUM=/usr/lib/chromium/chromium-headless-shell benches/suite/run.sh
#     # one tool's browser apart (also SELENIUM_CHROMIUM): here each tool on its own default,
#     # Playwright's being the headless shell and Selenium's the full browser
#   (the binary: Debian's /usr/bin/chromium-headless-shell script does not exec it, so a
#   driver that ends its browser by a signal ends only the script)
#
# Needs: cargo, python3 (with venv), Debian's chromium and chromedriver (/usr/bin); vedetta walks
# in Chromium's headless shell when it is installed, as it does by default. It builds
# vedetta (release), creates a venv under the target dir and pip-installs selenium and
# playwright there (Playwright drives /usr/bin/chromium, or CHROMIUM: no browser is downloaded).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
venv="$target/bench-suite-venv"

for tool in /usr/bin/chromium /usr/bin/chromedriver python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing" >&2; exit 1; }
done

echo "== building vedetta (release)" >&2
(cd "$repo" && cargo build --release --bin vedetta)

if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import selenium, playwright' 2>/dev/null; then
  echo "== installing selenium and playwright into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet selenium playwright
fi
"$venv/bin/python" -c 'import selenium, playwright.sync_api; from importlib.metadata import version; print("selenium", version("selenium"), "· playwright", version("playwright"))' >&2
"${CHROMIUM:-/usr/bin/chromium}" --version >&2

exec python3 "$here/run.py" \
  --vedetta "$target/release/vedetta" \
  --python "$venv/bin/python" \
  --out "$target/bench-suite" \
  --rounds "${ROUNDS:-5}" --journeys "${JOURNEYS:-6}" --jobs "${JOBS:-2}" \
  ${CHROMIUM:+--chromium "$CHROMIUM"} \
  ${SELENIUM_CHROMIUM:+--selenium-chromium "$SELENIUM_CHROMIUM"} \
  ${PLAYWRIGHT_CHROMIUM:+--playwright-chromium "$PLAYWRIGHT_CHROMIUM"}
