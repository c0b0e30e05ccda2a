#!/usr/bin/env bash
# Soak test of `vedetta monitor` (not in CI): the demo journey run RUNS times in a row against the
# demo bank; every few seconds the daemon's resident memory and its browser/driver processes are
# sampled; at the end SIGTERM must exit 0 and leave no process of the daemon behind.
#
#   scripts/soak-monitor.sh                 # 100 runs, every 2s
#   RUNS=300 EVERY=1s scripts/soak-monitor.sh --append   # and append the figures to BENCHMARKS.md
#
# Loopback only; processes are ended by the PIDs this script started, never by name.
set -euo pipefail

RUNS=${RUNS:-100}
EVERY=${EVERY:-2s}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-10}
APPEND=false
[[ "${1:-}" == "--append" ]] && APPEND=true

cd "$(dirname "$0")/.."
if [[ -z "${VEDETTA:-}" ]]; then
  cargo build -q --bin vedetta
  VEDETTA=target/debug/vedetta
fi

work=$(mktemp -d)
demo_pid=""
mon_pid=""
cleanup() {
  [[ -n "$mon_pid" ]] && kill -TERM "$mon_pid" 2>/dev/null || true
  [[ -n "$demo_pid" ]] && kill -TERM "$demo_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

wait_for_line() { # file pattern seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1:" >&2
  cat "$1" >&2
  return 1
}

# Every process below PID $1: "pid comm" lines.
descendants() {
  ps -e -o pid=,ppid=,comm= | awk -v root="$1" '
    { parent[$1] = $2; name[$1] = $3 }
    END {
      found[root] = 1; changed = 1
      while (changed) {
        changed = 0
        for (p in parent) if (!(p in found) && (parent[p] in found)) { found[p] = 1; changed = 1 }
      }
      for (p in found) if (p != root) print p, name[p]
    }'
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# The demo bank and its SMS inbox.
"$VEDETTA" demo --serve --listen 127.0.0.1:0 >"$work/demo.out" 2>&1 &
demo_pid=$!
wait_for_line "$work/demo.out" "Ctrl-C to stop" 60
bank=$(sed -n 's/^Vedetta Bank (demo) on \(http[^ ]*\).*/\1/p' "$work/demo.out" | head -1)
inbox=$(grep -o -- '--inbox http[^ ]*' "$work/demo.out" | head -1 | cut -d' ' -f2)
token=$(grep -o -- '--inbox-token [0-9a-f]*' "$work/demo.out" | head -1 | cut -d' ' -f2)
[[ -n "$bank" && -n "$inbox" && -n "$token" ]] || { echo "could not read the demo's URLs" >&2; exit 1; }

mkdir -p "$work/journeys"
cp journeys/demo-card-balance.yaml "$work/journeys/"
cat >"$work/monitor.yaml" <<EOF
listen: 127.0.0.1:0
data_dir: data
concurrency: 1
inbox:
  url: $inbox
  token: \${INBOX_TOKEN}
journeys:
  - path: journeys/*.yaml
    every: $EVERY
EOF

DEMO_PASSWORD=demo-pass-2026 INBOX_TOKEN="$token" \
  "$VEDETTA" monitor "$work/monitor.yaml" --var "BANK_URL=$bank" >"$work/monitor.out" 2>&1 &
mon_pid=$!
wait_for_line "$work/monitor.out" "status page" 60

echo "soak: $RUNS runs of demo-card-balance every $EVERY; daemon pid $mon_pid"
printf '%8s %6s %10s %9s %8s\n' elapsed runs rss_mib browsers drivers
start=$(date +%s)
samples="$work/samples"
: >"$samples"
seen="$work/seen"
: >"$seen"
while :; do
  runs=$(grep -c -E ' run [0-9]+ (passed|failed|flaky|error) ' "$work/monitor.out" || true)
  procs=$(descendants "$mon_pid")
  echo "$procs" | awk 'NF { print $1 }' >>"$seen"
  browsers=$(echo "$procs" | awk '$2 ~ /^chrom/ && $2 != "chromedriver"' | grep -c . || true)
  drivers=$(echo "$procs" | awk '$2 == "chromedriver"' | grep -c . || true)
  rss=$(rss_kib "$mon_pid")
  elapsed=$(($(date +%s) - start))
  printf '%8s %6s %10.1f %9s %8s\n' "${elapsed}s" "$runs" "$(echo "$rss / 1024" | bc -l)" "$browsers" "$drivers"
  echo "$elapsed $runs $rss $browsers $drivers" >>"$samples"
  ((runs >= RUNS)) && break
  kill -0 "$mon_pid" 2>/dev/null || { echo "the daemon died" >&2; cat "$work/monitor.out" >&2; exit 1; }
  sleep "$SAMPLE_SECONDS"
done

kill -TERM "$mon_pid"
set +e
wait "$mon_pid"
code=$?
set -e
mon_pid=""
left=0
for p in $(sort -u "$seen"); do
  if [[ -e "/proc/$p" ]] && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null; then
    echo "left behind: $p $(cat "/proc/$p/comm" 2>/dev/null)" >&2
    left=$((left + 1))
  fi
done

passed=$(grep -c ' run [0-9]* passed ' "$work/monitor.out" || true)
failed=$(grep -c -E ' run [0-9]* (failed|error) ' "$work/monitor.out" || true)
# Memory after warm-up (the first sample past 10 runs) against the last sample.
warm_rss=$(awk '$2 >= 10 { print $3; exit }' "$samples")
warm_rss=${warm_rss:-$(awk 'NR == 1 { print $3 }' "$samples")}
last_rss=$(tail -1 "$samples" | awk '{ print $3 }')
max_rss=$(awk 'BEGIN { m = 0 } $3 > m { m = $3 } END { print m }' "$samples")
max_browser_procs=$(awk 'BEGIN { m = 0 } $4 > m { m = $4 } END { print m }' "$samples")
max_drivers=$(awk 'BEGIN { m = 0 } $5 > m { m = $5 } END { print m }' "$samples")
total=$(($(date +%s) - start))
mib() { echo "scale=1; $1 / 1024" | bc; }

summary="| $RUNS runs every $EVERY | ${total}s | $passed passed, $failed failed | $(mib "$warm_rss") → $(mib "$last_rss") MiB (max $(mib "$max_rss")) | $max_browser_procs | $max_drivers | exit $code, $left left |"
echo
echo "| soak | wall time | results | daemon RSS after 10 runs → at the end | max Chromium processes at once | max drivers | SIGTERM |"
echo "|---|---:|---|---|---:|---:|---|"
echo "$summary"

if $APPEND; then
  {
    echo
    echo "## \`vedetta monitor\` soak (\`scripts/soak-monitor.sh\`)"
    echo
    echo "What it measures: the daemon (\`vedetta monitor\`, dev build) walking the demo journey (13"
    echo "steps, SMS code through the inbox) against the demo bank, one run after the other, with the"
    echo "daemon's resident memory and its Chromium / chromedriver processes sampled every"
    echo "${SAMPLE_SECONDS}s; then SIGTERM. One browser at a time (\`concurrency: 1\`); Chromium counts"
    echo "all of one browser's processes (browser, renderer, GPU, utility). $(date -u +%Y-%m-%d), 2-core machine."
    echo
    echo "| soak | wall time | results | daemon RSS after 10 runs → at the end | max Chromium processes at once | max drivers | SIGTERM |"
    echo "|---|---:|---|---|---:|---:|---|"
    echo "$summary"
  } >>BENCHMARKS.md
  echo "appended to BENCHMARKS.md"
fi
[[ $code -eq 0 && $left -eq 0 ]]
