//! Known outage signatures, checked on every poll of every step.

use super::failure::StepFailure;
use super::result::FailureCategory;
use crate::browser::{PageProbe, Selector};
use crate::journey::model::{FailFastMatcher, FailFastSignature, Variables};

/// A journey's `fail_fast` signatures, with element locators rendered once per attempt.
pub(crate) struct FailFast {
    signatures: Vec<FailFastSignature>,
    /// The element signatures' selectors, in order; the probe reports each visible or not.
    pub selectors: Vec<Selector>,
    /// Whether some signature needs the page's visible text.
    pub needs_text: bool,
}

impl FailFast {
    pub fn new(signatures: &[FailFastSignature], vars: &Variables) -> FailFast {
        let selectors = signatures
            .iter()
            .filter_map(|s| match &s.matcher {
                FailFastMatcher::Element(l) => Some(Selector::from_locator(l, vars)),
                _ => None,
            })
            .collect();
        let needs_text = signatures
            .iter()
            .any(|s| matches!(s.matcher, FailFastMatcher::Text(_)));
        FailFast {
            signatures: signatures.to_vec(),
            selectors,
            needs_text,
        }
    }

    /// The outage this look at the page shows, if any: a signature (first in file order), else
    /// an HTTP 5xx document.
    pub fn check<E>(&self, page: &PageProbe<E>, vars: &Variables) -> Option<StepFailure> {
        let mut element_i = 0;
        for sig in &self.signatures {
            let shows = match &sig.matcher {
                FailFastMatcher::Text(m) => page
                    .body_text
                    .as_deref()
                    .is_some_and(|t| m.is_match(t, vars)),
                FailFastMatcher::Title(m) => m.is_match(&page.title, vars),
                FailFastMatcher::Element(_) => {
                    let v = page
                        .signatures_visible
                        .get(element_i)
                        .copied()
                        .unwrap_or(false);
                    element_i += 1;
                    v
                }
            };
            if shows {
                let mut f = StepFailure::new(
                    FailureCategory::Outage,
                    format!(
                        "{} (fail_fast signature at line {})",
                        sig.reason, sig.location.line
                    ),
                );
                f.signature = Some(sig.reason.clone());
                return Some(f);
            }
        }
        match page.status {
            Some(s) if s >= 500 => Some(StepFailure::new(
                FailureCategory::Outage,
                format!("the page is an HTTP {s} error page ({})", page.url),
            )),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::journey::model::{Location, Locator, LocatorKind, Template, TextMatch};

    fn sig(matcher: FailFastMatcher, reason: &str) -> FailFastSignature {
        FailFastSignature {
            matcher,
            reason: reason.into(),
            location: Location {
                file: Arc::new(PathBuf::from("j.yaml")),
                line: 7,
                column: 5,
            },
        }
    }

    fn page(status: Option<u16>, title: &str, text: &str, visible: Vec<bool>) -> PageProbe {
        PageProbe {
            status,
            title: title.into(),
            url: "http://127.0.0.1/x".into(),
            body_text: Some(text.into()),
            error_page: None,
            signatures_visible: visible,
            target: None,
            key: String::new(),
            timing: None,
        }
    }

    fn signatures() -> Vec<FailFastSignature> {
        vec![
            sig(
                FailFastMatcher::Text(TextMatch::Contains(Template::literal("difficoltà"))),
                "down",
            ),
            sig(
                FailFastMatcher::Element(Locator::new(
                    LocatorKind::Css,
                    Template::literal(".maint"),
                )),
                "maintenance banner",
            ),
            sig(
                FailFastMatcher::Title(TextMatch::Regex(regex::Regex::new("^Error").unwrap())),
                "error title",
            ),
        ]
    }

    #[test]
    fn the_first_signature_that_shows_names_the_outage() {
        let vars = Variables::default();
        let ff = FailFast::new(&signatures(), &vars);
        assert!(ff.needs_text);
        assert_eq!(ff.selectors, vec![Selector::Css(".maint".into())]);
        let f = ff
            .check(&page(Some(200), "Error 42", "ok", vec![true]), &vars)
            .unwrap();
        assert_eq!(f.category, FailureCategory::Outage);
        assert_eq!(f.signature.as_deref(), Some("maintenance banner"));
        assert!(
            f.message.contains("maintenance banner") && f.message.contains("line 7"),
            "{}",
            f.message
        );
        let f = ff
            .check(&page(Some(200), "Error 42", "ok", vec![false]), &vars)
            .unwrap();
        assert_eq!(f.signature.as_deref(), Some("error title"));
        assert!(
            ff.check(&page(Some(200), "Home", "all fine", vec![false]), &vars)
                .is_none()
        );
    }

    #[test]
    fn a_5xx_document_is_an_outage_without_a_signature_and_4xx_is_not() {
        let vars = Variables::default();
        let ff = FailFast::new(&[], &vars);
        let f = ff.check(&page(Some(503), "", "", vec![]), &vars).unwrap();
        assert_eq!((f.category, f.signature), (FailureCategory::Outage, None));
        assert!(f.message.contains("HTTP 503"));
        assert!(ff.check(&page(Some(404), "", "", vec![]), &vars).is_none());
        assert!(ff.check(&page(None, "", "", vec![]), &vars).is_none());
    }
}
