//! What a new user writing journeys for a real app relies on: summaries that do not mislead,
//! an HTML report that shows every action's name whole, and the authoring features of the
//! journey language walked in real headless Chromium against fixture pages.

use std::path::Path;
use std::time::Duration;

use vedetta::browser::{BrowserConfig, Session};
use vedetta::evidence::annotate::annotated_path;
use vedetta::report::html;
use vedetta::runner::result::{
    Failure, FailureCategory, JourneyResult, JourneyStatus, RunReport, StepResult, StepStatus,
};

use crate::common;

fn step(index: usize, action: &str, status: StepStatus) -> StepResult {
    StepResult {
        index,
        depth: 0,
        name: format!("{action} something"),
        action: action.into(),
        file: "journeys/app.yaml".into(),
        line: 3 + index,
        column: 5,
        status,
        duration_ms: 100 * index as u64,
        optional: false,
        failure: None,
        skip_reason: None,
        screenshot: None,
    }
}

/// A report whose steps carry the longest action names, and whose failure has an annotated
/// screenshot beside the plain one.
fn report_with_long_actions(dir: &Path) -> RunReport {
    let shot = dir.join("app/06-assert-visible.png");
    std::fs::create_dir_all(shot.parent().unwrap()).unwrap();
    let png = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/demo-outage-1280x800.png"),
    )
    .unwrap();
    std::fs::write(&shot, &png).unwrap();
    std::fs::write(annotated_path(&shot), &png).unwrap();
    let actions = [
        "assert_hidden",
        "assert_title",
        "assert_text",
        "wait_for",
        "screenshot",
        "assert_visible",
    ];
    let mut steps: Vec<StepResult> = actions
        .iter()
        .enumerate()
        .map(|(i, a)| step(i + 1, a, StepStatus::Passed))
        .collect();
    let last = steps.last_mut().unwrap();
    last.status = StepStatus::Failed;
    last.optional = true;
    last.failure = Some(Failure {
        category: FailureCategory::ElementMissing,
        message: "no element matches #promo".into(),
        screenshot: Some(shot.display().to_string()),
        evidence: Some(dir.join("app").display().to_string()),
        signature: None,
        url: None,
        page_says: None,
        evidence_sha256: None,
    });
    RunReport {
        vedetta_version: "0.1.0".into(),
        started_at: "2026-09-26T11:30:00Z".into(),
        duration_ms: 2200,
        interrupted: None,
        journeys: vec![JourneyResult {
            name: "app".into(),
            title: None,
            file: "journeys/app.yaml".into(),
            status: JourneyStatus::Passed,
            attempts: 1,
            started_at: "2026-09-26T11:30:00Z".into(),
            duration_ms: 2100,
            steps,
            error: None,
            previous_attempts: vec![],
        }],
    }
}

/// The HTML report in real Chromium, at a narrow and a wide window: every action's name shows
/// whole (none cut to `assert_visibl`), the annotated screenshot's caption names the annotated
/// PNG, and a passed journey's optional failure is not counted as "failed".
#[tokio::test]
async fn html_report_shows_action_names_whole_and_captions_the_annotated_png() {
    let dir = tempfile::tempdir().unwrap();
    let report = report_with_long_actions(dir.path());
    let path = dir.path().join("report.html");
    html::write(&report, &path).unwrap();
    let page = std::fs::read_to_string(&path).unwrap();
    let annotated = annotated_path(Path::new(
        report.journeys[0].steps[5]
            .failure
            .as_ref()
            .unwrap()
            .screenshot
            .as_deref()
            .unwrap(),
    ));
    assert!(
        page.contains(&format!(
            "<figcaption>annotated screenshot · <code>{}</code>",
            annotated.display()
        )),
        "the caption does not name the annotated PNG"
    );
    assert!(
        page.contains("5 passed, 0 failed, 1 optional failure, 0 skipped"),
        "optional failure counted as failed"
    );

    let _slot = common::browser_slot().await;
    for width in [900, 1400] {
        let session = Session::start(&BrowserConfig::default(), width, 900, "authoring-html")
            .await
            .expect("headless Chromium and chromedriver must be installed");
        let measured = async {
            session
                .goto(
                    &format!("file://{}", path.display()),
                    Duration::from_secs(30),
                )
                .await?;
            session
                .execute(
                    "return [...document.querySelectorAll('.step .row')].map(row => {
                       const a = row.querySelector('.action');
                       const next = row.querySelector('.track').getBoundingClientRect();
                       const r = a.getBoundingClientRect();
                       return [a.textContent, a.scrollWidth <= a.clientWidth && r.right <= next.left];
                     });",
                    vec![],
                )
                .await
        }
        .await;
        session.close().await;
        let measured = measured.expect("render the report");
        let rows = measured.as_array().unwrap();
        assert_eq!(rows.len(), 6, "{measured}");
        for row in rows {
            assert_eq!(row[1], true, "action {} is cut at {width}px", row[0]);
        }
    }
    common::assert_no_leftover_processes("authoring-html");
}
