//! Every request of a failed step's window — sent, answered or still waiting in it — for the
//! HTML report's waterfall: which started when, how long each took, which failed.

use super::failed::Window;
use super::model::Request;

/// At most this many requests are drawn.
pub const MAX_DRAWN: usize = 100;

/// One bar of the waterfall.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRequest {
    /// Unix milliseconds, the browser's clock.
    pub started_ms: f64,
    /// `None`: still waiting when the step failed.
    pub duration_ms: Option<f64>,
    pub method: String,
    /// Secrets masked.
    pub url: String,
    pub status: Option<u16>,
    /// Why no answer came (`net::ERR_…`).
    pub error: Option<String>,
    /// Among the failure's `requests`.
    pub failed: bool,
}

/// The requests that overlap `window`, in the order sent, at most [`MAX_DRAWN`]; `failed` are
/// the indices the failure lists. `mask` hides secrets in URLs.
pub fn step_requests(
    requests: &[Request],
    window: Window,
    failed: &[usize],
    mask: impl Fn(&str) -> String,
) -> Vec<StepRequest> {
    requests
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            let end = r.ended_ms().unwrap_or(f64::INFINITY);
            r.started_ms <= window.to_ms && end >= window.from_ms
        })
        .take(MAX_DRAWN)
        .map(|(i, r)| StepRequest {
            started_ms: r.started_ms,
            duration_ms: r.duration_ms(),
            method: r.method.clone(),
            url: mask(&r.url),
            status: r.status().filter(|_| r.error.is_none()),
            error: r.error.as_ref().map(|e| e.code.clone()),
            failed: failed.contains(&i),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::cdp::NetworkLog;
    use crate::network::cdp::tests::{answered, failed, finished, sent};

    #[test]
    fn the_waterfall_holds_what_overlaps_the_step() {
        let mut log = NetworkLog::default();
        for e in [
            sent("1", "GET", "http://h/old", "Document", 1.0),
            answered("1", 200, "text/html", 1.1),
            finished("1", 1.2),
            sent("2", "GET", "http://h/api", "Fetch", 4.0),
            failed("2", "net::ERR_CONNECTION_RESET", 6.0),
            sent("3", "GET", "http://h/poll", "Fetch", 5.0),
            sent("4", "GET", "http://h/after", "Fetch", 9.0),
        ] {
            log.feed(&e);
        }
        let w = Window {
            from_ms: 1_000_005_000.0,
            to_ms: 1_000_008_000.0,
        };
        let drawn = step_requests(log.requests(), w, &[1], str::to_string);
        let urls: Vec<&str> = drawn.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(urls, ["http://h/api", "http://h/poll"]);
        assert!(drawn[0].failed && !drawn[1].failed);
        assert_eq!(drawn[0].error.as_deref(), Some("net::ERR_CONNECTION_RESET"));
        assert_eq!(drawn[0].duration_ms.map(f64::round), Some(2000.0));
        assert_eq!(drawn[1].duration_ms, None, "still waiting");
    }
}
