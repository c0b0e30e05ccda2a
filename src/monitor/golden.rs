//! What the monitor tells the outside world, byte for byte: the generic webhook's JSON, Slack's
//! JSON, the `/metrics` exposition and the status page, built from hand-made runs (fixed times
//! and durations, no browser) and compared with the files in `tests/golden/`.
//!
//! A change to one of these is a change to what people build on (alert routing, Slack apps,
//! dashboards and Prometheus rules, the page on the wall). If it is on purpose, rewrite the files with
//! `UPDATE_GOLDEN=1 cargo test --lib monitor::golden` (`VEDETTA_BLESS=1` works too) and review
//! the diff.

use std::path::PathBuf;

use std::collections::BTreeMap;

use super::alert::{AlertRules, AlertState, DownRule, Observation, Transition};
use super::announce::Announcer;
use super::metrics::{Metrics, RunSample};
use super::notify::Alert;
use super::state::Health;
use super::store::{FailureRecord, NewRun, RunStatus};
use crate::runner::result::SlowStep;

const BASE: &str = "http://127.0.0.1:9090";
const JOURNEY: &str = "card-balance";
const TITLE: &str = "Card balance after SMS login";
/// 2026-11-25T11:30:00Z.
const T0: i64 = 1_795_606_200_000;

/// Compares `actual` with `tests/golden/<name>`; rewrites the file instead when asked to.
fn assert_golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    let bless = ["UPDATE_GOLDEN", "VEDETTA_BLESS"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|v| v != "0"));
    if bless {
        std::fs::write(&path, actual).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; write it with UPDATE_GOLDEN=1", path.display()));
    assert!(
        actual == want,
        "{name} changed; if on purpose, rerun with UPDATE_GOLDEN=1 and review the diff\n\
         --- want\n{want}\n--- got\n{actual}"
    );
}

fn run(status: RunStatus, started_at_ms: i64) -> NewRun {
    NewRun {
        journey: JOURNEY.into(),
        location: String::new(),
        evidence_key: format!("{JOURNEY}/20261125T113000-000"),
        started_at_ms,
        finished_at_ms: started_at_ms + 12_340,
        duration_ms: 12_340,
        status,
        attempts: 1,
        error: None,
        failure: None,
        steps: Vec::new(),
        evidence: None,
        degraded: false,
        slow: Vec::new(),
        maintenance: false,
    }
}

/// One alert of each kind, as the daemon makes them from the runs that caused them.
fn alerts() -> Vec<Alert> {
    let since = T0;
    let mut failed = run(RunStatus::Failed, T0 + 120_000);
    failed.failure = Some(FailureRecord {
        step_index: 6,
        step_name: "wait for the <SMS> code".into(),
        category: "otp_not_received".into(),
        message: "no code arrived in 30s\n  the page says: \"try again later\" & <b>call us</b>"
            .into(),
        url: Some("http://127.0.0.1:7878/login/otp".into()),
        screenshot: Some(
            "/var/lib/vedetta/evidence/card-balance/20261125T113200-000/card-balance/06-wait.png"
                .into(),
        ),
        evidence: Some(
            "/var/lib/vedetta/evidence/card-balance/20261125T113200-000/card-balance".into(),
        ),
    });
    let passed = run(RunStatus::Passed, T0 + 3_725_000);
    let mut error = run(RunStatus::Error, T0 + 7_200_000);
    error.error = Some("cannot start the browser: chromedriver\nnot found on PATH".into());
    let sighted = run(RunStatus::Passed, T0 + 7_290_000);
    let mut slow = run(RunStatus::Passed, T0 + 9_000_000);
    slow.degraded = true;
    slow.slow = vec![
        SlowStep {
            index: 10,
            name: "view the card <balance>".into(),
            duration_ms: 4_100,
            threshold_ms: 2_000,
        },
        SlowStep {
            index: 0,
            name: JOURNEY.into(),
            duration_ms: 9_250,
            threshold_ms: 8_000,
        },
    ];
    let fast = run(RunStatus::Passed, T0 + 9_600_000);
    let titled = Announcer {
        base_url: BASE.into(),
        journey: JOURNEY.into(),
        title: Some(TITLE.into()),
    };
    let untitled = Announcer {
        title: None,
        ..titled.clone()
    };
    vec![
        titled.alert(&failed, 42, Transition::Down { since_ms: since }),
        titled.alert(
            &passed,
            45,
            Transition::Recovered {
                since_ms: since,
                at_ms: passed.started_at_ms,
            },
        ),
        untitled.alert(
            &error,
            50,
            Transition::Blind {
                since_ms: error.started_at_ms - 60_000,
            },
        ),
        untitled.alert(
            &sighted,
            51,
            Transition::Sighted {
                since_ms: error.started_at_ms - 60_000,
                at_ms: sighted.started_at_ms,
            },
        ),
        titled.alert(
            &slow,
            60,
            Transition::Degraded {
                since_ms: slow.started_at_ms - 60_000,
            },
        ),
        titled.alert(
            &fast,
            61,
            Transition::DegradedRecovered {
                since_ms: slow.started_at_ms - 60_000,
                at_ms: fast.started_at_ms,
            },
        ),
        titled.alert(
            &slow,
            62,
            Transition::DownToDegraded {
                down_since_ms: since,
                at_ms: slow.started_at_ms,
            },
        ),
    ]
}

/// The payloads as their receivers get them (the same JSON values, pretty-printed to be
/// read), the version masked so that a release does not rewrite the files.
fn payloads(shape: impl Fn(&Alert) -> serde_json::Value) -> String {
    let all: Vec<serde_json::Value> = alerts().iter().map(shape).collect();
    let text = serde_json::to_string_pretty(&all).unwrap() + "\n";
    text.replace(
        &format!("\"vedetta_version\": \"{}\"", env!("CARGO_PKG_VERSION")),
        "\"vedetta_version\": \"{VERSION}\"",
    )
}

#[test]
fn webhook_payloads_match_the_golden_file() {
    assert_golden("monitor-webhook.json", &payloads(Alert::webhook_payload));
}

#[test]
fn slack_payloads_match_the_golden_file() {
    assert_golden("monitor-slack.json", &payloads(Alert::slack_payload));
}

#[test]
fn teams_payloads_match_the_golden_file() {
    assert_golden(
        "monitor-teams.json",
        &payloads(super::channels::teams_payload),
    );
}

#[test]
fn pagerduty_events_match_the_golden_file() {
    let pd = super::channels::PagerDuty {
        routing_key: "R0UTINGKEY0000000000000000000000".into(),
        url: super::channels::DEFAULT_EVENTS_URL.into(),
    };
    assert_golden("monitor-pagerduty.json", &payloads(|a| pd.payload(a)));
}

/// What an Alertmanager is posted for each alert in turn: the state that ended (with `endsAt`,
/// its labels as it fired), then the one that began.
#[test]
fn alertmanager_posts_match_the_golden_file() {
    let am = super::channels::Alertmanager::new(
        "http://127.0.0.1:9093",
        super::channels::DEFAULT_RESEND,
    );
    let posts: Vec<serde_json::Value> = alerts()
        .iter()
        .map(|a| serde_json::Value::Array(am.alerts_for(a)))
        .collect();
    assert_golden(
        "monitor-alertmanager.json",
        &(serde_json::to_string_pretty(&posts).unwrap() + "\n"),
    );
    // Still firing after all of them: the degraded state the last alert began.
    let firing = am.firing();
    assert_eq!(firing.len(), 1);
    assert_eq!(firing[0]["labels"]["alertname"], "VedettaJourneyDegraded");
}

/// The e-mail of each alert: its subject and plain-text body.
#[test]
fn email_texts_match_the_golden_file() {
    use super::channels::Email;
    let text: String = alerts()
        .iter()
        .map(|a| {
            format!(
                "Subject: {}\n\n{}\n----\n",
                Email::subject(a),
                Email::body(a).replace(env!("CARGO_PKG_VERSION"), "{VERSION}")
            )
        })
        .collect();
    assert_golden("monitor-email.txt", &text);
}

/// The metrics and the journeys' states as the daemon keeps them: each run observed by the
/// alert rules, counted, and the journey's health updated.
#[derive(Default)]
struct Daemon {
    metrics: Metrics,
    alerts: BTreeMap<String, AlertState>,
    health: BTreeMap<String, Health>,
}

impl Daemon {
    fn observe(&mut self, journey: &str, sample: RunSample<'_>) {
        let status = RunStatus::parse(sample.status);
        let alerts = self.alerts.entry(journey.into()).or_insert_with(|| {
            AlertState::new(AlertRules {
                down: DownRule::Consecutive(2),
                recover_after: 1,
                blind_after: 1,
                degraded_after: 2,
            })
        });
        if let Some(outcome) = status.outcome() {
            alerts.observe(Observation {
                outcome,
                at_ms: (sample.finished_s * 1000.0) as i64,
            });
        }
        self.metrics.observe(journey, sample);
        self.health
            .entry(journey.into())
            .or_default()
            .observe(status, alerts);
    }

    /// A configured journey that has not run yet.
    fn add(&mut self, journey: &str) {
        self.metrics.journey(journey);
        self.health.entry(journey.into()).or_default();
    }
}

/// Three journeys: one down after failures of two kinds (step names needing escapes), one
/// blind, one not run yet.
#[test]
fn metrics_exposition_matches_the_golden_file() {
    let mut daemon = Daemon::default();
    let s = |t: i64| t as f64 / 1000.0;
    daemon.observe(
        JOURNEY,
        RunSample {
            status: "passed",
            finished_s: s(T0),
            duration_s: 4.25,
            failure_category: None,
            steps: vec![(1, "open the home page".into(), 1.5)],
            ttfb: vec![(1, "open the home page".into(), 0.125)],
        },
    );
    daemon.observe(
        JOURNEY,
        RunSample {
            status: "failed",
            finished_s: s(T0 + 60_000),
            duration_s: 31.5,
            failure_category: Some("timeout"),
            steps: vec![(1, "open the home page".into(), 1.5)],
            ttfb: vec![(1, "open the home page".into(), 0.125)],
        },
    );
    daemon.observe(
        JOURNEY,
        RunSample {
            status: "cancelled",
            finished_s: s(T0 + 90_000),
            duration_s: 2.0,
            failure_category: None,
            steps: vec![],
            ttfb: vec![],
        },
    );
    daemon.observe(
        JOURNEY,
        RunSample {
            status: "failed",
            finished_s: s(T0 + 120_000),
            duration_s: 12.34,
            failure_category: Some("otp_not_received"),
            steps: vec![
                (1, "open the home page".into(), 1.25),
                (2, "type \"user\" \\ pass".into(), 0.5),
                (6, "wait for the\nSMS code".into(), 10.59),
            ],
            ttfb: vec![(1, "open the home page".into(), 0.25)],
        },
    );
    daemon.observe(
        "transfer",
        RunSample {
            status: "passed",
            finished_s: s(T0 + 5_000),
            duration_s: 0.8,
            failure_category: None,
            steps: vec![(1, "open".into(), 0.8)],
            ttfb: vec![],
        },
    );
    // That run passed, slowly: the step over its threshold, and the journey as a whole.
    daemon.metrics.observe_slow(
        "transfer",
        "passed",
        &[
            SlowStep {
                index: 1,
                name: "open".into(),
                duration_ms: 800,
                threshold_ms: 500,
            },
            SlowStep {
                index: 0,
                name: "transfer".into(),
                duration_ms: 800,
                threshold_ms: 750,
            },
        ],
    );
    // An error run says nothing of the site: the list stays.
    daemon.metrics.observe_slow("transfer", "error", &[]);
    daemon.observe(
        "transfer",
        RunSample {
            status: "error",
            finished_s: s(T0 + 65_000),
            duration_s: 0.1,
            failure_category: None,
            steps: vec![],
            ttfb: vec![],
        },
    );
    daemon.add("statements");
    assert_golden("metrics.prom", &daemon.metrics.render(&daemon.health));
}

/// The status page with a journey down (an open incident with its symptoms, a closed one
/// before it), one blind while running, one not run yet.
#[test]
fn status_page_matches_the_golden_file() {
    use super::state::{JourneyInfo, JourneyState, Live};
    use super::status_page::{JourneyPage, PageData, render};
    use super::store::{Incident, IncidentKind, RunRow, Symptom};

    let row = |id: i64, status: RunStatus, started_at_ms: i64| RunRow {
        id,
        journey: JOURNEY.into(),
        started_at: crate::time::rfc3339_ms(started_at_ms),
        started_at_ms,
        finished_at_ms: started_at_ms + 12_340,
        duration_ms: 12_340,
        status,
        attempts: 1,
        error: None,
        failure: None,
        evidence: None,
        steps: None,
        degraded: false,
        slow: Vec::new(),
        maintenance: false,
    };
    let mut failed = row(42, RunStatus::Failed, T0 + 120_000);
    failed.failure = Some(FailureRecord {
        step_index: 6,
        step_name: "wait for the <SMS> code".into(),
        category: "otp_not_received".into(),
        message: "no code arrived in 30s & <b>call us</b>".into(),
        url: None,
        screenshot: Some("/x/06.png".into()),
        evidence: None,
    });
    let mut error = row(50, RunStatus::Error, T0 + 100_000);
    error.journey = "transfer".into();
    error.error = Some("cannot start the browser".into());
    let info = |name: &str, title: Option<&str>| JourneyInfo {
        name: name.into(),
        title: title.map(str::to_string),
        file: format!("journeys/{name}.yaml"),
        schedule: "every 5m (jitter 30s)".into(),
        steps: 7,
    };
    let incident = |id, since_ms, closed_at_ms: Option<i64>| Incident {
        id,
        journey: JOURNEY.into(),
        kind: IncidentKind::Down,
        since_ms,
        since: crate::time::rfc3339_ms(since_ms),
        opened_run: 41,
        closed_at_ms,
        closed_run: closed_at_ms.map(|_| 45),
        step_index: Some(6),
        step_name: Some("wait for the <SMS> code".into()),
        category: Some("otp_not_received".into()),
        message: Some("no code arrived in 30s & <b>call us</b>".into()),
    };
    let page = PageData {
        components: Vec::new(),
        public_incidents: Vec::new(),
        now_ms: T0 + 300_000,
        journeys: vec![
            JourneyPage {
                maintenance: None,
                locations: Vec::new(),
                info: info(JOURNEY, Some(TITLE)),
                state: JourneyState::Down,
                live: Live {
                    running_since_ms: None,
                    next_run_ms: Some(T0 + 330_000),
                },
                runs: vec![
                    failed,
                    row(41, RunStatus::Failed, T0 + 60_000),
                    row(40, RunStatus::Flaky, T0),
                    row(39, RunStatus::Cancelled, T0 - 60_000),
                ],
                incidents: vec![
                    (
                        incident(2, T0 + 60_000, None),
                        vec![Symptom {
                            step_index: 6,
                            step_name: "wait for the <SMS> code".into(),
                            category: "otp_not_received".into(),
                            runs: 2,
                            last_run: 42,
                        }],
                    ),
                    (incident(1, T0 - 7_200_000, Some(T0 - 3_475_000)), vec![]),
                ],
            },
            JourneyPage {
                maintenance: None,
                locations: Vec::new(),
                info: info("transfer", None),
                state: JourneyState::Blind,
                live: Live {
                    running_since_ms: Some(T0 + 290_000),
                    next_run_ms: None,
                },
                runs: vec![error],
                incidents: vec![],
            },
            JourneyPage {
                maintenance: None,
                locations: Vec::new(),
                info: info("statements", None),
                state: JourneyState::Pending,
                live: Live::default(),
                runs: vec![],
                incidents: vec![],
            },
        ],
    };
    assert_golden("monitor-status.html", &render(&page));
}
