//! What `vedetta maintenance` and `vedetta incident` share: which running monitor, with what
//! token, and how its write API's answers are read. The token is sent, never printed.

use std::time::Duration;

use super::CommandError;

/// Which monitor, and with what token.
pub struct MonitorTarget {
    /// The monitor's base URL (`http://127.0.0.1:9090`).
    pub monitor: String,
    /// The config's `api_token` (the write API's bearer token).
    pub token: Option<String>,
}

impl MonitorTarget {
    /// The base URL without a trailing slash.
    pub(super) fn base(&self) -> String {
        self.monitor.trim_end_matches('/').to_string()
    }

    /// The token, or an error saying that `what` needs it.
    pub(super) fn token(&self, what: &str) -> Result<String, CommandError> {
        self.token
            .clone()
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| {
                CommandError::invalid(format!(
                    "{what} needs the monitor's api_token: pass --token or set VEDETTA_API_TOKEN"
                ))
            })
    }
}

/// An HTTP client for the monitor's API, with a bound on every request.
pub(super) fn client() -> Result<reqwest::Client, CommandError> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| CommandError::harness(format!("no HTTP client: {e}")))
}

/// The monitor's JSON answer; a refusal or no answer is an error saying which.
pub(super) async fn answer(
    request: reqwest::RequestBuilder,
    base: &str,
) -> Result<serde_json::Value, CommandError> {
    let resp = request.send().await.map_err(|e| {
        CommandError::harness(format!(
            "cannot reach the monitor at {base}: {}",
            std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string())
        ))
    })?;
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    if status.is_success() {
        return serde_json::from_str(&body)
            .map_err(|e| CommandError::harness(format!("the monitor's answer is not JSON: {e}")));
    }
    let said = crate::text::escape_untrusted(body.trim());
    let message = match status.as_u16() {
        401 => format!("the monitor refused the token ({status}): {said}"),
        _ => format!("the monitor answered {status}: {said}"),
    };
    Err(if status.is_client_error() {
        CommandError::invalid(message)
    } else {
        CommandError::harness(message)
    })
}

/// A string of the monitor's answer, safe to print.
pub(super) fn text(v: &serde_json::Value) -> String {
    crate::text::escape_untrusted(v.as_str().unwrap_or_default()).into_owned()
}
