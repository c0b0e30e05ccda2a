//! Components: the customer-facing parts of the site (`component:` in journeys) and their
//! state, as the public status page shows them. Pure: runs and alert states in, states out.
//!
//! A run speaks only of the components it reached. Its failed step's component is in outage
//! (once the journey's down alert is on, by the same rules as the alerts); the components of
//! the steps before it worked; the ones after it, which the run never reached, are unknown —
//! never shown operational on the strength of an earlier run. Several journeys may share a
//! component: maintenance wins, then any outage, then degraded, then operational.

use std::collections::BTreeMap;

use serde::Serialize;

use super::store::{RunStatus, StepRecord};
use crate::runner::result::SlowStep;

/// A component's state as customers read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentState {
    /// No run has told (none yet, or the last one never reached it).
    Unknown,
    Operational,
    /// It works, but slowly (a degraded alert is on).
    Degraded,
    /// A down alert is on and the run failed in it.
    Outage,
    /// A maintenance window holds a journey through it.
    Maintenance,
}

impl ComponentState {
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentState::Unknown => "unknown",
            ComponentState::Operational => "operational",
            ComponentState::Degraded => "degraded",
            ComponentState::Outage => "outage",
            ComponentState::Maintenance => "maintenance",
        }
    }

    /// The words on the page (never a colour alone).
    pub fn label(self) -> &'static str {
        match self {
            ComponentState::Unknown => "Unknown",
            ComponentState::Operational => "Operational",
            ComponentState::Degraded => "Degraded performance",
            ComponentState::Outage => "Outage",
            ComponentState::Maintenance => "Under maintenance",
        }
    }

    /// Several journeys' word on one component: the order of the enum (maintenance wins,
    /// then outage, degraded, operational; unknown only when nobody knows).
    pub fn combine(self, other: ComponentState) -> ComponentState {
        self.max(other)
    }
}

/// The last run of a journey that saw the site, with what the alerts say of the journey now.
#[derive(Debug, Clone, Copy)]
pub struct JourneyView<'a> {
    /// Every component of the journey, in walk order (from the journey file).
    pub components: &'a [String],
    /// The last run that reached the site (passed, flaky, failed); `None`: none yet.
    pub last: Option<RunView<'a>>,
    /// A down alert is on.
    pub down: bool,
    /// A degraded alert is on.
    pub degraded: bool,
    /// A maintenance window holds the journey now.
    pub maintenance: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct RunView<'a> {
    pub status: RunStatus,
    pub steps: &'a [StepRecord],
    /// The failed step's index (walk order), when one failed.
    pub failed_step: Option<usize>,
    pub slow: &'a [SlowStep],
}

/// What one journey says of each of its components.
pub fn journey_components(view: &JourneyView<'_>) -> BTreeMap<String, ComponentState> {
    let mut out: BTreeMap<String, ComponentState> = view
        .components
        .iter()
        .map(|c| (c.clone(), ComponentState::Unknown))
        .collect();
    if view.maintenance {
        for state in out.values_mut() {
            *state = ComponentState::Maintenance;
        }
        return out;
    }
    let Some(run) = view.last else {
        return out;
    };
    let failed = run.failed_step.filter(|_| run.status == RunStatus::Failed);
    let failed_component = failed.and_then(|i| component_of(run.steps, i));
    for step in run.steps {
        let Some(component) = &step.component else {
            continue;
        };
        if Some(component.as_str()) == failed_component {
            continue;
        }
        let reached = match failed {
            Some(i) => step.index < i && step.status != "skipped",
            None => step.status != "skipped",
        };
        if reached {
            out.insert(component.clone(), ComponentState::Operational);
        }
    }
    if let Some(component) = failed_component {
        // Before the alert trips (one failure may be a fluke) the failed part is not known
        // to be down, nor known to work.
        let state = if view.down {
            ComponentState::Outage
        } else {
            ComponentState::Unknown
        };
        out.insert(component.to_string(), state);
    }
    if view.degraded {
        let whole_journey = run.slow.iter().any(|s| s.index == 0);
        for (component, state) in out.iter_mut() {
            let slow_here = whole_journey
                || run
                    .slow
                    .iter()
                    .any(|s| component_of(run.steps, s.index) == Some(component.as_str()));
            if slow_here && *state == ComponentState::Operational {
                *state = ComponentState::Degraded;
            }
        }
    }
    out
}

fn component_of(steps: &[StepRecord], index: usize) -> Option<&str> {
    steps
        .iter()
        .find(|s| s.index == index)
        .and_then(|s| s.component.as_deref())
}

/// Every journey's word combined, components in the order they were first named.
pub fn combine<'a>(
    order: &[String],
    journeys: impl IntoIterator<Item = &'a BTreeMap<String, ComponentState>>,
) -> Vec<(String, ComponentState)> {
    let mut all: BTreeMap<&str, ComponentState> = BTreeMap::new();
    for journey in journeys {
        for (component, state) in journey {
            let slot = all
                .entry(component.as_str())
                .or_insert(ComponentState::Unknown);
            *slot = slot.combine(*state);
        }
    }
    order
        .iter()
        .map(|c| {
            let state = all
                .get(c.as_str())
                .copied()
                .unwrap_or(ComponentState::Unknown);
            (c.clone(), state)
        })
        .collect()
}

/// One day of a component's history: how many runs reached it, and how many failed in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DayTally {
    pub runs: u64,
    pub failed: u64,
}

impl DayTally {
    /// Uptime in percent; `None` on a day with no run.
    pub fn uptime(&self) -> Option<f64> {
        (self.runs > 0).then(|| 100.0 * (self.runs - self.failed) as f64 / self.runs as f64)
    }
}

/// The last `days` days (oldest first) of a component's tallies, `today` being the UTC day
/// number (milliseconds / 86 400 000) of now.
pub fn history_strip(tallies: &BTreeMap<i64, DayTally>, today: i64, days: i64) -> Vec<DayTally> {
    (today - days + 1..=today)
        .map(|day| tallies.get(&day).copied().unwrap_or_default())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::ComponentState::*;
    use super::*;

    fn step(index: usize, component: &str, status: &str) -> StepRecord {
        StepRecord {
            index,
            name: format!("step {index}"),
            action: "click".into(),
            status: status.into(),
            duration_ms: 1,
            category: None,
            message: None,
            screenshot: None,
            component: Some(component.into()),
        }
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// sign in (1, 2), SMS (3), balance (4), the SMS step failed: what `sms-drop` does.
    fn sms_drop() -> Vec<StepRecord> {
        vec![
            step(1, "Sign in", "passed"),
            step(2, "Sign in", "passed"),
            step(3, "SMS verification", "failed"),
            step(4, "Card balance", "skipped"),
        ]
    }

    fn view<'a>(
        components: &'a [String],
        status: RunStatus,
        steps: &'a [StepRecord],
        failed: Option<usize>,
        down: bool,
    ) -> JourneyView<'a> {
        JourneyView {
            components,
            last: Some(RunView {
                status,
                steps,
                failed_step: failed,
                slow: &[],
            }),
            down,
            degraded: false,
            maintenance: false,
        }
    }

    #[test]
    fn the_failed_component_is_out_those_before_work_those_after_are_unknown() {
        let all = names(&["Sign in", "SMS verification", "Card balance"]);
        let steps = sms_drop();
        let got = journey_components(&view(&all, RunStatus::Failed, &steps, Some(3), true));
        assert_eq!(got["Sign in"], Operational);
        assert_eq!(got["SMS verification"], Outage);
        assert_eq!(
            got["Card balance"], Unknown,
            "never reached: not operational"
        );
    }

    #[test]
    fn before_the_down_alert_the_failed_component_is_unknown_not_out_nor_operational() {
        let all = names(&["Sign in", "SMS verification", "Card balance"]);
        let steps = sms_drop();
        let got = journey_components(&view(&all, RunStatus::Failed, &steps, Some(3), false));
        assert_eq!(got["SMS verification"], Unknown);
        assert_eq!(got["Sign in"], Operational);
    }

    #[test]
    fn a_component_failing_after_its_own_earlier_steps_passed_is_out() {
        let all = names(&["Sign in"]);
        let steps = vec![step(1, "Sign in", "passed"), step(2, "Sign in", "failed")];
        let got = journey_components(&view(&all, RunStatus::Failed, &steps, Some(2), true));
        assert_eq!(got["Sign in"], Outage);
    }

    #[test]
    fn a_passing_run_makes_every_reached_component_operational_and_no_run_unknown() {
        let all = names(&["Sign in", "Card balance"]);
        let steps = vec![
            step(1, "Sign in", "passed"),
            step(2, "Card balance", "passed"),
        ];
        let got = journey_components(&view(&all, RunStatus::Passed, &steps, None, false));
        assert_eq!(got["Card balance"], Operational);
        let none = JourneyView {
            components: &all,
            last: None,
            down: false,
            degraded: false,
            maintenance: false,
        };
        assert!(journey_components(&none).values().all(|s| *s == Unknown));
    }

    #[test]
    fn degraded_marks_the_slow_steps_components_and_maintenance_marks_all() {
        let all = names(&["Sign in", "Card balance"]);
        let steps = vec![
            step(1, "Sign in", "passed"),
            step(2, "Card balance", "passed"),
        ];
        let slow = [SlowStep {
            index: 2,
            name: "step 2".into(),
            duration_ms: 3000,
            threshold_ms: 2000,
        }];
        let mut v = view(&all, RunStatus::Passed, &steps, None, false);
        v.last.as_mut().unwrap().slow = &slow;
        v.degraded = true;
        let got = journey_components(&v);
        assert_eq!(got["Sign in"], Operational);
        assert_eq!(got["Card balance"], Degraded);
        v.maintenance = true;
        assert!(journey_components(&v).values().all(|s| *s == Maintenance));
    }

    #[test]
    fn journeys_sharing_a_component_combine_outage_over_degraded_maintenance_over_all() {
        let order = names(&["Sign in", "SMS verification"]);
        let a = BTreeMap::from([("Sign in".to_string(), Operational)]);
        let b = BTreeMap::from([("Sign in".to_string(), Outage)]);
        let c = BTreeMap::from([("Sign in".to_string(), Degraded)]);
        let m = BTreeMap::from([("Sign in".to_string(), Maintenance)]);
        let u = BTreeMap::from([("Sign in".to_string(), Unknown)]);
        assert_eq!(combine(&order, [&a, &b, &c])[0].1, Outage);
        assert_eq!(combine(&order, [&a, &c])[0].1, Degraded);
        assert_eq!(combine(&order, [&b, &m])[0].1, Maintenance);
        assert_eq!(combine(&order, [&u, &a])[0].1, Operational);
        assert_eq!(
            combine(&order, [&a])[1],
            ("SMS verification".into(), Unknown)
        );
    }

    #[test]
    fn the_strip_has_one_slot_per_day_and_uptime_per_day() {
        let tallies = BTreeMap::from([(10, DayTally { runs: 4, failed: 1 })]);
        let strip = history_strip(&tallies, 11, 3);
        assert_eq!(strip.len(), 3);
        assert_eq!(strip[1].uptime(), Some(75.0));
        assert_eq!(strip[2].uptime(), None);
    }
}
