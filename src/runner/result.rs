//! What a run produced: the data behind every report. Failure is data here, not an `Err`.
//!
//! Serialised as-is into the JSON report (`--report-json`), whose field names are a contract
//! (README.md, "The JSON report"): fields may be added, never renamed.

use serde::Serialize;

use crate::network::{FailedRequest, PageTiming, StepRequest};

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub vedetta_version: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub duration_ms: u64,
    /// Set when the run was cut short (Ctrl-C, SIGTERM): `"SIGINT"` or `"SIGTERM"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    pub journeys: Vec<JourneyResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JourneyResult {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub file: String,
    pub status: JourneyStatus,
    /// How many times the journey was walked (1 + retries used).
    pub attempts: u32,
    pub started_at: String,
    pub duration_ms: u64,
    /// The steps of the last attempt.
    pub steps: Vec<StepResult>,
    /// Why the harness could not do its job, when `status` is `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Earlier attempts that failed, oldest first (empty unless retried).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub previous_attempts: Vec<AttemptResult>,
    /// The run passed but crossed a `slow:` threshold (`status` stays `passed`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub degraded: bool,
    /// What crossed its threshold, in walk order; the journey's own `slow:` (index 0) last.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub slow: Vec<SlowStep>,
    /// How long its attempts waited for a browser to start, all together (within
    /// `duration_ms`); 0, and left out, when warm browsers served them all.
    #[serde(default, skip_serializing_if = "is_zero_ms")]
    pub browser_start_ms: u64,
    /// The phone or tablet the page was emulated as (`device:`, `--device`); left out for a
    /// desktop browser.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceReport>,
}

/// What the page was told it runs on: the device's name (none for a custom one), its viewport
/// in CSS pixels, pixel ratio, mobile browser, touch, and user agent (none: the browser's own).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub width: u32,
    pub height: u32,
    pub pixel_ratio: f64,
    pub mobile: bool,
    pub touch: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

impl DeviceReport {
    /// `device` as reported, with `mask` applied to its user agent (a journey's variables).
    pub fn new(device: &crate::journey::model::Device, mask: impl Fn(&str) -> String) -> Self {
        DeviceReport {
            name: device.name.clone(),
            width: device.width,
            height: device.height,
            pixel_ratio: device.pixel_ratio,
            mobile: device.mobile,
            touch: device.touch,
            user_agent: device.user_agent.as_deref().map(mask),
        }
    }
}

impl std::fmt::Display for DeviceReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{name}, {}×{}", self.width, self.height),
            None => write!(f, "a {}×{} device", self.width, self.height),
        }
    }
}

fn is_zero_ms(n: &u64) -> bool {
    *n == 0
}

/// A step (or, with `index` 0, the journey's steps together) that took longer than its
/// `slow:` threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SlowStep {
    /// The step's index, as in `steps`; 0 for the journey as a whole.
    pub index: usize,
    /// The step's name; the journey's name for the journey as a whole.
    pub name: String,
    pub duration_ms: u64,
    pub threshold_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttemptResult {
    pub attempt: u32,
    pub status: JourneyStatus,
    pub duration_ms: u64,
    pub steps: Vec<StepResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JourneyStatus {
    Passed,
    Failed,
    /// Passed after at least one failed attempt. Counts as passed for the exit code.
    Flaky,
    /// The harness could not do its job (no browser, grid unreachable, browser crashed,
    /// interrupted). Never the site's fault.
    Error,
}

impl JourneyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JourneyStatus::Passed => "passed",
            JourneyStatus::Failed => "failed",
            JourneyStatus::Flaky => "flaky",
            JourneyStatus::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StepResult {
    /// 1-based position in the journey's walk, counting steps inside `include` and `when`.
    pub index: usize,
    /// How many `include`/`when` blocks the step is inside (0: the journey's own steps).
    #[serde(skip_serializing_if = "is_zero")]
    pub depth: usize,
    pub name: String,
    /// The action's keyword: `click`, `otp`, …
    pub action: String,
    /// The customer-facing part the step belongs to (`component:`, resolved: the step's own,
    /// else the nearest before it, else the journey's `component:`, title or name).
    pub component: String,
    /// The file the step is written in (differs from the journey's for included steps).
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub status: StepStatus,
    pub duration_ms: u64,
    /// Set for `optional: true` steps.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// Why a step was skipped: `"an earlier step failed"`, `"condition not met"`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    /// A screenshot kept for a passing step (`screenshot:` steps, `screenshots: every_step`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screenshot: Option<String>,
    /// How fast the document this step loaded came (an `open`, a click that navigated); absent
    /// for a step that loaded none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timing: Option<PageTiming>,
    /// The step's `slow:` threshold, set when the step passed but took longer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slow_threshold_ms: Option<u64>,
    /// A `log:` step's message, its variables rendered and secrets masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    /// What the step did that may not be what the author meant (a locator matching several
    /// elements), whether it passed or not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<StepWarning>,
}

/// A step's warning: it went on, but perhaps not as the author meant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepWarning {
    /// What kind: `ambiguous_locator`.
    pub kind: String,
    /// Said in the console, secrets masked.
    pub message: String,
    /// The locator, as written in the journey.
    pub locator: String,
    /// How many visible elements it matched.
    pub count: usize,
    /// The first two matches (the one the step used first), secrets masked.
    pub matches: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Passed,
    Failed,
    Skipped,
}

impl StepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Passed => "passed",
            StepStatus::Failed => "failed",
            StepStatus::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub category: FailureCategory,
    /// Secrets already masked.
    pub message: String,
    /// Path of the failure screenshot (PNG of the viewport), when one was taken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screenshot: Option<String>,
    /// The folder holding this failure's evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// The `fail_fast` signature that showed, when the category is `outage` because of one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The page's URL when the step failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// What the page told the customer when the step failed: the visible text of its alerts
    /// and error messages (`role=alert`, `.error`, …), ` / `-joined. Also at the end of
    /// `message`, so every report and alert carries it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_says: Option<String>,
    /// The first errors the page logged in the browser's console during the step or the one
    /// before it (an uncaught exception, a script that did not load), short and masked.
    /// Chromium only: Firefox's driver gives no console.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub console: Vec<String>,
    /// SHA-256 (lowercase hex) of the evidence folder's `manifest.json` as written: kept outside
    /// the folder, so a manifest rewritten to cover altered files shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence_sha256: Option<String>,
    /// The requests that failed around the step (HTTP ≥ 500 or no answer, and the site under
    /// test's 4xx), most telling first; the first also ends `message`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<FailedRequest>,
    /// Every request of the step's window, for the HTML report's waterfall (the evidence
    /// folder's `network.har` has them in full; not in the JSON report).
    #[serde(skip)]
    pub waterfall: Vec<StepRequest>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureCategory {
    /// A fail_fast signature, or an HTTP error page.
    Outage,
    /// Waited the step's whole timeout for something that did not happen.
    Timeout,
    /// The page showed something other than what the step expected.
    Assertion,
    /// The element the step was after never appeared.
    ElementMissing,
    /// The one-time code never came.
    OtpNotReceived,
    /// The page could not be loaded (DNS, refused connection, TLS).
    Navigation,
    /// The harness failed mid-step (browser crashed, driver gone).
    Infrastructure,
}

impl FailureCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureCategory::Outage => "outage",
            FailureCategory::Timeout => "timeout",
            FailureCategory::Assertion => "assertion",
            FailureCategory::ElementMissing => "element_missing",
            FailureCategory::OtpNotReceived => "otp_not_received",
            FailureCategory::Navigation => "navigation",
            FailureCategory::Infrastructure => "infrastructure",
        }
    }
}

impl RunReport {
    /// The process exit code for this run: 0 all passed (flaky and slow count), 1 a journey
    /// failed, 3 the harness could not run a journey (and none failed).
    pub fn exit_code(&self) -> i32 {
        self.exit_code_with(false)
    }

    /// [`exit_code`](Self::exit_code), where `fail_on_slow` (`--fail-on-slow`, for release
    /// gates) makes a degraded journey exit 1 when nothing worse happened.
    pub fn exit_code_with(&self, fail_on_slow: bool) -> i32 {
        let any = |s| self.journeys.iter().any(|j| j.status == s);
        if any(JourneyStatus::Failed) {
            crate::exit::FAILED
        } else if any(JourneyStatus::Error) {
            crate::exit::HARNESS
        } else if fail_on_slow && self.journeys.iter().any(|j| j.degraded) {
            crate::exit::FAILED
        } else {
            crate::exit::PASSED
        }
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journey(status: JourneyStatus, degraded: bool) -> JourneyResult {
        JourneyResult {
            name: "j".into(),
            title: None,
            file: "j.yaml".into(),
            status,
            attempts: 1,
            started_at: String::new(),
            duration_ms: 0,
            steps: Vec::new(),
            error: None,
            previous_attempts: Vec::new(),
            degraded,
            slow: Vec::new(),
            browser_start_ms: 0,
            device: None,
        }
    }

    fn report(journeys: Vec<JourneyResult>) -> RunReport {
        RunReport {
            vedetta_version: "0.1.0".into(),
            started_at: String::new(),
            duration_ms: 0,
            interrupted: None,
            journeys,
        }
    }

    #[test]
    fn a_slow_run_exits_0_unless_fail_on_slow_and_never_hides_worse() {
        let slow = report(vec![journey(JourneyStatus::Passed, true)]);
        assert_eq!(slow.exit_code(), 0);
        assert_eq!(slow.exit_code_with(true), 1);
        let fast = report(vec![journey(JourneyStatus::Flaky, false)]);
        assert_eq!(fast.exit_code_with(true), 0);
        let error = report(vec![
            journey(JourneyStatus::Passed, true),
            journey(JourneyStatus::Error, false),
        ]);
        assert_eq!(
            error.exit_code_with(true),
            3,
            "the harness's trouble is said first"
        );
        // Never in the JSON of a run that was not slow; always in one that was.
        let json = serde_json::to_value(&fast.journeys[0]).unwrap();
        assert!(json.get("degraded").is_none() && json.get("slow").is_none());
        let json = serde_json::to_value(&slow.journeys[0]).unwrap();
        assert_eq!(json["degraded"], true);
        assert_eq!(json["status"], "passed");
    }
}
