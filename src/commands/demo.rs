//! `vedetta demo`: starts the embedded bank and its SMS inbox, then serves them for a person
//! (`--serve`), walks the demo journey against them in a real browser, or monitors them
//! (`--monitor`, in `demo_monitor.rs`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use super::pipeline::{ReportFiles, RunSetup, run_journeys};
use super::signal::wait_for_signal;
use super::{CommandError, Outcome, Problem};
use crate::browser::BrowserConfig;
use crate::demo::{DEMO_PASSWORD, DEMO_PHONE, DEMO_USERNAME, DemoStack, Fault};
use crate::journey::LoadOptions;

/// The demo journey, built in so `vedetta demo` works from any directory.
const EMBEDDED_JOURNEY: &str = include_str!("../../journeys/demo-card-balance.yaml");
const DEFAULT_JOURNEY: &str = "journeys/demo-card-balance.yaml";

/// What `vedetta demo` was asked to do.
pub struct DemoConfig {
    /// Faults of the bank to turn on, by name.
    pub faults: Vec<String>,
    pub mode: DemoMode,
    /// The bank's address, as given.
    pub listen: String,
    /// The journey to walk.
    pub journey: PathBuf,
    pub browser: BrowserConfig,
    /// Folder for screenshots and evidence (and, for `--monitor`, the monitor's history).
    pub out: PathBuf,
    pub reports: ReportFiles,
}

/// What the demo does with the bank once it is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoMode {
    /// Walk the demo journey against it once.
    Walk,
    /// Serve it for a person to click through (`--serve`).
    Serve,
    /// Walk the journey every 15 s and serve the monitor's status page (`--monitor`).
    Monitor,
}

pub fn execute(config: DemoConfig) -> Result<Outcome, CommandError> {
    let faults = config
        .faults
        .iter()
        .map(|f| f.parse::<Fault>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CommandError::invalid(e.to_string()))?;
    let addr: SocketAddr = config.listen.parse().map_err(|_| {
        CommandError::invalid(format!(
            "--listen `{}` is not an address like 127.0.0.1:7878",
            config.listen
        ))
    })?;
    let plan = match config.mode {
        DemoMode::Walk => Plan::Walk,
        DemoMode::Serve => Plan::Serve,
        // The monitor keeps its history, and the journey it walks, in a folder of its own.
        DemoMode::Monitor => {
            let data_dir = config.out.join("monitor");
            let journey = resolve_journey(&config.journey, &data_dir).map_err(|e| {
                CommandError::harness(format!(
                    "cannot write the built-in demo journey to {}: {e}",
                    data_dir.display()
                ))
            })?;
            Plan::Monitor { journey, data_dir }
        }
    };
    // Multi-threaded: the servers keep answering on the runtime's workers while this thread
    // walks the journey outside `block_on`.
    let runtime = super::runtime()?;
    let stack = runtime.block_on(start_stack(addr, faults))?;
    let outcome = match plan {
        Plan::Walk => walk_demo(&config, &stack, &runtime),
        Plan::Serve => {
            print_serve_instructions(&stack);
            let signal = runtime.block_on(wait_for_signal());
            println!("vedetta demo: {}, stopping", signal.description());
            Ok(Outcome::Success)
        }
        Plan::Monitor { journey, data_dir } => runtime.block_on(super::demo_monitor::watch(
            &config.browser,
            &stack,
            &journey,
            data_dir,
        )),
    };
    runtime.block_on(stack.shutdown());
    outcome
}

/// A [`DemoMode`] with what it needs before the bank starts.
enum Plan {
    Walk,
    Serve,
    Monitor { journey: PathBuf, data_dir: PathBuf },
}

/// The bank and its SMS inbox, on `addr`.
async fn start_stack(addr: SocketAddr, faults: Vec<Fault>) -> Result<DemoStack, CommandError> {
    let started = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => DemoStack::start(listener, faults).await,
        Err(e) => Err(e),
    };
    started.map_err(|e| {
        let help = (e.kind() == std::io::ErrorKind::AddrInUse)
            .then(|| "pass --listen 127.0.0.1:0 to use any free port".to_string());
        CommandError::Harness(vec![Problem::Error {
            message: format!("could not start the demo bank on {addr}: {e}"),
            help,
        }])
    })
}

fn faults_on(stack: &DemoStack) -> String {
    let on = stack.bank.faults.current();
    if on.is_empty() {
        "none".into()
    } else {
        on.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
    }
}

fn print_serve_instructions(stack: &DemoStack) {
    let url = &stack.bank.url;
    let admin = &stack.bank.admin_token;
    let inbox = stack.inbox_server.url();
    let token = &stack.inbox_token;
    println!("Vedetta Bank (demo) on {url}");
    println!(
        "  log in as {DEMO_USERNAME} / {DEMO_PASSWORD} (demo credentials); the code goes by SMS to {DEMO_PHONE}"
    );
    println!("  read the code from the demo's SMS inbox:");
    println!(
        "    curl -H 'Authorization: Bearer {token}' '{inbox}/api/codes/next?to=%2B393330000001&since=0'"
    );
    println!("  faults on: {}", faults_on(stack));
    println!("  switch a fault (valid: {}):", Fault::names());
    println!(
        "    curl -H 'Authorization: Bearer {admin}' -H 'Content-Type: application/json' \
         -d '{{\"fault\":\"outage\",\"on\":true}}' {url}/admin/faults"
    );
    println!("    curl -H 'Authorization: Bearer {admin}' {url}/admin/faults");
    println!("  walk the demo journey against it from another terminal:");
    println!(
        "    DEMO_PASSWORD={DEMO_PASSWORD} vedetta run {DEFAULT_JOURNEY} --var BANK_URL={url} \\\n      --inbox {inbox} --inbox-token {token}"
    );
    println!("Ctrl-C to stop.");
}

/// The demo journey's file: `--journey` as given, or, when the default is not there (run from
/// another directory), the built-in copy written into the output folder — kept, so the report
/// and the evidence point at a file that exists.
fn resolve_journey(requested: &Path, out: &Path) -> std::io::Result<PathBuf> {
    if requested.exists() || requested != Path::new(DEFAULT_JOURNEY) {
        return Ok(requested.to_path_buf());
    }
    std::fs::create_dir_all(out)?;
    let path = out.join("demo-card-balance.yaml");
    std::fs::write(&path, EMBEDDED_JOURNEY)?;
    Ok(path)
}

/// Walks the demo journey with `vedetta run`'s pipeline, on the runtime the demo's servers
/// use: `BANK_URL` is the bank's (as a `--var`), `DEMO_PASSWORD` a secret (masked everywhere,
/// as if from `--secrets`), codes come from the demo's in-process SMS inbox.
fn walk_demo(
    config: &DemoConfig,
    stack: &DemoStack,
    runtime: &tokio::runtime::Runtime,
) -> Result<Outcome, CommandError> {
    let journey = resolve_journey(&config.journey, &config.out).map_err(|e| {
        CommandError::harness(format!("could not write the built-in demo journey: {e}"))
    })?;
    println!(
        "Vedetta Bank (demo) on {} — faults on: {}",
        stack.bank.url,
        faults_on(stack)
    );
    let mut load = LoadOptions {
        cli_vars: vec![("BANK_URL".into(), stack.bank.url.clone())],
        ..LoadOptions::default()
    };
    load.secrets
        .insert("DEMO_PASSWORD".into(), DEMO_PASSWORD.into());
    let setup = RunSetup {
        load,
        browser: config.browser.clone(),
        jobs: 1,
        out: config.out.clone(),
        reports: config.reports.clone(),
        fail_on_slow: false,
        otp: stack.otp_sources(),
        sign_key: None,
    };
    runtime.block_on(run_journeys(&[journey], setup))
}
