//! The browser's own error page ("This site can't be reached", "Unable to connect", "Your
//! connection is not private"): what it says went wrong, read the same way from Chromium and
//! Firefox, from the page itself or from the driver's error text.
//!
//! Chromium shows `chrome-error://chromewebdata/` with the `net::ERR_…` code on it, and its
//! driver reports `unknown error: net::ERR_…` when a navigation command lands there. Firefox
//! keeps the failed URL in `location` but its document is `about:neterror?e=CODE&u=URL` (or
//! `about:certerror?…`), and geckodriver reports `Reached error page: about:neterror?…`.

/// What kind of failure the error page reports, by what it means for the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorPageKind {
    /// Nothing answered on the site's port.
    Refused,
    /// The site took the connection, then dropped it (reset, closed, empty answer).
    Reset,
    /// The site did not answer in time.
    TimedOut,
    /// The site's name does not resolve.
    Dns,
    /// The site's TLS certificate was refused (expired, wrong name, unknown authority).
    Certificate,
    /// The TLS handshake itself failed (a protocol or cipher mismatch).
    Tls,
    /// Anything else the browser would not load (an unsafe port, a redirect loop, blocked).
    Other,
}

/// One error page: its kind and the code the browser gave (`ERR_CONNECTION_REFUSED` from
/// Chromium, `connectionFailure` from Firefox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorPage {
    pub kind: ErrorPageKind,
    pub code: String,
    /// The URL the browser failed to load, when the error names it (Firefox's `u=`).
    pub url: Option<String>,
}

impl ErrorPageKind {
    /// The site itself did not answer: down, not misconfigured.
    pub fn is_unreachable(self) -> bool {
        matches!(
            self,
            ErrorPageKind::Refused | ErrorPageKind::Reset | ErrorPageKind::TimedOut
        )
    }

    /// In a few words, for a failure message.
    pub fn describe(self) -> &'static str {
        match self {
            ErrorPageKind::Refused => "connection refused",
            ErrorPageKind::Reset => "connection reset",
            ErrorPageKind::TimedOut => "connection timed out",
            ErrorPageKind::Dns => "DNS failure, the name does not resolve",
            ErrorPageKind::Certificate => "TLS certificate error",
            ErrorPageKind::Tls => "TLS handshake failed",
            ErrorPageKind::Other => "the browser showed its error page",
        }
    }
}

impl ErrorPage {
    /// From a Chromium `net::ERR_…` code (with or without `net::`, any case).
    pub fn chromium(code: &str) -> ErrorPage {
        let code = code
            .trim()
            .trim_start_matches("net::")
            .trim_start_matches("NET::");
        let code = code.to_ascii_uppercase();
        let kind = match code.as_str() {
            "ERR_CONNECTION_REFUSED" => ErrorPageKind::Refused,
            "ERR_CONNECTION_RESET"
            | "ERR_CONNECTION_CLOSED"
            | "ERR_CONNECTION_ABORTED"
            | "ERR_EMPTY_RESPONSE" => ErrorPageKind::Reset,
            "ERR_CONNECTION_TIMED_OUT" | "ERR_TIMED_OUT" => ErrorPageKind::TimedOut,
            "ERR_NAME_NOT_RESOLVED" | "ERR_NAME_RESOLUTION_FAILED" | "ERR_DNS_TIMED_OUT" => {
                ErrorPageKind::Dns
            }
            c if c.starts_with("ERR_CERT_") || c == "ERR_BAD_SSL_CLIENT_AUTH_CERT" => {
                ErrorPageKind::Certificate
            }
            c if c.starts_with("ERR_SSL_") => ErrorPageKind::Tls,
            _ => ErrorPageKind::Other,
        };
        ErrorPage {
            kind,
            code,
            url: None,
        }
    }

    /// From Firefox's error document URI (`about:neterror?e=connectionFailure&u=…`); `None`
    /// for any other document.
    pub fn firefox(document_uri: &str) -> Option<ErrorPage> {
        let (page, query) = document_uri.split_once('?').unwrap_or((document_uri, ""));
        let certificate = match page {
            "about:neterror" => false,
            "about:certerror" => true,
            _ => return None,
        };
        let mut code = String::new();
        let mut url = None;
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            match &*k {
                "e" => code = v.into_owned(),
                "u" => url = Some(v.into_owned()).filter(|u| !u.is_empty()),
                _ => {}
            }
        }
        let kind = match code.as_str() {
            _ if certificate => ErrorPageKind::Certificate,
            "connectionFailure" => ErrorPageKind::Refused,
            "netReset" | "netInterrupt" => ErrorPageKind::Reset,
            "netTimeout" => ErrorPageKind::TimedOut,
            "dnsNotFound" => ErrorPageKind::Dns,
            "nssBadCert" => ErrorPageKind::Certificate,
            "nssFailure2" => ErrorPageKind::Tls,
            _ => ErrorPageKind::Other,
        };
        if code.is_empty() {
            code = page.to_string();
        }
        Some(ErrorPage { kind, code, url })
    }

    /// From a driver's error text for a command that ended on the error page: chromedriver's
    /// `unknown error: net::ERR_CONNECTION_REFUSED`, geckodriver's `Reached error page:
    /// about:neterror?…` or its `insecure certificate` error.
    pub fn from_driver_message(text: &str) -> Option<ErrorPage> {
        if let Some(at) = text
            .find("about:neterror")
            .or_else(|| text.find("about:certerror"))
        {
            let uri = text[at..].split_whitespace().next().unwrap_or_default();
            return ErrorPage::firefox(uri);
        }
        if let Some(code) = net_error_code(text) {
            return Some(ErrorPage::chromium(code));
        }
        text.to_ascii_lowercase()
            .contains("insecure certificate")
            .then(|| ErrorPage {
                kind: ErrorPageKind::Certificate,
                code: "insecure certificate".into(),
                url: None,
            })
    }
}

/// The `ERR_…` code in a driver's or error page's text (`unknown error: net::ERR_…`).
pub fn net_error_code(text: &str) -> Option<&str> {
    let start = text.find("ERR_")?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        .unwrap_or(rest.len());
    (end > "ERR_".len()).then(|| &rest[..end])
}

#[cfg(test)]
mod tests {
    use super::ErrorPageKind::*;
    use super::*;

    #[test]
    fn chromium_codes_are_sorted_by_what_they_mean_for_the_site() {
        for (code, kind) in [
            ("ERR_CONNECTION_REFUSED", Refused),
            ("net::ERR_CONNECTION_RESET", Reset),
            ("ERR_EMPTY_RESPONSE", Reset),
            ("ERR_CONNECTION_CLOSED", Reset),
            ("ERR_CONNECTION_TIMED_OUT", TimedOut),
            ("ERR_TIMED_OUT", TimedOut),
            ("ERR_NAME_NOT_RESOLVED", Dns),
            ("NET::ERR_CERT_AUTHORITY_INVALID", Certificate),
            ("net::ERR_CERT_DATE_INVALID", Certificate),
            ("ERR_SSL_PROTOCOL_ERROR", Tls),
            ("ERR_UNSAFE_PORT", Other),
            ("ERR_TOO_MANY_REDIRECTS", Other),
        ] {
            let page = ErrorPage::chromium(code);
            assert_eq!(page.kind, kind, "{code}");
            assert!(page.code.starts_with("ERR_"), "{code} → {}", page.code);
        }
        assert!(Refused.is_unreachable() && Reset.is_unreachable() && TimedOut.is_unreachable());
        assert!(!Dns.is_unreachable() && !Certificate.is_unreachable() && !Other.is_unreachable());
    }

    #[test]
    fn firefox_error_documents_give_their_code_and_the_failed_url() {
        let page = ErrorPage::firefox(
            "about:neterror?e=connectionFailure&u=http%3A//127.0.0.1%3A1999/targets&c=UTF-8&d=Firefox%20can%E2%80%99t",
        )
        .unwrap();
        assert_eq!(
            page,
            ErrorPage {
                kind: Refused,
                code: "connectionFailure".into(),
                url: Some("http://127.0.0.1:1999/targets".into()),
            }
        );
        let kind = |uri: &str| ErrorPage::firefox(uri).map(|p| p.kind);
        assert_eq!(kind("about:neterror?e=netReset&u=x"), Some(Reset));
        assert_eq!(kind("about:neterror?e=netTimeout"), Some(TimedOut));
        assert_eq!(
            kind("about:neterror?e=dnsNotFound&u=http%3A//nosuch.invalid/"),
            Some(Dns)
        );
        assert_eq!(
            kind("about:neterror?e=nssFailure2&u=https%3A//h/"),
            Some(Tls)
        );
        assert_eq!(
            kind("about:certerror?e=nssBadCert&u=https%3A//h/"),
            Some(Certificate)
        );
        assert_eq!(kind("about:neterror?e=deniedPortAccess"), Some(Other));
        assert_eq!(kind("http://127.0.0.1/about:neterror"), None);
        assert_eq!(kind("about:blank"), None);
    }

    #[test]
    fn the_drivers_error_text_names_the_error_page() {
        let chromium =
            ErrorPage::from_driver_message("unknown error: net::ERR_CONNECTION_REFUSED").unwrap();
        assert_eq!(
            (chromium.kind, chromium.code.as_str()),
            (Refused, "ERR_CONNECTION_REFUSED")
        );
        let firefox = ErrorPage::from_driver_message(
            "Reached error page: about:neterror?e=dnsNotFound&u=http%3A//nosuch.invalid/&c=UTF-8",
        )
        .unwrap();
        assert_eq!(firefox.kind, Dns);
        assert_eq!(firefox.url.as_deref(), Some("http://nosuch.invalid/"));
        let cert = ErrorPage::from_driver_message("insecure certificate").unwrap();
        assert_eq!(cert.kind, Certificate);
        assert_eq!(ErrorPage::from_driver_message("no such element"), None);
        assert_eq!(ErrorPage::from_driver_message("ERR_ alone"), None);
    }

    #[test]
    fn net_error_codes_are_read_from_driver_and_page_text() {
        assert_eq!(
            net_error_code("unknown error: net::ERR_CONNECTION_REFUSED"),
            Some("ERR_CONNECTION_REFUSED")
        );
        assert_eq!(
            net_error_code("This site can't be reached\nERR_UNSAFE_PORT\n"),
            Some("ERR_UNSAFE_PORT")
        );
        assert_eq!(net_error_code("no code"), None);
    }
}
