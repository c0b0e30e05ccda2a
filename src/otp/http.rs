//! `otp: {from: http}`: polls a URL (a mail catcher's API, a test backdoor) until its body
//! matches the pattern.
//!
//! Contract: a GET every [`POLL_EVERY`] until a 2xx body matches (first capture group, else the
//! whole match) or the timeout passes. Answers that do not match — non-2xx, or 2xx without the
//! code — mean "not yet": at the timeout that is `NotReceived`. A URL that never answered at all
//! (connection refused, DNS) is `Unavailable`: the source could not be asked, which is the
//! harness's setup, not the site failing. Bodies are never quoted in errors (they hold codes).

use std::time::Duration;

use super::OtpError;
use crate::journey::model::format_duration;

pub const POLL_EVERY: Duration = Duration::from_millis(250);

/// What the last poll saw, for the error message.
enum LastSeen {
    Nothing,
    Unreachable(String),
    Answered(u16),
}

pub async fn fetch(
    url: &str,
    pattern: &regex::Regex,
    timeout: Duration,
) -> Result<String, OtpError> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {}
        _ => {
            return Err(OtpError::Unavailable(format!(
                "otp url `{url}` is not an http(s) URL"
            )));
        }
    }
    let client = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + timeout;
    let mut last = LastSeen::Nothing;
    let mut ever_answered = false;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            break;
        }
        match client.get(url).timeout(left).send().await {
            Ok(response) => {
                ever_answered = true;
                let status = response.status();
                last = LastSeen::Answered(status.as_u16());
                if status.is_success()
                    && let Ok(body) = response.text().await
                    && let Some(code) = extract(pattern, &body)
                {
                    return Ok(code);
                }
            }
            Err(e) => last = LastSeen::Unreachable(cause(&e)),
        }
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            break;
        }
        tokio::time::sleep(POLL_EVERY.min(left)).await;
    }
    let waited = format_duration(timeout);
    match last {
        LastSeen::Unreachable(why) if !ever_answered => Err(OtpError::Unavailable(format!(
            "could not reach {url} within {waited} to read the code: {why}"
        ))),
        LastSeen::Unreachable(why) => Err(OtpError::NotReceived(format!(
            "no code matching /{}/ at {url} within {waited} (last poll: {why})",
            pattern.as_str()
        ))),
        LastSeen::Answered(status) => Err(OtpError::NotReceived(format!(
            "no code matching /{}/ at {url} within {waited} (last answer: HTTP {status})",
            pattern.as_str()
        ))),
        LastSeen::Nothing => Err(OtpError::NotReceived(format!(
            "no code matching /{}/ at {url} within {waited}",
            pattern.as_str()
        ))),
    }
}

/// The code in `text` (see [`crate::code_pattern::find_code`]).
pub(crate) fn extract(pattern: &regex::Regex, text: &str) -> Option<String> {
    crate::code_pattern::find_code(pattern, text).map(str::to_string)
}

/// The innermost cause of a request error ("Connection refused"), without the URL.
fn cause(e: &reqwest::Error) -> String {
    use std::error::Error;
    if e.is_timeout() {
        return "timed out".into();
    }
    let mut inner: &dyn Error = e;
    while let Some(s) = inner.source() {
        inner = s;
    }
    inner.to_string()
}
