//! `vedetta monitor` end to end: the real binary, real headless Chromium, the demo bank started
//! here and a webhook receiver. An outage switched on through the bank's admin endpoint gives
//! exactly one "down" alert naming the step and category; switched off, exactly one recovery;
//! `/metrics` follows; the status page (rendered in Chromium) shows the incident with its
//! screenshot; a restart on the same data folder keeps the history.
//!
//! One browser at a time for the daemon (concurrency 1) and one for the status page.

use crate::monitor_support;

use std::time::Duration;

use monitor_support::*;

const JOURNEY: &str = "demo-card-balance";
/// Generous: each run is a few seconds; the machine may be busy.
const PATIENCE: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_alerts_once_recovers_once_and_history_survives_a_restart() {
    let stack = demo_bank(&[]).await;
    let webhook = Webhook::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), &stack, &webhook, "");
    let daemon = Daemon::start(&config, &stack);
    let api = format!("{}/api/journeys/{JOURNEY}", daemon.url);

    // A healthy start: a passing run, no alert.
    let passed_id = wait_for("a passing run", PATIENCE, || async {
        let runs = get_json(&format!("{api}/runs")).await;
        runs.as_array()?
            .iter()
            .find(|r| r["status"] == "passed")
            .and_then(|r| r["id"].as_i64())
    })
    .await;
    // It kept its named screenshot (`screenshot: balance`) in a sealed folder, which the
    // history names — the folder retention deletes with the run.
    let passed = get_json(&format!("{}/api/runs/{passed_id}", daemon.url)).await;
    let folder = std::path::PathBuf::from(
        passed["evidence"]
            .as_str()
            .unwrap_or_else(|| panic!("a passing run names its evidence folder: {passed:#}")),
    );
    assert!(
        folder.join("manifest.json").is_file(),
        "{} is sealed",
        folder.display()
    );
    assert!(
        folder.starts_with(std::fs::canonicalize(dir.path()).unwrap()),
        "{} is inside the data folder",
        folder.display()
    );
    assert_eq!(get_text(&format!("{}/healthz", daemon.url)).await, "ok\n");
    let metrics = get_text(&format!("{}/metrics", daemon.url)).await;
    assert_eq!(
        metric(
            &metrics,
            &format!("vedetta_journey_up{{journey=\"{JOURNEY}\"}}")
        ),
        Some(1.0)
    );

    // The outage: the bank answers 503 with the "temporary difficulties" page.
    switch_fault(&stack, "outage", true).await;
    let down = wait_for("the down alert", PATIENCE, || async {
        webhook.events("down").into_iter().next()
    })
    .await;
    assert_eq!(down["journey"], JOURNEY);
    assert_eq!(down["category"], "outage", "{down:#}");
    assert!(down["step"]["index"].as_u64().is_some(), "{down:#}");
    assert!(
        !down["step"]["name"].as_str().unwrap_or("").is_empty(),
        "{down:#}"
    );
    assert!(down["text"].as_str().unwrap().contains("DOWN"), "{down:#}");
    assert!(
        down["message"]
            .as_str()
            .unwrap()
            .contains("temporary difficulties"),
        "{down:#}"
    );
    let shot_url = down["screenshot_url"]
        .as_str()
        .expect("a screenshot link")
        .to_string();
    assert!(shot_url.starts_with(&daemon.url));
    let shot = reqwest::get(&shot_url).await.unwrap();
    assert_eq!(shot.status(), 200);
    let served = shot.bytes().await.unwrap();
    assert!(
        served.starts_with(b"\x89PNG"),
        "the evidence link serves the PNG"
    );
    // …and it is the annotated copy (header strip above the capture), not the raw capture.
    let down_run = get_json(&format!(
        "{}/api/runs/{}",
        daemon.url,
        down["run_id"].as_i64().unwrap()
    ))
    .await;
    let raw_path = std::path::PathBuf::from(
        down_run["failure"]["screenshot"]
            .as_str()
            .expect("the run recorded its screenshot"),
    );
    let annotated_path = vedetta::evidence::annotate::annotated_path(&raw_path);
    let raw = std::fs::read(&raw_path).unwrap();
    let annotated = std::fs::read(&annotated_path)
        .unwrap_or_else(|e| panic!("{}: {e}", annotated_path.display()));
    assert!(
        served[..] == annotated[..],
        "the screenshot link serves {}, not the raw {}",
        annotated_path.display(),
        raw_path.display()
    );
    let size = |png: &[u8]| {
        image::load_from_memory_with_format(png, image::ImageFormat::Png)
            .unwrap()
            .into_rgb8()
            .dimensions()
    };
    let (raw_w, raw_h) = size(&raw);
    let (served_w, served_h) = size(&served);
    assert_eq!(served_w, raw_w);
    assert!(
        served_h > raw_h,
        "the header strip makes it taller: {served_h} vs {raw_h}"
    );
    assert!(
        down["evidence"]
            .as_str()
            .is_some_and(|e| e.contains("/evidence/")),
        "{down:#}"
    );

    // Two failed runs made it down; further failures say nothing more.
    let failed_runs = |min: usize| {
        let api = api.clone();
        async move {
            let runs = get_json(&format!("{api}/runs?limit=500")).await;
            let n = runs
                .as_array()?
                .iter()
                .filter(|r| r["status"] == "failed")
                .count();
            (n >= min).then_some(n)
        }
    };
    wait_for("a third failed run", PATIENCE, || failed_runs(3)).await;
    let metrics = get_text(&format!("{}/metrics", daemon.url)).await;
    assert_eq!(
        metric(
            &metrics,
            &format!("vedetta_journey_up{{journey=\"{JOURNEY}\"}}")
        ),
        Some(0.0),
        "{metrics}"
    );
    assert_eq!(
        metric(
            &metrics,
            &format!("vedetta_journey_alert{{journey=\"{JOURNEY}\",kind=\"down\"}}")
        ),
        Some(1.0)
    );
    let outage_failures = metric(
        &metrics,
        &format!(
            "vedetta_journey_failures_total{{journey=\"{JOURNEY}\",location=\"local\",category=\"outage\"}}"
        ),
    );
    assert!(outage_failures.is_some_and(|n| n >= 2.0), "{metrics}");

    // The status page, as a person sees it, while it is down.
    let png =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("monitor-status-page-down.png");
    let dom = render_page(&format!("{}/", daemon.url), &png);
    assert!(dom.contains(&format!("id=\"journey-{JOURNEY}\"")), "{dom}");
    assert!(
        dom.contains("data-state=\"down\""),
        "the journey shows as down:\n{dom}"
    );
    assert!(dom.contains("journeys down"), "the banner says so");
    assert!(
        dom.contains("class=\"run failed\""),
        "the strip shows failed runs"
    );
    assert!(
        dom.contains("class=\"run passed\""),
        "and the passing ones before"
    );
    assert!(
        dom.contains("ongoing"),
        "the incident is on the timeline, ongoing"
    );
    assert!(dom.contains("<code>outage</code>"));
    assert!(
        dom.contains("/screenshot\""),
        "with the failure's screenshot"
    );
    assert!(
        std::fs::metadata(&png).unwrap().len() > 10_000,
        "a real screenshot at {}",
        png.display()
    );

    // Back up: one recovery, with the outage's duration.
    switch_fault(&stack, "outage", false).await;
    let recovered = wait_for("the recovery", PATIENCE, || async {
        webhook.events("recovered").into_iter().next()
    })
    .await;
    assert_eq!(recovered["journey"], JOURNEY);
    assert!(
        recovered["duration_seconds"].as_u64().is_some(),
        "{recovered:#}"
    );
    assert_eq!(recovered["since"], down["since"]);
    // Another passing run after the recovery: still exactly one of each.
    let recovered_run = recovered["run_id"].as_i64().unwrap();
    wait_for("a passing run after the recovery", PATIENCE, || async {
        let runs = get_json(&format!("{api}/runs")).await;
        runs.as_array()?
            .iter()
            .any(|r| r["status"] == "passed" && r["id"].as_i64() > Some(recovered_run))
            .then_some(())
    })
    .await;
    assert_eq!(
        webhook.events("down").len(),
        1,
        "{:#?}",
        webhook.received.lock().unwrap()
    );
    assert_eq!(webhook.events("recovered").len(), 1);
    assert!(
        webhook.events("blind").is_empty(),
        "a site outage is never a blind monitor"
    );
    // The Slack-compatible channel got the same two messages, once each.
    let slack: Vec<String> = webhook
        .slack
        .lock()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(slack.len(), 2, "{slack:#?}");
    assert_eq!(slack[0], down["text"].as_str().unwrap(), "{slack:#?}");
    assert_eq!(slack[1], recovered["text"].as_str().unwrap(), "{slack:#?}");
    assert!(slack[0].contains("DOWN") && slack[1].contains("RECOVERED"));

    // The down alert came on the 2nd failed run in a row (`down_after: 2`), not earlier or
    // later, since the first of them; the recovery on the first passing run after it
    // (`recover_after: 1`). Error runs are no evidence either way; none is expected here.
    let history = get_json(&format!("{api}/runs?limit=500")).await;
    let mut seen: Vec<(i64, String, i64)> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] != "cancelled" && r["status"] != "error")
        .map(|r| {
            (
                r["id"].as_i64().unwrap(),
                r["status"].as_str().unwrap().to_string(),
                r["started_at_ms"].as_i64().unwrap(),
            )
        })
        .collect();
    seen.sort();
    let at = |id: i64| seen.iter().position(|r| r.0 == id).unwrap();
    let d = at(down["run_id"].as_i64().unwrap());
    assert!(d >= 2, "{seen:?}");
    assert_eq!(seen[d].1, "failed", "{seen:?}");
    assert_eq!(seen[d - 1].1, "failed", "{seen:?}");
    assert_ne!(
        seen[d - 2].1,
        "failed",
        "down came later than the 2nd failure: {seen:?}"
    );
    assert_eq!(
        down["since"],
        vedetta::time::rfc3339_ms(seen[d - 1].2),
        "since the first failure of the streak"
    );
    let r = at(recovered_run);
    assert!(r > d, "{seen:?}");
    assert!(seen[d..r].iter().all(|x| x.1 == "failed"), "{seen:?}");
    assert_ne!(seen[r].1, "failed", "{seen:?}");
    let metrics = get_text(&format!("{}/metrics", daemon.url)).await;
    assert_eq!(
        metric(
            &metrics,
            &format!("vedetta_journey_up{{journey=\"{JOURNEY}\"}}")
        ),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        metric(
            &metrics,
            &format!("vedetta_journey_alert{{journey=\"{JOURNEY}\",kind=\"down\"}}")
        ),
        Some(0.0)
    );
    assert!(metrics.contains(&format!(
        "vedetta_journey_step_duration_seconds{{journey=\"{JOURNEY}\",location=\"local\",step_index=\"1\""
    )));
    assert!(
        metric(
            &metrics,
            &format!("vedetta_journey_last_success_timestamp_seconds{{journey=\"{JOURNEY}\",location=\"local\"}}")
        )
        .is_some()
    );

    let before: Vec<i64> = get_json(&format!("{api}/runs?limit=500"))
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] != "cancelled")
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    let status = daemon.terminate(PATIENCE);
    assert!(status.success(), "SIGTERM: exit 0, got {status}");

    // Restart on the same data folder: the history and the closed incident are there.
    let daemon = Daemon::start(&config, &stack);
    let api = format!("{}/api/journeys/{JOURNEY}", daemon.url);
    let after = get_json(&format!("{api}/runs?limit=500")).await;
    let after: Vec<i64> = after
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    for id in &before {
        assert!(
            after.contains(id),
            "run {id} is still in the history after the restart"
        );
    }
    let incidents = get_json(&format!("{api}/incidents")).await;
    let incidents = incidents.as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{incidents:#?}");
    assert_eq!(incidents[0]["kind"], "down");
    assert_eq!(incidents[0]["category"], "outage");
    assert!(incidents[0]["closed_at_ms"].as_i64().is_some());
    let journeys = get_json(&format!("{}/api/journeys", daemon.url)).await;
    assert_eq!(
        journeys[0]["state"], "up",
        "restored from the history: {journeys:#}"
    );
    let status = daemon.terminate(PATIENCE);
    assert!(status.success());
    // Nothing more was announced by the restart.
    assert_eq!(webhook.events("down").len(), 1);
    assert_eq!(webhook.events("recovered").len(), 1);
    stack.shutdown().await;
}
