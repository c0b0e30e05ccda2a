//! A Selenium Grid 4 in distributed roles, as a team runs it at scale: a hub and two nodes as
//! separate processes (the same jar as the standalone test, `hub` and `node --hub …` on loopback,
//! every port picked free). vedetta spreads journeys over both nodes with `--jobs`; a node killed
//! mid-run makes its journeys end `error` (infrastructure, never the site's failure) while the
//! others pass, and nothing is left on the grid or on the machine.
//!
//! `DistributedGrid` is shared with the monitor's locations test.

use crate::common;

use std::os::unix::process::CommandExt;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// One JVM of the grid (the hub or a node), in its own process group: killing the group takes
/// the node's chromedriver and Chromium with it.
pub struct GridProcess {
    child: std::process::Child,
    pub url: String,
    /// The JVM's, its chromedriver's and Chromium's temp folder (`java.io.tmpdir`, `TMPDIR`):
    /// what a killed Chromium leaves there (its singleton socket's folder) goes with it.
    _tmp: tempfile::TempDir,
}

impl GridProcess {
    /// `java -jar <selenium> <role_args…> --host 127.0.0.1 --port <port>`.
    pub fn spawn(role_args: &[String], port: u16) -> GridProcess {
        let tmp = tempfile::tempdir().unwrap();
        let child = std::process::Command::new("java")
            .arg(format!("-Djava.io.tmpdir={}", tmp.path().display()))
            .env("TMPDIR", tmp.path())
            .arg("-jar")
            .arg(crate::grid::selenium_jar())
            .args(role_args)
            .args(["--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("java (scripts/test.sh installs it)");
        GridProcess {
            child,
            url: format!("http://127.0.0.1:{port}"),
            _tmp: tmp,
        }
    }

    /// A standalone grid (hub and node in one JVM) on `port`, `max_sessions` at once, drivers
    /// from PATH (Debian's chromedriver; never fetched from the network), then `extra`.
    pub fn standalone(port: u16, max_sessions: u32, extra: &[&str]) -> GridProcess {
        let mut args: Vec<String> = ["standalone", "--selenium-manager", "false"]
            .into_iter()
            .chain(["--detect-drivers", "true", "--session-timeout", "60"])
            .map(String::from)
            .collect();
        args.extend(["--max-sessions".to_string(), max_sessions.to_string()]);
        args.extend(extra.iter().map(|a| a.to_string()));
        Self::spawn(&args, port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL to the whole group at once: a node dying as a crashed machine does.
    pub fn kill_now(&mut self) {
        let _ = kill(Pid::from_raw(-(self.child.id() as i32)), Signal::SIGKILL);
        let _ = self.child.wait();
    }

    /// SIGTERM to the group, then SIGKILL if it lingers.
    fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let group = Pid::from_raw(-(self.child.id() as i32));
        let _ = kill(group, Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                let _ = kill(group, Signal::SIGKILL);
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = kill(group, Signal::SIGKILL);
        let _ = self.child.wait();
    }
}

impl Drop for GridProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A hub and its nodes. Dropping it stops the nodes, then the hub.
pub struct DistributedGrid {
    pub hub: GridProcess,
    pub nodes: Vec<GridProcess>,
}

impl DistributedGrid {
    /// A hub and `nodes` nodes of `max_sessions` Chromium slots each, ready (the hub's
    /// `/status` lists every node `UP` with its slots).
    pub async fn start(nodes: usize, max_sessions: usize) -> DistributedGrid {
        let (port, publish, subscribe) = (
            crate::common::closed_port(),
            crate::common::closed_port(),
            crate::common::closed_port(),
        );
        let bus = [
            "--publish-events".to_string(),
            format!("tcp://127.0.0.1:{publish}"),
            "--subscribe-events".to_string(),
            format!("tcp://127.0.0.1:{subscribe}"),
        ];
        let mut hub_args = vec!["hub".to_string()];
        hub_args.extend(bus.iter().cloned());
        let hub = GridProcess::spawn(&hub_args, port);
        let mut grid = DistributedGrid {
            hub,
            nodes: Vec::new(),
        };
        for _ in 0..nodes {
            let mut args = vec![
                "node".to_string(),
                "--hub".to_string(),
                grid.hub.url.clone(),
            ];
            args.extend(bus.iter().cloned());
            args.extend(
                [
                    // Drivers from PATH (Debian's chromedriver); never fetched from the network.
                    "--selenium-manager",
                    "false",
                    "--detect-drivers",
                    "true",
                    "--max-sessions",
                    &max_sessions.to_string(),
                    "--override-max-sessions",
                    "true",
                    "--session-timeout",
                    "60",
                ]
                .map(String::from),
            );
            grid.nodes
                .push(GridProcess::spawn(&args, crate::common::closed_port()));
        }
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            let status = grid.status().await;
            let up = status["value"]["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|n| n["availability"] == "UP")
                .count();
            if status["value"]["ready"] == true && up == nodes {
                return grid;
            }
            assert!(
                Instant::now() < deadline,
                "the grid never had {nodes} node(s) up: {status:#}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    pub async fn status(&self) -> serde_json::Value {
        match reqwest::get(format!("{}/status", self.hub.url)).await {
            Ok(r) => r.json().await.unwrap_or_default(),
            Err(_) => serde_json::Value::Null,
        }
    }

    /// Sessions open on each node the hub knows, by the node's URI.
    pub async fn sessions_by_node(&self) -> Vec<(String, usize)> {
        let status = self.status().await;
        status["value"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|n| {
                let open = n["slots"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|slot| !slot["session"].is_null())
                    .count();
                (n["uri"].as_str().unwrap_or_default().to_string(), open)
            })
            .collect()
    }

    /// The hub's own count of live sessions (its GraphQL API), dead nodes' sessions included
    /// until the hub has dropped them.
    pub async fn hub_session_count(&self) -> i64 {
        let asked = reqwest::Client::new()
            .post(format!("{}/graphql", self.hub.url))
            .json(&serde_json::json!({"query": "{ grid { sessionCount } }"}))
            .send()
            .await;
        let body: serde_json::Value = match asked {
            Ok(r) => r.json().await.unwrap_or_default(),
            Err(_) => return -1,
        };
        body["data"]["grid"]["sessionCount"].as_i64().unwrap_or(-1)
    }

    /// Every live process of the grid: the JVMs and what they started.
    pub fn processes(&self) -> Vec<(u32, String)> {
        let mut roots = vec![(self.hub.pid(), "java".to_string())];
        roots.extend(self.nodes.iter().map(|n| (n.pid(), "java".to_string())));
        common::descendants_of(&roots)
    }
}

/// A page that waits for the test: it shows `#ready` once `/go` says so, so every journey is
/// mid-run (a session open on a node) until the test releases them.
struct Gate {
    base: String,
    open: Arc<AtomicBool>,
    stop: tokio_util::sync::CancellationToken,
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

const GATE_PAGE: &str = r#"<!doctype html><html><head><meta charset=utf-8><title>Gate</title></head>
<body><h1>Waiting</h1><script>
(async function poll() {
  try {
    const r = await fetch('/go', {cache: 'no-store'});
    if ((await r.text()) === 'open') {
      const d = document.createElement('div'); d.id = 'ready'; d.textContent = 'Ready';
      document.body.appendChild(d); return;
    }
  } catch (e) {}
  setTimeout(poll, 200);
})();
</script></body></html>"#;

async fn gate() -> Gate {
    let open = Arc::new(AtomicBool::new(false));
    let app = Router::new()
        .route("/", get(|| async { Html(GATE_PAGE) }))
        .route(
            "/go",
            get(|State(open): State<Arc<AtomicBool>>| async move {
                if open.load(Ordering::SeqCst) {
                    "open"
                } else {
                    "wait"
                }
            }),
        )
        .with_state(open.clone());
    let (addr, stop) = crate::monitor_support::serve_app(app).await;
    Gate {
        base: format!("http://{addr}"),
        open,
        stop,
    }
}

/// `count` journeys that open the gate page and wait (up to two minutes) for `#ready`.
fn gated_journeys(dir: &std::path::Path, count: usize) -> Vec<std::path::PathBuf> {
    (1..=count)
        .map(|i| {
            let path = dir.join(format!("gated-{i}.yaml"));
            std::fs::write(
                &path,
                format!(
                    "name: gated-{i}\nbase_url: ${{BASE}}\nsteps:\n  - open: /\n    timeout: 60s\n  - wait_for: \"#ready\"\n    timeout: 120s\n"
                ),
            )
            .unwrap();
            path
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journeys_spread_over_two_nodes_and_a_killed_node_is_an_infrastructure_error() {
    let _slot = common::browser_slot().await;
    let mut grid = DistributedGrid::start(2, 2).await;
    let gate = gate().await;
    let dir = tempfile::tempdir().unwrap();
    let journeys = gated_journeys(dir.path(), 4);
    let mut run = tokio::process::Command::new(env!("CARGO_BIN_EXE_vedetta"));
    run.arg("run")
        .args(&journeys)
        .args(["--var", &format!("BASE={}", gate.base)])
        .args(["--webdriver", &grid.hub.url, "--jobs", "4"])
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--report-json")
        .arg(dir.path().join("report.json"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = run.spawn().unwrap();

    // Every journey holds a session, and the hub spread them over both nodes.
    let deadline = Instant::now() + Duration::from_secs(240);
    let by_node = loop {
        let by_node = grid.sessions_by_node().await;
        if by_node.iter().map(|(_, n)| n).sum::<usize>() == 4 {
            break by_node;
        }
        assert!(
            Instant::now() < deadline,
            "the four journeys never all held a session: {by_node:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert!(
        by_node.iter().all(|(_, n)| *n > 0),
        "both nodes got sessions: {by_node:?}"
    );

    // The second node dies mid-run, its browsers with it.
    let victim_port = grid.nodes[1].url.rsplit(':').next().unwrap().to_string();
    let on_victim = by_node
        .iter()
        .find(|(uri, _)| uri.ends_with(&format!(":{victim_port}")))
        .map(|(_, n)| *n)
        .unwrap_or_else(|| panic!("node {} not in {by_node:?}", grid.nodes[1].url));
    let victim_processes = common::descendants_of(&[(grid.nodes[1].pid(), "java".into())]);
    grid.nodes[1].kill_now();
    gate.open.store(true, Ordering::SeqCst);

    let out = tokio::time::timeout(Duration::from_secs(300), child.wait_with_output())
        .await
        .expect("the run ended")
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap_or_else(|e| panic!("{e}\n{stdout}\n{stderr}"));
    let statuses: Vec<&str> = report["journeys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["status"].as_str().unwrap())
        .collect();
    println!("sessions by node at the kill: {by_node:?}; journeys: {statuses:?}");
    let errors = statuses.iter().filter(|s| **s == "error").count();
    let passed = statuses.iter().filter(|s| **s == "passed").count();
    assert_eq!(
        (errors, passed),
        (on_victim, 4 - on_victim),
        "the killed node's journeys end `error`, the others pass: {statuses:?}\n{stdout}\n{stderr}"
    );
    // Passed and error, none failed: the harness could not do all of its job (README, exit codes).
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");

    // Nothing of the dead node survived it.
    for (pid, comm) in &victim_processes {
        let alive = vedetta::browser::driver::proc_stat(*pid).is_some_and(|s| s.state != 'Z');
        assert!(!alive, "{comm} ({pid}) of the killed node is still running");
    }
    // No session left on the live node, nor in the hub's count once it has noticed the dead
    // node; no browser left under the grid.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let open: usize = grid.sessions_by_node().await.iter().map(|(_, n)| n).sum();
        let hub = grid.hub_session_count().await;
        let browsers: Vec<_> = grid
            .processes()
            .into_iter()
            .filter(|(_, comm)| comm.contains("chrom"))
            .collect();
        if open == 0 && hub == 0 && browsers.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still on the grid: {open} session(s) on nodes, hub counts {hub}, browsers {browsers:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let all = grid.processes();
    drop(grid);
    for (pid, comm) in all {
        let alive = vedetta::browser::driver::proc_stat(pid).is_some_and(|s| s.state != 'Z');
        assert!(!alive, "{comm} ({pid}) of the grid outlived it");
    }
}

/// The figures behind the README's grid sizing: `journeys` copies of a one-page journey through
/// a hub and two nodes of `slots` sessions each, with `--jobs` = all slots. Prints journeys a
/// minute; asserts only that every journey passed. Run by hand:
/// `cargo test --test it grid_throughput -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement for the README, not a check"]
async fn grid_throughput() {
    let slots: usize = std::env::var("GRID_SLOTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    let count: usize = std::env::var("GRID_JOURNEYS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    let grid = DistributedGrid::start(2, slots).await;
    let gate = gate().await;
    gate.open.store(true, Ordering::SeqCst);
    let dir = tempfile::tempdir().unwrap();
    let journeys = gated_journeys(dir.path(), count);
    let started = Instant::now();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .arg("run")
        .args(&journeys)
        .args(["--var", &format!("BASE={}", gate.base)])
        .args([
            "--webdriver",
            &grid.hub.url,
            "--jobs",
            &(2 * slots).to_string(),
        ])
        .arg("--out")
        .arg(dir.path().join("out"))
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    println!(
        "{count} journeys, 2 nodes × {slots} slots, --jobs {}: {:.1} s, {:.1} journeys/minute",
        2 * slots,
        took.as_secs_f64(),
        count as f64 * 60.0 / took.as_secs_f64()
    );
}
