//! The run around the steps: retries and flaky journeys, parallel journeys, cancellation, and
//! the harness's own trouble (no driver, a driver that dies) reported as `error`, never as the
//! site failing — with no browser or driver process left behind in any case.

use crate::common;

use std::time::{Duration, Instant};

use common::{browser_slot, journey, options, run_one, run_with, serve, wait_event};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::sync::mpsc::unbounded_channel;
use tokio_util::sync::CancellationToken;
use vedetta::browser::driver::drivers;
use vedetta::runner::event::Event;
use vedetta::runner::result::{FailureCategory, JourneyStatus, StepStatus};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_after_a_failed_attempt_is_flaky_and_keeps_the_failed_attempt() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let yaml = "name: run-flaky\nbase_url: ${BASE}\ntimeout: 1s\nretries: 2\nsteps:\n  - open: /flaky\n  - wait_for: '#ok'\n";
    let ran = run_one(journey("flaky", yaml, &[("BASE", &site.base)]), out.path()).await;
    let j = ran.journey();
    assert_eq!(j.status, JourneyStatus::Flaky, "{j:#?}");
    assert_eq!(j.attempts, 2);
    assert_eq!(j.previous_attempts.len(), 1);
    let first = &j.previous_attempts[0];
    assert_eq!((first.attempt, first.status), (1, JourneyStatus::Failed));
    assert_eq!(
        first.steps[1].failure.as_ref().unwrap().category,
        FailureCategory::ElementMissing
    );
    assert!(j.steps.iter().all(|s| s.status == StepStatus::Passed));
    let retrying = ran
        .events
        .iter()
        .filter(|e| matches!(e, Event::Retrying { attempt: 1, .. }))
        .count();
    assert_eq!(retrying, 1);
    let starts: Vec<u32> = ran
        .events
        .iter()
        .filter_map(|e| match e {
            Event::JourneyStarted {
                attempt,
                attempts_allowed: 3,
                ..
            } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(starts, vec![1, 2]);
    // Both attempts in the run's one warm browser, each in a fresh context of its own
    // (tests/it/pool.rs shows that nothing of attempt 1 reaches attempt 2).
    assert_eq!(
        drivers().iter().filter(|d| d.label == "run-flaky").count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flaky_journey_s_evidence_folder_is_sealed_again_by_the_passing_attempt() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    // Attempt 1 fails at `#ok` and seals the folder; attempt 2 passes and adds its named
    // screenshot to the same folder.
    let yaml = "name: run-flaky-shot\nbase_url: ${BASE}\ntimeout: 1s\nretries: 1\nsteps:\n  - open: /flaky\n  - wait_for: '#ok'\n  - screenshot: all good\n";
    let ran = run_one(
        journey("flaky-shot", yaml, &[("BASE", &site.base)]),
        out.path(),
    )
    .await;
    let j = ran.journey();
    assert_eq!((j.status, j.attempts), (JourneyStatus::Flaky, 2), "{j:#?}");
    let failure = j.previous_attempts[0].steps[1].failure.as_ref().unwrap();
    let evidence = std::path::Path::new(failure.evidence.as_deref().expect("evidence"));
    let shot = j.steps[2]
        .screenshot
        .as_deref()
        .expect("the named screenshot");
    assert_eq!(
        std::path::Path::new(shot),
        evidence.join("03-all-good-attempt2.png"),
        "in the journey's one folder"
    );
    let verified = vedetta::evidence::manifest::verify(evidence).unwrap();
    assert!(verified.is_intact(), "{verified:?}");
    let manifest = vedetta::evidence::manifest::read_manifest(evidence).unwrap();
    let files: Vec<&str> = manifest.files.iter().map(|e| e.path.as_str()).collect();
    for file in [
        "02-wait-for-ok.png",
        "02-wait-for-ok.result.json",
        "03-all-good-attempt2.png",
    ] {
        assert!(files.contains(&file), "{file} sealed: {files:?}");
    }
    // The evidence began with the first attempt, and the failure names the manifest there now.
    let first: serde_json::Value = serde_json::from_slice(
        &std::fs::read(evidence.join("02-wait-for-ok.result.json")).unwrap(),
    )
    .unwrap();
    let started: jiff::Timestamp = manifest.meta.started_at.parse().unwrap();
    let failed: jiff::Timestamp = first["failed_at"].as_str().unwrap().parse().unwrap();
    assert!(started <= failed, "{started} .. {failed}");
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(std::fs::read(evidence.join("manifest.json")).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(failure.evidence_sha256.as_deref(), Some(sha.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journeys_run_in_parallel_and_report_in_input_order() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let slow = journey(
        "par-a",
        "name: run-par-a\nbase_url: ${BASE}\nsteps:\n  - open: /actions.html\n  - wait_for: '#late'\n  - sleep: 500ms\n",
        &[("BASE", &site.base)],
    );
    let fast = journey(
        "par-b",
        "name: run-par-b\nbase_url: ${BASE}\nsteps:\n  - open: /outage.html\n",
        &[("BASE", &site.base)],
    );
    let mut opts = options(out.path());
    opts.jobs = 2;
    let ran = run_with(vec![slow, fast], opts, CancellationToken::new()).await;
    let names: Vec<&str> = ran
        .report
        .journeys
        .iter()
        .map(|j| j.name.as_str())
        .collect();
    assert_eq!(names, vec!["run-par-a", "run-par-b"]);
    assert!(
        ran.report
            .journeys
            .iter()
            .all(|j| j.status == JourneyStatus::Passed)
    );
    assert_eq!(ran.report.exit_code(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_driver_that_does_not_exist_is_a_journey_error_not_a_failure() {
    let out = tempfile::tempdir().unwrap();
    let j = journey(
        "no-driver",
        "name: run-no-driver\nsteps:\n  - open: http://127.0.0.1:9/\n  - when: { visible: '#x' }\n    steps:\n      - click: '#x'\n",
        &[],
    );
    let mut opts = options(out.path());
    opts.browser.driver_path = Some("/nonexistent/chromedriver".into());
    let ran = run_with(vec![j], opts, CancellationToken::new()).await;
    let j = ran.journey();
    assert_eq!(j.status, JourneyStatus::Error);
    let error = j.error.as_deref().unwrap();
    assert!(
        error.contains("/nonexistent/chromedriver") && error.contains("--driver"),
        "{error}"
    );
    // Every step, inner ones too, is listed as skipped with the reason.
    assert_eq!(j.steps.len(), 3);
    assert!(j.steps.iter().all(|s| s.status == StepStatus::Skipped
        && s.skip_reason.as_deref() == Some("the browser could not start")));
    assert_eq!(ran.report.exit_code(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_driver_killed_mid_run_is_a_journey_error() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let j = journey(
        "killed",
        "name: run-driver-killed\nbase_url: ${BASE}\ntimeout: 30s\nsteps:\n  - open: /actions.html\n  - wait_for: '#never'\n  - click: '#more'\n",
        &[("BASE", &site.base)],
    );
    let _slot = browser_slot().await;
    let (tx, mut rx) = unbounded_channel();
    let cancel = CancellationToken::new();
    let run = tokio::spawn(vedetta::runner::run(
        vec![j],
        options(out.path()),
        tx,
        cancel,
    ));
    let mut seen = Vec::new();
    let waiting = wait_event(&mut rx, &mut seen, Duration::from_secs(60), |e| {
        matches!(e, Event::StepStarted { index: 2, journey, .. } if journey == "run-driver-killed")
    })
    .await;
    assert!(waiting, "step 2 never started: {seen:#?}");
    let driver = drivers()
        .into_iter()
        .find(|d| d.label == "run-driver-killed" && d.running)
        .expect("its driver");
    kill(Pid::from_raw(driver.pid as i32), Signal::SIGKILL).unwrap();
    let report = run.await.unwrap();
    let j = &report.journeys[0];
    assert_eq!(j.status, JourneyStatus::Error, "{j:#?}");
    assert_eq!(
        j.steps[1].failure.as_ref().unwrap().category,
        FailureCategory::Infrastructure
    );
    assert!(
        j.error
            .as_deref()
            .unwrap()
            .contains("browser session was lost"),
        "{:?}",
        j.error
    );
    assert_eq!(
        j.steps[2].skip_reason.as_deref(),
        Some("the browser session was lost")
    );
    assert!(
        j.steps[1].duration_ms < 15_000,
        "noticed well before the 30 s timeout"
    );
    common::assert_no_leftover_processes("run-driver-killed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_stops_the_step_in_flight_and_keeps_completed_steps() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let j = journey(
        "cancel",
        "name: run-cancelled\nbase_url: ${BASE}\ntimeout: 60s\nsteps:\n  - open: /actions.html\n  - wait_for: '#late'\n  - wait_for: '#never'\n  - click: '#more'\n",
        &[("BASE", &site.base)],
    );
    let _slot = browser_slot().await;
    let (tx, mut rx) = unbounded_channel();
    let cancel = CancellationToken::new();
    let run = tokio::spawn(vedetta::runner::run(
        vec![j],
        options(out.path()),
        tx,
        cancel.clone(),
    ));
    let mut seen = Vec::new();
    let waiting = wait_event(&mut rx, &mut seen, Duration::from_secs(60), |e| {
        matches!(e, Event::StepStarted { index: 3, .. })
    })
    .await;
    assert!(waiting, "step 3 never started: {seen:#?}");
    let cancelled_at = Instant::now();
    cancel.cancel();
    let report = run.await.unwrap();
    // Prompt: a small part of the 60 s the step would have waited.
    assert!(
        cancelled_at.elapsed() < Duration::from_secs(20),
        "took {:?}",
        cancelled_at.elapsed()
    );
    let j = &report.journeys[0];
    assert_eq!(j.status, JourneyStatus::Error);
    assert_eq!(j.error.as_deref(), Some("interrupted"));
    let statuses: Vec<StepStatus> = j.steps.iter().map(|s| s.status).collect();
    assert_eq!(
        statuses,
        vec![
            StepStatus::Passed,
            StepStatus::Passed,
            StepStatus::Skipped,
            StepStatus::Skipped
        ]
    );
    assert!(
        j.steps[2..]
            .iter()
            .all(|s| s.skip_reason.as_deref() == Some("run interrupted"))
    );
    common::assert_no_leftover_processes("run-cancelled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_that_does_not_exist_is_a_journey_error() {
    let out = tempfile::tempdir().unwrap();
    let j = journey(
        "no-browser",
        "name: run-no-browser\nsteps:\n  - open: http://127.0.0.1:9/\n",
        &[],
    );
    let mut opts = options(out.path());
    opts.browser.browser_binary = Some("/nonexistent/chromium".into());
    let ran = run_with(vec![j], opts, CancellationToken::new()).await;
    let j = ran.journey();
    assert_eq!(j.status, JourneyStatus::Error);
    let error = j.error.as_deref().unwrap();
    assert!(
        error.contains("could not start a browser session"),
        "{error}"
    );
    assert_eq!(
        j.steps[0].skip_reason.as_deref(),
        Some("the browser could not start")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_webdriver_url_the_given_server_is_used_and_nothing_is_started() {
    use std::os::unix::process::CommandExt;
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let _slot = browser_slot().await;
    // A WebDriver server run by someone else (here: this test, in its own process group).
    let port = common::closed_port();
    // Its browser's profile and temp files in a folder of the test's, removed with it.
    let tmp = tempfile::tempdir().unwrap();
    let mut server = std::process::Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .env("TMPDIR", tmp.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn()
        .expect("chromedriver on PATH");
    let pgid = server.id();
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while reqwest::get(format!("{url}/status")).await.is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let j = journey(
        "remote",
        "name: run-remote-webdriver\nbase_url: ${BASE}\nsteps:\n  - open: /actions.html\n  - wait_for: '#late'\n",
        &[("BASE", &site.base)],
    );
    let mut opts = options(out.path());
    opts.browser.webdriver_url = Some(url);
    let (tx, _rx) = unbounded_channel();
    let report = vedetta::runner::run(vec![j], opts, tx, CancellationToken::new()).await;
    let _ = nix::sys::signal::killpg(Pid::from_raw(pgid as i32), Signal::SIGKILL);
    let _ = server.wait();
    assert_eq!(
        report.journeys[0].status,
        JourneyStatus::Passed,
        "{:#?}",
        report.journeys[0]
    );
    assert!(
        drivers().iter().all(|d| d.label != "run-remote-webdriver"),
        "no driver of ours"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_failed_attempt_keeps_its_record_and_all_name_the_final_manifest() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let yaml = "name: run-retried\nbase_url: ${BASE}\ntimeout: 500ms\nretries: 1\nsteps:\n  - open: /login.html\n    timeout: 10s\n  - click: '#nowhere'\n";
    let ran = run_one(
        journey("retried", yaml, &[("BASE", &site.base)]),
        out.path(),
    )
    .await;
    let j = ran.journey();
    assert_eq!((j.status, j.attempts), (JourneyStatus::Failed, 2), "{j:#?}");
    let last = j.steps[1].failure.as_ref().unwrap();
    let first = j.previous_attempts[0].steps[1].failure.as_ref().unwrap();
    let evidence = std::path::Path::new(last.evidence.as_deref().unwrap());
    assert_eq!(first.evidence.as_deref(), last.evidence.as_deref());
    for (file, attempt) in [
        ("02-click-nowhere.result.json", 1),
        ("02-click-nowhere-attempt2.result.json", 2),
    ] {
        let record: serde_json::Value =
            serde_json::from_slice(&std::fs::read(evidence.join(file)).unwrap()).unwrap();
        assert_eq!(record["attempt"], attempt, "{file}");
        assert_eq!(record["title"], "Login", "{file}");
    }
    // One folder for the journey, its files named per attempt; the second attempt sealed it
    // again, over both attempts' files: each failure names the manifest that is there now.
    assert!(
        vedetta::evidence::manifest::verify(evidence)
            .unwrap()
            .is_intact()
    );
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(std::fs::read(evidence.join("manifest.json")).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(last.evidence_sha256.as_deref(), Some(sha.as_str()));
    assert_eq!(first.evidence_sha256.as_deref(), Some(sha.as_str()));
}

/// The browser itself dies under one journey (a renderer OOM, a crash): that journey ends as
/// `error` — the harness's trouble, not the site's — and the journey beside it goes on and
/// passes in its own browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_that_crashes_ends_its_journey_as_error_and_the_others_go_on() {
    use vedetta::browser::driver::{proc_stat, tagged_processes};

    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let crashing = journey(
        "crashing",
        "name: run-browser-crash\nbase_url: ${BASE}\ntimeout: 30s\nsteps:\n  - open: /actions.html\n  - wait_for: '#never'\n  - click: '#more'\n",
        &[("BASE", &site.base)],
    );
    let steady = journey(
        "steady",
        "name: run-browser-steady\nbase_url: ${BASE}\ntimeout: 10s\nsteps:\n  - open: /actions.html\n  - sleep: 3s\n  - wait_for: '#late'\n  - assert_title: Ready\n",
        &[("BASE", &site.base)],
    );
    let (tx, mut rx) = unbounded_channel();
    let mut opts = options(out.path());
    opts.jobs = 2;
    let _slots = (browser_slot().await, browser_slot().await);
    let run = tokio::spawn(vedetta::runner::run(
        vec![crashing, steady],
        opts,
        tx,
        CancellationToken::new(),
    ));
    let mut seen = Vec::new();
    let waiting = wait_event(&mut rx, &mut seen, Duration::from_secs(60), |e| {
        matches!(e, Event::StepStarted { index: 2, journey, .. } if journey == "run-browser-crash")
    })
    .await;
    assert!(waiting, "step 2 never started: {seen:#?}");
    let driver = drivers()
        .into_iter()
        .find(|d| d.label == "run-browser-crash" && d.running)
        .expect("its driver");
    // Every process of that browser, not its driver.
    let browser: Vec<u32> = tagged_processes(&driver.tag)
        .into_iter()
        .filter(|pid| *pid != driver.pid)
        .filter(|pid| {
            proc_stat(*pid).is_some_and(|s| s.comm.contains("chrom") && !s.comm.contains("driver"))
        })
        .collect();
    assert!(
        !browser.is_empty(),
        "no browser under driver {}",
        driver.pid
    );
    for pid in browser {
        let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
    }
    let report = run.await.unwrap();
    let crashed = &report.journeys[0];
    assert_eq!(crashed.status, JourneyStatus::Error, "{crashed:#?}");
    assert_eq!(
        crashed.steps[1].failure.as_ref().unwrap().category,
        FailureCategory::Infrastructure,
        "{crashed:#?}"
    );
    assert_eq!(crashed.steps[2].status, StepStatus::Skipped);
    let steady = &report.journeys[1];
    assert_eq!(steady.status, JourneyStatus::Passed, "{steady:#?}");
    // A harness error and no site failure: exit 3, never "the site failed".
    assert_eq!(report.exit_code(), 3);
    common::assert_no_leftover_processes("run-browser-crash");
    common::assert_no_leftover_processes("run-browser-steady");
}
