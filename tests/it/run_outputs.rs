//! What `vedetta run` hands to the machines around it, through the real binary and a real
//! browser: the JSON report's contract fields (README.md's "The JSON report": names never renamed) and the
//! structured logs a daemon's log shipper reads.

use crate::common;

use std::process::Stdio;

/// Runs `yaml` (named `name`) against the fixture site with `args`; returns (exit code, report,
/// stderr).
async fn run(name: &str, yaml: &str, args: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let site = common::serve().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("{name}.yaml"));
    std::fs::write(&file, yaml).unwrap();
    let report = dir.path().join("report.json");
    let _slot = common::browser_slot().await;
    let out = common::vedetta_run(&file, &site.base, dir.path())
        .arg("--report-json")
        .arg(&report)
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .await
        .expect("the vedetta binary");
    let json = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    common::assert_no_leftover_processes(name);
    (
        out.status.code(),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const FAILING: &str = "name: run-outputs\nbase_url: ${BASE}\ntimeout: 1s\nsteps:\n  - open: /actions.html\n  - name: the missing button\n    click: '#nowhere'\n  - click: '#more'\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_report_has_every_contract_field() {
    let (code, report, _) = run("run-outputs", FAILING, &[]).await;
    assert_eq!(code, Some(1));
    for key in ["vedetta_version", "started_at", "duration_ms", "journeys"] {
        assert!(report.get(key).is_some(), "run: no `{key}` in {report:#}");
    }
    let journey = &report["journeys"][0];
    for key in ["name", "file", "status", "attempts", "duration_ms", "steps"] {
        assert!(
            journey.get(key).is_some(),
            "journey: no `{key}` in {journey:#}"
        );
    }
    assert_eq!(journey["name"], "run-outputs");
    assert_eq!(journey["status"], "failed");
    assert_eq!(journey["attempts"], 1);
    let steps = journey["steps"].as_array().unwrap();
    for step in steps {
        for key in ["index", "name", "action", "line", "status", "duration_ms"] {
            assert!(step.get(key).is_some(), "step: no `{key}` in {step:#}");
        }
    }
    let statuses: Vec<&str> = steps
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["passed", "failed", "skipped"]);
    let failed = &steps[1];
    assert_eq!(
        (
            &failed["index"],
            &failed["name"],
            &failed["action"],
            &failed["line"]
        ),
        (
            &serde_json::json!(2),
            &serde_json::json!("the missing button"),
            &serde_json::json!("click"),
            &serde_json::json!(6)
        )
    );
    let failure = &failed["failure"];
    assert_eq!(failure["category"], "element_missing");
    assert!(failure["message"].as_str().unwrap().contains("#nowhere"));
    let shot = failure["screenshot"].as_str().unwrap();
    assert!(shot.ends_with("02-the-missing-button.png"), "{shot}");
    assert!(
        shot.starts_with(failure["evidence"].as_str().unwrap()),
        "{failure:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_each_step_in_its_journey_and_step_spans() {
    let (code, _, stderr) = run(
        "run-logs",
        &FAILING.replace("run-outputs", "run-logs"),
        &["--log-format", "json", "-v"],
    )
    .await;
    assert_eq!(code, Some(1));
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    // The step result lines: one per step, in order, inside the journey's span — and the
    // step's own, for the steps that ran.
    let results: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["fields"]["status"].is_string() && l["fields"]["index"].is_u64())
        .collect();
    let seen: Vec<(u64, &str)> = results
        .iter()
        .map(|l| {
            (
                l["fields"]["index"].as_u64().unwrap(),
                l["fields"]["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [(1, "passed"), (2, "failed"), (3, "skipped")],
        "{stderr}"
    );
    for l in &results {
        let spans = l["spans"].as_array().expect("the span stack");
        assert_eq!(spans[0]["name"], "journey", "{l}");
        assert_eq!(spans[0]["journey"], "run-logs", "{l}");
    }
    for l in &results[..2] {
        assert_eq!(l["span"]["name"], "step", "{l}");
        assert_eq!(l["span"]["index"], l["fields"]["index"], "{l}");
    }
    let failed = results[1];
    assert_eq!(failed["level"], "WARN");
    assert_eq!(failed["fields"]["category"], "element_missing");
    assert_eq!(failed["span"]["step"], "the missing button");
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "journey failed" && l["span"]["name"] == "journey"),
        "{stderr}"
    );
}
