//! Reading the page's network and timings from the browser.
//!
//! Chromium: chromedriver records the DevTools Protocol's `Network.*` events in its
//! *performance log* when the session asks for it (`goog:loggingPrefs: {performance: ALL}`);
//! each read (`POST /session/{id}/se/log`) hands over and forgets what it recorded since the
//! last. A failed answer's body is asked of the browser through chromedriver's DevTools
//! endpoint (`/goog/cdp/execute`, `Network.getResponseBody`) while the browser still holds it.
//! Firefox's geckodriver has neither; its network comes over WebDriver BiDi instead (see
//! `bidi.rs`). Timings are read by script in both.

use base64::Engine as _;
use fantoccini::Client;
use serde_json::{Value as Json, json};

use super::commands::SessionPost;
use crate::network::DocumentTiming;

/// The timing script (see `timing.js`).
const TIMING_JS: &str = include_str!("timing.js");

/// A failed answer's body is kept up to this many bytes as read (it is masked, then cut to the
/// HAR's 2 KiB).
pub(super) const BODY_READ_BYTES: usize = 4096;

/// Reads of the performance log in one drain at most.
const MAX_LOG_READS: usize = 20;

/// chromedriver hands over up to this many entries a read: a read that brings fewer has
/// emptied the log, and no read is made to find it empty.
const ENTRIES_PER_READ: usize = 100_000;

/// What to add to Chromium's capabilities so that chromedriver records the network.
pub(super) fn record_network(logging_prefs: &mut Json, chrome_options: &mut Json) {
    logging_prefs["performance"] = json!("ALL");
    chrome_options["perfLoggingPrefs"] = json!({ "enableNetwork": true, "enablePage": false });
}

/// The `Network.*` events recorded since the last call, in order; `None` when the driver keeps
/// no performance log (not chromedriver, or a grid that does not pass it on).
pub(super) async fn drain_network_events(client: &Client) -> Option<Vec<Json>> {
    let mut events = Vec::new();
    for _ in 0..MAX_LOG_READS {
        let batch = client
            .issue_cmd(SessionPost::se_log("performance"))
            .await
            .ok()?;
        let entries = batch.as_array()?;
        events.extend(entries.iter().filter_map(network_event));
        if entries.len() < ENTRIES_PER_READ {
            break;
        }
    }
    Some(events)
}

/// The inner `{"method": "Network.…", "params": …}` of a performance log entry, whose
/// `message` is that event wrapped in JSON text.
fn network_event(entry: &Json) -> Option<Json> {
    let text = entry["message"].as_str()?;
    let mut wrapped: Json = serde_json::from_str(text).ok()?;
    let event = wrapped.get_mut("message")?.take();
    event["method"]
        .as_str()?
        .starts_with("Network.")
        .then_some(event)
}

/// The start of the body of the response to request `id`, as text; `None` when the browser no
/// longer holds it (the page navigated away) or cannot say.
pub(super) async fn response_body(client: &Client, id: &str) -> Option<String> {
    let v = client
        .issue_cmd(SessionPost::cdp(
            "Network.getResponseBody",
            json!({ "requestId": id }),
        ))
        .await
        .ok()?;
    let body = v["body"].as_str()?;
    let bytes = if v["base64Encoded"].as_bool() == Some(true) {
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .ok()?
    } else {
        body.as_bytes().to_vec()
    };
    let head = &bytes[..bytes.len().min(BODY_READ_BYTES)];
    Some(String::from_utf8_lossy(head).into_owned())
}

/// The showing document's timing; `None` where it has none or the page cannot be read.
pub(super) async fn document_timing(client: &Client) -> Option<DocumentTiming> {
    let v = client.execute(TIMING_JS, vec![]).await.ok()?;
    DocumentTiming::from_json(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn performance_log_entries_unwrap_to_their_network_events() {
        let wrap = |method: &str| {
            json!({"level": "INFO", "timestamp": 1, "message": json!({
                "message": {"method": method, "params": {"requestId": "1"}},
                "webview": "ABC"}).to_string()})
        };
        assert_eq!(
            network_event(&wrap("Network.loadingFinished")),
            Some(json!({"method": "Network.loadingFinished", "params": {"requestId": "1"}}))
        );
        assert_eq!(network_event(&wrap("Page.loadEventFired")), None);
        assert_eq!(network_event(&json!({"message": "not json"})), None);
    }
}
