//! The demo bank's HTTP app: pages, sessions, login codes and the admin API.
//!
//! Routes: `GET /`, `GET|POST /login`, `GET|POST /verify`, `GET /account`, `POST /logout`,
//! `GET /api/balance` (JSON, for the account page's script), `GET|POST /admin/faults` (bearer
//! admin token; never affected by faults).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::faults::{Fault, FaultSwitch};
use super::sms::SmsGateway;
use super::{DEMO_BALANCE, DEMO_PASSWORD, DEMO_PHONE, DEMO_USERNAME, pages};
use crate::http_server::{self, Limits, RunningServer};

const SESSION_COOKIE: &str = "vb_session";
const BANNER_COOKIE: &str = "vb_cookies";
/// Sessions kept at most; the oldest go first (the demo has one customer, a few robots).
const MAX_SESSIONS: usize = 10_000;

/// How the bank is set up.
#[derive(Clone)]
pub struct BankConfig {
    pub username: String,
    pub password: String,
    /// Where login codes are sent.
    pub phone: String,
    /// How codes reach the SMS inbox; `None`: codes are made but never sent anywhere.
    pub sms: Option<SmsGateway>,
    /// Faults on from the start.
    pub faults: Vec<Fault>,
    /// How late `sms-delay` sends the code.
    pub sms_delay: Duration,
    /// How late `slow` answers.
    pub slow_delay: Duration,
    /// How long a login code is good for.
    pub code_ttl: Duration,
    /// Bearer token for `/admin/faults`; a random one when `None`.
    pub admin_token: Option<String>,
}

impl Default for BankConfig {
    fn default() -> BankConfig {
        BankConfig {
            username: DEMO_USERNAME.into(),
            password: DEMO_PASSWORD.into(),
            phone: DEMO_PHONE.into(),
            sms: None,
            faults: Vec::new(),
            sms_delay: Duration::from_secs(3),
            slow_delay: Duration::from_secs(2),
            code_ttl: Duration::from_secs(300),
            admin_token: None,
        }
    }
}

/// A running bank. Call [`BankHandle::shutdown`] to stop it.
pub struct BankHandle {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    pub admin_token: String,
    /// Switch faults in-process (the admin API does the same over HTTP).
    pub faults: FaultSwitch,
    server: RunningServer,
}

impl BankHandle {
    /// Stops accepting, cancels delayed SMS sends and waits (briefly) for requests in flight.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }

    /// Resolves when the server stops.
    pub async fn stopped(&mut self) {
        self.server.stopped().await;
    }
}

/// A login code waiting to be typed.
struct PendingCode {
    code: String,
    expires_at: Instant,
    used: bool,
}

#[derive(Default)]
struct Session {
    created: Option<Instant>,
    code: Option<PendingCode>,
    signed_in: bool,
}

struct Bank {
    config: BankConfig,
    admin_token: String,
    faults: FaultSwitch,
    sessions: Mutex<HashMap<String, Session>>,
    http: reqwest::Client,
    /// Cancels delayed SMS sends when the bank stops.
    shutdown: CancellationToken,
}

/// Serves the bank on `listener` until shut down, within the shared limits on clients.
pub async fn serve(listener: TcpListener, config: BankConfig) -> std::io::Result<BankHandle> {
    let admin_token = config
        .admin_token
        .clone()
        .unwrap_or_else(|| crate::inbox::random_token(16));
    let faults = FaultSwitch::new(config.faults.iter().copied());
    let shutdown = CancellationToken::new();
    let bank = Arc::new(Bank {
        config,
        admin_token: admin_token.clone(),
        faults: faults.clone(),
        sessions: Mutex::new(HashMap::new()),
        // The inbox is on loopback: never route it through a proxy from the environment.
        http: reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap_or_default(),
        shutdown: shutdown.clone(),
    });
    let server = http_server::spawn(listener, router(bank), Limits::default(), shutdown)?;
    let addr = server.addr();
    Ok(BankHandle {
        addr,
        url: format!("http://{addr}"),
        admin_token,
        faults,
        server,
    })
}

fn router(bank: Arc<Bank>) -> Router {
    let pages = Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login_submit))
        .route("/verify", get(verify_page).post(verify_submit))
        .route("/account", get(account))
        .route("/api/balance", get(balance_api))
        .route("/logout", post(logout))
        .layer(middleware::from_fn_with_state(bank.clone(), apply_faults));
    Router::new()
        .route("/admin/faults", get(faults_get).post(faults_post))
        .merge(pages)
        .layer(DefaultBodyLimit::max(16 * 1024))
        .with_state(bank)
}

/// `slow` delays every page, `outage` replaces it with the 503 page.
async fn apply_faults(State(bank): State<Arc<Bank>>, request: Request, next: Next) -> Response {
    if bank.faults.is_on(Fault::Slow) {
        tokio::time::sleep(bank.config.slow_delay).await;
    }
    if bank.faults.is_on(Fault::Outage) {
        let mut r = (StatusCode::SERVICE_UNAVAILABLE, Html(pages::outage())).into_response();
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return r;
    }
    next.run(request).await
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl Bank {
    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        // Every update is a whole-field assignment: a poisoned map is still consistent.
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the caller's session, if the cookie names one.
    fn with_session<T>(&self, headers: &HeaderMap, f: impl FnOnce(&mut Session) -> T) -> Option<T> {
        let id = cookie(headers, SESSION_COOKIE)?;
        self.sessions().get_mut(id).map(f)
    }

    fn signed_in(&self, headers: &HeaderMap) -> bool {
        self.with_session(headers, |s| s.signed_in).unwrap_or(false)
    }

    fn new_session(&self, session: Session) -> String {
        let id = crate::inbox::random_token(16);
        let mut sessions = self.sessions();
        if sessions.len() >= MAX_SESSIONS {
            let oldest = sessions
                .iter()
                .min_by_key(|(_, s)| s.created)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                sessions.remove(&k);
            }
        }
        sessions.insert(
            id.clone(),
            Session {
                created: Some(Instant::now()),
                ..session
            },
        );
        id
    }

    /// Sends the code now, later (`sms-delay`) or never (`sms-drop`, or no gateway).
    async fn send_code(self: &Arc<Self>, code: &str) {
        let Some(gateway) = self.config.sms.clone() else {
            return;
        };
        if self.faults.is_on(Fault::SmsDrop) {
            tracing::info!("demo bank: sms-drop is on, the login code is not sent");
            return;
        }
        let text = format!(
            "Vedetta Bank: {code} is your verification code. It expires in 5 minutes. Never share it."
        );
        let to = self.config.phone.clone();
        if self.faults.is_on(Fault::SmsDelay) {
            let bank = self.clone();
            let delay = self.config.sms_delay;
            tokio::spawn(async move {
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = bank.shutdown.cancelled() => return,
                }
                if let Err(e) = gateway.send(&bank.http, &to, &text).await {
                    tracing::warn!("demo bank: login SMS not delivered: {e}");
                }
            });
        } else if let Err(e) = gateway.send(&self.http, &to, &text).await {
            // Sent before answering, so the code is in the inbox when the code page shows.
            tracing::warn!("demo bank: login SMS not delivered: {e}");
        }
    }
}

fn set_cookie(response: &mut Response, name: &str, value: &str) {
    let cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

async fn home(headers: HeaderMap) -> Html<String> {
    Html(pages::home(cookie(&headers, BANNER_COOKIE).is_none()))
}

async fn login_page(State(bank): State<Arc<Bank>>, headers: HeaderMap) -> Response {
    if bank.signed_in(&headers) {
        return Redirect::to("/account").into_response();
    }
    Html(pages::login("", None)).into_response()
}

async fn login_submit(State(bank): State<Arc<Bank>>, body: Bytes) -> Response {
    let fields = form(&body);
    let username = fields
        .get("username")
        .map(String::as_str)
        .unwrap_or_default()
        .trim();
    let password = fields
        .get("password")
        .map(String::as_str)
        .unwrap_or_default();
    if bank.faults.is_on(Fault::LoginError) {
        let msg = "Something went wrong and we could not log you in. Please try again later. (Error LGN-500)";
        return (StatusCode::OK, Html(pages::login(username, Some(msg)))).into_response();
    }
    let valid = username == bank.config.username
        && crate::inbox::constant_time_eq(password.as_bytes(), bank.config.password.as_bytes());
    if !valid {
        let msg = "Wrong username or password.";
        return (
            StatusCode::UNAUTHORIZED,
            Html(pages::login(username, Some(msg))),
        )
            .into_response();
    }
    let code = {
        use rand::Rng;
        format!("{:06}", rand::thread_rng().gen_range(0..1_000_000u32))
    };
    let pending = PendingCode {
        code: code.clone(),
        expires_at: Instant::now() + bank.config.code_ttl,
        used: false,
    };
    let id = bank.new_session(Session {
        code: Some(pending),
        ..Session::default()
    });
    bank.send_code(&code).await;
    let mut response = Redirect::to("/verify").into_response();
    set_cookie(&mut response, SESSION_COOKIE, &id);
    response
}

async fn verify_page(State(bank): State<Arc<Bank>>, headers: HeaderMap) -> Response {
    match bank.with_session(&headers, |s| s.code.is_some()) {
        Some(true) => Html(pages::verify(&bank.config.phone, None)).into_response(),
        _ => Redirect::to("/login").into_response(),
    }
}

async fn verify_submit(State(bank): State<Arc<Bank>>, headers: HeaderMap, body: Bytes) -> Response {
    let fields = form(&body);
    let typed = fields
        .get("otp")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let outcome = bank.with_session(&headers, |s| {
        let Some(pending) = s.code.as_mut() else {
            return Err("Log in first to get a code.");
        };
        if pending.used {
            return Err("This code has already been used. Log in again to get a new one.");
        }
        if Instant::now() > pending.expires_at {
            return Err("This code has expired. Log in again to get a new one.");
        }
        if !crate::inbox::constant_time_eq(typed.as_bytes(), pending.code.as_bytes()) {
            return Err("The code is not correct. Check the SMS and try again.");
        }
        pending.used = true;
        s.signed_in = true;
        Ok(())
    });
    match outcome {
        Some(Ok(())) => Redirect::to("/account").into_response(),
        Some(Err(msg)) => (
            StatusCode::UNAUTHORIZED,
            Html(pages::verify(&bank.config.phone, Some(msg))),
        )
            .into_response(),
        None => Redirect::to("/login").into_response(),
    }
}

async fn account(State(bank): State<Arc<Bank>>, headers: HeaderMap) -> Response {
    if !bank.signed_in(&headers) {
        return Redirect::to("/login").into_response();
    }
    Html(pages::account(!bank.faults.is_on(Fault::NoBalance))).into_response()
}

/// The card's balance as JSON, as a banking app's API gives it to its page: 401 when not
/// signed in, 503 with the service's error under `balance-api`.
async fn balance_api(State(bank): State<Arc<Bank>>, headers: HeaderMap) -> Response {
    let json = |status: StatusCode, body: serde_json::Value| (status, axum::Json(body));
    if !bank.signed_in(&headers) {
        return json(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({ "error": "not signed in" }),
        )
        .into_response();
    }
    if bank.faults.is_on(Fault::BalanceApi) {
        return json(
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({ "error": super::BALANCE_API_ERROR }),
        )
        .into_response();
    }
    json(
        StatusCode::OK,
        serde_json::json!({ "card": "4821", "balance": DEMO_BALANCE }),
    )
    .into_response()
}

async fn logout(State(bank): State<Arc<Bank>>, headers: HeaderMap) -> Response {
    if let Some(id) = cookie(&headers, SESSION_COOKIE) {
        bank.sessions().remove(id);
    }
    Redirect::to("/").into_response()
}

fn admin_ok(bank: &Bank, headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| {
            crate::inbox::constant_time_eq(t.trim().as_bytes(), bank.admin_token.as_bytes())
        })
}

fn faults_json(bank: &Bank) -> Response {
    axum::Json(serde_json::json!({
        "faults": bank.faults.current(),
        "available": Fault::ALL,
    }))
    .into_response()
}

fn admin_refusal(status: StatusCode, message: String) -> Response {
    (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
}

async fn faults_get(State(bank): State<Arc<Bank>>, headers: HeaderMap) -> Response {
    if !admin_ok(&bank, &headers) {
        return admin_refusal(
            StatusCode::UNAUTHORIZED,
            "missing or wrong admin token".into(),
        );
    }
    faults_json(&bank)
}

/// `{"fault": "outage", "on": true}` switches one; `{"faults": ["outage", "slow"]}` sets all.
#[derive(serde::Deserialize)]
#[serde(untagged, deny_unknown_fields)]
enum FaultChange {
    One { fault: String, on: bool },
    All { faults: Vec<String> },
}

async fn faults_post(State(bank): State<Arc<Bank>>, headers: HeaderMap, body: Bytes) -> Response {
    if !admin_ok(&bank, &headers) {
        return admin_refusal(
            StatusCode::UNAUTHORIZED,
            "missing or wrong admin token".into(),
        );
    }
    let change: FaultChange = match serde_json::from_slice(&body) {
        Ok(c) => c,
        Err(_) => {
            return admin_refusal(
                StatusCode::BAD_REQUEST,
                r#"expected {"fault": NAME, "on": true|false} or {"faults": [NAME, …]}"#.into(),
            );
        }
    };
    match change {
        FaultChange::One { fault, on } => match fault.parse::<Fault>() {
            Ok(f) => bank.faults.set(f, on),
            Err(e) => return admin_refusal(StatusCode::BAD_REQUEST, e.to_string()),
        },
        FaultChange::All { faults } => match faults
            .iter()
            .map(|f| f.parse::<Fault>())
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(all) => bank.faults.replace(all),
            Err(e) => return admin_refusal(StatusCode::BAD_REQUEST, e.to_string()),
        },
    }
    tracing::info!(faults = ?bank.faults.current(), "demo bank faults switched");
    faults_json(&bank)
}
