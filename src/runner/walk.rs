//! Walks the steps in order (include and when blocks in place), numbering, timing and
//! reporting each, skipping the rest after a failure.

use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use tracing::Instrument;

use super::actions::{Children, Done};
use super::attempt::{Attempt, SKIP_AFTER_FAILURE, SKIP_INTERRUPTED, SKIP_SESSION_LOST};
use super::event::Event;
use super::failure::StepFailure;
use super::result::{FailureCategory, StepResult, StepStatus};
use crate::browser::ProbeRequest;
use crate::journey::model::{Action, ScreenshotPolicy, Step};

/// Beyond its own timeout, how long a step may take before the browser is deemed hung.
const HUNG_BROWSER_GRACE: Duration = Duration::from_secs(30);
/// How long a screenshot or a last look at the page may take.
const EVIDENCE_TIMEOUT: Duration = Duration::from_secs(10);

impl<'a> Attempt<'a> {
    pub(crate) fn walk<'s>(&'s mut self, steps: &'s [Step]) -> BoxFuture<'s, ()> {
        Box::pin(async move {
            for step in steps {
                self.index += 1;
                let index = self.index;
                if self.halted.is_none() && self.cancel.is_cancelled() {
                    self.halted = Some(SKIP_INTERRUPTED);
                }
                if let Some(reason) = self.halted {
                    self.report(skipped(step, index, self.depth, reason));
                    self.skip_children(step, reason);
                    continue;
                }
                self.walk_one(step, index).await;
            }
        })
    }

    /// Walks one step inside its `step` span: what it does, its evidence and its result's log
    /// line (an include's or when's inner steps nest inside it).
    async fn walk_one(&mut self, step: &Step, index: usize) {
        let span = tracing::info_span!("step", index, step = %step.display_name());
        self.walk_one_in_span(step, index).instrument(span).await
    }

    async fn walk_one_in_span(&mut self, step: &Step, index: usize) {
        let name = step.display_name();
        let _ = self.events.send(Event::StepStarted {
            journey: self.journey.name.clone(),
            index,
            name: name.clone(),
        });
        let started = Instant::now();
        let guard = step_budget(step, self.journey.timeout) + HUNG_BROWSER_GRACE;
        let outcome = if let Some(f) = self.unset_variable(step) {
            Some(Err(f))
        } else {
            let exec = tokio::time::timeout(guard, self.execute(step, index));
            tokio::select! {
            biased;
            _ = self.cancel.cancelled() => None,
            r = exec => Some(r.unwrap_or_else(|_| {
                let mut f = StepFailure::new(
                    FailureCategory::Infrastructure,
                    "the browser stopped answering",
                );
                f.session_lost = true;
                Err(f)
            })),
            }
        };
        let duration_ms = started.elapsed().as_millis() as u64;
        // The failure moment, before the fail_fast check and the evidence work that follow.
        let ended_at = jiff::Timestamp::now();
        let Some(outcome) = outcome else {
            // Interrupted mid-step: the step and the rest are skipped.
            self.halted = Some(SKIP_INTERRUPTED);
            self.report(skipped(step, index, self.depth, SKIP_INTERRUPTED));
            self.skip_children(step, SKIP_INTERRUPTED);
            return;
        };
        let mut result = base_result(step, index, self.depth);
        result.duration_ms = duration_ms;
        match outcome {
            Ok(done) => self.passed(step, index, result, done).await,
            Err(f) => self.failed(step, index, result, f, ended_at).await,
        }
    }

    /// A variable the step reads that no earlier step managed to set (an optional step that
    /// saves it failed, or its block did not run): the step would run with an empty value.
    fn unset_variable(&self, step: &Step) -> Option<StepFailure> {
        let used = super::unset::used_variables(step, self.journey.base_url.as_ref());
        let name = used.into_iter().find(|v| self.vars.get(v).is_none())?;
        let why = self
            .unset
            .get(name)
            .map(String::as_str)
            .unwrap_or("the step that saves it did not run");
        Some(StepFailure::new(
            FailureCategory::Assertion,
            format!("variable {name} was never set: {why}"),
        ))
    }

    async fn passed(&mut self, step: &Step, index: usize, mut result: StepResult, done: Done) {
        let Done {
            saves,
            secret_fields,
            screenshot,
            children,
        } = done;
        for (name, value, secret) in saves {
            if secret {
                self.vars.set_secret(name, value);
            } else {
                self.vars.set(name, value);
            }
        }
        self.secret_fields.extend(secret_fields);
        result.status = StepStatus::Passed;
        result.screenshot = screenshot;
        let is_block = matches!(step.action, Action::Include { .. } | Action::When { .. });
        if result.screenshot.is_none()
            && !is_block
            && self.journey.screenshots == ScreenshotPolicy::EveryStep
        {
            result.screenshot = self.take_screenshot(index, &step.display_name()).await;
        }
        self.report(result);
        match children {
            Children::None => {}
            Children::Run => {
                self.depth += 1;
                self.walk(step.inner_steps()).await;
                self.depth -= 1;
            }
            Children::Skip(reason) => {
                let mut out = Vec::new();
                skipped_results(
                    step.inner_steps(),
                    &mut self.index,
                    self.depth + 1,
                    reason,
                    &mut out,
                );
                for r in out {
                    self.report(r);
                }
            }
        }
    }

    async fn failed(
        &mut self,
        step: &Step,
        index: usize,
        mut result: StepResult,
        mut f: StepFailure,
        failed_at: jiff::Timestamp,
    ) {
        // "The site is down" vs "the button moved": a signature showing now names the outage.
        if f.category != FailureCategory::Outage
            && !f.session_lost
            && let Some(Err(outage)) = self.bounded(self.look(None, false)).await
            && outage.category == FailureCategory::Outage
        {
            f = StepFailure {
                message: format!("{} (while the step failed: {})", outage.message, f.message),
                target: f.target,
                ..outage
            };
        }
        let url = if f.session_lost {
            None
        } else {
            self.bounded(self.session.current_url())
                .await
                .and_then(Result::ok)
        };
        // The title too, for the evidence folder's record of where the browser was.
        let title = if f.session_lost {
            None
        } else {
            self.bounded(self.session.probe(&ProbeRequest::default()))
                .await
                .and_then(Result::ok)
                .map(|page| self.vars.mask(&page.title))
        };
        let lost = f.session_lost;
        let infrastructure = f.is_infrastructure();
        // The site's own words ("Error LGN-500") beside ours ("no element matches #otp").
        let notices = if lost || infrastructure {
            Vec::new()
        } else {
            self.bounded(self.session.notices())
                .await
                .and_then(Result::ok)
                .unwrap_or_default()
        };
        let target = f.target.clone();
        let mut failure = f.into_failure(&self.vars, url, &notices);
        let shot = if !lost && self.journey.screenshots != ScreenshotPolicy::Off {
            self.take_screenshot(index, &step.display_name()).await
        } else {
            None
        };
        let rect = match (&shot, &target) {
            (Some(_), Some(sel)) => self
                .bounded(self.session.element_rect(sel))
                .await
                .and_then(Result::ok)
                .flatten(),
            _ => None,
        };
        if let Some(path) = &shot {
            failure.evidence = Some(self.evidence_dir.display().to_string());
            failure.screenshot = Some(path.clone());
            if self.journey.screenshots == ScreenshotPolicy::EveryStep {
                result.screenshot = Some(path.clone());
            }
        }
        // Where the step's evidence goes, named after its screenshot (taken or not).
        let base = (self.journey.screenshots != ScreenshotPolicy::Off).then(|| {
            let file =
                crate::evidence::screenshot_file_name(index, &step.display_name(), self.number);
            self.evidence_dir.join(file)
        });
        // The page source and the console log are kept even when the screenshot could not be
        // taken.
        if let Some(base) = base.as_deref().filter(|_| !lost) {
            self.save_page_source(base).await;
        }
        result.status = StepStatus::Failed;
        // An optional step's trouble is reported and the walk goes on — unless the session
        // is gone, when nothing more can run.
        if lost || (infrastructure && !step.optional) {
            self.error.get_or_insert_with(|| failure.message.clone());
        }
        let record = base
            .as_deref()
            .map(crate::evidence::result_file::result_file_path);
        if record.is_some() {
            failure.evidence = Some(self.evidence_dir.display().to_string());
        }
        result.failure = Some(failure);
        if let Some(path) = &shot {
            self.annotate(path, &result, rect, failed_at).await;
        }
        if let Some(path) = record {
            self.write_record(&path, &result, title.as_deref(), failed_at);
        }
        self.failed_steps += 1;
        for name in super::unset::saved_variables(step) {
            self.unset.insert(
                name.to_string(),
                format!("step {index} ({}, optional) failed", result.name),
            );
        }
        self.report(result);
        if lost {
            self.halted = Some(SKIP_SESSION_LOST);
        } else if !step.optional {
            self.failed = true;
            self.halted = Some(SKIP_AFTER_FAILURE);
        }
        // An optional step's inner steps (include/when) cannot have run: skip them.
        let reason = self.halted.unwrap_or(SKIP_AFTER_FAILURE);
        self.skip_children(step, reason);
    }

    /// Saves a screenshot for step `index`; `None` (logged) if it could not be taken.
    async fn take_screenshot(&self, index: usize, name: &str) -> Option<String> {
        let file = crate::evidence::screenshot_file_name(index, name, self.number);
        let path = self.evidence_dir.join(file);
        let secrets = self.secrets_on_page();
        match self
            .bounded(crate::evidence::capture(self.session, &secrets, &path))
            .await
        {
            Some(Ok(())) => Some(path.display().to_string()),
            Some(Err(e)) => {
                tracing::warn!(journey = %self.journey.name, "{}", self.vars.mask(&e.to_string()));
                None
            }
            None => None,
        }
    }

    /// The page's HTML and the console's lines beside the failure screenshot (`….html`,
    /// `….console.txt`, after `screenshot`'s name whether or not it was taken), secrets
    /// masked. Each is saved if the browser gives it, whatever became of the other.
    async fn save_page_source(&self, screenshot: &std::path::Path) {
        if let Some(dir) = screenshot.parent()
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            tracing::warn!(journey = %self.journey.name, "could not create the evidence folder: {e}");
            return;
        }
        if let Some(Ok(html)) = self.bounded(self.session.source()).await {
            let path = screenshot.with_extension("html");
            if let Err(e) = std::fs::write(&path, self.vars.mask(&html)) {
                tracing::warn!(journey = %self.journey.name, "could not save the page source: {e}");
            }
        }
        if let Some(Some(lines)) = self.bounded(self.session.console_log()).await {
            let path = screenshot.with_extension("console.txt");
            let mut text = lines.join("\n");
            text.push('\n');
            if let Err(e) = std::fs::write(&path, self.vars.mask_keystrokes(&text)) {
                tracing::warn!(journey = %self.journey.name, "could not save the console log: {e}");
            }
        }
    }

    /// The failing step, where the browser was and the steps so far, as JSON in the evidence
    /// folder (before the manifest seals it).
    fn write_record(
        &self,
        path: &std::path::Path,
        failed: &StepResult,
        title: Option<&str>,
        failed_at: jiff::Timestamp,
    ) {
        use crate::evidence::result_file::{FailureRecord, write_result_file};
        let mut steps = self.steps.clone();
        steps.push(failed.clone());
        let record = FailureRecord {
            journey: &self.journey.name,
            attempt: self.number,
            failed_at: failed_at.to_string(),
            url: failed.failure.as_ref().and_then(|f| f.url.as_deref()),
            title,
            failed_step: failed,
            steps: &steps,
        };
        if let Err(e) = write_result_file(path, &record) {
            tracing::warn!(journey = %self.journey.name, "could not save the step results: {e}");
        }
    }

    /// The annotated copy of the failure screenshot: a header strip saying when, where and
    /// why, and a red box on the element the step was after.
    /// `failed_at` is when the step failed, the time the header shows.
    async fn annotate(
        &self,
        screenshot: &str,
        step: &StepResult,
        rect: Option<[f64; 4]>,
        failed_at: jiff::Timestamp,
    ) {
        use crate::evidence::annotate::{Header, Rect, annotate_file};
        let Some(mut header) = Header::for_failed_step(&self.journey.name, step, failed_at) else {
            return;
        };
        header.url = header.url.map(|u| self.vars.mask(&u));
        header.message = self.vars.mask(&header.message);
        let rect = rect.map(|[x, y, width, height]| Rect {
            x,
            y,
            width,
            height,
        });
        let raw = std::path::PathBuf::from(screenshot);
        // Decoding and encoding PNGs is CPU work: off the async threads.
        let done = tokio::task::spawn_blocking(move || annotate_file(&raw, &header, rect)).await;
        if let Ok(Err(e)) = done {
            tracing::warn!(journey = %self.journey.name, "could not annotate the screenshot: {e}");
        }
    }

    /// Work around a step (screenshots, the fail_fast check after a failure) that must neither
    /// hang on a stuck browser nor hold up an interrupted run: `None` when cut short.
    async fn bounded<T>(&self, work: impl std::future::Future<Output = T>) -> Option<T> {
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => None,
            r = tokio::time::timeout(EVIDENCE_TIMEOUT, work) => r.ok(),
        }
    }

    fn skip_children(&mut self, step: &Step, reason: &'static str) {
        let mut out = Vec::new();
        skipped_results(
            step.inner_steps(),
            &mut self.index,
            self.depth + 1,
            reason,
            &mut out,
        );
        for r in out {
            self.report(r);
        }
    }

    fn report(&mut self, step: StepResult) {
        // For logs (`-v`, `--log-format json`, the monitor's): one line per step, inside the
        // journey's span. Names and messages are already masked.
        match &step.failure {
            Some(f) => tracing::warn!(
                index = step.index,
                step = %step.name,
                status = step.status.as_str(),
                duration_ms = step.duration_ms,
                category = f.category.as_str(),
                "{}",
                f.message
            ),
            None => tracing::info!(
                index = step.index,
                step = %step.name,
                status = step.status.as_str(),
                duration_ms = step.duration_ms,
                skip_reason = step.skip_reason.as_deref(),
                "step {}",
                step.status.as_str()
            ),
        }
        let _ = self.events.send(Event::StepFinished {
            journey: self.journey.name.clone(),
            step: step.clone(),
        });
        self.steps.push(step);
    }
}

/// How long a step may legitimately take.
fn step_budget(step: &Step, journey_timeout: Duration) -> Duration {
    let timeout = step.timeout.unwrap_or(journey_timeout);
    match &step.action {
        Action::Sleep(d) => *d,
        Action::When { within, .. } => *within,
        // A fill or assert_text of several fields shares the one deadline.
        _ => timeout,
    }
}

/// Results for `steps` (and their inner steps) skipped for `reason`, numbered after `index`,
/// `depth` blocks deep.
pub(crate) fn skipped_results(
    steps: &[Step],
    index: &mut usize,
    depth: usize,
    reason: &'static str,
    out: &mut Vec<StepResult>,
) {
    for step in steps {
        *index += 1;
        out.push(skipped(step, *index, depth, reason));
        skipped_results(step.inner_steps(), index, depth + 1, reason, out);
    }
}

fn skipped(step: &Step, index: usize, depth: usize, reason: &str) -> StepResult {
    let mut r = base_result(step, index, depth);
    r.skip_reason = Some(reason.to_string());
    r
}

fn base_result(step: &Step, index: usize, depth: usize) -> StepResult {
    StepResult {
        index,
        depth,
        name: step.display_name(),
        action: step.action.keyword().to_string(),
        file: step.location.file.display().to_string(),
        line: step.location.line,
        column: step.location.column,
        status: StepStatus::Skipped,
        duration_ms: 0,
        optional: step.optional,
        failure: None,
        skip_reason: None,
        screenshot: None,
    }
}
