//! The demo bank over real HTTP, with its real SMS inbox: pages, login with the SMS code sent
//! as a signed Twilio webhook, and every fault.

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use vedetta::demo::{
    BankConfig, DEMO_BALANCE, DEMO_PASSWORD, DEMO_PHONE, DemoStack, Fault, OUTAGE_MESSAGE,
};
use vedetta::otp::OtpError;

async fn start(config: BankConfig) -> (DemoStack, reqwest::Client) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let stack = DemoStack::start_with(listener, config).await.unwrap();
    // Redirects are part of what is tested; cookies are carried by hand.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    (stack, client)
}

async fn start_with_faults(faults: &[Fault]) -> (DemoStack, reqwest::Client) {
    start(BankConfig {
        faults: faults.to_vec(),
        ..BankConfig::default()
    })
    .await
}

fn six_digits() -> regex::Regex {
    regex::Regex::new(r"\b(\d{6})\b").unwrap()
}

/// Posts the login form; returns the response and the session cookie it set (`name=value`).
async fn login(
    stack: &DemoStack,
    client: &reqwest::Client,
    password: &str,
) -> (reqwest::Response, Option<String>) {
    let response = client
        .post(format!("{}/login", stack.bank.url))
        .form(&[("username", "mario.rossi"), ("password", password)])
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("vb_session="))
        .map(|v| v.split(';').next().unwrap().to_string());
    (response, cookie)
}

async fn verify(
    stack: &DemoStack,
    client: &reqwest::Client,
    cookie: &str,
    code: &str,
) -> reqwest::Response {
    client
        .post(format!("{}/verify", stack.bank.url))
        .header(COOKIE, cookie)
        .form(&[("otp", code)])
        .send()
        .await
        .unwrap()
}

async fn get(client: &reqwest::Client, url: String, cookie: Option<&str>) -> (StatusCode, String) {
    let mut request = client.get(url);
    if let Some(c) = cookie {
        request = request.header(COOKIE, c);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

fn location(response: &reqwest::Response) -> &str {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

async fn code_from_inbox(
    stack: &DemoStack,
    since: SystemTime,
    wait: Duration,
) -> Result<String, OtpError> {
    stack
        .inbox
        .take_code(DEMO_PHONE, &six_digits(), since, wait)
        .await
}

#[tokio::test]
async fn the_home_page_is_a_self_contained_bank_page() {
    let (stack, client) = start_with_faults(&[]).await;
    let (status, html) = get(&client, format!("{}/", stack.bank.url), None).await;
    assert_eq!(status, 200);
    assert!(html.contains("Vedetta Bank"));
    assert!(html.contains(r#"id="login""#));
    assert!(html.contains(r#"id="cookie-banner""#));
    assert!(
        !html.contains(r#"src="http"#) && !html.contains(r#"href="http"#),
        "no external requests"
    );
    // Once accepted, the banner stays away.
    let (_, html) = get(
        &client,
        format!("{}/", stack.bank.url),
        Some("vb_cookies=ok"),
    )
    .await;
    assert!(!html.contains(r#"id="cookie-banner""#));
    let (status, html) = get(&client, format!("{}/login", stack.bank.url), None).await;
    assert_eq!(status, 200);
    for id in ["username", "password", "submit"] {
        assert!(
            html.contains(&format!(r#"id="{id}""#)),
            "login page lacks #{id}"
        );
    }
    stack.shutdown().await;
}

#[tokio::test]
async fn login_sends_the_code_by_signed_webhook_and_the_code_works_once() {
    let (stack, client) = start_with_faults(&[]).await;
    let since = SystemTime::now();
    let (response, cookie) = login(&stack, &client, DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/verify");
    let cookie = cookie.expect("a session cookie");

    // The inbox only stores what passed its Twilio signature check.
    let messages = stack.inbox.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].to, DEMO_PHONE);
    let code = code_from_inbox(&stack, since, Duration::from_secs(5))
        .await
        .unwrap();

    let (status, html) = get(&client, format!("{}/verify", stack.bank.url), Some(&cookie)).await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"id="otp""#) && html.contains(r#"id="verify""#));

    // Not signed in yet.
    let (status, _) = get(
        &client,
        format!("{}/account", stack.bank.url),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let response = verify(&stack, &client, &cookie, wrong).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.text().await.unwrap().contains("not correct"));

    let response = verify(&stack, &client, &cookie, &code).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account");
    let (status, html) = get(
        &client,
        format!("{}/account", stack.bank.url),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 200);
    // The page loads its balance from the bank's API, as a banking app's does.
    assert!(
        html.contains(r#"id="balance">Loading your balance…<"#)
            && html.contains(r#"fetch("/api/balance?card=4821""#),
        "{html}"
    );
    let (status, body) = get(
        &client,
        format!("{}/api/balance?card=4821", stack.bank.url),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 200);
    let balance: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(balance["balance"], DEMO_BALANCE, "{body}");
    let (status, _) = get(
        &client,
        format!("{}/api/balance?card=4821", stack.bank.url),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "not signed in");

    let response = verify(&stack, &client, &cookie, &code).await;
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "a used code is rejected"
    );
    assert!(response.text().await.unwrap().contains("already been used"));
    stack.shutdown().await;
}

#[tokio::test]
async fn a_wrong_password_sends_no_code() {
    let (stack, client) = start_with_faults(&[]).await;
    let (response, cookie) = login(&stack, &client, "not-the-password").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(cookie.is_none());
    assert!(response.text().await.unwrap().contains(r#"id="error""#));
    assert!(stack.inbox.is_empty());
    stack.shutdown().await;
}

#[tokio::test]
async fn an_expired_code_is_rejected() {
    let (stack, client) = start(BankConfig {
        code_ttl: Duration::ZERO,
        ..BankConfig::default()
    })
    .await;
    let since = SystemTime::now();
    let (_, cookie) = login(&stack, &client, DEMO_PASSWORD).await;
    let code = code_from_inbox(&stack, since, Duration::from_secs(5))
        .await
        .unwrap();
    let response = verify(&stack, &client, &cookie.unwrap(), &code).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.text().await.unwrap().contains("expired"));
    stack.shutdown().await;
}

#[tokio::test]
async fn outage_answers_every_page_with_503_and_the_italian_message() {
    let (stack, client) = start_with_faults(&[Fault::Outage]).await;
    for path in ["/", "/login", "/verify", "/account"] {
        let (status, html) = get(&client, format!("{}{path}", stack.bank.url), None).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(html.contains(OUTAGE_MESSAGE), "{path}: {html}");
        assert!(
            html.contains(r#"id="retry""#) && html.contains(">Retry<"),
            "{path}"
        );
    }
    assert_eq!(
        OUTAGE_MESSAGE,
        "Stiamo riscontrando delle difficoltà temporanee. Riprova più tardi."
    );
    let (response, _) = login(&stack, &client, DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(stack.inbox.is_empty(), "no code is sent during an outage");
    stack.shutdown().await;
}

#[tokio::test]
async fn login_error_fails_the_login_with_a_message() {
    let (stack, client) = start_with_faults(&[Fault::LoginError]).await;
    let (response, cookie) = login(&stack, &client, DEMO_PASSWORD).await;
    assert_eq!(
        response.status(),
        200,
        "the page renders, the login does not happen"
    );
    assert!(cookie.is_none());
    let html = response.text().await.unwrap();
    assert!(
        html.contains(r#"id="error""#) && html.contains("could not log you in"),
        "{html}"
    );
    assert!(stack.inbox.is_empty());
    stack.shutdown().await;
}

#[tokio::test]
async fn no_balance_renders_the_account_page_without_the_balance() {
    let (stack, client) = start_with_faults(&[Fault::NoBalance]).await;
    let since = SystemTime::now();
    let (_, cookie) = login(&stack, &client, DEMO_PASSWORD).await;
    let cookie = cookie.unwrap();
    let code = code_from_inbox(&stack, since, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(
        verify(&stack, &client, &cookie, &code).await.status(),
        StatusCode::SEE_OTHER
    );
    let (status, html) = get(
        &client,
        format!("{}/account", stack.bank.url),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("Welcome back"));
    // The balance's place is there, stuck on its loading text: no amount.
    assert!(
        html.contains(r#"id="balance">Loading your balance…<"#),
        "{html}"
    );
    assert!(!html.contains(DEMO_BALANCE), "{html}");
    assert!(
        !html.contains("/api/balance"),
        "the page never asks: no request fails"
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn balance_api_makes_the_balance_service_answer_503_with_its_error() {
    let (stack, client) = start_with_faults(&[Fault::BalanceApi]).await;
    let since = SystemTime::now();
    let (_, cookie) = login(&stack, &client, DEMO_PASSWORD).await;
    let cookie = cookie.unwrap();
    let code = code_from_inbox(&stack, since, Duration::from_secs(5))
        .await
        .unwrap();
    verify(&stack, &client, &cookie, &code).await;
    // The page itself renders and asks for its balance…
    let (status, html) = get(
        &client,
        format!("{}/account", stack.bank.url),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"fetch("/api/balance?card=4821""#), "{html}");
    // …which the balance service does not give.
    let (status, body) = get(
        &client,
        format!("{}/api/balance?card=4821", stack.bank.url),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        serde_json::json!({"error": "balance service unavailable"})
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn sms_drop_sends_no_code() {
    let (stack, client) = start_with_faults(&[Fault::SmsDrop]).await;
    let since = SystemTime::now();
    let (response, _) = login(&stack, &client, DEMO_PASSWORD).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the login itself works"
    );
    let err = code_from_inbox(&stack, since, Duration::from_millis(1500))
        .await
        .unwrap_err();
    assert!(matches!(err, OtpError::NotReceived(_)), "{err:?}");
    assert!(stack.inbox.is_empty());
    stack.shutdown().await;
}

#[tokio::test]
async fn sms_delay_sends_the_code_late() {
    let delay = Duration::from_millis(1500);
    let (stack, client) = start(BankConfig {
        faults: vec![Fault::SmsDelay],
        sms_delay: delay,
        ..BankConfig::default()
    })
    .await;
    let since = SystemTime::now();
    let (response, _) = login(&stack, &client, DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let code = code_from_inbox(&stack, since, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(code.len(), 6);
    let arrived = stack.inbox.messages()[0].received_at;
    assert!(
        arrived.duration_since(since).unwrap() >= delay,
        "the code came no earlier than the delay"
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn slow_answers_late() {
    let delay = Duration::from_millis(700);
    let (stack, client) = start(BankConfig {
        faults: vec![Fault::Slow],
        slow_delay: delay,
        ..BankConfig::default()
    })
    .await;
    let started = std::time::Instant::now();
    let (status, _) = get(&client, format!("{}/", stack.bank.url), None).await;
    assert_eq!(status, 200);
    assert!(started.elapsed() >= delay);
    stack.shutdown().await;
}

#[tokio::test]
async fn the_admin_endpoint_needs_its_token_and_switches_faults() {
    let (stack, client) = start_with_faults(&[Fault::Slow]).await;
    let faults_url = format!("{}/admin/faults", stack.bank.url);
    assert_eq!(client.get(&faults_url).send().await.unwrap().status(), 401);
    let wrong = client
        .post(&faults_url)
        .bearer_auth("wrong")
        .json(&serde_json::json!({"fault": "outage", "on": true}));
    assert_eq!(wrong.send().await.unwrap().status(), 401);
    assert!(
        !stack.bank.faults.is_on(Fault::Outage),
        "a refused switch changes nothing"
    );

    let admin = stack.bank.admin_token.clone();
    let body: serde_json::Value = client
        .get(&faults_url)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["faults"], serde_json::json!(["slow"]));
    assert_eq!(
        body["available"].as_array().unwrap().len(),
        Fault::ALL.len()
    );

    let on = client
        .post(&faults_url)
        .bearer_auth(&admin)
        .json(&serde_json::json!({"fault": "outage", "on": true}));
    assert_eq!(on.send().await.unwrap().status(), 200);
    let (status, _) = get(&client, format!("{}/", stack.bank.url), None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);

    let all = client
        .post(&faults_url)
        .bearer_auth(&admin)
        .json(&serde_json::json!({"faults": ["no-balance"]}));
    let body: serde_json::Value = all.send().await.unwrap().json().await.unwrap();
    assert_eq!(body["faults"], serde_json::json!(["no-balance"]));
    let (status, _) = get(&client, format!("{}/", stack.bank.url), None).await;
    assert_eq!(status, 200);

    let unknown = client
        .post(&faults_url)
        .bearer_auth(&admin)
        .json(&serde_json::json!({"fault": "power-cut", "on": true}));
    let response = unknown.send().await.unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("valid faults: outage, login-error"),
        "{body}"
    );
    stack.shutdown().await;
}

#[test]
fn an_unknown_fault_is_invalid_input_and_lists_the_valid_ones() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args([
            "demo",
            "--fault",
            "sms-drop",
            "--fault",
            "power-cut",
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unknown fault `power-cut`; valid faults: outage, login-error, sms-drop, sms-delay, slow, no-balance, balance-api"),
        "{stderr}"
    );
}
