//! A step's failure while it is being worked out; becomes a [`Failure`] in the result.

use super::result::{Failure, FailureCategory};
use crate::browser::{BrowserError, Selector};
use crate::journey::model::Variables;

#[derive(Debug, Clone)]
pub(crate) struct StepFailure {
    pub category: FailureCategory,
    pub message: String,
    /// The fail_fast signature's reason, for `outage` from a signature.
    pub signature: Option<String>,
    /// The browser session is gone: nothing more can run in this attempt.
    pub session_lost: bool,
    /// The element the step was after, for the red box of the annotated screenshot.
    pub target: Option<Selector>,
}

impl StepFailure {
    pub fn new(category: FailureCategory, message: impl Into<String>) -> StepFailure {
        StepFailure {
            category,
            message: message.into(),
            signature: None,
            session_lost: false,
            target: None,
        }
    }

    /// A browser error, sorted into the category it means for the site or the harness.
    pub fn from_browser(e: BrowserError, doing: &str) -> StepFailure {
        let category = match &e {
            BrowserError::Setup(_) | BrowserError::Lost(_) | BrowserError::Other(_) => {
                FailureCategory::Infrastructure
            }
            BrowserError::Navigation(_) => FailureCategory::Navigation,
            BrowserError::PageLoadTimeout(_) => FailureCategory::Timeout,
            BrowserError::NotInteractable(_) | BrowserError::Stale => FailureCategory::Timeout,
            BrowserError::Script(_) => FailureCategory::Assertion,
        };
        let mut f = StepFailure::new(category, format!("{doing}: {e}"));
        f.session_lost = e.is_lost();
        f
    }

    /// The harness's fault: the journey is `error`, not `failed`.
    pub fn is_infrastructure(&self) -> bool {
        self.category == FailureCategory::Infrastructure
    }

    /// The report's form, with every secret value masked.
    pub fn into_failure(self, vars: &Variables, url: Option<String>) -> Failure {
        Failure {
            category: self.category,
            message: vars.mask(&self.message),
            screenshot: None,
            evidence: None,
            signature: self.signature.map(|s| vars.mask(&s)),
            url: url.map(|u| vars.mask(&u)),
            evidence_sha256: None,
        }
    }
}
