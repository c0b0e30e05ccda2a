//! Firefox through geckodriver (`--browser firefox`): the same journeys, the same results and
//! evidence as in Chromium. Debian's firefox-esr and a geckodriver on PATH (`scripts/test.sh`
//! installs both); a missing one fails here, loudly.

use crate::common;

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

/// Fields filled from secrets are blank in Firefox's screenshots too (the page of
/// `secrets_everywhere.rs`: each secret field next to an empty one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_fields_are_blank_in_firefox_screenshots() {
    let site = common::serve().await;
    let dir = tempfile::tempdir().unwrap();
    let journey = dir.path().join("secrets.yaml");
    std::fs::write(
        &journey,
        "name: firefox-secrets\nbase_url: ${BASE}\ntimeout: 2s\nsecrets: [CUSTOMER_ID, PIN]\n\
         steps:\n  - open: /secrets.html\n  - fill: { '#customer': '${CUSTOMER_ID}', '#pin': '${PIN}' }\n  \
         - assert_text: { '#title': Welcome }\n",
    )
    .unwrap();
    let _slot = common::browser_slot().await;
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args(["run", "--browser", "firefox"])
        .arg(&journey)
        .args(["--var", &format!("BASE={}", site.base)])
        .env("CUSTOMER_ID", "CUST-7731-Zeta")
        .env("PIN", "pin-90210-Qx")
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--report-json")
        .arg(dir.path().join("report.json"))
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", explain(&out));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    let shot = report["journeys"][0]["steps"][2]["failure"]["screenshot"]
        .as_str()
        .expect("a failure screenshot")
        .to_string();
    let shot = image::open(&shot).unwrap().to_rgba8();
    let field = |top: u32| image::imageops::crop_imm(&shot, 20, top, 300, 40).to_image();
    assert!(field(20) == field(80), "the customer id field shows");
    assert!(field(140) == field(200), "the PIN field shows");
    // A field with text in it differs: the check can fail.
    assert!(field(20) != image::imageops::crop_imm(&shot, 20, 255, 300, 40).to_image());
}
