//! One-time codes: where an `otp:` step gets its code. The runner calls [`OtpSources::fetch`];
//! each source lives in its own file.

pub mod command;
pub mod http;
pub mod lease;
pub mod phone;
pub mod sms;
pub mod totp;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::journey::model::{OtpSource, OtpStep, Variables};

/// Why no code could be had. Messages never contain a code, and secrets in them are masked.
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

impl OtpError {
    /// The same error with every secret value in its message masked.
    fn masked(self, vars: &Variables) -> OtpError {
        match self {
            OtpError::NotReceived(m) => OtpError::NotReceived(vars.mask(&m)),
            OtpError::Unavailable(m) => OtpError::Unavailable(vars.mask(&m)),
        }
    }
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

/// The OTP sources a run has: totp, http and command always; sms when an inbox is configured
/// (the SMS inbox's store in-process, or its remote client: both implement [`SmsInbox`]).
#[derive(Clone, Default)]
pub struct OtpSources {
    pub sms: Option<Arc<dyn SmsInbox>>,
    /// SMS numbers held by the attempts reading from them (see [`lease`]).
    pub leases: lease::NumberLeases,
}

impl OtpSources {
    /// Sources with this SMS inbox.
    pub fn with_sms(inbox: Arc<dyn SmsInbox>) -> OtpSources {
        OtpSources {
            sms: Some(inbox),
            leases: lease::NumberLeases::default(),
        }
    }

    /// Gets the code for `step`, waiting at most `timeout` (TOTP may wait up to 3 s more for a
    /// fresh window, never longer than `timeout` in total). Only SMS messages that arrived at
    /// or after `since` count — the runner passes the start of the journey's attempt (see
    /// [`sms::fetch`] for why not the start of the `otp:` step).
    pub async fn fetch(
        &self,
        step: &OtpStep,
        vars: &Variables,
        since: SystemTime,
        timeout: Duration,
    ) -> Result<String, OtpError> {
        let pattern = match &step.source {
            OtpSource::Sms { pattern, .. }
            | OtpSource::Http { pattern, .. }
            | OtpSource::Command { pattern, .. } => Some(pattern),
            OtpSource::Totp { .. } => None,
        };
        // Refused before any source is asked: an SMS must not be used up for an empty code.
        if let Some(Err(unusable)) = pattern.map(crate::code_pattern::check) {
            return Err(OtpError::Unavailable(vars.mask(&unusable.to_string())));
        }
        let fetched = match &step.source {
            OtpSource::Sms { to, pattern } => {
                sms::fetch(
                    self.sms.as_deref(),
                    &to.render(vars),
                    pattern,
                    since,
                    timeout,
                )
                .await
            }
            OtpSource::Totp { secret } => totp::fetch(&secret.render(vars), timeout).await,
            OtpSource::Http { url, pattern } => {
                http::fetch(&url.render(vars), pattern, timeout).await
            }
            OtpSource::Command { run, pattern } => {
                command::fetch(&run.render(vars), pattern, timeout).await
            }
        };
        fetched.map_err(|e| e.masked(vars))
    }
}
