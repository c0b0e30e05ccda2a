//! Prometheus Alertmanager's v2 API (`POST /api/v2/alerts`,
//! <https://prometheus.io/docs/alerting/latest/clients/>): each state a journey is in is an
//! alert — `VedettaJourneyDown` (severity `critical`), `VedettaJourneyDegraded` (`warning`),
//! `VedettaMonitorBlind` (`warning`) — identified by its labels `alertname`, `journey`,
//! `severity` and `category`, with `summary`, `description`, `screenshot` and `status_page`
//! annotations. A firing alert carries no `endsAt`: Alertmanager would resolve it on its own
//! after its `resolve_timeout`, so, as Alertmanager expects of its clients, every firing alert is
//! posted again every `resend` (default 1m) until the state ends; then it is posted once more
//! with `endsAt`, its labels exactly as they fired, and Alertmanager resolves it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};

use crate::monitor::notify::{Alert, AlertEvent};

/// How often firing alerts are posted again (Alertmanager's default `resolve_timeout` is 5m).
pub const DEFAULT_RESEND: Duration = Duration::from_secs(60);

const DOWN: &str = "VedettaJourneyDown";
const DEGRADED: &str = "VedettaJourneyDegraded";
const BLIND: &str = "VedettaMonitorBlind";

/// An Alertmanager, and the alerts that fire there now.
#[derive(Clone)]
pub struct Alertmanager {
    /// Its base URL (`http://127.0.0.1:9093`), without a trailing `/`.
    pub url: String,
    /// How often firing alerts are posted again.
    pub resend: Duration,
    /// (journey, alertname) → the alert as last posted.
    firing: Arc<Mutex<BTreeMap<(String, String), Value>>>,
}

impl Alertmanager {
    pub fn new(url: impl Into<String>, resend: Duration) -> Alertmanager {
        Alertmanager {
            url: url.into().trim_end_matches('/').to_string(),
            resend,
            firing: Arc::default(),
        }
    }

    /// Where alerts are posted.
    pub fn endpoint(&self) -> String {
        format!("{}/api/v2/alerts", self.url)
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<(String, String), Value>> {
        self.firing.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The alerts to post for `alert` — the state that ended (with `endsAt`), then the one that
    /// began — and from now on what fires.
    pub fn alerts_for(&self, alert: &Alert) -> Vec<Value> {
        let previous = alert.previous.as_deref();
        let ended = match (alert.event, previous) {
            (AlertEvent::Recovered, Some("degraded")) => Some(DEGRADED),
            (AlertEvent::Recovered, _) => Some(DOWN),
            (AlertEvent::Sighted, _) => Some(BLIND),
            (AlertEvent::Down, Some("degraded")) => Some(DEGRADED),
            (AlertEvent::Degraded, Some("down")) => Some(DOWN),
            _ => None,
        };
        let began = match alert.event {
            AlertEvent::Down => Some(DOWN),
            AlertEvent::Degraded => Some(DEGRADED),
            AlertEvent::Blind => Some(BLIND),
            AlertEvent::Recovered | AlertEvent::Sighted => None,
        };
        let mut firing = self.lock();
        let mut out = Vec::new();
        if let Some(name) = ended {
            let key = (alert.journey.clone(), name.to_string());
            let mut last = firing
                .remove(&key)
                .unwrap_or_else(|| alert_object(alert, name, "unknown"));
            last["endsAt"] = alert.at.clone().into();
            out.push(last);
        }
        if let Some(name) = began {
            let category = match name {
                DEGRADED => "slow",
                BLIND => "blind",
                _ => alert.category.as_deref().unwrap_or("failure"),
            };
            let object = alert_object(alert, name, category);
            firing.insert((alert.journey.clone(), name.to_string()), object.clone());
            out.push(object);
        }
        out
    }

    /// Every alert firing now, to post again.
    pub fn firing(&self) -> Vec<Value> {
        self.lock().values().cloned().collect()
    }

    /// After a restart: the alerts that announced the states still on, as if just posted.
    pub fn remember(&self, alerts: &[Alert]) {
        for alert in alerts {
            self.alerts_for(alert);
        }
    }
}

/// One Alertmanager alert (`postableAlert`) announcing `alert`'s state `alertname`.
fn alert_object(alert: &Alert, alertname: &str, category: &str) -> Value {
    let severity = if alertname == DOWN {
        "critical"
    } else {
        "warning"
    };
    let mut annotations = serde_json::Map::new();
    annotations.insert("summary".into(), alert.text.as_str().into());
    annotations.insert(
        "description".into(),
        alert.message.as_deref().unwrap_or_default().into(),
    );
    if let Some(shot) = &alert.screenshot_url {
        annotations.insert("screenshot".into(), shot.as_str().into());
    }
    annotations.insert("status_page".into(), alert.status_page.as_str().into());
    json!({
        "labels": {
            "alertname": alertname,
            "journey": alert.journey,
            "severity": severity,
            "category": category,
        },
        "annotations": annotations,
        "startsAt": alert.since,
        "generatorURL": alert.status_page,
    })
}
