//! `vedetta run`: load and validate every journey, walk them in browsers, report.
//!
//! [`run_with`] is the whole pipeline, shared with `vedetta demo`: nothing starts a browser
//! until every file is valid; the console reporter follows the runner's events; the JSON report
//! is written whatever happens, Ctrl-C and SIGTERM included.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::browser::BrowserConfig;
use crate::cli::{BrowserArgs, ReportArgs, RunArgs, VarArgs, exit};
use crate::journey::model::{Action, Journey, OtpSource, Step};
use crate::journey::{self, LoadOptions};
use crate::otp::OtpSources;
use crate::report::console::ConsoleReporter;
use crate::runner::event::Reporter;
use crate::runner::{self, RunOptions};

/// Everything a run needs besides the journey files.
pub struct RunSetup {
    pub load: LoadOptions,
    pub browser: BrowserConfig,
    pub jobs: usize,
    pub out: PathBuf,
    pub reports: ReportArgs,
    pub otp: OtpSources,
}

impl From<&BrowserArgs> for BrowserConfig {
    fn from(b: &BrowserArgs) -> Self {
        BrowserConfig {
            kind: b.browser,
            webdriver_url: b.webdriver.clone(),
            driver_path: b.driver.clone(),
            browser_binary: b.browser_binary.clone(),
            headed: b.headed,
        }
    }
}

/// `--var` and `--secrets` as load options. Err is the exit code after printing the problem.
pub fn load_options(vars: &VarArgs, default_timeout: Option<Duration>) -> Result<LoadOptions, i32> {
    let secrets = match &vars.secrets {
        Some(path) => journey::load_secrets_file(path).map_err(|d| {
            eprintln!("{}", d.render(crate::commands::stderr_has_colour()));
            exit::INVALID
        })?,
        None => Default::default(),
    };
    Ok(LoadOptions {
        cli_vars: vars.vars.clone(),
        secrets,
        default_timeout,
        ..LoadOptions::default()
    })
}

pub fn execute(args: RunArgs) -> i32 {
    let load = match load_options(&args.vars, args.timeout) {
        Ok(l) => l,
        Err(code) => return code,
    };
    if let Some(addr) = &args.inbox_listen {
        let checked = addr
            .parse::<std::net::SocketAddr>()
            .map_err(|_| format!("--inbox-listen `{addr}` is not an address like 127.0.0.1:7879"))
            .and_then(|a| {
                crate::inbox::check_exposure(a, args.inbox_token.as_deref().unwrap_or_default())
            });
        if let Err(why) = checked {
            eprintln!("error: {why}");
            return exit::INVALID;
        }
    }
    let runtime = match super::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    runtime.block_on(async {
        let token = args.inbox_token.clone().unwrap_or_default();
        let mut otp = OtpSources::default();
        let mut served = None;
        if let Some(url) = &args.inbox {
            otp.sms = Some(std::sync::Arc::new(crate::inbox::RemoteInbox::new(
                url, &token,
            )));
        } else if let Some(addr) = &args.inbox_listen {
            match serve_inbox(addr, &token, args.twilio_auth_token.clone()).await {
                Ok((inbox, server)) => {
                    otp.sms = Some(inbox);
                    served = Some(server);
                }
                Err(message) => {
                    eprintln!("error: {message}");
                    return exit::HARNESS;
                }
            }
        }
        let setup = RunSetup {
            load,
            browser: BrowserConfig::from(&args.browser),
            jobs: args.jobs as usize,
            out: args.out,
            reports: args.reports,
            otp,
        };
        let code = run_with(&args.files, setup).await;
        if let Some(server) = served {
            server.shutdown().await;
        }
        code
    })
}

/// The in-process SMS inbox of `--inbox-listen`, served for the run's duration.
async fn serve_inbox(
    addr: &str,
    token: &str,
    twilio_auth_token: Option<String>,
) -> Result<
    (
        std::sync::Arc<crate::inbox::Inbox>,
        crate::inbox::InboxServer,
    ),
    String,
> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("could not listen on {addr} for the SMS inbox: {e}"))?;
    let inbox = std::sync::Arc::new(crate::inbox::Inbox::new());
    let config = crate::inbox::InboxConfig {
        token: token.to_string(),
        twilio_auth_token: twilio_auth_token.filter(|t| !t.trim().is_empty()),
        public_url: None,
    };
    let server = crate::inbox::serve(listener, inbox.clone(), config)
        .await
        .map_err(|e| format!("could not start the SMS inbox: {e}"))?;
    eprintln!("SMS inbox for this run on {}", server.url());
    Ok((inbox, server))
}

/// Validates every file, runs them, reports, and returns the exit code.
pub async fn run_with(files: &[PathBuf], setup: RunSetup) -> i32 {
    let color = crate::commands::stderr_has_colour();
    let mut journeys = Vec::with_capacity(files.len());
    let mut invalid = false;
    for file in files {
        match journey::load_journey(file, &setup.load) {
            Ok(j) => journeys.push(j),
            Err(diagnostics) => {
                invalid = true;
                for d in diagnostics {
                    eprintln!("{}", d.render(color));
                }
            }
        }
    }
    if let Some((first, second)) = first_duplicate_name(&journeys) {
        eprintln!(
            "error: {} and {} are both named `{}`; names identify journeys in reports and folders",
            first.file.display(),
            second.file.display(),
            first.name
        );
        invalid = true;
    }
    warn_misspelt_vars(&journeys, &setup.load.cli_vars);
    warn_short_secrets(&journeys);
    if setup.otp.sms.is_none() {
        for step in journeys.iter().flat_map(|j| sms_steps(&j.steps)) {
            eprintln!(
                "error: `otp: {{from: sms}}` needs an SMS inbox\n --> {}\n  = help: pass --inbox-listen ADDR --inbox-token T to serve one for this run, or --inbox URL --inbox-token T for a `vedetta inbox` elsewhere\n",
                step.location
            );
            invalid = true;
        }
    }
    if invalid {
        return exit::INVALID;
    }

    let started = Instant::now();
    let started_at = jiff::Timestamp::now();
    let run_id = started_at.strftime("%Y%m%dT%H%M%SZ").to_string();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let parallel = setup.jobs > 1 && journeys.len() > 1;
    let console = tokio::task::spawn_blocking(move || {
        let mut console = ConsoleReporter::stdout(parallel);
        while let Some(event) = rx.blocking_recv() {
            console.on_event(&event);
        }
        console
    });

    let cancel = CancellationToken::new();
    let signal = tokio::spawn(interrupted_by(cancel.clone()));
    let options = RunOptions {
        browser: setup.browser,
        jobs: setup.jobs,
        out_dir: setup.out,
        run_id,
        otp: setup.otp,
    };
    let mut report = runner::run(journeys, options, tx, cancel.clone()).await;
    let interrupted = if cancel.is_cancelled() {
        signal.await.ok().flatten()
    } else {
        signal.abort();
        None
    };
    report.started_at = started_at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    report.duration_ms = started.elapsed().as_millis() as u64;
    report.interrupted = interrupted.map(|s| s.to_string());

    let mut console = match console.await {
        Ok(c) => c,
        Err(_) => ConsoleReporter::stdout(parallel),
    };
    let _ = console.run_summary(&report);
    if !write_reports(&report, &setup.reports) {
        return exit::HARNESS;
    }
    match interrupted {
        Some("SIGINT") => exit::SIGINT,
        Some(_) => exit::SIGTERM,
        None => report.exit_code(),
    }
}

/// Writes every report asked for; says which could not be written. False when one failed.
fn write_reports(report: &crate::runner::result::RunReport, files: &ReportArgs) -> bool {
    type Writer = fn(&crate::runner::result::RunReport, &std::path::Path) -> std::io::Result<()>;
    let wanted: [(&str, &Option<PathBuf>, Writer); 3] = [
        ("JSON", &files.report_json, crate::report::json::write),
        ("JUnit", &files.junit, crate::report::junit::write),
        ("HTML", &files.html, crate::report::html::write),
    ];
    let mut ok = true;
    for (kind, path, write) in wanted {
        if let Some(path) = path
            && let Err(e) = write(report, path)
        {
            eprintln!(
                "error: cannot write the {kind} report to {}: {e}",
                path.display()
            );
            ok = false;
        }
    }
    ok
}

/// Waits for Ctrl-C or SIGTERM, cancels the run, and says which it was.
async fn interrupted_by(cancel: CancellationToken) -> Option<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).ok()?;
    let which = tokio::select! {
        _ = tokio::signal::ctrl_c() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    };
    eprintln!("\n{which}: stopping; the steps done so far are kept");
    cancel.cancel();
    Some(which)
}

/// A `--var` whose name is one letter off a name the journey knows (`BANK_ULR` for
/// `BANK_URL`) most likely meant it: the run would silently use the journey's default instead —
/// against production, say, rather than staging. Said on stderr; the run goes on.
pub fn warn_misspelt_vars(journeys: &[Journey], cli_vars: &[(String, String)]) {
    let given: std::collections::HashSet<&str> = cli_vars.iter().map(|(k, _)| k.as_str()).collect();
    for (name, _) in cli_vars {
        let known = journeys
            .iter()
            .flat_map(|j| j.variables.names())
            .filter(|k| !given.contains(k))
            .find(|k| strsim::levenshtein(k, name) <= 2 && k.len() > 2);
        if let Some(meant) = known {
            eprintln!(
                "warning: --var {name} is not a variable of the journey; did you mean {meant}? ({meant} keeps its value)"
            );
        }
    }
}

/// A secret of a few characters is masked wherever those characters occur — in URLs, messages,
/// page text — which makes reports hard to read; it is likely a placeholder. Said once per
/// secret, without its value; masking goes on regardless.
fn warn_short_secrets(journeys: &[Journey]) {
    let mut said = std::collections::BTreeSet::new();
    for j in journeys {
        for name in j.variables.names() {
            let len = j.variables.get(name).map_or(0, |v| v.chars().count());
            if j.variables.is_secret(name) && (1..SHORT_SECRET).contains(&len) && said.insert(name)
            {
                eprintln!(
                    "warning: secret {name} is only {len} character{} long: every occurrence of it in any output is masked, which can garble reports",
                    if len == 1 { "" } else { "s" }
                );
            }
        }
    }
}

/// Secrets shorter than this are warned about.
const SHORT_SECRET: usize = 4;

/// Every `otp: {from: sms}` step, inside include and when blocks too.
fn sms_steps(steps: &[Step]) -> Vec<&Step> {
    Step::all(steps)
        .into_iter()
        .filter(|s| matches!(&s.action, Action::Otp(otp) if matches!(otp.source, OtpSource::Sms { .. })))
        .collect()
}

fn first_duplicate_name(journeys: &[Journey]) -> Option<(&Journey, &Journey)> {
    let mut seen = std::collections::HashMap::new();
    journeys
        .iter()
        .find_map(|j| seen.insert(j.name.as_str(), j).map(|earlier| (earlier, j)))
}
