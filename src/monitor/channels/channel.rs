//! A configured channel: its kind, its address and secrets, and how it is named where people
//! read (logs, errors) — never with a token, a routing key or a password.

use std::time::Duration;

use super::alertmanager::Alertmanager;
use super::email::Email;
use super::pagerduty::PagerDuty;
use super::retry::Retry;

/// Where alerts go.
#[derive(Clone)]
pub enum Channel {
    /// POST of the generic JSON (docs/monitor.md).
    Webhook { url: String },
    /// POST of Slack's incoming-webhook JSON (`text` + `blocks`), which Mattermost and
    /// Rocket.Chat accept too.
    Slack { url: String },
    /// PagerDuty's Events API v2: trigger on down (and degraded, blind), resolve on recovery.
    PagerDuty(PagerDuty),
    /// Prometheus Alertmanager's v2 API, re-sent while firing.
    Alertmanager(Alertmanager),
    /// A Microsoft Teams workflow webhook: an Adaptive Card.
    Teams { url: String },
    /// E-mail over SMTP, the annotated screenshot attached to a down alert.
    Email(Email),
}

/// Webhook URLs often are secrets (Slack's and Teams' carry a token): show only the host.
impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.describe())
    }
}

impl Channel {
    /// Where it is sent: the URL posted to, or the SMTP server's URL (`smtp://host:port`).
    pub fn url(&self) -> &str {
        match self {
            Channel::Webhook { url } | Channel::Slack { url } | Channel::Teams { url } => url,
            Channel::PagerDuty(p) => &p.url,
            Channel::Alertmanager(a) => &a.url,
            Channel::Email(e) => &e.server,
        }
    }

    /// `slack webhook on hooks.slack.com`: safe to print.
    pub fn describe(&self) -> String {
        let kind = match self {
            Channel::Webhook { .. } => "webhook",
            Channel::Slack { .. } => "slack webhook",
            Channel::PagerDuty(_) => "pagerduty",
            Channel::Alertmanager(_) => "alertmanager",
            Channel::Teams { .. } => "teams webhook",
            Channel::Email(_) => "e-mail (SMTP)",
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

    /// Each kind's own patience: paging services get more tries than a chat webhook, and a
    /// mail server more time between them.
    pub fn retry(&self) -> Retry {
        match self {
            Channel::Webhook { .. } | Channel::Slack { .. } | Channel::Teams { .. } => {
                Retry::new(3, Duration::from_secs(1))
            }
            Channel::PagerDuty(_) => Retry::new(5, Duration::from_secs(1)),
            Channel::Alertmanager(_) => Retry::new(3, Duration::from_millis(500)),
            Channel::Email(_) => Retry::new(3, Duration::from_secs(5)),
        }
    }

    /// Every secret the channel holds, to mask wherever its errors are said.
    pub fn secrets(&self) -> Vec<String> {
        let url_secrets = |url: &str| -> Vec<String> {
            // A webhook's path and query carry its token.
            url::Url::parse(url)
                .map(|u| {
                    let mut v: Vec<String> = u
                        .path_segments()
                        .into_iter()
                        .flatten()
                        .filter(|s| s.len() >= 8)
                        .map(str::to_string)
                        .collect();
                    v.extend(u.query().map(str::to_string));
                    v.extend(u.password().map(str::to_string));
                    v
                })
                .unwrap_or_default()
        };
        match self {
            Channel::Webhook { url } | Channel::Slack { url } | Channel::Teams { url } => {
                url_secrets(url)
            }
            Channel::PagerDuty(p) => vec![p.routing_key.clone()],
            Channel::Alertmanager(a) => url_secrets(&a.url),
            Channel::Email(e) => e.password.iter().cloned().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_debug_hides_the_url_path_and_every_key() {
        let c = Channel::Slack {
            url: "https://hooks.example.com/services/T000/SECRET".into(),
        };
        assert_eq!(format!("{c:?}"), "slack webhook on hooks.example.com");
        let pd = Channel::PagerDuty(PagerDuty {
            routing_key: "R0UT1NGKEY0123456789".into(),
            url: "https://events.pagerduty.com/v2/enqueue".into(),
        });
        assert_eq!(format!("{pd:?}"), "pagerduty on events.pagerduty.com");
        assert_eq!(pd.secrets(), ["R0UT1NGKEY0123456789"]);
        let teams = Channel::Teams {
            url: "https://prod.westeurope.logic.azure.com/workflows/abcdef0123/triggers/manual/paths/invoke?sig=S1GN4TURE".into(),
        };
        assert_eq!(
            format!("{teams:?}"),
            "teams webhook on prod.westeurope.logic.azure.com"
        );
        assert!(teams.secrets().iter().any(|s| s.contains("S1GN4TURE")));
    }
}
