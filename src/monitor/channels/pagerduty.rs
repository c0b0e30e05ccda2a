//! PagerDuty's Events API v2 (<https://developer.pagerduty.com/docs/events-api-v2/trigger-events/>):
//! a `trigger` when the site goes down (severity `critical`) or degraded (`warning`), a
//! `resolve` when it recovers — one `dedup_key` per journey, so each outage is one incident that
//! a change from degraded to down (or back) updates rather than duplicates. The monitor being
//! blind is its own incident (`warning`, its own key), resolved when it sees again: it is not
//! the site's fault and must not resolve (or open) the site's.

use serde_json::{Value, json};

use crate::monitor::notify::{Alert, AlertEvent};

/// Where events go unless `url:` says otherwise (EU accounts use
/// `https://events.eu.pagerduty.com/v2/enqueue`).
pub const DEFAULT_EVENTS_URL: &str = "https://events.pagerduty.com/v2/enqueue";

/// PagerDuty's summary is cut at 1024 characters.
const MAX_SUMMARY: usize = 1024;

/// A PagerDuty service's Events v2 integration.
#[derive(Clone)]
pub struct PagerDuty {
    /// The integration's routing key: a secret.
    pub routing_key: String,
    /// The Events API endpoint.
    pub url: String,
}

impl PagerDuty {
    /// The incident key of the site's state for `journey` (down and degraded share it), or of
    /// the monitor's blindness.
    pub fn dedup_key(journey: &str, blind: bool) -> String {
        if blind {
            format!("vedetta/{journey}/blind")
        } else {
            format!("vedetta/{journey}")
        }
    }

    /// The event that announces `alert`.
    pub fn payload(&self, alert: &Alert) -> Value {
        let blind = matches!(alert.event, AlertEvent::Blind | AlertEvent::Sighted);
        let dedup_key = Self::dedup_key(&alert.journey, blind);
        if matches!(alert.event, AlertEvent::Recovered | AlertEvent::Sighted) {
            return json!({
                "routing_key": self.routing_key,
                "event_action": "resolve",
                "dedup_key": dedup_key,
            });
        }
        let mut details = serde_json::Map::new();
        details.insert("event".into(), alert.event.as_str().into());
        if let Some(previous) = &alert.previous {
            details.insert("previous".into(), previous.as_str().into());
        }
        details.insert("journey".into(), alert.journey.as_str().into());
        if let Some(title) = &alert.title {
            details.insert("title".into(), title.as_str().into());
        }
        details.insert("since".into(), alert.since.as_str().into());
        if let Some(step) = &alert.step {
            details.insert(
                "step".into(),
                format!("{} {}", step.index, step.name).into(),
            );
        }
        if let Some(category) = &alert.category {
            details.insert("category".into(), category.as_str().into());
        }
        if let Some(message) = &alert.message {
            details.insert("message".into(), message.as_str().into());
        }
        if let Some(shot) = &alert.screenshot_url {
            details.insert("screenshot".into(), shot.as_str().into());
        }
        details.insert("status_page".into(), alert.status_page.as_str().into());
        if let Some(evidence) = &alert.evidence {
            details.insert("evidence".into(), evidence.as_str().into());
        }
        details.insert("run_id".into(), alert.run_id.into());
        if !alert.slow.is_empty() {
            details.insert(
                "slow".into(),
                serde_json::to_value(&alert.slow).unwrap_or_default(),
            );
        }
        let mut links = vec![json!({"href": alert.status_page, "text": "Status page"})];
        if let Some(shot) = &alert.screenshot_url {
            links.push(json!({"href": shot, "text": "Screenshot"}));
        }
        json!({
            "routing_key": self.routing_key,
            "event_action": "trigger",
            "dedup_key": dedup_key,
            "payload": {
                "summary": truncate(&alert.text, MAX_SUMMARY),
                "source": source(&alert.status_page),
                "severity": alert.severity().as_str(),
                "timestamp": alert.at,
                "component": alert.journey,
                "group": "vedetta",
                "class": alert.category.as_deref().unwrap_or(alert.event.as_str()),
                "custom_details": details,
            },
            "links": links,
            "client": "vedetta",
            "client_url": alert.status_page,
        })
    }
}

/// The monitor that saw it: its status page's origin.
fn source(status_page: &str) -> String {
    url::Url::parse(status_page)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| "vedetta".into())
}

fn truncate(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max_chars - 1).collect();
    t.push('…');
    t
}
