//! The monitor watching from two locations, through the real binary: `local` (the monitor's own
//! chromedriver, the healthy demo bank) and `grid` (a distributed Selenium Grid: hub and node,
//! its `vars:` pointing at a second demo bank with the outage on). A fault seen from one
//! location only is no outage with `alerts.locations: 2`, and is one — the alert naming the
//! location — with `alerts.locations: 1`. `/metrics` and the status page show each location.

use crate::common;
use crate::grid_distributed::DistributedGrid;
use crate::monitor_support::{
    Daemon, Webhook, demo_bank, demo_journey, get_json, get_text, metric, wait_for,
};

use std::path::{Path, PathBuf};
use std::time::Duration;

use vedetta::demo::DemoStack;

const JOURNEY: &str = "demo-card-balance";
/// A few runs from each location on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(240);

fn config(
    dir: &Path,
    healthy: &DemoStack,
    grid: &DistributedGrid,
    broken: &DemoStack,
    webhook: &Webhook,
    quorum: u32,
) -> PathBuf {
    let journeys = dir.join("journeys");
    std::fs::create_dir_all(&journeys).unwrap();
    std::fs::copy(demo_journey(), journeys.join("demo-card-balance.yaml")).unwrap();
    let text = format!(
        "listen: 127.0.0.1:0\ndata_dir: data\nconcurrency: 2\n\
         alerts: {{ down_after: 2, recover_after: 1, locations: {quorum} }}\n\
         channels:\n  - webhook: {webhook}\n\
         inbox: {{ url: \"{inbox}\", token: \"${{INBOX_TOKEN}}\" }}\n\
         locations:\n  - name: local\n  - name: grid\n    webdriver: {hub}\n    vars: {{ BANK_URL: \"{broken}\" }}\n\
         journeys:\n  - path: journeys/*.yaml\n    every: 2s\n    jitter: 500ms\n",
        webhook = webhook.url,
        inbox = healthy.inbox_server.url(),
        hub = grid.hub.url,
        broken = broken.bank.url,
    );
    let path = dir.join("monitor.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn location_state(metrics: &str, location: &str) -> Option<f64> {
    metric(
        metrics,
        &format!("vedetta_location_state{{journey=\"{JOURNEY}\",location=\"{location}\"}}"),
    )
}

/// Waits until the grid location sees the journey down and the local one up (both by their own
/// alert states), and returns `/metrics` then.
async fn grid_down_local_up(daemon: &Daemon) -> String {
    let url = format!("{}/metrics", daemon.url);
    wait_for("the grid down and local up", PATIENCE, || async {
        let metrics = get_text(&url).await;
        (location_state(&metrics, "grid") == Some(2.0)
            && location_state(&metrics, "local") == Some(0.0))
        .then_some(metrics)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_seen_from_one_location_is_down_only_when_one_location_is_enough() {
    let _slot = common::browser_slot().await;
    let grid = DistributedGrid::start(1, 1).await;
    let healthy = demo_bank(&[]).await;
    let broken = demo_bank(&["outage"]).await;

    // alerts.locations: 2 — the grid alone sees the outage: no down alert.
    {
        let dir = tempfile::tempdir().unwrap();
        let webhook = Webhook::start().await;
        let path = config(dir.path(), &healthy, &grid, &broken, &webhook, 2);
        let daemon = Daemon::start(&path, &healthy);
        let metrics = grid_down_local_up(&daemon).await;
        // Every run series carries its location; each location ran the journey.
        assert!(
            metric(
                &metrics,
                &format!(
                    "vedetta_journey_failures_total{{journey=\"{JOURNEY}\",location=\"grid\",category=\"outage\"}}"
                )
            )
            .is_some_and(|n| n >= 2.0),
            "{metrics}"
        );
        assert!(
            metric(
                &metrics,
                &format!(
                    "vedetta_journey_runs_total{{journey=\"{JOURNEY}\",location=\"local\",status=\"passed\"}}"
                )
            )
            .is_some_and(|n| n >= 1.0),
            "{metrics}"
        );
        // The journey's verdict: not down, no alert.
        let journeys = get_json(&format!("{}/api/journeys", daemon.url)).await;
        assert_ne!(journeys[0]["state"], "down", "{journeys:#}");
        assert_eq!(
            metric(
                &metrics,
                &format!("vedetta_journey_alert{{journey=\"{JOURNEY}\",kind=\"down\"}}")
            ),
            Some(0.0),
            "{metrics}"
        );
        // A further local run after the grid went down still raises nothing.
        let runs_now = |m: &str| {
            metric(
                m,
                &format!(
                    "vedetta_journey_runs_total{{journey=\"{JOURNEY}\",location=\"local\",status=\"passed\"}}"
                ),
            )
            .unwrap_or(0.0)
        };
        let before = runs_now(&metrics);
        let url = format!("{}/metrics", daemon.url);
        wait_for("another local run", PATIENCE, || async {
            (runs_now(&get_text(&url).await) > before).then_some(())
        })
        .await;
        assert!(
            webhook.events("down").is_empty(),
            "{:?}",
            webhook.received.lock().unwrap()
        );

        // The status page shows each location's state.
        let page = get_text(&format!("{}/", daemon.url)).await;
        assert!(page.contains("<table class=locations"), "{page}");
        assert!(
            page.contains("<tr><td>grid</td><td><span class=\"badge down\">down</span></td></tr>"),
            "{page}"
        );
        assert!(
            page.contains("<tr><td>local</td><td><span class=\"badge up\">up</span></td></tr>"),
            "{page}"
        );
        daemon.terminate(Duration::from_secs(60));
    }

    // alerts.locations: 1 — the same fault pages, naming who sees what.
    {
        let dir = tempfile::tempdir().unwrap();
        let webhook = Webhook::start().await;
        let path = config(dir.path(), &healthy, &grid, &broken, &webhook, 1);
        let daemon = Daemon::start(&path, &healthy);
        let down = wait_for("a down alert", PATIENCE, || async {
            webhook.events("down").into_iter().next()
        })
        .await;
        let locations = down["locations"].as_str().unwrap_or_default();
        assert!(locations.contains("down from grid"), "{down:#}");
        assert!(
            down["text"].as_str().unwrap().contains("down from grid"),
            "the alert's text names the location: {down:#}"
        );
        assert_eq!(down["category"], "outage", "{down:#}");
        let journeys = get_json(&format!("{}/api/journeys", daemon.url)).await;
        assert_eq!(journeys[0]["state"], "down", "{journeys:#}");
        daemon.terminate(Duration::from_secs(60));
    }

    // Nothing left on the grid.
    let url = grid.hub.url.clone();
    wait_for(
        "no session on the grid",
        Duration::from_secs(60),
        || async {
            let status: serde_json::Value = match reqwest::get(format!("{url}/status")).await {
                Ok(r) => r.json().await.unwrap_or_default(),
                Err(_) => return None,
            };
            let open = status["value"]["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|n| n["slots"].as_array().into_iter().flatten())
                .filter(|s| !s["session"].is_null())
                .count();
            (open == 0).then_some(())
        },
    )
    .await;
}

/// A location whose grid is unreachable is blind there: its blind alert names it, and it never
/// makes the journey down, even when one location is enough.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_grid_is_a_blind_location_never_an_outage() {
    let _slot = common::browser_slot().await;
    let healthy = demo_bank(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let webhook = Webhook::start().await;
    let journeys = dir.path().join("journeys");
    std::fs::create_dir_all(&journeys).unwrap();
    std::fs::copy(demo_journey(), journeys.join("demo-card-balance.yaml")).unwrap();
    let path = dir.path().join("monitor.yaml");
    std::fs::write(
        &path,
        format!(
            "listen: 127.0.0.1:0\ndata_dir: data\nconcurrency: 2\n\
             alerts: {{ down_after: 1, blind_after: 2, locations: 1 }}\n\
             channels:\n  - webhook: {}\n\
             inbox: {{ url: \"{}\", token: \"${{INBOX_TOKEN}}\" }}\n\
             locations:\n  - name: local\n  - name: nowhere\n    webdriver: http://127.0.0.1:{}\n\
             journeys:\n  - path: journeys/*.yaml\n    every: 2s\n    jitter: 500ms\n",
            webhook.url,
            healthy.inbox_server.url(),
            common::closed_port()
        ),
    )
    .unwrap();
    let daemon = Daemon::start(&path, &healthy);
    let blind = wait_for("a blind alert", PATIENCE, || async {
        webhook.events("blind").into_iter().next()
    })
    .await;
    assert!(
        blind["locations"]
            .as_str()
            .is_some_and(|l| l.contains("blind from nowhere")),
        "{blind:#}"
    );
    let metrics_url = format!("{}/metrics", daemon.url);
    let metrics = wait_for("local up", PATIENCE, || async {
        let m = get_text(&metrics_url).await;
        (location_state(&m, "local") == Some(0.0)).then_some(m)
    })
    .await;
    assert_eq!(location_state(&metrics, "nowhere"), Some(3.0), "{metrics}");
    let journeys = get_json(&format!("{}/api/journeys", daemon.url)).await;
    assert_ne!(journeys[0]["state"], "down", "{journeys:#}");
    assert_eq!(
        journeys[0]["locations"],
        serde_json::json!([{"name": "local", "state": "up"}, {"name": "nowhere", "state": "blind"}]),
        "{journeys:#}"
    );
    assert!(webhook.events("down").is_empty());
    daemon.terminate(Duration::from_secs(60));
}
