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
    /// That error page gave no reason (Chromium's headless shell shows a blank one): the URL
    /// it failed to load, whose request in the network log says why.
    pub error_page_without_reason: Option<String>,
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
            error_page_without_reason: None,
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
            requests: Vec::new(),
            waterfall: Vec::new(),
        }
    }
}

/// The console's first error at the end of a timeout, element_missing or assertion message —
/// when no failed request already explains it (call after [`with_network_cause`]).
///
/// [`with_network_cause`]: super::cause::with_network_cause
pub(crate) fn with_console_cause(mut failure: Failure) -> Failure {
    let explains = matches!(
        failure.category,
        FailureCategory::Timeout | FailureCategory::ElementMissing | FailureCategory::Assertion
    );
    if explains
        && failure.requests.is_empty()
        && let Some(first) = failure.console.first()
    {
        failure.message = match failure.console.len() {
            1 => format!("{}; the page logged: {first}", failure.message),
            n => format!(
                "{}; the page logged: {first} (and {} more)",
                failure.message,
                n - 1
            ),
        };
    }
    failure
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
        let f =
            with_console_cause(
                StepFailure::new(FailureCategory::Timeout, "the page text did not match")
                    .into_failure(&vars, None, &[], &logged),
            );
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
        // A failed request explains a timeout better than the console: it alone is named.
        let mut f = StepFailure::new(FailureCategory::Timeout, "no balance").into_failure(
            &vars,
            None,
            &[],
            &logged[..1],
        );
        f.requests.push(crate::network::FailedRequest {
            method: "GET".into(),
            url: "http://127.0.0.1:1/api/balance".into(),
            status: Some(404),
            error: None,
            duration_ms: 3,
            resource_type: "fetch".into(),
            error_text: None,
            site_under_test: true,
            backend_failed: false,
        });
        assert_eq!(with_console_cause(f).message, "no balance");
    }
}
