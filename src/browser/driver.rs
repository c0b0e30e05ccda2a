//! A WebDriver server we start and own (chromedriver, geckodriver): one per browser session, on
//! a free loopback port, in its own process group so that killing the group also ends every
//! browser process it started.
//!
//! Every exit path kills the group: [`LocalDriver::stop`] on the normal path, `Drop` when a
//! task is dropped mid-step (cancellation, panic), and `PR_SET_PDEATHSIG` on Linux so that a
//! SIGKILLed vedetta does not leave the driver behind.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use super::BrowserKind;
use super::error::BrowserError;
use super::temp_dir::TempDir;

/// How long the driver may take to answer `/status` after it was started.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);

/// A running driver and the profile directory of the browser it drives.
#[derive(Debug)]
pub struct LocalDriver {
    kind: BrowserKind,
    child: Option<Child>,
    pid: u32,
    port: u16,
    /// Holds `profile/` (Chromium's `--user-data-dir`; geckodriver makes Firefox's profile
    /// in it as its TMPDIR) and `driver.log`.
    dir: TempDir,
    /// `VEDETTA_BROWSER_TAG=…` in the environment of the driver and everything it starts.
    tag: String,
}

impl LocalDriver {
    /// Starts the driver of `kind` (`path`, else its usual name on PATH) and waits until it is
    /// ready. `label` names the driver in [`drivers`] (the journey's name).
    pub async fn start(
        kind: BrowserKind,
        path: Option<&Path>,
        label: &str,
    ) -> Result<LocalDriver, BrowserError> {
        let program = resolve_driver(kind, path)?;
        // The port was free when picked but another process may take it before the driver
        // binds it: a driver that exits at startup gets another port, twice.
        let mut tries = 0;
        loop {
            tries += 1;
            match Self::start_once(kind, &program, label).await {
                Err(StartError::Exited(e)) if tries < 3 => {
                    tracing::debug!("{} exited at startup, retrying: {e}", kind.driver_name());
                }
                Err(StartError::Exited(e) | StartError::Other(e)) => return Err(e),
                Ok(d) => return Ok(d),
            }
        }
    }

    async fn start_once(
        kind: BrowserKind,
        program: &Path,
        label: &str,
    ) -> Result<LocalDriver, StartError> {
        let name = kind.driver_name();
        let dir = TempDir::new("vedetta").map_err(|e| {
            BrowserError::Setup(format!("could not create a browser profile dir: {e}"))
        })?;
        std::fs::create_dir(dir.path().join("profile")).map_err(|e| {
            BrowserError::Setup(format!("could not create a browser profile dir: {e}"))
        })?;
        let log_path = dir.path().join("driver.log");
        let log = std::fs::File::create(&log_path).map_err(|e| {
            BrowserError::Setup(format!("could not create {}: {e}", log_path.display()))
        })?;
        let log2 = log.try_clone().map_err(|e| {
            BrowserError::Setup(format!("could not create {}: {e}", log_path.display()))
        })?;
        let port = free_port()
            .map_err(|e| BrowserError::Setup(format!("no free loopback port for {name}: {e}")))?;

        // Chromium's crash handler daemonizes out of the process group; the environment it
        // inherits still names it as ours, so that it can be ended too.
        let tag = format!(
            "{TAG_VAR}={}-{:016x}",
            std::process::id(),
            rand::random::<u64>()
        );
        let mut cmd = Command::new(program);
        cmd.env(TAG_VAR, &tag[TAG_VAR.len() + 1..])
            // geckodriver makes Firefox's profile in the temp folder: ours, removed with it.
            .env("TMPDIR", dir.path())
            .args(kind.driver_args(port))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2);
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
            // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
            // The signal fires when the spawning *thread* exits; tokio's worker threads live as
            // long as the runtime, whose end is also the end of every run.
            #[cfg(target_os = "linux")]
            unsafe {
                cmd.pre_exec(|| {
                    nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(std::io::Error::from)
                });
            }
        }
        let child = cmd.spawn().map_err(|e| {
            BrowserError::Setup(format!("could not start {name} {}: {e}", program.display()))
        })?;
        let pid = child.id();
        register(label, pid, &tag);
        let mut driver = LocalDriver {
            kind,
            child: Some(child),
            pid,
            port,
            dir,
            tag,
        };
        driver.wait_ready(&log_path).await?;
        tracing::debug!(pid, port, "{name} ready");
        Ok(driver)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The driver's PID, which is also its process group's id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// A launcher for `browser` (else the first browser of the driver's kind on PATH: see
    /// [`BrowserKind::headless_shells`] and [`BrowserKind::browser_names`]) that makes the browser die with the driver (`setpriv
    /// --pdeathsig KILL`, when there is a `setpriv`): with the driver's own death-signal, a
    /// SIGKILLed vedetta takes its browsers with it. Chromium is given `about:blank` to open
    /// in its first tab: chromedriver names a first page (`data:,`) only for a profile of its
    /// own, and without one Chromium's headless shell opens no tab at all, which chromedriver
    /// would wait for until its start timed out. `None` (launch the browser as is) when there
    /// is no browser to wrap.
    pub fn browser_launcher(&self, browser: Option<&Path>, headless: bool) -> Option<PathBuf> {
        let browser = match browser {
            Some(b) if b.is_file() => b.to_path_buf(),
            Some(_) => return None,
            None => {
                let shells = if headless {
                    self.kind.headless_shells()
                } else {
                    &[]
                };
                shells
                    .iter()
                    .chain(self.kind.browser_names())
                    .find_map(|n| find_on_path(n))?
            }
        };
        let quote = |p: &Path| format!("'{}'", p.display().to_string().replace('\'', "'\\''"));
        let exec = match find_on_path("setpriv") {
            Some(setpriv) => format!(
                "{} --pdeathsig KILL -- {}",
                quote(&setpriv),
                quote(&browser)
            ),
            None => quote(&browser),
        };
        let first_page = match self.kind {
            BrowserKind::Chromium => " about:blank",
            BrowserKind::Firefox => "",
        };
        let script = format!("#!/bin/sh\nexec {exec} \"$@\"{first_page}\n");
        let path = self.dir.path().join("browser");
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::write(&path, script).ok()?;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).ok()?;
        }
        Some(path)
    }

    /// The browser's `--user-data-dir`.
    pub fn profile_dir(&self) -> PathBuf {
        self.dir.path().join("profile")
    }

    async fn wait_ready(&mut self, log_path: &Path) -> Result<(), StartError> {
        let status_url = format!("{}/status", self.url());
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| BrowserError::Setup(format!("http client: {e}")))?;
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                let log = std::fs::read_to_string(log_path).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(5).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                return Err(StartError::Exited(BrowserError::Setup(format!(
                    "{} exited at startup ({status}): {}",
                    self.kind.driver_name(),
                    tail.join(" | ")
                ))));
            }
            if let Ok(resp) = http.get(&status_url).send().await
                && let Ok(body) = resp.json::<serde_json::Value>().await
                && body["value"]["ready"].as_bool() == Some(true)
            {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(StartError::Other(BrowserError::Setup(format!(
                    "{} did not become ready on port {} within {}s",
                    self.kind.driver_name(),
                    self.port,
                    STARTUP_TIMEOUT.as_secs()
                ))));
            }
            // chromedriver answers within some 50 ms of its start: a short poll, not a wait.
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Kills the driver's process group and reaps the driver, without blocking the runtime.
    pub async fn stop(mut self) {
        self.kill_group();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            let reaped = self
                .child
                .as_mut()
                .is_none_or(|c| !matches!(c.try_wait(), Ok(None)));
            if reaped && !self.any_alive() {
                break;
            }
            // A crash handler may daemonize while the browser is being killed.
            self.kill_group();
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        self.finish();
    }

    /// SIGKILLs the driver's process group and every process carrying its tag.
    fn kill_group(&self) {
        // ESRCH (already gone) is fine.
        let _ = killpg(Pid::from_raw(self.pid as i32), Signal::SIGKILL);
        for pid in tagged_processes(&self.tag) {
            let _ = nix::sys::signal::kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
        }
    }

    fn any_alive(&self) -> bool {
        process_group_alive(self.pid)
            || tagged_processes(&self.tag)
                .into_iter()
                .any(|p| proc_stat(p).is_some_and(|s| s.state != 'Z'))
    }

    /// Reaps the driver (blocking briefly) and marks it stopped.
    fn finish(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        unregister(self.pid);
    }
}

impl Drop for LocalDriver {
    fn drop(&mut self) {
        if self.child.is_some() {
            self.kill_group();
            if let Some(mut child) = self.child.take() {
                let _ = child.wait();
            }
            // Give the group's Chromium processes a moment to go before the profile is removed
            // (and before the registry says the driver has stopped).
            let deadline = Instant::now() + Duration::from_secs(2);
            while self.any_alive() && Instant::now() < deadline {
                self.kill_group();
                std::thread::sleep(Duration::from_millis(20));
            }
            unregister(self.pid);
        }
    }
}

/// Why one start failed: `Exited` may be a lost race for the port and is worth a retry.
enum StartError {
    Exited(BrowserError),
    Other(BrowserError),
}

impl From<BrowserError> for StartError {
    fn from(e: BrowserError) -> Self {
        StartError::Other(e)
    }
}

fn resolve_driver(kind: BrowserKind, path: Option<&Path>) -> Result<PathBuf, BrowserError> {
    let (name, hint) = (kind.driver_name(), kind.driver_install_hint());
    match path {
        Some(p) if p.is_file() => Ok(p.to_path_buf()),
        Some(p) => Err(BrowserError::Setup(format!(
            "{name} not found at {}; {hint} or pass --driver PATH",
            p.display()
        ))),
        None => find_on_path(name).ok_or_else(|| {
            BrowserError::Setup(format!(
                "{name} not found on PATH; {hint} or pass --driver PATH"
            ))
        }),
    }
}

/// `name` in the first folder of PATH that has it; an absolute `name` if it is a file.
fn find_on_path(name: &str) -> Option<PathBuf> {
    if Path::new(name).is_absolute() {
        return Some(PathBuf::from(name)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// A port that was free a moment ago: bind port 0, read it, release it.
fn free_port() -> std::io::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// The environment variable that marks the driver's and the browser's processes.
const TAG_VAR: &str = "VEDETTA_BROWSER_TAG";

/// Processes whose environment holds `tag` (`NAME=value`), ours or not yet reaped.
pub fn tagged_processes(tag: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let me = std::process::id();
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| *pid != me)
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.split(|b| *b == 0).any(|kv| kv == tag.as_bytes()))
        })
        .collect()
}

/// Whether any live (non-zombie) process is still in process group `pgid`.
pub fn process_group_alive(pgid: u32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|e| {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            return false;
        };
        matches!(proc_stat(pid), Some(s) if s.pgrp == pgid && s.state != 'Z')
    })
}

/// The fields of `/proc/PID/stat` this module needs.
#[derive(Debug, Clone)]
pub struct ProcStat {
    pub pid: u32,
    pub comm: String,
    pub state: char,
    pub ppid: u32,
    pub pgrp: u32,
}

pub fn proc_stat(pid: u32) -> Option<ProcStat> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // comm is in parentheses and may hold spaces: split at the last ')'.
    let open = s.find('(')?;
    let close = s.rfind(')')?;
    let comm = s[open + 1..close].to_string();
    let mut rest = s[close + 1..].split_whitespace();
    let state = rest.next()?.chars().next()?;
    let ppid = rest.next()?.parse().ok()?;
    let pgrp = rest.next()?.parse().ok()?;
    Some(ProcStat {
        pid,
        comm,
        state,
        ppid,
        pgrp,
    })
}

/// A driver this process started.
#[derive(Debug, Clone)]
pub struct DriverRecord {
    /// The journey it was started for.
    pub label: String,
    /// PID and process group id.
    pub pid: u32,
    /// Not yet stopped.
    pub running: bool,
    /// `VEDETTA_BROWSER_TAG=…`: in the environment of the driver and of every process it
    /// started, including those that left its process group.
    pub tag: String,
}

static DRIVERS: Mutex<Vec<DriverRecord>> = Mutex::new(Vec::new());

fn register(label: &str, pid: u32, tag: &str) {
    if let Ok(mut d) = DRIVERS.lock() {
        d.push(DriverRecord {
            label: label.to_string(),
            pid,
            running: true,
            tag: tag.to_string(),
        });
    }
}

fn unregister(pid: u32) {
    if let Ok(mut d) = DRIVERS.lock() {
        for r in d.iter_mut().filter(|r| r.pid == pid) {
            r.running = false;
        }
    }
}

/// Every driver this process has started, oldest first (for diagnostics and tests).
pub fn drivers() -> Vec<DriverRecord> {
    DRIVERS.lock().map(|d| d.clone()).unwrap_or_default()
}

/// Kills every running driver's process group at once: for an emergency exit (a second
/// Ctrl-C) where the normal shutdown cannot be awaited.
pub fn kill_all() {
    for r in drivers().into_iter().filter(|r| r.running) {
        let _ = killpg(Pid::from_raw(r.pid as i32), Signal::SIGKILL);
    }
}
