//! `component:`: which customer-facing part of the site (sign-in, SMS verification, card
//! balance) each step exercises, for the public status page.

use super::model::{Action, Step};

/// Gives every step (inner steps too, in walk order) its component: a step's `component:`
/// applies to it and the steps after it until the next; before the first, `default`.
pub fn resolve(steps: &mut [Step], default: &str) {
    fn walk(steps: &mut [Step], current: &mut String) {
        for step in steps {
            match &step.component {
                Some(own) => *current = own.clone(),
                None => step.component = Some(current.clone()),
            }
            match &mut step.action {
                Action::Include { steps, .. } | Action::When { steps, .. } => walk(steps, current),
                _ => {}
            }
        }
    }
    let mut current = default.to_string();
    walk(steps, &mut current);
}

impl Step {
    /// The steps of an `include` or `when` block (none for other actions).
    pub fn inner_steps(&self) -> &[Step] {
        match &self.action {
            Action::Include { steps, .. } | Action::When { steps, .. } => steps,
            _ => &[],
        }
    }

    /// `steps` and, after each block, its inner steps, in walk order: every step a run can
    /// reach, as it numbers them.
    pub fn all(steps: &[Step]) -> Vec<&Step> {
        let mut out = Vec::new();
        for step in steps {
            out.push(step);
            out.extend(Step::all(step.inner_steps()));
        }
        out
    }

    /// The name shown in reports: `name:` or a description of the action. Never contains a
    /// variable's value, so never a secret.
    pub fn display_name(&self) -> String {
        match &self.name {
            Some(n) => n.clone(),
            None => self.action.describe(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::Diagnostic;
    use super::super::load::parse_journey;
    use super::super::model::{Journey, Step};
    use super::super::options::LoadOptions;

    fn parse(text: &str) -> Result<Journey, Vec<Diagnostic>> {
        parse_journey(text, Path::new("t.yaml"), &LoadOptions::with_env([]))
    }

    fn components(j: &Journey) -> Vec<&str> {
        Step::all(&j.steps)
            .iter()
            .map(|s| s.component.as_deref().expect("resolved at load"))
            .collect()
    }

    #[test]
    fn a_step_component_applies_to_it_and_the_steps_after_it_until_the_next() {
        let j = parse(
            "name: t\ncomponent: Home\nsteps:\n  - open: http://x/\n  - click: '#a'\n    component: Sign in\n  - click: '#b'\n  - click: '#c'\n    component: SMS verification\n  - click: '#d'\n",
        )
        .unwrap();
        assert_eq!(
            components(&j),
            [
                "Home",
                "Sign in",
                "Sign in",
                "SMS verification",
                "SMS verification"
            ]
        );
    }

    #[test]
    fn before_the_first_the_journey_component_else_its_title_else_its_name() {
        let titled = parse("name: t\ntitle: Card balance\nsteps:\n  - open: http://x/\n").unwrap();
        assert_eq!(components(&titled), ["Card balance"]);
        let named = parse("name: t\nsteps:\n  - open: http://x/\n").unwrap();
        assert_eq!(components(&named), ["t"]);
        let both = parse("name: t\ntitle: T\ncomponent: C\nsteps:\n  - open: http://x/\n").unwrap();
        assert_eq!(components(&both), ["C"]);
        assert_eq!(both.default_component(), "C");
    }

    #[test]
    fn a_component_inside_a_block_carries_on_after_it_in_walk_order() {
        let j = parse(
            "name: t\nsteps:\n  - open: http://x/\n  - when: { visible: '#banner' }\n    steps:\n      - click: '#ok'\n        component: Banner\n  - click: '#next'\n",
        )
        .unwrap();
        assert_eq!(components(&j), ["t", "t", "Banner", "Banner"]);
    }

    #[test]
    fn an_empty_or_multiline_component_is_an_error_at_its_position() {
        let e = parse("name: t\nsteps:\n  - open: http://x/\n    component: ''\n").unwrap_err();
        assert_eq!(e[0].message, "expected a component name");
        assert_eq!((e[0].location.line, e[0].location.column), (4, 16));
        let e = parse("name: t\ncomponent: \"a\\nb\"\nsteps:\n  - open: http://x/\n").unwrap_err();
        assert_eq!(e[0].message, "a component name is one line of plain text");
        assert_eq!((e[0].location.line, e[0].location.column), (2, 12));
        let e = parse("name: t\ncomponent: [a]\nsteps:\n  - open: http://x/\n").unwrap_err();
        assert_eq!((e[0].location.line, e[0].location.column), (2, 12));
    }

    #[test]
    fn the_schema_knows_component_at_the_top_and_on_steps() {
        let schema = super::super::journey_schema();
        assert!(schema["properties"]["component"].is_object());
        assert!(schema["definitions"]["step"]["properties"]["component"].is_object());
    }
}
