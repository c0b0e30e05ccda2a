#!/usr/bin/env bash
# The monitor soak: `vedetta monitor` (release build) watching JOURNEYS copies of the
# benchmark's journey against bank_site.py, every EVERY, CONCURRENCY browsers at once, for
# DURATION; then SIGTERM. Prints missed slots, the daemon's memory, browsers started and
# retired, and what was left running (see soak.py).
#
#   benches/suite/soak.sh                                   # 20 journeys every 1m, 2 at once, 30m
#   DURATION=5m JOURNEYS=10 benches/suite/soak.sh
#   PHONES=6 benches/suite/soak.sh                          # the first 6 walk as a Pixel 7
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
for tool in /usr/bin/chromium /usr/bin/chromedriver python3; do
  command -v "$tool" >/dev/null || { echo "soak.sh: $tool is missing" >&2; exit 1; }
done
if [[ -z "${VEDETTA:-}" ]]; then
  (cd "$repo" && cargo build --release --bin vedetta)
  VEDETTA="$target/release/vedetta"
fi
exec python3 "$here/soak.py" --vedetta "$VEDETTA" \
  --journeys "${JOURNEYS:-20}" --every "${EVERY:-1m}" \
  --concurrency "${CONCURRENCY:-2}" --duration "${DURATION:-30m}" --phones "${PHONES:-0}"
