//! What one poll of the page sees (see `probe.js`).

use std::time::Duration;

use super::error_page::ErrorPage;
use super::selector::Selector;
use crate::network::DocumentTiming;
use fantoccini::elements::Element;

/// What to look at in one poll.
#[derive(Debug, Clone, Default)]
pub struct ProbeRequest<'a> {
    /// The step's element, if it has one.
    pub target: Option<&'a Selector>,
    /// `fail_fast` element signatures: reported visible or not, in order.
    pub signatures: &'a [Selector],
    /// Also read the body's visible text (for text signatures and `text:` waits).
    pub want_text: bool,
    /// Answer only once the page differs from an earlier look (or the wait is over).
    pub wait: Option<ProbeWait<'a>>,
    /// Also read the showing document's timings (see `timing.js`), where they are recorded: a
    /// step that may have loaded a document reads them in the look it makes after acting,
    /// not in a round trip of their own.
    pub timing: bool,
    /// Ready the target for this action in the look that finds it usable (see
    /// [`ElementProbe::Found::readied`]): the action then needs no round trip of its own first.
    pub ready: Option<Ready>,
}

/// An action a look readies its target for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ready {
    /// Find where a click would land.
    Click,
    /// Focus an empty text field, to type into.
    Type,
}

/// What a look did to ready its target for the step's action.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Readied {
    /// Nothing: not asked, or not usable yet.
    #[default]
    Nothing,
    /// Where a click would land (see `click_point.js`).
    Click(ClickPoint),
    /// An empty text field, now with the focus: the keys can go to it at once.
    Focused,
}

/// Where a click on an element would land (see `click_point.js`).
#[derive(Debug, Clone, PartialEq)]
pub enum ClickPoint {
    /// At this point of the viewport, on the element.
    At { x: f64, y: f64 },
    /// On another element, which covers it there.
    CoveredBy(String),
    /// The driver's own click knows better (an `<option>`, an element without a box).
    DriversOwn,
}

impl ClickPoint {
    /// `click_point.js`'s answer.
    pub(crate) fn from_json(v: &serde_json::Value) -> ClickPoint {
        if let (Some(x), Some(y)) = (v["x"].as_f64(), v["y"].as_f64()) {
            ClickPoint::At { x, y }
        } else if let Some(other) = v["covered_by"].as_str() {
            ClickPoint::CoveredBy(other.to_string())
        } else {
            ClickPoint::DriversOwn
        }
    }
}

/// A look that waits in the page for it to change (see `probe.js`): it answers as soon as what
/// it sees differs from the look whose [`PageProbe::key`] is `since`, or after `max`.
#[derive(Debug, Clone, Copy)]
pub struct ProbeWait<'a> {
    pub since: &'a str,
    pub max: Duration,
}

/// The page as one poll saw it. `E` is the browser's element handle (the runner's unit tests
/// use their own).
#[derive(Debug, Clone)]
pub struct PageProbe<E = Element> {
    /// HTTP status of the document's navigation, when the browser knows it.
    pub status: Option<u16>,
    pub title: String,
    pub url: String,
    pub body_text: Option<String>,
    /// The browser's own error page is showing (`chrome-error://…`, `about:neterror?…`): the
    /// page never loaded, and what the browser says went wrong.
    pub error_page: Option<ErrorPage>,
    /// One per requested signature selector: whether a visible element matches it.
    pub signatures_visible: Vec<bool>,
    pub target: Option<ElementProbe<E>>,
    /// Stands for everything above but the element handle: two looks with the same key saw
    /// the same page (see [`ProbeWait`]).
    pub key: String,
    /// The showing document's timings, when asked for and recorded.
    pub timing: Option<DocumentTiming>,
}

#[derive(Debug, Clone)]
pub enum ElementProbe<E = Element> {
    /// Nothing on the page matches.
    Missing,
    /// The selector itself is invalid (bad CSS or XPath).
    Invalid(String),
    Found {
        element: E,
        /// How many elements matched.
        count: usize,
        visible: bool,
        enabled: bool,
        checked: bool,
        /// Visible text (an input's value), when visible.
        text: Option<String>,
        /// Set when more than one visible element matches.
        ambiguity: Option<Ambiguity>,
        /// What `fill` does with it, known from this look.
        field: Field,
        /// What the look readied it for (see [`ProbeRequest::ready`]).
        readied: Readied,
    },
}

/// What `fill` does with an element, as a look found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// An input, text area or select that is no code editor's: cleared (unless `empty`, a text
    /// field with no value, then focused and typed into with the keyboard) and typed into,
    /// without first asking the page how.
    Plain { empty: bool },
    /// Anything else: `fill.js` asks the page how (a contenteditable region, a code editor).
    Other,
}

/// More than one visible element matches a locator: the step may act on another element than
/// the author meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ambiguity {
    /// How many visible elements match.
    pub visible: usize,
    /// Short descriptions (`button#send "Log in" in form#login`) of the first two: the one the
    /// step uses, then the next. Page text: mask before showing.
    pub first: Vec<String>,
}

impl<E> ElementProbe<E> {
    pub fn is_actionable(&self) -> bool {
        matches!(
            self,
            ElementProbe::Found {
                visible: true,
                enabled: true,
                ..
            }
        )
    }

    pub fn is_visible(&self) -> bool {
        matches!(self, ElementProbe::Found { visible: true, .. })
    }
}

pub(crate) const PROBE_JS: &str = concat!(
    include_str!("select.js"),
    include_str!("editors.js"),
    include_str!("click_point.js"),
    "function documentTiming() {\n",
    include_str!("timing.js"),
    "}\n",
    include_str!("probe.js")
);

/// `fill`'s look at its element (see `fill.js`).
pub(crate) const FILL_JS: &str = concat!(include_str!("editors.js"), include_str!("fill.js"));

/// `all(selector)` and `visible(element)` for page scripts (see `select.js`).
pub(crate) const SELECT_JS: &str = include_str!("select.js");
