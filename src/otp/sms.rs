//! `otp: {from: sms}`: a code from vedetta's SMS inbox.

use std::time::{Duration, SystemTime};

use super::{OtpError, SmsInbox};

/// The newest code to `to` that arrived at or after `since` and nobody has taken yet.
///
/// `since` is the start of the journey's attempt, not of the `otp:` step: the SMS is triggered
/// by an earlier step (the login click), and a fast provider — or the demo bank, which posts it
/// in milliseconds — delivers it before the `otp:` step starts. Codes sent before the attempt
/// (to an earlier attempt, an earlier run, another journey) never count, and a code once taken
/// is never handed out again. While the attempt walks, no other attempt reads from `to`
/// ([`super::lease`]), so the newest code is this attempt's own.
pub async fn fetch(
    inbox: Option<&dyn SmsInbox>,
    to: &str,
    pattern: &regex::Regex,
    since: SystemTime,
    timeout: Duration,
) -> Result<String, OtpError> {
    let Some(inbox) = inbox else {
        return Err(OtpError::Unavailable(
            "no SMS inbox to read from: pass --inbox URL and --inbox-token (see `vedetta inbox`)"
                .into(),
        ));
    };
    let to = super::phone::normalise_number(to)
        .map_err(|e| OtpError::Unavailable(format!("otp `to`: {e}")))?;
    inbox.take_code(&to, pattern, since, timeout).await
}
