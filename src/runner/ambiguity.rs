//! A locator that matches more than one visible element: the step acts on the first, which
//! may not be the one the author meant (`click: {text: "Log in"}` took the header's link, not
//! the form's button). A warning on the step, or with `strict: true` its failure; either way
//! it names how many matched and the first two, and how to narrow it.

use super::failure::StepFailure;
use super::result::{FailureCategory, StepWarning};
use crate::browser::Ambiguity;
use crate::journey::model::{Locator, Variables};

pub(crate) const AMBIGUOUS_LOCATOR: &str = "ambiguous_locator";

/// What `l` matching `amb` means for the step: a warning to keep (not strict), or its failure.
/// A locator with `nth:` picked its element on purpose: nothing to say.
pub(crate) fn judge(
    l: &Locator,
    amb: &Ambiguity,
    vars: &Variables,
    strict: bool,
) -> Result<Option<StepWarning>, StepFailure> {
    if l.scope.as_ref().is_some_and(|s| s.nth.is_some()) {
        return Ok(None);
    }
    let matches: Vec<String> = amb.first.iter().map(|m| vars.mask(m)).collect();
    let how = "narrow it with `within:` or `nth:`";
    if strict {
        return Err(StepFailure::new(
            FailureCategory::Assertion,
            format!(
                "{l} matches {} visible elements (strict): {}; {how}",
                amb.visible,
                matches.join(", ")
            ),
        ));
    }
    let message = match matches.as_slice() {
        [used, next, ..] => format!(
            "{l} matches {} visible elements; the step used the first, {used} (the next is {next}); {how}",
            amb.visible
        ),
        _ => format!("{l} matches {} visible elements; {how}", amb.visible),
    };
    Ok(Some(StepWarning {
        kind: AMBIGUOUS_LOCATOR.into(),
        message,
        locator: l.to_string(),
        count: amb.visible,
        matches,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::model::{LocatorKind, Scope, Template};

    fn log_in() -> Locator {
        Locator::new(LocatorKind::Text, Template::literal("Log in"))
    }

    fn two() -> Ambiguity {
        Ambiguity {
            visible: 3,
            first: vec![
                r#"a.nav "Log in" in header"#.into(),
                r#"button#send "Log in as hunter2" in form#login"#.into(),
            ],
        }
    }

    #[test]
    fn a_warning_names_the_count_and_the_first_two_masked() {
        let mut vars = Variables::default();
        vars.set_secret("PASSWORD", "hunter2");
        let w = judge(&log_in(), &two(), &vars, false).unwrap().unwrap();
        assert_eq!(w.kind, "ambiguous_locator");
        assert_eq!(w.count, 3);
        assert_eq!(w.locator, r#"text="Log in""#);
        assert_eq!(
            w.matches,
            [
                r#"a.nav "Log in" in header"#,
                r#"button#send "Log in as ••••••" in form#login"#
            ]
        );
        assert_eq!(
            w.message,
            r#"text="Log in" matches 3 visible elements; the step used the first, a.nav "Log in" in header (the next is button#send "Log in as ••••••" in form#login); narrow it with `within:` or `nth:`"#
        );
    }

    #[test]
    fn strict_makes_it_the_step_s_failure_and_nth_settles_it() {
        let vars = Variables::default();
        let f = judge(&log_in(), &two(), &vars, true).unwrap_err();
        assert_eq!(f.category, FailureCategory::Assertion);
        assert!(
            f.message
                .starts_with(r#"text="Log in" matches 3 visible elements (strict): a.nav"#),
            "{}",
            f.message
        );
        let mut second = log_in();
        second.scope = Some(Box::new(Scope {
            within: None,
            nth: Some(2),
        }));
        assert_eq!(judge(&second, &two(), &vars, true).unwrap(), None);
    }

    /// The walker on a scripted page where two elements match `#login`.
    #[tokio::test]
    async fn the_walker_keeps_the_warning_or_fails_the_step_when_strict() {
        use crate::runner::fake_page::{FakePage, journey, run_on};
        use crate::runner::result::{JourneyStatus, StepStatus};
        use tokio_util::sync::CancellationToken;

        let out = tempfile::tempdir().unwrap();
        let two_logins = || FakePage::showing(&["#login", "#login", "#ok"]);
        let j = journey(
            "name: lenient\ntimeout: 1ms\nsteps:\n  - click: '#login'\n  - assert_visible: '#login'\n",
        );
        let (r, _) = run_on(&j, [two_logins()], out.path(), &CancellationToken::new()).await;
        assert_eq!(r.status, JourneyStatus::Passed);
        assert_eq!(r.steps[0].warnings.len(), 1);
        assert_eq!(r.steps[0].warnings[0].count, 2);
        // Seeing any of them is all `assert_visible` asks: no warning.
        assert!(r.steps[1].warnings.is_empty());

        let j = journey(
            "name: strict\nstrict: true\ntimeout: 1ms\nsteps:\n  - click: '#ok'\n  - click: '#login'\n",
        );
        let (r, _) = run_on(&j, [two_logins()], out.path(), &CancellationToken::new()).await;
        assert_eq!(r.status, JourneyStatus::Failed);
        assert_eq!(r.steps[1].status, StepStatus::Failed);
        let f = r.steps[1].failure.as_ref().unwrap();
        assert_eq!(f.category, FailureCategory::Assertion);
        assert!(f.message.contains("(strict)"), "{}", f.message);

        // A step's own `strict: false` overrides the journey's.
        let j = journey(
            "name: relaxed\nstrict: true\ntimeout: 1ms\nsteps:\n  - click: '#login'\n    strict: false\n",
        );
        let (r, _) = run_on(&j, [two_logins()], out.path(), &CancellationToken::new()).await;
        assert_eq!(r.status, JourneyStatus::Passed);
        assert_eq!(r.steps[0].warnings.len(), 1);
    }
}
