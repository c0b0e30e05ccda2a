//! The run pipeline shared by `vedetta run` and `vedetta demo`: nothing starts a browser until
//! every file is valid; the console reporter follows the runner's events; the reports are
//! written whatever happens, Ctrl-C and SIGTERM included.

use std::path::{Path, PathBuf};
use std::time::Instant;

use tokio_util::sync::CancellationToken;

use super::journeys::{
    browser_mismatches, hide_webdriver_credentials, load_journey, misspelt_vars, same_names,
    short_secrets, unreachable_slow,
};
use super::signal::wait_for_signal;
use super::{CommandError, Outcome, Problem, problem};
use crate::browser::BrowserConfig;
use crate::evidence::signature::SealKey;
use crate::journey::LoadOptions;
use crate::journey::model::{Action, Journey, OtpSource, Step};
use crate::otp::OtpSources;
use crate::report::console::ConsoleReporter;
use crate::runner::event::Reporter;
use crate::runner::result::RunReport;
use crate::runner::{self, RunOptions};

/// The report files a run writes; `None`: not asked for.
#[derive(Debug, Clone, Default)]
pub struct ReportFiles {
    pub json: Option<PathBuf>,
    pub junit: Option<PathBuf>,
    pub html: Option<PathBuf>,
}

/// Everything a run needs besides the journey files.
pub struct RunSetup {
    pub load: LoadOptions,
    pub browser: BrowserConfig,
    pub jobs: usize,
    pub out: PathBuf,
    pub reports: ReportFiles,
    /// `--fail-on-slow`: a journey that passed but was slow exits 1.
    pub fail_on_slow: bool,
    pub otp: OtpSources,
    pub sign_key: Option<SealKey>,
}

/// Validates every file, runs them, reports. Ok: how the run came out; Err: invalid files
/// (nothing ran) or a report that could not be written.
pub async fn run_journeys(files: &[PathBuf], setup: RunSetup) -> Result<Outcome, CommandError> {
    let (journeys, warnings) = checked_journeys(files, &setup)?;
    problem::eprint(&warnings);

    let started = Instant::now();
    let started_at = jiff::Timestamp::now();
    let run_id = crate::time::folder_stamp(started_at);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let parallel = setup.jobs > 1 && journeys.len() > 1;
    let fail_on_slow = setup.fail_on_slow;
    let console = tokio::task::spawn_blocking(move || {
        let mut console = ConsoleReporter::stdout(parallel);
        while let Some(event) = rx.blocking_recv() {
            console.on_event(&event);
        }
        console
    });

    let cancel = CancellationToken::new();
    let signal = tokio::spawn(cancel_on_signal(cancel.clone()));
    let options = RunOptions {
        browser: setup.browser,
        jobs: setup.jobs,
        out_dir: setup.out,
        run_id,
        otp: setup.otp,
        sign_key: setup.sign_key,
        browsers: None,
    };
    let mut report = runner::run(journeys, options, tx, cancel.clone()).await;
    let interrupted = if cancel.is_cancelled() {
        signal.await.ok()
    } else {
        signal.abort();
        None
    };
    report.started_at = crate::time::rfc3339(started_at);
    report.duration_ms = started.elapsed().as_millis() as u64;
    report.interrupted = interrupted.map(|s| s.name().to_string());

    let mut console = match console.await {
        Ok(c) => c,
        Err(_) => ConsoleReporter::stdout(parallel),
    };
    let _ = console.run_summary(&report);
    write_reports(&report, &setup.reports)?;
    Ok(match interrupted {
        Some(signal) => Outcome::Interrupted(signal),
        None => Outcome::Ran(report.exit_code_with(fail_on_slow)),
    })
}

/// Every file loaded and checked for what would spoil the run: the journeys and the warnings
/// to say before it. Any error and nothing runs (the warnings are said with the errors, in the
/// order found).
fn checked_journeys(
    files: &[PathBuf],
    setup: &RunSetup,
) -> Result<(Vec<Journey>, Vec<Problem>), CommandError> {
    let mut problems = Vec::new();
    let mut journeys: Vec<Journey> = files
        .iter()
        .filter_map(|file| load_journey(file, &setup.load, &mut problems))
        .collect();
    problems.extend(browser_mismatches(&journeys, &setup.browser));
    if let Some((first, second)) = same_names(&journeys).first() {
        problems.push(Problem::error(format!(
            "{} and {} are both named `{}`; names identify journeys in reports and folders",
            first.file.display(),
            second.file.display(),
            first.name
        )));
    }
    problems.extend(misspelt_vars(&journeys, &setup.load.cli_vars));
    problems.extend(short_secrets(&journeys));
    problems.extend(unreachable_slow(&journeys));
    if setup.otp.sms.is_none() {
        for step in journeys.iter().flat_map(|j| sms_steps(&j.steps)) {
            problems.push(Problem::error(format!(
                "`otp: {{from: sms}}` needs an SMS inbox\n --> {}\n  = help: pass --inbox-listen ADDR --inbox-token T to serve one for this run, or --inbox URL --inbox-token T for a `vedetta inbox` elsewhere\n",
                step.location
            )));
        }
    }
    if problems.iter().any(|p| !matches!(p, Problem::Warning(_))) {
        return Err(CommandError::Invalid(problems));
    }
    hide_webdriver_credentials(&mut journeys, &setup.browser);
    Ok((journeys, problems))
}

/// Writes every report asked for. Err says each that could not be written.
fn write_reports(report: &RunReport, files: &ReportFiles) -> Result<(), CommandError> {
    type Writer = fn(&RunReport, &Path) -> std::io::Result<()>;
    let wanted: [(&str, &Option<PathBuf>, Writer); 3] = [
        ("JSON", &files.json, crate::report::json::write),
        ("JUnit", &files.junit, crate::report::junit::write),
        ("HTML", &files.html, crate::report::html::write),
    ];
    let mut problems = Vec::new();
    for (kind, path, write) in wanted {
        if let Some(path) = path
            && let Err(e) = write(report, path)
        {
            problems.push(Problem::error(format!(
                "cannot write the {kind} report to {}: {e}",
                path.display()
            )));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CommandError::Harness(problems))
    }
}

/// Waits for Ctrl-C or SIGTERM, says it, and cancels the run.
async fn cancel_on_signal(cancel: CancellationToken) -> super::signal::Signal {
    let signal = wait_for_signal().await;
    eprintln!(
        "\n{}: stopping; the steps done so far are kept",
        signal.name()
    );
    cancel.cancel();
    signal
}

/// Every `otp: {from: sms}` step, inside include and when blocks too.
fn sms_steps(steps: &[Step]) -> Vec<&Step> {
    Step::all(steps)
        .into_iter()
        .filter(|s| matches!(&s.action, Action::Otp(otp) if matches!(otp.source, OtpSource::Sms { .. })))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(env: &[(&str, &str)]) -> RunSetup {
        RunSetup {
            load: LoadOptions::with_env(env.iter().map(|(k, v)| (k.to_string(), v.to_string()))),
            browser: BrowserConfig::default(),
            jobs: 1,
            out: PathBuf::from("unused"),
            reports: ReportFiles::default(),
            fail_on_slow: false,
            otp: OtpSources::default(),
            sign_key: None,
        }
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn empty_report() -> RunReport {
        RunReport {
            vedetta_version: "0.1.0".into(),
            started_at: "2026-01-01T00:00:00Z".into(),
            duration_ms: 0,
            interrupted: None,
            journeys: Vec::new(),
        }
    }

    fn rendered(e: CommandError) -> Vec<String> {
        assert_eq!(e.exit_code(), 2, "invalid input");
        e.problems().iter().map(|p| p.render(false)).collect()
    }

    #[test]
    fn every_problem_is_said_in_the_order_found_and_nothing_runs() {
        let dir = tempfile::tempdir().unwrap();
        let short = "name: short\nsecrets: [PIN]\nsteps:\n  - open: http://127.0.0.1/${PIN}\n";
        let files = [
            write(dir.path(), "a.yaml", "name: a\nsteps:\n  - clik: '#x'\n"),
            write(dir.path(), "b.yaml", short),
            write(dir.path(), "c.yaml", short),
            write(
                dir.path(),
                "d.yaml",
                "name: d\nsteps:\n  - otp: {from: sms, to: '+393330000001', save_as: CODE}\n",
            ),
        ];
        let problems = rendered(checked_journeys(&files, &setup(&[("PIN", "12")])).unwrap_err());
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(
            problems[0].contains("unknown key `clik`"),
            "{}",
            problems[0]
        );
        assert_eq!(
            problems[1],
            format!(
                "error: {} and {} are both named `short`; names identify journeys in reports and folders",
                files[1].display(),
                files[2].display()
            )
        );
        assert!(
            problems[2].starts_with("warning: secret PIN is only 2 characters long"),
            "{}",
            problems[2]
        );
        assert!(
            problems[3].starts_with("error: `otp: {from: sms}` needs an SMS inbox\n --> "),
            "{}",
            problems[3]
        );
        assert!(problems[3].contains("d.yaml:3:"), "{}", problems[3]);
    }

    #[test]
    fn warnings_alone_let_the_run_go_on() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(
            dir.path(),
            "j.yaml",
            "name: j\nsecrets: [PIN]\nsteps:\n  - open: http://127.0.0.1/${PIN}\n",
        );
        let (journeys, warnings) = checked_journeys(&[file], &setup(&[("PIN", "12")])).unwrap();
        assert_eq!(journeys.len(), 1);
        assert_eq!(warnings.len(), 1);
        assert!(matches!(&warnings[0], Problem::Warning(w) if w.starts_with("secret PIN")));
    }

    #[test]
    fn a_report_that_cannot_be_written_is_a_harness_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        // A file where the report's folder would be.
        std::fs::write(dir.path().join("file"), b"").unwrap();
        let nowhere = dir.path().join("file/report.json");
        let files = ReportFiles {
            json: Some(nowhere.clone()),
            ..ReportFiles::default()
        };
        let e = write_reports(&empty_report(), &files).unwrap_err();
        assert_eq!(e.exit_code(), 3);
        let said = e.problems()[0].render(false);
        assert!(
            said.starts_with(&format!(
                "error: cannot write the JSON report to {}: ",
                nowhere.display()
            )),
            "{said}"
        );
        write_reports(&empty_report(), &ReportFiles::default()).unwrap();
    }
}
