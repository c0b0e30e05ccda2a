//! `otp: {from: sms}`: a code from vedetta's SMS inbox.

use std::time::{Duration, SystemTime};

use super::{OtpError, SmsInbox};

/// How long before the step began a message may have arrived and still count. The SMS is
/// triggered by the step *before* the `otp:` step (the login click), and a fast provider — or
/// the demo bank, which posts it in milliseconds — delivers it before the `otp:` step starts.
/// The newest untaken message wins, so an older leftover in this window loses to the fresh one,
/// and a code once taken is never handed out again.
pub const LOOKBACK: Duration = Duration::from_secs(30);

pub async fn fetch(
    inbox: Option<&dyn SmsInbox>,
    to: &str,
    pattern: &regex::Regex,
    started: SystemTime,
    timeout: Duration,
) -> Result<String, OtpError> {
    let Some(inbox) = inbox else {
        return Err(OtpError::Unavailable(
            "no SMS inbox to read from: pass --inbox URL and --inbox-token (see `vedetta inbox`)"
                .into(),
        ));
    };
    let to = crate::inbox::normalise_number(to)
        .map_err(|e| OtpError::Unavailable(format!("otp `to`: {e}")))?;
    let since = started
        .checked_sub(LOOKBACK)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    inbox.take_code(&to, pattern, since, timeout).await
}
