//! A step that finds the browser's own error page fails at once, in every wait and in both
//! browsers, naming what the browser said: the site refusing, resetting or timing out is an
//! `outage` (it is down); a name that does not resolve, a refused TLS certificate or anything
//! else the browser would not load is `navigation`. Never the harness's fault.

use super::failure::StepFailure;
use super::result::FailureCategory;
use crate::browser::{ErrorPage, ErrorPageKind};

/// The failure for `page`, the browser's error page for `url` (the error page's own record of
/// the URL wins; `None` when neither knows it).
pub(crate) fn error_page_failure(page: &ErrorPage, url: Option<&str>) -> StepFailure {
    let url = page.url.as_deref().or(url).filter(|u| !u.is_empty());
    let why = match page.code.as_str() {
        "" => page.kind.describe().to_string(),
        code => format!("{} ({code})", page.kind.describe()),
    };
    let (category, message) = if page.kind.is_unreachable() {
        let site = url.unwrap_or("the site");
        (
            FailureCategory::Outage,
            format!("the browser could not reach {site}: {why}"),
        )
    } else {
        let what = url.unwrap_or("the page");
        (
            FailureCategory::Navigation,
            format!("could not load {what}: {why}"),
        )
    };
    let mut f = StepFailure::new(category, message);
    f.error_page = true;
    if page.code.is_empty() && page.kind == ErrorPageKind::Other {
        f.error_page_without_reason = url.map(str::to_string);
    }
    f
}

/// `f`, an error page that gave no reason, with the reason the browser gave the network log
/// for its document (`net::ERR_CONNECTION_REFUSED`): the site refusing is an outage, even when
/// the page the browser showed was blank. The element the step was after stays.
pub(crate) fn explained_by_the_network(f: StepFailure, code: &str, url: &str) -> StepFailure {
    StepFailure {
        target: f.target,
        ..error_page_failure(&ErrorPage::chromium(code), Some(url))
    }
}

/// The error page a driver's error text reports (a navigation or a click that landed on it),
/// as a failure; `None` when the text names none.
pub(crate) fn error_page_in_driver_message(text: &str, url: Option<&str>) -> Option<StepFailure> {
    ErrorPage::from_driver_message(text).map(|page| error_page_failure(&page, url))
}

/// Chromium's error page has its own address (`chrome-error://chromewebdata/`), not the one
/// that failed: the driver's current URL is asked for then.
pub(crate) fn shows_its_own_address(location: &str) -> bool {
    location.is_empty() || location.starts_with("chrome-error:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_error_page_is_explained_by_its_document_s_error_in_the_network_log() {
        // Chromium's headless shell: a chrome-error page with nothing on it.
        let blank = ErrorPage {
            kind: ErrorPageKind::Other,
            code: String::new(),
            url: None,
        };
        let f = error_page_failure(&blank, Some("http://127.0.0.1:4001/targets"));
        assert_eq!(f.category, FailureCategory::Navigation);
        assert_eq!(
            f.error_page_without_reason.as_deref(),
            Some("http://127.0.0.1:4001/targets")
        );
        let f = explained_by_the_network(
            f,
            "net::ERR_CONNECTION_REFUSED",
            "http://127.0.0.1:4001/targets",
        );
        assert_eq!(f.category, FailureCategory::Outage);
        assert_eq!(
            f.message,
            "the browser could not reach http://127.0.0.1:4001/targets: connection refused (ERR_CONNECTION_REFUSED)"
        );
        assert!(f.error_page && f.error_page_without_reason.is_none());
        // A page that said why needs no explaining.
        let said = error_page_failure(&ErrorPage::chromium("ERR_NAME_NOT_RESOLVED"), None);
        assert!(said.error_page_without_reason.is_none());
    }

    #[test]
    fn the_site_not_answering_is_an_outage_naming_the_url_and_the_code() {
        let refused = ErrorPage::chromium("ERR_CONNECTION_REFUSED");
        let f = error_page_failure(&refused, Some("http://127.0.0.1:4001/targets"));
        assert_eq!(f.category, FailureCategory::Outage);
        assert_eq!(
            f.message,
            "the browser could not reach http://127.0.0.1:4001/targets: connection refused (ERR_CONNECTION_REFUSED)"
        );
        assert!(f.error_page && !f.is_infrastructure() && !f.session_lost);

        // Firefox's page carries the failed URL itself.
        let firefox = ErrorPage::firefox(
            "about:neterror?e=connectionFailure&u=http%3A//127.0.0.1%3A4001/targets&c=UTF-8",
        )
        .unwrap();
        let f = error_page_failure(&firefox, None);
        assert_eq!(f.category, FailureCategory::Outage);
        assert_eq!(
            f.message,
            "the browser could not reach http://127.0.0.1:4001/targets: connection refused (connectionFailure)"
        );
        let reset = error_page_failure(&ErrorPage::chromium("ERR_EMPTY_RESPONSE"), None);
        assert_eq!(
            (reset.category, reset.message.as_str()),
            (
                FailureCategory::Outage,
                "the browser could not reach the site: connection reset (ERR_EMPTY_RESPONSE)"
            )
        );
    }

    #[test]
    fn dns_tls_and_other_error_pages_are_navigation_saying_which() {
        let url = Some("https://bank.example/");
        let dns = error_page_failure(&ErrorPage::chromium("ERR_NAME_NOT_RESOLVED"), url);
        assert_eq!(dns.category, FailureCategory::Navigation);
        assert_eq!(
            dns.message,
            "could not load https://bank.example/: DNS failure, the name does not resolve (ERR_NAME_NOT_RESOLVED)"
        );
        let cert = error_page_failure(
            &ErrorPage::firefox("about:certerror?e=nssBadCert&u=https%3A//bank.example/").unwrap(),
            None,
        );
        assert_eq!(cert.category, FailureCategory::Navigation);
        assert_eq!(
            cert.message,
            "could not load https://bank.example/: TLS certificate error (nssBadCert)"
        );
        let unsafe_port = error_page_failure(&ErrorPage::chromium("ERR_UNSAFE_PORT"), url);
        assert_eq!(unsafe_port.category, FailureCategory::Navigation);
        assert!(unsafe_port.message.ends_with("(ERR_UNSAFE_PORT)"));
    }

    #[test]
    fn a_drivers_error_text_for_the_error_page_becomes_the_same_failure() {
        let chromium = error_page_in_driver_message(
            "unknown error: net::ERR_CONNECTION_REFUSED",
            Some("http://127.0.0.1:9/"),
        )
        .unwrap();
        let firefox = error_page_in_driver_message(
            "Reached error page: about:neterror?e=connectionFailure&u=http%3A//127.0.0.1%3A9/&c=UTF-8",
            Some("http://127.0.0.1:9/"),
        )
        .unwrap();
        assert_eq!(chromium.category, firefox.category);
        assert!(
            firefox
                .message
                .starts_with("the browser could not reach http://127.0.0.1:9/: connection refused")
        );
        assert!(error_page_in_driver_message("element not interactable", None).is_none());
        assert!(shows_its_own_address("chrome-error://chromewebdata/"));
        assert!(!shows_its_own_address("http://127.0.0.1:9/"));
    }
}
