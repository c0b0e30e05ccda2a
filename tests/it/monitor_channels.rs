//! The monitor's channels against real receivers: Debian's `prometheus-alertmanager` takes the
//! alert (seen through its own `GET /api/v2/alerts`), keeps it while it is re-sent and sees it
//! resolved; a real SMTP server (aiosmtpd) gets the e-mail over STARTTLS with a login, the
//! screenshot attached; PagerDuty's and Teams' payloads, byte for byte as documented in
//! docs/monitor.md, reach local receivers, PagerDuty's after a refusal it retries.

use crate::monitor_support::{serve_app, wait_for};
use crate::real_services::{Alertmanager, SmtpSink, test_certificates};

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};

use vedetta::monitor::channels::{self, Channel, Email, PagerDuty, Screenshot, SmtpSecurity};
use vedetta::monitor::notify::{Alert, AlertEvent, AlertFacts, AlertStep, Notifier};
use vedetta::time::rfc3339_ms as rfc3339;

const PATIENCE: Duration = Duration::from_secs(60);

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// A down alert for `journey` as the daemon makes it: since a minute ago, now.
fn down(journey: &str, at_ms: i64) -> Alert {
    Alert::new(AlertFacts {
        event: AlertEvent::Down,
        previous: Some("up"),
        previous_since_ms: None,
        slow: Vec::new(),
        journey: journey.into(),
        title: Some("Card balance".into()),
        at_ms,
        since_ms: at_ms - 60_000,
        run_id: 42,
        step: Some(AlertStep {
            index: 6,
            name: "wait for the SMS code".into(),
        }),
        category: Some("otp_not_received".into()),
        message: Some("no code arrived in 20s".into()),
        status_page: format!("http://127.0.0.1:9090/#journey-{journey}"),
        screenshot_url: Some("http://127.0.0.1:9090/runs/42/screenshot".into()),
        evidence: Some("/data/evidence/card/x/card".into()),
    })
}

fn recovered(journey: &str, since_ms: i64, at_ms: i64) -> Alert {
    Alert::new(AlertFacts {
        event: AlertEvent::Recovered,
        previous: Some("down"),
        previous_since_ms: None,
        slow: Vec::new(),
        journey: journey.into(),
        title: Some("Card balance".into()),
        at_ms,
        since_ms,
        run_id: 45,
        step: None,
        category: None,
        message: None,
        status_page: format!("http://127.0.0.1:9090/#journey-{journey}"),
        screenshot_url: None,
        evidence: None,
    })
}

/// A receiver that keeps every JSON body posted to `/`, answering `refuse_first` with 429 and
/// then `answer`.
async fn receiver(
    refuse_first: usize,
    answer: StatusCode,
) -> (
    String,
    Arc<Mutex<Vec<Value>>>,
    tokio_util::sync::CancellationToken,
) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/",
        post(move |Json(body): Json<Value>| {
            let keep = keep.clone();
            async move {
                let mut all = keep.lock().unwrap();
                all.push(body);
                if all.len() <= refuse_first {
                    StatusCode::TOO_MANY_REQUESTS
                } else {
                    answer
                }
            }
        }),
    );
    let (addr, stop) = serve_app(app).await;
    (format!("http://{addr}/"), got, stop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alertmanager_takes_the_alert_keeps_it_while_resent_and_sees_it_resolved() {
    // Alertmanager's own notifications (send_resolved) come back here.
    let (hook, notified, _stop) = receiver(0, StatusCode::OK).await;
    let am = Alertmanager::start(&hook).await;
    let notifier = Notifier::new(vec![Channel::Alertmanager(channels::Alertmanager::new(
        am.url.clone(),
        Duration::from_secs(60),
    ))])
    .with_retries(3, Duration::from_millis(100));
    let at = now_ms();
    let alert = down("card-balance", at);
    assert_eq!(notifier.send(&alert).await, 1);

    let ours = |alerts: Vec<Value>| {
        alerts
            .into_iter()
            .find(|a| a["labels"]["journey"] == "card-balance")
    };
    let active = wait_for("the alert in Alertmanager", PATIENCE, || async {
        ours(am.alerts().await)
    })
    .await;
    assert_eq!(
        active["labels"],
        json!({"alertname": "VedettaJourneyDown", "journey": "card-balance",
               "severity": "critical", "category": "otp_not_received"})
    );
    assert_eq!(active["annotations"]["summary"], alert.text);
    assert_eq!(
        active["annotations"]["description"],
        "no code arrived in 20s"
    );
    assert_eq!(
        active["annotations"]["screenshot"],
        "http://127.0.0.1:9090/runs/42/screenshot"
    );
    assert_eq!(active["status"]["state"], "active");
    assert_eq!(active["generatorURL"], alert.status_page);
    let starts: jiff::Timestamp = active["startsAt"].as_str().unwrap().parse().unwrap();
    let since: jiff::Timestamp = alert.since.parse().unwrap();
    assert_eq!(starts, since, "startsAt is `since`");

    // While it fires it is posted again: Alertmanager refreshes it (same alert, later update).
    let first_update = active["updatedAt"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    notifier.resend_firing().await;
    let refreshed = wait_for("the re-sent alert", PATIENCE, || async {
        ours(am.alerts().await).filter(|a| a["updatedAt"].as_str() != Some(first_update.as_str()))
    })
    .await;
    assert_eq!(refreshed["labels"], active["labels"]);
    assert_eq!(am.alerts().await.len(), 1, "one alert, not two");

    // Alertmanager told its own receiver it fired…
    wait_for("Alertmanager's firing notification", PATIENCE, || async {
        notified
            .lock()
            .unwrap()
            .iter()
            .any(|n| n["status"] == "firing")
            .then_some(())
    })
    .await;
    // …and, once recovered (endsAt now, labels as fired), that it is resolved.
    let back = recovered("card-balance", at - 60_000, now_ms());
    assert_eq!(notifier.send(&back).await, 1);
    wait_for("the alert resolved in Alertmanager", PATIENCE, || async {
        ours(am.alerts().await).is_none().then_some(())
    })
    .await;
    let resolved = wait_for("Alertmanager's resolved notification", PATIENCE, || async {
        notified
            .lock()
            .unwrap()
            .iter()
            .find(|n| n["status"] == "resolved")
            .cloned()
    })
    .await;
    let alert = &resolved["alerts"][0];
    assert_eq!(alert["labels"]["alertname"], "VedettaJourneyDown");
    assert_eq!(alert["labels"]["journey"], "card-balance");
    assert_eq!(alert["status"], "resolved");
    assert!(
        alert["endsAt"].as_str().unwrap() >= rfc3339(at).as_str(),
        "{resolved:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_email_goes_over_starttls_with_a_login_and_the_screenshot_attached() {
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key) = test_certificates(certs.path());
    let password = "p@ss w0rd&<secret>";
    let sink = SmtpSink::start("vedetta", password, Some((&cert, &key)));
    let email = Email {
        server: format!("smtp://127.0.0.1:{}", sink.port),
        host: "127.0.0.1".into(),
        port: sink.port,
        security: SmtpSecurity::StartTls,
        from: "vedetta <vedetta@example.com>".parse().unwrap(),
        to: vec![
            "ops@example.com".parse().unwrap(),
            "Oncall <oncall@example.com>".parse().unwrap(),
        ],
        username: Some("vedetta".into()),
        password: Some(password.into()),
        ca_pem: Some(std::fs::read(&ca).unwrap()),
    };
    let channel = Channel::Email(email.clone());
    assert!(!format!("{channel:?}").contains(password));
    let notifier = Notifier::new(vec![channel]).with_retries(2, Duration::from_millis(100));
    let png = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/demo-outage-1280x800.png"),
    )
    .unwrap();
    let shot = Screenshot {
        name: "card-balance-run-42.png".into(),
        png: png.clone(),
    };
    let alert = down("card-balance", now_ms());
    assert_eq!(notifier.send_with(&alert, Some(&shot)).await, 1);
    // A recovery goes too, without an attachment.
    let back = recovered("card-balance", alert_since(&alert), now_ms());
    assert_eq!(notifier.send_with(&back, Some(&shot)).await, 1);

    let messages = sink.messages();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    let m = &messages[0];
    assert_eq!(m["tls"], true, "STARTTLS before anything was sent");
    assert_eq!(m["login"], "vedetta");
    assert_eq!(m["mail_from"], "vedetta@example.com");
    assert_eq!(
        m["rcpt_tos"],
        json!(["ops@example.com", "oncall@example.com"])
    );
    assert_eq!(m["subject"], Email::subject(&alert));
    assert_eq!(
        m["subject"],
        "[vedetta] DOWN card-balance: step 6 \"wait for the SMS code\" (otp_not_received)"
    );
    assert_eq!(
        m["text"].as_str().unwrap().replace("\r\n", "\n"),
        Email::body(&alert)
    );
    let attachments = m["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1, "{m:#}");
    assert_eq!(attachments[0]["filename"], "card-balance-run-42.png");
    assert_eq!(attachments[0]["content_type"], "image/png");
    let received = std::fs::read(attachments[0]["path"].as_str().unwrap()).unwrap();
    assert!(
        received == png,
        "the attached PNG is the screenshot, byte for byte"
    );
    assert!(
        messages[1]["subject"]
            .as_str()
            .unwrap()
            .contains("RECOVERED")
    );
    assert!(messages[1]["attachments"].as_array().unwrap().is_empty());

    // A wrong password: refused, not retried forever, and never said.
    let wrong = Email {
        password: Some("not-the-password-XyZ".into()),
        ..email
    };
    let message = wrong.message(&alert, None).unwrap();
    let err = wrong.send(message).await.unwrap_err().to_string();
    assert!(!err.contains("not-the-password-XyZ"), "{err}");
    assert_eq!(sink.messages().len(), 2);
}

fn alert_since(a: &Alert) -> i64 {
    a.since.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pagerduty_gets_trigger_and_resolve_with_one_dedup_key_after_a_refusal() {
    // PagerDuty answers 202; the first try is refused with 429 (rate limited) and retried.
    let (url, got, _stop) = receiver(1, StatusCode::ACCEPTED).await;
    let pd = PagerDuty {
        routing_key: "R0UTINGKEY0000000000000000000000".into(),
        url: url.clone(),
    };
    let notifier =
        Notifier::new(vec![Channel::PagerDuty(pd)]).with_retries(3, Duration::from_millis(50));
    let at = 1_795_606_320_000; // 2026-11-25T11:32:00Z
    let alert = down("card-balance", at);
    assert_eq!(notifier.send(&alert).await, 1);
    assert_eq!(
        notifier
            .send(&recovered("card-balance", at - 60_000, at + 600_000))
            .await,
        1
    );
    let got = got.lock().unwrap().clone();
    assert_eq!(
        got.len(),
        3,
        "a refused try, then the trigger, then the resolve"
    );
    assert_eq!(got[0], got[1], "the retry sends the same event");
    assert_eq!(
        got[1],
        json!({
            "routing_key": "R0UTINGKEY0000000000000000000000",
            "event_action": "trigger",
            "dedup_key": "vedetta/card-balance",
            "payload": {
                "summary": alert.text,
                "source": "http://127.0.0.1:9090",
                "severity": "critical",
                "timestamp": "2026-11-25T11:32:00Z",
                "component": "card-balance",
                "group": "vedetta",
                "class": "otp_not_received",
                "custom_details": {
                    "event": "down",
                    "previous": "up",
                    "journey": "card-balance",
                    "title": "Card balance",
                    "since": "2026-11-25T11:31:00Z",
                    "step": "6 wait for the SMS code",
                    "category": "otp_not_received",
                    "message": "no code arrived in 20s",
                    "screenshot": "http://127.0.0.1:9090/runs/42/screenshot",
                    "status_page": "http://127.0.0.1:9090/#journey-card-balance",
                    "evidence": "/data/evidence/card/x/card",
                    "run_id": 42
                }
            },
            "links": [
                {"href": "http://127.0.0.1:9090/#journey-card-balance", "text": "Status page"},
                {"href": "http://127.0.0.1:9090/runs/42/screenshot", "text": "Screenshot"}
            ],
            "client": "vedetta",
            "client_url": "http://127.0.0.1:9090/#journey-card-balance"
        })
    );
    assert_eq!(
        got[2],
        json!({
            "routing_key": "R0UTINGKEY0000000000000000000000",
            "event_action": "resolve",
            "dedup_key": "vedetta/card-balance"
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teams_gets_an_adaptive_card() {
    let (url, got, _stop) = receiver(0, StatusCode::ACCEPTED).await;
    let notifier = Notifier::new(vec![Channel::Teams { url }]);
    let alert = down("card-balance", 1_795_606_320_000);
    assert_eq!(notifier.send(&alert).await, 1);
    let got = got.lock().unwrap().clone();
    assert_eq!(
        got,
        [json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "msteams": {"width": "Full"},
                    "body": [
                        {"type": "TextBlock", "text": alert.text, "weight": "Bolder",
                         "size": "Medium", "color": "Attention", "wrap": true},
                        {"type": "FactSet", "facts": [
                            {"title": "Journey", "value": "card-balance"},
                            {"title": "Title", "value": "Card balance"},
                            {"title": "Event", "value": "down"},
                            {"title": "Was", "value": "up"},
                            {"title": "Since", "value": "2026-11-25T11:31:00Z"},
                            {"title": "Step", "value": "6 · wait for the SMS code"},
                            {"title": "Category", "value": "otp_not_received"}
                        ]},
                        {"type": "TextBlock", "text": "no code arrived in 20s", "wrap": true,
                         "fontType": "Monospace", "isSubtle": true}
                    ],
                    "actions": [
                        {"type": "Action.OpenUrl", "title": "Status page",
                         "url": "http://127.0.0.1:9090/#journey-card-balance"},
                        {"type": "Action.OpenUrl", "title": "Screenshot",
                         "url": "http://127.0.0.1:9090/runs/42/screenshot"}
                    ]
                }
            }]
        })]
    );
}
