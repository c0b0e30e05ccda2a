//! Slow is a symptom: a step that takes longer than its `slow:` passes, and the run is
//! degraded, naming the step — in real headless Chromium against a fixture page that answers
//! late on purpose (tests/fixtures/slow.html shows the balance 1.5 s after loading).
//! `--fail-on-slow` turns a degraded run into exit 1; a run under its thresholds is not degraded.

use std::process::Command;

use crate::common::{browser_slot, journey, run_one, serve};
use vedetta::runner::result::{JourneyStatus, StepStatus};

/// The balance step waits for the late answer; `slow` is its threshold.
fn balance_journey(name: &str, slow: &str) -> String {
    format!(
        r##"name: {name}
base_url: ${{BASE}}
timeout: 20s
steps:
  - name: open the account page
    open: /slow.html
  - name: view the card balance
    wait_for: "#balance"
    slow: {slow}
  - assert_text: {{ "#balance": "/€\\s?[0-9.,]+/" }}
"##
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_slower_than_its_slow_passes_degraded_naming_the_step() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let j = journey(
        "slow-balance",
        &balance_journey("slow-balance", "300ms"),
        &[("BASE", &site.base)],
    );
    let ran = run_one(j, out.path()).await;
    let r = ran.journey();
    assert_eq!(r.status, JourneyStatus::Passed, "{r:#?}");
    assert!(r.degraded, "{r:#?}");
    assert_eq!(r.slow.len(), 1, "{:#?}", r.slow);
    let slow = &r.slow[0];
    assert_eq!(
        (slow.index, slow.name.as_str()),
        (2, "view the card balance")
    );
    assert_eq!(slow.threshold_ms, 300);
    assert!(slow.duration_ms > 300, "{slow:?}");
    assert_eq!(r.steps[1].status, StepStatus::Passed);
    assert_eq!(r.steps[1].slow_threshold_ms, Some(300));
    assert_eq!(
        r.steps[0].slow_threshold_ms, None,
        "no threshold, never slow"
    );
    let json = serde_json::to_value(&ran.report).unwrap();
    let j = &json["journeys"][0];
    assert_eq!(j["status"], "passed");
    assert_eq!(j["degraded"], true);
    assert_eq!(j["slow"][0]["index"], 2);
    assert_eq!(j["slow"][0]["name"], "view the card balance");
    assert_eq!(j["slow"][0]["threshold_ms"], 300);
    assert!(j["slow"][0]["duration_ms"].as_u64().unwrap() > 300);
    assert_eq!(ran.report.exit_code(), 0);
    assert_eq!(ran.report.exit_code_with(true), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_under_its_thresholds_is_not_degraded() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    // The same late page, with room to spare: no step, and not the journey, is slow.
    let yaml =
        balance_journey("fast-balance", "15s").replace("timeout: 20s", "timeout: 20s\nslow: 18s");
    let j = journey("fast-balance", &yaml, &[("BASE", &site.base)]);
    let ran = run_one(j, out.path()).await;
    let r = ran.journey();
    assert_eq!(r.status, JourneyStatus::Passed, "{r:#?}");
    assert!(!r.degraded, "{r:#?}");
    assert!(r.slow.is_empty());
    assert!(r.steps.iter().all(|s| s.slow_threshold_ms.is_none()));
    let json = serde_json::to_value(&ran.report).unwrap();
    assert!(json["journeys"][0].get("degraded").is_none(), "{json:#}");
    assert_eq!(ran.report.exit_code_with(true), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_says_passed_slow_and_fail_on_slow_exits_1() {
    let site = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("slow-balance.yaml");
    std::fs::write(&file, balance_journey("slow-balance-cli", "300ms")).unwrap();
    let base = format!("BASE={}", site.base);
    let run = |extra: &'static [&'static str]| {
        let dir = dir.path().to_path_buf();
        let base = base.clone();
        async move {
            let _slot = browser_slot().await;
            tokio::task::spawn_blocking(move || {
                Command::new(env!("CARGO_BIN_EXE_vedetta"))
                    .args(["run", "slow-balance.yaml", "--var", &base])
                    .args(["--report-json", "r.json", "--junit", "r.xml"])
                    .args(["--html", "r.html"])
                    .args(extra)
                    .current_dir(&dir)
                    .output()
                    .expect("run vedetta")
            })
            .await
            .unwrap()
        }
    };
    let out = run(&[]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("⚠  2 view the card balance") && stdout.contains("slow: over 300 ms"),
        "{stdout}"
    );
    assert!(
        stdout.contains("slow-balance-cli passed, slow in"),
        "{stdout}"
    );
    assert!(
        stdout.contains("⚠ slow: step 2 view the card balance took"),
        "{stdout}"
    );
    assert!(stdout.contains("1 passed (1 slow)"), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(report["journeys"][0]["degraded"], true);
    let junit = std::fs::read_to_string(dir.path().join("r.xml")).unwrap();
    assert!(!junit.contains("<failure"), "{junit}");
    assert!(
        junit.contains("slow: took ") && junit.contains("over its slow: 300 ms"),
        "{junit}"
    );
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(
        html.contains("<span class=\"badge slow\">slow</span>"),
        "html badge"
    );
    assert!(html.contains("class=\"step passed slow\""), "html step");

    let gated = run(&["--fail-on-slow"]).await;
    let stdout = String::from_utf8_lossy(&gated.stdout);
    assert_eq!(gated.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("passed, slow"), "{stdout}");
}

#[test]
fn a_slow_at_or_above_the_timeout_is_a_warning_at_its_step() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("j.yaml"),
        "name: j\ntimeout: 5s\nsteps:\n  - open: http://127.0.0.1:9/\n    slow: 8s\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args(["validate", "j.yaml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a warning, not an error: {stderr}"
    );
    assert!(
        stderr.contains(
            "warning: j.yaml:4:5: step `open http://127.0.0.1:9/` has slow: 8s at or above its timeout 5s"
        ),
        "{stderr}"
    );
}
