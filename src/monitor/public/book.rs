//! Each journey's word on its components now (from its last run that saw the site and its
//! alerts), and what the monitor does after a run: the components' states combined, and the
//! incidents it opens or resolves on its own by the same down/up transitions as the alerts.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use super::PublicSettings;
use super::incidents::{Decision, IncidentState, Templates, decide};
use super::store::NewIncident;
use crate::journey::model::{Journey, Step};
use crate::monitor::alert::Transition;
use crate::monitor::components::{
    ComponentState, JourneyView, RunView, combine, journey_components,
};
use crate::monitor::store::{RunStatus, StepRecord, Store, StoreError};
use crate::runner::result::SlowStep;

/// A journey's components, in walk order, each once.
pub fn components_of(journey: &Journey) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for step in Step::all(&journey.steps) {
        let c = step
            .component
            .clone()
            .unwrap_or_else(|| journey.default_component().to_string());
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// A journey's components (walk order) and its word on each now.
type JourneyWord = (Vec<String>, BTreeMap<String, ComponentState>);

/// What the components' states are made of, per journey.
#[derive(Debug, Default)]
pub struct ComponentBook {
    /// Every component, in the order the journeys first name them.
    order: Vec<String>,
    /// Journey → its components (walk order) and its word on each now.
    journeys: Mutex<BTreeMap<String, JourneyWord>>,
}

/// The last run of a journey that saw the site, as the book needs it.
#[derive(Debug, Clone)]
pub struct SeenRun {
    pub status: RunStatus,
    pub steps: Vec<StepRecord>,
    pub failed_step: Option<usize>,
    pub slow: Vec<SlowStep>,
}

impl ComponentBook {
    pub fn new(journeys: &[(String, Vec<String>)]) -> ComponentBook {
        let mut order: Vec<String> = Vec::new();
        let mut by_name = BTreeMap::new();
        for (name, components) in journeys {
            for c in components {
                if !order.contains(c) {
                    order.push(c.clone());
                }
            }
            let unknown = components
                .iter()
                .map(|c| (c.clone(), ComponentState::Unknown))
                .collect();
            by_name.insert(name.clone(), (components.clone(), unknown));
        }
        ComponentBook {
            order,
            journeys: Mutex::new(by_name),
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, JourneyWord>> {
        self.journeys.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes a journey's word anew: from its last run that saw the site (`None`: none yet)
    /// and its alerts.
    pub fn observe(
        &self,
        journey: &str,
        last: Option<&SeenRun>,
        down: bool,
        degraded: bool,
        maintenance: bool,
    ) {
        let mut journeys = self.lock();
        let Some((components, word)) = journeys.get_mut(journey) else {
            return;
        };
        let view = JourneyView {
            components,
            last: last.map(|r| RunView {
                status: r.status,
                steps: &r.steps,
                failed_step: r.failed_step,
                slow: &r.slow,
            }),
            down,
            degraded,
            maintenance,
        };
        *word = journey_components(&view);
    }

    /// Every component's state now, combined over the journeys; `held` names the journeys a
    /// maintenance window holds now.
    pub fn now(&self, held: &dyn Fn(&str) -> bool) -> Vec<(String, ComponentState)> {
        let journeys = self.lock();
        let words: Vec<BTreeMap<String, ComponentState>> = journeys
            .iter()
            .map(|(name, (components, word))| {
                if held(name) {
                    components
                        .iter()
                        .map(|c| (c.clone(), ComponentState::Maintenance))
                        .collect()
                } else {
                    word.clone()
                }
            })
            .collect();
        combine(&self.order, words.iter())
    }
}

/// Whether a run's transitions are ones the alerts speak on (a journey went down or came
/// back): the moments incidents open and resolve.
pub fn speaks(transitions: &[Transition]) -> bool {
    transitions.iter().any(|t| {
        matches!(
            t,
            Transition::Down { .. }
                | Transition::DegradedToDown { .. }
                | Transition::Recovered { .. }
                | Transition::DownToDegraded { .. }
        )
    })
}

/// Opens and resolves the monitor's own incidents after the components' states changed.
/// Returns the ids of the incidents it opened.
pub fn open_and_resolve(
    store: &Store,
    settings: &PublicSettings,
    states: &[(String, ComponentState)],
    now_ms: i64,
) -> Result<Vec<i64>, StoreError> {
    let open = store.open_public_incidents()?;
    let mut opened = Vec::new();
    for decision in decide(states, &open) {
        match decision {
            Decision::Open(components) => {
                let t = &settings.templates;
                let id = store.open_public_incident(&NewIncident {
                    title: Templates::render(&t.title, &components, settings.language),
                    text: Templates::render(&t.opened, &components, settings.language),
                    components,
                    state: IncidentState::Investigating,
                    published: settings.auto_publish,
                    automatic: true,
                    at_ms: now_ms,
                })?;
                opened.push(id);
            }
            Decision::Resolve(id) => {
                // A draft (auto_publish: false) waits for an operator, who says what happened.
                if settings.auto_publish && store.public_incident_published(id)? == Some(true) {
                    let components = open
                        .iter()
                        .find(|i| i.id == id)
                        .map(|i| i.components.clone())
                        .unwrap_or_default();
                    let text = Templates::render(
                        &settings.templates.resolved,
                        &components,
                        settings.language,
                    );
                    store.add_public_notice(id, IncidentState::Resolved, &text, now_ms)?;
                }
            }
        }
    }
    Ok(opened)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::public::Language;

    fn settings(auto_publish: bool) -> PublicSettings {
        PublicSettings {
            listen: "127.0.0.1:0".parse().unwrap(),
            title: "Status".into(),
            language: Language::English,
            auto_publish,
            templates: Templates::defaults(Language::English),
        }
    }

    fn states(s: ComponentState) -> Vec<(String, ComponentState)> {
        vec![
            ("Sign in".into(), ComponentState::Operational),
            ("SMS verification".into(), s),
        ]
    }

    #[test]
    fn down_opens_a_published_incident_with_the_template_and_recovery_resolves_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let s = settings(true);
        let opened = open_and_resolve(&store, &s, &states(ComponentState::Outage), 10).unwrap();
        assert_eq!(opened.len(), 1);
        assert!(
            open_and_resolve(&store, &s, &states(ComponentState::Outage), 20)
                .unwrap()
                .is_empty(),
            "one incident, not one per run"
        );
        open_and_resolve(&store, &s, &states(ComponentState::Operational), 30).unwrap();
        let list = store.public_incidents(10, true).unwrap();
        assert_eq!(list[0].state, IncidentState::Resolved);
        assert_eq!(
            list[0].notices[0].text,
            "We are aware that some customers cannot complete SMS verification. We are investigating."
        );
        assert_eq!(list[0].notices.len(), 2);
    }

    #[test]
    fn without_auto_publish_the_incident_is_a_draft_and_recovery_posts_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let s = settings(false);
        open_and_resolve(&store, &s, &states(ComponentState::Outage), 10).unwrap();
        assert!(store.public_incidents(10, true).unwrap().is_empty());
        open_and_resolve(&store, &s, &states(ComponentState::Operational), 30).unwrap();
        let all = store.public_incidents(10, false).unwrap();
        assert_eq!(all.len(), 1);
        assert!(!all[0].published);
        assert_eq!(all[0].notices.len(), 1);
    }
}
