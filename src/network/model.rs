//! One request of an attempt as the browser made it: what was asked, what came back (or why
//! nothing did), and when. Built from the browser's events by [`super::cdp`]; read by the HAR
//! writer and by the failure's list of failed requests.

/// A request (one hop of it: each redirect is a request of its own, as in a HAR).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The browser's id (CDP `requestId`), shared by the hops of a redirect chain.
    pub id: String,
    pub method: String,
    pub url: String,
    /// As the browser names it: `Document`, `Fetch`, `XHR`, `Script`, `Image`, …
    pub resource_type: String,
    /// When it was sent, Unix milliseconds by the browser's clock.
    pub started_ms: f64,
    /// When it was sent, by the browser's monotonic clock (seconds): durations are measured on
    /// it, never on the wall clock.
    pub started_mono: f64,
    /// When the answer was complete or the request failed (monotonic seconds); `None` while it
    /// is still in flight.
    pub ended_mono: Option<f64>,
    /// The headers as sent (the network stack's full set when the browser reports it).
    pub request_headers: Vec<(String, String)>,
    /// It carried a body (a form, JSON): never kept, only noted.
    pub has_body: bool,
    pub response: Option<Response>,
    /// Why no answer came.
    pub error: Option<NetError>,
    /// Bytes on the wire, headers included (`None` until it finished).
    pub transfer_size: Option<u64>,
    /// Bytes of the body after decoding, as received so far.
    pub body_size: u64,
    /// The start of a failed text or JSON response's body, when it was read (see
    /// [`super::har::KEPT_BODY_BYTES`]). Unmasked here: masked where it is written.
    pub body: Option<String>,
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Response {
    pub status: u16,
    pub status_text: String,
    /// `http/1.1`, `h2`, …
    pub protocol: String,
    pub headers: Vec<(String, String)>,
    pub mime_type: String,
    /// The server's address, when the browser knows it.
    pub remote_ip: Option<String>,
    pub connection_id: Option<u64>,
    /// The raw header block's length in bytes, when the browser gives it.
    pub headers_size: Option<u64>,
    pub from_cache: bool,
    pub timing: Option<Timing>,
}

/// The phases of a request as the browser measured them: milliseconds after `request_time`
/// (monotonic seconds), `-1` for a phase that did not happen (a reused connection has no DNS
/// or connect).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    pub request_time: f64,
    pub dns_start: f64,
    pub dns_end: f64,
    pub connect_start: f64,
    pub connect_end: f64,
    pub ssl_start: f64,
    pub ssl_end: f64,
    pub send_start: f64,
    pub send_end: f64,
    pub receive_headers_end: f64,
}

/// Why a request got no answer, as the browser said it: Chromium's `net::ERR_CONNECTION_REFUSED`,
/// Firefox's `NS_ERROR_CONNECTION_REFUSED`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetError {
    pub code: String,
    /// The page (or a navigation away from it) cancelled the request.
    pub canceled: bool,
}

/// What a [`NetError`] means for the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetErrorKind {
    /// The server's host took no connection.
    Refused,
    /// The connection was reset or closed mid-answer, or no answer came back on it.
    Reset,
    TimedOut,
    /// The name did not resolve: a configuration or DNS problem, not the server.
    Dns,
    /// The certificate or the TLS handshake failed.
    Tls,
    /// Cancelled by the page, or by a navigation away from it: nobody's failure.
    Aborted,
    /// Blocked by the browser itself (mixed content, CORS, a client-side blocker).
    Blocked,
    Other,
}

impl NetError {
    pub fn kind(&self) -> NetErrorKind {
        let code = self.code.trim_start_matches("net::");
        match code {
            _ if self.canceled || code == "ERR_ABORTED" => NetErrorKind::Aborted,
            "ERR_CONNECTION_REFUSED" | "ERR_ADDRESS_UNREACHABLE" | "ERR_CONNECTION_FAILED" => {
                NetErrorKind::Refused
            }
            "ERR_CONNECTION_RESET"
            | "ERR_CONNECTION_CLOSED"
            | "ERR_CONNECTION_ABORTED"
            | "ERR_EMPTY_RESPONSE"
            | "ERR_INCOMPLETE_CHUNKED_ENCODING"
            | "ERR_CONTENT_LENGTH_MISMATCH"
            | "ERR_HTTP2_PROTOCOL_ERROR"
            | "ERR_INVALID_HTTP_RESPONSE" => NetErrorKind::Reset,
            "ERR_TIMED_OUT" | "ERR_CONNECTION_TIMED_OUT" => NetErrorKind::TimedOut,
            "ERR_NAME_NOT_RESOLVED" | "ERR_NAME_RESOLUTION_FAILED" | "ERR_DNS_TIMED_OUT" => {
                NetErrorKind::Dns
            }
            c if c.starts_with("ERR_CERT_") || c.starts_with("ERR_SSL_") => NetErrorKind::Tls,
            c if c.starts_with("ERR_BLOCKED_") || c == "ERR_FAILED" || c == "ERR_UNSAFE_PORT" => {
                NetErrorKind::Blocked
            }
            // Firefox's names for the same.
            "NS_BINDING_ABORTED" | "NS_ERROR_ABORT" => NetErrorKind::Aborted,
            "NS_ERROR_CONNECTION_REFUSED" | "NS_ERROR_PROXY_CONNECTION_REFUSED" => {
                NetErrorKind::Refused
            }
            "NS_ERROR_NET_RESET"
            | "NS_ERROR_NET_INTERRUPT"
            | "NS_ERROR_NET_PARTIAL_TRANSFER"
            | "NS_ERROR_NET_EMPTY_RESPONSE"
            | "NS_ERROR_CORRUPTED_CONTENT" => NetErrorKind::Reset,
            "NS_ERROR_NET_TIMEOUT" | "NS_ERROR_NET_TIMEOUT_EXTERNAL" => NetErrorKind::TimedOut,
            "NS_ERROR_UNKNOWN_HOST" | "NS_ERROR_UNKNOWN_PROXY_HOST" => NetErrorKind::Dns,
            c if c.starts_with("SSL_ERROR_")
                || c.starts_with("SEC_ERROR_")
                || c.starts_with("MOZILLA_PKIX_ERROR_")
                || c == "NS_ERROR_NET_INADEQUATE_SECURITY" =>
            {
                NetErrorKind::Tls
            }
            "NS_ERROR_PORT_ACCESS_NOT_ALLOWED"
            | "NS_ERROR_CONTENT_BLOCKED"
            | "NS_ERROR_DOM_CORP_FAILED"
            | "NS_ERROR_DOM_BAD_URI" => NetErrorKind::Blocked,
            _ => NetErrorKind::Other,
        }
    }

    /// In words, for a failure's message: `connection refused`.
    pub fn describe(&self) -> &'static str {
        match self.kind() {
            NetErrorKind::Refused => "connection refused",
            NetErrorKind::Reset => "connection reset",
            NetErrorKind::TimedOut => "timed out",
            NetErrorKind::Dns => "DNS lookup failed",
            NetErrorKind::Tls => "TLS error",
            NetErrorKind::Aborted => "aborted",
            NetErrorKind::Blocked => "blocked by the browser",
            NetErrorKind::Other => "no answer",
        }
    }
}

impl Request {
    /// How long it took to the last byte or to the failure, in milliseconds; `None` while in
    /// flight.
    pub fn duration_ms(&self) -> Option<f64> {
        self.ended_mono
            .map(|end| ((end - self.started_mono) * 1000.0).max(0.0))
    }

    /// When it ended, Unix milliseconds by the browser's clock.
    pub fn ended_ms(&self) -> Option<f64> {
        self.duration_ms().map(|d| self.started_ms + d)
    }

    pub fn status(&self) -> Option<u16> {
        self.response.as_ref().map(|r| r.status)
    }

    /// A request of the page that got no answer, not one it gave up on itself.
    pub fn got_no_answer(&self) -> bool {
        self.error
            .as_ref()
            .is_some_and(|e| e.kind() != NetErrorKind::Aborted)
    }

    /// The response is text a person can read (JSON, plain text, HTML): worth keeping the start
    /// of when it is an error.
    pub fn is_text_response(&self) -> bool {
        self.response.as_ref().is_some_and(|r| {
            let m = r.mime_type.to_ascii_lowercase();
            m.starts_with("text/")
                || m.contains("json")
                || m.ends_with("+xml")
                || m.contains("/xml")
        })
    }

    /// A header of the response, by name (any case).
    pub fn response_header(&self, name: &str) -> Option<&str> {
        self.response.as_ref().and_then(|r| {
            r.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: &str, canceled: bool) -> NetError {
        NetError {
            code: code.into(),
            canceled,
        }
    }

    #[test]
    fn net_errors_are_sorted_by_what_they_mean_for_the_site() {
        let kind = |c| error(c, false).kind();
        assert_eq!(kind("net::ERR_CONNECTION_REFUSED"), NetErrorKind::Refused);
        assert_eq!(kind("net::ERR_CONNECTION_RESET"), NetErrorKind::Reset);
        assert_eq!(kind("net::ERR_EMPTY_RESPONSE"), NetErrorKind::Reset);
        assert_eq!(kind("net::ERR_TIMED_OUT"), NetErrorKind::TimedOut);
        assert_eq!(kind("net::ERR_NAME_NOT_RESOLVED"), NetErrorKind::Dns);
        assert_eq!(kind("net::ERR_CERT_AUTHORITY_INVALID"), NetErrorKind::Tls);
        assert_eq!(kind("net::ERR_BLOCKED_BY_CLIENT"), NetErrorKind::Blocked);
        assert_eq!(kind("net::ERR_SOMETHING_NEW"), NetErrorKind::Other);
        // Firefox's names.
        assert_eq!(kind("NS_ERROR_CONNECTION_REFUSED"), NetErrorKind::Refused);
        assert_eq!(kind("NS_ERROR_NET_RESET"), NetErrorKind::Reset);
        assert_eq!(kind("NS_ERROR_NET_TIMEOUT"), NetErrorKind::TimedOut);
        assert_eq!(kind("NS_ERROR_UNKNOWN_HOST"), NetErrorKind::Dns);
        assert_eq!(kind("SEC_ERROR_UNKNOWN_ISSUER"), NetErrorKind::Tls);
        assert_eq!(kind("NS_BINDING_ABORTED"), NetErrorKind::Aborted);
        assert_eq!(kind("NS_ERROR_CONTENT_BLOCKED"), NetErrorKind::Blocked);
        // Cancelled by the page: whatever the code says.
        assert_eq!(
            error("net::ERR_CONNECTION_REFUSED", true).kind(),
            NetErrorKind::Aborted
        );
        assert_eq!(kind("net::ERR_ABORTED"), NetErrorKind::Aborted);
        assert_eq!(
            error("net::ERR_CONNECTION_REFUSED", false).describe(),
            "connection refused"
        );
    }
}
