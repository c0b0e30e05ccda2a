//! `vedetta inbox`: serves the SMS inbox until SIGINT/SIGTERM.

use std::net::SocketAddr;

use super::served_inbox::{ServeInboxError, serve_inbox};
use super::signal::wait_for_signal;
use super::{CommandError, Outcome};
use crate::inbox::InboxConfig;
use crate::inbox::server::{INBOUND_PATH, NEXT_CODE_PATH, TWILIO_PATH};

/// What `vedetta inbox` was asked to serve.
pub struct InboxCommandConfig {
    /// The address to listen on, as given.
    pub listen: String,
    /// Bearer token for runners reading codes and for the generic JSON webhook.
    pub token: String,
    /// To check `X-Twilio-Signature` on Twilio's webhook.
    pub twilio_auth_token: Option<String>,
    /// The public URL Twilio posts to, when behind a proxy.
    pub public_url: Option<String>,
}

pub fn execute(config: InboxCommandConfig) -> Result<Outcome, CommandError> {
    let addr: SocketAddr = config.listen.parse().map_err(|_| {
        CommandError::invalid(format!(
            "--listen `{}` is not an address like 127.0.0.1:7879",
            config.listen
        ))
    })?;
    let token = config.token.trim().to_string();
    crate::inbox::check_exposure(addr, &token).map_err(CommandError::invalid)?;
    let runtime = super::runtime()?;
    let inbox_config = InboxConfig {
        token,
        twilio_auth_token: config.twilio_auth_token.filter(|t| !t.trim().is_empty()),
        // Given with or without the webhook's path, it is kept as the base the path is added to.
        public_url: config.public_url.map(|u| {
            let base = u.trim_end_matches('/');
            base.strip_suffix(TWILIO_PATH).unwrap_or(base).to_string()
        }),
    };
    runtime.block_on(serve(addr, inbox_config))
}

async fn serve(addr: SocketAddr, config: InboxConfig) -> Result<Outcome, CommandError> {
    let twilio_on = config.twilio_auth_token.is_some();
    let public_url = config.public_url.clone();
    let server = serve_inbox(addr, config)
        .await
        .map_err(|e| match e {
            ServeInboxError::Listen(e) => {
                CommandError::harness(format!("could not listen on {addr}: {e}"))
            }
            ServeInboxError::Start(e) => {
                CommandError::harness(format!("could not start the inbox: {e}"))
            }
        })?
        .server;
    let local = server.url();
    let public = public_url.unwrap_or_else(|| local.clone());
    println!("vedetta inbox listening on {local}");
    if twilio_on {
        println!(
            "  Twilio: set the number's \"A message comes in\" webhook (HTTP POST) to {public}{TWILIO_PATH}"
        );
        println!(
            "          (signatures are checked over that exact URL; behind a proxy pass --public-url)"
        );
    } else {
        println!(
            "  Twilio: off (start with --twilio-auth-token or TWILIO_AUTH_TOKEN to accept its webhook)"
        );
    }
    println!(
        "  other providers: POST {public}{INBOUND_PATH} with JSON {{\"to\", \"from\", \"body\"}}"
    );
    println!("          and Authorization: Bearer <your --token>");
    println!(
        "  runners: vedetta run --inbox {public} --inbox-token <your --token> …  (long-polls {NEXT_CODE_PATH})"
    );
    let signal = wait_for_signal().await;
    println!("vedetta inbox: {}, stopping", signal.description());
    server.shutdown().await;
    Ok(Outcome::Success)
}
