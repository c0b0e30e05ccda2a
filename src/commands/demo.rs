//! `vedetta demo`: starts the embedded bank and its SMS inbox, then either serves them for a
//! person (`--serve`) or walks the demo journey against them in a real browser.

use std::path::{Path, PathBuf};

use crate::browser::BrowserConfig;
use crate::cli::{BrowserArgs, DemoArgs, exit};
use crate::commands::run::RunSetup;
use crate::demo::{DEMO_PASSWORD, DEMO_PHONE, DEMO_USERNAME, DemoStack, Fault};
use crate::journey::LoadOptions;
use crate::otp::OtpSources;

/// The demo journey, built in so `vedetta demo` works from any directory.
const EMBEDDED_JOURNEY: &str = include_str!("../../journeys/demo-card-balance.yaml");
const DEFAULT_JOURNEY: &str = "journeys/demo-card-balance.yaml";

pub fn execute(args: DemoArgs) -> i32 {
    if args.monitor {
        return crate::commands::demo_monitor::execute(&args);
    }
    let (faults, addr) = match faults_and_address(&args) {
        Ok(v) => v,
        Err(code) => return code,
    };
    // Multi-threaded: the servers keep answering on the runtime's workers while this thread
    // walks the journey outside `block_on`.
    let runtime = match super::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let stack = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        DemoStack::start(listener, faults).await
    });
    let stack = match stack {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: could not start the demo bank on {addr}: {e}");
            if e.kind() == std::io::ErrorKind::AddrInUse {
                eprintln!("help: pass --listen 127.0.0.1:0 to use any free port");
            }
            return exit::HARNESS;
        }
    };
    let code = if args.serve {
        print_serve_instructions(&stack);
        let signal = runtime.block_on(super::inbox::wait_for_signal());
        println!("vedetta demo: {signal}, stopping");
        exit::PASSED
    } else {
        walk_demo(&args, &stack, &runtime)
    };
    runtime.block_on(stack.shutdown());
    code
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

/// `--fault`s and `--listen` as values; Err is the exit code after saying what is wrong.
pub(crate) fn faults_and_address(
    args: &DemoArgs,
) -> Result<(Vec<Fault>, std::net::SocketAddr), i32> {
    let faults = args
        .fault
        .iter()
        .map(|f| f.parse::<Fault>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            eprintln!("error: {e}");
            exit::INVALID
        })?;
    let addr = args.listen.parse().map_err(|_| {
        eprintln!(
            "error: --listen `{}` is not an address like 127.0.0.1:7878",
            args.listen
        );
        exit::INVALID
    })?;
    Ok((faults, addr))
}

/// The demo journey's file: `--journey` as given, or, when the default is not there (run from
/// another directory), the built-in copy written into the output folder — kept, so the report
/// and the evidence point at a file that exists.
pub(crate) fn resolve_journey(requested: &Path, out: &Path) -> std::io::Result<PathBuf> {
    if requested.exists() || requested != Path::new(DEFAULT_JOURNEY) {
        return Ok(requested.to_path_buf());
    }
    std::fs::create_dir_all(out)?;
    let path = out.join("demo-card-balance.yaml");
    std::fs::write(&path, EMBEDDED_JOURNEY)?;
    Ok(path)
}

fn walk_demo(args: &DemoArgs, stack: &DemoStack, runtime: &tokio::runtime::Runtime) -> i32 {
    let journey = match resolve_journey(&args.journey, &args.out) {
        Ok(path) => path,
        Err(e) => {
            eprintln!("error: could not write the built-in demo journey: {e}");
            return exit::HARNESS;
        }
    };
    println!(
        "Vedetta Bank (demo) on {} — faults on: {}",
        stack.bank.url,
        faults_on(stack)
    );
    let run = DemoRun {
        journey,
        vars: vec![("BANK_URL".into(), stack.bank.url.clone())],
        secrets: vec![("DEMO_PASSWORD".into(), DEMO_PASSWORD.into())],
        otp: stack.otp_sources(),
        browser: args.browser.clone(),
        out: args.out.clone(),
        reports: args.reports.clone(),
    };
    run_journey(run, runtime)
}

/// Everything the run engine needs to walk the demo journey.
pub struct DemoRun {
    pub journey: PathBuf,
    /// `BANK_URL` = the bank's URL (overrides the journey's default, like `--var`).
    pub vars: Vec<(String, String)>,
    /// `DEMO_PASSWORD`: a secret (masked everywhere), as if from `--secrets`.
    pub secrets: Vec<(String, String)>,
    /// With the demo's in-process SMS inbox.
    pub otp: OtpSources,
    pub browser: BrowserArgs,
    pub out: PathBuf,
    pub reports: crate::cli::ReportArgs,
}

/// Walks the demo journey with `vedetta run`'s engine, on the runtime the demo's servers use.
fn run_journey(run: DemoRun, runtime: &tokio::runtime::Runtime) -> i32 {
    let mut load = LoadOptions {
        cli_vars: run.vars,
        ..LoadOptions::default()
    };
    load.secrets.extend(run.secrets);
    let setup = RunSetup {
        load,
        browser: BrowserConfig::from(&run.browser),
        jobs: 1,
        out: run.out,
        reports: run.reports,
        otp: run.otp,
    };
    runtime.block_on(crate::commands::run::run_with(&[run.journey], setup))
}
