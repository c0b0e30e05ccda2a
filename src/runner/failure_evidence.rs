//! What the runner reads off the page for a failed step's evidence (each read bounded, so a
//! stuck browser or an interrupted run does not hold the walk), and the header its annotated
//! screenshot carries. Writing the files is `crate::evidence`'s.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::page::Page;
use super::result::StepResult;
use crate::browser::{SecretsOnPage, Selector};
use crate::evidence::PageAtFailure;
use crate::evidence::annotate::{Header, Rect};

/// How long a screenshot or a last look at the page may take.
const EVIDENCE_TIMEOUT: Duration = Duration::from_secs(10);

/// Work around a step (screenshots, the fail_fast check after a failure) that must neither
/// hang on a stuck browser nor hold up an interrupted run: `None` when cut short.
pub(crate) async fn bounded<T>(
    cancel: &CancellationToken,
    work: impl Future<Output = T>,
) -> Option<T> {
    tokio::select! {
        biased;
        _ = cancel.cancelled() => None,
        r = tokio::time::timeout(EVIDENCE_TIMEOUT, work) => r.ok(),
    }
}

/// The page as the step failed on it: the screenshot with `secrets` hidden, where `target` is
/// on it, the page source, and `console_log` (read by the caller, who needs it too). Each is
/// left out if the browser does not give it; why the screenshot could not be taken comes
/// second (unmasked).
pub(crate) async fn read_page_at_failure<P: Page>(
    page: &P,
    cancel: &CancellationToken,
    secrets: &SecretsOnPage,
    target: Option<&Selector>,
    console_log: Vec<String>,
) -> (PageAtFailure, Option<String>) {
    let (screenshot, screenshot_error) = match bounded(cancel, page.screenshot(secrets)).await {
        Some(Ok(png)) => (Some(png), None),
        Some(Err(e)) => (None, Some(e.to_string())),
        None => (None, None),
    };
    let target = match (&screenshot, target) {
        (Some(_), Some(sel)) => bounded(cancel, page.element_rect(sel))
            .await
            .and_then(Result::ok)
            .flatten()
            .map(|[x, y, width, height]| Rect {
                x,
                y,
                width,
                height,
            }),
        _ => None,
    };
    let source = bounded(cancel, page.source()).await.and_then(Result::ok);
    let read = PageAtFailure {
        screenshot,
        target,
        source,
        console_log: Some(console_log),
    };
    (read, screenshot_error)
}

/// The annotated screenshot's header for `step` of `journey`, or `None` when the step did not
/// fail. `at` is when the step failed (the screenshot's time).
pub fn failure_header(journey: &str, step: &StepResult, at: jiff::Timestamp) -> Option<Header> {
    let failure = step.failure.as_ref()?;
    Some(Header {
        time_utc: crate::time::readable(at),
        journey: journey.to_string(),
        step_index: step.index,
        step_name: step.name.clone(),
        url: failure.url.clone(),
        category: failure.category.as_str().to_string(),
        message: failure.message.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::result::{Failure, FailureCategory, StepStatus};

    #[test]
    fn the_header_comes_from_a_failed_step() {
        let mut step = StepResult {
            index: 11,
            depth: 0,
            name: "view the card balance".into(),
            action: "wait_for".into(),
            component: "Journey".into(),
            file: "j.yaml".into(),
            line: 3,
            column: 5,
            status: StepStatus::Passed,
            duration_ms: 10,
            optional: false,
            failure: None,
            skip_reason: None,
            screenshot: None,
            timing: None,
            slow_threshold_ms: None,
            log: None,
            warnings: Vec::new(),
        };
        let at: jiff::Timestamp = "2026-09-26T11:30:12.5Z".parse().unwrap();
        assert!(failure_header("card", &step, at).is_none());
        step.failure = Some(Failure {
            category: FailureCategory::ElementMissing,
            message: "no element matches #balance".into(),
            screenshot: None,
            evidence: None,
            signature: None,
            url: Some("http://127.0.0.1:1/account".into()),
            evidence_sha256: None,
            page_says: None,
            console: Vec::new(),
            requests: Vec::new(),
            waterfall: Vec::new(),
        });
        let h = failure_header("card", &step, at).unwrap();
        assert_eq!(h.time_utc, "2026-09-26 11:30:12 UTC");
        assert_eq!((h.step_index, h.category.as_str()), (11, "element_missing"));
        assert_eq!(h.journey, "card");
        assert_eq!(h.step_name, "view the card balance");
        assert_eq!(h.url.as_deref(), Some("http://127.0.0.1:1/account"));
        assert_eq!(h.message, "no element matches #balance");
    }
}
