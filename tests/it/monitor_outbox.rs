//! A page is never lost to a crash: the down alert is written to the history's outbox in the
//! same transaction as the run that raised it. Here the receiver holds the alert's delivery
//! open, the daemon is killed with SIGKILL meanwhile, and the restarted daemon delivers the
//! same alert — once — and marks it sent; nothing is announced twice.
//!
//! Real parts: the `vedetta monitor` binary, headless Chromium, the demo bank with its outage
//! fault on from the start, and a webhook receiver on 127.0.0.1:0.

use crate::monitor_support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::routing::post;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use monitor_support::*;
use vedetta::monitor::store::Store;

const JOURNEY: &str = "demo-card-balance";
const PATIENCE: Duration = Duration::from_secs(120);

/// A webhook receiver that, while `hold` is on, keeps each request open (no answer) until
/// `release` fires, then refuses it; otherwise it takes it.
struct HoldingHook {
    url: String,
    /// Every body that arrived, answered or not.
    arrived: Arc<Mutex<Vec<Value>>>,
    /// The bodies it took (answered 200).
    taken: Arc<Mutex<Vec<Value>>>,
    hold: Arc<AtomicBool>,
    release: CancellationToken,
    stop: CancellationToken,
}

impl HoldingHook {
    async fn start() -> HoldingHook {
        let arrived = Arc::new(Mutex::new(Vec::new()));
        let taken = Arc::new(Mutex::new(Vec::new()));
        let hold = Arc::new(AtomicBool::new(true));
        let release = CancellationToken::new();
        let (a, t, h, r) = (
            arrived.clone(),
            taken.clone(),
            hold.clone(),
            release.clone(),
        );
        let app = axum::Router::new().route(
            "/alerts",
            post(move |Json(body): Json<Value>| {
                let (a, t, h, r) = (a.clone(), t.clone(), h.clone(), r.clone());
                async move {
                    a.lock().unwrap().push(body.clone());
                    if h.load(Ordering::SeqCst) {
                        r.cancelled().await;
                        return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                    }
                    t.lock().unwrap().push(body);
                    axum::http::StatusCode::OK
                }
            }),
        );
        let (addr, stop) = serve_app(app).await;
        HoldingHook {
            url: format!("http://{addr}/alerts"),
            arrived,
            taken,
            hold,
            release,
            stop,
        }
    }

    fn of(list: &Mutex<Vec<Value>>, event: &str) -> Vec<Value> {
        list.lock()
            .unwrap()
            .iter()
            .filter(|v| v["event"] == event)
            .cloned()
            .collect()
    }
}

impl Drop for HoldingHook {
    fn drop(&mut self) {
        self.release.cancel();
        self.stop.cancel();
    }
}

fn config(
    dir: &std::path::Path,
    stack: &vedetta::demo::DemoStack,
    hook: &HoldingHook,
) -> std::path::PathBuf {
    let journeys = dir.join("journeys");
    std::fs::create_dir_all(&journeys).unwrap();
    std::fs::copy(demo_journey(), journeys.join("demo-card-balance.yaml")).unwrap();
    let text = format!(
        "listen: 127.0.0.1:0\ndata_dir: data\nconcurrency: 1\n\
         alerts: {{ down_after: 2, recover_after: 1 }}\n\
         channels:\n  - webhook: {}\n\
         inbox: {{ url: \"{}\", token: \"${{INBOX_TOKEN}}\" }}\n\
         journeys:\n  - path: journeys/*.yaml\n    every: 2s\n    jitter: 500ms\n",
        hook.url,
        stack.inbox_server.url()
    );
    let path = dir.join("monitor.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn unsent(dir: &std::path::Path) -> Vec<Value> {
    Store::open(&dir.join("data"))
        .unwrap()
        .unsent_alerts()
        .unwrap()
        .into_iter()
        .map(|q| q.alert.webhook_payload())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_down_alert_cut_short_by_a_crash_goes_out_at_the_next_start() {
    let stack = demo_bank(&["outage"]).await;
    let hook = HoldingHook::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &stack, &hook);
    let daemon = Daemon::start(&config, &stack);

    // The down alert is on its way, held by the receiver: the daemon dies before it is out.
    let held = wait_for("the down alert to arrive", PATIENCE, || async {
        HoldingHook::of(&hook.arrived, "down").into_iter().next()
    })
    .await;
    let _ = daemon.kill_hard();
    assert!(HoldingHook::of(&hook.taken, "down").is_empty());
    assert_eq!(held["journey"], JOURNEY);

    // It is in the outbox, committed with its run.
    let waiting = unsent(dir.path());
    assert_eq!(waiting.len(), 1, "{waiting:#?}");
    assert_eq!(waiting[0]["event"], "down");
    assert_eq!(waiting[0]["run_id"], held["run_id"]);

    // The receiver answers again; the restarted daemon sends what was left, once.
    let last_before = Store::open(&dir.path().join("data"))
        .unwrap()
        .runs(JOURNEY, 1, None)
        .unwrap()[0]
        .id;
    hook.hold.store(false, Ordering::SeqCst);
    hook.release.cancel();
    let daemon = Daemon::start(&config, &stack);
    let delivered = wait_for("the left-over down alert", PATIENCE, || async {
        HoldingHook::of(&hook.taken, "down").into_iter().next()
    })
    .await;
    assert_eq!(delivered["run_id"], held["run_id"], "{delivered:#}");
    assert_eq!(delivered["since"], held["since"]);
    assert_eq!(delivered["text"], held["text"]);
    assert!(
        daemon
            .stdout
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("left undelivered")),
        "the daemon says what it is doing"
    );

    // A failed run after the restart: still down, nothing new announced.
    let api = format!("{}/api/journeys/{JOURNEY}/runs", daemon.url);
    wait_for("a failed run after the restart", PATIENCE, || async {
        let runs = get_json(&api).await;
        runs.as_array()?
            .iter()
            .any(|r| r["status"] == "failed" && r["id"].as_i64() > Some(last_before))
            .then_some(())
    })
    .await;
    let status = daemon.terminate(PATIENCE);
    assert!(status.success(), "SIGTERM: exit 0, got {status}");
    assert_eq!(HoldingHook::of(&hook.taken, "down").len(), 1);
    assert_eq!(
        hook.taken.lock().unwrap().len(),
        1,
        "{:#?}",
        hook.taken.lock().unwrap()
    );
    assert!(
        unsent(dir.path()).is_empty(),
        "marked sent once it went out"
    );
    stack.shutdown().await;
}
