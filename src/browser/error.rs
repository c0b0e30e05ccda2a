use fantoccini::error::{CmdError, ErrorStatus, NewSessionError};

/// What went wrong talking to the browser, sorted by what the runner does about it.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    /// No session could be had (driver missing, browser missing, grid unreachable).
    #[error("{0}")]
    Setup(String),
    /// The session died mid-run (driver killed, browser crashed, connection lost).
    #[error("the browser session was lost: {0}")]
    Lost(String),
    /// The page could not be loaded: the browser showed its own error page (chromedriver's
    /// `net::ERR_…`, geckodriver's `Reached error page: about:neterror?…` and `insecure
    /// certificate`; see [`super::ErrorPage::from_driver_message`]).
    #[error("{0}")]
    Navigation(String),
    /// The page did not finish loading within the step's timeout.
    #[error("the page did not finish loading: {0}")]
    PageLoadTimeout(String),
    /// The element is there but cannot take the action yet (covered, not interactable).
    #[error("{0}")]
    NotInteractable(String),
    /// The element left the page between finding it and acting on it.
    #[error("the element is no longer on the page")]
    Stale,
    /// The page's JavaScript threw.
    #[error("{0}")]
    Script(String),
    /// Anything else the driver refused.
    #[error("{0}")]
    Other(String),
}

impl BrowserError {
    /// The harness's fault rather than the site's: the journey becomes `error`.
    pub fn is_lost(&self) -> bool {
        matches!(self, BrowserError::Lost(_) | BrowserError::Setup(_))
    }

    /// The same error with its message passed through `f` (to mask credentials, say).
    pub fn map_message(self, f: impl Fn(String) -> String) -> BrowserError {
        use BrowserError::*;
        match self {
            Setup(m) => Setup(f(m)),
            Lost(m) => Lost(f(m)),
            Navigation(m) => Navigation(f(m)),
            PageLoadTimeout(m) => PageLoadTimeout(f(m)),
            NotInteractable(m) => NotInteractable(f(m)),
            Stale => Stale,
            Script(m) => Script(f(m)),
            Other(m) => Other(f(m)),
        }
    }
}

/// Messages chromedriver uses when the browser behind the session is gone.
const LOST_MARKERS: &[&str] = &[
    "session deleted",
    "chrome not reachable",
    "disconnected",
    "target crashed",
    "tab crashed",
    "no such session",
    "invalid session id",
    "not connected to devtools",
];

impl From<CmdError> for BrowserError {
    fn from(e: CmdError) -> Self {
        match e {
            CmdError::Standard(w) => {
                let msg = first_line(&w.message);
                let lower = msg.to_lowercase();
                match w.error {
                    ErrorStatus::InvalidSessionId | ErrorStatus::SessionNotCreated => {
                        BrowserError::Lost(msg)
                    }
                    _ if LOST_MARKERS.iter().any(|m| lower.contains(m)) => BrowserError::Lost(msg),
                    ErrorStatus::NoSuchWindow => BrowserError::Lost(msg),
                    ErrorStatus::StaleElementReference | ErrorStatus::NoSuchElement => {
                        BrowserError::Stale
                    }
                    ErrorStatus::ElementClickIntercepted
                    | ErrorStatus::ElementNotInteractable
                    | ErrorStatus::InvalidElementState
                    | ErrorStatus::MoveTargetOutOfBounds => BrowserError::NotInteractable(msg),
                    ErrorStatus::JavascriptError => BrowserError::Script(msg),
                    ErrorStatus::InsecureCertificate => BrowserError::Navigation(
                        format!("insecure certificate {msg}").trim_end().into(),
                    ),
                    ErrorStatus::Timeout | ErrorStatus::ScriptTimeout => {
                        BrowserError::PageLoadTimeout(msg)
                    }
                    _ if lower.contains("net::err_") || lower.contains("reached error page") => {
                        BrowserError::Navigation(msg)
                    }
                    _ => BrowserError::Other(msg),
                }
            }
            // The driver's HTTP server is gone or the connection broke: the driver died.
            CmdError::Failed(e) => BrowserError::Lost(format!("WebDriver request failed: {e}")),
            CmdError::FailedC(e) => BrowserError::Lost(format!("WebDriver unreachable: {e}")),
            CmdError::Lost(e) => BrowserError::Lost(format!("connection to WebDriver lost: {e}")),
            CmdError::NotJson(s) => {
                BrowserError::Lost(format!("WebDriver answered garbage: {}", first_line(&s)))
            }
            other => BrowserError::Other(first_line(&other.to_string())),
        }
    }
}

impl From<NewSessionError> for BrowserError {
    fn from(e: NewSessionError) -> Self {
        let msg = match e {
            NewSessionError::SessionNotCreated(w) => first_line(&w.message),
            other => first_line(&other.to_string()),
        };
        BrowserError::Setup(format!("could not start a browser session: {msg}"))
    }
}

/// chromedriver appends a multi-line "(Session info: …)" and stack; keep the first line.
fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}

#[cfg(test)]
mod tests {
    use fantoccini::error::{CmdError, ErrorStatus, WebDriver};

    use super::BrowserError;

    fn from(status: ErrorStatus, message: &'static str) -> BrowserError {
        BrowserError::from(CmdError::Standard(WebDriver::new(status, message)))
    }

    #[test]
    fn a_navigation_onto_the_browsers_error_page_is_a_navigation_error_in_both_browsers() {
        // chromedriver
        let e = from(
            ErrorStatus::UnknownError,
            "unknown error: net::ERR_CONNECTION_REFUSED\n  (Session info: chrome=156)",
        );
        assert!(
            matches!(&e, BrowserError::Navigation(m) if m == "unknown error: net::ERR_CONNECTION_REFUSED"),
            "{e:?}"
        );
        // geckodriver, for a navigation and for a click that navigated
        let e = from(
            ErrorStatus::UnknownError,
            "Reached error page: about:neterror?e=connectionFailure&u=http%3A//127.0.0.1%3A9/",
        );
        assert!(matches!(&e, BrowserError::Navigation(_)), "{e:?}");
        assert!(!e.is_lost());
        let e = from(ErrorStatus::InsecureCertificate, "");
        assert!(
            matches!(&e, BrowserError::Navigation(m) if m == "insecure certificate"),
            "{e:?}"
        );
        // Anything else unknown stays the harness's trouble.
        let e = from(ErrorStatus::UnknownError, "something odd");
        assert!(matches!(&e, BrowserError::Other(_)), "{e:?}");
    }
}
