//! `--junit FILE`: JUnit XML for CI systems — a `<testsuite>` per journey, a `<testcase>` per
//! step.
//!
//! The site failing a step is a `<failure>` (its `type` is the failure category); the harness
//! failing (category `infrastructure`, or a journey whose status is `error`) is an `<error>`, so
//! CI can tell "the site is broken" from "the robot is broken". Skipped steps are `<skipped>`
//! with the reason. A failed `optional` step is also `<skipped>`, with the failure as its
//! message: it is reported but, as in the console, it does not fail the run.
//!
//! A slow run passed: its slow steps are successes with a `slow:` note in their `<system-out>`,
//! and the suite gets the property `degraded` and the whole list in its own `<system-out>` —
//! never a `<failure>` (`--fail-on-slow` is the exit code's business).
//!
//! The failure screenshot is named in the test case's `<system-out>` as
//! `[[ATTACHMENT|path]]`, the convention of Jenkins' JUnit Attachments plugin (absolute path)
//! and of GitLab's unit test reports (path relative to the project, first match only) — so the
//! relative line comes first, then the absolute one.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use quick_junit::{
    NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestRerun, TestSuite,
};

use super::human_duration;
use crate::evidence::annotate::annotated_path;
use crate::runner::result::{
    FailureCategory, JourneyResult, JourneyStatus, RunReport, SlowStep, StepResult, StepStatus,
};

/// Writes `report` as JUnit XML to `path`.
pub fn write(report: &RunReport, path: &Path) -> io::Result<()> {
    let xml = render(report, &std::env::current_dir()?)?;
    std::fs::write(path, xml)
}

/// The JUnit XML for `report`; relative screenshot paths are taken relative to `cwd`.
pub fn render(report: &RunReport, cwd: &Path) -> io::Result<String> {
    let mut junit = Report::new("vedetta");
    junit.set_time(ms(report.duration_ms));
    for journey in &report.journeys {
        junit.add_test_suite(suite(journey, cwd));
    }
    junit.to_string().map_err(io::Error::other)
}

fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn suite(journey: &JourneyResult, cwd: &Path) -> TestSuite {
    let mut suite = TestSuite::new(journey.name.as_str());
    suite.set_time(ms(journey.duration_ms));
    suite
        .extra
        .insert("timestamp".into(), journey.started_at.as_str().into());
    suite.add_properties([
        Property::new("file", journey.file.as_str()),
        Property::new("status", journey.status.as_str()),
        Property::new("attempts", journey.attempts.to_string()),
    ]);
    if let Some(title) = &journey.title {
        suite.add_property(Property::new("title", title.as_str()));
    }
    if journey.degraded {
        suite.add_property(Property::new("degraded", "true"));
        let mut notes: Vec<String> = journey.slow.iter().map(slow_note).collect();
        notes.push(String::new());
        suite.set_system_out(notes.join("\n"));
    }

    let harness_failed = journey.status == JourneyStatus::Error;
    let mut any_error = false;
    for step in &journey.steps {
        let case = test_case(journey, step, harness_failed, cwd);
        any_error |= matches!(
            case.status,
            TestCaseStatus::NonSuccess {
                kind: NonSuccessKind::Error,
                ..
            }
        );
        suite.add_test_case(case);
    }
    // The harness gave up without blaming a step (no browser, grid unreachable, interrupted):
    // still an `<error>` CI must see, on a test case of its own.
    if harness_failed && !any_error {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_type(FailureCategory::Infrastructure.as_str());
        status.set_message(
            journey
                .error
                .as_deref()
                .unwrap_or("the harness could not run the journey"),
        );
        let mut case = TestCase::new("00 run the journey", status);
        case.set_classname(journey.name.as_str());
        suite.add_test_case(case);
    }
    suite
}

fn test_case(
    journey: &JourneyResult,
    step: &StepResult,
    harness_failed: bool,
    cwd: &Path,
) -> TestCase {
    let location = format!("at {}:{}:{}", step.file, step.line, step.column);
    let mut out = Vec::new();
    let status = match (step.status, &step.failure) {
        (StepStatus::Passed, _) => {
            if let Some(threshold) = step.slow_threshold_ms {
                out.push(format!(
                    "slow: took {}, over its slow: {} (passed; the run is degraded)",
                    human_duration(step.duration_ms),
                    human_duration(threshold)
                ));
            }
            let mut status = TestCaseStatus::success();
            for rerun in earlier_failures(journey, step.index) {
                status.add_rerun(rerun);
            }
            status
        }
        (StepStatus::Skipped, _) => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(step.skip_reason.as_deref().unwrap_or("skipped"));
            status
        }
        (StepStatus::Failed, failure) => {
            let category = failure.as_ref().map(|f| f.category);
            let message = failure
                .as_ref()
                .map(|f| f.message.as_str())
                .unwrap_or("the step failed");
            let category_name = category.map(|c| c.as_str()).unwrap_or("failed");
            let mut status = if step.optional {
                let mut s = TestCaseStatus::skipped();
                s.set_message(format!("optional step failed ({category_name}): {message}"));
                s
            } else {
                let kind = if harness_failed || category == Some(FailureCategory::Infrastructure) {
                    NonSuccessKind::Error
                } else {
                    NonSuccessKind::Failure
                };
                let mut s = TestCaseStatus::non_success(kind);
                s.set_type(category_name).set_message(message);
                s
            };
            status.set_description(format!("{message}\n{location}"));
            out.push(location.clone());
            if let Some(f) = failure {
                if let Some(url) = &f.url {
                    out.push(format!("page: {url}"));
                }
                if let Some(evidence) = &f.evidence {
                    out.push(format!("evidence: {evidence}"));
                }
                if let Some(shot) = &f.screenshot {
                    out.push(format!("screenshot: {shot}"));
                    out.extend(attachment_lines(shot, cwd));
                }
            }
            status
        }
    };
    if let Some(shot) = &step.screenshot {
        out.push(format!("screenshot: {shot}"));
        out.extend(attachment_lines(shot, cwd));
    }

    let mut case = TestCase::new(format!("{:02} {}", step.index, step.name), status);
    case.set_classname(journey.name.as_str());
    case.set_time(ms(step.duration_ms));
    if !out.is_empty() {
        out.push(String::new());
        case.set_system_out(out.join("\n"));
    }
    case
}

/// `slow: step 3 view balance took 4.1 s, over its slow: 2.0 s`.
fn slow_note(s: &SlowStep) -> String {
    let what = if s.index == 0 {
        "the journey's steps together".to_string()
    } else {
        format!("step {} {}", s.index, s.name)
    };
    format!(
        "slow: {what} took {}, over its slow: {}",
        human_duration(s.duration_ms),
        human_duration(s.threshold_ms)
    )
}

/// Failures of this step in earlier attempts of a journey that passed in the end (flaky):
/// `<flakyFailure>`, so CI shows the step passed only on a retry.
fn earlier_failures(journey: &JourneyResult, index: usize) -> Vec<TestRerun> {
    journey
        .previous_attempts
        .iter()
        .flat_map(|a| a.steps.iter())
        .filter(|s| s.index == index && s.status == StepStatus::Failed)
        .map(|s| {
            let kind = match s.failure.as_ref().map(|f| f.category) {
                Some(FailureCategory::Infrastructure) => NonSuccessKind::Error,
                _ => NonSuccessKind::Failure,
            };
            let mut rerun = TestRerun::new(kind);
            rerun.set_time(ms(s.duration_ms));
            if let Some(f) = &s.failure {
                rerun
                    .set_type(f.category.as_str())
                    .set_message(f.message.as_str());
            }
            rerun
        })
        .collect()
}

/// `[[ATTACHMENT|…]]` lines for a screenshot (its annotated copy when there is one): relative
/// to the project first (GitLab takes the first), then absolute (Jenkins). None when the file
/// is gone.
fn attachment_lines(shot: &str, cwd: &Path) -> Vec<String> {
    let raw = Path::new(shot);
    let annotated = annotated_path(raw);
    let absolute = |p: &Path| -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            cwd.join(p)
        }
    };
    let chosen = if absolute(&annotated).is_file() {
        annotated
    } else if absolute(raw).is_file() {
        raw.to_path_buf()
    } else {
        return Vec::new(); // nothing a CI server could attach
    };
    let abs = absolute(&chosen);
    let rel = if chosen.is_relative() {
        Some(chosen.clone())
    } else {
        chosen.strip_prefix(cwd).ok().map(Path::to_path_buf)
    };
    let mut lines = Vec::new();
    if let Some(rel) = rel {
        lines.push(format!("[[ATTACHMENT|{}]]", rel.display()));
    }
    lines.push(format!("[[ATTACHMENT|{}]]", abs.display()));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_run_is_a_passing_suite_with_notes_never_a_failure() {
        let step = StepResult {
            index: 2,
            depth: 0,
            name: "view balance".into(),
            action: "wait_for".into(),
            component: "Journey".into(),
            file: "j.yaml".into(),
            line: 7,
            column: 5,
            status: StepStatus::Passed,
            duration_ms: 4_100,
            optional: false,
            failure: None,
            skip_reason: None,
            screenshot: None,
            slow_threshold_ms: Some(2_000),
            timing: None,
            log: None,
            warnings: Vec::new(),
        };
        let slow = SlowStep {
            index: 2,
            name: "view balance".into(),
            duration_ms: 4_100,
            threshold_ms: 2_000,
        };
        let report = RunReport {
            vedetta_version: "0.1.0".into(),
            started_at: "2026-09-26T11:30:00Z".into(),
            duration_ms: 4_200,
            interrupted: None,
            journeys: vec![JourneyResult {
                name: "card".into(),
                title: None,
                file: "j.yaml".into(),
                status: JourneyStatus::Passed,
                attempts: 1,
                started_at: "2026-09-26T11:30:00Z".into(),
                duration_ms: 4_150,
                steps: vec![step],
                error: None,
                previous_attempts: vec![],
                degraded: true,
                slow: vec![slow],
                browser_start_ms: 0,
                device: None,
            }],
        };
        let xml = render(&report, Path::new("/")).unwrap();
        assert!(!xml.contains("<failure"), "{xml}");
        assert!(xml.contains("failures=\"0\""), "{xml}");
        assert!(
            xml.contains("<property name=\"degraded\" value=\"true\"/>"),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<system-out>slow: took 4.1 s, over its slow: 2.0 s (passed; the run is degraded)\n</system-out>"
            ),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<system-out>slow: step 2 view balance took 4.1 s, over its slow: 2.0 s\n</system-out>"
            ),
            "{xml}"
        );
    }

    #[test]
    fn attachments_are_relative_then_absolute_and_prefer_the_annotated_copy() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        std::fs::create_dir_all(cwd.join("shots")).unwrap();
        std::fs::write(cwd.join("shots/01-open.png"), b"raw").unwrap();
        let lines = attachment_lines("shots/01-open.png", cwd);
        assert_eq!(
            lines,
            [
                "[[ATTACHMENT|shots/01-open.png]]".to_string(),
                format!("[[ATTACHMENT|{}]]", cwd.join("shots/01-open.png").display()),
            ]
        );
        std::fs::write(cwd.join("shots/01-open.annotated.png"), b"ann").unwrap();
        let abs = cwd.join("shots/01-open.png");
        let lines = attachment_lines(abs.to_str().unwrap(), cwd);
        assert_eq!(lines[0], "[[ATTACHMENT|shots/01-open.annotated.png]]");
        assert_eq!(
            lines[1],
            format!(
                "[[ATTACHMENT|{}]]",
                cwd.join("shots/01-open.annotated.png").display()
            )
        );
        // Outside the project: only the absolute path can be given.
        let elsewhere = tempfile::tempdir().unwrap();
        let shot = elsewhere.path().join("x.png");
        std::fs::write(&shot, b"raw").unwrap();
        let lines = attachment_lines(shot.to_str().unwrap(), cwd);
        assert_eq!(lines, [format!("[[ATTACHMENT|{}]]", shot.display())]);
        // Gone: nothing to attach.
        assert!(attachment_lines("shots/gone.png", cwd).is_empty());
    }
}
