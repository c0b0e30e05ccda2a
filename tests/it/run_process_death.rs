//! A vedetta killed with SIGKILL cannot clean up: its driver and browser must still go (the
//! driver by its death signal, the browser by the one its launcher sets).

use crate::common;

use common::{descendants_of, tagged_by};

use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkilled_vedetta_leaves_no_driver_or_browser_behind() {
    let site = common::serve().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("long.yaml");
    std::fs::write(
        &file,
        "name: run-sigkilled\nbase_url: ${BASE}\ntimeout: 60s\nsteps:\n  - open: /actions.html\n  - wait_for: '#never'\n",
    )
    .unwrap();
    let _slot = common::browser_slot().await;
    let mut vedetta = common::vedetta_run(&file, &site.base, dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the vedetta binary");
    let owner = vedetta.id().expect("a running vedetta");

    // Wait until its browser is up and has started its helpers (zygotes, renderer): those
    // clean their environment, so they are found as the browser's descendants.
    let deadline = Instant::now() + Duration::from_secs(60);
    let doomed = loop {
        let procs = descendants_of(&tagged_by(owner));
        if procs.iter().filter(|(_, c)| c.contains("chromium")).count() >= 3 {
            break procs;
        }
        assert!(
            Instant::now() < deadline,
            "the browser never started: {procs:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    tokio::time::sleep(Duration::from_millis(500)).await;

    kill(Pid::from_raw(owner as i32), Signal::SIGKILL).unwrap();
    let _ = vedetta.wait().await;

    assert_all_end(owner, &doomed, "vedetta was killed").await;

    // A killed process cannot remove its temp dir — its browser's profile, signed in to the
    // site. The next vedetta to start a browser removes it (as might any other running now).
    let quick = dir.path().join("quick.yaml");
    std::fs::write(
        &quick,
        "name: run-after-the-kill\nbase_url: ${BASE}\nsteps:\n  - open: /actions.html\n",
    )
    .unwrap();
    let next = common::vedetta_run(&quick, &site.base, dir.path())
        .output()
        .await
        .expect("the vedetta binary");
    assert_eq!(next.status.code(), Some(0), "{next:?}");
    let left = temp_dirs_of(owner);
    crate::monitor_support::remove_temp_dirs_of(owner);
    assert!(
        left.is_empty(),
        "the killed run's temp dirs are still there: {left:?}"
    );
}

/// The temp dirs (`vedetta-PID-…`) a vedetta with PID `pid` made.
fn temp_dirs_of(pid: u32) -> Vec<std::path::PathBuf> {
    let prefix = format!("vedetta-{pid}-");
    std::fs::read_dir(std::env::temp_dir())
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .collect()
}

/// Waits up to 10 s until no process tagged by `owner` and none of `procs` is alive; past that,
/// kills them (not to leave them to the next test) and fails, saying after `what`.
async fn assert_all_end(owner: u32, procs: &[(u32, String)], what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut left = tagged_by(owner);
        left.extend(
            procs
                .iter()
                .filter(|(pid, _)| {
                    vedetta::browser::driver::proc_stat(*pid).is_some_and(|s| s.state != 'Z')
                })
                .cloned(),
        );
        if left.is_empty() {
            return;
        }
        if Instant::now() >= deadline {
            for (pid, _) in &left {
                let _ = kill(Pid::from_raw(*pid as i32), Signal::SIGKILL);
            }
            panic!("still running 10 s after {what}: {left:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Ctrl-C in a terminal, SIGTERM from CI's timeout or systemd: vedetta stops the step in
/// flight, writes the report with the steps already done, closes its browser and driver, and
/// exits 130 / 143 — through the real binary, with the real signal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_run_writes_its_report_and_leaves_no_browser() {
    use tokio::io::{AsyncBufReadExt, BufReader};

    let site = common::serve().await;
    for (signal, code, name) in [
        (Signal::SIGTERM, 143, "SIGTERM"),
        (Signal::SIGINT, 130, "SIGINT"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("long.yaml");
        std::fs::write(
            &file,
            "name: run-interrupted\nbase_url: ${BASE}\ntimeout: 60s\nsteps:\n  - open: /actions.html\n  - wait_for: '#never'\n  - click: '#more'\n",
        )
        .unwrap();
        let report = dir.path().join("report.json");
        let _slot = common::browser_slot().await;
        let mut vedetta = common::vedetta_run(&file, &site.base, dir.path())
            .arg("--report-json")
            .arg(&report)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the vedetta binary");
        let owner = vedetta.id().unwrap();

        // Step 1 done (its line printed): step 2 is waiting for an element that never comes.
        let mut lines = BufReader::new(vedetta.stdout.take().unwrap()).lines();
        let mut printed = Vec::new();
        let first_done = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                let done = line.contains("✔") && line.contains("open /actions.html");
                printed.push(line);
                if done {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(first_done, Ok(true), "{name}: {printed:#?}");
        let browser = descendants_of(&tagged_by(owner));
        assert!(
            browser.iter().any(|(_, c)| c.contains("chromium")),
            "{name}: no browser while the run was on: {browser:?}"
        );

        kill(Pid::from_raw(owner as i32), signal).unwrap();
        let status = tokio::time::timeout(Duration::from_secs(30), vedetta.wait())
            .await
            .expect("vedetta ends after the signal")
            .unwrap();
        // Whatever it printed after the signal, the pipe must drain.
        while let Ok(Some(_)) = lines.next_line().await {}
        assert_eq!(status.code(), Some(code), "{name}");

        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        assert_eq!(json["interrupted"], name);
        let steps = json["journeys"][0]["steps"].as_array().unwrap();
        let statuses: Vec<&str> = steps
            .iter()
            .map(|s| s["status"].as_str().unwrap())
            .collect();
        assert_eq!(
            statuses,
            ["passed", "skipped", "skipped"],
            "{name}: {json:#}"
        );
        assert_eq!(steps[1]["skip_reason"], "run interrupted");

        // Closed, not orphaned: nothing of the run's browser or driver is left.
        assert_all_end(owner, &browser, &format!("vedetta exited on {name}")).await;
    }
}
