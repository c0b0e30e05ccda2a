//! `vedetta monitor CONFIG`: validates the config and every journey it names (nothing starts
//! until all are valid), serves the SMS inbox when configured, runs the daemon until SIGINT or
//! SIGTERM, then stops it cleanly and exits 0.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::browser::BrowserConfig;
use crate::cli::{MonitorArgs, exit};
use crate::inbox::{Inbox, InboxConfig, RemoteInbox};
use crate::journey::{self, LoadOptions};
use crate::monitor::{self, InboxSettings, MonitorConfig, MonitorSetup, ScheduledJourney};
use crate::otp::OtpSources;

pub fn execute(args: MonitorArgs) -> i32 {
    let color = crate::commands::stderr_has_colour();
    let opts = match super::run::load_options(&args.vars, None) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let config = match monitor::load_config(&args.config, &opts) {
        Ok(c) => c,
        Err(diagnostics) => {
            for d in diagnostics {
                eprintln!("{}", d.render(color));
            }
            return exit::INVALID;
        }
    };
    let journeys = match load_journeys(&args, &config, color) {
        Ok(j) => j,
        Err(code) => return code,
    };
    let runtime = match super::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    runtime.block_on(serve(config, journeys, BrowserConfig::from(&args.browser)))
}

/// Every journey of the config, validated with its own default timeout. Err: the exit code,
/// after printing every problem.
fn load_journeys(
    args: &MonitorArgs,
    config: &MonitorConfig,
    color: bool,
) -> Result<Vec<ScheduledJourney>, i32> {
    let mut out = Vec::new();
    let mut invalid = false;
    for entry in &config.journeys {
        let load: LoadOptions = super::run::load_options(&args.vars, entry.default_timeout)?;
        match journey::load_journey(&entry.path, &load) {
            Ok(j) => out.push(ScheduledJourney {
                journey: j,
                schedule: entry.schedule.clone(),
                alerts: entry.alerts,
            }),
            Err(diagnostics) => {
                invalid = true;
                for d in diagnostics {
                    eprintln!("{}", d.render(color));
                }
            }
        }
    }
    let mut seen = std::collections::HashMap::new();
    for sj in &out {
        if let Some(first) = seen.insert(sj.journey.name.clone(), sj.journey.file.clone()) {
            eprintln!(
                "error: two journeys are named `{}` ({} and {}); names identify journeys in history, metrics and alerts",
                sj.journey.name,
                first.display(),
                sj.journey.file.display()
            );
            invalid = true;
        }
    }
    if invalid { Err(exit::INVALID) } else { Ok(out) }
}

async fn serve(
    config: MonitorConfig,
    journeys: Vec<ScheduledJourney>,
    browser: BrowserConfig,
) -> i32 {
    if !config.listen.ip().is_loopback() {
        eprintln!(
            "warning: listening on {} (not loopback): the status page shows failure screenshots; put it behind authentication",
            config.listen
        );
    }
    // The inbox, when the config asks for one.
    let mut inbox_server = None;
    let otp = match &config.inbox {
        None => OtpSources::default(),
        Some(InboxSettings::Remote { url, token }) => {
            OtpSources::with_sms(Arc::new(RemoteInbox::new(url, token)))
        }
        Some(InboxSettings::Serve {
            listen,
            token,
            twilio_auth_token,
            public_url,
        }) => {
            if let Err(why) = crate::inbox::check_exposure(*listen, token) {
                eprintln!("error: {why}");
                return exit::INVALID;
            }
            let listener = match tokio::net::TcpListener::bind(listen).await {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("error: the SMS inbox cannot listen on {listen}: {e}");
                    return exit::HARNESS;
                }
            };
            let inbox = Arc::new(Inbox::new());
            let inbox_config = InboxConfig {
                token: token.clone(),
                twilio_auth_token: twilio_auth_token.clone(),
                public_url: public_url.clone(),
            };
            match crate::inbox::serve(listener, inbox.clone(), inbox_config).await {
                Ok(server) => {
                    println!("vedetta monitor: SMS inbox on {}", server.url());
                    inbox_server = Some(server);
                }
                Err(e) => {
                    eprintln!("error: cannot start the SMS inbox: {e}");
                    return exit::HARNESS;
                }
            }
            OtpSources::with_sms(inbox)
        }
    };
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
    };
    let running = match monitor::start(setup, cancel.clone()).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            if let Some(s) = inbox_server {
                s.shutdown().await;
            }
            return exit::HARNESS;
        }
    };
    println!(
        "vedetta monitor: watching {count} journey(s), {} browser(s) at once; history in {}",
        config.concurrency,
        config.data_dir.display()
    );
    println!("vedetta monitor: status page {}", running.status_url);
    println!("vedetta monitor: metrics {}metrics", running.status_url);
    for channel in &config.channels {
        println!("vedetta monitor: alerts to the {}", channel.describe());
    }
    let signal = super::inbox::wait_for_signal().await;
    println!("vedetta monitor: {signal}; stopping (runs in flight are cancelled and recorded)");
    cancel.cancel();
    running.stopped().await;
    if let Some(s) = inbox_server {
        s.shutdown().await;
    }
    println!("vedetta monitor: stopped");
    exit::PASSED
}
