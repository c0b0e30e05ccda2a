//! Variables a step reads and saves, so a step that reads a variable no earlier step managed to
//! set fails saying so, instead of running with an empty value (an `assert_title: "${X}"` that
//! passes vacuously).

use crate::journey::model::{
    Action, Condition, OtpSource, Step, Template, TextMatch, WaitCondition,
};

/// The variables `step` reads (its inner steps' excluded), base_url's for an `open`.
pub(crate) fn used_variables<'s>(step: &'s Step, base_url: Option<&'s Template>) -> Vec<&'s str> {
    let mut templates: Vec<&Template> = Vec::new();
    let text = |m: &'s TextMatch| match m {
        TextMatch::Contains(t) => Some(t),
        TextMatch::Regex(_) => None,
    };
    match &step.action {
        Action::Open(t) => {
            templates.push(t);
            templates.extend(base_url);
        }
        Action::Click(l)
        | Action::Hover(l)
        | Action::Check(l)
        | Action::Uncheck(l)
        | Action::AssertVisible(l)
        | Action::AssertHidden(l) => templates.extend(l.templates()),
        Action::Fill(items) | Action::Select(items) => {
            for (l, t) in items {
                templates.extend(l.templates());
                templates.push(t);
            }
        }
        Action::WaitFor(c) => match c {
            WaitCondition::Visible(l) | WaitCondition::Hidden(l) => templates.extend(l.templates()),
            WaitCondition::Url(m) | WaitCondition::Text(m) => templates.extend(text(m)),
        },
        Action::AssertText(items) => {
            for (l, m) in items {
                templates.extend(l.templates());
                templates.extend(text(m));
            }
        }
        Action::AssertUrl(m) | Action::AssertTitle(m) => templates.extend(text(m)),
        Action::Extract(items) => templates.extend(items.iter().flat_map(|(l, _)| l.templates())),
        Action::Otp(otp) => templates.push(match &otp.source {
            OtpSource::Sms { to, .. } => to,
            OtpSource::Totp { secret } => secret,
            OtpSource::Http { url, .. } => url,
            OtpSource::Command { run, .. } => run,
        }),
        Action::Script { code, .. } | Action::Log(code) => templates.push(code),
        Action::When { condition, .. } => match condition {
            Condition::Visible(l) => templates.extend(l.templates()),
            Condition::Url(m) | Condition::Text(m) => templates.extend(text(m)),
        },
        Action::Press(_) | Action::Screenshot(_) | Action::Include { .. } | Action::Sleep(_) => {}
    }
    let mut names: Vec<&str> = templates
        .into_iter()
        .flat_map(Template::variables)
        .collect();
    names.dedup();
    names
}

/// The variables `step` sets when it passes.
pub(crate) fn saved_variables(step: &Step) -> Vec<&str> {
    match &step.action {
        Action::Extract(items) => items.iter().map(|(_, v)| v.as_str()).collect(),
        Action::Otp(otp) => vec![otp.save_as.as_str()],
        Action::Script {
            save_as: Some(v), ..
        } => vec![v.as_str()],
        _ => Vec::new(),
    }
}
