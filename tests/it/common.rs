//! Shared by the browser tests: a fixture HTTP server on 127.0.0.1:0, a runner helper that
//! bounds how many browsers run at once, and a check that no driver or browser outlives a test.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tokio::sync::Semaphore;
use tokio::sync::mpsc::unbounded_channel;
use tokio_util::sync::CancellationToken;

use vedetta::browser::BrowserConfig;
use vedetta::journey::model::Journey;
use vedetta::journey::{LoadOptions, load_journey, parse_journey};
use vedetta::runner::event::Event;
use vedetta::runner::result::{JourneyResult, RunReport, StepStatus};
use vedetta::runner::{RunOptions, run};

/// The machine has 2 cores: at most 2 browsers at once across a test binary's threads.
static BROWSERS: Semaphore = Semaphore::const_new(2);

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The fixture site: pages from tests/fixtures and routes that misbehave on purpose.
pub struct Site {
    pub base: String,
    shutdown: CancellationToken,
}

impl Drop for Site {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

#[derive(Clone)]
struct SiteState {
    flaky_hits: Arc<AtomicUsize>,
}

const OUTAGE_TEXT: &str = "Stiamo riscontrando delle difficoltà temporanee. Riprova più tardi.";

pub async fn serve() -> Site {
    let flaky_hits = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route("/down", get(|| async {
            (StatusCode::SERVICE_UNAVAILABLE, Html(format!(
                "<!doctype html><html><head><meta charset=utf-8><title>Service unavailable</title></head><body><h1>503</h1><p>{OUTAGE_TEXT}</p></body></html>"
            )))
        }))
        .route("/missing", get(|| async {
            (StatusCode::NOT_FOUND, Html("<!doctype html><title>Not found</title><h1>Not found</h1>"))
        }))
        // Fails the first time, passes after: a server-side counter.
        .route("/flaky", get(|State(s): State<SiteState>| async move {
            let n = s.flaky_hits.fetch_add(1, Ordering::SeqCst);
            if n == 0 {
                Html("<!doctype html><title>Flaky</title><h1>Something went wrong</h1>".to_string())
            } else {
                Html("<!doctype html><title>Flaky</title><div id=ok>All good</div>".to_string())
            }
        }))
        .route("/{file}", get(fixture))
        .with_state(SiteState { flaky_hits });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind fixture server");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await;
    });
    Site { base, shutdown }
}

async fn fixture(UrlPath(file): UrlPath<String>) -> Response {
    if !file.ends_with(".html") || file.contains('/') || file.contains("..") {
        return StatusCode::NOT_FOUND.into_response();
    }
    match std::fs::read_to_string(fixtures_dir().join(&file)) {
        Ok(body) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A port nothing listens on (bound, then released): for a server that cannot be told to pick
/// one itself, or a refused connection.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Loads tests/fixtures/`file` with `vars` as its whole environment (`BASE` is the site).
pub fn load(file: &str, vars: &[(&str, &str)]) -> Journey {
    let opts = LoadOptions::with_env(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    match load_journey(&fixtures_dir().join(file), &opts) {
        Ok(j) => j,
        Err(diags) => panic!("{file} is invalid: {diags:#?}"),
    }
}

/// A journey written in the test itself (`BASE` etc. from `vars`), as if read from
/// tests/fixtures/`name`.yaml.
pub fn journey(name: &str, yaml: &str, vars: &[(&str, &str)]) -> Journey {
    let opts = LoadOptions::with_env(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let path = fixtures_dir().join(format!("{name}.yaml"));
    match parse_journey(yaml, &path, &opts) {
        Ok(j) => j,
        Err(diags) => panic!("{name} is invalid: {diags:#?}"),
    }
}

/// One of the 2 browser slots, for tests that drive `run` themselves.
pub async fn browser_slot() -> tokio::sync::SemaphorePermit<'static> {
    BROWSERS.acquire().await.expect("semaphore")
}

pub fn options(out_dir: &Path) -> RunOptions {
    RunOptions {
        browser: BrowserConfig::default(),
        jobs: 1,
        out_dir: out_dir.to_path_buf(),
        run_id: "test-run".into(),
        otp: Default::default(),
        sign_key: None,
        browsers: None,
    }
}

/// What a run produced, with the events it sent.
pub struct Ran {
    pub report: RunReport,
    pub events: Vec<Event>,
}

impl Ran {
    pub fn journey(&self) -> &JourneyResult {
        &self.report.journeys[0]
    }
}

/// Runs `journeys` through the library API, one browser slot per journey, and checks that no
/// driver or browser process of theirs is left.
pub async fn run_with(journeys: Vec<Journey>, opts: RunOptions, cancel: CancellationToken) -> Ran {
    let labels: Vec<String> = journeys.iter().map(|j| j.name.clone()).collect();
    let slots = journeys.len().clamp(1, 2) as u32;
    let _permit = BROWSERS.acquire_many(slots).await.expect("semaphore");
    let (tx, mut rx) = unbounded_channel();
    let report = run(journeys, opts, tx, cancel).await;
    let mut events = Vec::new();
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    for label in &labels {
        assert_no_leftover_processes(label);
    }
    Ran { report, events }
}

pub async fn run_one(journey: Journey, out_dir: &Path) -> Ran {
    run_with(vec![journey], options(out_dir), CancellationToken::new()).await
}

/// Every step of `j` passed; those that did not are shown, with the journey's name.
pub fn assert_every_step_passed(j: &JourneyResult) {
    let not_passed: Vec<_> = j
        .steps
        .iter()
        .filter(|s| s.status != StepStatus::Passed)
        .collect();
    assert!(not_passed.is_empty(), "{}: {not_passed:#?}", j.name);
}

/// Debian's full Chromium (its script starts the browser with `exec`): what a headed run, or
/// `--browser-binary /usr/bin/chromium`, walks in. A headless run's default is Chromium's
/// headless shell.
pub const FULL_CHROMIUM: &str = "/usr/bin/chromium";

/// [`run_one`] in the full Chromium.
pub async fn run_one_in_full_chromium(journey: Journey, out_dir: &Path) -> Ran {
    let mut opts = options(out_dir);
    opts.browser.browser_binary = Some(FULL_CHROMIUM.into());
    run_with(vec![journey], opts, CancellationToken::new()).await
}

/// No process of any chromedriver started for `label` is alive: not the driver, not anything in
/// its process group (Chromium and its helpers), and nothing that left the group — Chromium's
/// crash handler daemonizes, but still carries its driver's tag in its environment — for any
/// driver that has stopped.
pub fn assert_no_leftover_processes(label: &str) {
    use vedetta::browser::driver::{drivers, proc_stat, process_group_alive, tagged_processes};
    let all = drivers();
    let mine: Vec<u32> = all
        .iter()
        .filter(|d| d.label == label)
        .map(|d| d.pid)
        .collect();
    for pid in &mine {
        let alive = proc_stat(*pid).is_some_and(|s| s.state != 'Z');
        assert!(!alive, "chromedriver {pid} for {label} is still running");
        assert!(
            !process_group_alive(*pid),
            "a process of chromedriver {pid}'s group ({label}) is still running"
        );
    }
    for d in all.iter().filter(|d| !d.running) {
        for pid in tagged_processes(&d.tag) {
            if let Some(p) = proc_stat(pid).filter(|p| p.state != 'Z') {
                panic!(
                    "{} ({pid}) outlived its driver {} ({}; checked after {label})",
                    p.comm, d.pid, d.label
                );
            }
        }
    }
}

/// Waits until `pred` holds for an event, up to `timeout`.
pub async fn wait_event(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
    seen: &mut Vec<Event>,
    timeout: Duration,
    pred: impl Fn(&Event) -> bool,
) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(e)) => {
                let hit = pred(&e);
                seen.push(e);
                if hit {
                    return true;
                }
            }
            _ => return false,
        }
    }
}

/// Live processes whose environment carries a browser tag of vedetta process `owner`.
pub fn tagged_by(owner: u32) -> Vec<(u32, String)> {
    let prefix = format!("VEDETTA_BROWSER_TAG={owner}-");
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|env| {
                env.split(|b| *b == 0)
                    .any(|kv| kv.starts_with(prefix.as_bytes()))
            })
        })
        .filter_map(|pid| vedetta::browser::driver::proc_stat(pid).filter(|s| s.state != 'Z'))
        .map(|s| (s.pid, s.comm))
        .collect()
}

/// `procs` and every live process below them.
pub fn descendants_of(procs: &[(u32, String)]) -> Vec<(u32, String)> {
    let all: Vec<_> = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(vedetta::browser::driver::proc_stat)
        .filter(|s| s.state != 'Z')
        .collect();
    let mut found = procs.to_vec();
    let mut i = 0;
    while i < found.len() {
        let parent = found[i].0;
        for s in all.iter().filter(|s| s.ppid == parent) {
            if !found.iter().any(|(p, _)| *p == s.pid) {
                found.push((s.pid, s.comm.clone()));
            }
        }
        i += 1;
    }
    found
}

/// `vedetta run FILE` against the fixture site with `--secrets`, every report (into
/// `dir/reports/`) and debug logs as JSON: everything a secret could leak into, written.
pub fn vedetta_run_everything(
    journey: &Path,
    secrets: &Path,
    base: &str,
    dir: &Path,
) -> std::process::Output {
    let reports = dir.join("reports");
    std::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .arg("run")
        .arg(journey)
        .args(["--var", &format!("BASE={base}")])
        .arg("--secrets")
        .arg(secrets)
        .arg("--out")
        .arg(dir.join("out"))
        .arg("--report-json")
        .arg(reports.join("report.json"))
        .arg("--junit")
        .arg(reports.join("junit.xml"))
        .arg("--html")
        .arg(reports.join("report.html"))
        .args(["--verbose", "--log-format", "json"])
        .output()
        .expect("run vedetta")
}

/// `vedetta run FILE --var BASE=base --out dir/out`, the binary as a user runs it against the
/// fixture site; the caller adds its own arguments and pipes.
pub fn vedetta_run(file: &Path, base: &str, dir: &Path) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_vedetta"));
    cmd.arg("run")
        .arg(file)
        .arg("--var")
        .arg(format!("BASE={base}"))
        .arg("--out")
        .arg(dir.join("out"))
        .kill_on_drop(true);
    cmd
}
