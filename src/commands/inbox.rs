//! `vedetta inbox`: serves the SMS inbox until SIGINT/SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::cli::{InboxArgs, exit};
use crate::inbox::server::{INBOUND_PATH, NEXT_CODE_PATH, TWILIO_PATH};
use crate::inbox::{Inbox, InboxConfig};

pub fn execute(args: InboxArgs) -> i32 {
    let addr: SocketAddr = match args.listen.parse() {
        Ok(a) => a,
        Err(_) => {
            eprintln!(
                "error: --listen `{}` is not an address like 127.0.0.1:7879",
                args.listen
            );
            return exit::INVALID;
        }
    };
    let token = args.token.trim().to_string();
    if let Err(why) = crate::inbox::check_exposure(addr, &token) {
        eprintln!("error: {why}");
        return exit::INVALID;
    }
    let runtime = match super::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let config = InboxConfig {
        token,
        twilio_auth_token: args.twilio_auth_token.filter(|t| !t.trim().is_empty()),
        // Given with or without the webhook's path, it is kept as the base the path is added to.
        public_url: args.public_url.map(|u| {
            let base = u.trim_end_matches('/');
            base.strip_suffix(TWILIO_PATH).unwrap_or(base).to_string()
        }),
    };
    runtime.block_on(serve(addr, config))
}

async fn serve(addr: SocketAddr, config: InboxConfig) -> i32 {
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: could not listen on {addr}: {e}");
            return exit::HARNESS;
        }
    };
    let twilio_on = config.twilio_auth_token.is_some();
    let public_url = config.public_url.clone();
    let server = match crate::inbox::serve(listener, Arc::new(Inbox::new()), config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: could not start the inbox: {e}");
            return exit::HARNESS;
        }
    };
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
    println!("vedetta inbox: {signal}, stopping");
    server.shutdown().await;
    exit::PASSED
}

/// Waits for Ctrl-C or SIGTERM and says which came.
pub(crate) async fn wait_for_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return "interrupted";
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "interrupted",
        _ = term.recv() => "terminated",
    }
}
