//! Which alerts a recorded run raises, and what they say: the run is observed by the journey's
//! alert rules ([`AlertState`]), and each change they report becomes an [`Alert`] with the
//! links people follow. Pure: the daemon records, queues and delivers them.

use super::alert::{AlertState, Observation, Transition};
use super::notify::{Alert, AlertEvent, AlertFacts, AlertStep};
use super::store::NewRun;

/// The changes a run causes. A cancelled run (the daemon's shutdown) says nothing of the site
/// and leaves `state` as it was.
pub fn observe(state: &mut AlertState, run: &NewRun) -> Vec<Transition> {
    match run.outcome() {
        Some(outcome) => state.observe(Observation {
            outcome,
            at_ms: run.started_at_ms,
        }),
        None => Vec::new(),
    }
}

/// Where alerts point and what they name a journey.
#[derive(Debug, Clone)]
pub struct Announcer {
    /// `http://127.0.0.1:9090` or the configured public URL, without a trailing `/`.
    pub base_url: String,
    pub journey: String,
    pub title: Option<String>,
}

impl Announcer {
    /// The alert announcing `t`, caused by `run` (recorded as `run_id`). A down alert carries
    /// the run's failure (step, category, message, screenshot, evidence); a blind one the
    /// harness's error; a recovery or a sighting only how long it lasted.
    pub fn alert(&self, run: &NewRun, run_id: i64, t: Transition) -> Alert {
        let base = &self.base_url;
        let journey = &self.journey;
        let started = run.started_at_ms;
        let (event, previous, since_ms, at_ms, previous_since_ms) = match t {
            Transition::Down { since_ms } => (AlertEvent::Down, "up", since_ms, started, None),
            Transition::DegradedToDown { since_ms, .. } => {
                (AlertEvent::Down, "degraded", since_ms, started, None)
            }
            Transition::Recovered { since_ms, at_ms } => {
                (AlertEvent::Recovered, "down", since_ms, at_ms, None)
            }
            Transition::DegradedRecovered { since_ms, at_ms } => {
                (AlertEvent::Recovered, "degraded", since_ms, at_ms, None)
            }
            Transition::Degraded { since_ms } => {
                (AlertEvent::Degraded, "up", since_ms, started, None)
            }
            Transition::DownToDegraded {
                down_since_ms,
                at_ms,
            } => (
                AlertEvent::Degraded,
                "down",
                at_ms,
                at_ms,
                Some(down_since_ms),
            ),
            Transition::Blind { since_ms } => (AlertEvent::Blind, "", since_ms, started, None),
            Transition::Sighted { since_ms, at_ms } => {
                (AlertEvent::Sighted, "", since_ms, at_ms, None)
            }
        };
        let failure = run.failure.as_ref().filter(|_| event == AlertEvent::Down);
        let slow = if event == AlertEvent::Degraded {
            run.slow.clone()
        } else {
            Vec::new()
        };
        let first_slow = slow.first();
        Alert::new(AlertFacts {
            event,
            previous: (!previous.is_empty()).then_some(previous),
            previous_since_ms,
            journey: journey.clone(),
            title: self.title.clone(),
            at_ms,
            since_ms,
            run_id,
            step: failure
                .map(|f| AlertStep {
                    index: f.step_index,
                    name: f.step_name.clone(),
                })
                .or_else(|| {
                    first_slow.filter(|s| s.index > 0).map(|s| AlertStep {
                        index: s.index,
                        name: s.name.clone(),
                    })
                }),
            category: failure
                .map(|f| f.category.clone())
                .or_else(|| first_slow.map(|_| "slow".to_string())),
            message: match event {
                AlertEvent::Down => failure.map(|f| f.message.clone()),
                AlertEvent::Degraded => (!slow.is_empty()).then(|| {
                    slow.iter()
                        .map(super::notify::slow_summary)
                        .collect::<Vec<_>>()
                        .join("; ")
                }),
                AlertEvent::Blind => run.error.clone(),
                _ => None,
            },
            status_page: format!("{base}/#journey-{journey}"),
            screenshot_url: failure
                .and_then(|f| f.screenshot.as_ref())
                .map(|_| format!("{base}/runs/{run_id}/screenshot")),
            evidence: failure.and_then(|f| f.evidence.clone()),
            slow,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::alert::AlertRules;
    use crate::monitor::store::{FailureRecord, RunStatus};

    fn run(status: RunStatus, at_ms: i64) -> NewRun {
        NewRun {
            journey: "card".into(),
            location: String::new(),
            evidence_key: format!("card/{at_ms}"),
            started_at_ms: at_ms,
            finished_at_ms: at_ms + 500,
            duration_ms: 500,
            status,
            attempts: 1,
            error: (status == RunStatus::Error).then(|| "no browser".to_string()),
            failure: (status == RunStatus::Failed).then(|| FailureRecord {
                step_index: 2,
                step_name: "log in".into(),
                category: "outage".into(),
                message: "503".into(),
                url: None,
                screenshot: Some("/data/evidence/card/x/card/02.png".into()),
                evidence: Some("/data/evidence/card/x/card".into()),
            }),
            steps: Vec::new(),
            evidence: None,
            degraded: false,
            slow: Vec::new(),
            maintenance: false,
        }
    }

    fn announcer() -> Announcer {
        Announcer {
            base_url: "http://mon.example".into(),
            journey: "card".into(),
            title: Some("Card".into()),
        }
    }

    #[test]
    fn cancelled_runs_are_not_observed() {
        let mut state = AlertState::new(AlertRules::default());
        assert!(observe(&mut state, &run(RunStatus::Failed, 1_000)).is_empty());
        // A cancelled run between two failures neither breaks nor extends the streak.
        assert!(observe(&mut state, &run(RunStatus::Cancelled, 2_000)).is_empty());
        assert_eq!(
            observe(&mut state, &run(RunStatus::Failed, 3_000)),
            vec![Transition::Down { since_ms: 1_000 }],
            "down since the first failure, the run's start"
        );
    }

    #[test]
    fn a_down_alert_carries_the_failure_and_its_links() {
        let failed = run(RunStatus::Failed, 5_000);
        let a = announcer().alert(&failed, 42, Transition::Down { since_ms: 1_000 });
        assert_eq!(a.event, AlertEvent::Down);
        assert_eq!(a.title.as_deref(), Some("Card"));
        assert_eq!(
            a.at, "1970-01-01T00:00:05Z",
            "when the run that tripped started"
        );
        assert_eq!(a.since, "1970-01-01T00:00:01Z");
        assert_eq!(a.run_id, 42);
        assert_eq!(
            a.step,
            Some(AlertStep {
                index: 2,
                name: "log in".into()
            })
        );
        assert_eq!(a.category.as_deref(), Some("outage"));
        assert_eq!(a.message.as_deref(), Some("503"));
        assert_eq!(a.status_page, "http://mon.example/#journey-card");
        assert_eq!(
            a.screenshot_url.as_deref(),
            Some("http://mon.example/runs/42/screenshot")
        );
        assert_eq!(a.evidence.as_deref(), Some("/data/evidence/card/x/card"));
        // No screenshot taken: no link to one.
        let mut bare = failed.clone();
        bare.failure.as_mut().unwrap().screenshot = None;
        let a = announcer().alert(&bare, 43, Transition::Down { since_ms: 1_000 });
        assert_eq!(a.screenshot_url, None);
    }

    #[test]
    fn recoveries_say_how_long_and_blindness_says_why() {
        let passed = run(RunStatus::Passed, 65_000);
        let a = announcer().alert(
            &passed,
            44,
            Transition::Recovered {
                since_ms: 5_000,
                at_ms: 65_000,
            },
        );
        assert_eq!(a.event, AlertEvent::Recovered);
        assert_eq!(a.duration_seconds, Some(60));
        assert_eq!((a.step, a.category, a.message), (None, None, None));
        assert_eq!((a.screenshot_url, a.evidence), (None, None));

        let error = run(RunStatus::Error, 70_000);
        let a = announcer().alert(&error, 45, Transition::Blind { since_ms: 66_000 });
        assert_eq!(a.event, AlertEvent::Blind);
        assert_eq!(a.message.as_deref(), Some("no browser"));
        assert_eq!(a.step, None);
        assert_eq!(a.at, "1970-01-01T00:01:10Z");
        assert_eq!(a.duration_seconds, None);
    }
}
