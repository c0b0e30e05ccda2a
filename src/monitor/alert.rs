//! When a journey is down, slow or back: a state machine over each finished run's outcome that
//! speaks only on a change of state.
//!
//! The site is in one of three states — **up**, **degraded**, **down** — and the monitor itself
//! may be **blind** besides:
//! - **down**: the site is failing its customers. Raised after `N` failed runs in a row (or `x`
//!   failed runs among the last `y`), cleared after `M` passing runs in a row. A `flaky` run
//!   passed in the end, so it counts as a pass and never raises anything.
//! - **degraded**: the site works but slowly (runs that passed but crossed a `slow:`
//!   threshold). Raised after `degraded_after` such runs in a row, cleared after `M` runs in a
//!   row under every threshold (announced as a recovery). A lower severity than down.
//!   Degraded → down and down → degraded are one change each, announced once: a run that ends
//!   an outage but is slow takes the journey from down straight to degraded (not "recovered"
//!   and then "degraded"), and an outage that starts while degraded replaces the degraded
//!   alert.
//! - **blind**: the monitor itself cannot see (no browser, driver gone: status `error`). Raised
//!   after `blind_after` such runs in a row, cleared by the next run that saw the site, whatever
//!   it saw. An `error` run is never evidence about the site: it neither extends nor breaks a
//!   failure streak, and never counts towards or against a down alert.

use std::collections::VecDeque;

/// When a journey is declared down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownRule {
    /// After this many failed runs in a row.
    Consecutive(u32),
    /// After `failures` failed runs among the last `runs` runs that saw the site.
    Window { failures: u32, runs: u32 },
}

/// A journey's alert rules (`alerts:` in the monitor's config).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertRules {
    pub down: DownRule,
    /// Passing runs in a row that clear a down alert (fast ones: a degraded alert).
    pub recover_after: u32,
    /// `error` runs in a row that raise the "monitor is blind" alert.
    pub blind_after: u32,
    /// Slow runs in a row (passed, but over a `slow:` threshold) that raise a degraded alert.
    pub degraded_after: u32,
}

/// `degraded_after` when the config does not say.
pub const DEFAULT_DEGRADED_AFTER: u32 = 2;

impl Default for AlertRules {
    fn default() -> Self {
        AlertRules {
            down: DownRule::Consecutive(2),
            recover_after: 1,
            blind_after: 2,
            degraded_after: DEFAULT_DEGRADED_AFTER,
        }
    }
}

impl AlertRules {
    /// How many past runs the rules look at: what a restart must replay.
    pub fn memory(&self) -> usize {
        let down = match self.down {
            DownRule::Consecutive(n) => n,
            DownRule::Window { runs, .. } => runs,
        };
        down.max(self.recover_after)
            .max(self.blind_after)
            .max(self.degraded_after)
            .max(1) as usize
    }
}

/// What a finished run says about the site. Cancelled runs (shutdown) say nothing and are
/// never observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Flaky,
    /// Passed (or flaky), but over a `slow:` threshold.
    Degraded,
    Failed,
    Error,
}

/// One finished run as the state machine sees it: its outcome and when it started (Unix ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation {
    pub outcome: Outcome,
    pub at_ms: i64,
}

/// An alert that is on: since when (Unix ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenAlert {
    pub since_ms: i64,
}

/// A change of state, to record and announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The journey is down since the first failure of the streak (or window) that tripped.
    Down { since_ms: i64 },
    /// Back up; the outage lasted from `since_ms` to `at_ms`.
    Recovered { since_ms: i64, at_ms: i64 },
    /// The monitor cannot see since `since_ms` (its first `error` run of the streak).
    Blind { since_ms: i64 },
    /// The monitor sees again; it was blind from `since_ms` to `at_ms`.
    Sighted { since_ms: i64, at_ms: i64 },
    /// Up → degraded: slow since the first slow run of the streak.
    Degraded { since_ms: i64 },
    /// Degraded → up: fast again at `at_ms`; it was slow since `since_ms`.
    DegradedRecovered { since_ms: i64, at_ms: i64 },
    /// Degraded → down: down since `since_ms` (the first failure), after being slow since
    /// `degraded_since_ms`.
    DegradedToDown {
        since_ms: i64,
        degraded_since_ms: i64,
    },
    /// Down → degraded: back at `at_ms` but slow (degraded since then); it was down since
    /// `down_since_ms`.
    DownToDegraded { down_since_ms: i64, at_ms: i64 },
}

/// One journey's alert state: bounded by its rules' memory, whatever the uptime.
#[derive(Debug, Clone)]
pub struct AlertState {
    rules: AlertRules,
    /// The last runs that saw the site, oldest first: (failed, started at).
    recent: VecDeque<(bool, i64)>,
    pass_streak: u32,
    error_streak: u32,
    error_since_ms: i64,
    /// Slow runs in a row, and when the first of them started.
    slow_streak: u32,
    slow_since_ms: i64,
    /// Runs in a row that passed under every threshold.
    fast_streak: u32,
    down: Option<OpenAlert>,
    blind: Option<OpenAlert>,
    degraded: Option<OpenAlert>,
}

impl AlertState {
    pub fn new(rules: AlertRules) -> AlertState {
        AlertState {
            rules,
            recent: VecDeque::with_capacity(rules.memory()),
            pass_streak: 0,
            error_streak: 0,
            error_since_ms: 0,
            slow_streak: 0,
            slow_since_ms: 0,
            fast_streak: 0,
            down: None,
            blind: None,
            degraded: None,
        }
    }

    /// The state after a restart: `history` (oldest first, at least the rules' memory, and
    /// only runs after the last recovery — a recovery empties the window, so runs before it
    /// are not in the live state either) replays the streaks; the alerts that are on come from
    /// the store, which recorded every transition in the same transaction as its run.
    pub fn restore(
        rules: AlertRules,
        history: &[Observation],
        down: Option<OpenAlert>,
        blind: Option<OpenAlert>,
    ) -> AlertState {
        let mut state = AlertState::new(rules);
        for obs in history {
            state.observe(*obs);
        }
        state.down = down;
        state.blind = blind;
        state
    }

    /// The degraded alert that is on, as the store recorded it (after [`restore`](Self::restore)).
    pub fn with_degraded(mut self, degraded: Option<OpenAlert>) -> AlertState {
        self.degraded = degraded;
        self
    }

    pub fn rules(&self) -> AlertRules {
        self.rules
    }

    pub fn degraded(&self) -> Option<OpenAlert> {
        self.degraded
    }

    pub fn down(&self) -> Option<OpenAlert> {
        self.down
    }

    pub fn blind(&self) -> Option<OpenAlert> {
        self.blind
    }

    /// Forgets the streaks and the window of recent runs, keeping the alerts that are on: after
    /// a maintenance window the state is judged afresh from the runs that follow it.
    pub fn reset_streaks(&mut self) {
        *self = AlertState {
            down: self.down,
            blind: self.blind,
            degraded: self.degraded,
            ..AlertState::new(self.rules)
        };
    }

    /// Takes in one finished run; returns the transitions it causes (usually none).
    pub fn observe(&mut self, obs: Observation) -> Vec<Transition> {
        let mut changes = Vec::new();
        if obs.outcome == Outcome::Error {
            if self.error_streak == 0 {
                self.error_since_ms = obs.at_ms;
            }
            self.error_streak = self.error_streak.saturating_add(1);
            if self.blind.is_none() && self.error_streak >= self.rules.blind_after {
                let since_ms = self.error_since_ms;
                self.blind = Some(OpenAlert { since_ms });
                changes.push(Transition::Blind { since_ms });
            }
            return changes;
        }
        self.error_streak = 0;
        if let Some(open) = self.blind.take() {
            changes.push(Transition::Sighted {
                since_ms: open.since_ms,
                at_ms: obs.at_ms,
            });
        }
        let failed = obs.outcome == Outcome::Failed;
        let slow = obs.outcome == Outcome::Degraded;
        if self.recent.len() == self.rules.memory() {
            self.recent.pop_front();
        }
        self.recent.push_back((failed, obs.at_ms));
        if failed {
            self.pass_streak = 0;
            self.slow_streak = 0;
            self.fast_streak = 0;
            if self.down.is_none()
                && let Some(since_ms) = self.tripped()
            {
                self.down = Some(OpenAlert { since_ms });
                // One change: the outage takes the degraded alert's place.
                changes.push(match self.degraded.take() {
                    Some(degraded) => Transition::DegradedToDown {
                        since_ms,
                        degraded_since_ms: degraded.since_ms,
                    },
                    None => Transition::Down { since_ms },
                });
            }
            return changes;
        }
        self.pass_streak = self.pass_streak.saturating_add(1);
        if slow {
            if self.slow_streak == 0 {
                self.slow_since_ms = obs.at_ms;
            }
            self.slow_streak = self.slow_streak.saturating_add(1);
            self.fast_streak = 0;
        } else {
            self.fast_streak = self.fast_streak.saturating_add(1);
            self.slow_streak = 0;
        }
        if let Some(open) = self.down {
            if self.pass_streak >= self.rules.recover_after {
                self.down = None;
                // A recovery closes the books: the failures of the outage that ended (and of
                // the flapping before it) must not count towards the next one, or a single
                // failure after `x` in `y` recovers would page again.
                self.recent.clear();
                if slow {
                    // Back, but slow: one change, from down straight to degraded.
                    self.degraded = Some(OpenAlert {
                        since_ms: obs.at_ms,
                    });
                    changes.push(Transition::DownToDegraded {
                        down_since_ms: open.since_ms,
                        at_ms: obs.at_ms,
                    });
                } else {
                    changes.push(Transition::Recovered {
                        since_ms: open.since_ms,
                        at_ms: obs.at_ms,
                    });
                }
            }
            return changes;
        }
        match self.degraded {
            None if slow && self.slow_streak >= self.rules.degraded_after => {
                let since_ms = self.slow_since_ms;
                self.degraded = Some(OpenAlert { since_ms });
                changes.push(Transition::Degraded { since_ms });
            }
            Some(open) if !slow && self.fast_streak >= self.rules.recover_after => {
                self.degraded = None;
                changes.push(Transition::DegradedRecovered {
                    since_ms: open.since_ms,
                    at_ms: obs.at_ms,
                });
            }
            _ => {}
        }
        changes
    }

    /// When the down rule holds over the recent runs: the first failure it counted.
    fn tripped(&self) -> Option<i64> {
        match self.rules.down {
            DownRule::Consecutive(n) => {
                let n = n.max(1) as usize;
                if self.recent.len() < n {
                    return None;
                }
                let last = self.recent.iter().skip(self.recent.len() - n);
                let mut first = None;
                for (failed, at) in last {
                    if !failed {
                        return None;
                    }
                    first.get_or_insert(*at);
                }
                first
            }
            DownRule::Window { failures, runs } => {
                let runs = runs.max(1) as usize;
                let window = self
                    .recent
                    .iter()
                    .skip(self.recent.len().saturating_sub(runs));
                let failed: Vec<i64> = window.filter(|(f, _)| *f).map(|(_, at)| *at).collect();
                (failed.len() as u32 >= failures.max(1)).then(|| failed[0])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Outcome::*;

    fn feed(state: &mut AlertState, outcomes: &[Outcome]) -> Vec<(usize, Transition)> {
        let mut all = Vec::new();
        for (i, o) in outcomes.iter().enumerate() {
            let at_ms = (i as i64 + 1) * 1000;
            for t in state.observe(Observation { outcome: *o, at_ms }) {
                all.push((i, t));
            }
        }
        all
    }

    fn rules(down: DownRule, recover_after: u32) -> AlertRules {
        AlertRules {
            down,
            recover_after,
            blind_after: 2,
            degraded_after: 2,
        }
    }

    #[test]
    fn down_after_n_consecutive_failures_once_and_recovers_after_m_passes() {
        let mut s = AlertState::new(rules(DownRule::Consecutive(2), 2));
        let t = feed(
            &mut s,
            &[
                Passed, Failed, Passed, Failed, Failed, Failed, Failed, Passed, Failed, Passed,
                Passed, Passed,
            ],
        );
        assert_eq!(
            t,
            vec![
                (4, Transition::Down { since_ms: 4000 }),
                (
                    10,
                    Transition::Recovered {
                        since_ms: 4000,
                        at_ms: 11_000
                    }
                ),
            ]
        );
        assert_eq!(s.down(), None);
    }

    #[test]
    fn one_failure_never_alerts_with_the_default_rules() {
        let mut s = AlertState::new(AlertRules::default());
        assert!(feed(&mut s, &[Failed, Passed, Failed, Passed, Failed]).is_empty());
    }

    #[test]
    fn x_failures_in_a_window_of_y_runs() {
        let mut s = AlertState::new(rules(
            DownRule::Window {
                failures: 3,
                runs: 5,
            },
            1,
        ));
        // Failures at runs 1, 3 and 5 (0-based 0, 2, 4): three of the last five.
        let t = feed(
            &mut s,
            &[Failed, Passed, Failed, Passed, Failed, Failed, Passed],
        );
        assert_eq!(
            t,
            vec![
                (4, Transition::Down { since_ms: 1000 }),
                (
                    6,
                    Transition::Recovered {
                        since_ms: 1000,
                        at_ms: 7000
                    }
                ),
            ]
        );
        // Spread out more thinly than 3 in 5, nothing.
        let mut s = AlertState::new(rules(
            DownRule::Window {
                failures: 3,
                runs: 5,
            },
            1,
        ));
        assert!(
            feed(
                &mut s,
                &[
                    Failed, Passed, Passed, Failed, Passed, Passed, Failed, Passed
                ]
            )
            .is_empty()
        );
    }

    #[test]
    fn a_recovery_empties_the_window_so_one_failure_after_it_does_not_page() {
        let window = DownRule::Window {
            failures: 3,
            runs: 5,
        };
        let mut s = AlertState::new(rules(window, 1));
        // F P F P F: down; P: recovered; F: one failure, not three of the last five.
        let t = feed(
            &mut s,
            &[Failed, Passed, Failed, Passed, Failed, Passed, Failed],
        );
        assert_eq!(
            t,
            vec![
                (4, Transition::Down { since_ms: 1000 }),
                (
                    5,
                    Transition::Recovered {
                        since_ms: 1000,
                        at_ms: 6000
                    }
                ),
            ]
        );
        assert_eq!(s.down(), None);
        // Three fresh failures in the window page again, since the first of them.
        let mut more = Vec::new();
        for (i, o) in [Passed, Failed, Failed].into_iter().enumerate() {
            let at_ms = (i as i64 + 8) * 1000;
            more.extend(s.observe(Observation { outcome: o, at_ms }));
        }
        assert_eq!(more, vec![Transition::Down { since_ms: 7000 }]);

        // The same with recover_after 2: the recovery after two passes empties it too.
        let mut s = AlertState::new(rules(window, 2));
        let t = feed(
            &mut s,
            &[
                Failed, Failed, Failed, Passed, Passed, Failed, Passed, Failed,
            ],
        );
        assert_eq!(t.len(), 2, "{t:?}");
        assert!(matches!(t[1], (4, Transition::Recovered { .. })));
    }

    #[test]
    fn restoring_from_the_runs_after_the_last_recovery_matches_the_live_state() {
        let window = DownRule::Window {
            failures: 3,
            runs: 5,
        };
        let r = rules(window, 1);
        let before: Vec<Observation> = [Failed, Passed, Failed, Passed, Failed, Passed, Failed]
            .into_iter()
            .enumerate()
            .map(|(i, outcome)| Observation {
                outcome,
                at_ms: (i as i64 + 1) * 1000,
            })
            .collect();
        let mut live = AlertState::new(r);
        let mut last_recovery = None;
        for (i, obs) in before.iter().enumerate() {
            for t in live.observe(*obs) {
                if matches!(t, Transition::Recovered { .. }) {
                    last_recovery = Some(i);
                }
            }
        }
        // What the store hands back: the last `memory` runs after the recovering one.
        let after = &before[last_recovery.unwrap() + 1..];
        let from = after.len().saturating_sub(r.memory());
        let mut restored = AlertState::restore(r, &after[from..], None, None);
        for (i, o) in [Passed, Failed, Failed, Passed, Failed]
            .into_iter()
            .enumerate()
        {
            let obs = Observation {
                outcome: o,
                at_ms: (i as i64 + 10) * 1000,
            };
            assert_eq!(live.observe(obs), restored.observe(obs), "after run {i}");
        }
        assert_eq!(live.down(), restored.down());
    }

    #[test]
    fn flaky_runs_never_alert_and_count_as_passes() {
        let mut s = AlertState::new(AlertRules::default());
        assert!(feed(&mut s, &[Flaky, Flaky, Flaky, Failed, Flaky, Failed]).is_empty());
        let mut s = AlertState::new(AlertRules::default());
        let t = feed(&mut s, &[Failed, Failed, Flaky]);
        assert_eq!(t.len(), 2);
        assert!(matches!(t[1], (2, Transition::Recovered { .. })));
    }

    #[test]
    fn error_runs_raise_blind_never_down_and_do_not_break_a_streak() {
        let mut s = AlertState::new(AlertRules::default());
        let t = feed(&mut s, &[Error, Error, Error, Error]);
        assert_eq!(t, vec![(1, Transition::Blind { since_ms: 1000 })]);
        assert_eq!(s.down(), None);

        // Failed, error, failed: the errors neither count nor reset the streak of failures.
        let mut s = AlertState::new(AlertRules::default());
        let t = feed(&mut s, &[Failed, Error, Failed, Passed]);
        assert_eq!(
            t,
            vec![
                (2, Transition::Down { since_ms: 1000 }),
                (
                    3,
                    Transition::Recovered {
                        since_ms: 1000,
                        at_ms: 4000
                    }
                ),
            ]
        );
    }

    #[test]
    fn blind_clears_on_the_next_run_that_saw_the_site_even_a_failed_one() {
        let mut s = AlertState::new(AlertRules::default());
        let t = feed(&mut s, &[Error, Error, Failed, Failed]);
        assert_eq!(
            t,
            vec![
                (1, Transition::Blind { since_ms: 1000 }),
                (
                    2,
                    Transition::Sighted {
                        since_ms: 1000,
                        at_ms: 3000
                    }
                ),
                (3, Transition::Down { since_ms: 3000 }),
            ]
        );
    }

    #[test]
    fn restore_keeps_the_store_alerts_and_the_streaks() {
        let history = [
            Observation {
                outcome: Failed,
                at_ms: 1,
            },
            Observation {
                outcome: Failed,
                at_ms: 2,
            },
        ];
        let mut s = AlertState::restore(
            AlertRules::default(),
            &history,
            Some(OpenAlert { since_ms: 1 }),
            None,
        );
        // Still down: another failure says nothing; a pass recovers once.
        assert!(
            s.observe(Observation {
                outcome: Failed,
                at_ms: 3
            })
            .is_empty()
        );
        assert_eq!(
            s.observe(Observation {
                outcome: Passed,
                at_ms: 4
            }),
            vec![Transition::Recovered {
                since_ms: 1,
                at_ms: 4
            }]
        );
        assert!(
            s.observe(Observation {
                outcome: Passed,
                at_ms: 5
            })
            .is_empty()
        );
    }

    #[test]
    fn degraded_after_n_slow_runs_in_a_row_once_and_recovered_when_fast_again() {
        let mut s = AlertState::new(AlertRules::default());
        let t = feed(
            &mut s,
            &[
                Degraded, Passed, Degraded, Degraded, Degraded, Flaky, Degraded, Passed,
            ],
        );
        assert_eq!(
            t,
            vec![
                (3, Transition::Degraded { since_ms: 3000 }),
                (
                    5,
                    Transition::DegradedRecovered {
                        since_ms: 3000,
                        at_ms: 6000
                    }
                ),
            ],
            "one slow run is not enough; a fast flaky run counts as fast"
        );
        assert_eq!(s.degraded(), None);
        assert_eq!(s.down(), None, "slow is never down");
    }

    #[test]
    fn degraded_to_down_and_down_to_degraded_are_one_change_each() {
        let mut s = AlertState::new(AlertRules::default());
        let t = feed(
            &mut s,
            &[
                Degraded, Degraded, Failed, Failed, Failed, Degraded, Degraded, Passed,
            ],
        );
        assert_eq!(
            t,
            vec![
                (1, Transition::Degraded { since_ms: 1000 }),
                (
                    3,
                    Transition::DegradedToDown {
                        since_ms: 3000,
                        degraded_since_ms: 1000
                    }
                ),
                (
                    5,
                    Transition::DownToDegraded {
                        down_since_ms: 3000,
                        at_ms: 6000
                    }
                ),
                (
                    7,
                    Transition::DegradedRecovered {
                        since_ms: 6000,
                        at_ms: 8000
                    }
                ),
            ]
        );
        // Down, then back fast: a plain recovery; a slow run before the streak ends changes
        // nothing while still down.
        let mut s = AlertState::new(rules(DownRule::Consecutive(1), 2));
        let t = feed(&mut s, &[Failed, Degraded, Passed]);
        assert_eq!(
            t,
            vec![
                (0, Transition::Down { since_ms: 1000 }),
                (
                    2,
                    Transition::Recovered {
                        since_ms: 1000,
                        at_ms: 3000
                    }
                ),
            ]
        );
    }

    #[test]
    fn errors_neither_make_nor_break_a_slow_streak_and_a_failure_breaks_it() {
        let mut s = AlertState::new(AlertRules::default());
        let t = feed(&mut s, &[Degraded, Error, Degraded]);
        assert_eq!(t, vec![(2, Transition::Degraded { since_ms: 1000 })]);
        let mut s = AlertState::new(AlertRules::default());
        assert!(feed(&mut s, &[Degraded, Failed, Degraded, Passed]).is_empty());
    }

    #[test]
    fn a_restored_degraded_alert_recovers_once() {
        let mut s = AlertState::restore(AlertRules::default(), &[], None, None)
            .with_degraded(Some(OpenAlert { since_ms: 5 }));
        let slow = Observation {
            outcome: Degraded,
            at_ms: 10,
        };
        assert!(s.observe(slow).is_empty(), "still degraded: said already");
        let fast = Observation {
            outcome: Passed,
            at_ms: 20,
        };
        assert_eq!(
            s.observe(fast),
            vec![Transition::DegradedRecovered {
                since_ms: 5,
                at_ms: 20
            }]
        );
        assert!(s.observe(fast).is_empty());
    }

    #[test]
    fn after_a_reset_the_streaks_start_afresh_and_the_alerts_stay() {
        let mut s = AlertState::new(AlertRules::default());
        assert!(feed(&mut s, &[Failed]).is_empty());
        s.reset_streaks();
        let t = s.observe(Observation {
            outcome: Failed,
            at_ms: 10_000,
        });
        assert!(
            t.is_empty(),
            "one failure after the reset, not two in a row"
        );
        let t = s.observe(Observation {
            outcome: Failed,
            at_ms: 11_000,
        });
        assert_eq!(t, vec![Transition::Down { since_ms: 10_000 }]);
        s.reset_streaks();
        assert_eq!(s.down(), Some(OpenAlert { since_ms: 10_000 }), "still down");
        assert!(
            s.observe(Observation {
                outcome: Failed,
                at_ms: 12_000
            })
            .is_empty(),
            "never said twice"
        );
    }

    #[test]
    fn memory_is_bounded_by_the_rules() {
        let mut s = AlertState::new(rules(
            DownRule::Window {
                failures: 2,
                runs: 4,
            },
            1,
        ));
        for i in 0..10_000 {
            s.observe(Observation {
                outcome: if i % 7 == 0 { Failed } else { Passed },
                at_ms: i,
            });
        }
        assert!(s.recent.len() <= 4);
    }
}
