//! An SMS inbox served by this process while a command runs. `vedetta inbox`,
//! `run --inbox-listen` and the monitor's `inbox: {listen: …}` all start it here; each says
//! in its own words what went wrong.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::inbox::{Inbox, InboxConfig, InboxServer};

/// The inbox's store (where `otp: {from: sms}` steps take codes) and its HTTP server.
pub struct ServedInbox {
    pub inbox: Arc<Inbox>,
    pub server: InboxServer,
}

/// Why an inbox could not be served.
#[derive(Debug, thiserror::Error)]
pub enum ServeInboxError {
    #[error("cannot listen: {0}")]
    Listen(std::io::Error),
    #[error("cannot start: {0}")]
    Start(std::io::Error),
}

/// Binds `addr` and serves a new, empty inbox on it until [`InboxServer::shutdown`].
pub async fn serve_inbox(
    addr: SocketAddr,
    config: InboxConfig,
) -> Result<ServedInbox, ServeInboxError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(ServeInboxError::Listen)?;
    let inbox = Arc::new(Inbox::new());
    let server = crate::inbox::serve(listener, inbox.clone(), config)
        .await
        .map_err(ServeInboxError::Start)?;
    Ok(ServedInbox { inbox, server })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> InboxConfig {
        InboxConfig {
            token: "t0k3n".into(),
            twilio_auth_token: None,
            public_url: None,
        }
    }

    #[tokio::test]
    async fn serves_on_the_address_and_says_when_it_is_taken() {
        let served = serve_inbox("127.0.0.1:0".parse().unwrap(), config())
            .await
            .unwrap();
        let taken = served.server.addr;
        assert!(taken.ip().is_loopback() && taken.port() != 0);
        let again = serve_inbox(taken, config()).await;
        assert!(matches!(again, Err(ServeInboxError::Listen(_))));
        served.server.shutdown().await;
    }
}
