//! The inbox's HTTP side.
//!
//! - `POST /sms/twilio`: Twilio's inbound-message webhook (form-encoded), checked against
//!   `X-Twilio-Signature`. Answers empty TwiML so Twilio sends no reply SMS.
//! - `POST /sms/inbound`: any other provider or script: JSON `{to, from?, body}` with
//!   `Authorization: Bearer <token>`.
//! - `GET /api/codes/next?to=…&pattern=…&since=…&timeout_ms=…` (bearer token): long-poll that
//!   takes a code, used by [`super::RemoteInbox`]. `since` is Unix time in milliseconds.
//!
//! Every refusal (4xx) stores nothing. Message bodies hold codes: they are never logged.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::store::{Delivery, Inbox};
use super::twilio;
use crate::http_server::{self, Limits, RunningServer};
use crate::otp::OtpError;
use crate::text::escape_untrusted;

/// Bodies larger than this are refused (413): an SMS webhook is a few hundred bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// The longest a long-poll may wait; longer requests are cut to it.
pub const MAX_WAIT: Duration = Duration::from_secs(300);
/// What a long-poll waits when it does not say.
const DEFAULT_WAIT: Duration = Duration::from_secs(30);

pub const TWILIO_PATH: &str = "/sms/twilio";
pub const INBOUND_PATH: &str = "/sms/inbound";
pub const NEXT_CODE_PATH: &str = "/api/codes/next";

/// How the inbox authenticates callers.
#[derive(Clone)]
pub struct InboxConfig {
    /// Bearer token for the JSON webhook and the codes API.
    pub token: String,
    /// Twilio's auth token; without it `/sms/twilio` refuses every request.
    pub twilio_auth_token: Option<String>,
    /// The URL Twilio is configured to call, without the path (`https://sms.example.com`), when
    /// a proxy sits in front; else the URL is rebuilt from the `Host` header.
    pub public_url: Option<String>,
}

impl std::fmt::Debug for InboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboxConfig")
            .field("token", &"••••••")
            .field(
                "twilio_auth_token",
                &self.twilio_auth_token.as_ref().map(|_| "••••••"),
            )
            .field("public_url", &self.public_url)
            .finish()
    }
}

struct AppState {
    inbox: Arc<Inbox>,
    config: InboxConfig,
    shutdown: CancellationToken,
}

/// A running inbox server. Dropping it does not stop it: call [`InboxServer::shutdown`].
pub struct InboxServer {
    pub addr: SocketAddr,
    server: RunningServer,
}

impl InboxServer {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Where Twilio (or the demo bank) posts inbound messages.
    pub fn twilio_webhook_url(&self) -> String {
        format!("{}{TWILIO_PATH}", self.url())
    }

    /// Where other providers post JSON messages.
    pub fn inbound_url(&self) -> String {
        format!("{}{INBOUND_PATH}", self.url())
    }

    /// Stops accepting, ends waiting long-polls and waits (briefly) for requests in flight.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }

    /// Resolves when the server stops (after [`InboxServer::shutdown`]).
    pub async fn stopped(&mut self) {
        self.server.stopped().await;
    }
}

/// The inbox's limits on clients: the shared ones, with bodies no larger than a webhook's.
pub fn default_limits() -> Limits {
    Limits {
        max_body_bytes: MAX_BODY_BYTES,
        ..Limits::default()
    }
}

/// Serves the inbox on `listener` until shut down, within [`default_limits`].
pub async fn serve(
    listener: TcpListener,
    inbox: Arc<Inbox>,
    config: InboxConfig,
) -> std::io::Result<InboxServer> {
    serve_within(listener, inbox, config, default_limits()).await
}

/// [`serve`] within other limits on clients (tests use tight ones).
pub async fn serve_within(
    listener: TcpListener,
    inbox: Arc<Inbox>,
    config: InboxConfig,
    limits: Limits,
) -> std::io::Result<InboxServer> {
    // One token ends both the server and the long-polls waiting in it.
    let shutdown = CancellationToken::new();
    let state = Arc::new(AppState {
        inbox,
        config,
        shutdown: shutdown.clone(),
    });
    let server = http_server::spawn(listener, router(state), limits, shutdown)?;
    Ok(InboxServer {
        addr: server.addr(),
        server,
    })
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(TWILIO_PATH, post(twilio_webhook))
        .route(INBOUND_PATH, post(json_webhook))
        .route(NEXT_CODE_PATH, get(next_code))
        .route("/healthz", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// Answers `status` with `why`, and logs it. `why` often quotes the request (a bad number, a
/// bad pattern), so control characters in it are escaped in both.
fn refuse(status: StatusCode, why: &str) -> Response {
    let why = escape_untrusted(why);
    tracing::info!(status = status.as_u16(), "inbox refused a request: {why}");
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{why}\n"),
    )
        .into_response()
}

fn content_type_is(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(expected))
}

fn bearer_ok(headers: &HeaderMap, token: &str) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    !token.is_empty() && super::constant_time_eq(given.trim().as_bytes(), token.as_bytes())
}

fn unauthorized() -> Response {
    let mut r = refuse(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    r
}

/// The URL Twilio signed: `--public-url` + the path and query when configured, else rebuilt
/// from the `Host` header (plain http: behind a TLS proxy, configure `--public-url`).
fn signed_url(config: &InboxConfig, headers: &HeaderMap, uri: &Uri) -> Option<String> {
    let path = uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or(uri.path());
    match &config.public_url {
        Some(base) => Some(format!("{}{path}", base.trim_end_matches('/'))),
        None => {
            let host = headers.get(header::HOST)?.to_str().ok()?;
            Some(format!("http://{host}{path}"))
        }
    }
}

async fn twilio_webhook(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let Some(auth_token) = &state.config.twilio_auth_token else {
        return refuse(
            StatusCode::FORBIDDEN,
            "the Twilio webhook is off: start the inbox with --twilio-auth-token",
        );
    };
    let Some(signature) = headers
        .get(twilio::SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
    else {
        return refuse(StatusCode::FORBIDDEN, "missing X-Twilio-Signature");
    };
    if !content_type_is(&headers, "application/x-www-form-urlencoded") {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected application/x-www-form-urlencoded",
        );
    }
    if std::str::from_utf8(&body).is_err() {
        return refuse(StatusCode::BAD_REQUEST, "the form is not UTF-8");
    }
    let params: Vec<(String, String)> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let Some(url) = signed_url(&state.config, &headers, &uri) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "no Host header to rebuild the signed URL from",
        );
    };
    if !twilio::verify(auth_token, &url, &params, signature) {
        return refuse(StatusCode::FORBIDDEN, "X-Twilio-Signature does not match");
    }
    let field = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(to) = field("To").filter(|t| !t.is_empty()) else {
        return refuse(StatusCode::BAD_REQUEST, "the form has no `To`");
    };
    let Some(body) = field("Body") else {
        return refuse(StatusCode::BAD_REQUEST, "the form has no `Body`");
    };
    let from = field("From").unwrap_or_default();
    match state.inbox.deliver(to, from, body, field("MessageSid")) {
        Ok(delivery) => {
            tracing::info!(to = %escape_untrusted(to), duplicate = (delivery == Delivery::Duplicate), "SMS received from Twilio");
            twiml_empty()
        }
        Err(e) => refuse(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

/// Empty TwiML: Twilio sends no reply.
fn twiml_empty() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>",
    )
        .into_response()
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct InboundJson {
    to: String,
    #[serde(default)]
    from: Option<String>,
    body: String,
    /// The provider's message id, to ignore retried deliveries.
    #[serde(default)]
    id: Option<String>,
}

async fn json_webhook(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !bearer_ok(&headers, &state.config.token) {
        return unauthorized();
    }
    if !content_type_is(&headers, "application/json") {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected application/json",
        );
    }
    let msg: InboundJson = match serde_json::from_slice(&body) {
        Ok(m) => m,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                &format!("expected JSON {{to, from?, body}}: {e}"),
            );
        }
    };
    match state.inbox.deliver(
        &msg.to,
        msg.from.as_deref().unwrap_or_default(),
        &msg.body,
        msg.id.as_deref(),
    ) {
        Ok(delivery) => {
            tracing::info!(to = %escape_untrusted(&msg.to), duplicate = (delivery == Delivery::Duplicate), "SMS received");
            (
                StatusCode::OK,
                axum::Json(serde_json::json!({"stored": delivery == Delivery::Stored})),
            )
                .into_response()
        }
        Err(e) => refuse(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

async fn next_code(State(state): State<Arc<AppState>>, headers: HeaderMap, uri: Uri) -> Response {
    if !bearer_ok(&headers, &state.config.token) {
        return unauthorized();
    }
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let Some(to) = query.get("to") else {
        return refuse(StatusCode::BAD_REQUEST, "missing `to`");
    };
    let pattern = query
        .get("pattern")
        .map(String::as_str)
        .unwrap_or(crate::journey::model::DEFAULT_OTP_PATTERN);
    let pattern = match regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
    {
        Ok(p) => p,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, &format!("bad `pattern`: {e}")),
    };
    if let Err(unusable) = crate::code_pattern::check(&pattern) {
        return refuse(
            StatusCode::BAD_REQUEST,
            &format!("bad `pattern`: {unusable}"),
        );
    }
    let since = match query.get("since").map(|s| s.parse::<u64>()) {
        None => SystemTime::now(),
        Some(Ok(ms)) => UNIX_EPOCH + Duration::from_millis(ms),
        Some(Err(_)) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "`since` must be Unix time in milliseconds",
            );
        }
    };
    let wait = match query.get("timeout_ms").map(|s| s.parse::<u64>()) {
        None => DEFAULT_WAIT,
        Some(Ok(ms)) => Duration::from_millis(ms).min(MAX_WAIT),
        Some(Err(_)) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "`timeout_ms` must be a number of milliseconds",
            );
        }
    };
    let taken = tokio::select! {
        r = state.inbox.take_code(to, &pattern, since, wait) => r,
        () = state.shutdown.cancelled() => {
            return refuse(StatusCode::SERVICE_UNAVAILABLE, "the inbox is shutting down");
        }
    };
    match taken {
        Ok(code) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({ "code": code })),
        )
            .into_response(),
        Err(OtpError::NotReceived(why)) => (
            StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({ "error": why })),
        )
            .into_response(),
        Err(OtpError::Unavailable(why)) => refuse(StatusCode::BAD_REQUEST, &why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    const TOKEN: &str = "inbox-unit-test-token-0123456789";

    /// What the server logs while a test runs, kept in memory.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
        }
    }

    async fn start() -> InboxServer {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        serve(
            listener,
            Arc::new(Inbox::new()),
            InboxConfig {
                token: TOKEN.into(),
                twilio_auth_token: None,
                public_url: None,
            },
        )
        .await
        .unwrap()
    }

    // current_thread (the default): the server's tasks log on this thread, into `captured`.
    #[tokio::test]
    async fn terminal_controls_in_an_authenticated_to_are_escaped_in_the_log_and_the_answer() {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer({
                let captured = captured.clone();
                move || captured.clone()
            })
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let server = start().await;
        let hostile = "+39\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}3330000001";
        let response = reqwest::Client::new()
            .post(server.inbound_url())
            .bearer_auth(TOKEN)
            .json(&serde_json::json!({"to": hostile, "body": "code 123456"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let answer = response.text().await.unwrap();
        server.shutdown().await;
        let log = captured.text();
        assert!(log.contains("is not a phone number"), "{log}");
        for shown in [&log, &answer] {
            assert!(
                !shown.contains(['\u{1b}', '\u{7}', '\u{202e}']),
                "raw control characters: {shown:?}"
            );
            assert!(
                shown.contains("\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{202e}"),
                "{shown:?}"
            );
        }
    }
}
