//! The browser as the runner uses it: a [`Browser`] starts one [`Page`] per attempt. The real
//! ones are [`BrowserConfig`] and [`Session`]; the runner's unit tests drive the walker with a
//! scripted page instead (`fake_page.rs`), so its decisions are checked without a browser.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value as Json;

use crate::browser::{
    BrowserConfig, BrowserError, BrowserPool, ConsoleEntry, Element, Field, PageProbe,
    ProbeRequest, Readied, ScreenshotError, SecretsOnPage, Selector, Session,
};
use crate::journey::model::Journey;
use crate::network::DocumentTiming;

/// Starts a fresh page (a browser session) for each attempt.
pub(crate) trait Browser: Sync {
    type Page: Page;

    /// A page whose viewport is the journey's, named after it.
    fn start(
        &self,
        journey: &Journey,
    ) -> impl Future<Output = Result<Self::Page, BrowserError>> + Send;
}

/// One browser session, seen through what the steps do with it (see [`Session`] for each).
pub(crate) trait Page: Send + Sync + Sized {
    /// A handle on an element a probe found, to act on.
    type Element: Clone + Send + Sync;

    fn goto(
        &self,
        url: &str,
        timeout: Duration,
    ) -> impl Future<Output = Result<(), BrowserError>> + Send;
    fn probe(
        &self,
        req: &ProbeRequest<'_>,
    ) -> impl Future<Output = Result<PageProbe<Self::Element>, BrowserError>> + Send;
    /// `readied`: what the look that found the element readied it for.
    fn click(
        &self,
        el: &Self::Element,
        readied: &Readied,
    ) -> impl Future<Output = Result<(), BrowserError>> + Send;
    fn hover(&self, el: &Self::Element) -> impl Future<Output = Result<(), BrowserError>> + Send;
    /// `field`: what the look found the element to be (see [`Field`]).
    fn fill(
        &self,
        el: &Self::Element,
        text: &str,
        field: Field,
        readied: &Readied,
    ) -> impl Future<Output = Result<(), BrowserError>> + Send;
    fn is_selected(
        &self,
        el: &Self::Element,
    ) -> impl Future<Output = Result<bool, BrowserError>> + Send;
    /// `Ok(Err(options))` lists the options when none has the label.
    fn select_option(
        &self,
        el: &Self::Element,
        label: &str,
    ) -> impl Future<Output = Result<Result<(), Vec<String>>, BrowserError>> + Send;
    /// Presses a chord: its modifiers held while its last key is pressed.
    fn press(&self, chord: &[char]) -> impl Future<Output = Result<(), BrowserError>> + Send;
    fn execute(
        &self,
        script: &str,
        args: Vec<Json>,
    ) -> impl Future<Output = Result<Json, BrowserError>> + Send;
    /// A PNG of the viewport with `secrets` hidden for the moment of the shot.
    fn screenshot(
        &self,
        secrets: &SecretsOnPage,
    ) -> impl Future<Output = Result<Vec<u8>, ScreenshotError>> + Send;
    fn current_url(&self) -> impl Future<Output = Result<String, BrowserError>> + Send;
    fn source(&self) -> impl Future<Output = Result<String, BrowserError>> + Send;
    fn console_log(&self) -> impl Future<Output = Option<Vec<ConsoleEntry>>> + Send;
    fn notices(&self) -> impl Future<Output = Result<Vec<String>, BrowserError>> + Send;
    fn element_rect(
        &self,
        sel: &Selector,
    ) -> impl Future<Output = Result<Option<[f64; 4]>, BrowserError>> + Send;
    /// The page's network events since the last call; `None` where none are recorded.
    fn network_events(&self) -> impl Future<Output = Option<Vec<Json>>> + Send;
    /// The start of the body of the response to request `id`, while the browser holds it.
    fn response_body(&self, id: &str) -> impl Future<Output = Option<String>> + Send;
    /// The showing document's timings, when it has them.
    fn document_timing(&self) -> impl Future<Output = Option<DocumentTiming>> + Send;
    /// Browser name, browser version, driver.
    fn describe(&self) -> (String, String, String);
    /// How long the attempt waited for a browser to start (zero: a warm one).
    fn browser_start(&self) -> Duration {
        Duration::ZERO
    }
    /// Ends the session politely.
    fn close(self) -> impl Future<Output = ()> + Send;
    /// Ends the session at once (interrupted, or the browser is gone).
    fn kill(self) -> impl Future<Output = ()> + Send;
}

impl Browser for BrowserConfig {
    type Page = Session;

    fn start(
        &self,
        journey: &Journey,
    ) -> impl Future<Output = Result<Session, BrowserError>> + Send {
        let config = self.for_journey(journey);
        async move {
            let viewport = config.viewport(journey.viewport);
            Session::start(&config, viewport.width, viewport.height, &journey.name).await
        }
    }
}

/// A fresh browser context in one of the pool's warm browsers (see `browser::BrowserPool`).
impl Browser for Arc<BrowserPool> {
    type Page = Session;

    fn start(
        &self,
        journey: &Journey,
    ) -> impl Future<Output = Result<Session, BrowserError>> + Send {
        let pool = self.clone();
        let config = self.config().for_journey(journey);
        async move {
            // A journey with a device or capabilities walks in a warm browser started with them.
            let viewport = config.viewport(journey.viewport);
            pool.page(&config, viewport.width, viewport.height, &journey.name)
                .await
        }
    }
}

impl Page for Session {
    type Element = Element;

    fn goto(
        &self,
        url: &str,
        timeout: Duration,
    ) -> impl Future<Output = Result<(), BrowserError>> + Send {
        Session::goto(self, url, timeout)
    }
    fn probe(
        &self,
        req: &ProbeRequest<'_>,
    ) -> impl Future<Output = Result<PageProbe, BrowserError>> + Send {
        Session::probe(self, req)
    }
    fn click(
        &self,
        el: &Element,
        readied: &Readied,
    ) -> impl Future<Output = Result<(), BrowserError>> + Send {
        Session::click(self, el, readied)
    }
    fn hover(&self, el: &Element) -> impl Future<Output = Result<(), BrowserError>> + Send {
        Session::hover(self, el)
    }
    fn fill(
        &self,
        el: &Element,
        text: &str,
        field: Field,
        readied: &Readied,
    ) -> impl Future<Output = Result<(), BrowserError>> + Send {
        Session::fill(self, el, text, field, readied)
    }
    fn is_selected(&self, el: &Element) -> impl Future<Output = Result<bool, BrowserError>> + Send {
        Session::is_selected(self, el)
    }
    fn select_option(
        &self,
        el: &Element,
        label: &str,
    ) -> impl Future<Output = Result<Result<(), Vec<String>>, BrowserError>> + Send {
        Session::select_option(self, el, label)
    }
    fn press(&self, chord: &[char]) -> impl Future<Output = Result<(), BrowserError>> + Send {
        Session::press(self, chord)
    }
    fn execute(
        &self,
        script: &str,
        args: Vec<Json>,
    ) -> impl Future<Output = Result<Json, BrowserError>> + Send {
        Session::execute(self, script, args)
    }
    fn screenshot(
        &self,
        secrets: &SecretsOnPage,
    ) -> impl Future<Output = Result<Vec<u8>, ScreenshotError>> + Send {
        Session::screenshot_hiding(self, secrets)
    }
    fn current_url(&self) -> impl Future<Output = Result<String, BrowserError>> + Send {
        Session::current_url(self)
    }
    fn source(&self) -> impl Future<Output = Result<String, BrowserError>> + Send {
        Session::source(self)
    }
    fn console_log(&self) -> impl Future<Output = Option<Vec<ConsoleEntry>>> + Send {
        Session::console_log(self)
    }
    fn notices(&self) -> impl Future<Output = Result<Vec<String>, BrowserError>> + Send {
        Session::notices(self)
    }
    fn element_rect(
        &self,
        sel: &Selector,
    ) -> impl Future<Output = Result<Option<[f64; 4]>, BrowserError>> + Send {
        Session::element_rect(self, sel)
    }
    fn network_events(&self) -> impl Future<Output = Option<Vec<Json>>> + Send {
        Session::network_events(self)
    }
    fn response_body(&self, id: &str) -> impl Future<Output = Option<String>> + Send {
        Session::response_body(self, id)
    }
    fn document_timing(&self) -> impl Future<Output = Option<DocumentTiming>> + Send {
        Session::document_timing(self)
    }
    fn describe(&self) -> (String, String, String) {
        Session::describe(self)
    }
    fn browser_start(&self) -> Duration {
        Session::start_time(self)
    }
    fn close(self) -> impl Future<Output = ()> + Send {
        Session::close(self)
    }
    fn kill(self) -> impl Future<Output = ()> + Send {
        Session::kill(self)
    }
}
