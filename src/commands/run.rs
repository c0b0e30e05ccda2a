//! `vedetta run`: the SMS inbox the flags ask for, then the run pipeline.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::journeys::{VarSources, load_options};
use super::pipeline::{ReportFiles, RunSetup, run_journeys};
use super::served_inbox::{ServeInboxError, serve_inbox};
use super::{CommandError, Outcome};
use crate::browser::BrowserConfig;
use crate::evidence::signature::SealKey;
use crate::inbox::{InboxConfig, RemoteInbox};
use crate::otp::OtpSources;

/// What `vedetta run` was asked to do.
pub struct RunConfig {
    pub files: Vec<PathBuf>,
    pub vars: VarSources,
    pub browser: BrowserConfig,
    /// Journeys walked at once, one browser each.
    pub jobs: usize,
    /// Folder for screenshots and evidence (a subfolder per run).
    pub out: PathBuf,
    /// `--sign-key`: the private key that signs evidence manifests.
    pub sign_key: Option<PathBuf>,
    pub reports: ReportFiles,
    /// `--fail-on-slow`: a degraded journey exits 1.
    pub fail_on_slow: bool,
    /// The step timeout of journeys that set none.
    pub timeout: Option<Duration>,
    pub sms_inbox: SmsInbox,
}

/// Where `otp: {from: sms}` steps read their codes.
pub enum SmsInbox {
    /// Nowhere: a journey with such a step is invalid.
    None,
    /// `--inbox URL`: a `vedetta inbox` served elsewhere.
    Remote { url: String, token: String },
    /// `--inbox-listen ADDR`: an inbox served by this run, for its duration.
    Serve {
        listen: String,
        token: String,
        twilio_auth_token: Option<String>,
    },
}

pub fn execute(config: RunConfig) -> Result<Outcome, CommandError> {
    let load = load_options(&config.vars, config.timeout)?;
    let sign_key = config
        .sign_key
        .as_deref()
        .map(SealKey::load)
        .transpose()
        .map_err(|e| CommandError::invalid(e.to_string()))?;
    let mut otp = OtpSources::default();
    let mut to_serve = None;
    match config.sms_inbox {
        SmsInbox::None => {}
        SmsInbox::Remote { url, token } => {
            otp.sms = Some(Arc::new(RemoteInbox::new(&url, &token)));
        }
        SmsInbox::Serve {
            listen,
            token,
            twilio_auth_token,
        } => {
            let addr = inbox_address(&listen, &token)?;
            let inbox_config = InboxConfig {
                token,
                twilio_auth_token: twilio_auth_token.filter(|t| !t.trim().is_empty()),
                public_url: None,
            };
            to_serve = Some((addr, inbox_config));
        }
    }
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let mut served = None;
        if let Some((addr, inbox_config)) = to_serve {
            let inbox = serve_inbox(addr, inbox_config).await.map_err(|e| match e {
                ServeInboxError::Listen(e) => CommandError::harness(format!(
                    "could not listen on {addr} for the SMS inbox: {e}"
                )),
                ServeInboxError::Start(e) => {
                    CommandError::harness(format!("could not start the SMS inbox: {e}"))
                }
            })?;
            eprintln!("SMS inbox for this run on {}", inbox.server.url());
            otp.sms = Some(inbox.inbox);
            served = Some(inbox.server);
        }
        let setup = RunSetup {
            load,
            browser: config.browser,
            jobs: config.jobs,
            out: config.out,
            reports: config.reports,
            fail_on_slow: config.fail_on_slow,
            otp,
            sign_key,
        };
        let outcome = run_journeys(&config.files, setup).await;
        if let Some(server) = served {
            server.shutdown().await;
        }
        outcome
    })
}

/// `--inbox-listen`'s address, if it is one an inbox guarded by `token` may listen on.
fn inbox_address(listen: &str, token: &str) -> Result<SocketAddr, CommandError> {
    let addr = listen.parse::<SocketAddr>().map_err(|_| {
        CommandError::invalid(format!(
            "--inbox-listen `{listen}` is not an address like 127.0.0.1:7879"
        ))
    })?;
    crate::inbox::check_exposure(addr, token).map_err(CommandError::invalid)?;
    Ok(addr)
}
