//! `vedetta demo --monitor` as a person uses it, through the real binary: the monitor watches the
//! demo bank in real headless Chromium; the printed curl command switches the outage on and the
//! journey goes down, off and it comes back up; Ctrl-C/SIGTERM stops everything.

use crate::common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, BufReader};

/// Long enough for a few 15 s rounds on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(150);

async fn get_json(url: &str) -> serde_json::Value {
    match reqwest::get(url).await {
        Ok(r) => r.json().await.unwrap_or(serde_json::Value::Null),
        Err(_) => serde_json::Value::Null,
    }
}

/// The journey's state on the status API, once it is `want`.
async fn wait_for_state(api: &str, want: &str) -> serde_json::Value {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let journeys = get_json(api).await;
        if journeys[0]["state"] == want {
            return journeys;
        }
        assert!(Instant::now() < deadline, "never {want}: {journeys:#}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The argument of `flag` in a printed command line: `-H 'Authorization: Bearer X'` → X.
fn after<'a>(line: &'a str, marker: &str) -> &'a str {
    let rest = &line[line.find(marker).unwrap() + marker.len()..];
    rest.split(['\'', ' ']).next().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_page_goes_red_with_the_outage_and_green_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let _slot = common::browser_slot().await;
    let mut vedetta = tokio::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args(["demo", "--monitor", "--listen", "127.0.0.1:0", "--out"])
        .arg(dir.path().join("out"))
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the vedetta binary");
    let owner = vedetta.id().unwrap();

    // What it prints: the status page and the curl command that switches the outage on.
    let mut lines = BufReader::new(vedetta.stdout.take().unwrap()).lines();
    let (mut status_url, mut switch_on) = (None, None);
    while let Some(line) = tokio::time::timeout(PATIENCE, lines.next_line())
        .await
        .expect("vedetta prints its banner")
        .unwrap()
    {
        if let Some(url) = line.trim().strip_prefix("status page") {
            status_url = Some(url.trim().to_string());
        }
        if line.contains("curl") && line.contains("\"on\":true") {
            switch_on = Some(line.clone());
        }
        if line.starts_with("Ctrl-C") {
            break;
        }
    }
    let status_url = status_url.expect("the status page's URL");
    let switch_on = switch_on.expect("the curl command");
    let admin_token = after(&switch_on, "Bearer ").to_string();
    let faults_url = switch_on.split_whitespace().last().unwrap().to_string();
    // The rest of what it prints is not needed; keep the pipe drained.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

    let api = format!("{status_url}api/journeys");
    wait_for_state(&api, "up").await;

    let admin = reqwest::Client::new();
    let switch = |on: bool| {
        admin
            .post(&faults_url)
            .bearer_auth(&admin_token)
            .json(&serde_json::json!({"fault": "outage", "on": on}))
            .send()
    };
    assert!(switch(true).await.unwrap().status().is_success());
    let down = wait_for_state(&api, "down").await;
    let incident = &down[0]["open_incidents"][0];
    assert!(
        incident.to_string().contains("outage"),
        "the incident names the symptom: {down:#}"
    );
    let page = reqwest::get(&status_url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("demo-card-balance"), "{page}");

    assert!(switch(false).await.unwrap().status().is_success());
    wait_for_state(&api, "up").await;

    kill(Pid::from_raw(owner as i32), Signal::SIGTERM).unwrap();
    let status = tokio::time::timeout(PATIENCE, vedetta.wait())
        .await
        .expect("it stops after SIGTERM")
        .unwrap();
    assert_eq!(status.code(), Some(0));
    // Every run's browser closed with it: nothing carrying this vedetta's tag is left.
    let left = common::tagged_by(owner);
    assert!(left.is_empty(), "left running: {left:?}");
}
