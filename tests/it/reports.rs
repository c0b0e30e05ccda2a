//! The JUnit and HTML reports, produced from a constructed run with a real demo-bank screenshot:
//! the JUnit file validates against the JUnit schema (xmllint), and the HTML file is
//! self-contained, escapes what it shows and renders in real headless Chromium.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use vedetta::browser::{BrowserConfig, Session};
use vedetta::evidence::annotate::{Header, Rect, annotate, annotated_path};
use vedetta::report::{html, junit};
use vedetta::runner::result::{
    AttemptResult, DeviceReport, Failure, FailureCategory, JourneyResult, JourneyStatus, RunReport,
    StepResult, StepStatus,
};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn step(index: usize, name: &str, action: &str, status: StepStatus, ms: u64) -> StepResult {
    StepResult {
        index,
        depth: 0,
        name: name.into(),
        action: action.into(),
        component: "Journey".into(),
        file: "journeys/card.yaml".into(),
        line: 10 + index,
        column: 5,
        status,
        duration_ms: ms,
        optional: false,
        failure: None,
        skip_reason: (status == StepStatus::Skipped).then(|| "an earlier step failed".into()),
        screenshot: None,
        timing: None,
        slow_threshold_ms: None,
        log: None,
        warnings: Vec::new(),
    }
}

fn failure(category: FailureCategory, message: &str, shot: Option<&Path>) -> Failure {
    Failure {
        category,
        message: message.into(),
        screenshot: shot.map(|p| p.display().to_string()),
        evidence: shot.map(|p| p.parent().unwrap().display().to_string()),
        signature: None,
        url: Some("http://127.0.0.1:7878/".into()),
        evidence_sha256: None,
        page_says: None,
        console: Vec::new(),
        requests: Vec::new(),
        waterfall: Vec::new(),
    }
}

fn outage_header() -> Header {
    Header {
        time_utc: "2026-09-26 11:30:12 UTC".into(),
        journey: "card-balance".into(),
        step_index: 2,
        step_name: "open the home page".into(),
        url: Some("http://127.0.0.1:7878/".into()),
        category: "outage".into(),
        message: "the bank says it is experiencing temporary difficulties".into(),
    }
}

/// Three journeys: one failed on an outage (real screenshot, annotated beside it), one the
/// harness could not run, one flaky. Step names carry markup that must come out escaped.
fn run(dir: &Path) -> RunReport {
    let shot = dir.join("card/01-open-the-home-page.png");
    std::fs::create_dir_all(shot.parent().unwrap()).unwrap();
    let png = std::fs::read(data("demo-outage-1280x800.png")).unwrap();
    std::fs::write(&shot, &png).unwrap();
    let header = outage_header();
    let target = Rect {
        x: 599.0,
        y: 258.0,
        width: 82.0,
        height: 42.0,
    };
    std::fs::write(
        annotated_path(&shot),
        annotate(&png, &header, Some(target)).unwrap(),
    )
    .unwrap();

    let mut failed = step(2, "open the home page", "open", StepStatus::Failed, 1630);
    failed.failure = Some(failure(
        FailureCategory::Outage,
        "the bank says it is experiencing temporary difficulties <b>503</b>",
        Some(&shot),
    ));
    let mut optional = step(1, "accept cookies", "click", StepStatus::Failed, 2000);
    optional.optional = true;
    optional.failure = Some(failure(
        FailureCategory::ElementMissing,
        "no #cookie-banner",
        None,
    ));
    let mut gone = step(4, "balance", "screenshot", StepStatus::Skipped, 0);
    gone.screenshot = None;
    let mut retried = step(1, "log in", "click", StepStatus::Failed, 900);
    retried.failure = Some(failure(
        FailureCategory::Timeout,
        "login took too long",
        None,
    ));

    let mut kept = step(2, "balance", "screenshot", StepStatus::Passed, 300);
    kept.screenshot = Some(dir.join("flaky/02-balance.png").display().to_string()); // missing on disk

    RunReport {
        vedetta_version: "0.1.0".into(),
        started_at: "2026-09-26T11:30:00Z".into(),
        duration_ms: 9000,
        interrupted: None,
        journeys: vec![
            JourneyResult {
                name: "card-balance".into(),
                title: Some("Card balance after SMS login".into()),
                file: "journeys/card.yaml".into(),
                status: JourneyStatus::Failed,
                attempts: 1,
                started_at: "2026-09-26T11:30:00Z".into(),
                duration_ms: 4000,
                steps: vec![
                    optional,
                    failed,
                    step(
                        3,
                        "<script>alert('pwned')</script>",
                        "click",
                        StepStatus::Skipped,
                        0,
                    ),
                    gone,
                ],
                error: None,
                previous_attempts: vec![],
                degraded: false,
                slow: vec![],
                browser_start_ms: 0,
                device: None,
            },
            JourneyResult {
                name: "no-browser".into(),
                title: None,
                file: "journeys/other.yaml".into(),
                status: JourneyStatus::Error,
                attempts: 1,
                started_at: "2026-09-26T11:30:04Z".into(),
                duration_ms: 10,
                steps: vec![],
                error: Some("could not start chromedriver: not found".into()),
                previous_attempts: vec![],
                degraded: false,
                slow: vec![],
                browser_start_ms: 0,
                device: None,
            },
            JourneyResult {
                name: "flaky-login".into(),
                title: None,
                file: "journeys/flaky.yaml".into(),
                status: JourneyStatus::Flaky,
                attempts: 2,
                started_at: "2026-09-26T11:30:05Z".into(),
                duration_ms: 3000,
                steps: vec![step(1, "log in", "click", StepStatus::Passed, 700), kept],
                error: None,
                previous_attempts: vec![AttemptResult {
                    attempt: 1,
                    status: JourneyStatus::Failed,
                    duration_ms: 1000,
                    steps: vec![retried],
                    error: None,
                }],
                degraded: false,
                slow: vec![],
                browser_start_ms: 0,
                device: Some(DeviceReport {
                    name: Some("Pixel 7".into()),
                    width: 412,
                    height: 915,
                    pixel_ratio: 2.625,
                    mobile: true,
                    touch: true,
                    user_agent: None,
                }),
            },
        ],
    }
}

/// Runs Debian's xmllint (libxml2-utils); its absence is a loud failure, never a skip.
fn xmllint_schema(xml: &Path) -> std::process::Output {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/junit.xsd");
    Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(xml)
        .output()
        .unwrap_or_else(|e| {
            panic!("xmllint is needed to validate JUnit XML ({e}): apt-get install libxml2-utils")
        })
}

#[test]
fn junit_validates_against_the_schema_and_tells_failure_from_error() {
    let dir = tempfile::tempdir().unwrap();
    let report = run(dir.path());
    let path = dir.path().join("junit.xml");
    junit::write(&report, &path).unwrap();
    let out = xmllint_schema(&path);
    let xml = std::fs::read_to_string(&path).unwrap();
    assert!(
        out.status.success(),
        "JUnit XML does not validate:\n{}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A suite per journey, a case per step named "NN name", classname = journey.
    assert!(
        xml.contains(
            r#"<testsuite name="card-balance" tests="4" skipped="3" errors="0" failures="1""#
        ),
        "{xml}"
    );
    assert!(
        xml.contains(
            r#"<testcase name="02 open the home page" classname="card-balance" time="1.630">"#
        ),
        "{xml}"
    );
    // The site failing is a failure typed by category; the harness failing is an error.
    assert!(xml.contains(r#"<failure message="the bank says it is experiencing temporary difficulties &lt;b&gt;503&lt;/b&gt;" type="outage">"#), "{xml}");
    assert!(
        xml.contains(
            r#"<error message="could not start chromedriver: not found" type="infrastructure"/>"#
        ),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<skipped message="an earlier step failed"/>"#),
        "{xml}"
    );
    // An optional step's failure is shown, not counted as a failure.
    assert!(
        xml.contains(
            r#"<skipped message="optional step failed (element_missing): no #cookie-banner">"#
        ),
        "{xml}"
    );
    // Passed on retry: the earlier failure is kept as a flaky failure.
    assert!(
        xml.contains(r#"<flakyFailure time="0.900" message="login took too long" type="timeout">"#),
        "{xml}"
    );
    // The annotated screenshot, attached the way Jenkins and GitLab pick it up.
    let annotated = annotated_path(&dir.path().join("card/01-open-the-home-page.png"));
    assert!(
        xml.contains(&format!("[[ATTACHMENT|{}]]", annotated.display())),
        "{xml}"
    );

    // The schema is not a rubber stamp: a test case without a name is rejected.
    let broken = dir.path().join("broken.xml");
    std::fs::write(
        &broken,
        xml.replacen("<testcase name=\"02 open the home page\"", "<testcase", 1),
    )
    .unwrap();
    assert!(
        !xmllint_schema(&broken).status.success(),
        "schema accepted a nameless testcase"
    );
}

#[test]
fn html_is_self_contained_escaped_and_renders_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let report = run(dir.path());
    let path = dir.path().join("report.html");
    html::write(&report, &path).unwrap();
    let page = std::fs::read_to_string(&path).unwrap();
    // Kept to look at: target/tmp/report.html.
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::write(keep.join("report.html"), &page).unwrap();

    // Nothing is fetched from anywhere: no external src/href, no @import, no url(http…).
    let lower = page.to_ascii_lowercase();
    for bad in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "@import",
        "url(http",
        "url(//",
        "src=\"//",
    ] {
        assert!(
            !lower.contains(bad),
            "external reference {bad:?} in the report"
        );
    }
    assert!(
        page.contains("src=\"data:image/png;base64,iVBORw0KGgo"),
        "screenshot not inline"
    );
    assert!(page.contains("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;"));
    assert!(
        !page.contains("<script"),
        "markup from a step name leaked into the page"
    );
    assert!(page.contains("&lt;b&gt;503&lt;/b&gt;"));
    // The journey walked as a phone says so in its line.
    assert!(
        page.contains("journeys/flaky.yaml · on Pixel 7, 412×915 ·"),
        "the device is not named"
    );
    // A screenshot that is gone is a note, not a broken image.
    assert!(
        page.contains("could not be read"),
        "missing screenshot not noted"
    );

    // Real headless Chromium: the page loads from file://, has one .step per step, one
    // .journey per journey, and the inline screenshot decodes to its real size.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (counts, shot) = rt.block_on(async {
        let session = Session::start(&BrowserConfig::default(), 1280, 1600, "reports-test")
            .await
            .expect(
                "headless Chromium and chromedriver must be installed (scripts/ensure-browser.sh)",
            );
        let result = async {
            session
                .goto(
                    &format!("file://{}", path.display()),
                    Duration::from_secs(30),
                )
                .await?;
            let counts = session
                .execute(
                    "const imgs = [...document.images];
                     return { steps: document.querySelectorAll('li.step').length,
                              journeys: document.querySelectorAll('section.journey').length,
                              failures: document.querySelectorAll('.step.failed .failure').length,
                              images: imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight]),
                              resources: performance.getEntriesByType('resource').length };",
                    vec![],
                )
                .await?;
            let shot = session.screenshot().await?;
            Ok::<_, vedetta::browser::BrowserError>((counts, shot))
        }
        .await;
        session.close().await;
        result.expect("render the report")
    });
    assert_eq!(counts["steps"], 6, "{counts}");
    assert_eq!(counts["journeys"], 3, "{counts}");
    assert_eq!(counts["failures"], 1, "{counts}");
    assert_eq!(
        counts["resources"], 0,
        "the page fetched something: {counts}"
    );
    let strip = vedetta::evidence::annotate::strip_height(1280, &outage_header());
    assert_eq!(
        counts["images"],
        serde_json::json!([[true, 1280, 800 + strip]]),
        "the annotated screenshot did not decode in the browser"
    );
    // Keep what Chromium showed, to look at it.
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-html.png");
    std::fs::write(&out, shot).unwrap();
}

/// The whole JUnit file, as CI systems will read it (the temp folder masked as `{DIR}`).
/// `UPDATE_GOLDEN=1 cargo test --test reports` rewrites tests/golden/report.junit.xml.
#[test]
fn junit_matches_the_golden_file() {
    let dir = tempfile::tempdir().unwrap();
    let report = run(dir.path());
    let xml = junit::render(&report, dir.path())
        .unwrap()
        .replace(&dir.path().display().to_string(), "{DIR}");
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/report.junit.xml");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &xml).unwrap();
    }
    let want = std::fs::read_to_string(&golden)
        .unwrap_or_else(|_| panic!("{} missing: run with UPDATE_GOLDEN=1", golden.display()));
    assert_eq!(
        xml, want,
        "JUnit output changed; if on purpose, UPDATE_GOLDEN=1"
    );
}

/// `UPDATE_GOLDEN=1` rewrites `tests/golden/NAME`; otherwise `got` must equal it.
fn assert_golden(name: &str, got: &str) {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, got).unwrap();
    }
    let want = std::fs::read_to_string(&golden)
        .unwrap_or_else(|_| panic!("{} missing: run with UPDATE_GOLDEN=1", golden.display()));
    assert_eq!(got, want, "{name} changed; if on purpose, UPDATE_GOLDEN=1");
}

/// The JSON report of the same hand-made run: the contract's field names, statuses and
/// categories as users' scripts read them (the temp folder masked as `{DIR}`).
#[test]
fn json_report_matches_the_golden_file() {
    let dir = tempfile::tempdir().unwrap();
    let report = run(dir.path());
    let file = dir.path().join("report.json");
    vedetta::report::json::write(&report, &file).unwrap();
    let json = std::fs::read_to_string(&file)
        .unwrap()
        .replace(&dir.path().display().to_string(), "{DIR}");
    assert_golden("report.json", &json);
}

/// What the console prints for that run, fed the events the runner sends, colour stripped as
/// on a pipe.
#[test]
fn console_output_matches_the_golden_file() {
    use vedetta::report::console::ConsoleReporter;
    use vedetta::runner::event::{Event, Reporter};
    let dir = tempfile::tempdir().unwrap();
    let report = run(dir.path());
    let mut out = anstream::StripStream::new(Vec::new());
    {
        let mut console = ConsoleReporter::new(&mut out, false);
        for j in &report.journeys {
            console.on_event(&Event::JourneyStarted {
                journey: j.name.clone(),
                title: j.title.clone(),
                attempt: j.attempts,
                attempts_allowed: j.attempts,
            });
            for step in &j.steps {
                console.on_event(&Event::StepFinished {
                    journey: j.name.clone(),
                    step: step.clone(),
                });
            }
            console.on_event(&Event::JourneyFinished { result: j.clone() });
        }
        console.run_summary(&report).unwrap();
    }
    let text = String::from_utf8(out.into_inner())
        .unwrap()
        .replace(&dir.path().display().to_string(), "{DIR}");
    assert_golden("report.console.txt", &text);
}
