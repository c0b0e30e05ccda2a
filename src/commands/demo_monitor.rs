//! `vedetta demo --monitor`: the monitor watching the demo bank. The bank and its SMS inbox
//! start as for `vedetta demo`; the monitor runs the demo journey every 15 seconds and serves
//! its status page; the printed curl commands switch a fault on and off through the bank's
//! admin endpoint, so a person sees the page go red, then green again.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::journeys::load_journey;
use super::signal::wait_for_signal;
use super::{CommandError, Outcome};
use crate::browser::BrowserConfig;
use crate::demo::{DEMO_PASSWORD, DemoStack, Fault};
use crate::journey::LoadOptions;
use crate::monitor::alert::AlertRules;
use crate::monitor::schedule::Schedule;
use crate::monitor::{Listen, MonitorSetup, ScheduledJourney};

/// Where the status page is served when that port is free (else any free port).
const PREFERRED_LISTEN: &str = "127.0.0.1:9090";
const EVERY: Duration = Duration::from_secs(15);
const JITTER: Duration = Duration::from_secs(2);

/// Monitors the running demo `stack` with the journey at `journey_path`, history in
/// `data_dir`, until SIGINT or SIGTERM.
pub async fn watch(
    browser: &BrowserConfig,
    stack: &DemoStack,
    journey_path: &Path,
    data_dir: PathBuf,
) -> Result<Outcome, CommandError> {
    let mut load = LoadOptions {
        cli_vars: vec![("BANK_URL".into(), stack.bank.url.clone())],
        ..LoadOptions::default()
    };
    load.secrets
        .insert("DEMO_PASSWORD".into(), DEMO_PASSWORD.into());
    let mut problems = Vec::new();
    let Some(journey) = load_journey(journey_path, &load, &mut problems) else {
        return Err(CommandError::Invalid(problems));
    };
    let name = journey.name.clone();
    let listen = bind_preferred(PREFERRED_LISTEN)
        .map(Listen::Bound)
        .map_err(|e| CommandError::harness(format!("cannot listen on 127.0.0.1: {e}")))?;
    let setup = MonitorSetup {
        journeys: vec![ScheduledJourney {
            journey,
            schedule: Schedule::Every {
                period: EVERY,
                jitter: JITTER,
            },
            alerts: AlertRules::default(),
        }],
        listen,
        public_url: None,
        data_dir: data_dir.clone(),
        retention: Duration::from_secs(24 * 3600),
        concurrency: 1,
        channels: Vec::new(),
        browser: browser.clone(),
        otp: stack.otp_sources(),
        sign_key: None,
        maintenance: Vec::new(),
        api_token: None,
        locations: Vec::new(),
        alert_locations: None,
        public: None,
    };
    let cancel = CancellationToken::new();
    let running = crate::monitor::start(setup, cancel.clone())
        .await
        .map_err(|e| CommandError::harness(e.to_string()))?;
    let bank = &stack.bank.url;
    let admin = &stack.bank.admin_token;
    println!("Vedetta Bank (demo) on {bank}");
    println!(
        "vedetta monitor watching `{name}` every 15s; history in {}",
        data_dir.display()
    );
    println!();
    println!("  status page  {}", running.status_url);
    println!("  metrics      {}metrics", running.status_url);
    println!();
    println!("  switch the outage on (the page goes red after 2 failed runs, about 30s):");
    println!(
        "    curl -H 'Authorization: Bearer {admin}' -H 'Content-Type: application/json' -d '{{\"fault\":\"outage\",\"on\":true}}' {bank}/admin/faults"
    );
    println!("  and off again (green after the next passing run):");
    println!(
        "    curl -H 'Authorization: Bearer {admin}' -H 'Content-Type: application/json' -d '{{\"fault\":\"outage\",\"on\":false}}' {bank}/admin/faults"
    );
    println!("  other faults: {}", Fault::names());
    println!();
    println!("Ctrl-C to stop.");
    let signal = wait_for_signal().await;
    println!("vedetta demo --monitor: {}; stopping", signal.description());
    cancel.cancel();
    running.stopped().await;
    Ok(Outcome::Success)
}

/// The status page's socket: `preferred` when it is free, else any free loopback port. Bound
/// here and handed to the monitor as it is, so no one can take the port between a check and
/// the bind.
fn bind_preferred(preferred: &str) -> std::io::Result<std::net::TcpListener> {
    std::net::TcpListener::bind(preferred)
        .or_else(|_| std::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The address the monitor is given is held from the moment it was chosen: binding it
    /// again fails (a probe that was bound and released would leave it for anyone to take).
    fn held(listener: &std::net::TcpListener) -> bool {
        let addr = listener.local_addr().unwrap();
        std::net::TcpListener::bind(addr).is_err_and(|e| e.kind() == std::io::ErrorKind::AddrInUse)
    }

    #[test]
    fn the_preferred_port_or_any_is_bound_and_held_not_probed() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let taken_addr = taken.local_addr().unwrap();
        let other = bind_preferred(&taken_addr.to_string()).unwrap();
        assert_ne!(
            other.local_addr().unwrap(),
            taken_addr,
            "taken: another port"
        );
        assert!(other.local_addr().unwrap().ip().is_loopback());
        assert!(held(&other));

        let free = bind_preferred("127.0.0.1:0").unwrap();
        assert!(held(&free));
    }
}
