//! vedetta's SMS inbox: the endpoint an SMS provider posts inbound messages to, and the store
//! `otp: {from: sms}` steps take their codes from.
//!
//! - [`store`]: the messages and the atomic "take the newest matching code" operation.
//! - [`server`]: the HTTP side (Twilio's signed webhook, a generic JSON webhook, the long-poll
//!   API for remote runners).
//! - [`twilio`]: Twilio's `X-Twilio-Signature` scheme.
//! - [`remote`]: the client a runner uses to take codes from an inbox served elsewhere.

pub mod remote;
pub mod server;
pub mod store;
pub mod twilio;

pub use crate::otp::phone::{InvalidNumber, normalise_number};
pub use remote::RemoteInbox;
pub use server::{InboxConfig, InboxServer, serve};
pub use store::Inbox;

/// Shortest bearer token accepted on an address other than loopback, where anyone may knock.
pub const MIN_PUBLIC_TOKEN_LEN: usize = 16;

/// Whether an inbox may listen on `addr` with `token`: never with an empty token, and off
/// loopback only with a long one. Err says why, for the user.
pub fn check_exposure(addr: std::net::SocketAddr, token: &str) -> Result<(), String> {
    if token.trim().is_empty() {
        return Err("the inbox token must not be empty: it guards the codes in the inbox".into());
    }
    if !addr.ip().is_loopback() && token.trim().len() < MIN_PUBLIC_TOKEN_LEN {
        return Err(format!(
            "refusing to serve the SMS inbox on {addr} (not loopback) with a token shorter than \
             {MIN_PUBLIC_TOKEN_LEN} characters; use a long random token (e.g. `openssl rand -hex 24`)"
        ));
    }
    Ok(())
}

/// Compares two secrets in time that depends only on their lengths, so a caller probing a
/// token byte by byte learns nothing from response times.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A random token of `bytes` random bytes, hex-encoded: for bearer tokens and the demo's
/// Twilio auth token.
pub fn random_token(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}
