//! When the monitor cannot run a journey at all (here: its WebDriver is not there), that is the
//! harness's trouble, not the site's: a "monitor is blind" alert, once, and never a "down".
//! No browser starts in this test.

use crate::monitor_support;

use std::time::Duration;

use monitor_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_runs_raise_one_blind_alert_and_never_a_down_alert() {
    let stack = demo_bank(&[]).await;
    let webhook = Webhook::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), &stack, &webhook, "");
    let missing = dir.path().join("no-such-chromedriver");
    let daemon = Daemon::start_with(&config, &stack, &["--driver", missing.to_str().unwrap()]);
    let api = format!(
        "{}/api/journeys/demo-card-balance/runs?limit=500",
        daemon.url
    );

    let blind = wait_for("the blind alert", Duration::from_secs(60), || async {
        webhook.events("blind").into_iter().next()
    })
    .await;
    assert!(
        blind["text"].as_str().unwrap().contains("BLIND"),
        "{blind:#}"
    );
    assert!(
        blind["message"].as_str().is_some_and(|m| !m.is_empty()),
        "says why: {blind:#}"
    );
    // More error runs after it: still one alert, and no "down".
    wait_for("four error runs", Duration::from_secs(60), || async {
        let runs = get_json(&api).await;
        (runs
            .as_array()?
            .iter()
            .filter(|r| r["status"] == "error")
            .count()
            >= 4)
            .then_some(())
    })
    .await;
    assert_eq!(webhook.events("blind").len(), 1);
    assert!(
        webhook.events("down").is_empty(),
        "{:#?}",
        webhook.received.lock().unwrap()
    );
    let journeys = get_json(&format!("{}/api/journeys", daemon.url)).await;
    assert_eq!(journeys[0]["state"], "blind");
    let metrics = get_text(&format!("{}/metrics", daemon.url)).await;
    assert_eq!(
        metric(
            &metrics,
            "vedetta_journey_alert{journey=\"demo-card-balance\",kind=\"blind\"}"
        ),
        Some(1.0)
    );
    assert_eq!(
        metric(
            &metrics,
            "vedetta_journey_up{journey=\"demo-card-balance\"}"
        ),
        None,
        "the site was never seen"
    );
    assert!(daemon.terminate(Duration::from_secs(60)).success());
    stack.shutdown().await;
}
