//! Shared by the monitor's tests: the real `vedetta monitor` binary as a child process, the
//! demo bank started in the test, a webhook receiver on 127.0.0.1:0, and /proc helpers to see
//! the daemon's browser processes. A daemon left running by a failing test is stopped (SIGTERM,
//! then SIGKILL of its process and of the driver groups it started) when its guard drops.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::routing::post;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use vedetta::browser::driver::proc_stat;
use vedetta::demo::{DEMO_PASSWORD, DemoStack};

/// The demo journey, as shipped.
pub fn demo_journey() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("journeys/demo-card-balance.yaml")
}

/// The demo bank and its inbox on 127.0.0.1:0, with `faults` on.
pub async fn demo_bank(faults: &[&str]) -> DemoStack {
    let faults = faults.iter().map(|f| f.parse().expect("a fault")).collect();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the bank");
    DemoStack::start(listener, faults)
        .await
        .expect("start the demo bank")
}

/// Switches a fault of the bank through its admin endpoint, as an operator would.
pub async fn switch_fault(stack: &DemoStack, fault: &str, on: bool) {
    let resp = reqwest::Client::new()
        .post(format!("{}/admin/faults", stack.bank.url))
        .bearer_auth(&stack.bank.admin_token)
        .json(&serde_json::json!({"fault": fault, "on": on}))
        .send()
        .await
        .expect("admin endpoint");
    assert!(
        resp.status().is_success(),
        "switching {fault}: {}",
        resp.status()
    );
}

/// A monitor config for the demo journey against `stack`, alerts to `webhook`.
pub fn demo_config(dir: &Path, stack: &DemoStack, webhook: &Webhook, extra: &str) -> PathBuf {
    let journey = dir.join("journeys");
    std::fs::create_dir_all(&journey).unwrap();
    std::fs::copy(demo_journey(), journey.join("demo-card-balance.yaml")).unwrap();
    let config = format!(
        "listen: 127.0.0.1:0\ndata_dir: data\nconcurrency: 1\n\
         alerts: {{ down_after: 2, recover_after: 1 }}\n\
         channels:\n  - webhook: {}\n  - slack: {}\n\
         inbox: {{ url: \"{}\", token: \"${{INBOX_TOKEN}}\" }}\n\
         journeys:\n  - path: journeys/*.yaml\n    every: 2s\n    jitter: 500ms\n{extra}",
        webhook.url,
        webhook.slack_url,
        stack.inbox_server.url()
    );
    let path = dir.join("monitor.yaml");
    std::fs::write(&path, config).unwrap();
    path
}

/// A running `vedetta monitor`.
pub struct Daemon {
    child: Option<Child>,
    pub pid: u32,
    /// `http://127.0.0.1:PORT` of its HTTP server.
    pub url: String,
    pub stdout: Arc<Mutex<Vec<String>>>,
    /// Every process seen below the daemon (drivers, browsers): killed by group if the test
    /// fails before the daemon stopped them itself.
    seen: Arc<Mutex<Vec<u32>>>,
}

impl Daemon {
    /// Starts the monitor on `config`, against `stack`'s bank and inbox, and waits for its
    /// status page to be served.
    pub fn start(config: &Path, stack: &DemoStack) -> Daemon {
        Daemon::start_with(config, stack, &[])
    }

    /// [`Daemon::start`] with more command-line arguments.
    pub fn start_with(config: &Path, stack: &DemoStack, extra: &[&str]) -> Daemon {
        let bank = format!("BANK_URL={}", stack.bank.url);
        let mut args = vec!["--var", bank.as_str()];
        args.extend_from_slice(extra);
        Daemon::start_env(config, &args, &[("INBOX_TOKEN", &stack.inbox_token)])
    }

    /// Starts the monitor on `config` with these arguments and environment variables (and the
    /// demo password), and waits for its status page to be served.
    pub fn start_env(config: &Path, args: &[&str], env: &[(&str, &str)]) -> Daemon {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vedetta"))
            .arg("monitor")
            .arg(config)
            .args(args)
            .envs(env.iter().copied())
            .env("DEMO_PASSWORD", DEMO_PASSWORD)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start vedetta monitor");
        let pid = child.id();
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let lines = stdout.clone();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                println!("[monitor] {line}");
                lines.lock().unwrap().push(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = loop {
            let found = stdout.lock().unwrap().iter().find_map(|l| {
                l.split("status page ")
                    .nth(1)
                    .map(|u| u.trim().trim_end_matches('/').to_string())
            });
            if let Some(url) = found {
                break url;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("vedetta monitor exited at start: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "vedetta monitor did not print its status page URL"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        Daemon {
            child: Some(child),
            pid,
            url,
            stdout,
            seen: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// The daemon's descendants now (drivers, browsers and their helpers).
    pub fn descendants(&self) -> Vec<vedetta::browser::driver::ProcStat> {
        let d = descendants(self.pid);
        self.seen.lock().unwrap().extend(d.iter().map(|p| p.pid));
        d
    }

    /// Sends SIGTERM and waits for the exit (at most `within`).
    pub fn terminate(mut self, within: Duration) -> ExitStatus {
        let mut child = self.child.take().unwrap();
        signal(self.pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                self.kill_seen();
                panic!("vedetta monitor did not stop within {within:?} of SIGTERM");
            }
            // Keep track of what it started, in case it never stops them.
            let _ = self.descendants();
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends SIGKILL: the daemon gets no chance to clean up. Then ends what it left (its
    /// drivers' process groups, which hold their browsers), waits up to 10 s for them to go, and
    /// returns their PIDs for the test to check.
    pub fn kill_hard(mut self) -> Vec<u32> {
        let _ = self.descendants();
        let mut child = self.child.take().unwrap();
        let _ = child.kill();
        let _ = child.wait();
        let left = self.seen.lock().unwrap().clone();
        for pid in &left {
            kill_group_of(*pid);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while left.iter().any(|p| alive(*p)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        remove_temp_dirs_of(self.pid);
        left
    }

    fn kill_seen(&self) {
        for pid in self.seen.lock().unwrap().iter() {
            kill_group_of(*pid);
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = self.descendants();
            signal(self.pid, nix::sys::signal::Signal::SIGTERM);
            let deadline = Instant::now() + Duration::from_secs(30);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
            self.kill_seen();
            remove_temp_dirs_of(self.pid);
        }
    }
}

/// Removes the browser profiles a killed vedetta left in the temp dir (`vedetta-PID-…`, named
/// after the process that made them): a process killed with SIGKILL cannot remove its own.
pub fn remove_temp_dirs_of(pid: u32) {
    let prefix = format!("vedetta-{pid}-");
    for entry in std::fs::read_dir(std::env::temp_dir())
        .into_iter()
        .flatten()
        .flatten()
    {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn signal(pid: u32, sig: nix::sys::signal::Signal) {
    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), sig);
}

/// SIGKILLs the process group led by `pid` (a driver leads its browser's group), and `pid`.
pub fn kill_group_of(pid: u32) {
    if let Some(stat) = proc_stat(pid) {
        if stat.pgrp == pid {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        signal(pid, nix::sys::signal::Signal::SIGKILL);
    }
}

/// Processes whose command line contains `needle` (a path unique to this test).
pub fn processes_mentioning(needle: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(needle))
        })
        .collect()
}

/// Whether `pid` is a live process (not gone, not a zombie).
pub fn alive(pid: u32) -> bool {
    proc_stat(pid).is_some_and(|s| s.state != 'Z')
}

/// Every process whose parent chain leads to `root`.
pub fn descendants(root: u32) -> Vec<vedetta::browser::driver::ProcStat> {
    let all: Vec<_> = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(proc_stat)
        .collect();
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for c in all.iter().filter(|s| s.ppid == p) {
            frontier.push(c.pid);
            out.push(c.clone());
        }
    }
    out
}

/// A webhook receiver on 127.0.0.1:0 that keeps every JSON body it gets.
/// Serves `app` on 127.0.0.1:0 until the returned token is cancelled.
pub async fn serve_app(app: axum::Router) -> (std::net::SocketAddr, CancellationToken) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = CancellationToken::new();
    let s = stop.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(s.cancelled_owned())
            .await;
    });
    (addr, stop)
}

pub struct Webhook {
    /// The generic JSON channel.
    pub url: String,
    pub received: Arc<Mutex<Vec<Value>>>,
    /// A Slack-compatible channel on the same server.
    pub slack_url: String,
    pub slack: Arc<Mutex<Vec<Value>>>,
    stop: CancellationToken,
}

impl Webhook {
    pub async fn start() -> Webhook {
        let received = Arc::new(Mutex::new(Vec::new()));
        let slack = Arc::new(Mutex::new(Vec::new()));
        let keep = |store: Arc<Mutex<Vec<Value>>>| {
            post(move |Json(body): Json<Value>| async move {
                store.lock().unwrap().push(body);
                "ok"
            })
        };
        let app = axum::Router::new()
            .route("/alerts", keep(received.clone()))
            .route("/slack", keep(slack.clone()));
        let (addr, stop) = serve_app(app).await;
        Webhook {
            url: format!("http://{addr}/alerts"),
            received,
            slack_url: format!("http://{addr}/slack"),
            slack,
            stop,
        }
    }

    /// The alerts received so far whose `event` is `event`.
    pub fn events(&self, event: &str) -> Vec<Value> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|v| v["event"] == event)
            .cloned()
            .collect()
    }
}

impl Drop for Webhook {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

pub async fn get_json(url: &str) -> Value {
    let resp = reqwest::get(url)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    assert!(resp.status().is_success(), "GET {url}: {}", resp.status());
    resp.json().await.unwrap()
}

pub async fn get_text(url: &str) -> String {
    let resp = reqwest::get(url)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    assert!(resp.status().is_success(), "GET {url}: {}", resp.status());
    resp.text().await.unwrap()
}

/// Polls `check` every 200 ms until it returns `Some`, for at most `timeout`.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The value of a Prometheus sample line `name{labels} value`, if present.
pub fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| {
            l.strip_prefix(series)
                .and_then(|rest| rest.strip_prefix(' '))
        })
        .and_then(|v| v.trim().parse().ok())
}

/// Headless Chromium (its own temporary profile, its own process group, ended afterwards)
/// loads `url`; returns the DOM after load and writes a screenshot to `png`.
pub fn render_page(url: &str, png: &Path) -> String {
    render_page_at(url, png, "1280,1100")
}

/// [`render_page`] in a window of `size` (`412,900`: a phone).
pub fn render_page_at(url: &str, png: &Path, size: &str) -> String {
    let run = |extra: &[String]| -> std::process::Output {
        let profile = tempfile::tempdir().unwrap();
        let mut cmd = Command::new("/usr/bin/chromium");
        cmd.args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
            // Not --disable-crashpad-for-testing: with it --dump-dom prints nothing.
            "--disable-breakpad",
            "--hide-scrollbars",
        ])
        .arg(format!("--window-size={size}"))
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd
            .spawn()
            .expect("/usr/bin/chromium must be installed: the status page test needs it");
        let pid = child.id();
        let out = child.wait_with_output().expect("chromium");
        // Helpers of the browser that outlived it: in its group, or (crashpad's handler, which
        // daemonizes) found by this run's own profile folder in their command line.
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pid as i32),
            nix::sys::signal::Signal::SIGKILL,
        );
        for p in processes_mentioning(&profile.path().to_string_lossy()) {
            signal(p, nix::sys::signal::Signal::SIGKILL);
        }
        out
    };
    let shot = run(&[format!("--screenshot={}", png.display())]);
    assert!(
        shot.status.success(),
        "chromium --screenshot failed: {}",
        shot.status
    );
    let dom = run(&["--dump-dom".to_string()]);
    assert!(
        dom.status.success(),
        "chromium --dump-dom failed: {}",
        dom.status
    );
    String::from_utf8_lossy(&dom.stdout).to_string()
}
