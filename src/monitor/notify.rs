//! Telling people: an alert's message, its JSON shapes (a generic webhook and Slack's; the
//! other channels' are in [`channels`](super::channels)), and delivery to every channel with a
//! timeout and the channel's own retries and back-off. A delivery that fails is logged (its
//! secrets masked), never fatal.
//!
//! The generic webhook's body (a contract: fields may be added, never renamed):
//! ```json
//! { "vedetta_version": "0.1.0", "event": "down",        // down | degraded | recovered | blind | sighted
//!   "previous": "up",                                   // the site's state before: up | degraded | down
//!   "journey": "card-balance", "title": "Card balance after SMS login",
//!   "at": "2026-11-25T11:32:00Z", "since": "2026-11-25T11:30:00Z",
//!   "duration_seconds": null,                           // recovered / sighted: how long it lasted
//!   "run_id": 42,
//!   "step": { "index": 6, "name": "wait for the SMS code" },   // down only, else null
//!   "category": "outage", "message": "…",               // down: the failure; blind: the error
//!   "text": "🔴 card-balance is DOWN …",                // the same one-line summary Slack shows
//!   "status_page": "http://127.0.0.1:9090/#journey-card-balance",
//!   "screenshot_url": "http://127.0.0.1:9090/runs/42/screenshot",
//!   "evidence": "/var/lib/vedetta/evidence/card-balance/…/card-balance",
//!   "slow": [ { "index": 10, "name": "view the card balance",   // degraded: what was slow
//!               "duration_ms": 4100, "threshold_ms": 2000 } ] }
//! ```

use std::time::Duration;

use crate::text::truncate_chars as truncate;
use crate::time::rfc3339_ms as rfc3339;
use serde::{Deserialize, Serialize};

pub use super::channels::Channel;
use super::channels::{Retry, Screenshot};
use crate::runner::result::SlowStep;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertEvent {
    Down,
    /// The site works, but slowly: a lower severity than down.
    Degraded,
    Recovered,
    Blind,
    Sighted,
}

impl AlertEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertEvent::Down => "down",
            AlertEvent::Degraded => "degraded",
            AlertEvent::Recovered => "recovered",
            AlertEvent::Blind => "blind",
            AlertEvent::Sighted => "sighted",
        }
    }
}

/// How urgent an alert is, as paging tools rank it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The site fails its customers: wake someone up.
    Critical,
    /// Slow, or the monitor cannot see: look soon.
    Warning,
    /// Good news: something ended.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertStep {
    pub index: usize,
    pub name: String,
}

/// One alert, as every channel says it. Kept in the history's outbox as its webhook JSON until
/// it has gone out, and read back from there (the version is always the sending daemon's).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Alert {
    #[serde(skip_deserializing, default = "version")]
    pub vedetta_version: &'static str,
    pub event: AlertEvent,
    pub journey: String,
    pub title: Option<String>,
    /// RFC 3339, UTC.
    pub at: String,
    pub since: String,
    pub duration_seconds: Option<u64>,
    pub run_id: i64,
    pub step: Option<AlertStep>,
    pub category: Option<String>,
    pub message: Option<String>,
    pub text: String,
    pub status_page: String,
    pub screenshot_url: Option<String>,
    pub evidence: Option<String>,
    /// The site's state before this change (`up`, `degraded`, `down`); none for blind and
    /// sighted, which are about the monitor.
    #[serde(default)]
    pub previous: Option<String>,
    /// What was slow, for a degraded alert.
    #[serde(default)]
    pub slow: Vec<SlowStep>,
    /// With several locations: which see what ("down from milan, frankfurt; up from paris").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locations: Option<String>,
}

/// The facts an alert is made of; [`Alert::new`] writes its summary line.
pub struct AlertFacts {
    pub event: AlertEvent,
    /// The site's state before (`up`, `degraded`, `down`); `None` for blind and sighted.
    pub previous: Option<&'static str>,
    /// When the state that ended began, for a change that ends one without being a recovery
    /// (down → degraded): how long it lasted is said.
    pub previous_since_ms: Option<i64>,
    pub slow: Vec<SlowStep>,
    pub journey: String,
    pub title: Option<String>,
    pub at_ms: i64,
    pub since_ms: i64,
    pub run_id: i64,
    pub step: Option<AlertStep>,
    pub category: Option<String>,
    pub message: Option<String>,
    pub status_page: String,
    pub screenshot_url: Option<String>,
    pub evidence: Option<String>,
}

fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

impl Alert {
    pub fn new(f: AlertFacts) -> Alert {
        let at = rfc3339(f.at_ms);
        let since = rfc3339(f.since_ms);
        let lasted = match (f.event, f.previous_since_ms) {
            (AlertEvent::Recovered | AlertEvent::Sighted, _) => Some(f.at_ms - f.since_ms),
            (_, Some(previous_since)) => Some(f.at_ms - previous_since),
            _ => None,
        }
        .map(|ms| (ms.max(0) / 1000) as u64);
        let j = &f.journey;
        let slow = match f.slow.as_slice() {
            [] => String::new(),
            [one] => format!(": {}", slow_summary(one)),
            [first, more @ ..] => format!(": {} (and {} more)", slow_summary(first), more.len()),
        };
        let text = match f.event {
            AlertEvent::Degraded if f.previous == Some("down") => format!(
                "🟠 {j} is back but DEGRADED (slow) at {at}, after {} down{slow}",
                human_secs(lasted.unwrap_or(0))
            ),
            AlertEvent::Degraded => format!("🟠 {j} is DEGRADED (slow) since {since}{slow}"),
            AlertEvent::Recovered if f.previous == Some("degraded") => format!(
                "✅ {j} RECOVERED at {at}: fast again after {} slow (since {since})",
                human_secs(lasted.unwrap_or(0))
            ),
            AlertEvent::Down => {
                let step = f
                    .step
                    .as_ref()
                    .map(|s| format!(" at step {} \"{}\"", s.index, s.name))
                    .unwrap_or_default();
                let category = f.category.as_deref().unwrap_or("failure");
                let message = f
                    .message
                    .as_deref()
                    .map(|m| format!(": {}", one_line(m)))
                    .unwrap_or_default();
                format!("🔴 {j} is DOWN since {since}{step} ({category}){message}")
            }
            AlertEvent::Recovered => format!(
                "✅ {j} RECOVERED at {at} after {} down (since {since})",
                human_secs(lasted.unwrap_or(0))
            ),
            AlertEvent::Blind => {
                let why = f
                    .message
                    .as_deref()
                    .map(|m| format!(": {}", one_line(m)))
                    .unwrap_or_default();
                format!(
                    "⚠️ monitor is BLIND on {j} since {since} — it cannot run the journey{why} (not the site's fault)"
                )
            }
            AlertEvent::Sighted => format!(
                "👁 monitor sees {j} again at {at} after {} blind",
                human_secs(lasted.unwrap_or(0))
            ),
        };
        Alert {
            vedetta_version: env!("CARGO_PKG_VERSION"),
            event: f.event,
            journey: f.journey,
            title: f.title,
            at,
            since,
            duration_seconds: lasted,
            run_id: f.run_id,
            step: f.step,
            category: f.category,
            message: f.message,
            text,
            status_page: f.status_page,
            screenshot_url: f.screenshot_url,
            evidence: f.evidence,
            previous: f.previous.map(str::to_string),
            slow: f.slow,
            locations: None,
        }
    }

    /// The alert naming which locations see what (`None`: one location, unchanged): its text
    /// ends with it, and `locations` carries it.
    pub fn from_locations(mut self, summary: Option<&str>) -> Alert {
        if let Some(summary) = summary {
            self.text = format!("{} ({summary})", self.text);
            self.locations = Some(summary.to_string());
        }
        self
    }

    /// Critical for down, warning for degraded and blind, info for the good news.
    pub fn severity(&self) -> Severity {
        match self.event {
            AlertEvent::Down => Severity::Critical,
            AlertEvent::Degraded | AlertEvent::Blind => Severity::Warning,
            AlertEvent::Recovered | AlertEvent::Sighted => Severity::Info,
        }
    }

    /// The generic webhook's body.
    pub fn webhook_payload(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// Slack's incoming-webhook body: `text` (notifications, fallbacks) and `blocks`.
    pub fn slack_payload(&self) -> serde_json::Value {
        let mut fields = Vec::new();
        if let Some(step) = &self.step {
            fields.push(mrkdwn(format!(
                "*Step*\n{} · {}",
                step.index,
                slack_escape(&step.name)
            )));
        }
        if let Some(category) = &self.category {
            fields.push(mrkdwn(format!("*Category*\n`{category}`")));
        }
        fields.push(mrkdwn(format!("*Since*\n{}", self.since)));
        if let Some(secs) = self.duration_seconds {
            fields.push(mrkdwn(format!("*Lasted*\n{}", human_secs(secs))));
        }
        let mut blocks = vec![
            serde_json::json!({"type": "section", "text": mrkdwn(slack_escape(&self.text))}),
            serde_json::json!({"type": "section", "fields": fields}),
        ];
        if !self.slow.is_empty() {
            let lines: Vec<String> = self.slow.iter().map(slow_summary).collect();
            blocks.push(serde_json::json!({"type": "section",
                "text": mrkdwn(format!("*Slow*\n{}", slack_escape(&lines.join("\n"))))}));
        }
        if let (AlertEvent::Down | AlertEvent::Blind, Some(message)) = (self.event, &self.message) {
            blocks.push(serde_json::json!({"type": "section",
                "text": mrkdwn(format!("```{}```", slack_escape(&truncate(message, 2500))))}));
        }
        let mut links = vec![format!("<{}|Status page>", self.status_page)];
        if let Some(shot) = &self.screenshot_url {
            links.push(format!("<{shot}|Screenshot>"));
        }
        if let Some(evidence) = &self.evidence {
            links.push(format!("evidence: `{}`", slack_escape(evidence)));
        }
        blocks
            .push(serde_json::json!({"type": "context", "elements": [mrkdwn(links.join(" · "))]}));
        serde_json::json!({ "text": self.text, "blocks": blocks })
    }
}

/// `step 10 "view the card balance" took 4.1 s, over its slow: 2.0 s` (index 0: the journey's
/// steps together).
pub fn slow_summary(s: &SlowStep) -> String {
    let what = if s.index == 0 {
        "the journey's steps together".to_string()
    } else {
        format!("step {} \"{}\"", s.index, s.name)
    };
    format!(
        "{what} took {}, over its slow: {}",
        crate::report::human_duration(s.duration_ms),
        crate::report::human_duration(s.threshold_ms)
    )
}

fn mrkdwn(text: String) -> serde_json::Value {
    serde_json::json!({"type": "mrkdwn", "text": text})
}

/// Slack's three control characters.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn one_line(s: &str) -> String {
    truncate(&s.split_whitespace().collect::<Vec<_>>().join(" "), 300)
}

/// `3h5m`, `2m10s`, `45s`.
pub fn human_secs(secs: u64) -> String {
    super::schedule::human(Duration::from_secs(secs))
}

/// Sends alerts to every channel.
#[derive(Clone)]
pub struct Notifier {
    client: reqwest::Client,
    channels: Vec<Channel>,
    /// Tries and back-off for every channel, instead of each one's own (tests).
    retry: Option<Retry>,
}

/// Why one try of a channel failed, secrets masked.
struct Refused {
    message: String,
    /// Another try may succeed.
    retryable: bool,
}

impl Notifier {
    pub fn new(channels: Vec<Channel>) -> Notifier {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()
            .unwrap_or_default();
        Notifier {
            client,
            channels,
            retry: None,
        }
    }

    /// Tries per channel (at least 1) and the first pause between them (doubling after), for
    /// every channel instead of each one's own.
    pub fn with_retries(mut self, tries: u32, backoff: Duration) -> Notifier {
        self.retry = Some(Retry::new(tries.max(1), backoff));
        self
    }

    pub fn channels(&self) -> &[Channel] {
        &self.channels
    }

    /// Delivers `alert` to every channel; returns how many took it. Never panics, never
    /// fails: each refusal is logged and retried, then given up on.
    pub async fn send(&self, alert: &Alert) -> usize {
        self.send_with(alert, None).await
    }

    /// [`send`](Self::send), with the failure's annotated screenshot for the channels that
    /// attach it (e-mail, on a down alert).
    pub async fn send_with(&self, alert: &Alert, screenshot: Option<&Screenshot>) -> usize {
        let mut delivered = 0;
        for channel in &self.channels {
            let ok = match channel {
                Channel::Alertmanager(am) => {
                    // Worked out once: it moves what fires there.
                    let alerts = am.alerts_for(alert);
                    if alerts.is_empty() {
                        continue;
                    }
                    let body = serde_json::Value::Array(alerts);
                    self.tried(channel, alert.event.as_str(), &alert.journey, || {
                        self.post(channel, am.endpoint(), &body)
                    })
                    .await
                }
                Channel::Email(email) => {
                    let shot = screenshot.filter(|_| alert.event == AlertEvent::Down);
                    match email.message(alert, shot) {
                        Ok(message) => {
                            self.tried(channel, alert.event.as_str(), &alert.journey, || {
                                let message = message.clone();
                                async move {
                                    email.send(message).await.map_err(|e| Refused {
                                        retryable: matches!(
                                            e,
                                            super::channels::EmailError::Smtp {
                                                retryable: true,
                                                ..
                                            }
                                        ),
                                        message: e.to_string(),
                                    })
                                }
                            })
                            .await
                        }
                        Err(e) => {
                            self.give_up(
                                channel,
                                alert.event.as_str(),
                                &alert.journey,
                                1,
                                &e.to_string(),
                            );
                            false
                        }
                    }
                }
                Channel::Webhook { url } => {
                    let body = alert.webhook_payload();
                    self.tried(channel, alert.event.as_str(), &alert.journey, || {
                        self.post(channel, url.clone(), &body)
                    })
                    .await
                }
                Channel::Slack { url } => {
                    let body = alert.slack_payload();
                    self.tried(channel, alert.event.as_str(), &alert.journey, || {
                        self.post(channel, url.clone(), &body)
                    })
                    .await
                }
                Channel::Teams { url } => {
                    let body = super::channels::teams_payload(alert);
                    self.tried(channel, alert.event.as_str(), &alert.journey, || {
                        self.post(channel, url.clone(), &body)
                    })
                    .await
                }
                Channel::PagerDuty(pd) => {
                    let body = pd.payload(alert);
                    self.tried(channel, alert.event.as_str(), &alert.journey, || {
                        self.post(channel, pd.url.clone(), &body)
                    })
                    .await
                }
            };
            delivered += ok as usize;
        }
        delivered
    }

    /// How often alerts firing on an Alertmanager are posted again (`None`: no Alertmanager).
    pub fn resend_interval(&self) -> Option<Duration> {
        self.channels
            .iter()
            .filter_map(|c| match c {
                Channel::Alertmanager(am) => Some(am.resend),
                _ => None,
            })
            .min()
    }

    /// Posts every alert firing on each Alertmanager again, as Alertmanager expects of its
    /// clients (it resolves an alert not heard of for its `resolve_timeout`).
    pub async fn resend_firing(&self) {
        for channel in &self.channels {
            if let Channel::Alertmanager(am) = channel {
                let firing = am.firing();
                if firing.is_empty() {
                    continue;
                }
                let body = serde_json::Value::Array(firing);
                self.tried(channel, "firing", "every journey", || {
                    self.post(channel, am.endpoint(), &body)
                })
                .await;
            }
        }
    }

    /// After a restart: the alerts that announced the states still on, so that they keep
    /// firing (and end) with the labels they fired with.
    pub fn remember_firing(&self, alerts: &[Alert]) {
        for channel in &self.channels {
            if let Channel::Alertmanager(am) = channel {
                am.remember(alerts);
            }
        }
    }

    /// Tries `attempt` by `channel`'s retry policy; true once it succeeded.
    async fn tried<F, Fut>(&self, channel: &Channel, what: &str, journey: &str, attempt: F) -> bool
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<(), Refused>>,
    {
        let retry = self.retry.unwrap_or_else(|| channel.retry());
        let mut tries = 0;
        loop {
            tries += 1;
            match attempt().await {
                Ok(()) => return true,
                Err(refused) if refused.retryable && tries < retry.tries => {
                    tracing::info!(channel = %channel.describe(), "alert not taken, trying again: {}", refused.message);
                    tokio::time::sleep(retry.pause(tries)).await;
                }
                Err(refused) => {
                    self.give_up(channel, what, journey, tries, &refused.message);
                    return false;
                }
            }
        }
    }

    fn give_up(&self, channel: &Channel, what: &str, journey: &str, tries: u32, error: &str) {
        let error = mask_secrets(error, &channel.secrets());
        tracing::warn!(channel = %channel.describe(), "alert not delivered: {error}");
        eprintln!(
            "vedetta monitor: could not deliver the {what} alert for {journey} to the {} after {tries} tr{}: {error}",
            channel.describe(),
            if tries == 1 { "y" } else { "ies" }
        );
    }

    /// One POST of `body` as JSON; any 2xx is taken.
    async fn post(
        &self,
        channel: &Channel,
        url: String,
        body: &serde_json::Value,
    ) -> Result<(), Refused> {
        match self.client.post(&url).json(body).send().await {
            Ok(resp) if resp.status().is_success() => Ok(()),
            Ok(resp) => {
                let status = resp.status();
                // The service's own words help (PagerDuty says which field is wrong) — masked.
                let said = resp.text().await.unwrap_or_default();
                let said = one_line(&truncate(&said, 300));
                Err(Refused {
                    message: mask_secrets(
                        &format!(
                            "answered {status}{}",
                            if said.is_empty() {
                                String::new()
                            } else {
                                format!(": {said}")
                            }
                        ),
                        &channel.secrets(),
                    ),
                    retryable: super::channels::retryable_status(status),
                })
            }
            // Without the URL: it may hold a token.
            Err(e) => Err(Refused {
                message: mask_secrets(&describe_reqwest_error(&e), &channel.secrets()),
                retryable: true,
            }),
        }
    }
}

/// `text` with every one of `secrets` masked, in every form it could take.
fn mask_secrets(text: &str, secrets: &[String]) -> String {
    let mut vars = crate::journey::model::Variables::default();
    for (i, secret) in secrets.iter().enumerate() {
        vars.set_secret(format!("S{i}"), secret);
    }
    vars.mask(text)
}

fn describe_reqwest_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        // The error's own text may carry the URL (and its token): say only what went wrong.
        std::error::Error::source(e).map_or_else(|| "request failed".to_string(), |s| s.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn down() -> Alert {
        Alert::new(AlertFacts {
            event: AlertEvent::Down,
            previous: Some("up"),
            previous_since_ms: None,
            slow: Vec::new(),
            journey: "card".into(),
            title: None,
            at_ms: 1_764_090_000_000,
            since_ms: 1_764_089_940_000,
            run_id: 7,
            step: Some(AlertStep {
                index: 1,
                name: "open the home page".into(),
            }),
            category: Some("outage".into()),
            message: Some("the bank says <it> is down".into()),
            status_page: "http://127.0.0.1:9090/#journey-card".into(),
            screenshot_url: Some("http://127.0.0.1:9090/runs/7/screenshot".into()),
            evidence: Some("/data/evidence/card/x".into()),
        })
    }

    #[test]
    fn down_message_names_journey_step_category_and_since() {
        let a = down();
        assert_eq!(
            a.text,
            "🔴 card is DOWN since 2025-11-25T16:59:00Z at step 1 \"open the home page\" (outage): the bank says <it> is down"
        );
        let json = a.webhook_payload();
        assert_eq!(json["event"], "down");
        assert_eq!(json["step"]["index"], 1);
        assert_eq!(json["category"], "outage");
        assert_eq!(json["duration_seconds"], serde_json::Value::Null);
    }

    #[test]
    fn slack_payload_has_text_and_escaped_blocks() {
        let json = down().slack_payload();
        assert!(json["text"].as_str().unwrap().contains("DOWN"));
        let blocks = json["blocks"].as_array().unwrap();
        let all = serde_json::to_string(blocks).unwrap();
        assert!(all.contains("&lt;it&gt;"), "{all}");
        assert!(all.contains("<http://127.0.0.1:9090/runs/7/screenshot|Screenshot>"));
    }

    #[test]
    fn recovery_says_how_long_it_lasted() {
        let a = Alert::new(AlertFacts {
            event: AlertEvent::Recovered,
            previous: Some("down"),
            previous_since_ms: None,
            slow: Vec::new(),
            journey: "card".into(),
            title: None,
            at_ms: 3_725_000,
            since_ms: 0,
            run_id: 9,
            step: None,
            category: None,
            message: None,
            status_page: "http://x/".into(),
            screenshot_url: None,
            evidence: None,
        });
        assert_eq!(a.duration_seconds, Some(3725));
        assert!(a.text.contains("after 1h2m5s down"), "{}", a.text);
    }

    #[tokio::test]
    async fn a_refusal_that_echoes_the_key_is_said_with_the_key_masked_and_not_retried() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let key = "R0UTING+KEY/0123456789abcdef";
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let app = axum::Router::new().route(
            "/enqueue",
            axum::routing::post(move || {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    (
                        axum::http::StatusCode::BAD_REQUEST,
                        format!(
                            r#"{{"status":"invalid event","errors":["routing_key {key} (encoded {}) is not valid"]}}"#,
                            percent_encoding::utf8_percent_encode(key, percent_encoding::NON_ALPHANUMERIC)
                        ),
                    )
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let channel = Channel::PagerDuty(super::super::channels::PagerDuty {
            routing_key: key.into(),
            url: format!("http://{addr}/enqueue"),
        });
        let notifier =
            Notifier::new(vec![channel.clone()]).with_retries(3, Duration::from_millis(10));
        let refused = notifier
            .post(
                &channel,
                format!("http://{addr}/enqueue"),
                &serde_json::json!({}),
            )
            .await
            .unwrap_err();
        assert!(!refused.retryable, "a 400 is not worth another try");
        assert!(
            refused.message.starts_with("answered 400 Bad Request: "),
            "{}",
            refused.message
        );
        assert!(
            !refused.message.contains("0123456789abcdef"),
            "{}",
            refused.message
        );
        assert_eq!(notifier.send(&down()).await, 0);
        assert_eq!(
            hits.load(Ordering::SeqCst),
            2,
            "one try each: never retried"
        );
    }

    #[tokio::test]
    async fn delivery_retries_a_refusal_and_survives_a_dead_channel() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |body: axum::Json<serde_json::Value>| {
                let counter = counter.clone();
                async move {
                    assert_eq!(body["event"], "down");
                    // Refuses the first delivery, takes the second.
                    if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        axum::http::StatusCode::OK
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let dead = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let notifier = Notifier::new(vec![
            Channel::Webhook {
                url: format!("http://{addr}/hook"),
            },
            Channel::Webhook {
                url: format!("http://{dead}/nobody"),
            },
        ])
        .with_retries(3, Duration::from_millis(10));
        assert_eq!(notifier.send(&down()).await, 1);
        assert_eq!(
            hits.load(Ordering::SeqCst),
            2,
            "retried once, then delivered"
        );
    }
}
