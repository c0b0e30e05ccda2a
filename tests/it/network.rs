//! Why it failed, from the network: real Chromium (and Firefox) against a bank-like site served
//! here on loopback, whose account page loads the balance from its API with `fetch`. The API's 503 or
//! refused connection makes the failed step an `outage` that names the request; another
//! site's failure and a missing favicon change nothing; every attempt's requests are in the
//! evidence folder's `network.har`, which passes the HAR JSON Schema, is sealed by the
//! manifest, and holds no password and no session cookie.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use common::{browser_slot, closed_port, journey, run_one};
use vedetta::browser::BrowserKind;
use vedetta::runner::result::{FailureCategory, JourneyResult, StepResult, StepStatus};

const PASSWORD: &str = "Pa55-w0rd&secret";
const API_ERROR: &str = "balance service unavailable";

/// A site on 127.0.0.1:0, stopped when dropped.
struct Served {
    base: String,
    port: u16,
    stop: CancellationToken,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn serve_app(app: Router) -> Served {
    let (addr, stop) = crate::monitor_support::serve_app(app).await;
    Served {
        base: format!("http://{addr}"),
        port: addr.port(),
        stop,
    }
}

#[derive(Clone)]
struct Bank {
    /// The session cookie the login hands out.
    session: String,
}

#[derive(serde::Deserialize)]
struct PageQuery {
    /// Where the page fetches its balance (default: its own failing API).
    api: Option<String>,
    /// A third-party image (an analytics beacon).
    beacon: Option<String>,
}

/// The account page: the balance comes from `api` by `fetch`; until then, "Loading…". No icon
/// link: the browser asks for /favicon.ico, which is not there.
async fn account(Query(q): Query<PageQuery>) -> Html<String> {
    let api = q.api.unwrap_or_else(|| "/api/balance?card=4821".into());
    let beacon = q
        .beacon
        .map(|b| format!(r#"<img id="beacon" alt="" src="{b}">"#))
        .unwrap_or_default();
    Html(format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Your card</title></head>
<body><h1>Your card</h1><div id="balance">Loading…</div>{beacon}
<script>
fetch({api:?}, {{credentials: "include"}})
  .then(r => r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status)))
  .then(j => {{ document.getElementById("balance").textContent = j.balance; }})
  .catch(e => console.error("could not load the balance", String(e)));
</script></body></html>"#
    ))
}

fn site(session: &str) -> Router {
    Router::new()
        .route("/account", get(account))
        .route(
            "/api/balance",
            get(|| async {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    axum::Json(serde_json::json!({ "error": API_ERROR })),
                )
            }),
        )
        .route(
            "/api/ok",
            get(|| async { axum::Json(serde_json::json!({ "balance": "€ 1.234,56" })) }),
        )
        .route("/login", get(login_page).post(login))
        .with_state(Bank {
            session: session.to_string(),
        })
}

async fn login_page() -> Html<&'static str> {
    Html(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Log in</title></head><body>
<form method="post" action="/login"><input id="username" name="username">
<input id="password" name="password" type="password"><button id="submit">Log in</button></form>
</body></html>"#,
    )
}

/// The right password gets the session cookie and the account page (whose API fails).
async fn login(State(bank): State<Bank>, headers: HeaderMap, body: String) -> Response {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let ok = form.iter().any(|(k, v)| k == "password" && v == PASSWORD);
    assert!(
        headers.get(header::COOKIE).is_none(),
        "no cookie before login"
    );
    if !ok {
        return (StatusCode::UNAUTHORIZED, "wrong password").into_response();
    }
    let mut r = Redirect::to("/account").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        format!("session={}; Path=/; HttpOnly", bank.session)
            .parse()
            .unwrap(),
    );
    r
}

/// Another site: an analytics collector that is down.
async fn third_party() -> Served {
    serve_app(Router::new().route(
        "/collect",
        get(|| async { (StatusCode::SERVICE_UNAVAILABLE, "collector down") }),
    ))
    .await
}

fn failed_step(j: &JourneyResult) -> &StepResult {
    j.steps
        .iter()
        .find(|s| s.status == StepStatus::Failed)
        .unwrap_or_else(|| panic!("no step failed: {j:#?}"))
}

/// `open` the account page (with `query`), then expect the balance within 2 s.
fn balance_journey(
    name: &str,
    base: &str,
    query: &str,
    expect: &str,
) -> vedetta::journey::model::Journey {
    let yaml = format!(
        "name: {name}\nbase_url: ${{BASE}}\ntimeout: 2s\nsteps:\n  \
         - open: /account{query}\n  \
         - name: the balance shows\n    assert_text: {{ '#balance': '{expect}' }}\n"
    );
    journey(name, &yaml, &[("BASE", base)])
}

/// The HAR JSON Schema of npm's `har-schema` (`VEDETTA_HAR_SCHEMA_DIR`, else where
/// `scripts/test.sh` installs it), its files' `$ref`s turned into one document's definitions.
/// A missing schema fails the test, saying how to get it.
fn har_schema() -> Value {
    let dir = std::env::var_os("VEDETTA_HAR_SCHEMA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/har-schema/node_modules/har-schema/lib")
        });
    assert!(
        dir.join("har.json").is_file(),
        "no HAR schema at {}: run scripts/test.sh (it installs npm's har-schema), or set VEDETTA_HAR_SCHEMA_DIR",
        dir.display()
    );
    fn local_refs(v: &mut Value) {
        match v {
            Value::Object(o) => {
                o.remove("$id");
                o.remove("$schema");
                if let Some(Value::String(r)) = o.get_mut("$ref") {
                    let name = r
                        .trim_end_matches('#')
                        .trim_end_matches(".json")
                        .to_string();
                    *r = format!("#/definitions/{name}");
                }
                o.values_mut().for_each(local_refs);
            }
            Value::Array(a) => a.iter_mut().for_each(local_refs),
            _ => {}
        }
    }
    let mut definitions = serde_json::Map::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let mut schema: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            local_refs(&mut schema);
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            definitions.insert(name, schema);
        }
    }
    assert!(
        definitions.len() >= 18,
        "har-schema's files: {definitions:?}"
    );
    let mut root = definitions["har"].clone();
    root["definitions"] = Value::Object(definitions);
    root
}

fn assert_valid_har(har: &Value) {
    let schema = har_schema();
    let validator = jsonschema::draft6::new(&schema).expect("the HAR schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(har)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "the HAR is not valid: {errors:#?}");
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_from_the_page_s_own_api_is_an_outage_that_names_the_request() {
    a_503_is_an_outage_that_names_the_request(BrowserKind::Chromium).await;
}

/// The same in Firefox, whose network comes over WebDriver BiDi rather than chromedriver's log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_firefox_a_503_from_the_page_s_own_api_is_an_outage_that_names_the_request() {
    a_503_is_an_outage_that_names_the_request(BrowserKind::Firefox).await;
}

async fn a_503_is_an_outage_that_names_the_request(kind: BrowserKind) {
    let bank = serve_app(site("s")).await;
    let out = tempfile::tempdir().unwrap();
    let mut opts = common::options(out.path());
    opts.browser.kind = kind;
    // Named by browser: the leftover check after the run looks for this name's processes.
    let name = match kind {
        BrowserKind::Chromium => "api-503",
        BrowserKind::Firefox => "api-503-firefox",
    };
    let ran = common::run_with(
        vec![balance_journey(name, &bank.base, "", "/€/")],
        opts,
        CancellationToken::new(),
    )
    .await;
    let j = ran.journey();

    // The page loaded and said when: a document's timing on the step that opened it.
    let open = &j.steps[0];
    assert_eq!(open.status, StepStatus::Passed, "{j:#?}");
    let timing = open.timing.expect("the open step's timing");
    assert!(
        timing.ttfb_ms.is_some() && timing.load_ms.is_some(),
        "{timing:?}"
    );
    assert!(
        j.steps[1].timing.is_none(),
        "the assertion loaded no document"
    );

    let step = failed_step(j);
    assert_eq!(step.name, "the balance shows");
    let f = step.failure.as_ref().unwrap();
    assert_eq!(f.category, FailureCategory::Outage, "{f:#?}");
    assert!(
        f.message
            .starts_with(r#"expected #balance to match /€/, its text is "Loading…""#),
        "{}",
        f.message
    );
    assert!(
        f.message.ends_with(&format!(
            r#"; GET /api/balance?card=4821 answered 503 ("{API_ERROR}")"#
        )),
        "{}",
        f.message
    );
    let api = &f.requests[0];
    assert_eq!(api.method, "GET");
    assert_eq!(api.url, format!("{}/api/balance?card=4821", bank.base));
    assert_eq!(api.status, Some(503));
    assert_eq!(api.error_text.as_deref(), Some(API_ERROR));
    assert_eq!(api.resource_type, "fetch");
    assert!(api.site_under_test);
    // The JSON report carries them as the README says.
    let json = serde_json::to_value(&ran.report).unwrap();
    let listed = &json["journeys"][0]["steps"][1]["failure"]["requests"][0];
    assert_eq!(listed["status"], 503);
    assert_eq!(listed["error_text"], API_ERROR);
    assert!(json["journeys"][0]["steps"][0]["timing"]["ttfb_ms"].is_u64());

    // The evidence folder has the attempt's requests, as a valid HAR sealed by the manifest.
    let folder = PathBuf::from(f.evidence.as_deref().unwrap());
    let har = read_json(&folder.join("network.har"));
    assert_valid_har(&har);
    let entries = har["log"]["entries"].as_array().unwrap();
    let call = entries
        .iter()
        .find(|e| e["request"]["url"] == api.url.as_str())
        .expect("the API call is in the HAR");
    assert_eq!(call["response"]["status"], 503);
    assert_eq!(call["_resourceType"], "fetch");
    assert!(
        call["response"]["content"]["text"]
            .as_str()
            .unwrap()
            .contains(API_ERROR),
        "the start of the failed answer is kept"
    );
    assert_eq!(entries[0]["_resourceType"], "document", "in the order sent");
    let verified = vedetta::evidence::manifest::verify(&folder).unwrap();
    assert!(verified.is_intact(), "{verified:?}");
    let manifest = read_json(&folder.join("manifest.json"));
    assert!(
        manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "network.har"),
        "{manifest}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_to_the_site_s_api_is_an_outage_with_the_error() {
    let bank = serve_app(site("s")).await;
    // The API on a subdomain of the page's host (Chromium resolves *.localhost to loopback),
    // on a port nothing listens on: the site under test, refusing.
    let base = format!("http://localhost:{}", bank.port);
    let api = format!("http://api.localhost:{}/v1/balance", closed_port());
    let out = tempfile::tempdir().unwrap();
    let ran = run_one(
        balance_journey("api-refused", &base, &format!("?api={api}"), "/€/"),
        out.path(),
    )
    .await;
    let f = failed_step(ran.journey()).failure.clone().unwrap();
    assert_eq!(f.category, FailureCategory::Outage, "{f:#?}");
    let r = &f.requests[0];
    assert_eq!(r.url, api);
    assert_eq!(r.error.as_deref(), Some("net::ERR_CONNECTION_REFUSED"));
    assert_eq!(r.status, None);
    assert!(r.site_under_test);
    assert!(
        f.message.ends_with(
            "; GET /v1/balance got no answer: connection refused (net::ERR_CONNECTION_REFUSED)"
        ),
        "{}",
        f.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_site_s_failure_and_a_missing_favicon_never_change_the_category() {
    let bank = serve_app(site("s")).await;
    let collector = third_party().await;
    let beacon = format!("{}/collect", collector.base);
    let out = tempfile::tempdir().unwrap();
    // The full browser: the headless shell asks for no favicon.
    let ran = common::run_one_in_full_chromium(
        balance_journey(
            "third-party",
            &bank.base,
            &format!("?api=/api/ok&beacon={beacon}"),
            "/^€ 0,00$/",
        ),
        out.path(),
    )
    .await;
    let f = failed_step(ran.journey()).failure.clone().unwrap();
    // The balance came (its API answered): the page shows another amount, an assertion.
    assert_eq!(f.category, FailureCategory::Assertion, "{f:#?}");
    assert!(f.message.contains("€ 1.234,56"), "{}", f.message);
    // The analytics collector on another port of the same host is another site: listed only.
    assert_eq!(f.requests.len(), 1, "{:#?}", f.requests);
    let listed = &f.requests[0];
    assert_eq!(
        (listed.url.as_str(), listed.status),
        (beacon.as_str(), Some(503))
    );
    assert!(!listed.site_under_test);
    assert!(
        f.message
            .ends_with(&format!("; GET {beacon} answered 503 (\"collector down\")")),
        "{}",
        f.message
    );
    // The favicon was asked for and not found: in the HAR, never a cause.
    let har = read_json(&PathBuf::from(f.evidence.unwrap()).join("network.har"));
    let favicon = har["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["request"]["url"]
                .as_str()
                .unwrap()
                .ends_with("/favicon.ico")
        })
        .expect("the browser asked for the favicon");
    assert_eq!(favicon["response"]["status"], 404);
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Through the binary: the password typed into a login form is POSTed, and the session cookie
/// comes back and goes out on every later request; neither is anywhere in what vedetta wrote.
/// The evidence folder with its HAR verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_s_password_and_session_cookie_appear_nowhere_and_the_evidence_verifies() {
    a_login_s_secrets_appear_nowhere("chromium").await;
}

/// The same through Firefox, whose requests come over WebDriver BiDi with their own headers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_firefox_a_login_s_password_and_session_cookie_appear_nowhere() {
    a_login_s_secrets_appear_nowhere("firefox").await;
}

async fn a_login_s_secrets_appear_nowhere(browser: &str) {
    let session = format!("sess-{:016x}", rand::random::<u64>());
    let bank = serve_app(site(&session)).await;
    let _slot = browser_slot().await;
    let dir = tempfile::tempdir().unwrap();
    let journey = dir.path().join("login.yaml");
    std::fs::write(
        &journey,
        "name: login-then-balance\n\
         base_url: ${BASE}\n\
         timeout: 2s\n\
         secrets: [PASSWORD]\n\
         steps:\n  \
           - open: /login\n  \
           - fill: { '#username': mario, '#password': '${PASSWORD}' }\n  \
           - click: '#submit'\n  \
           - name: the balance shows\n    \
             assert_text: { '#balance': '/€/' }\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let reports = dir.path().join("reports");
    let run = Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args(["run", "--browser", browser])
        .arg(&journey)
        .args(["--var", &format!("BASE={}", bank.base)])
        .env("PASSWORD", PASSWORD)
        .arg("--out")
        .arg(&out)
        .arg("--report-json")
        .arg(reports.join("report.json"))
        .arg("--junit")
        .arg(reports.join("junit.xml"))
        .arg("--html")
        .arg(reports.join("report.html"))
        .args(["--verbose", "--log-format", "json"])
        .output()
        .expect("run vedetta");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stdout}\n{stderr}");
    // The cause is in the console line too.
    assert!(
        stdout.contains(&format!(
            r#"GET /api/balance?card=4821 answered 503 ("{API_ERROR}")"#
        )),
        "{stdout}"
    );
    assert!(stdout.contains("outage"), "{stdout}");

    let mut files = Vec::new();
    files_under(&out, &mut files);
    files_under(&reports, &mut files);
    let har_path = files
        .iter()
        .find(|f| f.ends_with("network.har"))
        .unwrap_or_else(|| panic!("no network.har among {files:#?}"))
        .clone();
    let encoded = url::form_urlencoded::byte_serialize(PASSWORD.as_bytes()).collect::<String>();
    for (what, text) in [("stdout", stdout.as_bytes()), ("stderr", stderr.as_bytes())] {
        for leak in [PASSWORD, encoded.as_str(), session.as_str()] {
            assert!(!contains(text, leak), "{what} holds {leak}");
        }
    }
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for leak in [PASSWORD, encoded.as_str(), session.as_str()] {
            assert!(!contains(&bytes, leak), "{} holds {leak}", file.display());
        }
    }
    // The HAR has the login POST, without its body, and the cookie's header, without its value.
    let har = read_json(&har_path);
    assert_valid_har(&har);
    let entries = har["log"]["entries"].as_array().unwrap();
    let post = entries
        .iter()
        .find(|e| e["request"]["method"] == "POST")
        .expect("the login POST");
    assert!(post["request"].get("postData").is_none(), "{post}");
    let set_cookie = post["response"]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| {
            h["name"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case("set-cookie")
        })
        .unwrap_or_else(|| panic!("the Set-Cookie header is not listed: {post:#}"));
    assert_eq!(set_cookie["value"], "••••••");
    let api = entries
        .iter()
        .find(|e| {
            e["request"]["url"]
                .as_str()
                .unwrap()
                .contains("/api/balance")
        })
        .expect("the API call");
    let cookie = api["request"]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"].as_str().unwrap().eq_ignore_ascii_case("cookie"))
        .unwrap_or_else(|| panic!("the Cookie header is not listed: {api:#}"));
    assert_eq!(cookie["value"], "••••••");

    // `evidence verify` passes with the HAR in the folder.
    let folder = har_path.parent().unwrap();
    let verify = Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args(["evidence", "verify"])
        .arg(folder)
        .output()
        .unwrap();
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    // The reports name the cause as well.
    let junit = std::fs::read_to_string(reports.join("junit.xml")).unwrap();
    assert!(
        junit.contains("GET /api/balance?card=4821 answered 503"),
        "{junit}"
    );
    let html = std::fs::read_to_string(reports.join("report.html")).unwrap();
    assert!(
        html.contains("Requests that failed around the step")
            && html.contains("/api/balance?card=4821"),
        "the HTML report names the request"
    );
    // …and draws the step's requests, the failed one marked.
    assert!(
        html.contains(r#"<div class="wf failed"><span class="wf-label" title=""#),
        "the waterfall"
    );
}

/// The monitor walks the demo journey against the bank with `balance-api` on: its down alert
/// names the failed request (in the message, as every channel carries it), and `/metrics` has
/// the time to first byte of the page the journey opened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monitor_s_alert_names_the_failed_request_and_metrics_carry_the_ttfb() {
    use crate::monitor_support::{Daemon, Webhook, demo_bank, demo_journey, get_text, wait_for};
    let _slot = browser_slot().await;
    let stack = demo_bank(&["balance-api"]).await;
    let webhook = Webhook::start().await;
    let dir = tempfile::tempdir().unwrap();
    // The demo journey, its steps given 3 s instead of 10 s: the balance fails sooner.
    let journeys = dir.path().join("journeys");
    std::fs::create_dir_all(&journeys).unwrap();
    let yaml = std::fs::read_to_string(demo_journey())
        .unwrap()
        .replace("timeout: 10s", "timeout: 3s");
    std::fs::write(journeys.join("demo-card-balance.yaml"), yaml).unwrap();
    let config = dir.path().join("monitor.yaml");
    std::fs::write(
        &config,
        format!(
            "listen: 127.0.0.1:0\ndata_dir: data\nconcurrency: 1\n\
             alerts: {{ down_after: 1, recover_after: 1 }}\n\
             channels:\n  - webhook: {}\n\
             inbox: {{ url: \"{}\", token: \"${{INBOX_TOKEN}}\" }}\n\
             journeys:\n  - path: journeys/*.yaml\n    every: 2s\n",
            webhook.url,
            stack.inbox_server.url()
        ),
    )
    .unwrap();
    let daemon = Daemon::start(&config, &stack);
    let patience = std::time::Duration::from_secs(120);
    let down = wait_for("the down alert", patience, || async {
        webhook.events("down").into_iter().next()
    })
    .await;
    assert_eq!(down["category"], "outage", "{down:#}");
    let cause = format!(r#"GET /api/balance?card=4821 answered 503 ("{API_ERROR}")"#);
    assert!(
        down["message"].as_str().unwrap().ends_with(&cause),
        "{down:#}"
    );
    let metrics = get_text(&format!("{}/metrics", daemon.url)).await;
    let ttfb = metrics
        .lines()
        .find(|l| {
            l.starts_with(
                "vedetta_journey_step_ttfb_seconds{journey=\"demo-card-balance\",location=\"local\",step_index=\"1\",step=\"open the home page\"} ",
            )
        })
        .unwrap_or_else(|| panic!("no TTFB of the home page in /metrics:\n{metrics}"));
    let secs: f64 = ttfb.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(secs > 0.0, "{ttfb}");
    daemon.terminate(std::time::Duration::from_secs(30));
    stack.shutdown().await;
}

/// A click whose page navigates from script a moment later (as the demo bank's verify button
/// does): the click's own look still sees the old document, so the new one is timed on the
/// step that waited for it to come.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_the_site_navigates_to_from_script_is_timed_on_the_step_that_saw_it() {
    let site = serve_app(
        Router::new()
            .route(
                "/",
                get(|| async {
                    Html(
                        r#"<!doctype html><title>Verify</title><button id="go"
onclick="setTimeout(function () { location.href = '/next'; }, 300)">Verify</button>"#,
                    )
                }),
            )
            .route(
                "/next",
                get(|| async {
                    Html(r#"<!doctype html><title>Account</title><h1 id="account">Your card</h1>"#)
                }),
            ),
    )
    .await;
    let out = tempfile::tempdir().unwrap();
    let yaml = "name: later-page\nbase_url: ${BASE}\ntimeout: 10s\nsteps:\n  - open: /\n  - click: '#go'\n  - wait_for: '#account'\n  - assert_title: Account\n";
    let _slot = browser_slot().await;
    let ran = run_one(
        journey("later-page", yaml, &[("BASE", &site.base)]),
        out.path(),
    )
    .await;
    let j = ran.journey();
    assert!(
        j.steps.iter().all(|s| s.status == StepStatus::Passed),
        "{j:#?}"
    );
    assert!(
        j.steps[0].timing.is_some(),
        "the open step's document: {j:#?}"
    );
    assert!(
        j.steps[1].timing.is_none(),
        "the click's look saw the old document: {j:#?}"
    );
    let arrived = j.steps[2]
        .timing
        .expect("the waiting step's document timed");
    assert!(
        arrived.ttfb_ms.is_some() && arrived.dom_content_loaded_ms.is_some(),
        "{arrived:?}"
    );
    assert!(j.steps[3].timing.is_none(), "timed once: {j:#?}");
}
