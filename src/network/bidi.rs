//! The attempt's requests from WebDriver BiDi's `network.*` events (Firefox, through
//! geckodriver): `beforeRequestSent` opens a hop, `responseCompleted` answers it,
//! `fetchError` fails it. A redirect is the same request id sent again: the hop before ends
//! where the next starts, as in the DevTools Protocol's events ([`super::cdp`]).
//!
//! BiDi's times are Unix milliseconds (the event's `timestamp`, the request's `timings`); it
//! has no monotonic clock, so a request's durations are measured on the browser's wall clock,
//! which is steady enough over the seconds of one request.

use serde_json::Value as Json;

use super::cdp::{NetworkLog, http_status};
use super::model::{NetError, Request, Response, Timing};

/// Takes in one BiDi `network.*` event (`{"method": "network.…", "params": {…}}`).
pub(super) fn feed(log: &mut NetworkLog, event: &Json) {
    let params = &event["params"];
    let request = &params["request"];
    let Some(id) = request["request"].as_str() else {
        return;
    };
    let now_ms = params["timestamp"].as_f64().unwrap_or(0.0);
    match event["method"].as_str().unwrap_or_default() {
        "network.beforeRequestSent" => {
            let url = request["url"].as_str().unwrap_or_default();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return; // data:, blob:, about: — nothing went over the network
            }
            // When the request was made, if the browser says; else when it was reported.
            let sent_ms = positive(&request["timings"]["requestTime"]).unwrap_or(now_ms);
            log.begin(Request {
                id: id.to_string(),
                method: request["method"].as_str().unwrap_or("GET").to_string(),
                url: url.to_string(),
                resource_type: resource_type(request),
                started_ms: sent_ms,
                started_mono: sent_ms / 1000.0,
                ended_mono: None,
                request_headers: headers(&request["headers"]),
                has_body: request["bodySize"].as_u64().is_some_and(|n| n > 0),
                response: None,
                error: None,
                transfer_size: None,
                body_size: 0,
                body: None,
            });
        }
        "network.responseCompleted" => {
            let Some(r) = log.latest(id) else { return };
            let v = &params["response"];
            let timings = &request["timings"];
            r.ended_mono = Some(positive(&timings["responseEnd"]).unwrap_or(now_ms) / 1000.0);
            r.transfer_size = v["bytesReceived"].as_u64();
            r.body_size = v["content"]["size"]
                .as_u64()
                .or(v["bodySize"].as_u64())
                .unwrap_or(0);
            r.response = Some(Response {
                status: http_status(&v["status"]),
                status_text: v["statusText"].as_str().unwrap_or_default().to_string(),
                protocol: v["protocol"].as_str().unwrap_or_default().to_string(),
                headers: headers(&v["headers"]),
                mime_type: v["mimeType"].as_str().unwrap_or_default().to_string(),
                remote_ip: None,
                connection_id: None,
                headers_size: v["headersSize"].as_u64().filter(|n| *n > 0),
                from_cache: v["fromCache"].as_bool().unwrap_or(false),
                timing: timing(timings),
            });
            log.end(id);
        }
        "network.fetchError" => {
            let Some(r) = log.latest(id) else { return };
            r.ended_mono = Some(now_ms / 1000.0);
            r.error = Some(NetError {
                code: params["errorText"].as_str().unwrap_or_default().to_string(),
                // BiDi has no flag for it: Firefox's code says when the page dropped the
                // request (`NS_BINDING_ABORTED`, see `NetError::kind`).
                canceled: false,
            });
            log.end(id);
        }
        _ => {}
    }
}

/// The request's kind, named as the DevTools Protocol names it (what the HAR's `_resourceType`
/// and a failure's requests say): BiDi's `destination` (`document`, `script`, `image`, …), or
/// for a fetch or an XHR, which have none, its `initiatorType`.
fn resource_type(request: &Json) -> String {
    let destination = request["destination"].as_str().unwrap_or_default();
    let initiator = request["initiatorType"].as_str().unwrap_or_default();
    match (destination, initiator) {
        ("document" | "iframe" | "frame", _) => "Document",
        ("script" | "worker" | "sharedworker" | "serviceworker", _) => "Script",
        ("style", _) => "Stylesheet",
        ("image", _) => "Image",
        ("font", _) => "Font",
        ("audio" | "video" | "track", _) => "Media",
        ("manifest", _) => "Manifest",
        (_, "fetch" | "beacon") => "Fetch",
        (_, "xmlhttprequest") => "XHR",
        _ => "Other",
    }
    .to_string()
}

/// BiDi's headers (`[{"name": …, "value": {"type": "string", "value": …}}]`) as pairs; a
/// header whose value is not text is left out.
fn headers(v: &Json) -> Vec<(String, String)> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| {
            let value = &h["value"];
            (value["type"] == "string").then(|| {
                (
                    h["name"].as_str().unwrap_or_default().to_string(),
                    value["value"].as_str().unwrap_or_default().to_string(),
                )
            })
        })
        .collect()
}

/// BiDi's `FetchTimingInfo` (Unix milliseconds, 0 for a phase that did not happen) as the
/// phases after the request's start.
fn timing(t: &Json) -> Option<Timing> {
    let start = positive(&t["requestTime"])?;
    let at = |k: &str| positive(&t[k]).map_or(-1.0, |v| (v - start).max(0.0));
    // No TLS: Firefox still gives its end (the connection's end); there was no handshake.
    let tls = positive(&t["tlsStart"]).is_some();
    Some(Timing {
        request_time: start / 1000.0,
        dns_start: at("dnsStart"),
        dns_end: at("dnsEnd"),
        connect_start: at("connectStart"),
        connect_end: at("connectEnd"),
        ssl_start: if tls { at("tlsStart") } else { -1.0 },
        ssl_end: if tls { at("tlsEnd") } else { -1.0 },
        send_start: at("requestStart"),
        send_end: at("requestStart"),
        receive_headers_end: at("responseStart"),
    })
}

fn positive(v: &Json) -> Option<f64> {
    v.as_f64().filter(|n| *n > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::NetErrorKind;
    use serde_json::json;

    const T: f64 = 1_796_666_980_000.0;

    fn sent(id: &str, url: &str, destination: &str, initiator: Option<&str>, at: f64) -> Json {
        json!({ "method": "network.beforeRequestSent", "params": {
            "timestamp": T + at + 5.0,
            "request": { "request": id, "url": url, "method": "GET", "destination": destination,
                         "initiatorType": initiator, "bodySize": 0,
                         "headers": [{ "name": "Accept", "value": { "type": "string", "value": "*/*" } }],
                         "timings": { "requestTime": T + at } } } })
    }

    fn completed(id: &str, status: u64, at: f64) -> Json {
        json!({ "method": "network.responseCompleted", "params": {
            "timestamp": T + at + 40.0,
            "request": { "request": id, "timings": {
                "timeOrigin": 0, "requestTime": T + at, "fetchStart": T + at + 1.0,
                "dnsStart": T + at + 1.0, "dnsEnd": T + at + 3.0,
                "connectStart": T + at + 3.0, "connectEnd": T + at + 4.0,
                "tlsStart": 0, "tlsEnd": T + at + 4.0,
                "requestStart": T + at + 5.0, "responseStart": T + at + 25.0,
                "responseEnd": T + at + 30.0 } },
            "response": { "status": status, "statusText": "Service Unavailable", "protocol": "http/1.1",
                          "mimeType": "application/json", "bytesReceived": 321, "headersSize": 120,
                          "fromCache": false, "content": { "size": 60 },
                          "headers": [{ "name": "Content-Type", "value": { "type": "string", "value": "application/json" } }] } } })
    }

    fn feed_all(events: &[Json]) -> NetworkLog {
        let mut log = NetworkLog::default();
        for e in events {
            log.feed(e);
        }
        log
    }

    #[test]
    fn a_sent_and_answered_request_has_its_status_kind_headers_and_phases() {
        let log = feed_all(&[
            sent("1", "http://bank/account", "document", None, 0.0),
            completed("1", 200, 0.0),
            sent("2", "http://bank/api/balance", "", Some("fetch"), 100.0),
            completed("2", 503, 100.0),
            sent("3", "data:image/png;base64,AAAA", "image", None, 150.0),
        ]);
        let r = log.requests();
        assert_eq!(r.len(), 2, "a data: URL went nowhere: {r:#?}");
        assert_eq!(r[0].resource_type, "Document");
        let api = &r[1];
        assert_eq!(api.resource_type, "Fetch");
        assert_eq!(api.status(), Some(503));
        assert_eq!(api.started_ms, T + 100.0);
        assert_eq!(api.duration_ms().map(f64::round), Some(30.0));
        assert_eq!(api.transfer_size, Some(321));
        assert_eq!(api.body_size, 60);
        assert_eq!(api.request_headers, [("Accept".into(), "*/*".into())]);
        assert!(api.is_text_response());
        let t = api.response.as_ref().unwrap().timing.unwrap();
        assert_eq!((t.dns_start, t.dns_end), (1.0, 3.0));
        assert_eq!((t.connect_start, t.connect_end), (3.0, 4.0));
        assert_eq!((t.ssl_start, t.ssl_end), (-1.0, -1.0), "no TLS on http");
        assert_eq!((t.send_start, t.receive_headers_end), (5.0, 25.0));
    }

    #[test]
    fn a_refused_connection_and_a_dropped_request_are_told_apart() {
        let log = feed_all(&[
            sent("1", "http://api.bank:9/v1", "", Some("fetch"), 0.0),
            json!({ "method": "network.fetchError", "params": { "timestamp": T + 12.0,
                "errorText": "NS_ERROR_CONNECTION_REFUSED", "request": { "request": "1" } } }),
            sent("2", "http://bank/poll", "", Some("xmlhttprequest"), 20.0),
            json!({ "method": "network.fetchError", "params": { "timestamp": T + 30.0,
                "errorText": "NS_BINDING_ABORTED", "request": { "request": "2" } } }),
        ]);
        let r = log.requests();
        assert_eq!(r[0].error.as_ref().unwrap().kind(), NetErrorKind::Refused);
        assert_eq!(r[0].duration_ms().map(f64::round), Some(12.0));
        assert!(r[0].got_no_answer());
        assert_eq!(r[1].resource_type, "XHR");
        assert_eq!(r[1].error.as_ref().unwrap().kind(), NetErrorKind::Aborted);
        assert!(!r[1].got_no_answer(), "the page's own doing");
    }

    #[test]
    fn a_redirect_is_two_hops_of_one_request() {
        let log = feed_all(&[
            sent("7", "http://bank/login", "document", None, 0.0),
            completed("7", 302, 0.0),
            sent("7", "http://bank/account", "document", None, 50.0),
            completed("7", 200, 50.0),
        ]);
        let r = log.requests();
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].status(), r[1].status()), (Some(302), Some(200)));
        assert_eq!(r[1].url, "http://bank/account");
    }
}
