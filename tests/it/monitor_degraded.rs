//! `vedetta monitor` tells slow from down, end to end: the real binary and headless Chromium
//! against the demo bank, whose `slow` fault makes every page answer late. With a `slow:`
//! threshold on the first step, `degraded_after: 2` slow runs in a row raise exactly one
//! "degraded" alert (naming the step and its time), `/metrics` and the status page show the
//! journey degraded, and switching the fault off gives exactly one recovery — never a "down".

use crate::monitor_support;

use std::time::Duration;

use monitor_support::*;
use vedetta::demo::{BankConfig, DemoStack};

const JOURNEY: &str = "demo-card-balance";
const PATIENCE: Duration = Duration::from_secs(180);

/// The demo bank with its `slow` fault delaying each page by 4 s when switched on.
async fn slow_bank() -> DemoStack {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = BankConfig {
        slow_delay: Duration::from_secs(4),
        ..BankConfig::default()
    };
    DemoStack::start_with(listener, config)
        .await
        .expect("start the demo bank")
}

/// The demo journey with a 2.5 s `slow:` on opening the home page (a few hundred ms when the
/// bank is well; over 4 s with the fault on) and timeouts long enough for a slow bank to pass.
fn slow_demo_journey() -> String {
    let text = std::fs::read_to_string(demo_journey()).unwrap();
    let text = text.replacen("timeout: 10s", "timeout: 30s", 1);
    let with_slow = text.replacen(
        "  - name: open the home page\n    open: /\n",
        "  - name: open the home page\n    open: /\n    slow: 2500ms\n",
        1,
    );
    assert_ne!(with_slow, text, "the demo journey's first step moved");
    with_slow
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_slow_fault_raises_one_degraded_alert_then_one_recovery_and_never_down() {
    let stack = slow_bank().await;
    let webhook = Webhook::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), &stack, &webhook, "");
    std::fs::write(
        dir.path().join("journeys/demo-card-balance.yaml"),
        slow_demo_journey(),
    )
    .unwrap();
    let daemon = Daemon::start(&config, &stack);
    let api = format!("{}/api/journeys/{JOURNEY}", daemon.url);

    // Well: a passing run that is not degraded.
    wait_for("a fast passing run", PATIENCE, || async {
        let runs = get_json(&format!("{api}/runs")).await;
        runs.as_array()?
            .iter()
            .any(|r| r["status"] == "passed" && r.get("degraded").is_none())
            .then_some(())
    })
    .await;

    switch_fault(&stack, "slow", true).await;
    let degraded = wait_for("the degraded alert", PATIENCE, || async {
        webhook.events("degraded").into_iter().next()
    })
    .await;
    assert_eq!(degraded["journey"], JOURNEY);
    assert_eq!(degraded["previous"], "up", "{degraded:#}");
    assert_eq!(degraded["category"], "slow", "{degraded:#}");
    assert_eq!(degraded["step"]["index"], 1, "{degraded:#}");
    assert_eq!(degraded["step"]["name"], "open the home page");
    let slow = &degraded["slow"][0];
    assert_eq!(slow["threshold_ms"], 2500, "{degraded:#}");
    assert!(slow["duration_ms"].as_u64().unwrap() > 2500, "{degraded:#}");
    assert!(
        degraded["text"].as_str().unwrap().contains("DEGRADED"),
        "{degraded:#}"
    );
    // It came on the second slow run in a row (`degraded_after` defaults to 2), since the first.
    let history = get_json(&format!("{api}/runs?limit=500")).await;
    let alert_run = degraded["run_id"].as_i64().unwrap();
    let slow_runs: Vec<&serde_json::Value> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["degraded"] == true && r["id"].as_i64().unwrap() <= alert_run)
        .collect();
    assert_eq!(slow_runs.len(), 2, "{history:#}");
    assert_eq!(slow_runs[0]["id"].as_i64(), Some(alert_run));
    assert_eq!(slow_runs[1]["started_at"], degraded["since"]);
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "passed"),
        "slow runs still pass: {history:#}"
    );

    // While degraded: the state gauge says 1, the degraded alert is on, and the status page
    // shows it amber with the slow step and its time.
    let metrics = get_text(&format!("{}/metrics", daemon.url)).await;
    let series = |s: &str| metric(&metrics, &format!("{s}{{journey=\"{JOURNEY}\"}}"));
    assert_eq!(series("vedetta_journey_state"), Some(1.0), "{metrics}");
    assert_eq!(
        metric(
            &metrics,
            &format!("vedetta_journey_alert{{journey=\"{JOURNEY}\",kind=\"degraded\"}}")
        ),
        Some(1.0)
    );
    assert!(
        metrics.contains(&format!(
            "vedetta_journey_slow_step_threshold_seconds{{journey=\"{JOURNEY}\",location=\"local\",step_index=\"1\",step=\"open the home page\"}} 2.5"
        )),
        "{metrics}"
    );
    let page = get_text(&format!("{}/", daemon.url)).await;
    assert!(page.contains("data-state=degraded"), "{page}");
    assert!(page.contains("class=\"banner degraded\""), "{page}");
    assert!(
        page.contains("<li>Slow: step 1 &quot;open the home page&quot; took "),
        "{page}"
    );

    switch_fault(&stack, "slow", false).await;
    let recovered = wait_for("the recovery", PATIENCE, || async {
        webhook.events("recovered").into_iter().next()
    })
    .await;
    assert_eq!(recovered["previous"], "degraded", "{recovered:#}");
    assert_eq!(recovered["since"], degraded["since"]);
    assert!(recovered["text"].as_str().unwrap().contains("fast again"));
    // One more fast run after it: still one of each, and never a down.
    let after = recovered["run_id"].as_i64().unwrap();
    wait_for("a run after the recovery", PATIENCE, || async {
        let runs = get_json(&format!("{api}/runs")).await;
        runs.as_array()?
            .iter()
            .any(|r| r["id"].as_i64() > Some(after))
            .then_some(())
    })
    .await;
    let all = webhook.received.lock().unwrap().clone();
    let events: Vec<&str> = all.iter().filter_map(|a| a["event"].as_str()).collect();
    assert_eq!(events, ["degraded", "recovered"], "{all:#?}");
    let slack = webhook.slack.lock().unwrap().clone();
    assert_eq!(slack.len(), 2, "{slack:#?}");
    assert_eq!(slack[0]["text"], degraded["text"]);
    let metrics = get_text(&format!("{}/metrics", daemon.url)).await;
    assert_eq!(
        metric(
            &metrics,
            &format!("vedetta_journey_state{{journey=\"{JOURNEY}\"}}")
        ),
        Some(0.0)
    );
    let status = daemon.terminate(Duration::from_secs(60));
    assert!(status.success(), "{status}");
}
