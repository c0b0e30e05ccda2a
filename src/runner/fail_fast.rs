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
    pub fn check(&self, page: &PageProbe, vars: &Variables) -> Option<StepFailure> {
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
