//! `within:` and `nth:` beside a locator's key: the way to narrow a locator that matches
//! several elements (`click: {text: "Log in"}` took the header's link, not the form's button).
//!
//! ```yaml
//! - click: { text: "Log in", within: "form#login" }   # only matches inside that element
//! - click: { css: ".card button", nth: 2 }            # the second visible match
//! ```

use marked_yaml::Node;
use marked_yaml::types::MarkedMappingNode;

use super::model::{Locator, Scope};
use super::reader::{LOCATOR_KEYS, Reader, SCOPE_KEYS};
use super::source::SourceFile;

/// The most `nth:` may say: more matches than this on one page is no locator.
pub const MAX_NTH: usize = 1000;

impl Reader<'_> {
    /// `{<kind>: value, within: locator, nth: N}`: one locator key, and `within`, `nth` or both.
    pub(super) fn scoped_locator(
        &mut self,
        f: &SourceFile,
        node: &Node,
        map: &MarkedMappingNode,
    ) -> Option<Locator> {
        let mut kinds = map
            .iter()
            .filter(|(k, _)| !SCOPE_KEYS.contains(&k.as_str()));
        let located = match kinds.next() {
            None => {
                self.error_help(
                    f,
                    f.pos(node),
                    "`within` and `nth` narrow a locator, and there is none",
                    "expected one of css, xpath, text, id, name or link beside them",
                    Some(
                        "write the locator beside them: `{text: \"Log in\", within: form}`".into(),
                    ),
                );
                None
            }
            Some((key, value)) => {
                if let Some((extra, _)) = kinds.next() {
                    if LOCATOR_KEYS.contains(&extra.as_str())
                        || !self.misplaced_step_option(f, extra)
                    {
                        self.error_help(
                            f,
                            f.pos(&Node::from(extra.clone())),
                            "a locator has one key",
                            format!("`{}` is already given", key.as_str()),
                            Some("besides its key, a locator takes only `within` and `nth`".into()),
                        );
                    }
                    return None;
                }
                self.locator_entry(f, key.as_str(), &Node::from(key.clone()), value)
            }
        };
        let within = map.get_node("within").map(|n| self.locator(f, n));
        let nth = map.get_node("nth").map(|n| self.nth(f, n));
        let mut locator = located?;
        let scope = Scope {
            within: match within {
                Some(w) => Some(w?),
                None => None,
            },
            nth: match nth {
                Some(n) => Some(n?),
                None => None,
            },
        };
        locator.scope = Some(Box::new(scope));
        Some(locator)
    }

    fn nth(&mut self, f: &SourceFile, node: &Node) -> Option<usize> {
        let text = self.string(f, node, "a position, 1 for the first")?;
        match text.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_NTH).contains(&n) => Some(n),
            _ => {
                self.error(
                    f,
                    f.pos(node),
                    format!("invalid nth `{text}`"),
                    "expected which visible match, counting from 1 (at most 1000)",
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::journey::LoadOptions;
    use crate::journey::load::parse_journey;
    use crate::journey::model::{Action, Journey, LocatorKind};

    fn parse(step: &str) -> Result<Journey, Vec<String>> {
        let text = format!("name: t\nsteps:\n  - {step}\n");
        parse_journey(&text, Path::new("t.yaml"), &LoadOptions::with_env([]))
            .map_err(|d| d.into_iter().map(|d| d.message).collect())
    }

    #[test]
    fn within_and_nth_narrow_any_locator() {
        let j =
            parse(r#"click: { text: "Log in", within: { css: "form#login" }, nth: 2 }"#).unwrap();
        let Action::Click(l) = &j.steps[0].action else {
            panic!("a click")
        };
        assert_eq!(l.kind, LocatorKind::Text);
        let scope = l.scope.as_deref().unwrap();
        assert_eq!(scope.nth, Some(2));
        assert_eq!(scope.within.as_ref().unwrap().to_string(), "form#login");
        assert_eq!(
            j.steps[0].display_name(),
            r#"click text="Log in" within form#login nth 2"#
        );
        // In the structured forms too.
        parse(r#"fill: { locator: { name: q, within: header }, value: x }"#).unwrap();
        parse(r#"wait_for: { visible: { css: li, nth: 3 } }"#).unwrap();
    }

    #[test]
    fn a_scope_needs_a_locator_and_a_sane_position() {
        assert_eq!(
            parse("click: { within: form }").unwrap_err(),
            ["`within` and `nth` narrow a locator, and there is none"]
        );
        assert_eq!(
            parse("click: { css: a, nth: 0 }").unwrap_err(),
            ["invalid nth `0`"]
        );
        assert_eq!(
            parse("click: { css: a, text: b, nth: 1 }").unwrap_err(),
            ["a locator has one key"]
        );
        assert_eq!(
            parse("click: { css: a, within: { nope: b } }").unwrap_err(),
            ["unknown locator kind `nope`"]
        );
        assert_eq!(
            parse("click: { css: a, nth: 1, timeout: 5s }").unwrap_err(),
            ["`timeout` is a step option, not part of `click`"]
        );
    }
}
