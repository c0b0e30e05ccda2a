//! Where alerts go, one file per kind of channel: what each one is told (its payload, a pure
//! function of the [`Alert`](super::notify::Alert)) and how it is reached. Delivery, retries and
//! back-off are [`Notifier`](super::notify::Notifier)'s; each channel brings its own
//! [`Retry`] policy and says which of its failures are worth another try.

mod alertmanager;
mod channel;
mod email;
mod pagerduty;
mod retry;
mod teams;

pub use alertmanager::{Alertmanager, DEFAULT_RESEND};
pub use channel::Channel;
pub use email::{Email, EmailError, Screenshot, SmtpSecurity};
pub use pagerduty::{DEFAULT_EVENTS_URL, PagerDuty};
pub use retry::{Retry, retryable_status};
pub use teams::teams_payload;
