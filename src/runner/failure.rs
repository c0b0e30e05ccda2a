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

    /// The report's form, with every secret value masked. `notices` are what the page was
    /// telling the customer (see [`crate::browser::Session::notices`]).
    pub fn into_failure(
        self,
        vars: &Variables,
        url: Option<String>,
        notices: &[String],
    ) -> Failure {
        let page_says = (!notices.is_empty()).then(|| vars.mask(&notices.join(" / ")));
        let message = match &page_says {
            Some(said) => format!("{}; the page says: {said}", vars.mask(&self.message)),
            None => vars.mask(&self.message),
        };
        Failure {
            category: self.category,
            message,
            page_says,
            screenshot: None,
            evidence: None,
            signature: self.signature.map(|s| vars.mask(&s)),
            url: url.map(|u| vars.mask(&u)),
            evidence_sha256: None,
            requests: Vec::new(),
            waterfall: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_page_says_joins_the_message_with_secrets_masked() {
        let mut vars = Variables::default();
        vars.set_secret("PASSWORD", "hunter2hunter2");
        let f = StepFailure::new(FailureCategory::ElementMissing, "no element matches #otp");
        let notices = [
            "Wrong password hunter2hunter2".to_string(),
            "Error LGN-500".to_string(),
        ];
        let failure = f.into_failure(&vars, None, &notices);
        assert_eq!(
            failure.page_says.as_deref(),
            Some("Wrong password •••••• / Error LGN-500")
        );
        assert_eq!(
            failure.message,
            "no element matches #otp; the page says: Wrong password •••••• / Error LGN-500"
        );

        let quiet =
            StepFailure::new(FailureCategory::Timeout, "slow").into_failure(&vars, None, &[]);
        assert_eq!((quiet.message.as_str(), quiet.page_says), ("slow", None));
    }
}
