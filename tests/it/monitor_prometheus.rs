//! `/metrics` as Prometheus itself reads it: Debian's `promtool check metrics` accepts the
//! exposition (the golden one, with every family — degraded, slow steps, maintenance — and a
//! live daemon's), and a real `prometheus` scrapes a running `vedetta monitor` and answers
//! queries on its series.

use crate::monitor_support::*;
use crate::real_services::{Prometheus, promtool_check_metrics};

use std::time::Duration;

const JOURNEY: &str = "demo-card-balance";
const PATIENCE: Duration = Duration::from_secs(120);

#[test]
fn promtool_accepts_the_golden_exposition() {
    let golden = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/metrics.prom"),
    )
    .unwrap();
    for family in [
        "vedetta_journey_state",
        "vedetta_journey_maintenance",
        "vedetta_journey_slow_step_duration_seconds",
    ] {
        assert!(
            golden.contains(&format!("# TYPE {family} gauge")),
            "{family}"
        );
    }
    let (ok, said) = promtool_check_metrics(&golden);
    assert!(ok, "promtool check metrics refused it:\n{said}");
    // promtool is no pushover: a broken line is refused.
    let (ok, _) = promtool_check_metrics("# TYPE x gauge\nx{journey=\"a} 1\n");
    assert!(!ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_scrapes_a_running_monitor_and_promtool_accepts_its_metrics() {
    let stack = demo_bank(&[]).await;
    let webhook = Webhook::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), &stack, &webhook, "");
    let daemon = Daemon::start(&config, &stack);
    let metrics_url = format!("{}/metrics", daemon.url);
    wait_for("a finished run in /metrics", PATIENCE, || async {
        let text = get_text(&metrics_url).await;
        metric(
            &text,
            &format!("vedetta_journey_up{{journey=\"{JOURNEY}\"}}"),
        )
        .map(|_| ())
    })
    .await;
    let live = get_text(&metrics_url).await;
    let (ok, said) = promtool_check_metrics(&live);
    assert!(
        ok,
        "promtool check metrics refused the live exposition:\n{said}\n{live}"
    );

    let target = daemon.url.trim_start_matches("http://").to_string();
    let prometheus = Prometheus::start(&target).await;
    // The scrape works (`up` 1) and the series are there, labelled by journey.
    let up = wait_for("Prometheus to scrape the monitor", PATIENCE, || async {
        prometheus
            .query("up{job=\"vedetta\"}")
            .await
            .into_iter()
            .find(|s| s["value"][1] == "1")
    })
    .await;
    assert_eq!(up["metric"]["instance"], target);
    let state = wait_for("vedetta_journey_state in Prometheus", PATIENCE, || async {
        prometheus
            .query("vedetta_journey_state")
            .await
            .into_iter()
            .next()
    })
    .await;
    assert_eq!(state["metric"]["journey"], JOURNEY);
    assert_eq!(state["value"][1], "0", "up: {state}");
    let runs = prometheus
        .query(&format!(
            "sum(vedetta_journey_runs_total{{journey=\"{JOURNEY}\"}})"
        ))
        .await;
    assert!(
        runs.first()
            .and_then(|r| r["value"][1].as_str())
            .and_then(|v| v.parse::<f64>().ok())
            .is_some_and(|n| n >= 1.0),
        "{runs:?}"
    );
    let buckets = prometheus
        .query("vedetta_journey_duration_seconds_bucket{le=\"+Inf\"}")
        .await;
    assert_eq!(
        buckets.len(),
        1,
        "the histogram is read as one: {buckets:?}"
    );
    let status = daemon.terminate(Duration::from_secs(60));
    assert!(status.success());
}
