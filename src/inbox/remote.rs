//! The client side of `vedetta inbox`: a runner on another machine (or another process) takes
//! codes through the inbox's long-poll API, with the same at-most-once guarantee as in-process.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::server::{MAX_WAIT, NEXT_CODE_PATH};
use crate::otp::{OtpError, SmsInbox};

/// An inbox served elsewhere (`vedetta inbox`), reached over HTTP with its bearer token.
#[derive(Clone)]
pub struct RemoteInbox {
    /// Base URL, e.g. `http://127.0.0.1:7879`.
    pub url: String,
    pub token: String,
    client: reqwest::Client,
}

impl std::fmt::Debug for RemoteInbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteInbox")
            .field("url", &self.url)
            .field("token", &"••••••")
            .finish()
    }
}

/// Allowance over the long-poll's own wait before the client gives up on the connection.
const NETWORK_SLACK: Duration = Duration::from_secs(10);

impl RemoteInbox {
    pub fn new(url: impl Into<String>, token: impl Into<String>) -> RemoteInbox {
        RemoteInbox {
            url: url.into().trim_end_matches('/').to_string(),
            token: token.into(),
            client: reqwest::Client::new(),
        }
    }

    async fn poll_once(
        &self,
        to: &str,
        pattern: &regex::Regex,
        since: SystemTime,
        wait: Duration,
    ) -> Result<Option<String>, OtpError> {
        let since_ms = since
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis()
            .to_string();
        let endpoint = format!("{}{NEXT_CODE_PATH}", self.url);
        let response = self
            .client
            .get(&endpoint)
            .bearer_auth(&self.token)
            .query(&[
                ("to", to),
                ("pattern", pattern.as_str()),
                ("since", since_ms.as_str()),
                ("timeout_ms", wait.as_millis().to_string().as_str()),
            ])
            .timeout(wait + NETWORK_SLACK)
            .send()
            .await
            .map_err(|e| {
                OtpError::Unavailable(format!(
                    "SMS inbox at {} unreachable: {}",
                    self.url,
                    without_url(&e)
                ))
            })?;
        let status = response.status();
        let raw = response.text().await.unwrap_or_default();
        let body: serde_json::Value = serde_json::from_str(&raw).unwrap_or_default();
        let text = |key: &str| body.get(key).and_then(|v| v.as_str()).map(str::to_string);
        match status.as_u16() {
            200 => text("code").map(Some).ok_or_else(|| {
                OtpError::Unavailable(format!("SMS inbox at {} answered without a code", self.url))
            }),
            404 => Ok(None),
            401 | 403 => Err(OtpError::Unavailable(format!(
                "SMS inbox at {} refused the token",
                self.url
            ))),
            // The inbox says what was wrong with the request in one plain line.
            400 => Err(OtpError::Unavailable(format!(
                "SMS inbox at {} refused the request: {}",
                self.url,
                refusal(&raw)
            ))),
            other => Err(OtpError::Unavailable(format!(
                "SMS inbox at {} answered HTTP {other}",
                self.url
            ))),
        }
    }
}

/// The first line of the inbox's refusal, short and without control characters: it is the
/// inbox's answer, but the inbox may not be ours.
fn refusal(raw: &str) -> String {
    const MAX_CHARS: usize = 300;
    let line = raw.lines().next().unwrap_or_default().trim();
    let short: String = line.chars().take(MAX_CHARS).collect();
    crate::text::escape_untrusted(&short).into_owned()
}

/// What went wrong, from reqwest's error chain: its kind, then the causes (the top-level text
/// repeats the URL, already named in our message).
fn without_url(e: &reqwest::Error) -> String {
    use std::error::Error;
    let mut msg = String::from(if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    });
    let mut source = e.source();
    while let Some(s) = source {
        msg = format!("{msg}: {s}");
        source = s.source();
    }
    msg
}

impl SmsInbox for RemoteInbox {
    fn take_code<'a>(
        &'a self,
        to: &'a str,
        pattern: &'a regex::Regex,
        since: SystemTime,
        timeout: Duration,
    ) -> futures::future::BoxFuture<'a, Result<String, OtpError>> {
        Box::pin(async move {
            // Said here, before the inbox is asked: the same rule it applies.
            crate::code_pattern::check(pattern)
                .map_err(|e| OtpError::Unavailable(e.to_string()))?;
            let deadline = tokio::time::Instant::now() + timeout;
            // The server caps one long-poll at MAX_WAIT; longer step timeouts take several.
            loop {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                if let Some(code) = self
                    .poll_once(to, pattern, since, left.min(MAX_WAIT))
                    .await?
                {
                    return Ok(code);
                }
                if left <= MAX_WAIT {
                    return Err(OtpError::NotReceived(format!(
                        "no SMS to {to} matching /{}/ arrived within {}",
                        pattern.as_str(),
                        crate::journey::model::format_duration(timeout)
                    )));
                }
            }
        })
    }
}
