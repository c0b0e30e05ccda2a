//! Where journeys run from, and when a journey seen from several places is down.
//!
//! Each location (`locations:` in the config: a name, a WebDriver URL or the local driver,
//! `vars:` merged over the journey's) runs every journey on its schedule and keeps its own
//! [`AlertState`]: its own streaks, its own down, degraded and blind alerts. The journey's
//! verdict — what is recorded as an incident and announced — is taken over them by the
//! n-of-N rule in [`JourneyAlerts`]:
//! - **down** when at least `quorum` locations see it down (`alerts.locations`; by default all
//!   of them when there are two, a majority when more, the one when one — see [`quorum`]);
//! - **degraded** when at least `quorum` locations see it down or degraded, but fewer than
//!   `quorum` down;
//! - **blind** while at least one location cannot see (its grid unreachable, no browser):
//!   never evidence about the site, so a blind location never counts towards down; its blind
//!   alert says so, naming the location.
//!
//! With one location the verdict is that location's alert state itself: the transitions are
//! exactly those of [`AlertState::observe`], as before locations existed.
//!
//! Pure: no clock, no I/O. The daemon owns one [`JourneyAlerts`] per journey and feeds it each
//! location's finished runs.

use super::alert::{AlertRules, AlertState, Observation, OpenAlert, Outcome, Transition};
use super::state::Health;
use super::store::{NewRun, RunRow, RunStatus};

/// The location of a monitor without `locations:`, and of history written before them.
pub const LOCAL: &str = "local";

/// One place journeys run from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// `[A-Za-z0-9._-]+`: in metrics labels, evidence folders and alerts.
    pub name: String,
    /// The WebDriver server (a Selenium Grid there); `None`: the monitor's own driver.
    pub webdriver: Option<String>,
    /// Merged over each journey's variables (a regional base URL, a regional test account).
    pub vars: Vec<(String, String)>,
}

impl Location {
    /// The default: the monitor's own browser, the journeys' own variables.
    pub fn local() -> Location {
        Location {
            name: LOCAL.to_string(),
            webdriver: None,
            vars: Vec::new(),
        }
    }
}

/// How many locations must see a journey down for it to be down: `configured` (at most
/// `locations`), else all of them when there are two or fewer, a majority when more.
pub fn quorum(configured: Option<u32>, locations: usize) -> usize {
    let locations = locations.max(1);
    match configured {
        Some(n) => (n as usize).clamp(1, locations),
        None if locations <= 2 => locations,
        None => locations / 2 + 1,
    }
}

/// What one location sees of a journey now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Seen {
    /// Its down alert is on.
    Down,
    /// Its degraded alert is on.
    Degraded,
    /// Its last run failed, not (yet) enough for its down alert.
    Failing,
    /// It cannot see (a blind alert is on): no evidence either way.
    Blind,
    /// Its last run that reached the site passed.
    Up,
    /// No run yet.
    Pending,
}

impl Seen {
    pub fn as_str(self) -> &'static str {
        match self {
            Seen::Down => "down",
            Seen::Degraded => "degraded",
            Seen::Failing => "failing",
            Seen::Blind => "blind",
            Seen::Up => "up",
            Seen::Pending => "pending",
        }
    }

    /// `vedetta_location_state`: 0 up, 1 degraded, 2 down, 3 blind; none before a run.
    pub fn gauge(self) -> Option<f64> {
        match self {
            Seen::Up | Seen::Failing => Some(0.0),
            Seen::Degraded => Some(1.0),
            Seen::Down => Some(2.0),
            Seen::Blind => Some(3.0),
            Seen::Pending => None,
        }
    }
}

/// One location's alert state and the last thing it saw.
#[derive(Debug, Clone)]
struct AtLocation {
    name: String,
    state: AlertState,
    /// The outcome of its last run that reached the site, or `Error`.
    last: Option<Outcome>,
}

impl AtLocation {
    fn seen(&self) -> Seen {
        if self.state.blind().is_some() {
            Seen::Blind
        } else if self.state.down().is_some() {
            Seen::Down
        } else if self.state.degraded().is_some() {
            Seen::Degraded
        } else {
            match self.last {
                None => Seen::Pending,
                Some(Outcome::Failed) => Seen::Failing,
                Some(_) => Seen::Up,
            }
        }
    }
}

/// The journey's verdict over its locations: the alerts that are on (what the store's
/// incidents record).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Verdict {
    pub down: Option<OpenAlert>,
    pub degraded: Option<OpenAlert>,
    pub blind: Option<OpenAlert>,
}

/// A journey's alert states, one per location, and its verdict over them.
#[derive(Debug, Clone)]
pub struct JourneyAlerts {
    quorum: usize,
    at: Vec<AtLocation>,
    verdict: Verdict,
}

impl JourneyAlerts {
    /// One location: its state is the verdict.
    pub fn single(name: &str, state: AlertState) -> JourneyAlerts {
        JourneyAlerts::new(vec![(name.to_string(), state)], 1, Verdict::default())
    }

    /// Several locations (their states as replayed from their history), `quorum` of them to be
    /// down, and the verdict that is on (the store's open incidents).
    pub fn new(
        locations: Vec<(String, AlertState)>,
        quorum: usize,
        verdict: Verdict,
    ) -> JourneyAlerts {
        let at = locations
            .into_iter()
            .map(|(name, state)| AtLocation {
                name,
                state,
                last: None,
            })
            .collect();
        JourneyAlerts {
            quorum: quorum.max(1),
            at,
            verdict,
        }
    }

    /// After a restart, several locations: each one's state replayed from its own last runs
    /// (oldest first), the verdict that is on as the history's incidents say.
    pub fn restore(
        rules: AlertRules,
        histories: Vec<(String, Vec<Observation>)>,
        quorum: usize,
        verdict: Verdict,
    ) -> JourneyAlerts {
        let mut lasts = Vec::new();
        let states = histories
            .into_iter()
            .map(|(location, history)| {
                let mut state = AlertState::new(rules);
                for obs in &history {
                    state.observe(*obs);
                }
                lasts.push(history.last().map(|o| o.outcome));
                (location, state)
            })
            .collect();
        let mut alerts = JourneyAlerts::new(states, quorum, verdict);
        for (l, last) in alerts.at.iter_mut().zip(lasts) {
            l.last = last;
        }
        alerts
    }

    /// The journey's health after a restart: up or failing from its last runs (newest first),
    /// the alerts from the verdict.
    pub fn restored_health(&self, last_runs: &[RunRow], rules: AlertRules) -> Health {
        let mut health = Health::restore(last_runs, &AlertState::new(rules));
        let v = self.verdict();
        health.down = v.down.is_some();
        health.degraded = v.degraded.is_some();
        health.blind = v.blind.is_some();
        health
    }

    fn single_location(&self) -> bool {
        self.at.len() == 1
    }

    pub fn verdict(&self) -> Verdict {
        if self.single_location() {
            let s = &self.at[0].state;
            return Verdict {
                down: s.down(),
                degraded: s.degraded(),
                blind: s.blind(),
            };
        }
        self.verdict
    }

    /// Each location's name and what it sees, in config order.
    pub fn seen(&self) -> Vec<(String, Seen)> {
        self.at.iter().map(|l| (l.name.clone(), l.seen())).collect()
    }

    /// "down from milan, frankfurt; up from paris": which locations see what, worst first;
    /// `None` with one location (its alerts say it all).
    pub fn summary(&self) -> Option<String> {
        if self.single_location() {
            return None;
        }
        let seen = self.seen();
        let mut kinds: Vec<Seen> = seen.iter().map(|(_, s)| *s).collect();
        kinds.sort();
        kinds.dedup();
        Some(
            kinds
                .into_iter()
                .map(|kind| {
                    let names: Vec<&str> = seen
                        .iter()
                        .filter(|(_, s)| *s == kind)
                        .map(|(n, _)| n.as_str())
                        .collect();
                    format!("{} from {}", kind.as_str(), names.join(", "))
                })
                .collect::<Vec<_>>()
                .join("; "),
        )
    }

    /// A maintenance window ended at `location`: its streaks are judged afresh.
    pub fn reset_streaks(&mut self, location: usize) {
        if let Some(l) = self.at.get_mut(location) {
            l.state.reset_streaks();
        }
    }

    /// A finished run at `location`: the changes of the journey's verdict it causes. A
    /// cancelled run says nothing.
    pub fn observe(&mut self, location: usize, run: &NewRun) -> Vec<Transition> {
        let Some(outcome) = run.outcome() else {
            return Vec::new();
        };
        let Some(l) = self.at.get_mut(location) else {
            return Vec::new();
        };
        let obs = Observation {
            outcome,
            at_ms: run.started_at_ms,
        };
        l.last = Some(outcome);
        let own = l.state.observe(obs);
        if self.single_location() {
            return own;
        }
        let next = self.judge();
        let changes = transitions(self.verdict, next, obs.at_ms);
        self.verdict = next;
        changes
    }

    /// The verdict the locations' states give now.
    fn judge(&self) -> Verdict {
        // The quorum-th location to go down (or slow) is when the journey did.
        let nth_since = |mut since: Vec<i64>| -> Option<OpenAlert> {
            since.sort_unstable();
            since
                .get(self.quorum - 1)
                .map(|&since_ms| OpenAlert { since_ms })
        };
        let seeing = self.at.iter().filter(|l| l.state.blind().is_none());
        let down: Vec<i64> = seeing
            .clone()
            .filter_map(|l| l.state.down().map(|a| a.since_ms))
            .collect();
        let slow_or_down: Vec<i64> = seeing
            .filter_map(|l| l.state.down().or(l.state.degraded()).map(|a| a.since_ms))
            .collect();
        let down = nth_since(down);
        let degraded = match down {
            Some(_) => None,
            None => nth_since(slow_or_down),
        };
        let blind = self
            .at
            .iter()
            .filter_map(|l| l.state.blind().map(|a| a.since_ms))
            .min()
            .map(|since_ms| OpenAlert { since_ms });
        Verdict {
            // An alert that stays on keeps the time it began.
            down: down.map(|d| self.verdict.down.unwrap_or(d)),
            degraded: degraded.map(|d| self.verdict.degraded.unwrap_or(d)),
            blind: blind.map(|b| self.verdict.blind.unwrap_or(b)),
        }
    }

    /// The journey's health after a run at `location` with `status`: the last run that
    /// reached the site says up or failing; the verdict's alerts win.
    pub fn apply_health(&self, health: &mut Health, status: RunStatus, location: usize) {
        if let Some(l) = self.at.get(location) {
            health.observe(status, &l.state);
        }
        let v = self.verdict();
        health.down = v.down.is_some();
        health.degraded = v.degraded.is_some();
        health.blind = v.blind.is_some();
    }
}

/// The changes from verdict `was` to `now`, at a run started at `at_ms`: the monitor's sight
/// first (as a single location's state machine says `sighted` before `down`), then the site's.
fn transitions(was: Verdict, now: Verdict, at_ms: i64) -> Vec<Transition> {
    let mut out = Vec::new();
    match (was.blind, now.blind) {
        (None, Some(b)) => out.push(Transition::Blind {
            since_ms: b.since_ms,
        }),
        (Some(b), None) => out.push(Transition::Sighted {
            since_ms: b.since_ms,
            at_ms,
        }),
        _ => {}
    }
    let site = match (was.down, was.degraded, now.down, now.degraded) {
        (None, None, Some(d), _) => Some(Transition::Down {
            since_ms: d.since_ms,
        }),
        (None, Some(g), Some(d), _) => Some(Transition::DegradedToDown {
            since_ms: d.since_ms,
            degraded_since_ms: g.since_ms,
        }),
        (None, None, None, Some(g)) => Some(Transition::Degraded {
            since_ms: g.since_ms,
        }),
        (Some(d), _, None, None) => Some(Transition::Recovered {
            since_ms: d.since_ms,
            at_ms,
        }),
        (Some(d), _, None, Some(_)) => Some(Transition::DownToDegraded {
            down_since_ms: d.since_ms,
            at_ms,
        }),
        (None, Some(g), None, None) => Some(Transition::DegradedRecovered {
            since_ms: g.since_ms,
            at_ms,
        }),
        _ => None,
    };
    out.extend(site);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::alert::DownRule;

    fn rules() -> AlertRules {
        AlertRules {
            down: DownRule::Consecutive(1),
            recover_after: 1,
            blind_after: 1,
            degraded_after: 1,
        }
    }

    fn run(status: RunStatus, at_ms: i64) -> NewRun {
        NewRun {
            journey: "card".into(),
            location: String::new(),
            evidence_key: format!("card/{at_ms}"),
            started_at_ms: at_ms,
            finished_at_ms: at_ms + 1,
            duration_ms: 1,
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

    fn alerts(names: &[&str], quorum_of: Option<u32>) -> JourneyAlerts {
        let locations: Vec<_> = names
            .iter()
            .map(|n| (n.to_string(), AlertState::new(rules())))
            .collect();
        let q = quorum(quorum_of, locations.len());
        JourneyAlerts::new(locations, q, Verdict::default())
    }

    #[test]
    fn the_default_quorum_is_all_of_two_and_a_majority_of_more() {
        assert_eq!(quorum(None, 1), 1);
        assert_eq!(quorum(None, 2), 2);
        assert_eq!(quorum(None, 3), 2);
        assert_eq!(quorum(None, 4), 3);
        assert_eq!(quorum(None, 5), 3);
        assert_eq!(quorum(Some(1), 3), 1);
        assert_eq!(quorum(Some(9), 3), 3, "never more than there are");
    }

    #[test]
    fn one_of_two_down_is_no_outage_with_a_quorum_of_two() {
        let mut a = alerts(&["milan", "paris"], None);
        assert!(a.observe(0, &run(RunStatus::Failed, 1)).is_empty());
        assert!(a.observe(1, &run(RunStatus::Passed, 2)).is_empty());
        assert!(a.observe(0, &run(RunStatus::Failed, 3)).is_empty());
        assert_eq!(a.verdict().down, None);
        assert_eq!(
            a.summary().unwrap(),
            "down from milan; up from paris",
            "the summary names what each sees"
        );
        // The second location goes down: the journey is down since then.
        assert_eq!(
            a.observe(1, &run(RunStatus::Failed, 4)),
            vec![Transition::Down { since_ms: 4 }]
        );
        assert_eq!(a.summary().unwrap(), "down from milan, paris");
        // One location back is enough to end the outage (fewer than two see it down).
        assert_eq!(
            a.observe(0, &run(RunStatus::Passed, 5)),
            vec![Transition::Recovered {
                since_ms: 4,
                at_ms: 5
            }]
        );
    }

    #[test]
    fn one_of_two_down_is_an_outage_with_a_quorum_of_one() {
        let mut a = alerts(&["milan", "paris"], Some(1));
        a.observe(1, &run(RunStatus::Passed, 1));
        assert_eq!(
            a.observe(0, &run(RunStatus::Failed, 2)),
            vec![Transition::Down { since_ms: 2 }]
        );
        assert_eq!(a.summary().unwrap(), "down from milan; up from paris");
        // Still down while milan sees it down, whatever paris sees.
        assert!(a.observe(1, &run(RunStatus::Failed, 3)).is_empty());
        assert!(a.observe(1, &run(RunStatus::Passed, 4)).is_empty());
        assert_eq!(a.verdict().down, Some(OpenAlert { since_ms: 2 }));
    }

    #[test]
    fn a_majority_of_three() {
        let mut a = alerts(&["a", "b", "c"], None);
        assert!(a.observe(0, &run(RunStatus::Failed, 1)).is_empty());
        assert_eq!(
            a.observe(2, &run(RunStatus::Failed, 2)),
            vec![Transition::Down { since_ms: 2 }]
        );
    }

    #[test]
    fn a_blind_location_never_counts_as_down_and_says_it_cannot_see() {
        let mut a = alerts(&["milan", "paris"], Some(2));
        a.observe(1, &run(RunStatus::Failed, 1));
        // Milan's grid is unreachable: blind there, no evidence of an outage.
        assert_eq!(
            a.observe(0, &run(RunStatus::Error, 2)),
            vec![Transition::Blind { since_ms: 2 }]
        );
        assert_eq!(a.verdict().down, None, "blind is not down");
        assert_eq!(a.summary().unwrap(), "down from paris; blind from milan");
        // A location that was down and turns blind stops counting as down.
        let mut b = alerts(&["milan", "paris"], Some(2));
        b.observe(0, &run(RunStatus::Failed, 1));
        assert_eq!(
            b.observe(1, &run(RunStatus::Failed, 2)),
            vec![Transition::Down { since_ms: 2 }]
        );
        assert_eq!(
            b.observe(0, &run(RunStatus::Error, 3)),
            vec![
                Transition::Blind { since_ms: 3 },
                Transition::Recovered {
                    since_ms: 2,
                    at_ms: 3
                }
            ]
        );
        // It sees again: sighted first, then the site's verdict (both have seen it down
        // since 2: milan's own down alert outlived its blindness).
        assert_eq!(
            b.observe(0, &run(RunStatus::Failed, 4)),
            vec![
                Transition::Sighted {
                    since_ms: 3,
                    at_ms: 4
                },
                Transition::Down { since_ms: 2 }
            ]
        );
    }

    #[test]
    fn one_location_is_its_own_state_machine() {
        let rules = AlertRules::default();
        let mut own = AlertState::new(rules);
        let mut a = JourneyAlerts::single(LOCAL, AlertState::new(rules));
        for (i, status) in [
            RunStatus::Failed,
            RunStatus::Failed,
            RunStatus::Error,
            RunStatus::Error,
            RunStatus::Passed,
        ]
        .into_iter()
        .enumerate()
        {
            let r = run(status, i as i64);
            let expected = crate::monitor::announce::observe(&mut own, &r);
            assert_eq!(a.observe(0, &r), expected);
        }
        assert_eq!(a.summary(), None, "no location summary with one location");
    }

    #[test]
    fn a_restart_replays_each_location_and_keeps_the_verdict_that_is_on() {
        let obs = |outcome, at_ms| Observation { outcome, at_ms };
        let open = Verdict {
            down: Some(OpenAlert { since_ms: 2 }),
            ..Verdict::default()
        };
        let mut a = JourneyAlerts::restore(
            rules(),
            vec![
                ("milan".into(), vec![obs(Outcome::Failed, 1)]),
                (
                    "paris".into(),
                    vec![obs(Outcome::Passed, 1), obs(Outcome::Failed, 2)],
                ),
            ],
            2,
            open,
        );
        assert_eq!(a.verdict(), open, "nothing re-announced");
        assert_eq!(a.summary().unwrap(), "down from milan, paris");
        // Paris passes: the outage that was on ends, since when the history says.
        assert_eq!(
            a.observe(1, &run(RunStatus::Passed, 3)),
            vec![Transition::Recovered {
                since_ms: 2,
                at_ms: 3
            }]
        );
    }

    #[test]
    fn a_cancelled_run_says_nothing() {
        let mut a = alerts(&["milan", "paris"], Some(1));
        assert!(a.observe(0, &run(RunStatus::Cancelled, 1)).is_empty());
        assert_eq!(a.seen()[0].1, Seen::Pending);
    }
}
