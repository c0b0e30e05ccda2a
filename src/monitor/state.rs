//! What the monitor knows of each journey now: whether it is up, down, blind or not run yet,
//! and what it is doing (running, next run). The daemon writes it after every run; the status
//! page, the API and `/metrics` read a journey's state from here and nowhere else.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;

use super::alert::AlertState;
use super::store::{RunRow, RunStatus};

/// A watched journey, as the API and status page describe it.
#[derive(Debug, Clone, Serialize)]
pub struct JourneyInfo {
    pub name: String,
    pub title: Option<String>,
    pub file: String,
    pub schedule: String,
    pub steps: usize,
}

/// What a journey is doing now.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Live {
    pub running_since_ms: Option<i64>,
    pub next_run_ms: Option<i64>,
}

/// A journey's state as people and the API name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JourneyState {
    /// The last run passed.
    Up,
    /// The last run failed, not (yet) enough for an alert.
    Failing,
    /// A degraded alert is on: the site works, but slowly.
    Degraded,
    /// A down alert is on.
    Down,
    /// The monitor cannot run the journey (a blind alert is on).
    Blind,
    /// No run yet.
    Pending,
    /// A maintenance window holds it: runs are recorded, no alert is sent.
    Maintenance,
}

impl JourneyState {
    pub fn as_str(self) -> &'static str {
        match self {
            JourneyState::Up => "up",
            JourneyState::Failing => "failing",
            JourneyState::Degraded => "degraded",
            JourneyState::Down => "down",
            JourneyState::Blind => "blind",
            JourneyState::Pending => "pending",
            JourneyState::Maintenance => "maintenance",
        }
    }
}

/// What the runs so far say of a journey.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Health {
    /// The last run that saw the site passed (or was flaky): `Some(true)`; failed:
    /// `Some(false)`; none yet: `None`. Error and cancelled runs saw nothing of the site.
    pub up: Option<bool>,
    /// A down alert is on.
    pub down: bool,
    /// A blind alert is on.
    pub blind: bool,
    /// A degraded alert is on.
    pub degraded: bool,
}

impl Health {
    /// After a restart: from the last runs (newest first) and the alerts that are on.
    pub fn restore(last_runs: &[RunRow], alerts: &AlertState) -> Health {
        let mut health = Health {
            up: last_runs.iter().find_map(|r| saw_site(r.status)),
            ..Health::default()
        };
        health.alerts(alerts);
        health
    }

    /// After a finished run, with the alerts as it left them.
    pub fn observe(&mut self, status: RunStatus, alerts: &AlertState) {
        if let Some(up) = saw_site(status) {
            self.up = Some(up);
        }
        self.alerts(alerts);
    }

    fn alerts(&mut self, alerts: &AlertState) {
        self.down = alerts.down().is_some();
        self.blind = alerts.blind().is_some();
        self.degraded = alerts.degraded().is_some();
    }

    /// An alert that is on wins over the last run; the site's (down, then degraded) over
    /// blind, which says only that the monitor cannot see now.
    pub fn state(&self) -> JourneyState {
        if self.down {
            JourneyState::Down
        } else if self.degraded {
            JourneyState::Degraded
        } else if self.blind {
            JourneyState::Blind
        } else {
            match self.up {
                Some(true) => JourneyState::Up,
                Some(false) => JourneyState::Failing,
                None => JourneyState::Pending,
            }
        }
    }
}

/// `Some(up)` for a run that reached the site.
fn saw_site(status: RunStatus) -> Option<bool> {
    match status {
        RunStatus::Passed | RunStatus::Flaky => Some(true),
        RunStatus::Failed => Some(false),
        RunStatus::Error | RunStatus::Cancelled => None,
    }
}

/// One journey now.
#[derive(Debug, Clone, Default)]
pub struct JourneyNow {
    pub health: Health,
    pub live: Live,
}

impl JourneyNow {
    pub fn state(&self) -> JourneyState {
        self.health.state()
    }
}

/// Every journey now, by name. A journey not in it is pending and idle.
#[derive(Debug, Default)]
pub struct States {
    by_name: Mutex<BTreeMap<String, JourneyNow>>,
}

impl States {
    /// The journeys' health as the history left it.
    pub fn new(health: impl IntoIterator<Item = (String, Health)>) -> States {
        let by_name = health
            .into_iter()
            .map(|(name, health)| {
                let now = JourneyNow {
                    health,
                    live: Live::default(),
                };
                (name, now)
            })
            .collect();
        States {
            by_name: Mutex::new(by_name),
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, JourneyNow>> {
        // Every update is a plain assignment: a panic elsewhere cannot leave one half done.
        self.by_name.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn get(&self, name: &str) -> JourneyNow {
        self.lock().get(name).cloned().unwrap_or_default()
    }

    /// Every journey's health, by name (what `/metrics` shows).
    pub fn health(&self) -> BTreeMap<String, Health> {
        self.lock()
            .iter()
            .map(|(name, now)| (name.clone(), now.health))
            .collect()
    }

    pub fn update(&self, name: &str, change: impl FnOnce(&mut JourneyNow)) {
        change(self.lock().entry(name.to_string()).or_default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::alert::{AlertRules, DownRule, Observation, Outcome};

    fn alerts(outcomes: &[Outcome]) -> AlertState {
        let mut state = AlertState::new(AlertRules {
            down: DownRule::Consecutive(2),
            recover_after: 1,
            blind_after: 2,
            degraded_after: 2,
        });
        for (i, outcome) in outcomes.iter().enumerate() {
            state.observe(Observation {
                outcome: *outcome,
                at_ms: i as i64,
            });
        }
        state
    }

    #[test]
    fn only_runs_that_reached_the_site_move_up_and_alerts_win() {
        let mut h = Health::default();
        assert_eq!(h.state(), JourneyState::Pending);
        h.observe(RunStatus::Cancelled, &alerts(&[]));
        assert_eq!(
            h.state(),
            JourneyState::Pending,
            "a cancelled run says nothing"
        );
        h.observe(RunStatus::Flaky, &alerts(&[Outcome::Flaky]));
        assert_eq!(h.state(), JourneyState::Up, "flaky counts as up");
        h.observe(RunStatus::Failed, &alerts(&[Outcome::Failed]));
        assert_eq!(
            h.state(),
            JourneyState::Failing,
            "one failure: no alert yet"
        );
        let down = alerts(&[Outcome::Failed, Outcome::Failed]);
        h.observe(RunStatus::Failed, &down);
        assert_eq!(h.state(), JourneyState::Down);
        let blind = alerts(&[Outcome::Passed, Outcome::Error, Outcome::Error]);
        h.observe(RunStatus::Error, &blind);
        assert_eq!(
            h.up,
            Some(false),
            "an error run leaves `up` as the site was last seen"
        );
        assert_eq!(h.state(), JourneyState::Blind);
        h.observe(RunStatus::Passed, &alerts(&[Outcome::Passed]));
        assert_eq!(h.state(), JourneyState::Up);
    }

    #[test]
    fn down_wins_over_blind() {
        let h = Health {
            up: Some(true),
            down: true,
            blind: true,
            degraded: false,
        };
        assert_eq!(h.state(), JourneyState::Down);
    }

    #[test]
    fn degraded_is_its_own_state_under_down_and_over_blind() {
        let mut h = Health::default();
        let slow = alerts(&[Outcome::Degraded, Outcome::Degraded]);
        h.observe(RunStatus::Passed, &slow);
        assert_eq!(h.state(), JourneyState::Degraded);
        assert_eq!(h.up, Some(true), "a slow run reached the site and passed");
        h.blind = true;
        assert_eq!(h.state(), JourneyState::Degraded);
        h.down = true;
        assert_eq!(h.state(), JourneyState::Down);
    }

    #[test]
    fn a_restart_reads_up_from_the_newest_run_that_reached_the_site() {
        let row = |id: i64, status| RunRow {
            id,
            journey: "card".into(),
            started_at: String::new(),
            started_at_ms: id,
            finished_at_ms: id,
            duration_ms: 0,
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
        let newest_first = [
            row(4, RunStatus::Cancelled),
            row(3, RunStatus::Error),
            row(2, RunStatus::Failed),
            row(1, RunStatus::Passed),
        ];
        let h = Health::restore(&newest_first, &alerts(&[]));
        assert_eq!(h.up, Some(false));
        assert_eq!(h.state(), JourneyState::Failing);
        assert_eq!(
            Health::restore(&newest_first[..1], &alerts(&[])).state(),
            JourneyState::Pending
        );
        let on = alerts(&[Outcome::Failed, Outcome::Failed]);
        assert_eq!(
            Health::restore(&newest_first, &on).state(),
            JourneyState::Down
        );
    }

    #[test]
    fn unknown_journeys_are_pending_and_updates_keep_the_rest() {
        let states = States::new([("card".to_string(), Health::default())]);
        assert_eq!(states.get("nobody").state(), JourneyState::Pending);
        states.update("card", |now| now.live.running_since_ms = Some(5));
        states.update("card", |now| now.health.up = Some(true));
        let card = states.get("card");
        assert_eq!(card.live.running_since_ms, Some(5));
        assert_eq!(card.state(), JourneyState::Up);
        assert_eq!(states.health().len(), 1);
    }
}
