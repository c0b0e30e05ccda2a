//! vedetta's SMS inbox: the endpoint an SMS provider posts inbound messages to, and the store
//! `otp: {from: sms}` steps take their codes from.
//!
//! - [`store`]: the messages and the atomic "take the newest matching code" operation.
//! - [`server`]: the HTTP side (Twilio's signed webhook, a generic JSON webhook, the long-poll
//!   API for remote runners).
//! - [`token`]: the bearer token: the exposure rule (how strong off loopback), comparing, making.
//! - [`twilio`]: Twilio's `X-Twilio-Signature` scheme.
//! - [`remote`]: the client a runner uses to take codes from an inbox served elsewhere.

pub mod remote;
pub mod server;
pub mod store;
pub mod token;
pub mod twilio;

pub use crate::otp::phone::{InvalidNumber, normalise_number};
pub use remote::RemoteInbox;
pub use server::{InboxConfig, InboxServer, serve};
pub use store::Inbox;
pub(crate) use token::constant_time_eq;
pub use token::{MIN_PUBLIC_TOKEN_LEN, check_exposure, random_token};
