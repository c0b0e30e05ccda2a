//! How `vedetta monitor` stops. SIGTERM mid-run: exit 0, the run in flight recorded as
//! cancelled, no browser or driver process left. `kill -9` mid-run: the history holds every
//! finished run whole and nothing of the one in flight, and a restart carries on from it.
//!
//! The bank drops the SMS code (`sms-drop`), so a run sits in its OTP step (20 s timeout) with a
//! browser open: the moment to stop it. Two tests, one daemon browser each.

use crate::monitor_support;

use std::time::{Duration, Instant};

use monitor_support::*;

const JOURNEY: &str = "demo-card-balance";
const PATIENCE: Duration = Duration::from_secs(120);
/// The demo journey's OTP step timeout: a run cancelled by SIGTERM ends long before it.
const OTP_TIMEOUT: Duration = Duration::from_secs(20);

/// Waits until a run is in flight with its browser up; returns when that run started (ms).
async fn run_in_flight(daemon: &Daemon) -> i64 {
    let url = format!("{}/api/journeys", daemon.url);
    wait_for("a run in flight with its browser", PATIENCE, || async {
        let journeys = get_json(&url).await;
        let since = journeys[0]["running_since_ms"].as_i64()?;
        let browser = daemon
            .descendants()
            .iter()
            .any(|p| p.comm.contains("chrom") && p.state != 'Z');
        browser.then_some(since)
    })
    .await
}

fn history(dir: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join("data/history.sqlite3")).expect("the history database")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_run_exits_0_records_the_run_and_leaves_no_browser() {
    let stack = demo_bank(&["sms-drop"]).await;
    let webhook = Webhook::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), &stack, &webhook, "");
    let daemon = Daemon::start(&config, &stack);
    let started_ms = run_in_flight(&daemon).await;
    // Let it get into the OTP wait.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let processes: Vec<u32> = daemon.descendants().iter().map(|p| p.pid).collect();
    assert!(!processes.is_empty());

    let asked = Instant::now();
    let status = daemon.terminate(PATIENCE);
    assert!(status.success(), "exit 0 after SIGTERM, got {status}");
    assert!(
        asked.elapsed() < OTP_TIMEOUT,
        "the run was cancelled, not waited out ({:?})",
        asked.elapsed()
    );
    for pid in &processes {
        assert!(!alive(*pid), "process {pid} of the daemon outlived it");
    }

    let db = history(dir.path());
    let (status, error): (String, Option<String>) = db
        .query_row(
            "SELECT status, error FROM runs WHERE started_at_ms = ?1",
            [started_ms],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the run in flight is recorded");
    assert_eq!(status, "cancelled", "{error:?}");
    let integrity: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    assert!(
        webhook.events("down").is_empty() && webhook.events("blind").is_empty(),
        "a cancelled run alerts nobody"
    );
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_run_leaves_no_half_written_run_and_a_restart_carries_on() {
    let stack = demo_bank(&["sms-drop"]).await;
    let webhook = Webhook::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), &stack, &webhook, "");
    let daemon = Daemon::start(&config, &stack);
    let started_ms = run_in_flight(&daemon).await;
    tokio::time::sleep(Duration::from_secs(1)).await;

    // The daemon had no chance to close its browser: kill_hard ends what it left.
    let left = daemon.kill_hard();
    for pid in &left {
        assert!(
            !alive(*pid),
            "process {pid} left by the killed daemon is still running"
        );
    }

    {
        let db = history(dir.path());
        let integrity: String = db
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok");
        let in_flight: i64 = db
            .query_row(
                "SELECT COUNT(*) FROM runs WHERE started_at_ms = ?1",
                [started_ms],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(in_flight, 0, "nothing of the run in flight was written");
        let stepless: i64 = db
            .query_row(
                "SELECT COUNT(*) FROM runs WHERE status IN ('passed', 'failed') AND id NOT IN (SELECT run_id FROM steps)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(stepless, 0, "every recorded run has its steps");
    }

    // A restart on the same folder: the history opens and the schedule carries on.
    let recorded_before: i64 = history(dir.path())
        .query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0))
        .unwrap();
    let daemon = Daemon::start(&config, &stack);
    let journeys = get_json(&format!("{}/api/journeys", daemon.url)).await;
    assert_eq!(journeys[0]["name"], JOURNEY);
    let runs = get_json(&format!(
        "{}/api/journeys/{JOURNEY}/runs?limit=500",
        daemon.url
    ))
    .await;
    assert_eq!(runs.as_array().unwrap().len() as i64, recorded_before);
    run_in_flight(&daemon).await;
    let status = daemon.terminate(PATIENCE);
    assert!(status.success());
    stack.shutdown().await;
}
