//! The monitor as a team deploys it: the daemon serves the SMS inbox itself (the provider's
//! webhook points at it), and several journeys share its browsers within `concurrency`. Here
//! the demo bank sends its login codes to the daemon's inbox as Twilio's signed webhook, two
//! journeys (the full SMS login and the light login-page check) run every second, and with
//! `concurrency: 1` no two runs ever overlap.

use crate::monitor_support;

use std::path::Path;
use std::time::{Duration, Instant};

use monitor_support::Daemon;
use vedetta::demo::{BankConfig, SmsGateway};

const PATIENCE: Duration = Duration::from_secs(180);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_serves_the_inbox_and_keeps_to_its_browser_limit() {
    let dir = tempfile::tempdir().unwrap();
    // The daemon's inbox address, known before it starts so the bank can be pointed at it.
    let inbox_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let inbox_token = vedetta::inbox::random_token(16);
    let twilio_token = vedetta::inbox::random_token(16);
    let bank = vedetta::demo::serve(
        tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
        BankConfig {
            sms: Some(SmsGateway::new(
                format!("http://127.0.0.1:{inbox_port}/sms/twilio"),
                twilio_token.clone(),
            )),
            ..BankConfig::default()
        },
    )
    .await
    .unwrap();

    let journeys = dir.path().join("journeys");
    std::fs::create_dir_all(&journeys).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("journeys");
    for name in ["demo-card-balance.yaml", "demo-login-page.yaml"] {
        std::fs::copy(shipped.join(name), journeys.join(name)).unwrap();
    }
    let config = dir.path().join("monitor.yaml");
    std::fs::write(
        &config,
        format!(
            "listen: 127.0.0.1:0\ndata_dir: data\nconcurrency: 1\n\
             inbox: {{ listen: 127.0.0.1:{inbox_port}, token: \"${{INBOX_TOKEN}}\", twilio_auth_token: \"${{TWILIO_AUTH_TOKEN}}\" }}\n\
             journeys:\n  - path: journeys/*.yaml\n    every: 1s\n    jitter: 200ms\n"
        ),
    )
    .unwrap();
    let bank_var = format!("BANK_URL={}", bank.url);
    let daemon = Daemon::start_env(
        &config,
        &["--var", &bank_var],
        &[
            ("INBOX_TOKEN", &inbox_token),
            ("TWILIO_AUTH_TOKEN", &twilio_token),
        ],
    );

    // Three passing runs of each: the SMS journey's codes came through the daemon's inbox.
    let runs_of = |name: &'static str| {
        let url = format!("{}/api/journeys/{name}/runs?limit=100", daemon.url);
        async move {
            reqwest::get(url)
                .await
                .ok()?
                .json::<serde_json::Value>()
                .await
                .ok()
        }
    };
    let deadline = Instant::now() + PATIENCE;
    let (full, light) = loop {
        let full = runs_of("demo-card-balance").await.unwrap_or_default();
        let light = runs_of("demo-login-page").await.unwrap_or_default();
        let passed = |runs: &serde_json::Value| {
            runs.as_array()
                .map_or(0, |r| r.iter().filter(|r| r["status"] == "passed").count())
        };
        if passed(&full) >= 3 && passed(&light) >= 3 {
            break (full, light);
        }
        assert!(
            Instant::now() < deadline,
            "not enough passing runs: {full:#}\n{light:#}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    for run in full
        .as_array()
        .unwrap()
        .iter()
        .chain(light.as_array().unwrap())
    {
        assert_eq!(run["status"], "passed", "{run:#}");
    }

    // concurrency: 1 — one browser at a time, so no two runs overlap in time.
    let mut spans: Vec<(i64, i64)> = full
        .as_array()
        .unwrap()
        .iter()
        .chain(light.as_array().unwrap())
        .map(|r| {
            (
                r["started_at_ms"].as_i64().unwrap(),
                r["finished_at_ms"].as_i64().unwrap(),
            )
        })
        .collect();
    spans.sort();
    for pair in spans.windows(2) {
        assert!(
            pair[0].1 <= pair[1].0,
            "two runs at once with concurrency 1: {pair:?}"
        );
    }

    let status = daemon.terminate(Duration::from_secs(60));
    assert!(status.success(), "{status}");
    bank.shutdown().await;
}
