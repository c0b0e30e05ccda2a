//! A scripted page for the runner's unit tests, so the walker's decisions (skips, optional
//! steps, retries, `when` blocks, interruption) are checked in milliseconds without a browser.
//!
//! Its elements are CSS selectors that are on the page or not; clicking a "hanging" one
//! interrupts the run and never answers, clicking a "crashing" one finds the browser gone. The real browser's
//! behaviour is covered by the integration tests; this only has to be simple and predictable.

use std::collections::VecDeque;
use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value as Json;
use tokio_util::sync::CancellationToken;

use super::event::Event;
use super::journey::run_with_retries;
use super::options::RunOptions;
use super::page::{Browser, Page};
use super::result::JourneyResult;
use crate::browser::{
    BrowserError, ConsoleEntry, ElementProbe, ErrorPage, Field, PageProbe, ProbeRequest, Readied,
    ScreenshotError, SecretsOnPage, Selector,
};
use crate::journey::model::Journey;
use crate::journey::{LoadOptions, parse_journey};
use crate::network::DocumentTiming;

/// One page, shared by the walker and the test that inspects it afterwards.
#[derive(Clone, Default)]
pub(crate) struct FakePage {
    state: Arc<Mutex<PageState>>,
}

#[derive(Default)]
struct PageState {
    url: String,
    /// The CSS selectors of the elements showing (one listed twice: two elements match it).
    showing: Vec<String>,
    /// Clicking this cancels the run's token and never answers: the run is interrupted mid-step.
    hangs: Option<(String, CancellationToken)>,
    /// Clicking this finds the browser gone.
    crashes: Option<String>,
    /// Every element clicked, in order.
    clicked: Vec<String>,
    /// How the session ended: `close` or `kill`.
    ended: Option<&'static str>,
    /// Clicking this lands on the browser's error page.
    navigates_to_error: Option<(String, ErrorPage)>,
    /// The browser's error page is showing.
    error_page: Option<ErrorPage>,
    /// Logged to the console when the page is first looked at.
    logs: Vec<(&'static str, String)>,
    /// The network events not yet read; `None`: the page records no network.
    network: Option<Vec<Json>>,
    /// Response bodies by request id.
    bodies: std::collections::HashMap<String, String>,
    /// How many times the page changed (a navigation, a click): a look's key.
    changes: u64,
}

impl FakePage {
    /// A page showing the elements `showing` (CSS selectors).
    pub(crate) fn showing(showing: &[&str]) -> FakePage {
        let page = FakePage::default();
        page.state().showing = showing.iter().map(|s| s.to_string()).collect();
        page
    }

    /// Clicking `element` interrupts the run (`cancel` fires) while the click never answers.
    pub(crate) fn click_interrupts(self, element: &str, cancel: &CancellationToken) -> FakePage {
        self.state().hangs = Some((element.to_string(), cancel.clone()));
        self
    }

    /// Clicking `element` finds the browser session gone.
    pub(crate) fn click_crashes(self, element: &str) -> FakePage {
        self.state().crashes = Some(element.to_string());
        self
    }

    /// Clicking `element` lands on the browser's error page `page` (as Chromium does: the click
    /// itself succeeds).
    pub(crate) fn click_lands_on(self, element: &str, page: ErrorPage) -> FakePage {
        self.state().navigates_to_error = Some((element.to_string(), page));
        self
    }

    /// The page logs `message` at `level` to the console when it is first looked at.
    pub(crate) fn logs(self, level: &'static str, message: &str) -> FakePage {
        self.state().logs.push((level, message.to_string()));
        self
    }

    /// The page recorded these network events (CDP `Network.*`), with these bodies by request
    /// id.
    pub(crate) fn with_network(self, events: Vec<Json>, bodies: &[(&str, &str)]) -> FakePage {
        {
            let mut s = self.state();
            s.network = Some(events);
            s.bodies = bodies
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        }
        self
    }

    pub(crate) fn clicked(&self) -> Vec<String> {
        self.state().clicked.clone()
    }

    /// `close` or `kill`, once the attempt is over.
    pub(crate) fn ended(&self) -> Option<&'static str> {
        self.state().ended
    }

    fn state(&self) -> MutexGuard<'_, PageState> {
        self.state
            .lock()
            .expect("a fake page's lock is never poisoned")
    }
}

/// Hands out the given pages, one per attempt, in order.
pub(crate) struct FakeBrowser {
    pages: Mutex<VecDeque<FakePage>>,
}

impl FakeBrowser {
    pub(crate) fn new(pages: impl IntoIterator<Item = FakePage>) -> FakeBrowser {
        FakeBrowser {
            pages: Mutex::new(pages.into_iter().collect()),
        }
    }
}

impl Browser for FakeBrowser {
    type Page = FakePage;

    async fn start(&self, _journey: &Journey) -> Result<FakePage, BrowserError> {
        let next = self.pages.lock().expect("not poisoned").pop_front();
        next.ok_or_else(|| BrowserError::Setup("no more fake pages".into()))
    }
}

impl Page for FakePage {
    type Element = String;

    async fn goto(&self, url: &str, _timeout: Duration) -> Result<(), BrowserError> {
        let mut st = self.state();
        st.url = url.to_string();
        st.changes += 1;
        Ok(())
    }

    async fn probe(&self, req: &ProbeRequest<'_>) -> Result<PageProbe<String>, BrowserError> {
        // Nothing changes the page while the walker waits on it: a waiting look sits out its
        // time, as the browser's does on a page that stays the same.
        let unchanged = req
            .wait
            .filter(|w| w.since == self.state().changes.to_string());
        if let Some(w) = unchanged {
            tokio::time::sleep(w.max).await;
        }
        let st = self.state();
        let shows = |sel: &Selector| match sel {
            Selector::Css(css) => st.showing.contains(css),
            Selector::Xpath(_) | Selector::Scoped { .. } => false,
        };
        let target = req.target.map(|sel| match sel {
            Selector::Css(css) if shows(sel) => {
                // A selector listed n times is shown by n elements.
                let n = st.showing.iter().filter(|s| *s == css).count();
                ElementProbe::Found {
                    element: css.clone(),
                    count: n,
                    visible: true,
                    enabled: true,
                    checked: false,
                    text: Some(String::new()),
                    field: Field::Other,
                    readied: Readied::Nothing,
                    ambiguity: (n > 1).then(|| crate::browser::Ambiguity {
                        visible: n,
                        first: vec![format!("{css} (1)"), format!("{css} (2)")],
                    }),
                }
            }
            _ => ElementProbe::Missing,
        });
        Ok(PageProbe {
            status: Some(200),
            title: "Fake page".into(),
            url: st.url.clone(),
            body_text: req.want_text.then(|| "Loading your balance…".to_string()),
            error_page: st.error_page.clone(),
            signatures_visible: req.signatures.iter().map(shows).collect(),
            target,
            key: st.changes.to_string(),
            timing: None,
        })
    }

    async fn click(&self, el: &String, _readied: &Readied) -> Result<(), BrowserError> {
        let hang = {
            let mut st = self.state();
            st.clicked.push(el.clone());
            st.changes += 1;
            if let Some((_, page)) = st.navigates_to_error.as_ref().filter(|(e, _)| e == el) {
                st.error_page = Some(page.clone());
                st.showing.clear();
            }
            if st.crashes.as_ref() == Some(el) {
                return Err(BrowserError::Lost("chrome not reachable".into()));
            }
            match &st.hangs {
                Some((hanging, cancel)) if hanging == el => Some(cancel.clone()),
                _ => None,
            }
        };
        if let Some(cancel) = hang {
            cancel.cancel();
            std::future::pending::<()>().await;
        }
        Ok(())
    }

    async fn hover(&self, _el: &String) -> Result<(), BrowserError> {
        Ok(())
    }

    async fn fill(
        &self,
        _el: &String,
        _text: &str,
        _field: Field,
        _readied: &Readied,
    ) -> Result<(), BrowserError> {
        Ok(())
    }

    async fn is_selected(&self, _el: &String) -> Result<bool, BrowserError> {
        Ok(false)
    }

    async fn select_option(
        &self,
        _el: &String,
        _label: &str,
    ) -> Result<Result<(), Vec<String>>, BrowserError> {
        Ok(Ok(()))
    }

    async fn press(&self, _chord: &[char]) -> Result<(), BrowserError> {
        Ok(())
    }

    async fn execute(&self, _script: &str, _args: Vec<Json>) -> Result<Json, BrowserError> {
        Ok(Json::Null)
    }

    async fn screenshot(&self, _secrets: &SecretsOnPage) -> Result<Vec<u8>, ScreenshotError> {
        Ok(white_png(320, 200))
    }

    async fn current_url(&self) -> Result<String, BrowserError> {
        Ok(self.state().url.clone())
    }

    async fn source(&self) -> Result<String, BrowserError> {
        Ok("<html><body>fake</body></html>".into())
    }

    async fn console_log(&self) -> Option<Vec<ConsoleEntry>> {
        let now = jiff::Timestamp::now().as_millisecond();
        let logged = std::mem::take(&mut self.state().logs);
        let entry = |at_ms, level: &str, message: String| ConsoleEntry {
            at_ms,
            level: level.into(),
            source: "javascript".into(),
            message,
        };
        let mut entries = vec![entry(0, "INFO", "fake page loaded".into())];
        entries.extend(logged.into_iter().map(|(l, m)| entry(now, l, m)));
        Some(entries)
    }

    async fn notices(&self) -> Result<Vec<String>, BrowserError> {
        Ok(Vec::new())
    }

    async fn element_rect(&self, _sel: &Selector) -> Result<Option<[f64; 4]>, BrowserError> {
        Ok(None)
    }

    async fn network_events(&self) -> Option<Vec<Json>> {
        let mut s = self.state();
        s.network.as_mut().map(std::mem::take)
    }

    async fn response_body(&self, id: &str) -> Option<String> {
        self.state().bodies.get(id).cloned()
    }

    async fn document_timing(&self) -> Option<DocumentTiming> {
        None
    }

    fn describe(&self) -> (String, String, String) {
        ("fake".into(), "1".into(), "no driver".into())
    }

    fn close(self) -> impl Future<Output = ()> + Send {
        self.state().ended = Some("close");
        std::future::ready(())
    }

    fn kill(self) -> impl Future<Output = ()> + Send {
        self.state().ended = Some("kill");
        std::future::ready(())
    }
}

fn white_png(width: u32, height: u32) -> Vec<u8> {
    use image::ImageEncoder;
    let img = image::RgbImage::from_pixel(width, height, image::Rgb([255, 255, 255]));
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .expect("a small white image encodes");
    png
}

/// A journey written in the test.
pub(crate) fn journey(yaml: &str) -> Journey {
    match parse_journey(yaml, Path::new("fake.yaml"), &LoadOptions::with_env([])) {
        Ok(j) => j,
        Err(diags) => panic!("the test's journey is invalid: {diags:#?}"),
    }
}

/// Runs `journey` (with its retries) on `pages`, one per attempt, keeping evidence under
/// `out_dir`; returns its result and every event sent.
pub(crate) async fn run_on(
    journey: &Journey,
    pages: impl IntoIterator<Item = FakePage>,
    out_dir: &Path,
    cancel: &CancellationToken,
) -> (JourneyResult, Vec<Event>) {
    let opts = RunOptions {
        browser: Default::default(),
        jobs: 1,
        out_dir: out_dir.to_path_buf(),
        run_id: "fake-run".into(),
        otp: Default::default(),
        sign_key: None,
        browsers: None,
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let browser = FakeBrowser::new(pages);
    let result = run_with_retries(journey, &browser, &opts, &tx, cancel).await;
    drop(tx);
    let mut events = Vec::new();
    while let Some(e) = rx.recv().await {
        events.push(e);
    }
    (result, events)
}
