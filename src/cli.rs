//! The command line: argument types, their conversion into the commands' plain configs, and
//! dispatch. Each subcommand's work lives in `commands/<name>.rs`; this file parses, runs the
//! command, prints its error if it had one — the only place errors are printed — and exits with
//! the outcome's code.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::browser::{BrowserConfig, BrowserKind, Isolation};
use crate::commands::demo::{DemoConfig, DemoMode};
use crate::commands::inbox::InboxCommandConfig;
use crate::commands::init::InitConfig;
use crate::commands::journeys::VarSources;
use crate::commands::monitor::MonitorCommandConfig;
use crate::commands::pipeline::ReportFiles;
use crate::commands::run::{RunConfig, SmsInbox};
use crate::commands::validate::ValidateConfig;
use crate::commands::{self, CommandError, Outcome};
use crate::journey::model::Device;

#[derive(Debug, Parser)]
#[command(name = "vedetta", version, about = "Synthetic user journeys in a real browser", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log format on stderr (logs are off unless RUST_LOG or --verbose asks for them).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Log at debug level (equivalent to RUST_LOG=vedetta=debug).
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Walk journeys in a real browser and report each step.
    Run(RunArgs),
    /// Check journeys without running them (exit 0 valid, 2 invalid).
    Validate(ValidateArgs),
    /// Print the JSON Schema of the journey language (for yaml-language-server).
    Schema,
    /// Write a commented starter journey for a site (and, with --monitor, a monitor config).
    Init(InitArgs),
    /// Serve the embedded demo bank and walk journeys/demo-card-balance.yaml against it.
    Demo(DemoArgs),
    /// Serve the SMS inbox that providers post inbound messages to.
    Inbox(InboxArgs),
    /// Run journeys on a schedule: history, metrics, alerts, a status page.
    Monitor(MonitorArgs),
    /// Work with evidence folders.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// Open, end or list a running monitor's maintenance windows (alerts held, runs recorded).
    Maintenance(MaintenanceArgs),
    /// Open, update, resolve, publish or list the incidents of a monitor's public status page.
    Incident(IncidentArgs),
}

#[derive(Debug, Args)]
pub struct IncidentArgs {
    #[command(subcommand)]
    pub action: IncidentAction,
    #[command(flatten)]
    pub api: MonitorApiArgs,
}

/// Which running monitor, and its write API's token (`maintenance`, `incident`).
#[derive(Debug, Args)]
pub struct MonitorApiArgs {
    /// The monitor's address (its own listener, not the public page's).
    #[arg(
        long,
        value_name = "URL",
        env = "VEDETTA_MONITOR_URL",
        default_value = "http://127.0.0.1:9090",
        global = true
    )]
    pub monitor: String,
    /// The monitor's `api_token` (needed for every change).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "VEDETTA_API_TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub token: Option<String>,
}

impl From<MonitorApiArgs> for commands::monitor_api::MonitorTarget {
    fn from(a: MonitorApiArgs) -> Self {
        commands::monitor_api::MonitorTarget {
            monitor: a.monitor,
            token: a.token,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum IncidentAction {
    /// Open an incident with its first notice (public at once unless --draft).
    Open {
        /// A component it affects, as the journeys name it (repeatable, at least one).
        #[arg(long = "component", value_name = "NAME", required = true)]
        components: Vec<String>,
        /// The first notice, in plain words for customers.
        #[arg(long, value_name = "TEXT")]
        message: String,
        /// The heading (default: from the title template).
        #[arg(long, value_name = "TEXT")]
        title: Option<String>,
        /// investigating (default), identified, monitoring or resolved.
        #[arg(long, value_name = "STATE")]
        state: Option<String>,
        /// Keep it off the public page until `vedetta incident publish`.
        #[arg(long)]
        draft: bool,
    },
    /// Post an update to an incident's timeline.
    Update {
        #[arg(value_name = "ID")]
        id: i64,
        #[arg(long, value_name = "TEXT")]
        message: String,
        /// The incident's new state: investigating, identified, monitoring.
        #[arg(long, value_name = "STATE")]
        state: Option<String>,
    },
    /// Resolve an incident (the notice defaults to the resolved template).
    Resolve {
        #[arg(value_name = "ID")]
        id: i64,
        #[arg(long, value_name = "TEXT")]
        message: Option<String>,
    },
    /// Make a draft incident public.
    Publish {
        #[arg(value_name = "ID")]
        id: i64,
    },
    /// Every incident, drafts too, with its latest notice.
    List,
}

#[derive(Debug, Args)]
pub struct MaintenanceArgs {
    #[command(subcommand)]
    pub action: MaintenanceAction,
    #[command(flatten)]
    pub api: MonitorApiArgs,
}

#[derive(Debug, Subcommand)]
pub enum MaintenanceAction {
    /// Open a window now: the journeys' runs go on and are recorded, no alert is sent.
    Start {
        /// How long it lasts (e.g. 30m, 2h; at most 7 days).
        #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration_arg, default_value = "1h")]
        duration: Duration,
        /// A journey it holds (repeatable); default: every journey.
        #[arg(long = "journey", value_name = "NAME")]
        journeys: Vec<String>,
        /// Why, for the status page and the API.
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// End a window now (its id, as `start` and `list` print it).
    End {
        #[arg(value_name = "ID")]
        id: String,
    },
    /// The windows open now and coming.
    List,
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Check an evidence folder against its manifest.json (exit 0 intact, 1 changed, 2 not an
    /// evidence folder).
    Verify {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Also require a valid signature by this public key (PEM), as `evidence keygen` or
        /// `openssl pkey -pubout` writes it.
        #[arg(long, value_name = "PUB")]
        key: Option<PathBuf>,
    },
    /// Make an Ed25519 key pair for signing evidence: STEM.key (private, for `run --sign-key`
    /// and the monitor's `sign_key:`) and STEM.pub (public, for `evidence verify --key`).
    Keygen {
        #[arg(value_name = "STEM", default_value = "vedetta-evidence")]
        stem: PathBuf,
    },
}

/// The report files a run writes, shared by `run` and `demo`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Write the JSON report here.
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
    /// Write a JUnit XML report here (journey = testsuite, step = testcase).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a self-contained HTML report here (screenshots inline).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// Where values for `${NAME}` and secrets come from, shared by `run` and `validate`.
#[derive(Debug, Clone, Args)]
pub struct VarArgs {
    /// Set a variable (overrides the journey's `vars:`); repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_key_value)]
    pub vars: Vec<(String, String)>,
    /// A YAML file of `NAME: value` pairs for the journey's `secrets:` (else the environment).
    #[arg(long, value_name = "FILE")]
    pub secrets: Option<PathBuf>,
    /// Let `include:` read files outside the including journey's folder.
    #[arg(long)]
    pub allow_include_outside: bool,
}

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Journey files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub browser: BrowserArgs,
    /// Journeys walked at once, one browser each.
    #[arg(long, short = 'j', default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub jobs: u32,
    /// Folder for screenshots and evidence (a subfolder per run).
    #[arg(long, value_name = "DIR", default_value = "screenshots")]
    pub out: PathBuf,
    /// Sign each evidence folder's manifest with this Ed25519 private key (PEM;
    /// `vedetta evidence keygen` makes one).
    #[arg(long, value_name = "FILE")]
    pub sign_key: Option<PathBuf>,
    #[command(flatten)]
    pub reports: ReportArgs,
    /// Exit 1 when a journey passed but was slow (crossed a `slow:` threshold): for release
    /// gates. Without it a slow run exits 0, reported as degraded.
    #[arg(long)]
    pub fail_on_slow: bool,
    /// Default per-step timeout, for journeys that set none (e.g. 10s, 1m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_arg)]
    pub timeout: Option<Duration>,
    /// URL of an SMS inbox served elsewhere (`vedetta inbox`), for `otp: {from: sms}`.
    #[arg(
        long,
        value_name = "URL",
        requires = "inbox_token",
        conflicts_with = "inbox_listen"
    )]
    pub inbox: Option<String>,
    /// Serve an SMS inbox for this run's `otp: {from: sms}` steps on this address (providers
    /// post to it as to `vedetta inbox`).
    #[arg(long, value_name = "ADDR", requires = "inbox_token")]
    pub inbox_listen: Option<String>,
    /// Token for --inbox / --inbox-listen.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "VEDETTA_INBOX_TOKEN",
        hide_env_values = true
    )]
    pub inbox_token: Option<String>,
    /// Twilio auth token for --inbox-listen, to check `X-Twilio-Signature`.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "TWILIO_AUTH_TOKEN",
        hide_env_values = true
    )]
    pub twilio_auth_token: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct BrowserArgs {
    /// The browser: chromium (through chromedriver) or firefox (through geckodriver).
    #[arg(long, value_name = "NAME", default_value = "chromium", value_parser = parse_browser)]
    pub browser: BrowserKind,
    /// Use this WebDriver server (a Selenium Grid, a driver elsewhere) instead of starting
    /// the browser's driver.
    #[arg(long, value_name = "URL", conflicts_with = "driver")]
    pub webdriver: Option<String>,
    /// The driver to start (default: `chromedriver`, or `geckodriver` for firefox, on PATH).
    #[arg(long, value_name = "PATH")]
    pub driver: Option<PathBuf>,
    /// The browser binary (default: headless, Chromium's headless shell when installed; else
    /// the first of chromium/chrome, or firefox-esr/firefox, on PATH). `/usr/bin/chromium`
    /// walks a headless run in the full browser.
    #[arg(long, value_name = "PATH")]
    pub browser_binary: Option<PathBuf>,
    /// Show the browser window.
    #[arg(long)]
    pub headed: bool,
    /// Emulate this phone or tablet (a name from Chromium DevTools' list, like "Pixel 7" or
    /// "iPhone 14 Pro"); overrides the journeys' `device:`.
    #[arg(long, value_name = "NAME", value_parser = parse_device)]
    pub device: Option<Device>,
    /// An extra WebDriver capability, merged over vedetta's and the journeys' `capabilities:`
    /// (e.g. browserVersion='"130"', 'se:name="nightly"'); repeatable.
    #[arg(long = "capability", value_name = "KEY=JSON", value_parser = parse_capability)]
    pub capabilities: Vec<(String, serde_json::Value)>,
    /// What keeps one journey's browser state from the next: `context` (default) gives each
    /// attempt a fresh browser context in a warm browser; `session` starts a new browser for
    /// each attempt.
    #[arg(long, value_name = "HOW", default_value = "context", value_parser = parse_isolation)]
    pub isolation: Isolation,
}

#[derive(Debug, Clone, Args)]
pub struct ValidateArgs {
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub vars: VarArgs,
    /// Check without secret values: a secret that is not set is not an error (for lint jobs
    /// that hold no credentials).
    #[arg(long)]
    pub no_secrets: bool,
}

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// The page the journey starts from (default: a placeholder to change).
    #[arg(value_name = "URL")]
    pub url: Option<String>,
    /// Also write monitor.yaml, which walks journeys/*.yaml on a schedule.
    #[arg(long)]
    pub monitor: bool,
    /// Where to write journeys/ (and monitor.yaml).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite files that are already there.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Turn on a fault of the demo bank; repeatable.
    #[arg(long, value_name = "FAULT")]
    pub fault: Vec<String>,
    /// Serve the bank (and its inbox) for a person to click through; do not run a journey.
    #[arg(long)]
    pub serve: bool,
    /// Monitor the bank: walk the journey every 15 s with `vedetta monitor`'s engine and serve
    /// its status page, so you can watch it go red and green as you switch faults.
    #[arg(long, conflicts_with = "serve")]
    pub monitor: bool,
    /// Address for the bank (port 0 picks a free one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7878")]
    pub listen: String,
    /// The journey to walk.
    #[arg(
        long,
        value_name = "FILE",
        default_value = "journeys/demo-card-balance.yaml"
    )]
    pub journey: PathBuf,
    #[command(flatten)]
    pub browser: BrowserArgs,
    /// Folder for screenshots and evidence (a subfolder per run).
    #[arg(long, value_name = "DIR", default_value = "screenshots")]
    pub out: PathBuf,
    #[command(flatten)]
    pub reports: ReportArgs,
}

#[derive(Debug, Clone, Args)]
pub struct InboxArgs {
    /// Address to listen on. Loopback unless you say otherwise.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7879")]
    pub listen: String,
    /// Bearer token for runners reading codes and for the generic JSON webhook.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "VEDETTA_INBOX_TOKEN",
        hide_env_values = true
    )]
    pub token: String,
    /// Twilio auth token, to check `X-Twilio-Signature` on Twilio's webhook.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "TWILIO_AUTH_TOKEN",
        hide_env_values = true
    )]
    pub twilio_auth_token: Option<String>,
    /// The public URL Twilio posts to (signatures are computed over it), when behind a proxy.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct MonitorArgs {
    /// The monitor's configuration (journeys, schedules, alerts, storage, listen address).
    #[arg(value_name = "CONFIG")]
    pub config: PathBuf,
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub browser: BrowserArgs,
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected NAME=VALUE, got `{s}`")),
    }
}

fn parse_device(s: &str) -> Result<Device, String> {
    crate::journey::named_device(s).ok_or_else(|| {
        let help = crate::journey::suggest_device(s).unwrap_or_else(|| {
            "name one of Chromium DevTools' devices, like \"Pixel 7\" or \"iPhone 14 Pro\"".into()
        });
        format!("unknown device `{s}`; {help}")
    })
}

/// `KEY=JSON`: a capability and its value, refused when vedetta must set it itself.
fn parse_capability(s: &str) -> Result<(String, serde_json::Value), String> {
    let Some((key, json)) = s.split_once('=').filter(|(k, _)| !k.trim().is_empty()) else {
        return Err(format!(
            "expected KEY=JSON, like browserVersion='\"130\"', got `{s}`"
        ));
    };
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
        format!("the value of `{key}` is not JSON ({e}); a string needs its quotes: {key}='\"…\"'")
    })?;
    if let Some(clash) = crate::journey::clashes(key, &value).first() {
        return Err(format!(
            "capability `{}` is vedetta's to set: {}; {}",
            clash.path_text(),
            clash.why,
            clash.help
        ));
    }
    Ok((key.to_string(), value))
}

fn parse_browser(s: &str) -> Result<BrowserKind, String> {
    s.parse()
}

fn parse_isolation(s: &str) -> Result<Isolation, String> {
    s.parse()
}

fn parse_duration_arg(s: &str) -> Result<Duration, String> {
    crate::journey::parse_duration(s)
        .ok_or_else(|| format!("expected a duration like 10s, 500ms or 2m, got `{s}`"))
}

/// Parses the command line, runs the command, prints its error if it had one, and turns the
/// outcome into the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format, cli.verbose);
    let code = match run(cli.command) {
        Ok(outcome) => outcome.exit_code(),
        Err(error) => {
            commands::problem::eprint(error.problems());
            error.exit_code()
        }
    };
    ExitCode::from(u8::try_from(code).unwrap_or(u8::MAX))
}

/// Runs the command the arguments name.
fn run(command: Command) -> Result<Outcome, CommandError> {
    match command {
        Command::Run(args) => commands::run::execute(args.into()),
        Command::Validate(args) => commands::validate::execute(args.into()),
        Command::Schema => commands::schema::execute(),
        Command::Init(args) => commands::init::execute(args.into()),
        Command::Demo(args) => commands::demo::execute(args.into()),
        Command::Inbox(args) => commands::inbox::execute(args.into()),
        Command::Monitor(args) => commands::monitor::execute(args.into()),
        Command::Evidence(EvidenceCommand::Verify { dir, key }) => {
            commands::evidence::verify(&dir, key.as_deref())
        }
        Command::Evidence(EvidenceCommand::Keygen { stem }) => commands::evidence::keygen(&stem),
        Command::Maintenance(args) => {
            let target = args.api.into();
            let command = match args.action {
                MaintenanceAction::Start {
                    duration,
                    journeys,
                    reason,
                } => commands::maintenance::MaintenanceCommand::Start {
                    duration,
                    journeys,
                    reason,
                },
                MaintenanceAction::End { id } => {
                    commands::maintenance::MaintenanceCommand::End { id }
                }
                MaintenanceAction::List => commands::maintenance::MaintenanceCommand::List,
            };
            commands::maintenance::execute(target, command)
        }
        Command::Incident(args) => {
            use commands::incident::IncidentCommand;
            let target = args.api.into();
            let command = match args.action {
                IncidentAction::Open {
                    components,
                    message,
                    title,
                    state,
                    draft,
                } => IncidentCommand::Open {
                    components,
                    message,
                    title,
                    state,
                    draft,
                },
                IncidentAction::Update { id, message, state } => {
                    IncidentCommand::Update { id, message, state }
                }
                IncidentAction::Resolve { id, message } => IncidentCommand::Resolve { id, message },
                IncidentAction::Publish { id } => IncidentCommand::Publish { id },
                IncidentAction::List => IncidentCommand::List,
            };
            commands::incident::execute(target, command)
        }
    }
}

/// Logs go to stderr through `tracing`; off unless `RUST_LOG` or `--verbose` asks.
fn init_logging(format: LogFormat, verbose: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = if verbose {
        EnvFilter::new("vedetta=debug")
    } else {
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("off"))
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(commands::problem::stderr_has_colour());
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

// ---------------------------------------------------------------- arguments into configs

impl From<InitArgs> for InitConfig {
    fn from(args: InitArgs) -> InitConfig {
        InitConfig {
            url: args.url,
            monitor: args.monitor,
            dir: args.dir,
            force: args.force,
        }
    }
}

impl From<RunArgs> for RunConfig {
    fn from(args: RunArgs) -> RunConfig {
        // clap makes --inbox and --inbox-listen exclusive, each requiring --inbox-token.
        let token = args.inbox_token.unwrap_or_default();
        let sms_inbox = match (args.inbox, args.inbox_listen) {
            (Some(url), _) => SmsInbox::Remote { url, token },
            (None, Some(listen)) => SmsInbox::Serve {
                listen,
                token,
                twilio_auth_token: args.twilio_auth_token,
            },
            (None, None) => SmsInbox::None,
        };
        RunConfig {
            files: args.files,
            vars: args.vars.into(),
            browser: (&args.browser).into(),
            jobs: args.jobs as usize,
            out: args.out,
            sign_key: args.sign_key,
            reports: args.reports.into(),
            fail_on_slow: args.fail_on_slow,
            timeout: args.timeout,
            sms_inbox,
        }
    }
}

impl From<ValidateArgs> for ValidateConfig {
    fn from(args: ValidateArgs) -> ValidateConfig {
        ValidateConfig {
            files: args.files,
            vars: args.vars.into(),
            no_secrets: args.no_secrets,
        }
    }
}

impl From<DemoArgs> for DemoConfig {
    fn from(args: DemoArgs) -> DemoConfig {
        // clap makes --serve and --monitor exclusive.
        let mode = if args.serve {
            DemoMode::Serve
        } else if args.monitor {
            DemoMode::Monitor
        } else {
            DemoMode::Walk
        };
        DemoConfig {
            faults: args.fault,
            mode,
            listen: args.listen,
            journey: args.journey,
            browser: (&args.browser).into(),
            out: args.out,
            reports: args.reports.into(),
        }
    }
}

impl From<InboxArgs> for InboxCommandConfig {
    fn from(args: InboxArgs) -> InboxCommandConfig {
        InboxCommandConfig {
            listen: args.listen,
            token: args.token,
            twilio_auth_token: args.twilio_auth_token,
            public_url: args.public_url,
        }
    }
}

impl From<MonitorArgs> for MonitorCommandConfig {
    fn from(args: MonitorArgs) -> MonitorCommandConfig {
        MonitorCommandConfig {
            config: args.config,
            vars: args.vars.into(),
            browser: (&args.browser).into(),
        }
    }
}

impl From<VarArgs> for VarSources {
    fn from(args: VarArgs) -> VarSources {
        VarSources {
            vars: args.vars,
            secrets_file: args.secrets,
            allow_include_outside: args.allow_include_outside,
        }
    }
}

impl From<ReportArgs> for ReportFiles {
    fn from(args: ReportArgs) -> ReportFiles {
        ReportFiles {
            json: args.report_json,
            junit: args.junit,
            html: args.html,
        }
    }
}

impl From<&BrowserArgs> for BrowserConfig {
    fn from(b: &BrowserArgs) -> BrowserConfig {
        BrowserConfig {
            kind: b.browser,
            webdriver_url: b.webdriver.clone(),
            driver_path: b.driver.clone(),
            browser_binary: b.browser_binary.clone(),
            headed: b.headed,
            without_recording: false,
            device: b.device.clone(),
            capabilities: b.capabilities.clone(),
            isolation: b.isolation,
            secrets: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Command {
        Cli::try_parse_from(std::iter::once("vedetta").chain(args.iter().copied()))
            .expect("valid arguments")
            .command
    }

    fn run_config(args: &[&str]) -> RunConfig {
        match parse(args) {
            Command::Run(a) => a.into(),
            other => panic!("not run: {other:?}"),
        }
    }

    #[test]
    fn isolation_is_a_context_unless_session_is_asked_for() {
        let c = run_config(&["run", "a.yaml"]);
        assert_eq!(c.browser.isolation, Isolation::Context);
        let c = run_config(&["run", "a.yaml", "--isolation", "session"]);
        assert_eq!(c.browser.isolation, Isolation::Session);
        let e = Cli::try_parse_from(["vedetta", "run", "a.yaml", "--isolation", "tab"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("known: context, session"), "{e}");
    }

    #[test]
    fn run_flags_become_the_run_config() {
        let c = run_config(&[
            "run",
            "a.yaml",
            "b.yaml",
            "--var",
            "X=1=2",
            "--secrets",
            "s.yaml",
            "-j",
            "3",
            "--timeout",
            "2m",
            "--report-json",
            "r.json",
            "--junit",
            "r.xml",
            "--browser",
            "firefox",
            "--headed",
        ]);
        assert_eq!(c.files, [PathBuf::from("a.yaml"), PathBuf::from("b.yaml")]);
        assert_eq!(c.vars.vars, [("X".to_string(), "1=2".to_string())]);
        assert_eq!(c.vars.secrets_file, Some(PathBuf::from("s.yaml")));
        assert_eq!(c.jobs, 3);
        assert_eq!(c.timeout, Some(Duration::from_secs(120)));
        assert_eq!(c.out, PathBuf::from("screenshots"));
        assert_eq!(c.reports.json, Some(PathBuf::from("r.json")));
        assert_eq!(c.reports.junit, Some(PathBuf::from("r.xml")));
        assert_eq!(c.reports.html, None);
        assert_eq!(c.browser.kind, BrowserKind::Firefox);
        assert!(c.browser.headed);
        assert!(matches!(c.sms_inbox, SmsInbox::None));
        assert!(!c.fail_on_slow);
        assert!(run_config(&["run", "a.yaml", "--fail-on-slow"]).fail_on_slow);
    }

    #[test]
    fn the_inbox_flags_say_where_codes_come_from() {
        let remote = run_config(&[
            "run",
            "a.yaml",
            "--inbox",
            "http://127.0.0.1:7879",
            "--inbox-token",
            "t",
        ]);
        assert!(matches!(
            remote.sms_inbox,
            SmsInbox::Remote { ref url, ref token } if url == "http://127.0.0.1:7879" && token == "t"
        ));
        let served = run_config(&[
            "run",
            "a.yaml",
            "--inbox-listen",
            "127.0.0.1:0",
            "--inbox-token",
            "t",
            "--twilio-auth-token",
            "tw",
        ]);
        assert!(matches!(
            served.sms_inbox,
            SmsInbox::Serve { ref listen, ref token, twilio_auth_token: Some(ref tw) }
                if listen == "127.0.0.1:0" && token == "t" && tw == "tw"
        ));
    }

    #[test]
    fn device_and_capability_flags_reach_the_browser_config_or_are_refused() {
        let c = run_config(&[
            "run",
            "a.yaml",
            "--device",
            "pixel 7",
            "--capability",
            "browserVersion=\"130\"",
            "--capability",
            "goog:chromeOptions={\"args\":[\"--lang=it\"]}",
        ]);
        let device = c.browser.device.expect("a device");
        assert_eq!(
            (device.name.as_deref(), device.width),
            (Some("Pixel 7"), 412)
        );
        assert_eq!(
            c.browser.capabilities,
            [
                ("browserVersion".to_string(), serde_json::json!("130")),
                (
                    "goog:chromeOptions".to_string(),
                    serde_json::json!({"args": ["--lang=it"]})
                ),
            ]
        );
        let refused = |args: &[&str]| {
            let e = Cli::try_parse_from(std::iter::once("vedetta").chain(args.iter().copied()))
                .expect_err("refused");
            assert_eq!(e.exit_code(), 2, "invalid input");
            e.to_string()
        };
        let e = refused(&["run", "a.yaml", "--device", "Pixle 7"]);
        assert!(
            e.contains("--device") && e.contains("did you mean `Pixel 7`?"),
            "{e}"
        );
        let e = refused(&["run", "a.yaml", "--capability", "browserVersion=v130"]);
        assert!(
            e.contains("--capability") && e.contains("is not JSON"),
            "{e}"
        );
        let e = refused(&["run", "a.yaml", "--capability", "timeouts={}"]);
        assert!(
            e.contains("capability `timeouts` is vedetta's to set"),
            "{e}"
        );
        let e = refused(&["run", "a.yaml", "--capability", "=1"]);
        assert!(e.contains("expected KEY=JSON"), "{e}");
    }

    #[test]
    fn demo_flags_pick_one_mode() {
        let mode = |args: &[&str]| match parse(args) {
            Command::Demo(a) => DemoConfig::from(a).mode,
            other => panic!("not demo: {other:?}"),
        };
        assert_eq!(mode(&["demo"]), DemoMode::Walk);
        assert_eq!(mode(&["demo", "--serve"]), DemoMode::Serve);
        assert_eq!(mode(&["demo", "--monitor"]), DemoMode::Monitor);
        let both = Cli::try_parse_from(["vedetta", "demo", "--serve", "--monitor"]);
        assert!(both.is_err(), "--serve and --monitor exclude each other");
    }
}
