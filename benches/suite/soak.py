"""The monitor soak: `vedetta monitor` watching N copies of the benchmark's journey (bank_site.py)
every EVERY, CONCURRENCY browsers at once, for DURATION; then SIGTERM. Run through soak.sh.

While it runs, every SAMPLE seconds: the daemon's resident memory, and the Chromium and
chromedriver processes below it. At the end it reads the monitor's own history (SQLite) and
/metrics, and prints:

- missed slots: each journey must have started a run in every one of its schedule's periods
  (the monitor skips a period whose run could not start in it — it never catches up);
- how late runs started after their period began (jitter and waiting for a browser);
- the daemon's RSS after warm-up against the last samples (flat: within ±5 %), and of it the
  anonymous part (heap and stacks: what a leak would grow; the rest are pages of the binary
  and its libraries, read in as code paths first run); then the median of every 5 minutes,
  the trend;
- browsers started and retired (/metrics) against the journeys walked: a warm browser serves
  50 journeys, then a fresh one is started;
- after SIGTERM: the exit code, and every process the daemon ever had still alive (must be none).

With --phones K, the first K journeys walk as a Pixel 7 (`device:`): the monitor keeps warm
phone browsers beside the desktop ones.

Processes are ended by the PIDs this script started, never by name. Loopback only.
"""

import argparse
import ctypes
import os
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run as suite  # noqa: E402  (the site and the subreaper, shared with the benchmark)

PR_SET_CHILD_SUBREAPER = 36


def seconds(text):
    m = re.fullmatch(r"(\d+)(s|m|h)", text)
    if not m:
        sys.exit("a duration is like 30s, 1m or 2h: %r" % text)
    return int(m.group(1)) * {"s": 1, "m": 60, "h": 3600}[m.group(2)]


def descendants(root):
    """{(pid, start time): comm} of every process below `root`: the start time tells a process
    from a later one that got the same PID."""
    parent, comm, start = {}, {}, {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            stat = open("/proc/%s/stat" % p).read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] == "Z":
            continue
        parent[int(p)] = int(fields[1])
        comm[int(p)] = name
        start[int(p)] = fields[19]
    found = {root}
    changed = True
    while changed:
        changed = False
        for p, pp in parent.items():
            if p not in found and pp in found:
                found.add(p)
                changed = True
    found.discard(root)
    return {(p, start[p]): comm[p] for p in found}


def still_alive(pid, start):
    try:
        stat = open("/proc/%d/stat" % pid).read()
    except OSError:
        return False
    fields = stat[stat.rindex(")") + 2:].split()
    return fields[0] != "Z" and fields[19] == start


def rss_kib(pid):
    """The resident memory (KiB) of `pid`: all of it, and its anonymous part (the heap and
    stacks; the rest is the binary's and libraries' pages, read in as code paths first run)."""
    status = {}
    for line in open("/proc/%d/status" % pid):
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon"):
            status[key] = int(value.split()[0])
    return status.get("VmRSS", 0), status.get("RssAnon", 0)


def wait_for(path, pattern, limit):
    until = time.monotonic() + limit
    while time.monotonic() < until:
        if os.path.exists(path):
            m = re.search(pattern, open(path).read())
            if m:
                return m
        time.sleep(0.1)
    sys.exit("timed out waiting for %r in %s:\n%s" % (pattern, path, open(path).read()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vedetta", required=True)
    ap.add_argument("--journeys", type=int, default=20)
    ap.add_argument("--every", default="1m")
    ap.add_argument("--concurrency", type=int, default=2)
    ap.add_argument("--duration", default="30m")
    ap.add_argument("--sample", type=int, default=10)
    ap.add_argument("--phones", type=int, default=0, help="how many journeys walk as a Pixel 7")
    args = ap.parse_args()
    period, duration = seconds(args.every), seconds(args.duration)

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("cannot become the subreaper of the monitor's processes")
    base = suite.serve_site()
    work = tempfile.mkdtemp(prefix="vedetta-soak-")
    os.makedirs(os.path.join(work, "journeys"))
    template = open(os.path.join(HERE, "journey.yaml.in")).read()
    phone = template.replace("\nsteps:\n", '\ndevice: "Pixel 7"\nsteps:\n', 1)
    for i in range(args.journeys):
        with open(os.path.join(work, "journeys", "user%02d.yaml" % (i + 1)), "w") as f:
            f.write((phone if i < args.phones else template).replace("@USER@", "user%02d" % (i + 1)))
    with open(os.path.join(work, "monitor.yaml"), "w") as f:
        f.write("listen: 127.0.0.1:0\ndata_dir: data\nconcurrency: %d\njourneys:\n"
                "  - path: journeys/*.yaml\n    every: %s\n" % (args.concurrency, args.every))
    log = os.path.join(work, "monitor.out")
    env = dict(os.environ, PASSWORD=suite.PASSWORD)
    daemon = subprocess.Popen([args.vedetta, "monitor", os.path.join(work, "monitor.yaml"),
                               "--var", "BASE=" + base],
                              env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    metrics_url = wait_for(log, r"metrics (http://\S+)", 60).group(1)
    began = time.time()
    print("soak: %d journeys (%d as a phone) every %s, concurrency %d, for %s; daemon pid %d; %s"
          % (args.journeys, args.phones, args.every, args.concurrency, args.duration, daemon.pid,
             work), flush=True)
    print("%8s %6s %9s %9s %9s %8s" % ("elapsed", "runs", "rss MiB", "anon MiB", "chromium",
                                        "drivers"))

    seen = {}
    samples = []  # (elapsed, runs, rss KiB, chromium processes, drivers, anonymous rss KiB)
    while time.time() - began < duration:
        if daemon.poll() is not None:
            sys.exit("the daemon died:\n" + open(log).read()[-4000:])
        procs = descendants(daemon.pid)
        seen.update(procs)
        runs = len(re.findall(r" run \d+ (?:passed|failed|flaky|error) ", open(log).read()))
        drivers = sum(1 for c in procs.values() if c == "chromedriver")
        chromium = sum(1 for c in procs.values() if c.startswith("chrom") and c != "chromedriver")
        rss, anon = rss_kib(daemon.pid)
        s = (time.time() - began, runs, rss, chromium, drivers, anon)
        samples.append(s)
        print("%7.0fs %6d %9.1f %9.1f %9d %8d" % (s[0], s[1], s[2] / 1024, s[5] / 1024, s[3],
                                                  s[4]), flush=True)
        time.sleep(args.sample)

    metrics = urllib.request.urlopen(metrics_url).read().decode()
    started = re.search(r"^vedetta_browsers_started_total (\S+)$", metrics, re.M)
    retired = re.search(r"^vedetta_browsers_retired_total (\S+)$", metrics, re.M)
    daemon.send_signal(signal.SIGTERM)
    try:
        code = daemon.wait(60)
    except subprocess.TimeoutExpired:
        code = "hung"
        daemon.kill()
    suite.reap_orphans()
    left = [(p, comm) for (p, start), comm in seen.items() if still_alive(p, start)]
    for p, comm in left:
        print("left running: %d %s" % (p, comm))

    db = sqlite3.connect(os.path.join(work, "data", "history.sqlite3"))
    rows = db.execute("SELECT journey, started_at_ms, status FROM runs").fetchall()
    by_journey = {}
    for journey, started_ms, status in rows:
        by_journey.setdefault(journey, []).append((started_ms / 1000.0, status))
    statuses = {}
    for _, _, status in rows:
        statuses[status] = statuses.get(status, 0) + 1
    # Each journey's periods start together (the monitor's start + k·period), and runs start
    # at most a period after theirs: the offsets of the starts within a period leave a gap,
    # the largest, that ends where the periods begin.
    first = min(t for runs in by_journey.values() for t, _ in runs)
    offsets = sorted((t - first) % period for runs in by_journey.values() for t, _ in runs)
    gaps = [((offsets[(i + 1) % len(offsets)] - o) % period, offsets[(i + 1) % len(offsets)])
            for i, o in enumerate(offsets)]
    origin = first + max(gaps)[1] - 0.001
    if origin > first:
        origin -= period
    full_periods = int((time.time() - origin) // period) - 1  # the last one may be cut short
    missed, lateness = 0, []
    for journey, runs in sorted(by_journey.items()):
        periods = {}
        for t, _ in runs:
            periods.setdefault(int((t - origin) // period), t)
        for k in range(full_periods):
            if k in periods:
                lateness.append(periods[k] - (origin + k * period))
            else:
                missed += 1
                print("missed: %s, period %d" % (journey, k))
    missed += (args.journeys - len(by_journey)) * full_periods

    warm = [s for s in samples if s[0] >= 120] or samples
    rss0, anon0 = warm[0][2], warm[0][5]
    tail = [s[2] for s in samples[-6:]]
    anon_tail = [s[5] for s in samples[-6:]]
    walked = len(rows)
    print()
    print("| soak | runs | missed slots | start after its period began (median / max) "
          "| daemon RSS after 2 min → last minute (max) | of it anonymous (heap) "
          "| browsers started / retired "
          "| max Chromium processes / drivers | SIGTERM |")
    print("|---|---|---:|---:|---|---|---:|---:|---|")
    print("| %d journeys every %s, concurrency %d, %s | %d (%s) | %d of %d | %.1f s / %.1f s "
          "| %.1f → %.1f MiB (%+.1f %%; max %.1f) | %.1f → %.1f MiB (%+.1f %%) "
          "| %s / %s | %d / %d | exit %s, %d left |" % (
              args.journeys, args.every, args.concurrency, args.duration, walked,
              ", ".join("%d %s" % (n, s) for s, n in sorted(statuses.items())),
              missed, full_periods * args.journeys,
              statistics.median(lateness) if lateness else 0, max(lateness, default=0),
              rss0 / 1024, statistics.median(tail) / 1024,
              100.0 * (statistics.median(tail) - rss0) / rss0, max(s[2] for s in samples) / 1024,
              anon0 / 1024, statistics.median(anon_tail) / 1024,
              100.0 * (statistics.median(anon_tail) - anon0) / max(anon0, 1),
              started.group(1) if started else "?", retired.group(1) if retired else "?",
              max(s[3] for s in samples), max(s[4] for s in samples), code, len(left)))
    # The trend, which one sample at 2 minutes against the last minute can hide or exaggerate
    # (an allocator that returns memory in bursts moves RSS by a MiB between samples).
    windows = []
    for lo in range(120, int(samples[-1][0]) + 1, 300):
        w = [s[2] for s in samples if lo <= s[0] < lo + 300]
        if w:
            end = min(lo + 300, round(samples[-1][0] / 60) * 60)
            windows.append("%d–%d min %.1f" % (lo // 60, end // 60, statistics.median(w) / 1024))
    print()
    print("daemon RSS, median of each 5 minutes (MiB): " + ", ".join(windows))
    ok = missed == 0 and code == 0 and not left
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
