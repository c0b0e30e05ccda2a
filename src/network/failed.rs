//! The requests that failed around a failed step — what the engineer on call wants first: which
//! endpoint gave the error, and what it said.
//!
//! Listed: requests that answered HTTP ≥ 500 or got no answer (refused, reset, timed out, DNS,
//! TLS), on any site; and 4xx answers of the site under test (a 401 after login is a clue).
//! Never listed: requests the page cancelled itself (a navigation away cancels the old
//! page's requests), a 4xx favicon, and a document that got no answer (the browser's error
//! page, which the step's failure itself names). A request counts for a step when it ended (answered or
//! failed) between [`LOOK_BACK_MS`] before the step began and the moment it failed.

use serde::Serialize;

use super::model::{NetErrorKind, Request};
use super::site::Site;

/// How long before a step began a request's failure still counts for the step: the page's
/// request that the previous step set off (the balance a click on "Verify" began to load)
/// often fails before the step that waits for its result starts.
pub const LOOK_BACK_MS: f64 = 2000.0;

/// At most this many requests are listed on a failure.
pub const MAX_LISTED: usize = 10;

/// The longest error text kept from a response body.
const ERROR_TEXT_CHARS: usize = 160;

/// A failed request as the failure lists it (`failure.requests` in the JSON report).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailedRequest {
    pub method: String,
    /// Secrets masked.
    pub url: String,
    /// The HTTP status, when an answer came.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Why no answer came, as the browser said it: `net::ERR_CONNECTION_REFUSED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub duration_ms: u64,
    /// As the browser classes it, lowercase: `document`, `fetch`, `xhr`, `script`, …
    pub resource_type: String,
    /// The answer's own short error text (`{"error": "…"}`, a text body's first line, an HTML
    /// page's title), secrets masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
    /// A request to the site under test (see [`Site`]): only these can make a step `outage`.
    pub site_under_test: bool,
    /// The site under test answered ≥ 500 or gave no answer (refused, reset, timed out): its
    /// backend failed.
    #[serde(skip)]
    pub backend_failed: bool,
}

/// The window of a step, in Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub from_ms: f64,
    pub to_ms: f64,
}

impl Window {
    /// From [`LOOK_BACK_MS`] before `began_ms` to `ended_ms`.
    pub fn of_step(began_ms: f64, ended_ms: f64) -> Window {
        Window {
            from_ms: began_ms - LOOK_BACK_MS,
            to_ms: ended_ms,
        }
    }
}

/// What a listed request is to the failure: the order they are listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    /// The site under test's backend failed.
    SiteDown,
    /// The site under test answered 4xx, or its name or certificate failed.
    SiteOther,
    /// Another site failed.
    OtherSite,
}

/// The indices in `requests` of those to list for a step that failed in `window`, most telling
/// first (the site's own ≥ 500s and unanswered requests, then its other failures, then other
/// sites'; each in the order they were sent), at most [`MAX_LISTED`].
pub fn pick(requests: &[Request], window: Window, site: &Site) -> Vec<usize> {
    let mut picked: Vec<(Rank, usize)> = requests
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let ended = r.ended_ms()?;
            if ended < window.from_ms || ended > window.to_ms || is_favicon_miss(r) {
                return None;
            }
            rank(r, site).map(|rank| (rank, i))
        })
        .collect();
    picked.sort();
    picked.truncate(MAX_LISTED);
    picked.into_iter().map(|(_, i)| i).collect()
}

fn rank(r: &Request, site: &Site) -> Option<Rank> {
    // A document that got no answer is the browser's error page, which the step's own failure
    // already names (and whose category the step decides): not listed again.
    if r.resource_type.eq_ignore_ascii_case("document") && r.error.is_some() {
        return None;
    }
    let ours = site.contains(&r.url);
    let down = match (&r.error, r.status()) {
        (Some(e), _) => match e.kind() {
            NetErrorKind::Aborted => return None,
            NetErrorKind::Refused
            | NetErrorKind::Reset
            | NetErrorKind::TimedOut
            | NetErrorKind::Other => true,
            NetErrorKind::Dns | NetErrorKind::Tls | NetErrorKind::Blocked => false,
        },
        (None, Some(s)) if s >= 500 => true,
        (None, Some(s)) if (400..500).contains(&s) && ours => false,
        _ => return None,
    };
    Some(match (ours, down) {
        (true, true) => Rank::SiteDown,
        (true, false) => Rank::SiteOther,
        (false, _) => Rank::OtherSite,
    })
}

/// The browser's own favicon look-up finding none: noise, never a cause.
fn is_favicon_miss(r: &Request) -> bool {
    let path = r.url.split(['?', '#']).next().unwrap_or_default();
    path.ends_with("/favicon.ico") && r.status().is_some_and(|s| (400..500).contains(&s))
}

/// The failure's entry for `r`; `mask` hides secrets in what comes from the page.
pub fn describe(r: &Request, site: &Site, mask: impl Fn(&str) -> String) -> FailedRequest {
    let site_under_test = site.contains(&r.url);
    FailedRequest {
        method: r.method.clone(),
        url: mask(&r.url),
        status: r.status().filter(|_| r.error.is_none()),
        error: r.error.as_ref().map(|e| e.code.clone()),
        duration_ms: r.duration_ms().unwrap_or(0.0).round() as u64,
        resource_type: r.resource_type.to_ascii_lowercase(),
        error_text: r
            .body
            .as_deref()
            .and_then(|b| error_text(b, &mime(r)))
            .map(|t| mask(&t)),
        site_under_test,
        backend_failed: site_under_test && rank(r, site) == Some(Rank::SiteDown),
    }
}

fn mime(r: &Request) -> String {
    r.response
        .as_ref()
        .map(|x| x.mime_type.to_ascii_lowercase())
        .unwrap_or_default()
}

impl FailedRequest {
    /// For the end of the failure's message: `GET /api/balance?card=4821 answered 503
    /// ("balance service unavailable")`, or `… got no answer: connection refused
    /// (net::ERR_CONNECTION_REFUSED)`. The site's own requests by path, others' in full.
    pub fn summary(&self) -> String {
        let url = if self.site_under_test {
            path_of(&self.url)
        } else {
            &self.url
        };
        let what = match (&self.error, self.status) {
            (Some(code), _) => {
                let kind = super::model::NetError {
                    code: code.clone(),
                    canceled: false,
                };
                format!("got no answer: {} ({code})", kind.describe())
            }
            (None, Some(status)) => format!("answered {status}"),
            (None, None) => "failed".to_string(),
        };
        match &self.error_text {
            Some(t) => format!("{} {url} {what} ({t:?})", self.method),
            None => format!("{} {url} {what}", self.method),
        }
    }
}

/// `/api/balance?card=4821` of `http://host:port/api/balance?card=4821`.
fn path_of(url: &str) -> &str {
    let Some(rest) = url.split_once("://").map(|(_, r)| r) else {
        return url;
    };
    match rest.find('/') {
        Some(i) => &rest[i..],
        None => "/",
    }
}

/// A short error text from a failed answer's body: a JSON `error` / `message` (and their usual
/// kin), an HTML page's title, a text body's first line.
pub fn error_text(body: &str, mime: &str) -> Option<String> {
    let text = if mime.contains("json") || body.trim_start().starts_with('{') {
        json_error_text(body)
    } else if mime.contains("html") {
        html_title(body)
    } else if mime.starts_with("text/") {
        body.lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_string)
    } else {
        None
    }?;
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then(|| crate::text::truncate_chars(&text, ERROR_TEXT_CHARS))
}

fn json_error_text(body: &str) -> Option<String> {
    const KEYS: [&str; 6] = [
        "error",
        "message",
        "error_description",
        "detail",
        "title",
        "errors",
    ];
    let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
        // Cut at 2 KiB, or not JSON after all: the first `"error": "…"` will do.
        let re = regex::Regex::new(r#""(?:error|message|detail)"\s*:\s*"((?:[^"\\]|\\.){1,400})""#)
            .ok()?;
        return re
            .captures(body)
            .map(|c| c[1].replace("\\\"", "\""))
            .filter(|s| !s.trim().is_empty());
    };
    fn text_of(v: &serde_json::Value) -> Option<String> {
        match v {
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            serde_json::Value::Object(o) => ["message", "detail", "title", "error"]
                .iter()
                .find_map(|k| o.get(*k).and_then(text_of)),
            serde_json::Value::Array(a) => a.first().and_then(text_of),
            _ => None,
        }
    }
    KEYS.iter().find_map(|k| v.get(*k).and_then(text_of))
}

fn html_title(body: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = start + lower[start..].find('>')? + 1;
    let end = open_end + lower[open_end..].find("</title")?;
    let t = body[open_end..end].trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::cdp::NetworkLog;
    use crate::network::cdp::tests::{answered, failed, finished, sent};

    const SITE: &str = "http://127.0.0.1:8080";

    /// The requests of a page: its document, its balance API (503 with a JSON error), a
    /// third-party beacon that was refused, a favicon that is not there, a 401 of its own, a
    /// navigation to a refused page (the browser's error page).
    fn page() -> NetworkLog {
        let mut log = NetworkLog::default();
        for e in [
            sent("1", "GET", &format!("{SITE}/account"), "Document", 10.0),
            answered("1", 200, "text/html", 10.1),
            finished("1", 10.2),
            sent(
                "2",
                "GET",
                &format!("{SITE}/api/balance?card=4821"),
                "Fetch",
                10.3,
            ),
            answered("2", 503, "application/json", 10.35),
            finished("2", 10.4),
            sent("3", "GET", "http://127.0.0.1:9090/collect", "Image", 10.3),
            failed("3", "net::ERR_CONNECTION_REFUSED", 10.31),
            sent("4", "GET", &format!("{SITE}/favicon.ico"), "Other", 10.5),
            answered("4", 404, "text/html", 10.55),
            finished("4", 10.6),
            sent("5", "GET", &format!("{SITE}/api/me"), "XHR", 10.7),
            answered("5", 401, "application/json", 10.75),
            finished("5", 10.8),
            sent("6", "GET", &format!("{SITE}/next"), "Document", 10.7),
            failed("6", "net::ERR_CONNECTION_REFUSED", 10.75),
        ] {
            log.feed(&e);
        }
        log
    }

    /// The events' wall clock is 1_000_000 s + their monotonic time.
    fn window(from_s: f64, to_s: f64) -> Window {
        Window {
            from_ms: (1_000_000.0 + from_s) * 1000.0,
            to_ms: (1_000_000.0 + to_s) * 1000.0,
        }
    }

    #[test]
    fn the_site_s_own_failures_come_first_then_other_sites_and_the_favicon_never() {
        let mut log = page();
        let site = Site::new([format!("{SITE}/account").as_str()]);
        let picked = pick(log.requests(), window(10.0, 11.0), &site);
        let ids: Vec<&str> = picked
            .iter()
            .map(|i| log.requests()[*i].id.as_str())
            .collect();
        assert_eq!(ids, ["2", "5", "3"]);

        log.set_body(
            picked[0],
            r#"{"error":"balance service unavailable"}"#.into(),
        );
        let api = describe(&log.requests()[picked[0]], &site, str::to_string);
        assert_eq!(
            api,
            FailedRequest {
                method: "GET".into(),
                url: format!("{SITE}/api/balance?card=4821"),
                status: Some(503),
                error: None,
                duration_ms: 100,
                resource_type: "fetch".into(),
                error_text: Some("balance service unavailable".into()),
                site_under_test: true,
                backend_failed: true,
            }
        );
        assert_eq!(
            api.summary(),
            r#"GET /api/balance?card=4821 answered 503 ("balance service unavailable")"#
        );
        let unauthorised = describe(&log.requests()[picked[1]], &site, str::to_string);
        assert!(unauthorised.site_under_test && !unauthorised.backend_failed);
        let beacon = describe(&log.requests()[picked[2]], &site, str::to_string);
        assert!(!beacon.site_under_test && !beacon.backend_failed);
        assert_eq!(
            beacon.summary(),
            "GET http://127.0.0.1:9090/collect got no answer: connection refused (net::ERR_CONNECTION_REFUSED)"
        );
    }

    #[test]
    fn only_failures_that_ended_in_the_step_s_window_count() {
        let log = page();
        let site = Site::new([SITE]);
        // The balance API failed at 10.4 s: a step that began at 12.35 s still sees it (2 s of
        // look-back), not the beacon refused at 10.31 s; one that began at 12.5 s sees only the
        // 401 of 10.8 s.
        let ids = |from, to| -> Vec<String> {
            pick(log.requests(), window(from, to), &site)
                .iter()
                .map(|i| log.requests()[*i].id.clone())
                .collect()
        };
        assert_eq!(ids(12.35 - 2.0, 13.0), ["2", "5"]);
        assert_eq!(ids(12.5 - 2.0, 13.0), ["5"]);
        assert!(ids(0.0, 10.0).is_empty(), "nothing had failed yet");
    }

    #[test]
    fn secrets_are_masked_in_what_is_listed() {
        let mut log = NetworkLog::default();
        for e in [
            sent("1", "GET", &format!("{SITE}/api?otp=123456"), "Fetch", 1.0),
            answered("1", 500, "text/plain", 1.1),
            finished("1", 1.2),
        ] {
            log.feed(&e);
        }
        log.set_body(0, "\n  code 123456 rejected \n".into());
        let site = Site::new([SITE]);
        let f = describe(&log.requests()[0], &site, |s| s.replace("123456", "••••••"));
        assert_eq!(f.url, format!("{SITE}/api?otp=••••••"));
        assert_eq!(f.error_text.as_deref(), Some("code •••••• rejected"));
    }

    #[test]
    fn error_texts_are_read_from_json_text_and_html() {
        let json = "application/json";
        assert_eq!(
            error_text(r#"{"error": "balance service unavailable"}"#, json).as_deref(),
            Some("balance service unavailable")
        );
        assert_eq!(
            error_text(r#"{"error": {"code": 7, "message": "db down"}}"#, json).as_deref(),
            Some("db down")
        );
        assert_eq!(
            error_text(r#"{"errors": [{"message": "first"}]}"#, json).as_deref(),
            Some("first")
        );
        assert_eq!(
            error_text(r#"{"message": "cut short", "trace": "aaaa"#, json).as_deref(),
            Some("cut short"),
            "a body cut at 2 KiB is no longer JSON"
        );
        assert_eq!(error_text(r#"{"ok": false}"#, json), None);
        assert_eq!(
            error_text("<html><head><TITLE> 502 Bad Gateway </TITLE>", "text/html").as_deref(),
            Some("502 Bad Gateway")
        );
        assert_eq!(error_text("\x00\x01", "image/png"), None);
        let long = "x".repeat(500);
        assert_eq!(
            error_text(&long, "text/plain").map(|t| t.chars().count()),
            Some(ERROR_TEXT_CHARS + 1)
        );
    }
}
