//! A vedetta killed with SIGKILL cannot clean up: its driver and browser must still go (the
//! driver by its death signal, the browser by the one its launcher sets).

mod common;

use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// Live processes whose environment carries a browser tag of vedetta process `owner`.
fn tagged_by(owner: u32) -> Vec<(u32, String)> {
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
fn descendants_of(procs: &[(u32, String)]) -> Vec<(u32, String)> {
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
    let mut vedetta = std::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .arg("run")
        .arg(&file)
        .arg("--var")
        .arg(format!("BASE={}", site.base))
        .arg("--out")
        .arg(dir.path().join("out"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the vedetta binary");
    let owner = vedetta.id();

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
    let _ = vedetta.wait();

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut left = tagged_by(owner);
        left.extend(
            doomed
                .iter()
                .filter(|(pid, _)| {
                    vedetta::browser::driver::proc_stat(*pid).is_some_and(|s| s.state != 'Z')
                })
                .cloned(),
        );
        if left.is_empty() {
            break;
        }
        if Instant::now() >= deadline {
            // Do not leave them for the next test either.
            for (pid, _) in &left {
                let _ = kill(Pid::from_raw(*pid as i32), Signal::SIGKILL);
            }
            panic!("still running 10 s after vedetta was killed: {left:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
