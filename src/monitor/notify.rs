//! Telling people: an alert's message, its JSON shapes (a generic webhook and Slack's), and
//! delivery with a timeout and a few retries. A delivery that fails is logged, never fatal.
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

use serde::{Deserialize, Serialize};

use crate::runner::result::SlowStep;

/// Where alerts go.
#[derive(Clone)]
pub enum Channel {
    /// POST of the generic JSON above.
    Webhook { url: String },
    /// POST of Slack's incoming-webhook JSON (`text` + `blocks`), which Mattermost and
    /// Rocket.Chat accept too.
    Slack { url: String },
}

/// Webhook URLs often are secrets (Slack's carry a token): show only the host.
impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.describe())
    }
}

impl Channel {
    pub fn url(&self) -> &str {
        match self {
            Channel::Webhook { url } | Channel::Slack { url } => url,
        }
    }

    /// `slack webhook on hooks.slack.com`: safe to print.
    pub fn describe(&self) -> String {
        let kind = match self {
            Channel::Webhook { .. } => "webhook",
            Channel::Slack { .. } => "slack webhook",
        };
        let host = url::Url::parse(self.url())
            .ok()
            .and_then(|u| {
                u.host_str().map(|h| match u.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_string(),
                })
            })
            .unwrap_or_else(|| "?".into());
        format!("{kind} on {host}")
    }
}

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
        }
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

fn truncate(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max_chars).collect();
    t.push('…');
    t
}

pub fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.round(jiff::Unit::Second).unwrap_or(t).to_string())
        .unwrap_or_default()
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
    /// Tries per channel (1 + retries).
    tries: u32,
    backoff: Duration,
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
            tries: 3,
            backoff: Duration::from_secs(1),
        }
    }

    /// Tries per channel (at least 1) and the first pause between them (doubling after).
    pub fn with_retries(mut self, tries: u32, backoff: Duration) -> Notifier {
        self.tries = tries.max(1);
        self.backoff = backoff;
        self
    }

    pub fn channels(&self) -> &[Channel] {
        &self.channels
    }

    /// Delivers `alert` to every channel; returns how many took it. Never panics, never
    /// fails: each refusal is logged and retried, then given up on.
    pub async fn send(&self, alert: &Alert) -> usize {
        let mut delivered = 0;
        for channel in &self.channels {
            let body = match channel {
                Channel::Webhook { .. } => alert.webhook_payload(),
                Channel::Slack { .. } => alert.slack_payload(),
            };
            let mut last_error = String::new();
            for attempt in 1..=self.tries {
                match self.client.post(channel.url()).json(&body).send().await {
                    Ok(resp) if resp.status().is_success() => {
                        delivered += 1;
                        last_error.clear();
                        break;
                    }
                    Ok(resp) => last_error = format!("answered {}", resp.status()),
                    // Without the URL: it may hold a token.
                    Err(e) => last_error = describe_reqwest_error(&e),
                }
                if attempt < self.tries {
                    tokio::time::sleep(self.backoff * 2u32.saturating_pow(attempt - 1)).await;
                }
            }
            if !last_error.is_empty() {
                tracing::warn!(channel = %channel.describe(), "alert not delivered: {last_error}");
                eprintln!(
                    "vedetta monitor: could not deliver the {} alert for {} to the {} after {} tries: {last_error}",
                    alert.event.as_str(),
                    alert.journey,
                    channel.describe(),
                    self.tries
                );
            }
        }
        delivered
    }
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

    #[test]
    fn channel_debug_hides_the_url_path() {
        let c = Channel::Slack {
            url: "https://hooks.example.com/services/T000/SECRET".into(),
        };
        assert_eq!(format!("{c:?}"), "slack webhook on hooks.example.com");
    }
}
