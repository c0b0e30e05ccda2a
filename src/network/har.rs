//! `network.har`: the attempt's requests as an HTTP Archive (HAR 1.2), the format browsers'
//! developer tools import and HAR viewers read.
//!
//! What it never holds: request bodies (a login POST carries the password); response bodies,
//! except the start of a failed (≥ 400) text or JSON answer ([`KEPT_BODY_BYTES`]); the values of
//! `Cookie`, `Set-Cookie`, `Authorization`, `Proxy-Authorization` and of headers whose name says
//! they carry a credential; and any secret or one-time code, in any encoding, anywhere (the
//! caller's `mask`).

use serde_json::{Value as Json, json};

use super::model::{Request, Timing};
use crate::journey::model::SECRET_MASK;

/// How much of a failed text or JSON answer's body is kept.
pub const KEPT_BODY_BYTES: usize = 2048;

/// Headers whose value is never written, whatever it holds.
const REDACTED_HEADERS: [&str; 4] = [
    "cookie",
    "set-cookie",
    "authorization",
    "proxy-authorization",
];

/// Words in a header's name that say its value is a credential (`X-Api-Key`, `X-Auth-Token`,
/// `X-CSRF-Token`, `X-Session-Id`).
const CREDENTIAL_WORDS: [&str; 7] = [
    "token", "secret", "password", "key", "session", "auth", "csrf",
];

/// Who wrote the archive and with which browser.
#[derive(Debug, Clone)]
pub struct HarSource<'a> {
    pub creator_version: &'a str,
    pub browser_name: &'a str,
    pub browser_version: &'a str,
}

/// The archive of `requests` (those sent before `up_to_ms`, Unix ms, when given), in the order
/// they were sent. `mask` hides secrets in every text from the page.
pub fn har(
    requests: &[Request],
    up_to_ms: Option<f64>,
    source: &HarSource<'_>,
    mask: impl Fn(&str) -> String,
) -> Json {
    let entries: Vec<Json> = requests
        .iter()
        .filter(|r| up_to_ms.is_none_or(|t| r.started_ms <= t))
        .map(|r| entry(r, &mask))
        .collect();
    json!({"log": {
        "version": "1.2",
        "creator": {"name": "vedetta", "version": source.creator_version},
        "browser": {"name": source.browser_name, "version": source.browser_version},
        "pages": [],
        "entries": entries,
        "comment": "Recorded by vedetta. Request bodies are never kept; response bodies only \
            for failed text or JSON answers (the first 2 KiB). Cookie, Set-Cookie, \
            Authorization and credential headers' values and every secret are masked.",
    }})
}

fn entry(r: &Request, mask: &impl Fn(&str) -> String) -> Json {
    let timings = timings(r);
    let time: f64 = ["blocked", "dns", "connect", "send", "wait", "receive"]
        .iter()
        .filter_map(|k| timings[k].as_f64())
        .filter(|t| *t > 0.0)
        .sum();
    let url = mask(&r.url);
    let mut e = json!({
        "startedDateTime": started(r.started_ms),
        "time": round(time),
        "request": {
            "method": r.method,
            "url": url,
            "httpVersion": r.response.as_ref().map(|x| http_version(&x.protocol)).unwrap_or_default(),
            "cookies": [],
            "headers": headers(&r.request_headers, mask),
            "queryString": query(&url),
            "headersSize": -1,
            "bodySize": if r.has_body { -1 } else { 0 },
        },
        "response": response(r, mask),
        "cache": {},
        "timings": timings,
        "_resourceType": r.resource_type.to_ascii_lowercase(),
    });
    if r.has_body {
        e["request"]["comment"] = json!("request body not kept");
    }
    if let Some(resp) = &r.response {
        if let Some(ip) = &resp.remote_ip {
            e["serverIPAddress"] = json!(ip);
        }
        if let Some(id) = resp.connection_id.filter(|id| *id > 0) {
            e["connection"] = json!(id.to_string());
        }
    }
    if let Some(err) = &r.error {
        e["_error"] = json!(err.code);
    }
    e
}

fn response(r: &Request, mask: &impl Fn(&str) -> String) -> Json {
    let Some(resp) = r.response.as_ref().filter(|_| r.error.is_none()) else {
        return json!({
            "status": 0, "statusText": "", "httpVersion": "", "cookies": [], "headers": [],
            "content": {"size": 0, "mimeType": "x-unknown"},
            "redirectURL": "", "headersSize": -1, "bodySize": -1,
            "comment": r.error.as_ref().map(|e| format!("no answer: {}", e.code))
                .unwrap_or_else(|| "no answer yet".into()),
        });
    };
    let headers_size = resp.headers_size.map(|s| s as i64).unwrap_or(-1);
    let body_size = match (r.transfer_size, resp.headers_size) {
        _ if resp.from_cache => 0,
        (Some(t), Some(h)) => t.saturating_sub(h) as i64,
        _ => -1,
    };
    let mut content = json!({"size": r.body_size, "mimeType": mask(&resp.mime_type)});
    if let Some(body) = r.body.as_deref().filter(|_| resp.status >= 400) {
        content["text"] = json!(cut(&mask(body), KEPT_BODY_BYTES));
        content["comment"] = json!("the first 2 KiB of a failed answer");
    }
    let location = r.response_header("location").map(mask).unwrap_or_default();
    json!({
        "status": resp.status,
        "statusText": resp.status_text,
        "httpVersion": http_version(&resp.protocol),
        "cookies": [],
        "headers": headers(&resp.headers, mask),
        "content": content,
        "redirectURL": location,
        "headersSize": headers_size,
        "bodySize": body_size,
        "_transferSize": r.transfer_size.map(|t| t as i64).unwrap_or(-1),
    })
}

/// The phases as HAR counts them (Chrome's own export does the same): `-1` for one that did
/// not happen. A request that got no answer spent its whole time blocked or waiting.
fn timings(r: &Request) -> Json {
    let total = r.duration_ms().unwrap_or(0.0);
    let Some(t) = r.response.as_ref().and_then(|x| x.timing) else {
        return json!({"blocked": -1, "dns": -1, "connect": -1, "ssl": -1,
            "send": 0, "wait": round(total), "receive": 0});
    };
    let Timing {
        dns_start,
        dns_end,
        connect_start,
        connect_end,
        ssl_start,
        ssl_end,
        send_start,
        send_end,
        receive_headers_end,
        request_time,
    } = t;
    let span = |a: f64, b: f64| {
        if a >= 0.0 && b >= a {
            round(b - a)
        } else {
            -1.0
        }
    };
    // From the request's start to the first phase the network stack reports.
    let offset = (request_time - r.started_mono) * 1000.0;
    let first = [dns_start, connect_start, send_start]
        .into_iter()
        .find(|v| *v >= 0.0)
        .unwrap_or(0.0);
    let blocked = round((offset + first).max(0.0));
    let end = r
        .ended_mono
        .map(|e| (e - request_time) * 1000.0)
        .unwrap_or(receive_headers_end);
    json!({
        "blocked": blocked,
        "dns": span(dns_start, dns_end),
        "connect": span(connect_start, connect_end),
        "ssl": span(ssl_start, ssl_end),
        "send": span(send_start, send_end).max(0.0),
        "wait": span(send_end, receive_headers_end).max(0.0),
        "receive": round((end - receive_headers_end).max(0.0)),
    })
}

fn headers(h: &[(String, String)], mask: &impl Fn(&str) -> String) -> Json {
    Json::Array(
        h.iter()
            .map(|(name, value)| {
                let value = if is_credential(name) {
                    SECRET_MASK.to_string()
                } else {
                    mask(value)
                };
                json!({"name": name, "value": value})
            })
            .collect(),
    )
}

fn is_credential(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    REDACTED_HEADERS.contains(&name.as_str()) || CREDENTIAL_WORDS.iter().any(|w| name.contains(w))
}

fn query(url: &str) -> Json {
    let Ok(u) = url::Url::parse(url) else {
        return json!([]);
    };
    Json::Array(
        u.query_pairs()
            .map(|(k, v)| json!({"name": k, "value": v}))
            .collect(),
    )
}

/// `HTTP/1.1`, `h2`: as HAR tools expect it.
fn http_version(protocol: &str) -> String {
    match protocol {
        "http/1.0" => "HTTP/1.0".into(),
        "http/1.1" => "HTTP/1.1".into(),
        p => p.to_string(),
    }
}

fn started(ms: f64) -> String {
    jiff::Timestamp::from_millisecond(ms.round() as i64)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".into())
}

/// At most `max` bytes of `s`, cut at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn round(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::network::cdp::NetworkLog;
    use crate::network::cdp::tests::{answered, failed, finished, sent};

    const SOURCE: HarSource<'static> = HarSource {
        creator_version: "0.1.0",
        browser_name: "chrome",
        browser_version: "156",
    };

    fn mask(s: &str) -> String {
        s.replace("hunter2", SECRET_MASK)
    }

    #[test]
    fn an_archive_lists_every_request_in_order_with_its_phases() {
        let mut log = NetworkLog::default();
        for e in [
            sent("1", "GET", "http://h/account?x=1&y=two", "Document", 10.0),
            answered("1", 200, "text/html", 10.1),
            finished("1", 10.2),
            sent("2", "GET", "http://h/api/balance", "Fetch", 10.3),
            failed("2", "net::ERR_CONNECTION_REFUSED", 10.31),
            sent("3", "GET", "http://h/later", "Fetch", 20.0),
        ] {
            log.feed(&e);
        }
        let har = har(log.requests(), Some(1_000_015_000.0), &SOURCE, mask);
        let log = &har["log"];
        assert_eq!(log["version"], "1.2");
        assert_eq!(log["creator"]["name"], "vedetta");
        let entries = log["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 2, "only what was sent before the failure");
        let doc = &entries[0];
        assert_eq!(doc["startedDateTime"], "1970-01-12T13:46:50.000Z");
        assert_eq!(
            doc["request"]["queryString"][1],
            json!({"name": "y", "value": "two"})
        );
        assert_eq!(doc["response"]["status"], 200);
        assert_eq!(doc["response"]["httpVersion"], "HTTP/1.1");
        assert_eq!(doc["serverIPAddress"], "127.0.0.1");
        assert_eq!(doc["_resourceType"], "document");
        // requestTime is 50 ms after the start; send 1–1.5 ms, headers at 40 ms, done at 200.
        assert_eq!(
            doc["timings"],
            json!({"blocked": 51.0, "dns": -1.0, "connect": -1.0, "ssl": -1.0,
                "send": 0.5, "wait": 38.5, "receive": 110.0})
        );
        assert_eq!(doc["time"], 200.0);
        let refused = &entries[1];
        assert_eq!(refused["response"]["status"], 0);
        assert_eq!(refused["_error"], "net::ERR_CONNECTION_REFUSED");
        assert_eq!(refused["timings"]["wait"], 10.0);
    }

    #[test]
    fn credentials_secrets_and_bodies_are_never_written() {
        let mut log = NetworkLog::default();
        let mut login = sent("1", "POST", "http://h/login?pw=hunter2", "Document", 1.0);
        login["params"]["request"]["hasPostData"] = json!(true);
        login["params"]["request"]["postData"] = json!("password=hunter2");
        login["params"]["request"]["headers"] = json!({
            "Cookie": "session=abc", "Authorization": "Bearer t0k3n",
            "X-Api-Key": "k3y", "Referer": "http://h/?p=hunter2"});
        let mut answer = answered("1", 500, "application/json", 1.1);
        answer["params"]["response"]["headers"] =
            json!({"Set-Cookie": "session=def; HttpOnly", "Content-Type": "application/json"});
        for e in [login, answer, finished("1", 1.2)] {
            log.feed(&e);
        }
        let body = format!(
            r#"{{"error": "bad password hunter2", "pad": "{}"}}"#,
            "é".repeat(3000)
        );
        log.set_body(0, body);
        let har = har(log.requests(), None, &SOURCE, mask);
        let text = har.to_string();
        for leak in [
            "hunter2",
            "session=abc",
            "t0k3n",
            "k3y",
            "session=def",
            "password=",
        ] {
            assert!(!text.contains(leak), "{leak} in {text}");
        }
        let e = &har["log"]["entries"][0];
        assert_eq!(e["request"]["bodySize"], -1);
        assert!(e["request"].get("postData").is_none());
        let content = &e["response"]["content"];
        let kept = content["text"].as_str().unwrap();
        assert!(kept.len() <= KEPT_BODY_BYTES && kept.len() > KEPT_BODY_BYTES - 4);
        assert!(
            kept.starts_with(r#"{"error": "bad password ••••••""#),
            "{kept}"
        );
    }
}
