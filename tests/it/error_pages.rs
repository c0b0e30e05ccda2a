//! The browser's own error page ("This site can't be reached", Firefox's "Unable to connect"):
//! a site that stops answering — before an `open`, or before a click that navigates — fails
//! that very step as an `outage` naming what the browser said, in Chromium and in Firefox,
//! through the binary (exit 1, never the harness's `error`). And what the page logged to the
//! console, and what it showed, end a failure's message.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use tokio_util::sync::CancellationToken;

use crate::common::{self, browser_slot, closed_port, journey, run_one};
use vedetta::runner::result::{FailureCategory, JourneyStatus, StepStatus};

/// A site whose `/shutdown` stops it for good: its port refuses connections from then on.
struct StoppableSite {
    base: String,
    stop: CancellationToken,
}

impl Drop for StoppableSite {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

#[derive(Clone)]
struct Stopper {
    stop: CancellationToken,
    addr: SocketAddr,
}

const HOME: &str = "<!doctype html><meta charset=utf-8><title>Home</title>\
    <h1>Welcome</h1><a id=targets href=/targets>Targets</a>";
const TARGETS: &str = "<!doctype html><meta charset=utf-8><title>Targets</title><h1>Targets</h1>";
/// Throws while it loads, then asks for a script that is not there; the balance never comes.
const BROKEN: &str = "<!doctype html><meta charset=utf-8><title>Account</title>\
    <p id=balance>Loading your balance…</p>\
    <script>setTimeout(function () { var s = document.createElement('script'); \
    s.src = '/missing.js'; document.body.appendChild(s); }, 50); \
    window.account.balance;</script>";

async fn stoppable_site() -> StoppableSite {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = CancellationToken::new();
    let app = Router::new()
        .route("/home", get(|| async { Html(HOME) }))
        .route("/targets", get(|| async { Html(TARGETS) }))
        .route("/broken", get(|| async { Html(BROKEN) }))
        .route("/shutdown", get(shutdown))
        .with_state(Stopper {
            stop: stop.clone(),
            addr,
        });
    let stopped = stop.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(stopped.cancelled_owned())
            .await;
    });
    StoppableSite {
        base: format!("http://{addr}"),
        stop,
    }
}

/// Stops the site and answers once its port refuses connections, so the journey's next
/// navigation cannot reach it.
async fn shutdown(State(s): State<Stopper>) -> &'static str {
    s.stop.cancel();
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(s.addr).await.is_err() {
            return "stopped";
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    "still listening"
}

fn explain(out: &Output) -> String {
    format!(
        "exit {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `vedetta run --browser BROWSER` of the two journeys below, in `dir`; the JSON report.
async fn run_stopped_site_journeys(browser: &str, dir: &Path) -> (Output, serde_json::Value) {
    let site = stoppable_site().await;
    let port = closed_port();
    // The step timeouts are long: a step that waited for them would fail as a timeout, not
    // as the outage these tests expect.
    std::fs::write(
        dir.join("open.yaml"),
        format!(
            "name: open-stopped-{browser}\ntimeout: 20s\nsteps:\n  - open: http://127.0.0.1:{port}/\n  - wait_for: {{ text: Targets }}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("click.yaml"),
        format!(
            "name: click-stopped-{browser}\nbase_url: ${{BASE}}\ntimeout: 20s\nsteps:\n  - open: /home\n  \
             - name: the site stops\n    script: \"return fetch('/shutdown').then(r => r.text())\"\n  \
             - click: '#targets'\n  - wait_for: {{ text: Targets }}\n"
        ),
    )
    .unwrap();
    let _slot = browser_slot().await;
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args(["run", "--browser", browser])
        .arg(dir.join("open.yaml"))
        .arg(dir.join("click.yaml"))
        .args(["--var", &format!("BASE={}", site.base)])
        .arg("--out")
        .arg(dir.join("out"))
        .arg("--report-json")
        .arg(dir.join("report.json"))
        .kill_on_drop(true)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the vedetta binary");
    let owner = child.id().unwrap();
    let out = tokio::time::timeout(Duration::from_secs(300), child.wait_with_output())
        .await
        .expect("vedetta finished")
        .unwrap();
    let left = common::tagged_by(owner);
    assert!(left.is_empty(), "left running after vedetta: {left:?}");
    let report = std::fs::read_to_string(dir.join("report.json"))
        .unwrap_or_else(|e| panic!("no report ({e}): {}", explain(&out)));
    (out, serde_json::from_str(&report).unwrap())
}

/// Both journeys failed at the step that met the error page, as an outage naming the refused
/// connection (`code`: how this browser names it); the run exits 1.
fn assert_outage_at_once(out: &Output, report: &serde_json::Value, code: &str) {
    assert_eq!(out.status.code(), Some(1), "{}", explain(out));
    let journeys = report["journeys"].as_array().unwrap();
    assert_eq!(journeys.len(), 2, "{report:#}");
    for (j, failing_index) in journeys.iter().zip([1, 3]) {
        assert_eq!(j["status"], "failed", "never `error`: {j:#}");
        assert!(j.get("error").is_none(), "{j:#}");
        let steps = j["steps"].as_array().unwrap();
        let failed: Vec<_> = steps.iter().filter(|s| s["status"] == "failed").collect();
        assert_eq!(failed.len(), 1, "{j:#}");
        let step = failed[0];
        // The step that navigated is blamed, not the wait after it, and as soon as the error
        // page showed: a wait through the step's timeout would be a `timeout`.
        assert_eq!(step["index"], failing_index, "{j:#}");
        assert_eq!(steps.last().unwrap()["status"], "skipped", "{j:#}");
        let failure = &step["failure"];
        assert_eq!(failure["category"], "outage", "{failure:#}");
        let message = failure["message"].as_str().unwrap();
        assert!(
            message.starts_with("the browser could not reach http://127.0.0.1:")
                && message.ends_with(&format!(": connection refused ({code})")),
            "{message}"
        );
        // No page load to time: the error page's own times are not the site's.
        assert!(step.get("timing").is_none(), "{step:#}");
    }
    let click = &journeys[1]["steps"];
    assert!(
        click[2]["failure"]["message"]
            .as_str()
            .unwrap()
            .contains("/targets: connection refused"),
        "the URL the click led to: {click:#}"
    );
    // The screenshot of the error page is kept, as for any failure.
    let shot = click[2]["failure"]["screenshot"].as_str().expect("a shot");
    assert!(Path::new(shot).is_file(), "{shot}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_site_is_an_outage_at_once_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let (out, report) = run_stopped_site_journeys("chromium", dir.path()).await;
    assert_outage_at_once(&out, &report, "ERR_CONNECTION_REFUSED");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("outage"), "{}", explain(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_site_is_an_outage_at_once_in_firefox() {
    let dir = tempfile::tempdir().unwrap();
    let (out, report) = run_stopped_site_journeys("firefox", dir.path()).await;
    assert_outage_at_once(&out, &report, "connectionFailure");
    // Firefox's network and console come over WebDriver BiDi: the evidence has the refused
    // navigation in its HAR, with Firefox's reason, and the console's log (the page logged
    // nothing); the folder verifies.
    let failure = &report["journeys"][1]["steps"][2]["failure"];
    assert!(failure.get("console").is_none(), "{failure:#}");
    let shot = Path::new(failure["screenshot"].as_str().unwrap());
    let console = std::fs::read_to_string(shot.with_extension("console.txt")).unwrap();
    assert!(!console.contains("no browser console"), "{console}");
    let folder = Path::new(failure["evidence"].as_str().unwrap());
    let har: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("network.har")).unwrap())
            .unwrap();
    let refused = har["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["request"]["url"]
                .as_str()
                .is_some_and(|u| u.ends_with("/targets"))
        })
        .unwrap_or_else(|| panic!("the refused navigation is in the HAR: {har:#}"));
    assert_eq!(
        refused["_error"], "NS_ERROR_CONNECTION_REFUSED",
        "{refused:#}"
    );
    assert_eq!(refused["_resourceType"], "document", "{refused:#}");
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args(["evidence", "verify"])
        .arg(failure["evidence"].as_str().unwrap())
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", explain(&verify));
}

/// Firefox's console comes over WebDriver BiDi: the exception the page threw is in the
/// failure's `console`, where it was thrown, as in Chromium, and in the evidence's console log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_page_logged_in_firefox_ends_the_failure() {
    let site = stoppable_site().await;
    let out = tempfile::tempdir().unwrap();
    let yaml = "name: console-errors-firefox\nbase_url: ${BASE}\ntimeout: 1s\nsteps:\n  - open: /broken\n  \
                - name: the balance shows\n    wait_for: { text: '€' }\n";
    let mut opts = common::options(out.path());
    opts.browser.kind = vedetta::browser::BrowserKind::Firefox;
    let ran = common::run_with(
        vec![journey(
            "console-errors-firefox",
            yaml,
            &[("BASE", &site.base)],
        )],
        opts,
        CancellationToken::new(),
    )
    .await;
    let j = ran.journey();
    assert_eq!(j.status, JourneyStatus::Failed);
    let f = j.steps[1].failure.as_ref().unwrap();
    assert_eq!(f.category, FailureCategory::Timeout);
    assert!(
        f.console[0].starts_with("TypeError: ") && f.console[0].ends_with("(broken:1)"),
        "{:?}",
        f.console
    );
    let shot = Path::new(f.screenshot.as_deref().expect("a shot"));
    let console = std::fs::read_to_string(shot.with_extension("console.txt")).unwrap();
    assert!(
        console.contains(" SEVERE http://127.0.0.1:") && console.contains("TypeError: "),
        "{console}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_page_logged_and_showed_ends_the_failure() {
    let site = stoppable_site().await;
    let out = tempfile::tempdir().unwrap();
    let yaml = "name: console-errors\nbase_url: ${BASE}\ntimeout: 1s\nsteps:\n  - open: /broken\n  \
                - name: the balance shows\n    wait_for: { text: '€' }\n";
    let ran = run_one(
        journey("console-errors", yaml, &[("BASE", &site.base)]),
        out.path(),
    )
    .await;
    let j = ran.journey();
    assert_eq!(j.status, JourneyStatus::Failed);
    assert_eq!(j.steps[0].status, StepStatus::Passed, "{:#?}", j.steps[0]);
    let f = j.steps[1].failure.as_ref().unwrap();
    assert_eq!(f.category, FailureCategory::Timeout);
    // The exception was thrown while `open` loaded the page, the step before: still named.
    assert!(
        f.console[0].starts_with("Uncaught TypeError: ") && f.console[0].ends_with("(broken:1)"),
        "{:?}",
        f.console
    );
    assert!(
        f.console
            .iter()
            .any(|c| c.contains("404 (Not Found)") && c.ends_with("(/missing.js)")),
        "{:?}",
        f.console
    );
    let message = &f.message;
    assert!(
        message.starts_with(
            "the page text did not match \"€\" within 1s; the page showed title \"Account\", text \"Loading your balance…\""
        ),
        "{message}"
    );
    assert!(
        message.contains(&format!("; the page logged: {} (and", f.console[0])),
        "{message}"
    );
    // In the JSON report too, under `console`.
    let json = serde_json::to_value(&ran.report).unwrap();
    assert_eq!(
        json["journeys"][0]["steps"][1]["failure"]["console"][0],
        f.console[0].as_str()
    );
}
