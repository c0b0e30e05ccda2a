//! Journey locators turned into what the browser understands: a CSS selector or an XPath.

use serde::Serialize;

use crate::journey::model::{Locator, LocatorKind, Variables};

/// A rendered locator the page script can evaluate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Selector {
    Css(String),
    Xpath(String),
    /// A locator narrowed by `within:` / `nth:`: `target`'s matches inside an element `within`
    /// matches, and of those the `nth` (1-based) visible one.
    Scoped {
        target: Box<Selector>,
        within: Option<Box<Selector>>,
        nth: Option<usize>,
    },
}

impl Selector {
    /// Renders `locator` with `vars`. `text` finds the deepest element whose text contains the
    /// value (visibility is judged by the page script, which prefers visible matches).
    pub fn from_locator(locator: &Locator, vars: &Variables) -> Selector {
        let target = Selector::unscoped(locator, vars);
        match &locator.scope {
            None => target,
            Some(scope) => Selector::Scoped {
                target: Box::new(target),
                within: scope
                    .within
                    .as_ref()
                    .map(|w| Box::new(Selector::from_locator(w, vars))),
                nth: scope.nth,
            },
        }
    }

    fn unscoped(locator: &Locator, vars: &Variables) -> Selector {
        let v = locator.value.render(vars);
        match locator.kind {
            LocatorKind::Css => Selector::Css(v),
            LocatorKind::XPath => Selector::Xpath(v),
            LocatorKind::Id => Selector::Css(format!("[id={}]", css_string(&v))),
            LocatorKind::Name => Selector::Css(format!("[name={}]", css_string(&v))),
            LocatorKind::Link => Selector::Xpath(format!(
                "//a[contains(normalize-space(.), {})]",
                xpath_literal(&v)
            )),
            LocatorKind::Text => {
                let lit = xpath_literal(&v);
                Selector::Xpath(format!(
                    "//body//*[not(self::script or self::style or self::noscript)]\
                     [contains(normalize-space(.), {lit})]\
                     [not(.//*[contains(normalize-space(.), {lit})])]"
                ))
            }
        }
    }
}

/// A CSS string literal: `"…"` with `\` and `"` escaped, newlines as `\a `.
pub fn css_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\a "),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An XPath 1.0 string literal for any text: XPath has no escapes, so a value holding both
/// quote kinds becomes `concat('…', "'", '…')`.
pub fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::model::Template;

    fn loc(kind: LocatorKind, v: &str) -> Locator {
        Locator::new(kind, Template::literal(v))
    }

    #[test]
    fn xpath_literals_quote_any_text() {
        assert_eq!(xpath_literal("Accedi"), "'Accedi'");
        assert_eq!(xpath_literal("l'accesso"), "\"l'accesso\"");
        assert_eq!(
            xpath_literal(r#"say "l'a""#),
            r#"concat('say "l', "'", 'a"')"#
        );
    }

    #[test]
    fn id_and_name_become_escaped_attribute_selectors() {
        let v = Variables::default();
        assert_eq!(
            Selector::from_locator(&loc(LocatorKind::Id, r#"a"b\c"#), &v),
            Selector::Css(r#"[id="a\"b\\c"]"#.into())
        );
        assert_eq!(
            Selector::from_locator(&loc(LocatorKind::Name, "user"), &v),
            Selector::Css(r#"[name="user"]"#.into())
        );
    }

    #[test]
    fn link_and_text_become_xpath_containment() {
        let v = Variables::default();
        assert_eq!(
            Selector::from_locator(&loc(LocatorKind::Link, "Esci"), &v),
            Selector::Xpath("//a[contains(normalize-space(.), 'Esci')]".into())
        );
        let Selector::Xpath(x) = Selector::from_locator(&loc(LocatorKind::Text, "Accedi"), &v)
        else {
            panic!("text is xpath")
        };
        assert!(
            x.contains("[not(.//*[contains(normalize-space(.), 'Accedi')])]"),
            "{x}"
        );
    }
}
