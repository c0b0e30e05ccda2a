//! The attempt's requests, built from the Chrome DevTools Protocol's `Network.*` events as
//! chromedriver's performance log hands them over (`{"method": "Network.…", "params": {…}}`).
//!
//! Events come in batches, in the order the browser sent them — except the network stack's
//! `…ExtraInfo` events with the full headers (`Cookie`, `Set-Cookie`), which may come before
//! or after the event of their request or response. They are matched to the hops of their
//! request in order: the first hop's extra headers are the first that come for its id.

use std::collections::{HashMap, HashSet, VecDeque};

use serde_json::Value as Json;

use super::model::{NetError, Request, Response, Timing};

/// Full headers, and the raw header block's size when given.
type ExtraHeaders = (Vec<(String, String)>, Option<u64>);

/// Every request of one attempt, in the order they were sent.
#[derive(Debug, Clone, Default)]
pub struct NetworkLog {
    requests: Vec<Request>,
    /// Request id → index of its latest hop in `requests`, while it is in flight.
    open: HashMap<String, usize>,
    /// Request id → every hop's index, in order.
    hops: HashMap<String, Vec<usize>>,
    /// Hops that have their request's, and their response's, full headers.
    request_extra: HashSet<usize>,
    response_extra: HashSet<usize>,
    /// Full headers that came before their hop (or its response), by request id, in order.
    early_request_headers: HashMap<String, VecDeque<Vec<(String, String)>>>,
    early_response_headers: HashMap<String, VecDeque<ExtraHeaders>>,
}

impl NetworkLog {
    /// Takes in one event — the DevTools Protocol's `Network.*`, or WebDriver BiDi's
    /// `network.*` (Firefox; see [`super::bidi`]); anything that is not about an http(s)
    /// request is ignored.
    pub fn feed(&mut self, event: &Json) {
        if event["method"]
            .as_str()
            .is_some_and(|m| m.starts_with("network."))
        {
            return super::bidi::feed(self, event);
        }
        let params = &event["params"];
        let Some(id) = params["requestId"].as_str() else {
            return;
        };
        match event["method"].as_str().unwrap_or_default() {
            "Network.requestWillBeSent" => self.request_sent(id, params),
            "Network.requestWillBeSentExtraInfo" => {
                let headers = headers(&params["headers"]);
                match self.hop_wanting(id, |_, i| !self.request_extra.contains(&i)) {
                    Some(i) => self.apply_request_extra(i, headers),
                    None => self
                        .early_request_headers
                        .entry(id.to_string())
                        .or_default()
                        .push_back(headers),
                }
            }
            "Network.responseReceived" => {
                if let Some(i) = self.open.get(id).copied() {
                    let r = &mut self.requests[i];
                    if r.resource_type.is_empty() {
                        r.resource_type = params["type"].as_str().unwrap_or_default().into();
                    }
                    r.response = Some(response(&params["response"]));
                    self.take_early_response_extra(id, i);
                }
            }
            "Network.responseReceivedExtraInfo" => {
                let extra = (
                    headers(&params["headers"]),
                    params["headersText"].as_str().map(|t| t.len() as u64),
                );
                let wanting = self.hop_wanting(id, |r, i| {
                    r.response.is_some() && !self.response_extra.contains(&i)
                });
                match wanting {
                    Some(i) => self.apply_response_extra(i, extra),
                    None => self
                        .early_response_headers
                        .entry(id.to_string())
                        .or_default()
                        .push_back(extra),
                }
            }
            "Network.requestServedFromCache" => {
                if let Some(resp) = self.latest(id).and_then(|r| r.response.as_mut()) {
                    resp.from_cache = true;
                }
            }
            "Network.dataReceived" => {
                if let Some(r) = self.latest(id) {
                    r.body_size += params["dataLength"].as_u64().unwrap_or(0);
                }
            }
            "Network.loadingFinished" => {
                if let Some(r) = self.latest(id) {
                    r.ended_mono = params["timestamp"].as_f64().or(Some(r.started_mono));
                    r.transfer_size = params["encodedDataLength"].as_f64().map(|n| n as u64);
                }
                self.open.remove(id);
            }
            "Network.loadingFailed" => {
                if let Some(r) = self.latest(id) {
                    r.ended_mono = params["timestamp"].as_f64().or(Some(r.started_mono));
                    let code = params["errorText"].as_str().unwrap_or_default();
                    let code = match params["blockedReason"].as_str() {
                        Some(reason) if code.is_empty() => format!("blocked: {reason}"),
                        _ => code.to_string(),
                    };
                    r.error = Some(NetError {
                        code,
                        canceled: params["canceled"].as_bool().unwrap_or(false),
                    });
                    if r.resource_type.is_empty() {
                        r.resource_type = params["type"].as_str().unwrap_or_default().into();
                    }
                }
                self.open.remove(id);
            }
            _ => {}
        }
    }

    /// Every request so far, in the order they were sent.
    pub fn requests(&self) -> &[Request] {
        &self.requests
    }

    /// Keeps the start of request `index`'s response body (see [`Request::body`]).
    pub fn set_body(&mut self, index: usize, body: String) {
        if let Some(r) = self.requests.get_mut(index) {
            r.body = Some(body);
        }
    }

    /// A request's new hop, sent: the hop before, if it is still open (a redirect), ends
    /// when this one starts.
    pub(super) fn begin(&mut self, request: Request) {
        if let Some(prev) = self.open.remove(&request.id) {
            let r = &mut self.requests[prev];
            r.ended_mono = r.ended_mono.or(Some(request.started_mono));
        }
        let index = self.requests.len();
        self.open.insert(request.id.clone(), index);
        self.hops.entry(request.id.clone()).or_default().push(index);
        self.requests.push(request);
    }

    /// Request `id`'s hop in flight is over (answered or failed).
    pub(super) fn end(&mut self, id: &str) {
        self.open.remove(id);
    }

    /// Request `id`'s hop in flight, until [`NetworkLog::end`].
    pub(super) fn latest(&mut self, id: &str) -> Option<&mut Request> {
        let i = *self.open.get(id)?;
        self.requests.get_mut(i)
    }

    /// The first hop of request `id` for which `wants` holds.
    fn hop_wanting(&self, id: &str, wants: impl Fn(&Request, usize) -> bool) -> Option<usize> {
        self.hops
            .get(id)?
            .iter()
            .copied()
            .find(|i| wants(&self.requests[*i], *i))
    }

    fn apply_request_extra(&mut self, i: usize, headers: Vec<(String, String)>) {
        self.requests[i].request_headers = headers;
        self.request_extra.insert(i);
    }

    fn apply_response_extra(&mut self, i: usize, (headers, size): ExtraHeaders) {
        if let Some(resp) = self.requests[i].response.as_mut() {
            resp.headers = headers;
            resp.headers_size = size.or(resp.headers_size);
            self.response_extra.insert(i);
        }
    }

    /// Hop `i` of `id` just got its response: full headers that came before are its own.
    fn take_early_response_extra(&mut self, id: &str, i: usize) {
        if let Some(extra) = self
            .early_response_headers
            .get_mut(id)
            .and_then(VecDeque::pop_front)
        {
            self.apply_response_extra(i, extra);
        }
    }

    fn request_sent(&mut self, id: &str, params: &Json) {
        let timestamp = params["timestamp"].as_f64().unwrap_or(0.0);
        // A redirect: the hop before ends here, answered by the redirect response.
        if let Some(redirect) = params.get("redirectResponse").filter(|r| r.is_object())
            && let Some(prev) = self.open.remove(id)
        {
            let r = &mut self.requests[prev];
            r.response = Some(response(redirect));
            r.ended_mono = Some(timestamp);
            self.take_early_response_extra(id, prev);
        }
        let request = &params["request"];
        let mut url = request["url"].as_str().unwrap_or_default().to_string();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            // data:, blob:, about: — nothing went over the network.
            return;
        }
        if let Some(fragment) = request["urlFragment"].as_str() {
            url.push_str(fragment);
        }
        let wall_s = params["wallTime"].as_f64().unwrap_or(0.0);
        let index = self.requests.len();
        self.begin(Request {
            id: id.to_string(),
            method: request["method"].as_str().unwrap_or("GET").to_string(),
            url,
            resource_type: params["type"].as_str().unwrap_or_default().to_string(),
            started_ms: wall_s * 1000.0,
            started_mono: timestamp,
            ended_mono: None,
            request_headers: headers(&request["headers"]),
            has_body: request["hasPostData"].as_bool().unwrap_or(false)
                || request.get("postData").is_some(),
            response: None,
            error: None,
            transfer_size: None,
            body_size: 0,
            body: None,
        });
        if let Some(extra) = self
            .early_request_headers
            .get_mut(id)
            .and_then(VecDeque::pop_front)
        {
            self.apply_request_extra(index, extra);
        }
    }
}

/// CDP headers (`{"Name": "value"}`, several values of one name joined by newlines) as pairs.
fn headers(v: &Json) -> Vec<(String, String)> {
    let Some(map) = v.as_object() else {
        return Vec::new();
    };
    map.iter()
        .flat_map(|(name, value)| {
            let value = value.as_str().unwrap_or_default();
            value
                .split('\n')
                .map(|v| (name.clone(), v.to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// An answer's HTTP status as both protocols give it (a number); 0 when it is not one.
pub(super) fn http_status(v: &Json) -> u16 {
    v.as_u64().and_then(|s| u16::try_from(s).ok()).unwrap_or(0)
}

fn response(v: &Json) -> Response {
    let t = &v["timing"];
    let timing = t["requestTime"].as_f64().map(|request_time| {
        let ms = |k: &str| t[k].as_f64().unwrap_or(-1.0);
        Timing {
            request_time,
            dns_start: ms("dnsStart"),
            dns_end: ms("dnsEnd"),
            connect_start: ms("connectStart"),
            connect_end: ms("connectEnd"),
            ssl_start: ms("sslStart"),
            ssl_end: ms("sslEnd"),
            send_start: ms("sendStart"),
            send_end: ms("sendEnd"),
            receive_headers_end: ms("receiveHeadersEnd"),
        }
    });
    Response {
        status: http_status(&v["status"]),
        status_text: v["statusText"].as_str().unwrap_or_default().to_string(),
        protocol: v["protocol"].as_str().unwrap_or_default().to_string(),
        headers: headers(&v["headers"]),
        mime_type: v["mimeType"].as_str().unwrap_or_default().to_string(),
        remote_ip: v["remoteIPAddress"]
            .as_str()
            .filter(|ip| !ip.is_empty())
            .map(|ip| ip.trim_start_matches('[').trim_end_matches(']').to_string()),
        connection_id: v["connectionId"].as_u64(),
        headers_size: v["headersText"].as_str().map(|t| t.len() as u64),
        from_cache: v["fromDiskCache"].as_bool().unwrap_or(false)
            || v["fromServiceWorker"].as_bool().unwrap_or(false),
        timing,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::json;

    use super::*;
    use crate::network::model::NetErrorKind;

    /// `Network.requestWillBeSent` for `url` at `t` seconds (wall clock 1_000_000 + t).
    pub(crate) fn sent(id: &str, method: &str, url: &str, kind: &str, t: f64) -> Json {
        json!({"method": "Network.requestWillBeSent", "params": {
            "requestId": id, "type": kind, "timestamp": t, "wallTime": 1_000_000.0 + t,
            "request": {"url": url, "method": method, "headers": {"Accept": "*/*"}}}})
    }

    pub(crate) fn answered(id: &str, status: u16, mime: &str, t: f64) -> Json {
        json!({"method": "Network.responseReceived", "params": {
            "requestId": id, "type": "Fetch", "timestamp": t,
            "response": {"url": "", "status": status, "statusText": "Service Unavailable",
                "protocol": "http/1.1", "mimeType": mime, "remoteIPAddress": "127.0.0.1",
                "connectionId": 7, "headers": {"Content-Type": mime},
                "timing": {"requestTime": t - 0.05, "dnsStart": -1, "dnsEnd": -1,
                    "connectStart": -1, "connectEnd": -1, "sslStart": -1, "sslEnd": -1,
                    "sendStart": 1.0, "sendEnd": 1.5, "receiveHeadersEnd": 40.0}}}})
    }

    pub(crate) fn finished(id: &str, t: f64) -> Json {
        json!({"method": "Network.loadingFinished", "params": {
            "requestId": id, "timestamp": t, "encodedDataLength": 209}})
    }

    pub(crate) fn failed(id: &str, error: &str, t: f64) -> Json {
        json!({"method": "Network.loadingFailed", "params": {
            "requestId": id, "timestamp": t, "errorText": error, "canceled": false,
            "type": "Fetch"}})
    }

    #[test]
    fn a_request_is_built_from_its_events_with_the_full_headers_whenever_they_come() {
        let mut log = NetworkLog::default();
        // The network stack's full headers may come before the request's own event.
        log.feed(
            &json!({"method": "Network.requestWillBeSentExtraInfo", "params": {
            "requestId": "1", "headers": {"Cookie": "s=abc", "Accept": "*/*"}}}),
        );
        log.feed(&sent(
            "1",
            "GET",
            "http://127.0.0.1:8080/api/balance?card=4821",
            "Fetch",
            10.0,
        ));
        log.feed(&answered("1", 503, "application/json", 10.1));
        log.feed(
            &json!({"method": "Network.responseReceivedExtraInfo", "params": {
            "requestId": "1", "headers": {"Set-Cookie": "s=def\nt=ghi"},
            "headersText": "HTTP/1.1 503 Service Unavailable\r\n\r\n"}}),
        );
        log.feed(&json!({"method": "Network.dataReceived", "params": {
            "requestId": "1", "dataLength": 40}}));
        log.feed(&finished("1", 10.25));

        let [r] = log.requests() else {
            panic!("{:?}", log.requests())
        };
        assert_eq!(r.method, "GET");
        assert_eq!(r.resource_type, "Fetch");
        assert_eq!(r.started_ms, 1_000_010_000.0);
        assert_eq!(r.duration_ms().map(f64::round), Some(250.0));
        assert!(
            r.request_headers
                .contains(&("Cookie".into(), "s=abc".into()))
        );
        let resp = r.response.as_ref().unwrap();
        assert_eq!(resp.status, 503);
        assert_eq!(
            resp.headers,
            [
                ("Set-Cookie".to_string(), "s=def".to_string()),
                ("Set-Cookie".to_string(), "t=ghi".to_string())
            ]
        );
        assert_eq!(resp.headers_size, Some(36));
        assert_eq!((r.transfer_size, r.body_size), (Some(209), 40));
        assert!(r.is_text_response());
    }

    #[test]
    fn a_redirect_is_a_hop_of_its_own_and_data_urls_are_not_requests() {
        let mut log = NetworkLog::default();
        log.feed(&sent("9", "GET", "data:,", "Document", 1.0));
        log.feed(&sent("7", "POST", "http://h/login", "Document", 2.0));
        log.feed(
            &json!({"method": "Network.responseReceivedExtraInfo", "params": {
            "requestId": "7", "headers": {"Location": "/verify", "Set-Cookie": "s=1"}}}),
        );
        let mut next = sent("7", "GET", "http://h/verify", "Document", 2.2);
        next["params"]["redirectResponse"] =
            json!({"status": 303, "statusText": "See Other", "headers": {"Location": "/verify"}});
        log.feed(&next);
        log.feed(&answered("7", 200, "text/html", 2.4));
        log.feed(&finished("7", 2.5));

        let r = log.requests();
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!((r[0].method.as_str(), r[0].status()), ("POST", Some(303)));
        assert_eq!(r[0].response_header("set-cookie"), Some("s=1"));
        assert_eq!(r[0].duration_ms().map(f64::round), Some(200.0));
        assert_eq!(
            (r[1].url.as_str(), r[1].status()),
            ("http://h/verify", Some(200))
        );
    }

    #[test]
    fn a_redirect_s_full_headers_are_its_own_whether_they_come_before_or_after_the_next_hop() {
        let extra = |cookie: &str| {
            json!({"method": "Network.responseReceivedExtraInfo", "params": {
                "requestId": "7", "headers": {"Set-Cookie": cookie}}})
        };
        let redirect = || {
            let mut next = sent("7", "GET", "http://h/account", "Document", 2.2);
            next["params"]["redirectResponse"] = json!({"status": 303, "headers": {}});
            next
        };
        for late in [false, true] {
            let mut log = NetworkLog::default();
            log.feed(&sent("7", "POST", "http://h/login", "Document", 2.0));
            if !late {
                log.feed(&extra("s=login"));
            }
            log.feed(&redirect());
            if late {
                log.feed(&extra("s=login"));
            }
            log.feed(&answered("7", 200, "text/html", 2.4));
            log.feed(&extra("s=account"));
            let r = log.requests();
            assert_eq!(
                r[0].response_header("set-cookie"),
                Some("s=login"),
                "late: {late}"
            );
            assert_eq!(
                r[1].response_header("set-cookie"),
                Some("s=account"),
                "late: {late}"
            );
        }
    }

    #[test]
    fn a_request_that_got_no_answer_says_why() {
        let mut log = NetworkLog::default();
        log.feed(&sent("3", "GET", "http://127.0.0.1:9/api", "Fetch", 5.0));
        log.feed(&failed("3", "net::ERR_CONNECTION_REFUSED", 5.002));
        log.feed(&sent("4", "GET", "http://h/slow", "XHR", 5.0));
        let mut cancel = failed("4", "net::ERR_ABORTED", 6.0);
        cancel["params"]["canceled"] = json!(true);
        log.feed(&cancel);
        log.feed(&sent("5", "GET", "http://h/pending", "Fetch", 7.0));

        let r = log.requests();
        assert_eq!(
            r[0].error.as_ref().map(|e| e.kind()),
            Some(NetErrorKind::Refused)
        );
        assert!(r[0].got_no_answer());
        assert!(!r[1].got_no_answer(), "cancelled by the page");
        assert_eq!(r[2].duration_ms(), None, "still in flight");
        // Events about requests never seen are ignored.
        log.feed(&finished("nope", 1.0));
        assert_eq!(log.requests().len(), 3);
    }
}
