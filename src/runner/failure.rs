//! A step's failure while it is being worked out; becomes a [`Failure`] in the result.

use super::error_page::error_page_in_driver_message;
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
    /// The browser's own error page showed (see `error_page.rs`): nothing of the site's is on
    /// the page to quote.
    pub error_page: bool,
}

impl StepFailure {
    pub fn new(category: FailureCategory, message: impl Into<String>) -> StepFailure {
        StepFailure {
            category,
            message: message.into(),
            signature: None,
            session_lost: false,
            target: None,
            error_page: false,
        }
    }

    /// A browser error, sorted into the category it means for the site or the harness. A
    /// command that landed on the browser's error page (Firefox says so on a click that
    /// navigated) fails as that page does.
    pub fn from_browser(e: BrowserError, doing: &str) -> StepFailure {
        if let BrowserError::Navigation(m) = &e
            && let Some(f) = error_page_in_driver_message(m, None)
        {
            return f;
        }
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
    /// telling the customer (see [`crate::browser::Session::notices`]); `console` the errors
    /// it logged around the step (see `console.rs`), named at the end of a timeout, a missing
    /// element or an assertion — the likely cause of those.
    pub fn into_failure(
        self,
        vars: &Variables,
        url: Option<String>,
        notices: &[String],
        console: &[String],
    ) -> Failure {
        let page_says = (!notices.is_empty()).then(|| vars.mask(&notices.join(" / ")));
        let console: Vec<String> = console.iter().map(|l| vars.mask_keystrokes(l)).collect();
        let mut message = vars.mask(&self.message);
        if let Some(said) = &page_says {
            message = format!("{message}; the page says: {said}");
        }
        let explains = matches!(
            self.category,
            FailureCategory::Timeout | FailureCategory::ElementMissing | FailureCategory::Assertion
        );
        if explains && let Some(first) = console.first() {
            message = match console.len() {
                1 => format!("{message}; the page logged: {first}"),
                n => format!("{message}; the page logged: {first} (and {} more)", n - 1),
            };
        }
        Failure {
            category: self.category,
            message,
            page_says,
            console,
            screenshot: None,
            evidence: None,
            signature: self.signature.map(|s| vars.mask(&s)),
            url: url.map(|u| vars.mask(&u)),
            evidence_sha256: None,
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
        let failure = f.into_failure(&vars, None, &notices, &[]);
        assert_eq!(
            failure.page_says.as_deref(),
            Some("Wrong password •••••• / Error LGN-500")
        );
        assert_eq!(
            failure.message,
            "no element matches #otp; the page says: Wrong password •••••• / Error LGN-500"
        );

        let quiet =
            StepFailure::new(FailureCategory::Timeout, "slow").into_failure(&vars, None, &[], &[]);
        assert_eq!((quiet.message.as_str(), quiet.page_says), ("slow", None));
    }

    #[test]
    fn the_pages_console_errors_end_a_timeout_an_assertion_or_a_missing_element() {
        let mut vars = Variables::default();
        vars.set_secret("PASSWORD", "hunter2hunter2");
        let logged = [
            "Uncaught TypeError: balance is undefined (account.js:12)".to_string(),
            "login failed for hunter2hunter2 (app.js:3)".to_string(),
        ];
        let f = StepFailure::new(FailureCategory::Timeout, "the page text did not match")
            .into_failure(&vars, None, &[], &logged);
        assert_eq!(
            f.message,
            "the page text did not match; the page logged: Uncaught TypeError: balance is \
             undefined (account.js:12) (and 1 more)"
        );
        assert_eq!(f.console[1], "login failed for •••••• (app.js:3)");
        // An outage names its own cause; the console is kept beside it, not in its message.
        let f = StepFailure::new(FailureCategory::Outage, "HTTP 503").into_failure(
            &vars,
            None,
            &[],
            &logged[..1],
        );
        assert_eq!((f.message.as_str(), f.console.len()), ("HTTP 503", 1));
    }
}
