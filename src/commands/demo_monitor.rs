//! `vedetta demo --monitor`: the monitor watching the demo bank. The bank and its SMS inbox
//! start as for `vedetta demo`; the monitor runs the demo journey every 15 seconds and serves
//! its status page; the printed curl commands switch a fault on and off through the bank's
//! admin endpoint, so a person sees the page go red, then green again.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::browser::BrowserConfig;
use crate::cli::{DemoArgs, exit};
use crate::demo::{DEMO_PASSWORD, DemoStack, Fault};
use crate::journey::{self, LoadOptions};
use crate::monitor::alert::AlertRules;
use crate::monitor::schedule::Schedule;
use crate::monitor::{Listen, MonitorSetup, ScheduledJourney};

/// Where the status page is served when that port is free (else any free port).
const PREFERRED_LISTEN: &str = "127.0.0.1:9090";
const EVERY: Duration = Duration::from_secs(15);
const JITTER: Duration = Duration::from_secs(2);

pub fn execute(args: &DemoArgs) -> i32 {
    let (faults, bank_addr) = match super::demo::faults_and_address(args) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let data_dir = args.out.join("monitor");
    let journey_path = match super::demo::resolve_journey(&args.journey, &data_dir) {
        Ok(p) => p,
        Err(e) => {
            eprintln!(
                "error: cannot write the built-in demo journey to {}: {e}",
                data_dir.display()
            );
            return exit::HARNESS;
        }
    };
    let runtime = match super::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    runtime.block_on(async {
        let stack = match tokio::net::TcpListener::bind(bank_addr).await {
            Ok(listener) => DemoStack::start(listener, faults).await,
            Err(e) => Err(e),
        };
        let stack = match stack {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: could not start the demo bank on {bank_addr}: {e}");
                if e.kind() == std::io::ErrorKind::AddrInUse {
                    eprintln!("help: pass --listen 127.0.0.1:0 to use any free port");
                }
                return exit::HARNESS;
            }
        };
        let code = watch(args, &stack, &journey_path, data_dir).await;
        stack.shutdown().await;
        code
    })
}

async fn watch(args: &DemoArgs, stack: &DemoStack, journey_path: &Path, data_dir: PathBuf) -> i32 {
    let mut load = LoadOptions {
        cli_vars: vec![("BANK_URL".into(), stack.bank.url.clone())],
        ..LoadOptions::default()
    };
    load.secrets
        .insert("DEMO_PASSWORD".into(), DEMO_PASSWORD.into());
    let journey = match journey::load_journey(journey_path, &load) {
        Ok(j) => j,
        Err(diagnostics) => {
            for d in diagnostics {
                eprintln!("{}", d.render(false));
            }
            return exit::INVALID;
        }
    };
    let name = journey.name.clone();
    let listen = match bind_preferred(PREFERRED_LISTEN) {
        Ok(listener) => Listen::Bound(listener),
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1: {e}");
            return exit::HARNESS;
        }
    };
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
        browser: BrowserConfig::from(&args.browser),
        otp: stack.otp_sources(),
    };
    let cancel = CancellationToken::new();
    let running = match crate::monitor::start(setup, cancel.clone()).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::HARNESS;
        }
    };
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
    let signal = super::inbox::wait_for_signal().await;
    println!("vedetta demo --monitor: {signal}; stopping");
    cancel.cancel();
    running.stopped().await;
    exit::PASSED
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
