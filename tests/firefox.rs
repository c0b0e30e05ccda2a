//! Firefox through geckodriver (`--browser firefox`): the same journeys, the same results and
//! evidence as in Chromium. Debian's firefox-esr and a geckodriver on PATH (`scripts/test.sh`
//! installs both); a missing one fails here, loudly.

mod common;

use std::path::Path;
use std::process::Output;

/// `vedetta demo --browser firefox ARGS…` from an empty folder; its PID is the browser tag's
/// owner, checked for leftovers after it exits.
async fn demo_in_firefox(dir: &Path, args: &[&str]) -> Output {
    let _slot = common::browser_slot().await;
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args([
            "demo",
            "--browser",
            "firefox",
            "--listen",
            "127.0.0.1:0",
            "--out",
        ])
        .arg(dir.join("out"))
        .arg("--report-json")
        .arg(dir.join("report.json"))
        .args(args)
        .current_dir(dir)
        .kill_on_drop(true)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the vedetta binary");
    let owner = child.id().unwrap();
    let out = child.wait_with_output().await.unwrap();
    let left = common::tagged_by(owner);
    assert!(left.is_empty(), "left running after vedetta: {left:?}");
    out
}

fn explain(out: &Output) -> String {
    format!(
        "exit {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_journey_passes_in_firefox() {
    let dir = tempfile::tempdir().unwrap();
    let out = demo_in_firefox(dir.path(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 journey: 1 passed"),
        "{}",
        explain(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_in_firefox_leaves_the_same_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let out = demo_in_firefox(dir.path(), &["--fault", "no-balance"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", explain(&out));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    let failed: Vec<&serde_json::Value> = report["journeys"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1, "{report:#}");
    let failure = &failed[0]["failure"];
    assert_eq!(failed[0]["name"], "the balance is an amount in euro");
    assert_eq!(failure["category"], "assertion");
    assert!(
        failure["message"]
            .as_str()
            .unwrap()
            .contains("Loading your balance"),
        "{failure:#}"
    );
    // The screenshot is the viewport, exactly, as in Chromium.
    let shot = failure["screenshot"].as_str().unwrap();
    let png = image::open(shot).expect("a PNG");
    assert_eq!((png.width(), png.height()), (1280, 800), "{shot}");
    let annotated = Path::new(shot).with_extension("annotated.png");
    assert!(annotated.is_file(), "{}", annotated.display());
    // And the folder is sealed: verify says intact.
    let evidence = failure["evidence"].as_str().unwrap();
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args(["evidence", "verify", evidence])
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", explain(&verify));
}
