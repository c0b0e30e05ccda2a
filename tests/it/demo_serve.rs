//! `vedetta demo --serve` as a person uses it, through the real binary: it serves the bank and
//! prints how to walk the demo journey against it from another terminal — and that printed
//! command works, in real headless Chromium, with the SMS code from the served inbox.

use crate::common;

use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_printed_run_command_walks_the_served_bank() {
    let dir = tempfile::tempdir().unwrap();
    let mut serve = tokio::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args(["demo", "--serve", "--listen", "127.0.0.1:0", "--out"])
        .arg(dir.path().join("out"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the vedetta binary");
    let mut lines = BufReader::new(serve.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    while let Some(line) = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .expect("the banner")
        .unwrap()
    {
        let done = line.starts_with("Ctrl-C");
        printed.push(line);
        if done {
            break;
        }
    }
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

    // The bank answers where it says.
    let bank = printed[0]
        .rsplit(' ')
        .next()
        .expect("Vedetta Bank (demo) on URL")
        .to_string();
    let home = reqwest::get(&bank).await.unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("Vedetta Bank"));

    // "DEMO_PASSWORD=… vedetta run … \" and its continuation line, run as printed.
    let at = printed
        .iter()
        .position(|l| l.contains("vedetta run"))
        .unwrap_or_else(|| panic!("no run command in {printed:#?}"));
    let command = format!(
        "{} {}",
        printed[at].trim().trim_end_matches('\\'),
        printed[at + 1].trim()
    );
    let mut words = command.split_whitespace();
    let (key, password) = words
        .next()
        .unwrap()
        .split_once('=')
        .expect("DEMO_PASSWORD=…");
    assert_eq!(words.next(), Some("vedetta"));
    let args: Vec<&str> = words.collect();
    let _slot = common::browser_slot().await;
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args(&args)
        .arg("--out")
        .arg(dir.path().join("run"))
        .env(key, password)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{command}\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 journey: 1 passed"), "{stdout}");

    kill(Pid::from_raw(serve.id().unwrap() as i32), Signal::SIGTERM).unwrap();
    let status = tokio::time::timeout(Duration::from_secs(30), serve.wait())
        .await
        .expect("it stops on SIGTERM")
        .unwrap();
    assert_eq!(status.code(), Some(0));
}
