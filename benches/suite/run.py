"""The three-way benchmark: the same N-journey suite through vedetta, Selenium-Python and
Playwright-Python against the local site (bank_site.py), alternating, ROUNDS rounds each; prints each
one's wall and CPU medians and the ratios. Run through run.sh, which builds vedetta and installs
Selenium and Playwright into a venv first.

CPU is user + system time of each tool's whole process tree: this process makes itself the
subreaper of everything it starts, so browsers and drivers that outlive their parent are still
reaped here and their time counted (RUSAGE_CHILDREN). The site (bank_site.py) runs in a thread of this
process, outside every tool's figures.
"""

import argparse
import ctypes
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))

PR_SET_CHILD_SUBREAPER = 36
PASSWORD = "bench-password"


def load_site():
    spec = importlib.util.spec_from_file_location("bank_site", os.path.join(HERE, "bank_site.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def serve_site():
    bank = load_site()
    server = bank.http.server.ThreadingHTTPServer(("127.0.0.1", 0), bank.Bank)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return "http://127.0.0.1:%d" % server.server_address[1]


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def reap_orphans(limit=15.0):
    """Waits for every process left behind (reparented here); False if some outlive `limit`."""
    until = time.monotonic() + limit
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return True
        if pid == 0:
            if time.monotonic() > until:
                return False
            time.sleep(0.02)


def timed(commands, env):
    """Runs `commands` at once; (wall seconds, CPU seconds of their trees). Their temporary
    files go to a folder of their own, removed after them: a browser ended by its driver
    leaves its singleton folder behind, which would otherwise pile up in /tmp."""
    tmp = tempfile.mkdtemp(prefix="bench-suite-tmp-")
    try:
        return timed_in(commands, dict(env, TMPDIR=tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def timed_in(commands, env):
    reap_orphans()
    cpu0 = children_cpu()
    t0 = time.monotonic()
    procs = [subprocess.Popen(c, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
             for c in commands]
    outputs = [p.communicate()[0] for p in procs]
    wall = time.monotonic() - t0
    clean = reap_orphans()
    cpu = children_cpu() - cpu0
    for c, p, out in zip(commands, procs, outputs):
        if p.returncode != 0:
            sys.stderr.write(out.decode(errors="replace")[-4000:])
            sys.exit("%s exited %d" % (" ".join(c[:3]), p.returncode))
    if not clean:
        print("  (a process of the run outlived it by 15 s)", file=sys.stderr)
    return wall, cpu


def split(users, processes):
    return [users[i::processes] for i in range(processes) if users[i::processes]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vedetta", required=True)
    ap.add_argument("--python", required=True, help="the venv's python, with selenium and playwright")
    ap.add_argument("--out", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--journeys", type=int, default=6)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--chromium", help="the browser all three tools drive (default: each tool's "
                    "own choice: vedetta's headless shell when installed, /usr/bin/chromium for "
                    "Selenium and Playwright)")
    ap.add_argument("--selenium-chromium", help="Selenium's browser, over --chromium")
    ap.add_argument("--playwright-chromium", help="Playwright's browser, over --chromium")
    args = ap.parse_args()

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("cannot become the subreaper of the tools' processes")

    base = serve_site()
    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(args.out)
    template = open(os.path.join(HERE, "journey.yaml.in")).read()
    users = ["user%d" % (i + 1) for i in range(args.journeys)]
    files = {}
    for u in users:
        files[u] = os.path.join(args.out, "%s.yaml" % u)
        with open(files[u], "w") as f:
            f.write(template.replace("@USER@", u))
    env = dict(os.environ, PASSWORD=PASSWORD)
    browser = []
    if args.chromium:
        env["CHROMIUM"] = args.chromium  # selenium_suite.py and playwright_suite.py
        browser = ["--browser-binary", args.chromium]
    envs = {"vedetta": env, "selenium": dict(env), "playwright": dict(env)}
    for tool, path in [("selenium", args.selenium_chromium),
                       ("playwright", args.playwright_chromium)]:
        if path:
            envs[tool]["CHROMIUM"] = path

    def vedetta(us, jobs, n):
        return [[args.vedetta, "run", *[files[u] for u in us], "--jobs", str(jobs),
                 "--var", "BASE=" + base, "--out", os.path.join(args.out, "vedetta-%s" % n), *browser]]

    def python_tool(script, us, processes):
        return [[args.python, os.path.join(HERE, script), base, args.out, *part]
                for part in split(us, processes)]

    suites = {
        "suite": {
            "vedetta": lambda n: vedetta(users, args.jobs, n),
            "selenium": lambda n: python_tool("selenium_suite.py", users, args.jobs),
            "playwright": lambda n: python_tool("playwright_suite.py", users, args.jobs),
        },
        "cold": {
            "vedetta": lambda n: vedetta(users[:1], 1, n),
            "selenium": lambda n: python_tool("selenium_suite.py", users[:1], 1),
            "playwright": lambda n: python_tool("playwright_suite.py", users[:1], 1),
        },
    }
    results = {}
    for suite, tools in suites.items():
        # One warm-up of each, not counted (the disk cache, Python's imports).
        for name, cmd in tools.items():
            timed(cmd("warmup-%s" % suite), envs[name])
        for r in range(args.rounds):
            # Alternate the order, so that no tool always runs after the same one.
            order = list(tools.items())
            order = order[r % len(order):] + order[:r % len(order)]
            for name, cmd in order:
                wall, cpu = timed(cmd("%s-%d" % (suite, r)), envs[name])
                results.setdefault(suite, {}).setdefault(name, []).append((wall, cpu))
                print("%-6s round %d %-10s wall %6.2f s  CPU %6.2f s" % (suite, r + 1, name, wall, cpu),
                      flush=True)

    load = os.getloadavg()
    print()
    default = "vedetta's default" if not args.chromium else args.chromium
    print("browsers: vedetta %s; Selenium %s; Playwright %s" % (
        default, envs["selenium"].get("CHROMIUM", "/usr/bin/chromium"),
        envs["playwright"].get("CHROMIUM", "/usr/bin/chromium")))
    print("load average at the end: %.1f %.1f %.1f on %d cores" % (*load, os.cpu_count()))
    for suite, label in [("suite", "%d journeys, %d at a time" % (args.journeys, args.jobs)),
                         ("cold", "a single cold journey")]:
        r = results[suite]
        med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
               for k, v in r.items()}
        v_wall, v_cpu = med["vedetta"]
        print()
        print("%s: medians of %d rounds" % (label, args.rounds))
        print("| | wall (median) | CPU (median) | vedetta's wall ÷ its | vedetta's CPU ÷ its |")
        print("|---|---:|---:|---:|---:|")
        for k in ["vedetta", "selenium", "playwright"]:
            w, c = med[k]
            ratio = "— | —" if k == "vedetta" else "%.2f× | %.2f×" % (v_wall / w, v_cpu / c)
            print("| %s | %.1f s | %.1f s | %s |" % (k, w, c, ratio))
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"rounds": results, "load_end": load}, f, indent=1)


if __name__ == "__main__":
    main()
