//! The bank and its SMS inbox, wired together as `vedetta demo` runs them: the inbox's HTTP
//! server on loopback with random tokens, the bank sending its login codes there as signed
//! Twilio webhooks. Tests start the same stack.

use std::sync::Arc;

use tokio::net::TcpListener;

use super::{BankConfig, BankHandle, Fault, SmsGateway};
use crate::inbox::{Inbox, InboxConfig, InboxServer, random_token};
use crate::otp::OtpSources;

/// A running demo: the bank, the inbox it sends codes to, and that inbox's server.
pub struct DemoStack {
    pub bank: BankHandle,
    pub inbox: Arc<Inbox>,
    pub inbox_server: InboxServer,
    /// Bearer token of the inbox's API.
    pub inbox_token: String,
}

impl DemoStack {
    /// Starts the inbox on `127.0.0.1:0` and the bank on `bank_listener` with `faults` on.
    pub async fn start(
        bank_listener: TcpListener,
        faults: Vec<Fault>,
    ) -> std::io::Result<DemoStack> {
        Self::start_with(
            bank_listener,
            BankConfig {
                faults,
                ..BankConfig::default()
            },
        )
        .await
    }

    /// [`DemoStack::start`] with a bank configured by hand; its `sms` gateway is set here.
    pub async fn start_with(
        bank_listener: TcpListener,
        mut config: BankConfig,
    ) -> std::io::Result<DemoStack> {
        let inbox = Arc::new(Inbox::new());
        let inbox_token = random_token(16);
        let twilio_auth_token = random_token(16);
        let inbox_listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let inbox_server = crate::inbox::serve(
            inbox_listener,
            inbox.clone(),
            InboxConfig {
                token: inbox_token.clone(),
                twilio_auth_token: Some(twilio_auth_token.clone()),
                public_url: None,
            },
        )
        .await?;
        config.sms = Some(SmsGateway::new(
            inbox_server.twilio_webhook_url(),
            twilio_auth_token,
        ));
        let bank = match super::serve(bank_listener, config).await {
            Ok(bank) => bank,
            Err(e) => {
                inbox_server.shutdown().await;
                return Err(e);
            }
        };
        Ok(DemoStack {
            bank,
            inbox,
            inbox_server,
            inbox_token,
        })
    }

    /// OTP sources whose SMS inbox is this demo's (in-process).
    pub fn otp_sources(&self) -> OtpSources {
        OtpSources::with_sms(self.inbox.clone())
    }

    /// Stops both servers.
    pub async fn shutdown(self) {
        self.bank.shutdown().await;
        self.inbox_server.shutdown().await;
    }
}
