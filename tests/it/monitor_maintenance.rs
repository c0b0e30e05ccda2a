//! Maintenance windows end to end: the real `vedetta monitor`, headless Chromium, the demo bank
//! and its `outage` fault. A window — from the config, or opened through the API and the
//! `vedetta maintenance` command — holds every alert while the outage is on (the runs are
//! recorded, marked maintenance; the status page and `/metrics` say so); when it ends the
//! journey is judged afresh and exactly one down alert goes out (by e-mail too, the annotated
//! screenshot attached). A broken `maintenance:` stops the monitor at file:line:column.

use crate::monitor_support;
use crate::real_services::SmtpSink;

use std::process::Command;
use std::time::Duration;

use monitor_support::*;
use serde_json::Value;

const JOURNEY: &str = "demo-card-balance";
const PATIENCE: Duration = Duration::from_secs(150);
const TOKEN: &str = "maint-3f9a1c77e2b04d58a6";

/// The runs of the journey so far, newest first.
async fn runs(daemon: &Daemon) -> Vec<Value> {
    get_json(&format!(
        "{}/api/journeys/{JOURNEY}/runs?limit=500",
        daemon.url
    ))
    .await
    .as_array()
    .cloned()
    .unwrap_or_default()
}

async fn state(daemon: &Daemon) -> Value {
    let all = get_json(&format!("{}/api/journeys", daemon.url)).await;
    all.as_array().unwrap()[0].clone()
}

/// Waits for `n` failed runs held by maintenance; then no alert may have been sent.
async fn held_failures(daemon: &Daemon, webhook: &Webhook, n: usize) {
    wait_for("failed runs held by the window", PATIENCE, || async {
        let held = runs(daemon)
            .await
            .iter()
            .filter(|r| r["status"] == "failed" && r["maintenance"] == true)
            .count();
        (held >= n).then_some(())
    })
    .await;
    assert!(
        webhook.received.lock().unwrap().is_empty(),
        "the window holds every alert: {:#?}",
        webhook.received.lock().unwrap()
    );
}

/// After the window: exactly one down alert, raised by the second failed run after it
/// (`down_after: 2`, judged afresh), none of them held; then one recovery.
async fn one_down_after_the_window(
    daemon: &Daemon,
    webhook: &Webhook,
    stack: &vedetta::demo::DemoStack,
) -> Value {
    let down = wait_for("the down alert after the window", PATIENCE, || async {
        webhook.events("down").into_iter().next()
    })
    .await;
    let history = runs(daemon).await;
    let last_held = history
        .iter()
        .filter(|r| r["maintenance"] == true)
        .filter_map(|r| r["id"].as_i64())
        .max()
        .expect("runs were held");
    let down_run = down["run_id"].as_i64().unwrap();
    let after: Vec<&Value> = history
        .iter()
        .filter(|r| (last_held + 1..=down_run).contains(&r["id"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        after.len(),
        2,
        "down on the 2nd failed run after the window: {history:#?}"
    );
    assert!(
        after
            .iter()
            .all(|r| r["status"] == "failed" && r.get("maintenance").is_none())
    );
    switch_fault(stack, "outage", false).await;
    wait_for("the recovery", PATIENCE, || async {
        webhook.events("recovered").into_iter().next()
    })
    .await;
    let events: Vec<String> = webhook
        .received
        .lock()
        .unwrap()
        .iter()
        .map(|a| a["event"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(events, ["down", "recovered"], "exactly one down alert");
    down
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_window_holds_every_alert_and_after_it_exactly_one_down_goes_out_with_its_screenshot()
 {
    let stack = demo_bank(&[]).await;
    let webhook = Webhook::start().await;
    let smtp = SmtpSink::start("vedetta", "mail-p4ss", None);
    let dir = tempfile::tempdir().unwrap();
    // A window from 20 s after now, for 50 s (six-field cron: to the second, UTC).
    let start = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(20);
    let start = start.to_zoned(jiff::tz::TimeZone::UTC);
    let cron = format!(
        "{} {} {} {} {} *",
        start.second(),
        start.minute(),
        start.hour(),
        start.day(),
        start.month()
    );
    let extra = format!("maintenance:\n  - cron: \"{cron}\"\n    for: 50s\n");
    let config = demo_config(dir.path(), &stack, &webhook, &extra);
    let text = std::fs::read_to_string(&config).unwrap().replacen(
        "channels:\n",
        &format!(
            "channels:\n  - email: {{ smtp: \"smtp://127.0.0.1:{}\", security: none, from: vedetta@example.com, to: ops@example.com, username: vedetta, password: \"${{SMTP_PASSWORD}}\" }}\n",
            smtp.port
        ),
        1,
    );
    std::fs::write(&config, text).unwrap();
    let bank = format!("BANK_URL={}", stack.bank.url);
    let daemon = Daemon::start_env(
        &config,
        &["--var", &bank],
        &[
            ("INBOX_TOKEN", &stack.inbox_token),
            ("SMTP_PASSWORD", "mail-p4ss"),
        ],
    );

    // The window opens: the journey shows maintenance; then the outage.
    let window = wait_for("the window to open", PATIENCE, || async {
        let s = state(&daemon).await;
        (s["state"] == "maintenance").then(|| s["maintenance"].clone())
    })
    .await;
    assert_eq!(window["id"], "scheduled-1");
    assert_eq!(window["journeys"], Value::Null, "every journey");
    switch_fault(&stack, "outage", true).await;
    held_failures(&daemon, &webhook, 2).await;
    let page = get_text(&format!("{}/", daemon.url)).await;
    assert!(page.contains("data-state=maintenance"), "{page}");
    assert!(page.contains("In maintenance until"), "{page}");
    let metrics = get_text(&format!("{}/metrics", daemon.url)).await;
    assert_eq!(
        metric(
            &metrics,
            &format!("vedetta_journey_maintenance{{journey=\"{JOURNEY}\"}}")
        ),
        Some(1.0),
        "{metrics}"
    );

    let down = one_down_after_the_window(&daemon, &webhook, &stack).await;
    assert!(smtp.messages().len() >= 2, "down and recovered by e-mail");
    let mail = &smtp.messages()[0];
    assert_eq!(mail["login"], "vedetta");
    assert!(
        mail["subject"]
            .as_str()
            .unwrap()
            .starts_with("[vedetta] DOWN demo-card-balance"),
        "{mail:#}"
    );
    let attached = mail["attachments"].as_array().unwrap();
    assert_eq!(attached.len(), 1, "{mail:#}");
    assert_eq!(attached[0]["content_type"], "image/png");
    // The attachment is the down run's annotated screenshot, as the status page serves it.
    let served = reqwest::get(down["screenshot_url"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let png = std::fs::read(attached[0]["path"].as_str().unwrap()).unwrap();
    assert!(
        png[..] == served[..],
        "the annotated screenshot, byte for byte"
    );
    let status = daemon.terminate(Duration::from_secs(60));
    assert!(status.success());
}

fn maintenance_command(daemon: &Daemon, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .arg("maintenance")
        .args(args)
        .args(["--monitor", &daemon.url])
        .env("VEDETTA_API_TOKEN", TOKEN)
        .output()
        .expect("run vedetta maintenance")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_opened_through_the_api_and_ended_by_the_command_holds_every_alert() {
    let stack = demo_bank(&[]).await;
    let webhook = Webhook::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(
        dir.path(),
        &stack,
        &webhook,
        &format!("api_token: {TOKEN}\n"),
    );
    let daemon = Daemon::start(&config, &stack);
    let api = format!("{}/api/maintenance", daemon.url);
    let client = reqwest::Client::new();

    // Writes need the token.
    let body = serde_json::json!({"for": "10m", "reason": "deploy 4.2"});
    let anonymous = client.post(&api).json(&body).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let wrong = client
        .post(&api)
        .bearer_auth("nope")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let bad = client
        .post(&api)
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({"for": "10m", "journeys": ["nobody"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("no journey named \"nobody\"")
    );

    let opened = client
        .post(&api)
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 201);
    let window: Value = opened.json().await.unwrap();
    let id = window["id"].as_str().unwrap().to_string();
    assert_eq!(window["reason"], "deploy 4.2");
    let listed = maintenance_command(&daemon, &["list"]);
    let stdout = String::from_utf8_lossy(&listed.stdout);
    assert_eq!(listed.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&id) && stdout.contains("every journey") && stdout.contains("(deploy 4.2)"),
        "{stdout}"
    );
    assert_eq!(state(&daemon).await["state"], "maintenance");

    switch_fault(&stack, "outage", true).await;
    held_failures(&daemon, &webhook, 3).await;

    // Ending it takes the token too; the command reads it from VEDETTA_API_TOKEN.
    let refused = Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args([
            "maintenance",
            "end",
            &id,
            "--monitor",
            &daemon.url,
            "--token",
            "wrong-token-123456",
        ])
        .env_remove("VEDETTA_API_TOKEN")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("refused the token"));
    let ended = maintenance_command(&daemon, &["end", &id]);
    let stdout = String::from_utf8_lossy(&ended.stdout);
    assert_eq!(
        ended.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&ended.stderr)
    );
    assert!(
        stdout.starts_with(&format!("maintenance {id} ended at ")),
        "{stdout}"
    );
    assert_ne!(state(&daemon).await["state"], "maintenance");

    one_down_after_the_window(&daemon, &webhook, &stack).await;
    let metrics = get_text(&format!("{}/metrics", daemon.url)).await;
    assert_eq!(
        metric(
            &metrics,
            &format!("vedetta_journey_maintenance{{journey=\"{JOURNEY}\"}}")
        ),
        Some(0.0)
    );
    // A window started by the command, for one journey.
    let started = maintenance_command(
        &daemon,
        &[
            "start",
            "--for",
            "5m",
            "--journey",
            JOURNEY,
            "--reason",
            "db",
        ],
    );
    let stdout = String::from_utf8_lossy(&started.stdout);
    assert_eq!(started.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.starts_with("maintenance ") && stdout.contains(&format!("started: {JOURNEY}, ")),
        "{stdout}"
    );
    assert_eq!(state(&daemon).await["state"], "maintenance");
    let status = daemon.terminate(Duration::from_secs(60));
    assert!(status.success());
}

#[test]
fn a_broken_maintenance_window_stops_the_monitor_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("journeys")).unwrap();
    std::fs::copy(demo_journey(), dir.path().join("journeys/demo.yaml")).unwrap();
    let config = dir.path().join("monitor.yaml");
    std::fs::write(
        &config,
        "maintenance:\n  - cron: \"0 2 * * SUN\"\n  - cron: \"0 99 * * *\"\n    for: 1h\n  - cron: \"@daily\"\n    for: 1h\n    journeys: [nobody]\n\
         channels:\n  - pagerdutty: { routing_key: x }\njourneys:\n  - path: journeys/*.yaml\n    every: 1m\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .arg("monitor")
        .arg(&config)
        .env("DEMO_PASSWORD", "x")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing started");
    assert!(
        stderr.contains("missing `for:`") && stderr.contains("monitor.yaml:2:5"),
        "{stderr}"
    );
    assert!(
        stderr.contains("invalid cron pattern `0 99 * * *`")
            && stderr.contains("monitor.yaml:3:11"),
        "{stderr}"
    );
    assert!(
        stderr.contains("unknown key `pagerdutty`") && stderr.contains("monitor.yaml:9:5"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `pagerduty`?"), "{stderr}");

    // Fixed, but naming a journey the monitor does not run.
    std::fs::write(
        &config,
        "maintenance:\n  - cron: \"@daily\"\n    for: 1h\n    journeys: [nobody]\njourneys:\n  - path: journeys/*.yaml\n    every: 1m\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .arg("monitor")
        .arg(&config)
        .env("DEMO_PASSWORD", "x")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("monitor.yaml:4:16: a maintenance window names `nobody`"),
        "{stderr}"
    );
}
