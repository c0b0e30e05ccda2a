//! What each action does in the browser. Every wait looks at the page (one script round trip,
//! which also checks the fail_fast signatures), then waits *in the page* for it to change (see
//! `probe.js`) and judges again, until the step's deadline: no polling, no fixed sleeps.
//!
//! An action sees only its [`StepContext`] and answers [`Done`] or a [`StepFailure`]; what
//! follows (the next step, a skip, the evidence) is the walker's business.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use super::error_page::{error_page_failure, error_page_in_driver_message, shows_its_own_address};
use super::fail_fast::FailFast;
use super::failure::StepFailure;
use super::page::Page;
use super::result::FailureCategory;
use super::result::StepWarning;
use crate::browser::{
    Ambiguity, BrowserError, ElementProbe, ErrorPage, Field, PageProbe, ProbeRequest, ProbeWait,
    Readied, Ready, SecretsOnPage, Selector,
};
use crate::evidence::EvidenceFolder;
use crate::journey::model::{
    Action, Condition, Locator, Step, Template, TextMatch, Variables, WaitCondition,
    format_duration,
};
use crate::network::DocumentTiming;
use crate::otp::{OtpError, OtpSources};

/// How soon an action tries again when the browser refused it (the element was covered, or
/// replaced as it was used), and a look again after the page could not be read twice.
const RETRY_AFTER: Duration = Duration::from_millis(75);

/// How long a waiting look may sit in the page before it answers anyway: the safety net under
/// the page's change events (a change nothing announces is seen at least this often).
const SAFETY_LOOK_EVERY: Duration = Duration::from_secs(1);

/// How often the page is checked for outage signatures while an `otp:` step waits for its
/// code (the code itself comes as soon as it arrives).
const WATCH_EVERY: Duration = Duration::from_millis(500);

/// What a step may use: the page, the variables as they are now, the journey's settings.
pub(crate) struct StepContext<'a, P> {
    pub page: &'a P,
    pub vars: &'a Variables,
    pub fail_fast: &'a FailFast,
    /// The journey's `base_url`, for `open`.
    pub base_url: Option<&'a Template>,
    /// The step timeout when the step sets none.
    pub default_timeout: Duration,
    pub otp: &'a OtpSources,
    /// When the attempt began walking its steps: the SMS inbox hands out only codes that
    /// arrived after it, so a code sent to an earlier attempt or run is never taken.
    pub began: SystemTime,
    /// Fields filled from secrets so far: blanked in a `screenshot:` step's picture.
    pub secret_fields: &'a [Selector],
    /// Where a `screenshot:` step's picture goes.
    pub evidence: &'a EvidenceFolder,
    /// A locator matching several visible elements fails the step (else: a warning).
    pub strict: bool,
    /// The step's warnings so far (see `ambiguity.rs`), for its result whatever its outcome.
    pub warnings: std::sync::Mutex<Vec<StepWarning>>,
    /// The document's timings as the step's look after loading or acting read them: the walker
    /// need not ask again.
    pub document_timing: std::sync::Mutex<Option<DocumentTiming>>,
}

/// What a step that passed leaves behind.
#[derive(Debug, Default)]
pub(crate) struct Done {
    /// Variables to set, in order.
    pub saves: Vec<Save>,
    /// Fields filled from secrets: blanked in later screenshots.
    pub secret_fields: Vec<Selector>,
    /// A `screenshot:` step's file.
    pub screenshot: Option<String>,
    /// For `include` and `when`: whether the inner steps run.
    pub children: Children,
    /// A `log:` step's message, rendered, secrets masked.
    pub log: Option<String>,
}

/// A variable a step sets.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Save {
    pub name: String,
    pub value: String,
    /// A one-time code: masked wherever it shows, like a secret.
    pub secret: bool,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) enum Children {
    #[default]
    None,
    Run,
    /// Skipped with this reason.
    Skip(&'static str),
}

/// What an element must be for the step to act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Visible: any match will do (`assert_visible`, `wait_for`).
    Visible,
    /// Visible, and the one element the step reads (`extract`).
    Read,
    /// Visible and enabled: the one element the step acts on.
    Actionable,
}

/// One wait's looks at the page: the first answers at once, each after it waits in the page
/// until what it sees differs from the look before (or the deadline, or the safety net).
struct Watch {
    deadline: Instant,
    /// The key of the last look (see [`PageProbe::key`]).
    last: Option<String>,
    /// What the look that finds the element usable readies it for.
    ready: Option<Ready>,
}

impl Watch {
    fn until(deadline: Instant) -> Watch {
        Watch {
            deadline,
            last: None,
            ready: None,
        }
    }

    /// What the next look waits for: nothing the first time or when the time is up.
    fn wait(&self) -> Option<ProbeWait<'_>> {
        let since = self.last.as_deref()?;
        let left = self.deadline.saturating_duration_since(Instant::now());
        (!left.is_zero()).then(|| ProbeWait {
            since,
            max: left.min(SAFETY_LOOK_EVERY),
        })
    }
}

/// An element a wait found fit for the step.
struct Usable<E> {
    element: E,
    /// Its visible text (an input's value).
    text: Option<String>,
    /// What `fill` does with it.
    field: Field,
    /// What the look readied it for.
    readied: Readied,
}

/// The action done once the element is actionable; repeated while the element is covered.
enum ElementAction<'v> {
    Click,
    Hover,
    SetChecked(bool),
    Fill(&'v str),
    Select(&'v str),
}

impl<P: Page> StepContext<'_, P> {
    /// Does step `index` (the 1-based number its screenshot is named with).
    pub(crate) async fn execute(&self, step: &Step, index: usize) -> Result<Done, StepFailure> {
        let timeout = step.timeout.unwrap_or(self.default_timeout);
        let deadline = Instant::now() + timeout;
        let mut done = Done::default();
        match &step.action {
            Action::Open(t) => self.open(&t.render(self.vars), timeout).await?,
            Action::Click(l) => {
                self.act(l, deadline, timeout, ElementAction::Click)
                    .await
                    .map_err(self.at(l))?;
                self.not_on_an_error_page().await?;
            }
            Action::Hover(l) => self
                .act(l, deadline, timeout, ElementAction::Hover)
                .await
                .map_err(self.at(l))?,
            Action::Check(l) => self
                .act(l, deadline, timeout, ElementAction::SetChecked(true))
                .await
                .map_err(self.at(l))?,
            Action::Uncheck(l) => self
                .act(l, deadline, timeout, ElementAction::SetChecked(false))
                .await
                .map_err(self.at(l))?,
            Action::Fill(fields) => {
                for (l, t) in fields {
                    let value = t.render(self.vars);
                    self.act(l, deadline, timeout, ElementAction::Fill(&value))
                        .await
                        .map_err(self.at(l))?;
                    if t.uses_secret(self.vars) {
                        done.secret_fields.push(self.selector(l));
                    }
                }
            }
            Action::Select(fields) => {
                for (l, t) in fields {
                    let value = t.render(self.vars);
                    self.act(l, deadline, timeout, ElementAction::Select(&value))
                        .await
                        .map_err(self.at(l))?;
                }
            }
            Action::Press(key) => {
                let Some(chord) = crate::browser::keys::chord(&key.0) else {
                    return Err(StepFailure::new(
                        FailureCategory::Infrastructure,
                        format!("unknown key {:?}", key.0),
                    ));
                };
                self.page
                    .press(&chord)
                    .await
                    .map_err(|e| StepFailure::from_browser(e, "could not press the key"))?;
                self.not_on_an_error_page().await?;
            }
            Action::WaitFor(c) => self.wait_for(c, deadline, timeout).await?,
            Action::AssertVisible(l) => {
                self.element(l, Need::Visible, deadline, timeout, true, None)
                    .await
                    .map_err(self.at(l))?;
            }
            Action::AssertHidden(l) => self
                .until_hidden(l, deadline, timeout, true)
                .await
                .map_err(self.at(l))?,
            Action::AssertText(items) => {
                for (l, m) in items {
                    self.assert_text(l, m, deadline, timeout)
                        .await
                        .map_err(self.at(l))?;
                }
            }
            Action::AssertUrl(m) => {
                self.page_matches(m, deadline, timeout, "URL", |p| p.url.clone(), true)
                    .await?
            }
            Action::AssertTitle(m) => {
                self.page_matches(m, deadline, timeout, "title", |p| p.title.clone(), true)
                    .await?
            }
            Action::Extract(items) => {
                for (l, var) in items {
                    let found = self
                        .element(l, Need::Read, deadline, timeout, false, None)
                        .await
                        .map_err(self.at(l))?;
                    done.saves.push(Save {
                        name: var.clone(),
                        value: found.text.unwrap_or_default().trim().to_string(),
                        secret: false,
                    });
                }
            }
            Action::Otp(otp) => {
                let fetch = self.otp.fetch(otp, self.vars, self.began, timeout);
                tokio::pin!(fetch);
                // The page is watched while the code is awaited: a site that shows its outage
                // page instead fails the step as an outage now, not after the OTP timeout.
                let fetched = loop {
                    tokio::select! {
                        fetched = &mut fetch => break fetched,
                        () = tokio::time::sleep(WATCH_EVERY) => match self.look(None, false).await {
                            Err(f) if f.category == FailureCategory::Outage
                                || f.error_page
                                || f.session_lost => {
                                return Err(f);
                            }
                            // A page between two loads can't be read for a moment: not the
                            // step's business while it waits for a code.
                            _ => {}
                        },
                    }
                };
                match fetched {
                    Ok(code) => done.saves.push(Save {
                        name: otp.save_as.clone(),
                        value: code,
                        secret: true,
                    }),
                    Err(OtpError::NotReceived(m)) => {
                        return Err(StepFailure::new(FailureCategory::OtpNotReceived, m));
                    }
                    Err(OtpError::Unavailable(m)) => {
                        return Err(StepFailure::new(FailureCategory::Infrastructure, m));
                    }
                }
            }
            Action::Screenshot(name) => {
                let path = self.evidence.screenshot_path(index, name);
                self.screenshot(&path).await?;
                done.screenshot = Some(path.display().to_string());
            }
            Action::Include { .. } => done.children = Children::Run,
            Action::Script { code, save_as } => {
                let code = code.render(self.vars);
                let value = self
                    .page
                    .execute(&code, vec![])
                    .await
                    .map_err(|e| match e {
                        BrowserError::Script(m) => StepFailure::new(
                            FailureCategory::Assertion,
                            format!("the script threw: {m}"),
                        ),
                        e => StepFailure::from_browser(e, "could not run the script"),
                    })?;
                if let Some(var) = save_as {
                    let text = match value {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Null => String::new(),
                        v => v.to_string(),
                    };
                    done.saves.push(Save {
                        name: var.clone(),
                        value: text,
                        secret: false,
                    });
                }
            }
            Action::Sleep(d) => tokio::time::sleep(*d).await,
            Action::Log(message) => done.log = Some(self.vars.mask(&message.render(self.vars))),
            Action::When {
                condition, within, ..
            } => {
                let holds = self
                    .condition_holds(condition, Instant::now() + *within)
                    .await?;
                done.children = if holds {
                    Children::Run
                } else {
                    Children::Skip("condition not met")
                };
            }
        }
        Ok(done)
    }

    fn selector(&self, l: &Locator) -> Selector {
        Selector::from_locator(l, self.vars)
    }

    /// A `screenshot:` step's picture, secrets hidden, kept at `path`.
    async fn screenshot(&self, path: &Path) -> Result<(), StepFailure> {
        let broke = |e: String| StepFailure::new(FailureCategory::Infrastructure, e);
        let secrets = SecretsOnPage::new(self.secret_fields, self.vars);
        let png = self
            .page
            .screenshot(&secrets)
            .await
            .map_err(|e| broke(e.to_string()))?;
        crate::evidence::save_screenshot(path, &png)
            .await
            .map_err(|e| broke(e.to_string()))
    }

    /// Names `l` as the element a failure was about (the red box in the annotated shot).
    fn at(&self, l: &Locator) -> impl FnOnce(StepFailure) -> StepFailure + use<P> {
        let sel = self.selector(l);
        move |mut f| {
            f.target.get_or_insert(sel);
            f
        }
    }

    /// The step uses one element of those `l` matches: several visible ones are a warning
    /// kept for its result, or with `strict` its failure.
    fn one_element(&self, l: &Locator, ambiguity: Option<&Ambiguity>) -> Result<(), StepFailure> {
        let Some(amb) = ambiguity else {
            return Ok(());
        };
        if let Some(w) = super::ambiguity::judge(l, amb, self.vars, self.strict)? {
            let mut warnings = self.warnings.lock().unwrap_or_else(|e| e.into_inner());
            if !warnings.iter().any(|k| k.locator == w.locator) {
                warnings.push(w);
            }
        }
        Ok(())
    }

    /// One look at the page; the browser's error page, a fail_fast signature or a 5xx document
    /// fails the step at once.
    pub(crate) async fn look(
        &self,
        target: Option<&Selector>,
        want_text: bool,
    ) -> Result<PageProbe<P::Element>, StepFailure> {
        self.look_waiting(target, want_text, None, None).await
    }

    fn keep_timing(&self, timing: Option<DocumentTiming>) {
        *self
            .document_timing
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = timing;
    }

    /// The next look of a wait: it answers once the page differs from the wait's last look.
    async fn look_again(
        &self,
        watch: &mut Watch,
        target: Option<&Selector>,
        want_text: bool,
    ) -> Result<PageProbe<P::Element>, StepFailure> {
        let page = self
            .look_waiting(target, want_text, watch.wait(), watch.ready)
            .await?;
        watch.last = Some(page.key.clone());
        Ok(page)
    }

    /// Every look also reads the showing document's timings, and the step keeps the last
    /// look's: a document that arrives while a step waits — a navigation the site starts from
    /// script after the click that asked for it — is timed on the step that saw it come.
    async fn look_waiting(
        &self,
        target: Option<&Selector>,
        want_text: bool,
        wait: Option<ProbeWait<'_>>,
        ready: Option<Ready>,
    ) -> Result<PageProbe<P::Element>, StepFailure> {
        let mut req = ProbeRequest {
            target,
            signatures: &self.fail_fast.selectors,
            want_text: want_text || self.fail_fast.needs_text,
            wait,
            timing: true,
            ready,
        };
        // A page that is navigating away can fail a script once or twice ("execution context
        // destroyed", "document unloaded"); only an error that persists, or a lost session,
        // fails the step. The first retry is at once and does not wait (the driver waits for
        // the new document itself).
        let mut tries = 0;
        let page = loop {
            tries += 1;
            match self.page.probe(&req).await {
                Ok(page) => break page,
                Err(e) if e.is_lost() || tries >= 4 => {
                    return Err(StepFailure::from_browser(e, "could not read the page"));
                }
                Err(e) => {
                    tracing::debug!(
                        "probe failed, looking again: {}",
                        self.vars.mask(&e.to_string())
                    );
                    req.wait = None;
                    if tries > 1 {
                        tokio::time::sleep(RETRY_AFTER).await;
                    }
                }
            }
        };
        self.keep_timing(page.timing);
        if let Some(error) = &page.error_page {
            return Err(self.error_page_failure(error, &page.url).await);
        }
        match self.fail_fast.check(&page, self.vars) {
            Some(outage) => Err(outage),
            None => Ok(page),
        }
    }

    /// The failure for the browser's error page, seen at `location`.
    async fn error_page_failure(&self, error: &ErrorPage, location: &str) -> StepFailure {
        let url = if shows_its_own_address(location) {
            self.page.current_url().await.ok()
        } else {
            Some(location.to_string())
        };
        error_page_failure(error, url.as_deref())
    }

    /// After a click or a key press: one look for the browser's error page, so the step that
    /// navigated there fails, not the one after it. Firefox's driver reports that itself;
    /// Chromium's calls the click a success. A page that cannot be read yet is the next
    /// step's business.
    /// The same look reads the document's timings, in case the step loaded one.
    async fn not_on_an_error_page(&self) -> Result<(), StepFailure> {
        let req = ProbeRequest {
            timing: true,
            ..ProbeRequest::default()
        };
        if let Ok(page) = self.page.probe(&req).await {
            self.keep_timing(page.timing);
            if let Some(error) = &page.error_page {
                return Err(self.error_page_failure(error, &page.url).await);
            }
        }
        Ok(())
    }

    async fn open(&self, raw: &str, timeout: Duration) -> Result<(), StepFailure> {
        let base = self.base_url.map(|b| b.render(self.vars));
        let url = resolve_url(raw, base.as_deref())
            .map_err(|m| StepFailure::new(FailureCategory::Navigation, m))?;
        if let Err(e) = self.page.goto(&url, timeout).await {
            return Err(match e {
                BrowserError::Navigation(m) => error_page_in_driver_message(&m, Some(&url))
                    .unwrap_or_else(|| {
                        StepFailure::new(
                            FailureCategory::Navigation,
                            format!("could not load {url}: {m}"),
                        )
                    }),
                BrowserError::PageLoadTimeout(_) => StepFailure::new(
                    FailureCategory::Timeout,
                    format!(
                        "{url} did not finish loading within {}",
                        format_duration(timeout)
                    ),
                ),
                e => StepFailure::from_browser(e, &format!("could not open {url}")),
            });
        }
        // The browser's error page (the driver may call the navigation a success: Chromium's
        // unsafe ports and certificate errors), a 5xx document or a signature fails here.
        let page = self.look(None, false).await?;
        if let Some(s) = page.status.filter(|s| *s >= 400) {
            // 4xx: the page the journey names is not there (a moved link, a wrong base_url) —
            // a navigation problem rather than the site being down.
            return Err(StepFailure::new(
                FailureCategory::Navigation,
                format!("{url} answered HTTP {s}"),
            ));
        }
        Ok(())
    }

    /// Waits until `l` is visible (and enabled, for `Need::Actionable`) and returns it with its
    /// text. `assert` reports a hidden element as an assertion rather than a timeout.
    async fn element(
        &self,
        l: &Locator,
        need: Need,
        deadline: Instant,
        timeout: Duration,
        assert: bool,
        ready: Option<Ready>,
    ) -> Result<Usable<P::Element>, StepFailure> {
        let sel = self.selector(l);
        let mut watch = Watch::until(deadline);
        watch.ready = ready;
        loop {
            let page = self.look_again(&mut watch, Some(&sel), false).await?;
            let probe = page.target.unwrap_or(ElementProbe::Missing);
            match &probe {
                ElementProbe::Invalid(m) => {
                    return Err(StepFailure::new(
                        FailureCategory::ElementMissing,
                        format!("invalid locator {l}: {m}"),
                    ));
                }
                ElementProbe::Found {
                    element,
                    visible: true,
                    enabled,
                    text,
                    ambiguity,
                    field,
                    readied,
                    ..
                } if *enabled || need != Need::Actionable => {
                    if need != Need::Visible {
                        self.one_element(l, ambiguity.as_ref())?;
                    }
                    return Ok(Usable {
                        element: element.clone(),
                        text: text.clone(),
                        field: *field,
                        readied: readied.clone(),
                    });
                }
                _ => {}
            }
            if Instant::now() >= deadline {
                return Err(element_failure(l, &probe, timeout, assert));
            }
        }
    }

    /// Finds the element, acts on it, and tries again while it is covered or replaced.
    async fn act(
        &self,
        l: &Locator,
        deadline: Instant,
        timeout: Duration,
        action: ElementAction<'_>,
    ) -> Result<(), StepFailure> {
        let mut refused: Option<String> = None;
        // The look that finds the element usable readies it too: one round trip fewer.
        let ready = match &action {
            ElementAction::Click => Some(Ready::Click),
            ElementAction::Fill(v) if !v.is_empty() => Some(Ready::Type),
            _ => None,
        };
        loop {
            let found = self
                .element(l, Need::Actionable, deadline, timeout, false, ready)
                .await?;
            let el = found.element;
            let r = match &action {
                ElementAction::Click => self.page.click(&el, &found.readied).await,
                ElementAction::Hover => self.page.hover(&el).await,
                ElementAction::Fill(v) => self.page.fill(&el, v, found.field, &found.readied).await,
                ElementAction::SetChecked(want) => match self.page.is_selected(&el).await {
                    Ok(now) if now == *want => Ok(()),
                    Ok(_) => self.page.click(&el, &Readied::Nothing).await,
                    Err(e) => Err(e),
                },
                ElementAction::Select(label) => match self.page.select_option(&el, label).await {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(options)) => {
                        if Instant::now() >= deadline {
                            return Err(StepFailure::new(
                                FailureCategory::ElementMissing,
                                format!(
                                    "{l} has no option {label:?} (options: {})",
                                    options.join(", ")
                                ),
                            ));
                        }
                        Err(BrowserError::Stale)
                    }
                    Err(e) => Err(e),
                },
            };
            match r {
                Ok(()) => return Ok(()),
                Err(BrowserError::NotInteractable(m)) => refused = Some(m),
                Err(BrowserError::Stale) => {}
                Err(e) => {
                    return Err(StepFailure::from_browser(
                        e,
                        &format!("could not act on {l}"),
                    ));
                }
            }
            if Instant::now() >= deadline {
                let why = refused.unwrap_or_else(|| "it kept changing".into());
                return Err(StepFailure::new(
                    FailureCategory::Timeout,
                    format!(
                        "{l} could not be used within {}: {why}",
                        format_duration(timeout)
                    ),
                ));
            }
            tokio::time::sleep(RETRY_AFTER).await;
        }
    }

    async fn until_hidden(
        &self,
        l: &Locator,
        deadline: Instant,
        timeout: Duration,
        assert: bool,
    ) -> Result<(), StepFailure> {
        let sel = self.selector(l);
        let mut watch = Watch::until(deadline);
        loop {
            let page = self.look_again(&mut watch, Some(&sel), false).await?;
            if !page.target.as_ref().is_some_and(ElementProbe::is_visible) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let category = if assert {
                    FailureCategory::Assertion
                } else {
                    FailureCategory::Timeout
                };
                return Err(StepFailure::new(
                    category,
                    format!("{l} is still visible after {}", format_duration(timeout)),
                ));
            }
        }
    }

    async fn wait_for(
        &self,
        c: &WaitCondition,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<(), StepFailure> {
        match c {
            WaitCondition::Visible(l) => self
                .element(l, Need::Visible, deadline, timeout, false, None)
                .await
                .map(|_| ())
                .map_err(self.at(l)),
            WaitCondition::Hidden(l) => self
                .until_hidden(l, deadline, timeout, false)
                .await
                .map_err(self.at(l)),
            WaitCondition::Url(m) => {
                self.page_matches(m, deadline, timeout, "URL", |p| p.url.clone(), false)
                    .await
            }
            WaitCondition::Text(m) => {
                self.page_matches(m, deadline, timeout, "page text", body_text, false)
                    .await
            }
        }
    }

    /// Polls until `get(page)` matches `m`; `assert` decides assertion vs timeout at the end.
    async fn page_matches(
        &self,
        m: &TextMatch,
        deadline: Instant,
        timeout: Duration,
        what: &str,
        get: impl Fn(&PageProbe<P::Element>) -> String,
        assert: bool,
    ) -> Result<(), StepFailure> {
        let want_text = what == "page text";
        let mut watch = Watch::until(deadline);
        loop {
            let page = self.look_again(&mut watch, None, want_text).await?;
            let actual = get(&page);
            if m.is_match(&actual, self.vars) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let shown = if want_text {
                    format!("; the page showed {}", page_showed(&page))
                } else {
                    format!(", it is {actual:?}")
                };
                return Err(if assert {
                    StepFailure::new(
                        FailureCategory::Assertion,
                        format!("expected the {what} to match {}{shown}", self.expected(m)),
                    )
                } else {
                    StepFailure::new(
                        FailureCategory::Timeout,
                        format!(
                            "the {what} did not match {} within {}{shown}",
                            self.expected(m),
                            format_duration(timeout)
                        ),
                    )
                });
            }
        }
    }

    async fn assert_text(
        &self,
        l: &Locator,
        m: &TextMatch,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<(), StepFailure> {
        let sel = self.selector(l);
        let mut actual: Option<String> = None;
        let mut watch = Watch::until(deadline);
        loop {
            let page = self.look_again(&mut watch, Some(&sel), false).await?;
            let probe = page.target.unwrap_or(ElementProbe::Missing);
            if let ElementProbe::Found {
                visible: true,
                text: Some(t),
                ambiguity,
                ..
            } = &probe
            {
                // Whether it matches or not, the text read is one element's of several.
                self.one_element(l, ambiguity.as_ref())?;
                if m.is_match(t, self.vars) {
                    return Ok(());
                }
                actual = Some(t.clone());
            }
            if let ElementProbe::Invalid(msg) = &probe {
                return Err(StepFailure::new(
                    FailureCategory::ElementMissing,
                    format!("invalid locator {l}: {msg}"),
                ));
            }
            if Instant::now() >= deadline {
                return Err(match actual {
                    Some(a) => StepFailure::new(
                        FailureCategory::Assertion,
                        format!(
                            "expected {l} to match {}, its text is {:?}",
                            self.expected(m),
                            a.trim()
                        ),
                    ),
                    None => element_failure(l, &probe, timeout, false),
                });
            }
        }
    }

    async fn condition_holds(&self, c: &Condition, deadline: Instant) -> Result<bool, StepFailure> {
        let sel = match c {
            Condition::Visible(l) => Some(self.selector(l)),
            _ => None,
        };
        let mut watch = Watch::until(deadline);
        loop {
            let page = self
                .look_again(&mut watch, sel.as_ref(), matches!(c, Condition::Text(_)))
                .await?;
            let holds = match c {
                Condition::Visible(_) => page.target.as_ref().is_some_and(ElementProbe::is_visible),
                Condition::Url(m) => m.is_match(&page.url, self.vars),
                Condition::Text(m) => m.is_match(&body_text(&page), self.vars),
            };
            if holds {
                return Ok(true);
            }
            if Instant::now() >= deadline {
                return Ok(false);
            }
        }
    }

    /// What a match expects, as shown in a message (a substring rendered; masked later).
    fn expected(&self, m: &TextMatch) -> String {
        match m {
            TextMatch::Contains(t) => format!("{:?}", t.render(self.vars)),
            TextMatch::Regex(r) => format!("/{}/", r.as_str()),
        }
    }
}

/// How much of the page's text a failure quotes.
const SHOWN_TEXT_CHARS: usize = 150;

/// What the page showed instead of the text a step waited for: `title "Home", text "Welcome
/// back, Mario. Your cards…"` (the text's start, its runs of white space made one space).
fn page_showed<E>(p: &PageProbe<E>) -> String {
    let text = body_text(p)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "title {:?}, text {:?}",
        p.title.trim(),
        crate::text::truncate_chars(&text, SHOWN_TEXT_CHARS - 1)
    )
}

fn body_text<E>(p: &PageProbe<E>) -> String {
    p.body_text.clone().unwrap_or_default()
}

/// Why an element wait ran out: never there, there but hidden, or there but disabled.
fn element_failure<E>(
    l: &Locator,
    last: &ElementProbe<E>,
    timeout: Duration,
    assert: bool,
) -> StepFailure {
    let t = format_duration(timeout);
    match last {
        ElementProbe::Missing | ElementProbe::Invalid(_) => StepFailure::new(
            FailureCategory::ElementMissing,
            format!("no element matches {l} (waited {t})"),
        ),
        ElementProbe::Found { visible: false, .. } => StepFailure::new(
            if assert {
                FailureCategory::Assertion
            } else {
                FailureCategory::Timeout
            },
            format!("{l} is on the page but stayed hidden for {t}"),
        ),
        ElementProbe::Found { .. } => StepFailure::new(
            FailureCategory::Timeout,
            format!("{l} stayed disabled for {t}"),
        ),
    }
}

/// An absolute URL as is; else joined onto `base_url`.
pub(crate) fn resolve_url(raw: &str, base: Option<&str>) -> Result<String, String> {
    if let Ok(u) = url::Url::parse(raw) {
        return Ok(u.to_string());
    }
    let Some(base) = base else {
        return Err(format!(
            "{raw:?} is not an absolute URL and the journey has no base_url"
        ));
    };
    let base = url::Url::parse(base).map_err(|e| format!("base_url {base:?} is not a URL: {e}"))?;
    // Keep the base's path: `/login` under `http://h/app/` is `http://h/app/login`, as people
    // who set a base_url with a path expect.
    let mut joined = base.clone();
    let path = format!(
        "{}/{}",
        base.path().trim_end_matches('/'),
        raw.trim_start_matches('/')
    );
    joined.set_path("");
    let joined = joined
        .join(&path)
        .map_err(|e| format!("cannot join {raw:?} onto the base_url: {e}"))?;
    Ok(joined.to_string())
}

#[cfg(test)]
mod tests {
    use super::resolve_url;

    #[test]
    fn open_resolves_against_base_url_keeping_its_path() {
        assert_eq!(
            resolve_url("/login", Some("http://127.0.0.1:7878")).unwrap(),
            "http://127.0.0.1:7878/login"
        );
        assert_eq!(
            resolve_url("login?x=1", Some("http://h/app/")).unwrap(),
            "http://h/app/login?x=1"
        );
        assert_eq!(
            resolve_url("/", Some("http://h/app")).unwrap(),
            "http://h/app/"
        );
        assert_eq!(
            resolve_url("http://other/x", Some("http://h/")).unwrap(),
            "http://other/x"
        );
        assert!(resolve_url("/x", None).is_err());
    }
}
