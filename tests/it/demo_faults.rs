//! The demo journey walked in real headless Chromium against the embedded bank and its real
//! SMS inbox, once per fault: each symptom shows up as the step that broke, with the right
//! category — what `vedetta demo --fault …` shows a person.

use crate::common;

use std::path::Path;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use vedetta::demo::{BankConfig, DEMO_PASSWORD, DemoStack, Fault};
use vedetta::journey::model::Journey;
use vedetta::journey::{LoadOptions, load_journey};
use vedetta::runner::result::{
    FailureCategory, JourneyResult, JourneyStatus, StepResult, StepStatus,
};

/// The demo journey, renamed `name` so that each test's browser processes are told apart.
fn demo_journey(bank_url: &str, name: &str) -> Journey {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("journeys/demo-card-balance.yaml");
    load_demo(&path, bank_url, name)
}

fn load_demo(path: &Path, bank_url: &str, name: &str) -> Journey {
    let mut opts =
        LoadOptions::with_env([("DEMO_PASSWORD".to_string(), DEMO_PASSWORD.to_string())]);
    opts.cli_vars = vec![("BANK_URL".into(), bank_url.into())];
    match load_journey(path, &opts) {
        Ok(j) => Journey {
            name: name.to_string(),
            ..j
        },
        Err(diags) => panic!("the demo journey is invalid: {diags:#?}"),
    }
}

/// Walks the demo journey against a fresh bank with `config`; returns the journey's result and
/// its JSON report.
/// Every browser this binary starts goes through here: the library runs (which also pass
/// `common`'s own limit) and the `vedetta demo` process below. 2 cores: at most 2 at once.
static BROWSERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

async fn walk(config: BankConfig) -> (JourneyResult, String) {
    let _browser = BROWSERS.acquire().await.unwrap();
    let name = match config.faults.as_slice() {
        [] => "demo-no-fault".to_string(),
        faults => format!(
            "demo-{}",
            faults
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join("-")
        ),
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let stack = DemoStack::start_with(listener, config).await.unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut opts = common::options(out.path());
    opts.otp = stack.otp_sources();
    let ran = common::run_with(
        vec![demo_journey(&stack.bank.url, &name)],
        opts,
        CancellationToken::new(),
    )
    .await;
    stack.shutdown().await;
    let json = serde_json::to_string(&ran.report).unwrap();
    let result = ran.journey().clone();
    // Evidence files must exist while the test looks at them: keep the folder until then.
    for step in &result.steps {
        let failure_shot = step.failure.as_ref().and_then(|f| f.screenshot.as_ref());
        for shot in failure_shot.into_iter().chain(step.screenshot.as_ref()) {
            assert!(Path::new(shot).is_file(), "screenshot {shot} missing");
            // Kept evidence, failing or not, is sealed: its folder verifies intact.
            let folder = Path::new(shot).parent().unwrap();
            let verified = vedetta::evidence::manifest::verify(folder).unwrap();
            assert!(verified.is_intact(), "{}: {verified:?}", folder.display());
        }
    }
    drop(out);
    (result, json)
}

fn with_faults(faults: &[Fault]) -> BankConfig {
    BankConfig {
        faults: faults.to_vec(),
        ..BankConfig::default()
    }
}

fn step<'a>(j: &'a JourneyResult, name: &str) -> &'a StepResult {
    j.steps
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no step `{name}` in {j:#?}"))
}

/// The journey failed at `name` with `category`, every step before it passed (or was a `when`
/// that did not hold) and every step after was skipped.
fn assert_broke_at(j: &JourneyResult, name: &str, category: FailureCategory) -> StepResult {
    assert_eq!(j.status, JourneyStatus::Failed, "{j:#?}");
    let at = j
        .steps
        .iter()
        .position(|s| s.name == name)
        .unwrap_or_else(|| panic!("no step `{name}`"));
    let broken = &j.steps[at];
    assert_eq!(broken.status, StepStatus::Failed, "{broken:#?}");
    let failure = broken.failure.as_ref().unwrap();
    assert_eq!(failure.category, category, "{failure:#?}");
    assert!(
        failure.screenshot.is_some(),
        "a failure carries its screenshot"
    );
    assert!(
        j.steps[..at].iter().all(|s| s.status != StepStatus::Failed),
        "{j:#?}"
    );
    assert!(
        j.steps[at + 1..]
            .iter()
            .all(|s| s.status == StepStatus::Skipped),
        "{j:#?}"
    );
    broken.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_faults_the_customer_sees_the_balance() {
    let (j, json) = walk(with_faults(&[])).await;
    assert_eq!(j.status, JourneyStatus::Passed, "{j:#?}");
    assert!(j.steps.iter().all(|s| s.status != StepStatus::Failed));
    let shot = j
        .steps
        .iter()
        .find(|s| s.action == "screenshot")
        .expect("the balance screenshot step");
    assert!(
        shot.screenshot
            .as_deref()
            .is_some_and(|p| p.ends_with(".png")),
        "{shot:#?}"
    );
    assert!(
        !json.contains(DEMO_PASSWORD),
        "the password leaked into the report"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_fails_the_first_step_at_once_as_an_outage() {
    let (j, _) = walk(with_faults(&[Fault::Outage])).await;
    let broken = assert_broke_at(&j, "open the home page", FailureCategory::Outage);
    // The fail_fast signature answers at once, not after the journey's 10 s step timeout.
    assert!(
        broken.duration_ms < 10_000 / 2,
        "took {} ms",
        broken.duration_ms
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_error_stops_before_the_code_page() {
    let (j, _) = walk(with_faults(&[Fault::LoginError])).await;
    // The bank answers the login with its error box: the code page never comes.
    let broken = assert_broke_at(
        &j,
        "the bank asks for the SMS code",
        FailureCategory::ElementMissing,
    );
    // What the bank told the customer comes with the failure, not only in the screenshot.
    let f = broken.failure.unwrap();
    assert!(
        f.page_says
            .as_deref()
            .is_some_and(|s| s.contains("LGN-500")),
        "{f:#?}"
    );
    assert!(
        f.message.contains("#otp") && f.message.contains("the page says: Something went wrong"),
        "{}",
        f.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_drop_fails_the_otp_step_as_not_received() {
    let (j, json) = walk(with_faults(&[Fault::SmsDrop])).await;
    let broken = assert_broke_at(&j, "wait for the SMS code", FailureCategory::OtpNotReceived);
    assert!(broken.failure.unwrap().message.contains("+393330000001"));
    assert!(!json.contains(DEMO_PASSWORD));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_delay_within_the_otp_timeout_still_passes() {
    let config = BankConfig {
        faults: vec![Fault::SmsDelay],
        sms_delay: Duration::from_secs(3),
        ..BankConfig::default()
    };
    let (j, _) = walk(config).await;
    assert_eq!(j.status, JourneyStatus::Passed, "{j:#?}");
    // The otp step did wait for the late SMS.
    assert!(
        step(&j, "wait for the SMS code").duration_ms >= 1000,
        "{j:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_balance_fails_where_the_balance_should_be() {
    let (j, _) = walk(with_faults(&[Fault::NoBalance])).await;
    // Logged in with the code; the account page came, its balance stuck on "Loading".
    let broken = assert_broke_at(
        &j,
        "the balance is an amount in euro",
        FailureCategory::Assertion,
    );
    let message = broken.failure.unwrap().message;
    assert!(message.contains("Loading your balance"), "{message}");
    assert_eq!(step(&j, "view the card balance").status, StepStatus::Passed);
}

/// Two journeys log in on the same phone number at once (`--jobs 2`): each must type the code
/// the bank sent for its own login — the bank refuses the other's. vedetta holds a number for
/// one attempt at a time, so neither can take the other's code, whatever order they come in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_journeys_on_one_number_at_once_each_log_in_with_their_own_code() {
    let _browsers = BROWSERS.acquire_many(2).await.unwrap();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let stack = DemoStack::start_with(listener, with_faults(&[]))
        .await
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    // Timed so that, were both on the number at once, each would read the other's code: A
    // asks for its code first and reads late — after B's has come, the newest then — and B
    // asks 2 s after A and reads later still, when only A's is left.
    let demo = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("journeys/demo-card-balance.yaml"),
    )
    .unwrap();
    let submit = "  - name: submit the login form\n";
    let read = "  - name: wait for the SMS code\n";
    assert!(demo.contains(submit) && demo.contains(read));
    let a = out.path().join("a.yaml");
    std::fs::write(&a, demo.replace(read, &format!("  - sleep: 4s\n\n{read}"))).unwrap();
    let b = out.path().join("b.yaml");
    std::fs::write(
        &b,
        demo.replace(submit, &format!("  - sleep: 2s\n\n{submit}"))
            .replace(read, &format!("  - sleep: 4s\n\n{read}")),
    )
    .unwrap();
    let mut opts = common::options(out.path());
    opts.otp = stack.otp_sources();
    opts.jobs = 2;
    let journeys = vec![
        load_demo(&a, &stack.bank.url, "demo-same-number-a"),
        load_demo(&b, &stack.bank.url, "demo-same-number-b"),
    ];
    let ran = common::run_with(journeys, opts, CancellationToken::new()).await;
    stack.shutdown().await;
    for j in &ran.report.journeys {
        assert_eq!(j.status, JourneyStatus::Passed, "{j:#?}");
        assert_eq!(j.attempts, 1, "{j:#?}");
    }
    assert_eq!(ran.report.journeys.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_bank_within_the_timeouts_still_passes() {
    let delay = Duration::from_secs(2);
    let config = BankConfig {
        faults: vec![Fault::Slow],
        slow_delay: delay,
        ..BankConfig::default()
    };
    let (j, _) = walk(config).await;
    assert_eq!(j.status, JourneyStatus::Passed, "{j:#?}");
    // The home page did answer late: the step waited for it.
    assert!(
        step(&j, "open the home page").duration_ms >= delay.as_millis() as u64,
        "{j:#?}"
    );
}

/// What the README promises: `vedetta demo --fault sms-drop` shows, in a real headless browser,
/// which step broke and why, with the screenshot — and never the password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_command_shows_which_step_broke() {
    let _browser = BROWSERS.acquire().await.unwrap();
    let out = tempfile::tempdir().unwrap();
    let report_path = out.path().join("report.json");
    // Run from an empty folder: the built-in journey is used.
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args([
            "demo",
            "--fault",
            "sms-drop",
            "--listen",
            "127.0.0.1:0",
            "--out",
        ])
        .arg(out.path().join("evidence"))
        .arg("--report-json")
        .arg(&report_path)
        .current_dir(out.path())
        .env_remove("DEMO_PASSWORD")
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stdout.contains("wait for the SMS code") && stdout.contains("otp_not_received"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(DEMO_PASSWORD) && !stderr.contains(DEMO_PASSWORD),
        "password printed"
    );

    let report = std::fs::read_to_string(&report_path).unwrap();
    assert!(!report.contains(DEMO_PASSWORD), "password in the report");
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    let journey = &report["journeys"][0];
    assert_eq!(journey["status"], "failed");
    let failed: Vec<&serde_json::Value> = journey["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1, "{journey:#}");
    assert_eq!(failed[0]["name"], "wait for the SMS code");
    assert_eq!(failed[0]["failure"]["category"], "otp_not_received");
    let shot = failed[0]["failure"]["screenshot"]
        .as_str()
        .expect("a screenshot");
    let shot = if Path::new(shot).is_absolute() {
        Path::new(shot).to_path_buf()
    } else {
        out.path().join(shot)
    };
    assert!(shot.is_file(), "{}", shot.display());
}

/// Every example journey in `journeys/` is valid and passes against the demo bank — the
/// examples a user copies from must work — and the smoke journey tells the outage as such.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_journey_passes_against_the_demo_bank() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("journeys");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "{files:?}");

    let _browsers = BROWSERS.acquire_many(2).await.unwrap();
    for faults in [vec![], vec![Fault::Outage]] {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let stack = DemoStack::start_with(listener, with_faults(&faults))
            .await
            .unwrap();
        let suffix = if faults.is_empty() { "up" } else { "down" };
        let journeys: Vec<Journey> = files
            .iter()
            .map(|f| {
                let stem = f.file_stem().unwrap().to_str().unwrap();
                load_demo(f, &stack.bank.url, &format!("example-{stem}-{suffix}"))
            })
            .collect();
        let out = tempfile::tempdir().unwrap();
        let mut opts = common::options(out.path());
        opts.otp = stack.otp_sources();
        opts.jobs = 2;
        let ran = common::run_with(journeys, opts, CancellationToken::new()).await;
        stack.shutdown().await;
        for j in &ran.report.journeys {
            if faults.is_empty() {
                assert_eq!(j.status, JourneyStatus::Passed, "{j:#?}");
            } else {
                // Down from the first page, and said so at once.
                let first = &j.steps[0];
                assert_eq!(first.status, StepStatus::Failed, "{j:#?}");
                assert_eq!(
                    first.failure.as_ref().unwrap().category,
                    FailureCategory::Outage,
                    "{j:#?}"
                );
            }
        }
    }
}

/// `vedetta demo --fault balance-api`: the account page comes, its balance never does — and
/// the failure says why: the bank's balance API answered 503, an outage, named in the console
/// line, the JSON report and the evidence folder's HAR.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_shows_a_balance_api_outage_with_the_request_named() {
    let _browser = BROWSERS.acquire().await.unwrap();
    let out = tempfile::tempdir().unwrap();
    let report_path = out.path().join("report.json");
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args(["demo", "--fault", "balance-api", "--listen", "127.0.0.1:0"])
        .arg("--out")
        .arg(out.path().join("evidence"))
        .arg("--report-json")
        .arg(&report_path)
        .current_dir(out.path())
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let cause = r#"GET /api/balance?card=4821 answered 503 ("balance service unavailable")"#;
    assert!(
        stdout.contains("outage") && stdout.contains(cause),
        "{stdout}"
    );

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    let steps = report["journeys"][0]["steps"].as_array().unwrap();
    let failed: Vec<&serde_json::Value> =
        steps.iter().filter(|s| s["status"] == "failed").collect();
    assert_eq!(failed.len(), 1, "{steps:#?}");
    let failure = &failed[0]["failure"];
    assert_eq!(failed[0]["name"], "the balance is an amount in euro");
    assert_eq!(failure["category"], "outage");
    let message = failure["message"].as_str().unwrap();
    assert!(message.contains("Loading your balance"), "{message}");
    assert!(message.ends_with(cause), "{message}");
    let request = &failure["requests"][0];
    assert_eq!(request["method"], "GET");
    assert!(
        request["url"]
            .as_str()
            .unwrap()
            .ends_with("/api/balance?card=4821")
    );
    assert_eq!(request["status"], 503);
    assert_eq!(request["error_text"], "balance service unavailable");
    assert_eq!(request["site_under_test"], true);
    // The step that opened the home page says how fast it came.
    assert!(steps[0]["timing"]["ttfb_ms"].is_u64(), "{:#}", steps[0]);
    let evidence = Path::new(failure["evidence"].as_str().unwrap());
    let evidence = if evidence.is_absolute() {
        evidence.to_path_buf()
    } else {
        out.path().join(evidence)
    };
    let har = std::fs::read_to_string(evidence.join("network.har")).unwrap();
    assert!(har.contains("/api/balance?card=4821"));
    assert!(!har.contains(DEMO_PASSWORD), "the login POST's password");
}
