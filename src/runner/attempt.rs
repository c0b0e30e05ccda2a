//! One walk of a journey in a fresh browser session.

use std::path::PathBuf;
use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use super::event::Event;
use super::fail_fast::FailFast;
use super::options::RunOptions;
use super::result::{JourneyStatus, StepResult};
use crate::browser::{Selector, Session};
use crate::evidence::SecretsOnPage;
use crate::journey::model::{Journey, Variables};

/// Why the remaining steps are not walked.
pub(crate) const SKIP_AFTER_FAILURE: &str = "an earlier step failed";
pub(crate) const SKIP_INTERRUPTED: &str = "run interrupted";
pub(crate) const SKIP_SESSION_LOST: &str = "the browser session was lost";
pub(crate) const SKIP_NO_BROWSER: &str = "the browser could not start";

/// The walk's state, shared by the walker and the actions.
pub(crate) struct Attempt<'a> {
    pub journey: &'a Journey,
    pub session: &'a Session,
    pub opts: &'a RunOptions,
    pub events: &'a UnboundedSender<Event>,
    pub cancel: &'a CancellationToken,
    /// 1-based.
    pub number: u32,
    /// When this attempt began walking its steps: the SMS inbox hands out only codes that
    /// arrived after it, so a code sent to an earlier attempt or run is never taken.
    pub began: std::time::SystemTime,
    pub vars: Variables,
    pub fail_fast: FailFast,
    /// `out_dir/<run_id>/<journey>/`.
    pub evidence_dir: PathBuf,
    /// Fields filled from secrets so far.
    pub secret_fields: Vec<Selector>,
    /// The last index handed out.
    pub index: usize,
    /// How many `include`/`when` blocks deep the walk is.
    pub depth: usize,
    pub steps: Vec<StepResult>,
    /// Set once the remaining steps are to be skipped, with the reason.
    pub halted: Option<&'static str>,
    /// A non-optional step failed.
    pub failed: bool,
    /// The harness's failure that makes the attempt `error`.
    pub error: Option<String>,
    /// Failed steps, optional ones included: their evidence folder gets a manifest.
    pub failed_steps: usize,
    /// Variables a failed step would have saved → which step, for the step that reads one.
    pub unset: std::collections::BTreeMap<String, String>,
}

/// What one attempt produced.
pub(crate) struct AttemptOutcome {
    pub status: JourneyStatus,
    pub steps: Vec<StepResult>,
    pub error: Option<String>,
    pub duration_ms: u64,
    /// SHA-256 of the evidence manifest this attempt wrote (it covers earlier attempts' files);
    /// a passing attempt writes one too when an earlier attempt had sealed the folder.
    pub manifest_sha256: Option<String>,
}

impl Attempt<'_> {
    /// What screenshots must hide now.
    pub(crate) fn secrets_on_page(&self) -> SecretsOnPage {
        SecretsOnPage {
            fields: self.secret_fields.clone(),
            values: self
                .vars
                .secret_values()
                .into_iter()
                .map(str::to_string)
                .collect(),
        }
    }
}

pub(crate) async fn run_attempt(
    journey: &Journey,
    opts: &RunOptions,
    number: u32,
    events: &UnboundedSender<Event>,
    cancel: &CancellationToken,
) -> AttemptOutcome {
    let started = Instant::now();
    let started_at = super::journey::now_rfc3339();
    let evidence_dir = opts.out_dir.join(&opts.run_id).join(&journey.name);
    let vars = journey.variables.clone();

    let start = Session::start(
        &opts.browser,
        journey.viewport.width,
        journey.viewport.height,
        &journey.name,
    );
    // Dropping `start` on cancellation drops the half-started driver, which kills it.
    let session = tokio::select! {
        biased;
        _ = cancel.cancelled() => Err(None),
        r = start => r.map_err(Some),
    };
    let session = match session {
        Ok(s) => s,
        Err(e) => {
            let (reason, error) = match e {
                None => (SKIP_INTERRUPTED, "interrupted".to_string()),
                Some(e) => (SKIP_NO_BROWSER, e.to_string()),
            };
            let mut steps = Vec::new();
            super::walk::skipped_results(&journey.steps, &mut 0, 0, reason, &mut steps);
            for s in &steps {
                let _ = events.send(Event::StepFinished {
                    journey: journey.name.clone(),
                    step: s.clone(),
                });
            }
            return AttemptOutcome {
                status: JourneyStatus::Error,
                steps,
                error: Some(vars.mask(&error)),
                duration_ms: started.elapsed().as_millis() as u64,
                manifest_sha256: None,
            };
        }
    };

    let mut attempt = Attempt {
        journey,
        session: &session,
        opts,
        events,
        cancel,
        number,
        began: std::time::SystemTime::now(),
        fail_fast: FailFast::new(&journey.fail_fast, &vars),
        vars,
        evidence_dir,
        secret_fields: Vec::new(),
        index: 0,
        depth: 0,
        steps: Vec::new(),
        halted: None,
        failed: false,
        error: None,
        failed_steps: 0,
        unset: Default::default(),
    };
    attempt.walk(&journey.steps).await;

    let Attempt {
        mut steps,
        failed,
        error,
        halted,
        vars,
        failed_steps,
        evidence_dir,
        ..
    } = attempt;
    let interrupted = halted == Some(SKIP_INTERRUPTED) || cancel.is_cancelled();
    let (browser_name, browser_version, driver) = session.describe();
    // Nothing to ask politely when interrupted or when the session is already gone.
    if interrupted || halted == Some(SKIP_SESSION_LOST) {
        session.kill().await;
    } else {
        session.close().await;
    }
    let mut manifest_sha256 = None;
    // The journey's attempts share one evidence folder. An attempt with a failure seals it, and
    // so does one that kept a screenshot (a named `screenshot:` — proof of what the customer
    // saw when all went well — or `every_step`); so does any later attempt once it is sealed:
    // the files it added are covered and the folder verifies intact.
    let manifest = evidence_dir.join(crate::evidence::manifest::MANIFEST_FILE);
    let sealed_before = manifest.is_file();
    let kept_screenshots = steps.iter().any(|s| s.screenshot.is_some());
    if (failed_steps > 0 || kept_screenshots || sealed_before) && evidence_dir.is_dir() {
        // The folder's evidence began with the first attempt that sealed it.
        let started_at = sealed_before
            .then(|| crate::evidence::manifest::read_manifest(&evidence_dir).ok())
            .flatten()
            .map(|m| m.meta.started_at)
            .unwrap_or(started_at);
        let meta = crate::evidence::manifest::ManifestMeta {
            vedetta_version: env!("CARGO_PKG_VERSION").to_string(),
            browser_name,
            browser_version,
            driver: match &opts.browser.webdriver_url {
                Some(url) => format!("{driver} at {}", without_credentials(url)),
                None => driver,
            },
            host: crate::evidence::manifest::ManifestMeta::host_name(),
            started_at,
            finished_at: super::journey::now_rfc3339(),
        };
        let dir = evidence_dir.clone();
        // Hashing every file is blocking work.
        let written = tokio::task::spawn_blocking(move || {
            crate::evidence::manifest::write_manifest(&dir, &meta)
        })
        .await;
        match written {
            Ok(Ok(sha)) => manifest_sha256 = Some(sha),
            Ok(Err(e)) => {
                tracing::warn!(journey = %journey.name, "could not write the evidence manifest: {e}")
            }
            Err(_) => {}
        }
    }
    if let Some(sha) = &manifest_sha256 {
        seal_failures(&mut steps, sha);
    }
    let (status, error) = if interrupted {
        (JourneyStatus::Error, Some("interrupted".to_string()))
    } else if let Some(e) = error {
        (JourneyStatus::Error, Some(vars.mask(&e)))
    } else if failed {
        (JourneyStatus::Failed, None)
    } else {
        (JourneyStatus::Passed, None)
    };
    AttemptOutcome {
        status,
        steps,
        error,
        duration_ms: started.elapsed().as_millis() as u64,
        manifest_sha256,
    }
}

/// Records the evidence manifest's hash on every failure whose evidence it seals.
pub(crate) fn seal_failures(steps: &mut [StepResult], manifest_sha256: &str) {
    for f in steps.iter_mut().filter_map(|s| s.failure.as_mut()) {
        if f.evidence.is_some() {
            f.evidence_sha256 = Some(manifest_sha256.to_string());
        }
    }
}

/// A WebDriver URL without the user and password a grid's URL may carry.
fn without_credentials(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_password(None);
            let _ = u.set_username("");
            u.to_string()
        }
        Err(_) => "(unparsable URL)".to_string(),
    }
}
