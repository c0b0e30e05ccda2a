//! Incidents as customers read them: a title, the components hit, a state, and a timeline of
//! notices. Pure: the notice templates, and which incidents the monitor opens or resolves on
//! its own after a run (the store keeps them, `public::store`).

use serde::{Deserialize, Serialize};

use crate::monitor::components::ComponentState;

/// Where an incident stands (the words of the notices' headings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentState {
    /// Something is wrong; the cause is being looked for.
    Investigating,
    /// The cause is known; a fix is on its way.
    Identified,
    /// Fixed; being watched.
    Monitoring,
    Resolved,
}

impl IncidentState {
    pub const ALL: [IncidentState; 4] = [
        IncidentState::Investigating,
        IncidentState::Identified,
        IncidentState::Monitoring,
        IncidentState::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentState::Investigating => "investigating",
            IncidentState::Identified => "identified",
            IncidentState::Monitoring => "monitoring",
            IncidentState::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<IncidentState> {
        IncidentState::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            IncidentState::Investigating => "Investigating",
            IncidentState::Identified => "Identified",
            IncidentState::Monitoring => "Monitoring",
            IncidentState::Resolved => "Resolved",
        }
    }
}

/// One timestamped notice of an incident's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    pub id: i64,
    pub at_ms: i64,
    pub at: String,
    pub state: IncidentState,
    pub text: String,
}

/// An incident and its timeline, oldest notice first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicIncident {
    pub id: i64,
    pub title: String,
    pub components: Vec<String>,
    pub state: IncidentState,
    /// Shown on the public page (a draft is not, until an operator publishes it).
    pub published: bool,
    /// Opened by the monitor (a down alert), not by an operator.
    pub automatic: bool,
    pub opened_at_ms: i64,
    pub opened_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_at_ms: Option<i64>,
    pub notices: Vec<Notice>,
}

/// The language of the default notice templates (`public.language:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    English,
    Italian,
}

impl Language {
    pub const CODES: &[&str] = &["en", "it"];

    pub fn parse(code: &str) -> Option<Language> {
        match code {
            "en" => Some(Language::English),
            "it" => Some(Language::Italian),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Italian => "it",
        }
    }
}

/// The words of the automatic notices; `{components}` is replaced by the components' names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Templates {
    pub title: String,
    pub opened: String,
    pub resolved: String,
}

impl Templates {
    pub fn defaults(language: Language) -> Templates {
        match language {
            Language::English => Templates {
                title: "{components}: some customers are affected".into(),
                opened: "We are aware that some customers cannot complete {components}. We are investigating.".into(),
                resolved: "{components} works again for all customers. We are sorry for the inconvenience.".into(),
            },
            Language::Italian => Templates {
                title: "{components}: alcuni clienti hanno difficoltà".into(),
                opened: "Siamo a conoscenza del fatto che alcuni clienti non riescono a completare {components}. Stiamo indagando.".into(),
                resolved: "{components} funziona di nuovo per tutti i clienti. Ci scusiamo per il disagio.".into(),
            },
        }
    }

    /// `template` with `{components}` filled in: inside a sentence a name starts lower-case
    /// ("complete card balance"), unless it is an acronym ("SMS verification").
    pub fn render(template: &str, components: &[String], language: Language) -> String {
        let and = match language {
            Language::English => " and ",
            Language::Italian => " e ",
        };
        let mut out = String::new();
        let mut rest = template;
        while let Some(at) = rest.find("{components}") {
            let before = &rest[..at];
            out.push_str(before);
            let starts_sentence = out.trim_end().is_empty() || out.trim_end().ends_with('.');
            let names: Vec<String> = components
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == 0 && starts_sentence {
                        c.clone()
                    } else {
                        in_sentence(c)
                    }
                })
                .collect();
            out.push_str(&join(&names, and));
            rest = &rest[at + "{components}".len()..];
        }
        out.push_str(rest);
        out
    }
}

fn in_sentence(name: &str) -> String {
    let mut chars = name.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(name.chars().skip(1)).collect()
        }
        _ => name.to_string(),
    }
}

fn join(names: &[String], and: &str) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{}{and}{last}", init.join(", ")),
    }
}

/// An incident the monitor opened, still open: what [`decide`] weighs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenIncident {
    pub id: i64,
    pub components: Vec<String>,
    pub automatic: bool,
}

/// What the monitor does on its own after a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// These components went down and no open incident names them.
    Open(Vec<String>),
    /// None of this automatic incident's components is out any more.
    Resolve(i64),
}

/// Opens one incident for the components in outage that no open incident (an operator's
/// included) names; resolves the automatic incidents all of whose components are known to
/// work again (operational or degraded: unknown is not "works").
pub fn decide(states: &[(String, ComponentState)], open: &[OpenIncident]) -> Vec<Decision> {
    let out: Vec<&String> = states
        .iter()
        .filter(|(_, s)| *s == ComponentState::Outage)
        .map(|(c, _)| c)
        .collect();
    let mut decisions = Vec::new();
    for incident in open.iter().filter(|i| i.automatic) {
        let works = |c: &String| {
            states.iter().any(|(name, s)| {
                name == c && matches!(s, ComponentState::Operational | ComponentState::Degraded)
            })
        };
        if incident.components.iter().all(works) {
            decisions.push(Decision::Resolve(incident.id));
        }
    }
    let uncovered: Vec<String> = out
        .into_iter()
        .filter(|c| !open.iter().any(|i| i.components.contains(c)))
        .cloned()
        .collect();
    if !uncovered.is_empty() {
        decisions.push(Decision::Open(uncovered));
    }
    decisions
}

#[cfg(test)]
mod tests {
    use super::*;
    use ComponentState::*;

    fn states(v: &[(&str, ComponentState)]) -> Vec<(String, ComponentState)> {
        v.iter().map(|(c, s)| (c.to_string(), *s)).collect()
    }

    #[test]
    fn the_default_templates_say_it_in_plain_words_in_english_and_italian() {
        let sms = vec!["SMS verification".to_string()];
        let en = Templates::defaults(Language::English);
        assert_eq!(
            Templates::render(&en.opened, &sms, Language::English),
            "We are aware that some customers cannot complete SMS verification. We are investigating."
        );
        let it = Templates::defaults(Language::Italian);
        assert_eq!(
            Templates::render(
                &it.opened,
                &["Verifica via SMS".to_string()],
                Language::Italian
            ),
            "Siamo a conoscenza del fatto che alcuni clienti non riescono a completare verifica via SMS. Stiamo indagando."
        );
        assert_eq!(
            Templates::render(
                &en.resolved,
                &["Card balance".to_string(), "Sign in".to_string()],
                Language::English
            ),
            "Card balance and sign in works again for all customers. We are sorry for the inconvenience."
        );
    }

    #[test]
    fn a_component_going_down_opens_one_incident_unless_one_already_names_it() {
        let now = states(&[("Sign in", Operational), ("SMS verification", Outage)]);
        assert_eq!(
            decide(&now, &[]),
            [Decision::Open(vec!["SMS verification".into()])]
        );
        let by_operator = OpenIncident {
            id: 7,
            components: vec!["SMS verification".into()],
            automatic: false,
        };
        assert!(decide(&now, &[by_operator]).is_empty());
    }

    #[test]
    fn recovery_resolves_only_the_monitors_own_incidents() {
        let now = states(&[("SMS verification", Operational)]);
        let auto = OpenIncident {
            id: 1,
            components: vec!["SMS verification".into()],
            automatic: true,
        };
        let manual = OpenIncident {
            id: 2,
            components: vec!["SMS verification".into()],
            automatic: false,
        };
        assert_eq!(decide(&now, &[auto, manual]), [Decision::Resolve(1)]);
        let unknown = states(&[("SMS verification", Unknown)]);
        let auto = OpenIncident {
            id: 1,
            components: vec!["SMS verification".into()],
            automatic: true,
        };
        assert!(
            decide(&unknown, &[auto]).is_empty(),
            "not known to work again: still open"
        );
    }

    #[test]
    fn states_parse_back() {
        for s in IncidentState::ALL {
            assert_eq!(IncidentState::parse(s.as_str()), Some(s));
        }
        assert_eq!(IncidentState::parse("fixed"), None);
    }
}
