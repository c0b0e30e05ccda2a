//! One attempt at a journey: a fresh page, the walk, the page closed, the evidence sealed.

use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use super::event::Event;
use super::options::RunOptions;
use super::page::{Browser, Page};
use super::result::{JourneyStatus, StepResult};
use super::walk::{Halt, Walked, Walker, skipped_results};
use crate::evidence::EvidenceFolder;
use crate::evidence::manifest::ManifestMeta;
use crate::journey::model::Journey;
use crate::time::now_rfc3339;

/// Why the steps are not walked when no browser could be had.
const SKIP_NO_BROWSER: &str = "the browser could not start";

/// What one attempt produced.
pub(crate) struct AttemptOutcome {
    pub status: JourneyStatus,
    pub steps: Vec<StepResult>,
    pub error: Option<String>,
    pub duration_ms: u64,
    /// SHA-256 of the evidence manifest this attempt wrote (it covers earlier attempts' files);
    /// a passing attempt writes one too when an earlier attempt had sealed the folder.
    pub manifest_sha256: Option<String>,
    /// How long the attempt waited for a browser to start (0: a warm one).
    pub browser_start_ms: u64,
}

/// Attempt `number` (1-based) at `journey` in a page `browser` starts.
pub(crate) async fn run_attempt<B: Browser>(
    journey: &Journey,
    browser: &B,
    opts: &RunOptions,
    number: u32,
    events: &UnboundedSender<Event>,
    cancel: &CancellationToken,
) -> AttemptOutcome {
    let started = Instant::now();
    let started_at = now_rfc3339();
    let evidence = EvidenceFolder {
        dir: opts.out_dir.join(&opts.run_id).join(&journey.name),
        attempt: number,
    };

    // Dropping `start` on cancellation drops the half-started driver, which kills it.
    let page = tokio::select! {
        biased;
        _ = cancel.cancelled() => Err(None),
        r = browser.start(journey) => r.map_err(Some),
    };
    let page = match page {
        Ok(p) => p,
        Err(e) => {
            let (reason, error) = match e {
                None => (Halt::Interrupted.reason(), "interrupted".to_string()),
                Some(e) => (SKIP_NO_BROWSER, e.to_string()),
            };
            let mut steps = Vec::new();
            skipped_results(&journey.steps, &mut 0, 0, reason, &mut steps);
            for s in &steps {
                let _ = events.send(Event::StepFinished {
                    journey: journey.name.clone(),
                    step: s.clone(),
                });
            }
            return AttemptOutcome {
                status: JourneyStatus::Error,
                steps,
                error: Some(journey.variables.mask(&error)),
                duration_ms: started.elapsed().as_millis() as u64,
                manifest_sha256: None,
                browser_start_ms: 0,
            };
        }
    };

    let browser_start_ms = page.browser_start().as_millis() as u64;
    let walker = Walker::new(journey, &page, &opts.otp, events, cancel, evidence.clone());
    let Walked {
        mut steps,
        halted,
        failed,
        error,
        any_step_failed,
    } = walker.walk().await;

    let interrupted = halted == Some(Halt::Interrupted) || cancel.is_cancelled();
    let (browser_name, browser_version, driver) = page.describe();
    // Nothing to ask politely when interrupted or when the session is already gone.
    if interrupted || halted == Some(Halt::SessionLost) {
        page.kill().await;
    } else {
        page.close().await;
    }
    // The journey's attempts share one evidence folder. An attempt with a failure seals it, and
    // so does one that kept a screenshot (a named `screenshot:` — proof of what the customer
    // saw when all went well — or `every_step`); so does any later attempt once it is sealed.
    let kept_screenshots = steps.iter().any(|s| s.screenshot.is_some());
    let meta = ManifestMeta {
        vedetta_version: env!("CARGO_PKG_VERSION").to_string(),
        browser_name,
        browser_version,
        driver: match &opts.browser.webdriver_url {
            Some(url) => format!("{driver} at {}", without_credentials(url)),
            None => driver,
        },
        host: ManifestMeta::host_name(),
        started_at,
        finished_at: now_rfc3339(),
    };
    let manifest_sha256 = crate::evidence::seal_folder(
        evidence.dir,
        any_step_failed || kept_screenshots,
        meta,
        opts.sign_key.clone(),
    )
    .await
    .unwrap_or_else(|e| {
        tracing::warn!(journey = %journey.name, "could not write the evidence manifest: {e}");
        None
    });
    if let Some(sha) = &manifest_sha256 {
        seal_failures(&mut steps, sha);
    }
    let (status, error) = if interrupted {
        (JourneyStatus::Error, Some("interrupted".to_string()))
    } else if let Some(e) = error {
        (JourneyStatus::Error, Some(e))
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
        browser_start_ms,
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
            // `?access_key=…` and the like too.
            crate::browser::redact_url(u.as_str())
        }
        Err(_) => "(unparsable URL)".to_string(),
    }
}
