//! `vedetta monitor CONFIG`: validates the config and every journey it names (nothing starts
//! until all are valid), serves the SMS inbox when configured, runs the daemon until SIGINT or
//! SIGTERM, then stops it cleanly and exits 0.

use std::path::PathBuf;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::journeys::{
    VarSources, browser_mismatches, hide_webdriver_credentials, load_journey, load_options,
    same_names, unreachable_slow,
};
use super::served_inbox::{ServeInboxError, serve_inbox};
use super::signal::wait_for_signal;
use super::{CommandError, Outcome, Problem, problem};
use crate::browser::BrowserConfig;
use crate::inbox::{InboxConfig, InboxServer, RemoteInbox};
use crate::monitor::{self, InboxSettings, MonitorConfig, MonitorSetup, ScheduledJourney};
use crate::otp::OtpSources;

/// What `vedetta monitor` was asked to run.
pub struct MonitorCommandConfig {
    /// The monitor's configuration file.
    pub config: PathBuf,
    pub vars: VarSources,
    pub browser: BrowserConfig,
}

pub fn execute(command: MonitorCommandConfig) -> Result<Outcome, CommandError> {
    let opts = load_options(&command.vars, None)?;
    let config = monitor::load_config(&command.config, &opts).map_err(|diagnostics| {
        CommandError::Invalid(diagnostics.into_iter().map(Problem::from).collect())
    })?;
    let mut journeys = load_journeys(&command.vars, &config)?;
    let loaded: Vec<_> = journeys.iter().map(|sj| sj.journey.clone()).collect();
    let mismatches = browser_mismatches(&loaded, &command.browser);
    if !mismatches.is_empty() {
        return Err(CommandError::Invalid(mismatches));
    }
    // Every grid a journey may run through (`--webdriver`, each location's `webdriver:`):
    // their credentials are secrets of every journey, masked wherever a run writes.
    let grids: Vec<BrowserConfig> = std::iter::once(command.browser.clone())
        .chain(config.locations.iter().filter_map(|l| {
            let mut grid = command.browser.clone();
            grid.webdriver_url = Some(l.webdriver.clone()?);
            Some(grid)
        }))
        .collect();
    for sj in &mut journeys {
        for grid in &grids {
            hide_webdriver_credentials(std::slice::from_mut(&mut sj.journey), grid);
        }
    }
    let runtime = super::runtime()?;
    runtime.block_on(serve(config, journeys, command.browser))
}

/// Every journey of the config, validated with its own default timeout. Err: every problem.
fn load_journeys(
    vars: &VarSources,
    config: &MonitorConfig,
) -> Result<Vec<ScheduledJourney>, CommandError> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for entry in &config.journeys {
        let load = load_options(vars, entry.default_timeout)?;
        if let Some(mut journey) = load_journey(&entry.path, &load, &mut problems) {
            if let Some(device) = &entry.device {
                journey.device = Some(device.clone());
            }
            out.push(ScheduledJourney {
                journey,
                schedule: entry.schedule.clone(),
                alerts: entry.alerts,
            });
        }
    }
    for (first, second) in same_names(out.iter().map(|sj| &sj.journey)) {
        problems.push(Problem::error(format!(
            "two journeys are named `{}` ({} and {}); names identify journeys in history, metrics and alerts",
            second.name,
            first.file.display(),
            second.file.display()
        )));
    }
    for (name, line, column) in &config.maintenance_names {
        if !out.iter().any(|sj| &sj.journey.name == name) {
            problems.push(Problem::error(format!(
                "{}:{line}:{column}: a maintenance window names `{name}`, which is not a journey this monitor runs",
                config.file.display()
            )));
        }
    }
    if problems.is_empty() {
        let journeys: Vec<_> = out.iter().map(|sj| sj.journey.clone()).collect();
        problem::eprint(&unreachable_slow(&journeys));
        Ok(out)
    } else {
        Err(CommandError::Invalid(problems))
    }
}

async fn serve(
    config: MonitorConfig,
    journeys: Vec<ScheduledJourney>,
    browser: BrowserConfig,
) -> Result<Outcome, CommandError> {
    if !config.listen.ip().is_loopback() {
        problem::eprint(&[Problem::Warning(format!(
            "listening on {} (not loopback): the status page shows failure screenshots; put it behind authentication",
            config.listen
        ))]);
    }
    let (otp, inbox_server) = sms_inbox(&config).await?;
    let cancel = CancellationToken::new();
    let count = journeys.len();
    let setup = MonitorSetup {
        journeys,
        listen: config.listen.into(),
        public_url: config.public_url.clone(),
        data_dir: config.data_dir.clone(),
        retention: config.retention,
        concurrency: config.concurrency,
        channels: config.channels.clone(),
        browser,
        otp,
        sign_key: config.sign_key.clone(),
        maintenance: config.maintenance.clone(),
        api_token: config.api_token.clone(),
        locations: config.locations.clone(),
        alert_locations: config.alert_locations,
        public: config.public.clone(),
    };
    let running = match monitor::start(setup, cancel.clone()).await {
        Ok(r) => r,
        Err(e) => {
            if let Some(s) = inbox_server {
                s.shutdown().await;
            }
            return Err(CommandError::harness(e.to_string()));
        }
    };
    println!(
        "vedetta monitor: watching {count} journey(s), {} browser(s) at once; history in {}",
        config.concurrency,
        config.data_dir.display()
    );
    println!("vedetta monitor: status page {}", running.status_url);
    println!("vedetta monitor: metrics {}metrics", running.status_url);
    if let Some(addr) = running.public_addr {
        println!("vedetta monitor: public status page http://{addr}/");
    }
    for channel in &config.channels {
        println!("vedetta monitor: alerts to the {}", channel.describe());
    }
    let signal = wait_for_signal().await;
    println!(
        "vedetta monitor: {}; stopping (runs in flight are cancelled and recorded)",
        signal.description()
    );
    cancel.cancel();
    running.stopped().await;
    if let Some(s) = inbox_server {
        s.shutdown().await;
    }
    println!("vedetta monitor: stopped");
    Ok(Outcome::Success)
}

/// The SMS inbox the config asks for: one elsewhere, or one served here (returned, to be shut
/// down when the monitor stops).
async fn sms_inbox(
    config: &MonitorConfig,
) -> Result<(OtpSources, Option<InboxServer>), CommandError> {
    match &config.inbox {
        None => Ok((OtpSources::default(), None)),
        Some(InboxSettings::Remote { url, token }) => Ok((
            OtpSources::with_sms(Arc::new(RemoteInbox::new(url, token))),
            None,
        )),
        Some(InboxSettings::Serve {
            listen,
            token,
            twilio_auth_token,
            public_url,
        }) => {
            crate::inbox::check_exposure(*listen, token).map_err(CommandError::invalid)?;
            let inbox_config = InboxConfig {
                token: token.clone(),
                twilio_auth_token: twilio_auth_token.clone(),
                public_url: public_url.clone(),
            };
            let served = serve_inbox(*listen, inbox_config)
                .await
                .map_err(|e| match e {
                    ServeInboxError::Listen(e) => CommandError::harness(format!(
                        "the SMS inbox cannot listen on {listen}: {e}"
                    )),
                    ServeInboxError::Start(e) => {
                        CommandError::harness(format!("cannot start the SMS inbox: {e}"))
                    }
                })?;
            println!("vedetta monitor: SMS inbox on {}", served.server.url());
            Ok((OtpSources::with_sms(served.inbox), Some(served.server)))
        }
    }
}
