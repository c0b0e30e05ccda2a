//! A finished run as the monitor keeps it: the runner's result turned into the history's row,
//! the metrics' sample and the console's line. Pure: the daemon does the running and the I/O.

use super::metrics::RunSample;
use super::store::{FailureRecord, NewRun, RunStatus, StepRecord};
use crate::runner::result::{JourneyResult, JourneyStatus, StepStatus};
use crate::time::rfc3339_ms as rfc3339;

/// What the daemon knows of a run besides the runner's result.
#[derive(Debug, Clone)]
pub struct Finished {
    pub journey: String,
    /// The run's folder under the evidence root: `<journey>/<run folder>`.
    pub evidence_key: String,
    pub started_ms: i64,
    pub finished_ms: i64,
    /// The daemon was shutting down: a run cut short is `cancelled`, not `error`.
    pub shutting_down: bool,
    /// The run's evidence folder, when the runner sealed one — a failure's, or a passing run's
    /// kept screenshots.
    pub sealed_evidence: Option<String>,
    /// A maintenance window was open when it started.
    pub maintenance: bool,
}

/// The run as the store records it. A run cut short by shutdown is `cancelled`.
pub fn new_run(run: Finished, result: Option<&JourneyResult>) -> NewRun {
    let Some(result) = result else {
        return NewRun {
            journey: run.journey,
            location: String::new(),
            evidence_key: run.evidence_key,
            started_at_ms: run.started_ms,
            finished_at_ms: run.finished_ms,
            duration_ms: (run.finished_ms - run.started_ms).max(0) as u64,
            status: if run.shutting_down {
                RunStatus::Cancelled
            } else {
                RunStatus::Error
            },
            attempts: 0,
            error: Some("internal error: the runner returned no result".into()),
            failure: None,
            steps: Vec::new(),
            evidence: run.sealed_evidence,
            degraded: false,
            slow: Vec::new(),
            maintenance: run.maintenance,
        };
    };
    let status = match result.status {
        JourneyStatus::Passed => RunStatus::Passed,
        JourneyStatus::Flaky => RunStatus::Flaky,
        JourneyStatus::Failed => RunStatus::Failed,
        JourneyStatus::Error if run.shutting_down => RunStatus::Cancelled,
        JourneyStatus::Error => RunStatus::Error,
    };
    // The step that failed the journey: the first failed step that was not optional.
    let failed = result
        .steps
        .iter()
        .find(|s| s.status == StepStatus::Failed && !s.optional)
        .filter(|_| status == RunStatus::Failed);
    let failure = failed.and_then(|s| {
        let f = s.failure.as_ref()?;
        Some(FailureRecord {
            step_index: s.index,
            step_name: s.name.clone(),
            category: f.category.as_str().to_string(),
            message: f.message.clone(),
            url: f.url.clone(),
            screenshot: f.screenshot.clone(),
            evidence: f.evidence.clone(),
        })
    });
    NewRun {
        journey: run.journey,
        location: String::new(),
        evidence_key: run.evidence_key,
        started_at_ms: run.started_ms,
        finished_at_ms: run.finished_ms,
        // The site's time: the wait for a browser to start is reported apart
        // (`vedetta_browser_start_seconds`).
        duration_ms: result.duration_ms.saturating_sub(result.browser_start_ms),
        status,
        attempts: result.attempts,
        error: result.error.clone(),
        failure,
        steps: result
            .steps
            .iter()
            .map(|s| StepRecord {
                index: s.index,
                name: s.name.clone(),
                action: s.action.clone(),
                status: s.status.as_str().to_string(),
                duration_ms: s.duration_ms,
                category: s.failure.as_ref().map(|f| f.category.as_str().to_string()),
                message: s.failure.as_ref().map(|f| f.message.clone()),
                screenshot: s
                    .failure
                    .as_ref()
                    .and_then(|f| f.screenshot.clone())
                    .or_else(|| s.screenshot.clone()),
                component: Some(s.component.clone()),
            })
            .collect(),
        evidence: run.sealed_evidence,
        degraded: result.degraded && matches!(status, RunStatus::Passed | RunStatus::Flaky),
        slow: result.slow.clone(),
        maintenance: run.maintenance,
    }
}

/// The run as `/metrics` counts it: the steps it walked, with their times, and the time to
/// first byte of each document a step of `result` loaded.
pub fn metrics_sample<'a>(run: &'a NewRun, result: Option<&JourneyResult>) -> RunSample<'a> {
    RunSample {
        status: run.status.as_str(),
        finished_s: run.finished_at_ms as f64 / 1000.0,
        duration_s: run.duration_ms as f64 / 1000.0,
        failure_category: run.failure.as_ref().map(|f| f.category.as_str()),
        steps: run
            .steps
            .iter()
            .filter(|s| s.status != "skipped")
            .map(|s| (s.index, s.name.clone(), s.duration_ms as f64 / 1000.0))
            .collect(),
        ttfb: result
            .into_iter()
            .flat_map(|r| &r.steps)
            .filter_map(|s| {
                let ttfb = s.timing?.ttfb_ms?;
                Some((s.index, s.name.clone(), ttfb as f64 / 1000.0))
            })
            .collect(),
    }
}

/// The daemon's console line for a recorded run:
/// `2026-11-25T11:32:12Z card run 42 failed in 12.3s — step 6 "wait": otp_not_received`.
pub fn console_line(run: &NewRun, run_id: i64) -> String {
    let what = match (&run.failure, &run.error, run.slow.first()) {
        (Some(f), _, _) => format!(
            " — step {} \"{}\": {}",
            f.step_index, f.step_name, f.category
        ),
        (None, Some(e), _) => format!(" — {e}"),
        (None, None, Some(slow)) if run.degraded => {
            format!(" — slow: {}", super::notify::slow_summary(slow))
        }
        _ => String::new(),
    };
    format!(
        "{} {} run {run_id} {} in {:.1}s{what}{}",
        rfc3339(run.finished_at_ms),
        run.journey,
        run.status.as_str(),
        run.duration_ms as f64 / 1000.0,
        if run.maintenance {
            " (maintenance: no alert)"
        } else {
            ""
        }
    )
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::runner::result::{Failure, FailureCategory, StepResult};

    pub(in crate::monitor) fn finished(sealed_evidence: Option<&str>) -> Finished {
        Finished {
            journey: "card".into(),
            evidence_key: "card/20261125T113000-000".into(),
            started_ms: 1_000_000,
            finished_ms: 1_012_340,
            shutting_down: false,
            sealed_evidence: sealed_evidence.map(str::to_string),
            maintenance: false,
        }
    }

    pub(in crate::monitor) fn step(index: usize, status: StepStatus) -> StepResult {
        StepResult {
            index,
            depth: 0,
            name: format!("step {index}"),
            action: "click".into(),
            component: "Journey".into(),
            file: "journeys/card.yaml".into(),
            line: 10 + index,
            column: 5,
            status,
            duration_ms: 100 * index as u64,
            optional: false,
            failure: None,
            skip_reason: None,
            screenshot: None,
            timing: None,
            slow_threshold_ms: None,
            log: None,
            warnings: Vec::new(),
        }
    }

    pub(in crate::monitor) fn failure(category: FailureCategory, message: &str) -> Failure {
        Failure {
            category,
            message: message.into(),
            screenshot: Some("/data/evidence/card/f/card/02-fail.png".into()),
            evidence: Some("/data/evidence/card/f/card".into()),
            signature: None,
            url: Some("http://127.0.0.1:7878/login".into()),
            page_says: None,
            console: Vec::new(),
            evidence_sha256: None,
            requests: Vec::new(),
            waterfall: Vec::new(),
        }
    }

    pub(in crate::monitor) fn result(
        status: JourneyStatus,
        steps: Vec<StepResult>,
    ) -> JourneyResult {
        JourneyResult {
            name: "card".into(),
            title: None,
            file: "journeys/card.yaml".into(),
            status,
            attempts: 1,
            started_at: "2026-11-25T11:30:00Z".into(),
            duration_ms: 12_000,
            steps,
            error: None,
            previous_attempts: Vec::new(),
            degraded: false,
            slow: Vec::new(),
            browser_start_ms: 0,
            device: None,
        }
    }

    #[test]
    fn a_run_s_duration_is_the_site_s_time_without_the_browser_s_start() {
        let mut r = result(JourneyStatus::Passed, vec![step(1, StepStatus::Passed)]);
        r.browser_start_ms = 2_500;
        let run = new_run(finished(None), Some(&r));
        assert_eq!(run.duration_ms, 12_000 - 2_500);
    }

    #[test]
    fn the_failure_is_the_first_failed_step_that_was_not_optional() {
        let mut optional = step(1, StepStatus::Failed);
        optional.optional = true;
        optional.failure = Some(failure(FailureCategory::ElementMissing, "no banner"));
        let mut failed = step(2, StepStatus::Failed);
        failed.failure = Some(failure(FailureCategory::Outage, "503"));
        let skipped = step(3, StepStatus::Skipped);
        let r = result(JourneyStatus::Failed, vec![optional, failed, skipped]);
        let run = new_run(finished(Some("/data/evidence/card/f/card")), Some(&r));
        assert_eq!(run.status, RunStatus::Failed);
        let f = run.failure.as_ref().expect("a failure");
        assert_eq!((f.step_index, f.category.as_str()), (2, "outage"));
        assert_eq!(f.message, "503");
        assert_eq!(f.url.as_deref(), Some("http://127.0.0.1:7878/login"));
        assert_eq!(run.duration_ms, 12_000, "the runner's duration");
        assert_eq!(run.steps.len(), 3, "every step is recorded");
        assert_eq!(run.steps[0].category.as_deref(), Some("element_missing"));
        assert_eq!(
            run.steps[1].screenshot.as_deref(),
            Some("/data/evidence/card/f/card/02-fail.png"),
            "a failed step's screenshot is its failure's"
        );
        assert_eq!(run.steps[2].status, "skipped");
        // Metrics count the steps walked, and the failure's category.
        let sample = metrics_sample(&run, Some(&r));
        assert_eq!(sample.failure_category, Some("outage"));
        assert_eq!(
            sample.steps.iter().map(|s| s.0).collect::<Vec<_>>(),
            vec![1, 2]
        );
        assert_eq!(
            console_line(&run, 42),
            "1970-01-01T00:16:52Z card run 42 failed in 12.0s — step 2 \"step 2\": outage"
        );
    }

    #[test]
    fn a_flaky_run_has_no_failure_and_keeps_its_named_screenshots() {
        let mut shot = step(1, StepStatus::Passed);
        shot.screenshot = Some("/data/evidence/card/f/card/01-balance.png".into());
        let mut r = result(JourneyStatus::Flaky, vec![shot]);
        r.attempts = 2;
        let run = new_run(finished(Some("/data/evidence/card/f/card")), Some(&r));
        assert_eq!((run.status, run.attempts), (RunStatus::Flaky, 2));
        assert!(run.failure.is_none());
        assert_eq!(
            run.steps[0].screenshot.as_deref(),
            Some("/data/evidence/card/f/card/01-balance.png")
        );
        assert_eq!(
            run.evidence.as_deref(),
            Some("/data/evidence/card/f/card"),
            "a passing run's sealed folder is recorded too"
        );
    }

    #[test]
    fn an_error_is_cancelled_only_while_shutting_down() {
        let mut r = result(JourneyStatus::Error, vec![step(1, StepStatus::Skipped)]);
        r.error = Some("interrupted".into());
        let run = new_run(finished(None), Some(&r));
        assert_eq!(run.status, RunStatus::Error);
        assert_eq!(
            console_line(&run, 7),
            "1970-01-01T00:16:52Z card run 7 error in 12.0s — interrupted"
        );
        let stopping = Finished {
            shutting_down: true,
            ..finished(None)
        };
        assert_eq!(
            new_run(stopping.clone(), Some(&r)).status,
            RunStatus::Cancelled
        );
        // No result at all: an error of the harness (cancelled when stopping), timed by the
        // daemon's clock.
        let lost = new_run(finished(None), None);
        assert_eq!(lost.status, RunStatus::Error);
        assert_eq!(lost.duration_ms, 12_340);
        assert!(lost.error.unwrap().contains("no result"));
        assert_eq!(new_run(stopping, None).status, RunStatus::Cancelled);
    }

    #[test]
    fn a_failed_step_of_a_passing_run_is_no_failure() {
        // An optional step failed, the journey passed.
        let mut optional = step(1, StepStatus::Failed);
        optional.optional = true;
        optional.failure = Some(failure(FailureCategory::ElementMissing, "no banner"));
        let r = result(JourneyStatus::Passed, vec![optional]);
        let run = new_run(finished(None), Some(&r));
        assert_eq!(run.status, RunStatus::Passed);
        assert!(run.failure.is_none());
        assert_eq!(metrics_sample(&run, Some(&r)).failure_category, None);
    }
}
