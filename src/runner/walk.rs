//! Walks an attempt's steps in order (include and when blocks in place), numbering, timing and
//! reporting each, and decides what follows a failure: the walk goes on after an optional step,
//! the rest is skipped after any other, and a lost browser or an interrupted run stops it.
//!
//! The [`Walker`] is the one owner of an attempt's state (its variables, the results so far,
//! why it halted); actions get a narrow [`StepContext`] and answer [`Done`] or a
//! [`StepFailure`].

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use futures::future::BoxFuture;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::actions::{Children, Done, Save, StepContext};
use super::cause::with_network_cause;
use super::error_page::explained_by_the_network;
use super::event::Event;
use super::fail_fast::FailFast;
use super::failure::StepFailure;
use super::failure_evidence::{bounded, failure_header, read_page_at_failure};
use super::network_evidence::NetworkRecorder;
use super::page::Page;
use super::result::{FailureCategory, StepResult, StepStatus};
use crate::browser::{ConsoleEntry, ProbeRequest, SecretsOnPage, Selector};
use crate::evidence::result_file::ResultFile;
use crate::evidence::{EvidenceFolder, FailureEvidence, PageAtFailure, keep_failure_evidence};
use crate::journey::model::{Action, Journey, ScreenshotPolicy, Step, Variables};
use crate::network::Site;
use crate::otp::OtpSources;

/// Beyond its own timeout, how long a step may take before the browser is deemed hung.
const HUNG_BROWSER_GRACE: Duration = Duration::from_secs(30);

/// Why the walk stopped walking: the remaining steps are skipped, with the reason's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Halt {
    /// A step that is not optional failed.
    AfterFailure,
    Interrupted,
    SessionLost,
}

impl Halt {
    /// The skipped steps' `skip_reason`.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Halt::AfterFailure => "an earlier step failed",
            Halt::Interrupted => "run interrupted",
            Halt::SessionLost => "the browser session was lost",
        }
    }
}

/// What a walk produced.
#[derive(Debug)]
pub(crate) struct Walked {
    /// Every step's result, skipped ones included, in walk order.
    pub steps: Vec<StepResult>,
    pub halted: Option<Halt>,
    /// A step that is not optional failed.
    pub failed: bool,
    /// The harness's failure that makes the attempt `error`, secrets masked.
    pub error: Option<String>,
    /// Some step failed, optional ones included: its evidence folder holds files to seal.
    pub any_step_failed: bool,
}

/// One walk of a journey's steps on a page.
pub(crate) struct Walker<'a, P: Page> {
    journey: &'a Journey,
    page: &'a P,
    otp: &'a OtpSources,
    events: &'a UnboundedSender<Event>,
    cancel: &'a CancellationToken,
    evidence: EvidenceFolder,
    /// When this attempt began walking its steps (see [`StepContext::began`]).
    began: SystemTime,
    vars: Variables,
    fail_fast: FailFast,
    /// Fields filled from secrets so far.
    secret_fields: Vec<Selector>,
    /// The last index handed out.
    index: usize,
    /// How many `include`/`when` blocks deep the walk is.
    depth: usize,
    steps: Vec<StepResult>,
    halted: Option<Halt>,
    failed: bool,
    error: Option<String>,
    any_step_failed: bool,
    /// Variables a failed step would have saved → which step, for the step that reads one.
    unset: BTreeMap<String, String>,
    /// When the step before the current one began: a failure names the console errors logged
    /// since (see `console.rs`).
    previous_step_began: Option<SystemTime>,
    /// The page's requests and documents so far.
    network: NetworkRecorder,
}

/// When a failed step began and failed, and since when its console errors count.
struct FailedStepTimes {
    /// The step's start, on our clock: the window of its requests.
    began: Instant,
    /// The failure moment, for the annotated header.
    failed_at: jiff::Timestamp,
    /// The start of the step before: a script that threw while that one loaded counts.
    console_since: SystemTime,
}

impl<'a, P: Page> Walker<'a, P> {
    pub(crate) fn new(
        journey: &'a Journey,
        page: &'a P,
        otp: &'a OtpSources,
        events: &'a UnboundedSender<Event>,
        cancel: &'a CancellationToken,
        evidence: EvidenceFolder,
    ) -> Self {
        let vars = journey.variables.clone();
        Walker {
            journey,
            page,
            otp,
            events,
            cancel,
            evidence,
            began: SystemTime::now(),
            fail_fast: FailFast::new(&journey.fail_fast, &vars),
            vars,
            secret_fields: Vec::new(),
            index: 0,
            depth: 0,
            steps: Vec::new(),
            halted: None,
            failed: false,
            error: None,
            any_step_failed: false,
            unset: BTreeMap::new(),
            previous_step_began: None,
            network: NetworkRecorder::default(),
        }
    }

    /// Walks the journey's steps.
    pub(crate) async fn walk(mut self) -> Walked {
        let journey = self.journey;
        self.walk_steps(&journey.steps).await;
        self.keep_network().await;
        Walked {
            error: self.error.map(|e| self.vars.mask(&e)),
            steps: self.steps,
            halted: self.halted,
            failed: self.failed,
            any_step_failed: self.any_step_failed,
        }
    }

    fn walk_steps<'s>(&'s mut self, steps: &'s [Step]) -> BoxFuture<'s, ()> {
        Box::pin(async move {
            for step in steps {
                self.index += 1;
                let index = self.index;
                if self.halted.is_none() && self.cancel.is_cancelled() {
                    self.halted = Some(Halt::Interrupted);
                }
                if let Some(halt) = self.halted {
                    self.report(skipped(step, index, self.depth, halt.reason()));
                    self.skip_children(step, halt.reason());
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
        let began_at = SystemTime::now();
        let console_since = self
            .previous_step_began
            .replace(began_at)
            .unwrap_or(began_at);
        let guard = step_budget(step, self.journey.timeout) + HUNG_BROWSER_GRACE;
        let mut warnings = Vec::new();
        let mut read_timing = None;
        let outcome = if let Some(f) = self.unset_variable(step) {
            Some(Err(f))
        } else {
            let mut cx = self.context();
            cx.strict = step.strict.unwrap_or(self.journey.strict);
            let exec = tokio::time::timeout(guard, cx.execute(step, index));
            let outcome = tokio::select! {
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
            };
            warnings = cx.warnings.into_inner().unwrap_or_else(|e| e.into_inner());
            read_timing = cx
                .document_timing
                .into_inner()
                .unwrap_or_else(|e| e.into_inner());
            outcome
        };
        let duration_ms = started.elapsed().as_millis() as u64;
        // The failure moment, before the fail_fast check and the evidence work that follow.
        let ended_at = jiff::Timestamp::now();
        let Some(outcome) = outcome else {
            // Interrupted mid-step: the step and the rest are skipped.
            let halt = Halt::Interrupted;
            self.halted = Some(halt);
            self.report(skipped(step, index, self.depth, halt.reason()));
            self.skip_children(step, halt.reason());
            return;
        };
        let mut result = base_result(step, index, self.depth);
        result.duration_ms = duration_ms;
        let lost = matches!(&outcome, Err(f) if f.session_lost);
        // A step that may have loaded a document is timed even when its looks read none (one
        // round trip); any other step, when its looks saw a document not timed yet.
        if !lost && (read_timing.is_some() || may_load_a_document(&step.action)) {
            let timing = self.network.new_document_timing(self.page, read_timing);
            result.timing = bounded(self.cancel, timing).await.flatten();
        }
        result.warnings = warnings;
        match outcome {
            Ok(done) => self.passed(step, index, result, done).await,
            Err(f) => {
                let when = FailedStepTimes {
                    began: started,
                    failed_at: ended_at,
                    console_since,
                };
                self.failed(step, index, result, f, when).await
            }
        }
    }

    /// What an action may use, as the walk stands now.
    fn context(&self) -> StepContext<'_, P> {
        StepContext {
            page: self.page,
            vars: &self.vars,
            fail_fast: &self.fail_fast,
            base_url: self.journey.base_url.as_ref(),
            default_timeout: self.journey.timeout,
            otp: self.otp,
            began: self.began,
            secret_fields: &self.secret_fields,
            evidence: &self.evidence,
            strict: self.journey.strict,
            warnings: Default::default(),
            document_timing: Default::default(),
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
            log,
        } = done;
        for Save {
            name,
            value,
            secret,
        } in saves
        {
            if secret {
                self.vars.set_secret(name, value);
            } else {
                self.vars.set(name, value);
            }
        }
        self.secret_fields.extend(secret_fields);
        result.status = StepStatus::Passed;
        result.screenshot = screenshot;
        result.slow_threshold_ms = super::slow::crossed(step, result.duration_ms);
        result.log = log;
        // Nothing on the page changed for a block's own entry or a message: no picture.
        let is_block = matches!(
            step.action,
            Action::Include { .. } | Action::When { .. } | Action::Log(_)
        );
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
                self.walk_steps(step.inner_steps()).await;
                self.depth -= 1;
            }
            Children::Skip(reason) => self.skip_children(step, reason),
        }
    }

    async fn failed(
        &mut self,
        step: &Step,
        index: usize,
        mut result: StepResult,
        f: StepFailure,
        when: FailedStepTimes,
    ) {
        let FailedStepTimes {
            began,
            failed_at,
            console_since,
        } = when;
        let f = self.name_the_outage(f).await;
        let lost = f.session_lost;
        let infrastructure = f.is_infrastructure();
        let target = f.target.clone();
        let (url, title) = if lost {
            (None, None)
        } else {
            self.where_the_browser_is().await
        };
        // The site's own words ("Error LGN-500") beside ours ("no element matches #otp"); the
        // browser's error page has none.
        let notices = if lost || infrastructure || f.error_page {
            Vec::new()
        } else {
            self.bounded(self.page.notices())
                .await
                .and_then(Result::ok)
                .unwrap_or_default()
        };
        // Read once (the driver hands each entry out once): for the failure and the evidence.
        let console = if lost {
            None
        } else {
            self.bounded(self.page.console_log()).await.flatten()
        };
        let logged = console
            .as_deref()
            .map(|entries| super::console::errors_since(entries, console_since))
            .unwrap_or_default();
        // The site under test: the page's and base_url's (see `crate::network::site`).
        let base_url = self.journey.base_url.as_ref().map(|b| b.render(&self.vars));
        let site = Site::new(url.iter().chain(base_url.iter()).map(String::as_str));
        let network = if lost {
            None
        } else {
            let network = self
                .network
                .step_failed(self.page, began, &site, &self.vars);
            Some(bounded(self.cancel, network).await.unwrap_or_default())
        };
        // A blank error page: the network log knows why the document did not load.
        let f = match f.error_page_without_reason.clone() {
            Some(failed) if network.is_some() => match self.network.document_error(&failed) {
                Some(code) => explained_by_the_network(f, code, &failed),
                None => f,
            },
            _ => f,
        };
        let failure = f.into_failure(&self.vars, url, &notices, &logged);
        let failure = match network {
            Some(network) => with_network_cause(failure, network),
            None => failure,
        };
        // What the console said ends the message only when no failed request explains it.
        let failure = super::failure::with_console_cause(failure);
        // An optional step's trouble is reported and the walk goes on — unless the session
        // is gone, when nothing more can run.
        if lost || (infrastructure && !step.optional) {
            self.error.get_or_insert_with(|| failure.message.clone());
        }
        result.status = StepStatus::Failed;
        result.failure = Some(failure);
        if self.journey.screenshots != ScreenshotPolicy::Off {
            // Nothing can be read off the page of a lost session.
            let console = (!lost).then(|| console_lines(console, self.page));
            self.keep_evidence(step, &mut result, target, title, failed_at, console)
                .await;
        }
        self.any_step_failed = true;
        for name in super::unset::saved_variables(step) {
            self.unset.insert(
                name.to_string(),
                format!("step {index} ({}, optional) failed", result.name),
            );
        }
        self.report(result);
        if lost || !step.optional {
            self.network.halted();
        }
        if lost {
            self.halted = Some(Halt::SessionLost);
        } else if !step.optional {
            self.failed = true;
            self.halted = Some(Halt::AfterFailure);
        }
        // An optional step's inner steps (include/when) cannot have run: skip them.
        let halt = self.halted.unwrap_or(Halt::AfterFailure);
        self.skip_children(step, halt.reason());
    }

    /// "The site is down" vs "the button moved": a signature showing now names the outage.
    async fn name_the_outage(&self, f: StepFailure) -> StepFailure {
        if f.category == FailureCategory::Outage || f.session_lost {
            return f;
        }
        match self.bounded(self.context().look(None, false)).await {
            Some(Err(outage)) if outage.category == FailureCategory::Outage => StepFailure {
                message: format!("{} (while the step failed: {})", outage.message, f.message),
                target: f.target,
                ..outage
            },
            _ => f,
        }
    }

    /// The page's URL, and its title (masked) for the evidence folder's record of where the
    /// browser was.
    async fn where_the_browser_is(&self) -> (Option<String>, Option<String>) {
        let url = self
            .bounded(self.page.current_url())
            .await
            .and_then(Result::ok);
        let title = self
            .bounded(self.page.probe(&ProbeRequest::default()))
            .await
            .and_then(Result::ok)
            .map(|page| self.vars.mask(&page.title));
        (url, title)
    }

    /// The failed step's files in the evidence folder, named after its screenshot (taken or
    /// not); `result` learns where they are. `console` is the console log's lines, `None` when
    /// the session is lost (then nothing is read off the page).
    async fn keep_evidence(
        &self,
        step: &Step,
        result: &mut StepResult,
        target: Option<Selector>,
        title: Option<String>,
        failed_at: jiff::Timestamp,
        console: Option<Vec<String>>,
    ) {
        let page = if let Some(console) = console {
            let secrets = SecretsOnPage::new(&self.secret_fields, &self.vars);
            let page =
                read_page_at_failure(self.page, self.cancel, &secrets, target.as_ref(), console);
            let (page, screenshot_error) = page.await;
            if let Some(e) = screenshot_error {
                tracing::warn!(journey = %self.journey.name, "{}", self.vars.mask(&e));
            }
            page
        } else {
            PageAtFailure::default()
        };
        let Some(header) = failure_header(&self.journey.name, result, failed_at) else {
            return;
        };
        let evidence = FailureEvidence {
            screenshot_path: self
                .evidence
                .screenshot_path(result.index, &step.display_name()),
            page,
            header,
            secrets: &self.vars,
        };
        let every_step = self.journey.screenshots == ScreenshotPolicy::EveryStep;
        let dir = self.evidence.dir.display().to_string();
        let kept = keep_failure_evidence(evidence, |screenshot| {
            let shot = screenshot.map(|p| p.display().to_string());
            if let Some(f) = result.failure.as_mut() {
                f.evidence = Some(dir);
                f.screenshot.clone_from(&shot);
            }
            if every_step {
                result.screenshot = shot;
            }
            ResultFile {
                journey: self.journey.name.clone(),
                attempt: self.evidence.attempt,
                failed_at: failed_at.to_string(),
                url: result.failure.as_ref().and_then(|f| f.url.clone()),
                title,
                failed_step: result.clone(),
                steps: self.steps.iter().chain([&*result]).cloned().collect(),
            }
        })
        .await;
        for problem in kept.problems {
            tracing::warn!(journey = %self.journey.name, "{}", self.vars.mask(&problem));
        }
    }

    /// The attempt's `network.har` in its evidence folder, when the attempt left evidence there
    /// (a failure's files, a kept screenshot) and the browser recorded the network. Written
    /// before the folder is sealed, so the manifest covers it.
    async fn keep_network(&mut self) {
        let left_evidence = self.steps.iter().any(|s| {
            s.screenshot.is_some() || s.failure.as_ref().is_some_and(|f| f.evidence.is_some())
        });
        if !left_evidence || self.halted == Some(Halt::SessionLost) || self.cancel.is_cancelled() {
            return;
        }
        let started = Instant::now();
        let har = bounded(self.cancel, self.network.har(self.page, &self.vars)).await;
        let Some(Some(har)) = har else { return };
        let path = self.evidence.har_path();
        if let Err(e) = crate::evidence::save_file(&path, &har).await {
            tracing::warn!(journey = %self.journey.name, "could not save the network log: {e}");
        }
        tracing::debug!(
            bytes = har.len(),
            took_ms = started.elapsed().as_millis() as u64,
            "network log kept"
        );
    }

    /// Saves a screenshot for step `index`; `None` (logged) if it could not be taken.
    async fn take_screenshot(&self, index: usize, name: &str) -> Option<String> {
        let path = self.evidence.screenshot_path(index, name);
        let secrets = SecretsOnPage::new(&self.secret_fields, &self.vars);
        let saved = match self.bounded(self.page.screenshot(&secrets)).await? {
            Ok(png) => crate::evidence::save_screenshot(&path, &png)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match saved {
            Ok(()) => Some(path.display().to_string()),
            Err(e) => {
                tracing::warn!(journey = %self.journey.name, "{}", self.vars.mask(&e));
                None
            }
        }
    }

    /// Work around a step (screenshots, the fail_fast check after a failure) that must neither
    /// hang on a stuck browser nor hold up an interrupted run: `None` when cut short.
    async fn bounded<T>(&self, work: impl std::future::Future<Output = T>) -> Option<T> {
        bounded(self.cancel, work).await
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
        report_step(self.events, &self.journey.name, &step);
        self.steps.push(step);
    }
}

/// The evidence folder's console log: the browser's entries, or a note saying why there are
/// none, so a reader does not wonder: Firefox without a BiDi connection (through a grid, whose
/// endpoint vedetta does not dial) has neither its console nor its network (README, "Firefox").
fn console_lines<P: Page>(console: Option<Vec<ConsoleEntry>>, page: &P) -> Vec<String> {
    match console {
        Some(entries) => entries.iter().map(ConsoleEntry::line).collect(),
        None => {
            let (browser, _, driver) = page.describe();
            let what = if browser.eq_ignore_ascii_case("firefox") {
                "no browser console and no network record, so neither is kept for this run \
                 (Chromium keeps both)"
            } else {
                "no browser console, so none is kept for this run"
            };
            vec![format!(
                "# {browser} through {driver}: the driver gives vedetta {what}"
            )]
        }
    }
}

/// Logs a step's result and sends it to the reporters.
fn report_step(events: &UnboundedSender<Event>, journey: &str, step: &StepResult) {
    for w in &step.warnings {
        tracing::warn!(index = step.index, step = %step.name, kind = %w.kind, "{}", w.message);
    }
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
            log = step.log.as_deref(),
            "step {}",
            step.status.as_str()
        ),
    }
    let _ = events.send(Event::StepFinished {
        journey: journey.to_string(),
        step: step.clone(),
    });
}

/// Whether a step may bring a new document: it opens one, or acts on the page in a way that
/// may navigate (a click, a key, a form control, a script) — the driver waits for the
/// navigation such an action starts, so its document is in by the step's end. After these the
/// page's timings are read even when the step made no look (a `select`, a `script`): in one
/// script round trip. Every other step has them only from its own looks.
fn may_load_a_document(action: &Action) -> bool {
    matches!(
        action,
        Action::Open(_)
            | Action::Click(_)
            | Action::Press(_)
            | Action::Select(_)
            | Action::Check(_)
            | Action::Uncheck(_)
            | Action::Script { .. }
    )
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
    reason: &str,
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
        component: step.component.clone().unwrap_or_default(),
        file: step.location.file.display().to_string(),
        line: step.location.line,
        column: step.location.column,
        status: StepStatus::Skipped,
        duration_ms: 0,
        optional: step.optional,
        failure: None,
        skip_reason: None,
        screenshot: None,
        timing: None,
        slow_threshold_ms: None,
        log: None,
        warnings: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    //! The walker's decisions, on a scripted page (see `fake_page.rs`): milliseconds each.

    use tokio_util::sync::CancellationToken;

    use super::super::fake_page::{FakePage, journey, run_on};
    use crate::runner::result::{FailureCategory, JourneyResult, JourneyStatus, StepStatus};

    /// (index, depth, status, skip_reason) of every step.
    fn walk_of(r: &JourneyResult) -> Vec<(usize, usize, StepStatus, Option<&str>)> {
        r.steps
            .iter()
            .map(|s| (s.index, s.depth, s.status, s.skip_reason.as_deref()))
            .collect()
    }

    use StepStatus::{Failed, Passed, Skipped};

    #[tokio::test]
    async fn after_a_failed_step_the_rest_are_skipped_blocks_included() {
        let j = journey(
            r##"
name: skip
timeout: 1ms
steps:
  - click: "#login"
  - click: "#missing"
  - click: "#login"
  - name: a block after the failure
    when: { visible: "#login" }
    steps:
      - click: "#login"
"##,
        );
        let page = FakePage::showing(&["#login"]);
        let out = tempfile::tempdir().unwrap();
        let (r, _) = run_on(&j, [page.clone()], out.path(), &CancellationToken::new()).await;

        assert_eq!(r.status, JourneyStatus::Failed);
        assert_eq!(r.error, None);
        let after = Some("an earlier step failed");
        assert_eq!(
            walk_of(&r),
            [
                (1, 0, Passed, None),
                (2, 0, Failed, None),
                (3, 0, Skipped, after),
                (4, 0, Skipped, after),
                (5, 1, Skipped, after),
            ]
        );
        let failure = r.steps[1].failure.as_ref().unwrap();
        assert_eq!(failure.category, FailureCategory::ElementMissing);
        assert_eq!(failure.message, "no element matches #missing (waited 1ms)");
        // The skipped steps never touched the page, and the session was closed politely.
        assert_eq!(page.clicked(), ["#login"]);
        assert_eq!(page.ended(), Some("close"));
    }

    #[tokio::test]
    async fn every_step_result_carries_its_component_skipped_ones_too() {
        let j = journey(
            r##"
name: parts
title: Home page
timeout: 1ms
steps:
  - click: "#login"
  - click: "#login"
    component: Sign in
  - click: "#missing"
    component: SMS verification
  - click: "#login"
    component: Card balance
"##,
        );
        let page = FakePage::showing(&["#login"]);
        let out = tempfile::tempdir().unwrap();
        let (r, _) = run_on(&j, [page], out.path(), &CancellationToken::new()).await;
        let components: Vec<(&str, StepStatus)> = r
            .steps
            .iter()
            .map(|s| (s.component.as_str(), s.status))
            .collect();
        assert_eq!(
            components,
            [
                ("Home page", Passed),
                ("Sign in", Passed),
                ("SMS verification", Failed),
                ("Card balance", Skipped),
            ]
        );
        let json = serde_json::to_value(&r.steps[2]).unwrap();
        assert_eq!(json["component"], "SMS verification");
    }

    #[tokio::test]
    async fn an_optional_step_s_failure_is_reported_and_the_walk_goes_on() {
        let j = journey(
            r##"
name: optional
timeout: 1ms
steps:
  - name: close the promo
    click: "#promo"
    optional: true
  - click: "#login"
  - name: read the voucher
    extract: { "#voucher": VOUCHER }
    optional: true
  - fill: { "#code": "${VOUCHER}" }
  - click: "#login"
"##,
        );
        let page = FakePage::showing(&["#login", "#code"]);
        let out = tempfile::tempdir().unwrap();
        let (r, _) = run_on(&j, [page.clone()], out.path(), &CancellationToken::new()).await;

        assert_eq!(
            walk_of(&r),
            [
                (1, 0, Failed, None),
                (2, 0, Passed, None),
                (3, 0, Failed, None),
                (4, 0, Failed, None),
                (5, 0, Skipped, Some("an earlier step failed")),
            ]
        );
        assert!(r.steps[0].optional && r.steps[2].optional);
        // A step that reads what a failed optional step would have saved fails saying so,
        // rather than filling in an empty value; it is not optional, so the journey failed.
        let unset = r.steps[3].failure.as_ref().unwrap();
        assert_eq!(unset.category, FailureCategory::Assertion);
        assert_eq!(
            unset.message,
            "variable VOUCHER was never set: step 3 (read the voucher, optional) failed"
        );
        assert_eq!(r.status, JourneyStatus::Failed);
        assert_eq!(page.clicked(), ["#login"]);

        // Optional failures alone leave the journey passed.
        let j = journey(
            r##"
name: optional-only
timeout: 1ms
steps:
  - click: "#promo"
    optional: true
  - click: "#login"
"##,
        );
        let (r, _) = run_on(
            &j,
            [FakePage::showing(&["#login"])],
            out.path(),
            &CancellationToken::new(),
        )
        .await;
        assert_eq!(r.status, JourneyStatus::Passed);
        assert_eq!(walk_of(&r), [(1, 0, Failed, None), (2, 0, Passed, None)]);
    }

    #[tokio::test]
    async fn a_when_block_runs_its_steps_only_if_its_condition_holds() {
        let j = journey(
            r##"
name: cookies
timeout: 1ms
steps:
  - name: accept the cookies if asked
    when: { visible: "#cookies", within: 1ms }
    steps:
      - click: "#cookies .accept"
      - click: "#cookies .close"
  - click: "#login"
"##,
        );
        let out = tempfile::tempdir().unwrap();
        let asked =
            FakePage::showing(&["#cookies", "#cookies .accept", "#cookies .close", "#login"]);
        let (r, _) = run_on(&j, [asked.clone()], out.path(), &CancellationToken::new()).await;
        assert_eq!(r.status, JourneyStatus::Passed);
        assert_eq!(
            walk_of(&r),
            [
                (1, 0, Passed, None),
                (2, 1, Passed, None),
                (3, 1, Passed, None),
                (4, 0, Passed, None),
            ]
        );
        assert_eq!(
            asked.clicked(),
            ["#cookies .accept", "#cookies .close", "#login"]
        );

        let not_asked = FakePage::showing(&["#login"]);
        let (r, _) = run_on(
            &j,
            [not_asked.clone()],
            out.path(),
            &CancellationToken::new(),
        )
        .await;
        assert_eq!(r.status, JourneyStatus::Passed);
        let unmet = Some("condition not met");
        assert_eq!(
            walk_of(&r),
            [
                (1, 0, Passed, None),
                (2, 1, Skipped, unmet),
                (3, 1, Skipped, unmet),
                (4, 0, Passed, None),
            ]
        );
        assert_eq!(not_asked.clicked(), ["#login"]);
    }

    #[tokio::test]
    async fn an_interrupted_run_skips_the_step_in_flight_and_the_rest_without_retrying() {
        let j = journey(
            r##"
name: interrupted
retries: 2
timeout: 1ms
steps:
  - click: "#login"
  - click: "#pay"
  - click: "#receipt"
"##,
        );
        let cancel = CancellationToken::new();
        let page =
            FakePage::showing(&["#login", "#pay", "#receipt"]).click_interrupts("#pay", &cancel);
        let out = tempfile::tempdir().unwrap();
        let (r, _) = run_on(&j, [page.clone()], out.path(), &cancel).await;

        assert_eq!(r.status, JourneyStatus::Error);
        assert_eq!(r.error.as_deref(), Some("interrupted"));
        assert_eq!(r.attempts, 1);
        let interrupted = Some("run interrupted");
        assert_eq!(
            walk_of(&r),
            [
                (1, 0, Passed, None),
                (2, 0, Skipped, interrupted),
                (3, 0, Skipped, interrupted),
            ]
        );
        // Nothing to ask a page that is hanging: the session is ended at once.
        assert_eq!(page.ended(), Some("kill"));
    }

    #[tokio::test]
    async fn a_lost_browser_stops_the_walk_as_an_error_not_a_failure() {
        let j = journey(
            r##"
name: crash
timeout: 1ms
steps:
  - name: try the promo
    click: "#promo"
    optional: true
  - click: "#login"
"##,
        );
        let page = FakePage::showing(&["#promo", "#login"]).click_crashes("#promo");
        let out = tempfile::tempdir().unwrap();
        let (r, _) = run_on(&j, [page.clone()], out.path(), &CancellationToken::new()).await;

        // Even an optional step cannot go on without a browser.
        assert_eq!(r.status, JourneyStatus::Error);
        assert_eq!(
            walk_of(&r),
            [
                (1, 0, Failed, None),
                (2, 0, Skipped, Some("the browser session was lost")),
            ]
        );
        let failure = r.steps[0].failure.as_ref().unwrap();
        assert_eq!(failure.category, FailureCategory::Infrastructure);
        assert_eq!(r.error.as_deref(), Some(failure.message.as_str()));
        // No screenshot of a page that is gone, and no polite goodbye.
        assert_eq!(failure.screenshot, None);
        assert_eq!(page.ended(), Some("kill"));
    }

    /// The events of a page's request to `url` that answered `status` with a JSON error,
    /// sent a moment ago.
    fn answered_now(id: &str, url: &str, status: u16) -> Vec<serde_json::Value> {
        use crate::network::cdp::tests::{answered, finished, sent};
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let mut request = sent(id, "GET", url, "Fetch", 10.0);
        request["params"]["wallTime"] = serde_json::json!(now - 0.5);
        vec![
            request,
            answered(id, status, "application/json", 10.1),
            finished(id, 10.2),
        ]
    }

    const BALANCE: &str = r##"
name: balance
base_url: http://bank.test
timeout: 1ms
steps:
  - click: "#balance"
"##;

    #[tokio::test]
    async fn a_step_during_which_the_site_s_backend_failed_is_an_outage_naming_the_request() {
        let j = journey(BALANCE);
        let page = FakePage::showing(&[]).with_network(
            answered_now("7", "http://bank.test/api/balance?card=4821", 503),
            &[("7", r#"{"error": "balance service unavailable"}"#)],
        );
        let out = tempfile::tempdir().unwrap();
        let (r, _) = run_on(&j, [page], out.path(), &CancellationToken::new()).await;

        let failure = r.steps[0].failure.as_ref().unwrap();
        assert_eq!(failure.category, FailureCategory::Outage);
        assert_eq!(
            failure.message,
            r#"no element matches #balance (waited 1ms); GET /api/balance?card=4821 answered 503 ("balance service unavailable")"#
        );
        assert_eq!(failure.requests.len(), 1);
        assert_eq!(failure.requests[0].status, Some(503));
        // The attempt's requests are in the evidence folder's HAR, which the manifest seals.
        let folder = out.path().join("fake-run/balance");
        let har: serde_json::Value =
            serde_json::from_slice(&std::fs::read(folder.join("network.har")).unwrap()).unwrap();
        let entry = &har["log"]["entries"][0];
        assert_eq!(
            entry["request"]["url"],
            "http://bank.test/api/balance?card=4821"
        );
        assert_eq!(entry["response"]["status"], 503);
        assert_eq!(
            entry["response"]["content"]["text"],
            r#"{"error": "balance service unavailable"}"#
        );
        let verified = crate::evidence::manifest::verify(&folder).unwrap();
        assert!(verified.is_intact(), "{verified:?}");
    }

    #[tokio::test]
    async fn another_site_s_failure_is_listed_but_never_makes_an_outage() {
        let j = journey(BALANCE);
        let page = FakePage::showing(&[]).with_network(
            answered_now("8", "https://analytics.example/collect", 503),
            &[],
        );
        let out = tempfile::tempdir().unwrap();
        let (r, _) = run_on(&j, [page], out.path(), &CancellationToken::new()).await;

        let failure = r.steps[0].failure.as_ref().unwrap();
        assert_eq!(failure.category, FailureCategory::ElementMissing);
        assert!(
            failure
                .message
                .ends_with("; GET https://analytics.example/collect answered 503"),
            "{}",
            failure.message
        );
        assert!(!failure.requests[0].site_under_test);
    }

    #[tokio::test]
    async fn a_click_onto_the_browsers_error_page_fails_that_click_as_an_outage() {
        // A step timeout the walk would have to sit out if the error page went unnoticed.
        let j = journey(
            r##"
name: stopped
timeout: 30s
steps:
  - click: "#targets"
  - wait_for: { text: Targets }
"##,
        );
        let page = FakePage::showing(&["#targets"]).click_lands_on(
            "#targets",
            crate::browser::ErrorPage::chromium("ERR_CONNECTION_REFUSED"),
        );
        let out = tempfile::tempdir().unwrap();
        let (r, _) = run_on(&j, [page], out.path(), &CancellationToken::new()).await;

        assert_eq!(r.status, JourneyStatus::Failed);
        assert_eq!(r.error, None);
        assert_eq!(
            walk_of(&r),
            [
                (1, 0, Failed, None),
                (2, 0, Skipped, Some("an earlier step failed"))
            ]
        );
        let failure = r.steps[0].failure.as_ref().unwrap();
        assert_eq!(failure.category, FailureCategory::Outage);
        assert!(
            failure
                .message
                .ends_with(": connection refused (ERR_CONNECTION_REFUSED)"),
            "{}",
            failure.message
        );
    }

    #[tokio::test]
    async fn a_wait_that_times_out_names_what_the_page_showed_and_logged() {
        let j = journey(
            r##"
name: spinner
timeout: 1ms
steps:
  - wait_for: { text: "€" }
"##,
        );
        let page = FakePage::showing(&[])
            .logs("WARNING", "http://h/a.js 1:1 deprecated")
            .logs(
                "SEVERE",
                "http://h/account.js 11:5 Uncaught TypeError: balance is undefined",
            );
        let out = tempfile::tempdir().unwrap();
        let (r, _) = run_on(&j, [page], out.path(), &CancellationToken::new()).await;

        let failure = r.steps[0].failure.as_ref().unwrap();
        assert_eq!(failure.category, FailureCategory::Timeout);
        assert_eq!(
            failure.message,
            "the page text did not match \"€\" within 1ms; the page showed title \"Fake page\", \
             text \"Loading your balance…\"; the page logged: Uncaught TypeError: balance is \
             undefined (account.js:12)"
        );
        assert_eq!(
            failure.console,
            ["Uncaught TypeError: balance is undefined (account.js:12)"]
        );
    }

    #[tokio::test]
    async fn a_failed_step_leaves_its_evidence_in_one_sealed_folder() {
        let j = journey(
            r##"
name: evidence
timeout: 1ms
steps:
  - click: "#login"
  - click: "#missing"
"##,
        );
        let out = tempfile::tempdir().unwrap();
        let page = FakePage::showing(&["#login"]);
        let (r, _) = run_on(&j, [page], out.path(), &CancellationToken::new()).await;

        let failure = r.steps[1].failure.as_ref().unwrap();
        let folder = out.path().join("fake-run").join("evidence");
        assert_eq!(
            failure.evidence.as_deref(),
            Some(folder.display().to_string().as_str())
        );
        let shot = folder.join("02-click-missing.png");
        assert_eq!(
            failure.screenshot.as_deref(),
            Some(shot.display().to_string().as_str())
        );
        for file in [
            "02-click-missing.png",
            "02-click-missing.annotated.png",
            "02-click-missing.html",
            "02-click-missing.console.txt",
            "02-click-missing.result.json",
        ] {
            assert!(folder.join(file).is_file(), "no {file}");
        }
        let record: serde_json::Value = serde_json::from_slice(
            &std::fs::read(folder.join("02-click-missing.result.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(record["journey"], "evidence");
        assert_eq!(record["failed_step"]["index"], 2);
        assert_eq!(record["steps"].as_array().unwrap().len(), 2);
        assert_eq!(
            record["failed_step"]["failure"]["screenshot"],
            shot.display().to_string()
        );
        // Sealed: the manifest verifies, and its hash is on the failure.
        let verified = crate::evidence::manifest::verify(&folder).unwrap();
        assert!(verified.is_intact(), "{verified:?}");
        let manifest = std::fs::read(folder.join("manifest.json")).unwrap();
        use sha2::Digest;
        let sha: String = sha2::Sha256::digest(&manifest)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(failure.evidence_sha256.as_deref(), Some(sha.as_str()));
    }
}
