//! Each failure category, produced for real by a page that behaves that way, with the
//! evidence a person needs: which step, why, and a screenshot of the viewport.

use crate::common;

use common::{closed_port, journey, run_one, serve};
use vedetta::runner::result::{
    FailureCategory, JourneyResult, JourneyStatus, StepResult, StepStatus,
};

/// The journey's failed (non-optional) step; every step after it is skipped with the reason.
fn failed_step(j: &JourneyResult) -> &StepResult {
    let i = j
        .steps
        .iter()
        .position(|s| s.status == StepStatus::Failed && !s.optional)
        .unwrap_or_else(|| panic!("no failed step: {j:#?}"));
    for later in &j.steps[i + 1..] {
        assert_eq!(later.status, StepStatus::Skipped, "{later:#?}");
        assert_eq!(later.skip_reason.as_deref(), Some("an earlier step failed"));
    }
    &j.steps[i]
}

fn category(s: &StepResult) -> FailureCategory {
    s.failure.as_ref().expect("a failure").category
}

const OUTAGE_SIGNATURE: &str = "
fail_fast:
  - text: Stiamo riscontrando delle difficoltà temporanee
    reason: the bank reports temporary difficulties
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_element_that_never_appears_is_element_missing_with_a_viewport_screenshot() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let j = journey(
        "missing",
        "name: run-missing\nbase_url: ${BASE}\ntimeout: 1s\nviewport: 640x480\nsteps:\n  - open: /actions.html\n  - name: press the login button\n    click: '#login'\n  - assert_visible: '#late'\n",
        &[("BASE", &site.base)],
    );
    let ran = run_one(j, out.path()).await;
    let j = ran.journey();
    assert_eq!(j.status, JourneyStatus::Failed);
    let s = failed_step(j);
    assert_eq!(
        (s.index, s.name.as_str(), s.line),
        (2, "press the login button", 7)
    );
    assert_eq!(category(s), FailureCategory::ElementMissing);
    let f = s.failure.as_ref().unwrap();
    assert!(f.message.contains("#login"), "{}", f.message);
    assert_eq!(
        f.url.as_deref(),
        Some(format!("{}/actions.html", site.base).as_str())
    );
    // The screenshot was taken before the session closed: a PNG exactly the viewport's size,
    // named after the step, in the journey's evidence folder.
    let path = f.screenshot.as_ref().expect("a failure screenshot");
    assert!(
        path.ends_with("test-run/run-missing/02-press-the-login-button.png"),
        "{path}"
    );
    assert_eq!(
        f.evidence.as_deref(),
        Some(out.path().join("test-run/run-missing").to_str().unwrap())
    );
    let img = image::open(path).expect("decodes as PNG");
    assert_eq!((img.width(), img.height()), (640, 480));
    // The evidence folder: an annotated copy (header strip above the page), the page source,
    // and a manifest that verifies.
    let annotated = vedetta::evidence::annotate::annotated_path(std::path::Path::new(path));
    let a = image::open(&annotated).expect("annotated PNG");
    assert!(
        a.width() == 640 && a.height() > 480,
        "{}x{}",
        a.width(),
        a.height()
    );
    let source =
        std::fs::read_to_string(std::path::Path::new(path).with_extension("html")).unwrap();
    assert!(
        source.contains("Arrived late") || source.contains("id=\"more\""),
        "page source"
    );
    let evidence = std::path::Path::new(f.evidence.as_deref().unwrap());
    let verified = vedetta::evidence::manifest::verify(evidence).expect("a manifest");
    assert!(verified.is_intact() && verified.intact >= 3, "{verified:?}");
    // Where the browser was and how the walk got there, in the folder and sealed with it.
    let record_path = evidence.join("02-press-the-login-button.result.json");
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&record_path).expect("a result file")).unwrap();
    assert_eq!(record["journey"], "run-missing");
    assert_eq!(record["attempt"], 1);
    assert_eq!(record["url"], format!("{}/actions.html", site.base));
    assert_eq!(record["title"], "Ready", "the title the page had by then");
    let failed = &record["failed_step"];
    assert_eq!(
        (
            &failed["index"],
            &failed["name"],
            &failed["action"],
            &failed["line"]
        ),
        (
            &2.into(),
            &"press the login button".into(),
            &"click".into(),
            &7.into()
        )
    );
    assert_eq!(failed["failure"]["category"], "element_missing");
    assert!(failed["file"].as_str().unwrap().ends_with("missing.yaml"));
    let steps = record["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2, "the steps so far, the failed one last");
    assert_eq!(steps[0]["status"], "passed");
    let manifest = vedetta::evidence::manifest::read_manifest(evidence).unwrap();
    assert!(
        manifest
            .files
            .iter()
            .any(|e| e.path == "02-press-the-login-button.result.json"),
        "sealed by the manifest"
    );
    // The manifest's own hash is kept outside the folder, in the report.
    use sha2::Digest;
    let manifest_bytes = std::fs::read(evidence.join("manifest.json")).unwrap();
    let sha: String = sha2::Sha256::digest(&manifest_bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(f.evidence_sha256.as_deref(), Some(sha.as_str()));
    let report = serde_json::to_value(&ran.report).unwrap();
    assert_eq!(
        report["journeys"][0]["steps"][1]["failure"]["evidence_sha256"],
        sha.as_str()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_element_that_stays_disabled_or_hidden_is_a_timeout() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let yaml = "name: run-timeouts\nbase_url: ${BASE}\ntimeout: 700ms\nscreenshots: off\nsteps:\n  - open: /actions.html\n    timeout: 10s\n  - optional: true\n    click: '#off'\n  - optional: true\n    wait_for: '#hidden-button'\n  - optional: true\n    wait_for: { url: /never }\n  - optional: true\n    wait_for: { hidden: '#menu' }\n";
    let ran = run_one(
        journey("timeouts", yaml, &[("BASE", &site.base)]),
        out.path(),
    )
    .await;
    let j = ran.journey();
    assert_eq!(j.status, JourneyStatus::Passed, "optional failures only");
    for s in &j.steps[1..] {
        assert_eq!(s.status, StepStatus::Failed, "{s:#?}");
        assert_eq!(category(s), FailureCategory::Timeout, "{s:#?}");
        let f = s.failure.as_ref().unwrap();
        assert!(f.screenshot.is_none(), "screenshots: off");
    }
    assert!(
        j.steps[1]
            .failure
            .as_ref()
            .unwrap()
            .message
            .contains("disabled")
    );
    assert!(
        j.steps[2]
            .failure
            .as_ref()
            .unwrap()
            .message
            .contains("hidden")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mismatch_is_an_assertion_with_expected_and_actual() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let yaml = "name: run-assertion\nbase_url: ${BASE}\ntimeout: 700ms\nsteps:\n  - open: /actions.html\n  - optional: true\n    assert_title: Checkout\n  - assert_text: { '#balance': '/^€ 0,00$/' }\n  - click: '#more'\n";
    let ran = run_one(
        journey("assertion", yaml, &[("BASE", &site.base)]),
        out.path(),
    )
    .await;
    let j = ran.journey();
    assert_eq!(j.status, JourneyStatus::Failed);
    assert_eq!(category(&j.steps[1]), FailureCategory::Assertion);
    let s = failed_step(j);
    assert_eq!(s.index, 3);
    assert_eq!(category(s), FailureCategory::Assertion);
    let msg = &s.failure.as_ref().unwrap().message;
    assert!(
        msg.contains("/^€ 0,00$/") && msg.contains("€ 1.234,56"),
        "{msg}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fail_fast_signature_fails_at_once_as_an_outage() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    // The page turns into the outage page 200 ms into a wait that would last 30 s.
    let yaml = format!(
        "name: run-fail-fast\nbase_url: ${{BASE}}\ntimeout: 30s\n{OUTAGE_SIGNATURE}steps:\n  - open: /actions.html\n  - script: \"setTimeout(() => location.href = '/outage.html', 200)\"\n  - wait_for: '#balance-after-login'\n"
    );
    let ran = run_one(
        journey("fail-fast", &yaml, &[("BASE", &site.base)]),
        out.path(),
    )
    .await;
    let j = ran.journey();
    assert_eq!(j.status, JourneyStatus::Failed);
    let s = failed_step(j);
    assert_eq!(s.index, 3);
    let f = s.failure.as_ref().unwrap();
    assert_eq!(f.category, FailureCategory::Outage);
    assert_eq!(
        f.signature.as_deref(),
        Some("the bank reports temporary difficulties")
    );
    assert!(
        f.message
            .contains("the bank reports temporary difficulties"),
        "{}",
        f.message
    );
    assert!(f.screenshot.is_some());
    // Reported long before the step's 30 s timeout.
    assert!(
        s.duration_ms < 10_000,
        "took {} ms of a 30 s timeout",
        s.duration_ms
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_while_a_signature_shows_is_named_an_outage() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    // No fail_fast here: the 503 page itself is the outage.
    let yaml = "name: run-503\nbase_url: ${BASE}\ntimeout: 5s\nsteps:\n  - open: /down\n  - click: '#login'\n";
    let ran = run_one(journey("down", yaml, &[("BASE", &site.base)]), out.path()).await;
    let s = failed_step(ran.journey());
    assert_eq!(s.index, 1);
    let f = s.failure.as_ref().unwrap();
    assert_eq!(f.category, FailureCategory::Outage);
    assert!(f.message.contains("HTTP 503"), "{}", f.message);
    assert!(f.signature.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_page_is_an_outage_and_a_missing_one_a_navigation_failure() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let port = closed_port();
    let yaml = format!(
        "name: run-navigation\ntimeout: 5s\nsteps:\n  - optional: true\n    open: http://127.0.0.1:{port}/\n  - open: ${{BASE}}/missing\n"
    );
    let ran = run_one(
        journey("navigation", &yaml, &[("BASE", &site.base)]),
        out.path(),
    )
    .await;
    let j = ran.journey();
    assert_eq!(j.status, JourneyStatus::Failed);
    let refused = j.steps[0].failure.as_ref().unwrap();
    // Nothing answers on the port: the site is down (README, "What a failure says").
    assert_eq!(refused.category, FailureCategory::Outage);
    assert!(
        refused.message.contains("ERR_CONNECTION_REFUSED"),
        "{}",
        refused.message
    );
    let missing = j.steps[1].failure.as_ref().unwrap();
    assert_eq!(missing.category, FailureCategory::Navigation);
    assert!(missing.message.contains("HTTP 404"), "{}", missing.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn otp_from_a_command_passes_or_says_why_not() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let yaml = "name: run-otp\nbase_url: ${BASE}\ntimeout: 2s\nsteps:\n  - open: /login.html\n  - otp: { from: command, run: 'echo Your code is 481516', save_as: CODE }\n  - fill: { '#pass': '${CODE}' }\n  - assert_text: { '#pass': '481516' }\n  - optional: true\n    timeout: 1s\n    otp: { from: command, run: 'echo no code here', save_as: NONE }\n  - otp: { from: command, run: '/nonexistent/otp-tool', save_as: NEVER }\n";
    let ran = run_one(journey("otp", yaml, &[("BASE", &site.base)]), out.path()).await;
    let j = ran.journey();
    assert_eq!(j.steps[1].status, StepStatus::Passed, "{:#?}", j.steps[1]);
    assert_eq!(
        j.steps[3].status,
        StepStatus::Passed,
        "the code was typed: {:#?}",
        j.steps[3]
    );
    assert_eq!(category(&j.steps[4]), FailureCategory::OtpNotReceived);
    // A source that cannot be asked is the harness's trouble: the journey is `error`.
    assert_eq!(category(&j.steps[5]), FailureCategory::Infrastructure);
    assert_eq!(j.status, JourneyStatus::Error);
    // The code is a secret from the moment it is saved: it shows nowhere.
    let json = serde_json::to_string(&ran.report).unwrap();
    assert!(!json.contains("481516"), "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_typed_into_a_field_appears_in_no_result() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let secret = "hunter2-Zq9";
    let yaml = "name: run-secret\nbase_url: ${BASE}\ntimeout: 700ms\nscreenshots: every_step\nsecrets: [PASSWORD]\nsteps:\n  - open: /login.html\n  - fill: { '#user': mario, '#pass': '${PASSWORD}' }\n  - assert_text: { '#pass': '${PASSWORD}' }\n  - click: '#go'\n  - assert_text: { '#echo': 'Welcome' }\n";
    let ran = run_one(
        journey(
            "secret",
            yaml,
            &[("BASE", &site.base), ("PASSWORD", secret)],
        ),
        out.path(),
    )
    .await;
    let j = ran.journey();
    // The field got the secret and kept it across the screenshots (blanked only in pixels).
    assert_eq!(j.steps[2].status, StepStatus::Passed, "{:#?}", j.steps[2]);
    let s = failed_step(j);
    assert_eq!(s.index, 5);
    let msg = &s.failure.as_ref().unwrap().message;
    assert!(msg.contains("Signed in as mario with ••••••"), "{msg}");
    let json = serde_json::to_string(&ran.report).unwrap();
    assert!(!json.contains(secret), "{json}");
    let events = format!("{:?}", ran.events);
    assert!(!events.contains(secret));
    // every_step: one screenshot per step that ran.
    assert!(j.steps.iter().all(|s| s.screenshot.is_some()), "{j:#?}");
    // The saved page source shows the echo, with the secret masked.
    let shot = s.failure.as_ref().unwrap().screenshot.as_ref().unwrap();
    let source =
        std::fs::read_to_string(std::path::Path::new(shot).with_extension("html")).unwrap();
    assert!(
        source.contains("Signed in as mario with ••••••"),
        "{source}"
    );
    let evidence = std::path::Path::new(s.failure.as_ref().unwrap().evidence.as_ref().unwrap());
    let record = std::fs::read_to_string(evidence.join("05-assert-text-echo.result.json"))
        .expect("a result file");
    assert!(
        record.contains("Signed in as mario with ••••••"),
        "{record}"
    );
    for file in std::fs::read_dir(evidence).unwrap() {
        let bytes = std::fs::read(file.unwrap().path()).unwrap();
        assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_optional_step_the_harness_cannot_do_is_reported_and_the_journey_goes_on() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    // Nothing listens on port 1: the OTP source cannot be asked (infrastructure).
    let yaml = "name: run-optional-infra\nbase_url: ${BASE}\ntimeout: 1s\nsteps:\n  - open: /login.html\n  - optional: true\n    otp: { from: http, url: 'http://127.0.0.1:1/x', save_as: CODE }\n  - assert_title: Login\n";
    let ran = run_one(
        journey("optional-infra", yaml, &[("BASE", &site.base)]),
        out.path(),
    )
    .await;
    let j = ran.journey();
    assert_eq!(category(&j.steps[1]), FailureCategory::Infrastructure);
    assert_eq!(j.steps[1].status, StepStatus::Failed);
    assert_eq!(j.steps[2].status, StepStatus::Passed, "{:#?}", j.steps[2]);
    assert_eq!(j.status, JourneyStatus::Passed, "{j:#?}");
    assert!(j.error.is_none(), "{:?}", j.error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_chrome_will_not_load_fails_the_open_step_not_the_next() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    // Chrome refuses port 1 (ERR_UNSAFE_PORT) by showing its error page, and the driver calls
    // the navigation a success: the `open` must fail all the same, naming the URL and code.
    let yaml = "name: run-unsafe-port\ntimeout: 2s\nsteps:\n  - optional: true\n    open: http://127.0.0.1:1/\n  - open: ${BASE}/login.html\n  - open: http://127.0.0.1:1/\n  - assert_visible: '#user'\n";
    let ran = run_one(
        journey("unsafe-port", yaml, &[("BASE", &site.base)]),
        out.path(),
    )
    .await;
    let j = ran.journey();
    assert_eq!(j.status, JourneyStatus::Failed);
    let optional = j.steps[0]
        .failure
        .as_ref()
        .expect("the optional open failed");
    assert_eq!(optional.category, FailureCategory::Navigation);
    assert_eq!(j.steps[1].status, StepStatus::Passed, "{:#?}", j.steps[1]);
    let s = failed_step(j);
    assert_eq!(s.index, 3, "the open is blamed, not the step after it");
    let f = s.failure.as_ref().unwrap();
    assert_eq!(f.category, FailureCategory::Navigation);
    assert!(
        f.message.contains("http://127.0.0.1:1/") && f.message.contains("ERR_UNSAFE_PORT"),
        "{}",
        f.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_variable_a_failed_optional_step_never_set_fails_the_step_that_reads_it() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    // `${WHO}` would render empty and the title check would pass vacuously.
    let yaml = "name: run-unset-var\nbase_url: ${BASE}\ntimeout: 700ms\nscreenshots: off\nsteps:\n  - open: /login.html\n  - extract: { '#go': BUTTON }\n  - assert_text: { '#go': '${BUTTON}' }\n  - name: read the greeting\n    optional: true\n    extract: { '#greeting': WHO }\n  - assert_title: '${WHO}'\n  - click: '#go'\n";
    let ran = run_one(
        journey("unset-var", yaml, &[("BASE", &site.base)]),
        out.path(),
    )
    .await;
    let j = ran.journey();
    // A variable that was set is used as usual.
    assert_eq!(j.steps[2].status, StepStatus::Passed, "{:#?}", j.steps[2]);
    assert_eq!(category(&j.steps[3]), FailureCategory::ElementMissing);
    assert_eq!(j.status, JourneyStatus::Failed);
    let s = failed_step(j);
    assert_eq!(s.index, 5);
    assert_eq!(category(s), FailureCategory::Assertion);
    let msg = &s.failure.as_ref().unwrap().message;
    assert!(
        msg.contains("variable WHO was never set")
            && msg.contains("step 4 (read the greeting, optional) failed"),
        "{msg}"
    );
}

/// Where `boxed.html` puts `#price`, in CSS pixels (= screenshot pixels at DPR 1).
const PRICE: [u32; 4] = [120, 160, 200, 50];

/// A failing `assert_text` on `#price` of `boxed.html` (`query` appended to its URL), in a
/// 640×480 viewport; the step is named "check the price".
fn price_journey(name: &str, base: &str, query: &str) -> vedetta::journey::model::Journey {
    let yaml = format!(
        "name: {name}\nbase_url: ${{BASE}}\ntimeout: 10s\nviewport: 640x480\nsteps:\n  - open: /boxed.html{query}\n  - name: check the price\n    timeout: 300ms\n    assert_text: {{ '#price': '€ 99,00' }}\n"
    );
    journey(name, &yaml, &[("BASE", base)])
}

/// The header the annotated screenshot should carry, from the step's `result.json`, with the
/// time of the failure it records.
fn header_from_record(record: &serde_json::Value) -> vedetta::evidence::annotate::Header {
    let failed = &record["failed_step"];
    let failure = &failed["failure"];
    let at: jiff::Timestamp = record["failed_at"]
        .as_str()
        .expect("failed_at in the record")
        .parse()
        .unwrap();
    vedetta::evidence::annotate::Header {
        time_utc: at.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
        journey: record["journey"].as_str().unwrap().into(),
        step_index: failed["index"].as_u64().unwrap() as usize,
        step_name: failed["name"].as_str().unwrap().into(),
        url: failure["url"].as_str().map(str::to_string),
        category: failure["category"].as_str().unwrap().into(),
        message: failure["message"].as_str().unwrap().into(),
    }
}

fn read_record(evidence: &std::path::Path, file: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(evidence.join(file)).expect("a result file")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_annotated_screenshot_boxes_the_element_a_failed_assertion_was_about() {
    use vedetta::evidence::annotate::{BOX_COLOUR, BOX_WIDTH, annotated_path, strip_height};
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let ran = run_one(price_journey("run-boxed", &site.base, ""), out.path()).await;
    let j = ran.journey();
    let s = failed_step(j);
    let f = s.failure.as_ref().unwrap();
    assert_eq!(f.category, FailureCategory::Assertion, "{f:#?}");
    let raw_path = std::path::Path::new(f.screenshot.as_deref().expect("a screenshot"));
    let raw = image::open(raw_path).unwrap().into_rgb8();
    let annotated = image::open(annotated_path(raw_path)).unwrap().into_rgb8();
    assert_eq!((raw.width(), raw.height()), (640, 480));
    let record = read_record(
        std::path::Path::new(f.evidence.as_deref().unwrap()),
        "02-check-the-price.result.json",
    );
    let strip = strip_height(640, &header_from_record(&record));
    assert_eq!(
        annotated.height(),
        480 + strip,
        "the strip sits above the page"
    );

    // The box is drawn just outside the element, BOX_WIDTH pixels thick: sample the middle
    // of each of its four sides, all along.
    let [x, y, w, h] = PRICE;
    let b = BOX_WIDTH;
    let mid = b / 2;
    let (left, right) = (x - b + mid, x + w + mid);
    let (top, bottom) = (y - b + mid, y + h + mid);
    let mut along = Vec::new();
    for px in (x - b..x + w + b).step_by(5) {
        along.push((px, top));
        along.push((px, bottom));
    }
    for py in (y - b..y + h + b).step_by(5) {
        along.push((left, py));
        along.push((right, py));
    }
    for (px, py) in along {
        assert_eq!(
            *annotated.get_pixel(px, py + strip),
            BOX_COLOUR,
            "the box at ({px}, {py})"
        );
        assert_ne!(
            *raw.get_pixel(px, py),
            BOX_COLOUR,
            "the raw screenshot stays as captured at ({px}, {py})"
        );
    }
    // Inside the box and away from it the page is untouched.
    for (px, py) in [
        (x + 10, y + 10),
        (x + w / 2, y + h - 5),
        (10, 10),
        (600, 400),
    ] {
        assert_eq!(
            annotated.get_pixel(px, py + strip),
            raw.get_pixel(px, py),
            "({px}, {py})"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_annotated_header_shows_when_the_step_failed_not_when_it_was_annotated() {
    use vedetta::evidence::annotate::{Rect, annotate, annotated_path};
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    // Every look at this page takes 1.2 s: the fail_fast check and the title look after the
    // failure alone put the annotation 2.4 s or more after it, in a later second.
    let ran = run_one(
        price_journey("run-failed-at", &site.base, "?slow_title=1200"),
        out.path(),
    )
    .await;
    let j = ran.journey();
    let f = failed_step(j).failure.as_ref().unwrap();
    assert_eq!(f.category, FailureCategory::Assertion, "{f:#?}");
    let raw_path = std::path::Path::new(f.screenshot.as_deref().expect("a screenshot"));
    let evidence = std::path::Path::new(f.evidence.as_deref().unwrap());
    let record = read_record(evidence, "02-check-the-price.result.json");
    let failed_at: jiff::Timestamp = record["failed_at"].as_str().unwrap().parse().unwrap();
    let annotated_file = annotated_path(raw_path);
    let annotated_mtime = jiff::Timestamp::try_from(
        std::fs::metadata(&annotated_file)
            .unwrap()
            .modified()
            .unwrap(),
    )
    .unwrap();
    assert!(
        annotated_mtime >= failed_at + jiff::SignedDuration::from_secs(2),
        "the page was meant to hold the evidence up: failed {failed_at}, annotated {annotated_mtime}"
    );
    // The annotated PNG is exactly the raw one annotated with the failure's time.
    let [x, y, w, h] = PRICE.map(f64::from);
    let expected = annotate(
        &std::fs::read(raw_path).unwrap(),
        &header_from_record(&record),
        Some(Rect {
            x,
            y,
            width: w,
            height: h,
        }),
    )
    .unwrap();
    let expected = image::load_from_memory(&expected).unwrap().into_rgb8();
    let got = image::open(&annotated_file).unwrap().into_rgb8();
    assert!(
        expected == got,
        "the header's time is not the failure's ({failed_at})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_source_and_console_are_kept_when_the_screenshot_cannot_be() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    // A folder where the failure screenshot would go: the PNG cannot be written.
    let evidence = out.path().join("test-run/run-no-shot");
    std::fs::create_dir_all(evidence.join("02-check-the-price.png")).unwrap();
    let ran = run_one(price_journey("run-no-shot", &site.base, ""), out.path()).await;
    let j = ran.journey();
    let f = failed_step(j).failure.as_ref().unwrap();
    assert_eq!(f.category, FailureCategory::Assertion, "{f:#?}");
    assert_eq!(f.screenshot, None, "no screenshot was kept");
    assert_eq!(f.evidence.as_deref(), Some(evidence.to_str().unwrap()));
    let source = std::fs::read_to_string(evidence.join("02-check-the-price.html"))
        .expect("the page source, without a screenshot");
    assert!(source.contains("id=\"price\""), "{source}");
    let console = std::fs::read_to_string(evidence.join("02-check-the-price.console.txt"))
        .expect("the console log, without a screenshot");
    assert!(console.contains("boxed page ready"), "{console}");
    let verified = vedetta::evidence::manifest::verify(&evidence).unwrap();
    assert!(verified.is_intact(), "{verified:?}");
    let files: Vec<String> = vedetta::evidence::manifest::read_manifest(&evidence)
        .unwrap()
        .files
        .into_iter()
        .map(|e| e.path)
        .collect();
    for file in [
        "02-check-the-price.html",
        "02-check-the-price.console.txt",
        "02-check-the-price.result.json",
    ] {
        assert!(files.iter().any(|p| p == file), "{file} sealed: {files:?}");
    }
}
