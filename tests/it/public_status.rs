//! The public status page, for real: `vedetta monitor` watches the demo bank in headless
//! Chromium with the `sms-drop` fault on; the public page (rendered in headless Chromium) says
//! sign-in works, SMS verification is out and card balance is unknown — and nothing internal;
//! an incident opens with the automatic notice; an operator posts an update with
//! `vedetta incident update`; the fault off, the incident is resolved and the history strip
//! keeps the outage. The Atom feed parses; the incident API refuses a missing or wrong token.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use serde_json::Value;

use crate::common;
use crate::monitor_support::{
    Daemon, Webhook, demo_bank, demo_config, render_page_at, switch_fault, wait_for,
};

const TOKEN: &str = "public-test-token-0123456789abcdef";
/// A few rounds of the journey on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(240);
const AUTO_NOTICE: &str =
    "We are aware that some customers cannot complete SMS verification. We are investigating.";

/// The page as a person reads it: tags out, whitespace folded.
fn text_of(dom: &str) -> String {
    let without_head = match (dom.find("<body"), dom.rfind("</body>")) {
        (Some(a), Some(b)) => &dom[a..b],
        _ => dom,
    };
    let mut out = String::new();
    let mut in_tag = false;
    for c in without_head.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn summary(public: &str) -> Value {
    match reqwest::get(format!("{public}/summary.json")).await {
        Ok(r) if r.status().is_success() => r.json().await.unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

fn component<'a>(summary: &'a Value, name: &str) -> &'a Value {
    summary["components"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["name"] == name))
        .unwrap_or(&Value::Null)
}

fn vedetta_incident(args: &[&str], monitor: &str, token: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .arg("incident")
        .args(args)
        .args(["--monitor", monitor, "--token", token])
        .env_remove("VEDETTA_API_TOKEN")
        .output()
        .expect("the vedetta binary")
}

async fn incidents(monitor: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{monitor}/api/incidents"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_page_tells_customers_which_part_fails_and_what_is_being_done() {
    let dir = tempfile::tempdir().unwrap();
    let _slot = common::browser_slot().await;
    let stack = demo_bank(&["sms-drop"]).await;
    let webhook = Webhook::start().await;
    let config = demo_config(
        dir.path(),
        &stack,
        &webhook,
        &format!(
            "api_token: {TOKEN}\npublic:\n  listen: 127.0.0.1:0\n  title: Vedetta Bank status\n"
        ),
    );
    // The code never comes with sms-drop: wait 6 s for it, not the shipped 20 s.
    let journey = dir.path().join("journeys/demo-card-balance.yaml");
    let text = std::fs::read_to_string(&journey).unwrap();
    assert!(text.contains("      timeout: 20s"));
    std::fs::write(
        &journey,
        text.replace("      timeout: 20s", "      timeout: 6s"),
    )
    .unwrap();
    let daemon = Daemon::start(&config, &stack);
    let monitor = daemon.url.clone();
    let public = wait_for("the public page's address", Duration::from_secs(30), || {
        let found = daemon.stdout.lock().unwrap().iter().find_map(|l| {
            l.split("public status page ")
                .nth(1)
                .map(|u| u.trim().trim_end_matches('/').to_string())
        });
        async move { found }
    })
    .await;

    // Down: the components say which part fails, and an incident opens by itself.
    let now = wait_for("SMS verification in outage", PATIENCE, || {
        let public = public.clone();
        async move {
            let s = summary(&public).await;
            (component(&s, "SMS verification")["state"] == "outage"
                && s["incidents"].as_array().is_some_and(|i| !i.is_empty()))
            .then_some(s)
        }
    })
    .await;
    assert_eq!(
        component(&now, "Sign in")["state"],
        "operational",
        "{now:#}"
    );
    assert_eq!(
        component(&now, "Card balance")["state"],
        "unknown",
        "{now:#}"
    );
    let incident = &now["incidents"][0];
    let id = incident["id"].as_i64().unwrap();
    assert_eq!(incident["notices"][0]["text"], AUTO_NOTICE);
    assert_eq!(incident["state"], "investigating");

    // Refused without the token, or with a wrong one: nothing changes.
    let client = reqwest::Client::new();
    let update_url = format!("{monitor}/api/incidents/{id}/notices");
    let body = serde_json::json!({"text": "sneaky", "state": "resolved"});
    let none = client.post(&update_url).json(&body).send().await.unwrap();
    assert_eq!(none.status(), 401);
    let wrong = client
        .post(&update_url)
        .bearer_auth("not-the-token-0123456789")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let open_unauth = client
        .post(format!("{monitor}/api/incidents"))
        .json(&serde_json::json!({"components": ["Sign in"], "text": "fake"}))
        .send()
        .await
        .unwrap();
    assert_eq!(open_unauth.status(), 401);
    assert_eq!(
        client
            .get(format!("{monitor}/api/incidents"))
            .send()
            .await
            .unwrap()
            .status(),
        401,
        "drafts are not listed to anyone"
    );
    let cli_wrong = vedetta_incident(
        &["update", &id.to_string(), "--message", "sneaky"],
        &monitor,
        "not-the-token-0123456789",
    );
    assert!(!cli_wrong.status.success());
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&cli_wrong.stdout),
        String::from_utf8_lossy(&cli_wrong.stderr)
    );
    assert!(said.contains("refused"), "{said}");
    assert!(
        !said.contains("not-the-token"),
        "the token is never printed: {said}"
    );
    let list = incidents(&monitor).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list:#}");
    assert_eq!(list[0]["notices"].as_array().unwrap().len(), 1, "{list:#}");
    assert_eq!(list[0]["state"], "investigating");

    // An operator's update, with the binary; HTML in it stays text.
    // Angle brackets an operator may type: text on the page, never markup.
    let update = "We found the cause: our SMS provider's gateway <SMS-GW-2> drops messages. A fix is on its way.";
    let cli = vedetta_incident(
        &[
            "update",
            &id.to_string(),
            "--message",
            update,
            "--state",
            "identified",
        ],
        &monitor,
        TOKEN,
    );
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    assert!(!String::from_utf8_lossy(&cli.stdout).contains(TOKEN));

    // The page in a real browser, as text: components, states, the notices — nothing else.
    let png = dir.path().join("public.png");
    let dom = render_page_at(&format!("{public}/"), &png, "412,900");
    let page = text_of(&dom);
    assert!(page.contains("Sign in Operational"), "{page}");
    assert!(page.contains("SMS verification Outage"), "{page}");
    assert!(page.contains("Card balance Unknown"), "{page}");
    assert!(page.contains("Current incidents"), "{page}");
    assert!(page.contains(AUTO_NOTICE), "{page}");
    assert!(page.contains(update), "the update, as text: {page}");
    assert!(
        !dom.to_lowercase().contains("<sms-gw-2>"),
        "HTML in a notice is escaped, never an element"
    );
    assert!(dom.contains("&lt;SMS-GW-2&gt;"), "{dom}");
    if let Ok(keep) = std::env::var("VEDETTA_PUBLIC_SCREENSHOT") {
        std::fs::copy(&png, Path::new(&keep)).unwrap();
    }
    // Nothing internal: no site URL, no screenshot, no error text, no step name.
    let journeys: Value = reqwest::get(format!("{monitor}/api/journeys"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let failure = journeys.to_string();
    assert!(failure.contains("wait for the SMS code"), "{failure}");
    let bank_host = stack.bank.url.trim_start_matches("http://");
    for internal in [
        stack.bank.url.as_str(),
        bank_host,
        "http://",
        "https://",
        ".png",
        "screenshot",
        "wait for the SMS code",
        "otp_not_received",
        "no SMS",
        "demo-card-balance",
        "card-balance.yaml",
    ] {
        assert!(
            !dom.contains(internal),
            "the page shows {internal:?}: {dom}"
        );
    }
    let last_message = journeys[0]["last_run"]["failure"]["message"]
        .as_str()
        .unwrap_or("")
        .to_string();
    if !last_message.is_empty() {
        assert!(!dom.contains(&last_message), "the error text shows");
    }
    // The public listener serves nothing internal.
    for path in [
        "/metrics",
        "/api/journeys",
        "/api/incidents",
        "/healthz",
        "/runs/1/screenshot",
        "/api/runs/1",
    ] {
        let status = reqwest::get(format!("{public}{path}"))
            .await
            .unwrap()
            .status();
        assert_eq!(status, 404, "{path} on the public listener");
    }

    // The Atom feed parses and lists the incident.
    let xml = reqwest::get(format!("{public}/feed.atom"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let feed = atom_syndication::Feed::from_str(&xml).expect("a well-formed Atom feed");
    assert_eq!(feed.entries().len(), 1);
    let entry = &feed.entries()[0];
    assert!(entry.title().as_str().contains("SMS verification"));
    let content = entry.content().and_then(|c| c.value()).unwrap_or_default();
    assert!(content.contains(AUTO_NOTICE), "{content}");
    assert!(content.contains(update), "{content}");

    // The fault off: SMS verification works again, the incident resolves by itself, and the
    // history strip keeps today's outage.
    switch_fault(&stack, "sms-drop", false).await;
    let after = wait_for("the incident resolved", PATIENCE, || {
        let public = public.clone();
        async move {
            let s = summary(&public).await;
            (s["incidents"][0]["state"] == "resolved").then_some(s)
        }
    })
    .await;
    assert_eq!(
        component(&after, "SMS verification")["state"],
        "operational"
    );
    assert_eq!(component(&after, "Card balance")["state"], "operational");
    let notices = after["incidents"][0]["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 3, "{notices:#?}");
    assert_eq!(notices[2]["state"], "resolved");
    let today = component(&after, "SMS verification")["days"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert!(today["failed"].as_u64().unwrap() >= 2, "{today}");
    assert!(today["runs"].as_u64().unwrap() > today["failed"].as_u64().unwrap());
    let page = text_of(&render_page_at(
        &format!("{public}/"),
        &dir.path().join("after.png"),
        "412,900",
    ));
    assert!(page.contains("Past incidents"), "{page}");
    assert!(page.contains("Resolved"), "{page}");
    assert!(
        page.contains("uptime, outage"),
        "the strip records the outage: {page}"
    );
    assert!(!page.contains("Current incidents"), "{page}");

    let status = daemon.terminate(Duration::from_secs(60));
    assert!(status.success(), "{status}");
}
