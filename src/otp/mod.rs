//! One-time codes: where an `otp:` step gets its code. The runner calls [`OtpSources::fetch`];
//! each source lives in its own file.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::journey::model::{OtpStep, Variables};

/// Why no code could be had.
#[derive(Debug, thiserror::Error)]
pub enum OtpError {
    /// The code did not come within the step's timeout (category `otp_not_received`).
    #[error("{0}")]
    NotReceived(String),
    /// The source itself could not be asked (inbox unreachable, command not found):
    /// category `infrastructure`.
    #[error("{0}")]
    Unavailable(String),
}

/// vedetta's SMS inbox, in-process or remote: the seam behind `otp: {from: sms}`.
pub trait SmsInbox: Send + Sync {
    /// The newest code (first capture group of `pattern`, or the whole match) in a message to
    /// `to` that arrived at or after `since`, not yet taken by anyone; waits until `timeout`.
    /// A message is handed out at most once.
    fn take_code<'a>(
        &'a self,
        to: &'a str,
        pattern: &'a regex::Regex,
        since: SystemTime,
        timeout: Duration,
    ) -> futures::future::BoxFuture<'a, Result<String, OtpError>>;
}

/// The OTP sources a run has: totp, http and command always; sms when an inbox is configured.
#[derive(Clone, Default)]
pub struct OtpSources {
    pub sms: Option<Arc<dyn SmsInbox>>,
}

impl OtpSources {
    /// Gets the code for `step`, waiting at most `timeout`. `started` is when the step began:
    /// only SMS messages that arrived after it count.
    pub async fn fetch(
        &self,
        step: &OtpStep,
        vars: &Variables,
        started: SystemTime,
        timeout: Duration,
    ) -> Result<String, OtpError> {
        let _ = (step, vars, started, timeout);
        Err(OtpError::Unavailable("OTP sources are not built yet".into()))
    }
}
