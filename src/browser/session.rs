//! One browser session: a fantoccini client, and the chromedriver behind it when we started it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MOUSE_BUTTON_LEFT, MouseActions, PointerAction,
};
use fantoccini::wd::{Capabilities, TimeoutConfiguration};
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value as Json, json};
use tokio_util::task::AbortOnDropHandle;

pub use fantoccini::elements::Element;

use super::BrowserKind;
use super::bidi::Bidi;
use super::commands::SessionPost;
use super::config::BrowserConfig;
use super::console::ConsoleEntry;
use super::credentials::mask_credentials;
use super::devtools::DevTools;
use super::driver::LocalDriver;
use super::emulation;
use super::error::BrowserError;
use super::error_page::{ErrorPage, ErrorPageKind};
use super::extra_capabilities;
use super::network;
use super::probe::{
    Ambiguity, ClickPoint, ElementProbe, FILL_JS, Field, PROBE_JS, PageProbe, ProbeRequest,
    Readied, Ready, SELECT_JS,
};
use super::secrets_on_page::{HIDE_JS, RESTORE_JS, ScreenshotError, SecretsOnPage};
use super::selector::Selector;
use super::warm::WarmBrowsers;
use crate::journey::model::SECRET_MASK;
use crate::network::DocumentTiming;

/// Where a person would click an element (see `click_point.js`).
const CLICK_POINT_JS: &str = concat!(
    include_str!("click_point.js"),
    "return clickPoint(arguments[0]);\n"
);

/// How long creating a session (starting the browser) may take.
const SESSION_START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a polite `DELETE /session` may take before the driver is killed anyway.
const SESSION_CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Flags headless Chromium needs as root in a container, and to stay off the network.
const CHROMIUM_ARGS: &[&str] = &[
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--force-device-scale-factor=1",
    // Every window (a browser context's tab is one) preloads the address bar's suggestion
    // popups, two WebUI pages in a renderer of their own: ~0.7 s of CPU per journey (their
    // renderer and the browser's side) for popups a headless browser never shows — over a
    // third of what a journey cost Chromium on the benchmark's site.
    "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup",
];

/// A live browser session. Close it with [`Session::close`]; if it is dropped instead (a
/// cancelled task), the driver's `Drop` still kills the browser.
pub struct Session {
    client: Client,
    driver: Option<LocalDriver>,
    /// The page's network events are kept: by chromedriver (Chromium, recording on), or on
    /// the session's BiDi connection (`bidi`).
    records_network: bool,
    /// Firefox: the WebDriver BiDi connection the page's network comes through (recording on,
    /// a geckodriver vedetta started).
    bidi: Option<tokio::sync::Mutex<Bidi>>,
    /// Documents' timings are read after steps (recording on).
    records_timing: bool,
    /// Clicks are the mouse at a point found by script (Chromium), not the driver's own click.
    /// geckodriver's click is cheap and waits for the navigation it starts, whose error page it
    /// reports: Firefox keeps it. So does an emulated device, whose clicks chromedriver makes
    /// as the device would (a tap where it has touch).
    clicks_at_point: bool,
    /// Chromium: the page is told it has the focus (see [`Session::emulate_focus`]).
    emulates_focus: bool,
    /// Chromium emulates a device: chromedriver sets every tab's viewport to the device's,
    /// whatever the window's size.
    emulates_device: bool,
    /// The journey's own browser context, when this session is a pool's warm browser.
    context: Option<BrowserContext>,
    /// A fresh warm browser's first journey walks in the browser's own first tab (its default
    /// context, which no other journey ever uses): no context to open for it.
    home_lent: bool,
    /// The pool this warm browser goes back to when the journey's page is closed.
    returns_to: Option<Arc<WarmBrowsers>>,
    /// How long this attempt waited for the browser to start (zero: a warm one).
    start_time: Duration,
    /// Journeys this warm browser has served, the one lent to now included.
    journeys: u32,
    /// The page-load timeout last set in the driver (0: none yet), so that it is set again
    /// only when a step's differs.
    page_load_timeout_ms: AtomicU64,
    /// How much larger the window is than its page (the frame around the viewport), once
    /// measured: a context's tab is then made at the size that gives its page the viewport.
    window_frame: Option<(u32, u32)>,
    /// The next journey's context, made ahead while this one walks (see
    /// [`Session::prepare_next_context`]).
    spare: std::sync::Mutex<Option<Spare>>,
}

/// A browser context in a warm browser and its tab (a WebDriver window whose handle is the
/// DevTools target id). The window the session started with stays open between journeys, so
/// that the browser always has one (Chromium quits with its last window).
#[derive(Debug, Clone)]
pub(super) struct BrowserContext {
    id: String,
    tab: String,
}

/// A context made ahead for the next journey: wanted (made at the page's first wait), being
/// made, or ready (and never used).
enum Spare {
    Wanted { width: u32, height: u32 },
    Making(AbortOnDropHandle<Result<BrowserContext, BrowserError>>),
    Made(BrowserContext),
}

impl Session {
    /// Starts a browser whose viewport is exactly `width`×`height` CSS pixels. `label` names
    /// the driver process in [`super::driver::drivers`].
    pub async fn start(
        config: &BrowserConfig,
        width: u32,
        height: u32,
        label: &str,
    ) -> Result<Session, BrowserError> {
        Self::open(config, width, height, label).await
    }

    async fn open(
        config: &BrowserConfig,
        width: u32,
        height: u32,
        label: &str,
    ) -> Result<Session, BrowserError> {
        if config.kind == BrowserKind::Firefox
            && let Some(refusal) = config.device.as_ref().and_then(emulation::firefox_refusal)
        {
            return Err(BrowserError::Setup(refusal));
        }
        let credentials = config.webdriver_credentials();
        let hide = |e: BrowserError| {
            e.map_message(|m| config.secrets.mask(&mask_credentials(&m, &credentials)))
        };
        let (driver, url) = match &config.webdriver_url {
            Some(url) => (None, url.clone()),
            None => {
                let d =
                    LocalDriver::start(config.kind, config.driver_path.as_deref(), label).await?;
                let url = d.url();
                (Some(d), url)
            }
        };
        let caps = capabilities(config, width, height, driver.as_ref());
        let connect = async {
            if url.starts_with("https:") {
                let connector = hyper_rustls::HttpsConnectorBuilder::new()
                    .with_webpki_roots()
                    .https_or_http()
                    .enable_http1()
                    .build();
                ClientBuilder::new(connector)
                    .capabilities(caps)
                    .connect(&url)
                    .await
            } else {
                let connector = hyper_util::client::legacy::connect::HttpConnector::new();
                ClientBuilder::new(connector)
                    .capabilities(caps)
                    .connect(&url)
                    .await
            }
        };
        let client = match tokio::time::timeout(SESSION_START_TIMEOUT, connect).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => {
                if let Some(d) = driver {
                    d.stop().await;
                }
                let e = match &config.webdriver_url {
                    // Which server: the URL as given, its credentials masked.
                    Some(url) => BrowserError::Setup(format!(
                        "{} (WebDriver server {})",
                        BrowserError::from(e),
                        super::credentials::redact_url(url)
                    )),
                    None => BrowserError::from(e),
                };
                return Err(hide(e));
            }
            Err(_) => {
                if let Some(d) = driver {
                    d.stop().await;
                }
                return Err(BrowserError::Setup(format!(
                    "the browser did not start within {}s",
                    SESSION_START_TIMEOUT.as_secs()
                )));
            }
        };
        tracing::debug!(
            capabilities = %config.secrets.mask(&mask_credentials(
                &Json::Object(client.capabilities().cloned().unwrap_or_default()).to_string(),
                &credentials
            )),
            "browser session started"
        );
        let bidi = if wants_bidi(config, driver.as_ref()) {
            connect_bidi(&client).await
        } else {
            None
        };
        let mut session = Session {
            client,
            driver,
            records_network: (config.kind == BrowserKind::Chromium && !config.without_recording)
                || bidi.is_some(),
            bidi,
            records_timing: !config.without_recording,
            clicks_at_point: config.kind == BrowserKind::Chromium && config.device.is_none(),
            emulates_focus: config.kind == BrowserKind::Chromium,
            emulates_device: config.kind == BrowserKind::Chromium && config.device.is_some(),
            context: None,
            home_lent: false,
            returns_to: None,
            start_time: Duration::ZERO,
            journeys: 0,
            page_load_timeout_ms: AtomicU64::new(0),
            window_frame: None,
            spare: std::sync::Mutex::new(None),
        };
        session.emulate_focus().await;
        // Chromium's emulation sets the page's viewport itself; the window's size is moot.
        if session.emulates_device {
            return Ok(session);
        }
        if let Err(e) = session.fit_viewport(width, height).await {
            session.close().await;
            return Err(BrowserError::Setup(format!(
                "could not size the browser window: {e}"
            )));
        }
        // Firefox keeps its windows at least some 450-500 pixels wide: a narrower device would
        // silently get a wider page.
        if let Some(device) = &config.device {
            let inner = session.inner_size().await;
            if inner != Some((width as i64, height as i64)) {
                session.close().await;
                let (w, h) = inner.unwrap_or_default();
                return Err(BrowserError::Setup(format!(
                    "Firefox cannot emulate device `{device}`: asked for a {width}×{height} viewport, its window gave {w}×{h} (Firefox keeps windows at least about 500 pixels wide); run it with --browser chromium"
                )));
            }
        }
        Ok(session)
    }

    /// The chromedriver's PID (= its process group), when we started it.
    pub fn driver_pid(&self) -> Option<u32> {
        self.driver.as_ref().map(LocalDriver::pid)
    }

    /// The page's `innerWidth` and `innerHeight`.
    async fn inner_size(&self) -> Option<(i64, i64)> {
        let inner = self
            .client
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await
            .ok()?;
        Some((inner[0].as_i64()?, inner[1].as_i64()?))
    }

    /// `--window-size` sizes the window, not the page: correct by the difference once, so that
    /// screenshots are exactly the viewport (and remember the difference for the next tab).
    async fn fit_viewport(&mut self, width: u32, height: u32) -> Result<(), BrowserError> {
        let inner = self
            .client
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await?;
        let (iw, ih) = (
            inner[0].as_i64().unwrap_or(0),
            inner[1].as_i64().unwrap_or(0),
        );
        if iw == width as i64 && ih == height as i64 {
            return Ok(());
        }
        let (ow, oh) = self.client.get_window_size().await?;
        let frame = |outer: u64, inner: i64| u32::try_from(outer as i64 - inner).ok();
        if let (Some(fw), Some(fh)) = (frame(ow, iw), frame(oh, ih)) {
            self.window_frame = Some((fw, fh));
        }
        let w = (ow as i64 + width as i64 - iw).max(1) as u32;
        let h = (oh as i64 + height as i64 - ih).max(1) as u32;
        self.client.set_window_size(w, h).await?;
        Ok(())
    }

    /// Ends the session and the driver (and with it every browser process) — or, for a pool's
    /// warm browser, ends the journey's context and gives the browser back to the pool.
    pub async fn close(mut self) {
        if let Some(pool) = self.returns_to.take() {
            // Boxed: giving back may retire the browser, which closes it.
            return Box::pin(pool.give_back(self)).await;
        }
        let Session { client, driver, .. } = self;
        match driver {
            // A driver we started: its browser's profile is thrown away with it, so there is
            // nothing to flush — ending its process group is enough, and some 0.1 s sooner
            // than asking the browser to quit first.
            Some(d) => d.stop().await,
            // Someone else's server (a grid): the session is ended politely, within bounds.
            None => {
                let _ = tokio::time::timeout(SESSION_CLOSE_TIMEOUT, client.close()).await;
            }
        }
    }

    /// Ends the driver at once, without asking the browser (after cancellation). A pool's
    /// warm browser lent to a journey is not given back: its pool counts it retired.
    pub async fn kill(mut self) {
        if let Some(pool) = self.returns_to.take() {
            pool.killed_while_lent();
        }
        if let Some(d) = self.driver {
            d.stop().await;
        }
    }

    /// How long this attempt waited for the browser to start: zero for a pool's warm browser.
    pub fn start_time(&self) -> Duration {
        self.start_time
    }

    pub(super) fn set_start_time(&mut self, d: Duration) {
        self.start_time = d;
    }

    /// The browser's DevTools address (`host:port`) as chromedriver reports it, when we started
    /// the driver: browser contexts are made there (see `devtools.rs`).
    pub(super) fn debugger_address(&self) -> Option<String> {
        self.driver.as_ref()?;
        self.client
            .capabilities()?
            .get("goog:chromeOptions")?
            .get("debuggerAddress")?
            .as_str()
            .map(str::to_string)
    }

    /// Whether the driver and browser still answer (a cheap WebDriver call that needs no
    /// current window: between two journeys the session has none).
    pub(super) async fn responds(&self) -> bool {
        self.client.windows().await.is_ok()
    }

    /// Switches the session to a fresh browser context's tab — the one made ahead during the
    /// last journey, else one made now — sizes its viewport, and forgets the console and
    /// network logged so far, so that nothing the journey records is another journey's.
    /// `Ok(true)`: the context was made ahead.
    pub(super) async fn open_context(
        &mut self,
        width: u32,
        height: u32,
    ) -> Result<bool, BrowserError> {
        let address = self
            .debugger_address()
            .ok_or_else(|| BrowserError::Setup("no DevTools address for this browser".into()))?;
        let (context, made_ahead) = match self.settle_spare().await {
            Some(made) => (made, true),
            None => {
                let (fw, fh) = self.window_frame.unwrap_or((0, 0));
                (make_context(address, width + fw, height + fh).await?, false)
            }
        };
        let handle = fantoccini::wd::WindowHandle::try_from(context.tab.clone())
            .map_err(|e| BrowserError::Setup(format!("a tab chromedriver cannot name: {e}")))?;
        self.context = Some(context);
        self.client.switch_to_window(handle).await?;
        self.emulate_focus().await;
        if !self.emulates_device {
            self.fit_viewport(width, height).await?;
        }
        // What the session logged before this journey — the last journey's requests and
        // messages, the home tab's — is not this journey's.
        if self.records_network {
            let _ = network::drain_network_events(&self.client).await;
        }
        let _ = self.client.issue_cmd(SessionPost::se_log("browser")).await;
        Ok(made_ahead)
    }

    /// Tells the page it has the focus, as the page in front of a person has it: headless
    /// Chromium gives no window the focus — not its first, nor a tab opened in the background
    /// — and a page that checks (`document.hasFocus()`, `:focus-visible`, a field that waits
    /// for focus events) would act otherwise than for a customer. Kept across the tab's
    /// navigations; best effort (a grid may not pass DevTools commands on).
    async fn emulate_focus(&self) {
        if self.emulates_focus {
            let on = SessionPost::cdp(
                "Emulation.setFocusEmulationEnabled",
                json!({ "enabled": true }),
            );
            if let Err(e) = self.client.issue_cmd(on).await {
                tracing::debug!("could not give the page the focus: {e}");
            }
        }
    }

    /// Has the next journey's context made ahead, its tab `width`×`height`, while this journey
    /// walks: the next journey then finds its tab and renderer up instead of waiting some
    /// 50–200 ms for them. It is made at the journey's first wait for the page to change (see
    /// [`Session::probe`]) — while the site, not the browser, is busy: made at once, it would
    /// compete with the journey's own first page for the CPU. The tab opens in the
    /// background, so the page in use keeps the focus. Only for a browser a next journey is
    /// expected in (see `WarmBrowsers`).
    pub(super) fn prepare_next_context(&mut self, width: u32, height: u32) {
        *self.lock_spare() = Some(Spare::Wanted { width, height });
    }

    /// Starts making the context [`Session::prepare_next_context`] asked for, if it is not yet.
    fn make_spare(&self) {
        let mut spare = self.lock_spare();
        let Some(Spare::Wanted { width, height }) = *spare else {
            return;
        };
        let Some(address) = self.debugger_address() else {
            *spare = None;
            return;
        };
        let (fw, fh) = self.window_frame.unwrap_or((0, 0));
        *spare = Some(Spare::Making(AbortOnDropHandle::new(tokio::spawn(
            make_context(address, width + fw, height + fh),
        ))));
    }

    /// The context made ahead, once made (`None`: none, or making it failed).
    async fn settle_spare(&mut self) -> Option<BrowserContext> {
        let spare = self.lock_spare().take()?;
        match spare {
            Spare::Wanted { .. } => None,
            Spare::Made(made) => Some(made),
            Spare::Making(making) => match making.await {
                Ok(Ok(made)) => Some(made),
                Ok(Err(e)) => {
                    tracing::debug!("the context made ahead failed ({e}); making one now");
                    None
                }
                Err(_) => None,
            },
        }
    }

    fn lock_spare(&self) -> std::sync::MutexGuard<'_, Option<Spare>> {
        self.spare.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Disposes of the journey's context: its tab, cookies, storage, cache, service workers
    /// and permissions go with it. The session is left without a current window until the next
    /// journey's context is switched to. `Err`: the browser is in trouble and must not be used
    /// again.
    pub(super) async fn end_context(&mut self) -> Result<(), BrowserError> {
        if std::mem::take(&mut self.home_lent) {
            return tokio::time::timeout(SESSION_CLOSE_TIMEOUT, self.clear_home_tab())
                .await
                .map_err(|_| {
                    BrowserError::Setup("the browser's first tab did not clear".into())
                })?;
        }
        let Some(context) = self.context.take() else {
            return Ok(());
        };
        let address = self
            .debugger_address()
            .ok_or_else(|| BrowserError::Setup("no DevTools address for this browser".into()))?;
        let ended = async {
            // Disposing of a context closes its tabs (the journey's, and any it opened).
            DevTools::connect(&address)
                .await?
                .call(
                    "Target.disposeBrowserContext",
                    json!({ "browserContextId": context.id }),
                )
                .await
                .map(drop)
        };
        tokio::time::timeout(SESSION_CLOSE_TIMEOUT, ended)
            .await
            .map_err(|_| {
                BrowserError::Setup("the journey's browser context did not close".into())
            })?
    }

    /// Lends the browser's own first tab to the journey (a fresh warm browser's first journey):
    /// `end_context` then clears it instead of disposing of a context.
    pub(super) fn lend_home_tab(&mut self) {
        self.home_lent = true;
    }

    /// After the first journey walked in the browser's own tab: every window it opened is
    /// closed and its page left for `about:blank`, so that none of its scripts runs on while
    /// later journeys walk in contexts of their own.
    async fn clear_home_tab(&mut self) -> Result<(), BrowserError> {
        let home = self.client.window().await?;
        // The next journey's context, made ahead, is not the first journey's to close.
        let spare = self.settle_spare().await;
        let spare_tab = spare.as_ref().map(|c| c.tab.clone());
        *self.lock_spare() = spare.map(Spare::Made);
        for window in self.client.windows().await? {
            if window != home && Some(String::from(window.clone())) != spare_tab {
                self.client.switch_to_window(window).await?;
                self.client.close_window().await?;
            }
        }
        self.client.switch_to_window(home).await?;
        self.client
            .issue_cmd(SessionPost::navigate("about:blank"))
            .await?;
        Ok(())
    }

    /// Marks this warm browser's page as lent: closing it gives the browser back to `pool`.
    pub(super) fn lend(&mut self, pool: Arc<WarmBrowsers>, journeys: u32) {
        self.returns_to = Some(pool);
        self.journeys = journeys;
    }

    pub(super) fn journeys(&self) -> u32 {
        self.journeys
    }

    /// Navigates to `url` (absolute), waiting at most `timeout` for the page to load.
    pub async fn goto(&self, url: &str, timeout: Duration) -> Result<(), BrowserError> {
        let ms = timeout.as_millis() as u64;
        if self.page_load_timeout_ms.swap(ms, Ordering::Relaxed) != ms {
            self.client
                .update_timeouts(TimeoutConfiguration::new(None, Some(timeout), None))
                .await?;
        }
        self.client.issue_cmd(SessionPost::navigate(url)).await?;
        Ok(())
    }

    pub async fn current_url(&self) -> Result<String, BrowserError> {
        Ok(self.client.current_url().await?.to_string())
    }

    /// One look at the page: its state, the step's element, the fail_fast signatures.
    pub async fn probe(&self, req: &ProbeRequest<'_>) -> Result<PageProbe, BrowserError> {
        let arg = json!({
            "target": req.target,
            "signatures": req.signatures,
            "want_text": req.want_text,
            "wait": req.wait.map(|w| json!({
                "since": w.since,
                "max_ms": w.max.as_millis() as u64,
            })),
            "timing": req.timing && self.records_timing,
            // Firefox and an emulated device get the driver's own click: no point to find.
            "ready": match req.ready {
                Some(Ready::Click) if self.clicks_at_point => Some("click"),
                Some(Ready::Type) => Some("type"),
                _ => None,
            },
        });
        if req.wait.is_some() {
            // The page waits for the site: the browser is free to make the next context.
            self.make_spare();
        }
        // Async: a waiting look answers when the page changes (see `probe.js`).
        let v = self.client.execute_async(PROBE_JS, vec![arg]).await?;
        Ok(self.parse_probe(v))
    }

    fn parse_probe(&self, v: Json) -> PageProbe {
        let target = v.get("target").filter(|t| !t.is_null()).map(|t| {
            if let Some(msg) = t.get("invalid").and_then(Json::as_str) {
                ElementProbe::Invalid(msg.to_string())
            } else if let Some(element) = t.get("element").and_then(|e| self.element_from_json(e)) {
                ElementProbe::Found {
                    element,
                    count: t["count"].as_u64().unwrap_or(1) as usize,
                    visible: t["visible"].as_bool().unwrap_or(false),
                    enabled: t["enabled"].as_bool().unwrap_or(false),
                    checked: t["checked"].as_bool().unwrap_or(false),
                    text: t["text"].as_str().map(str::to_string),
                    field: if t["plain_field"].as_bool().unwrap_or(false) {
                        Field::Plain {
                            empty: t["empty"].as_bool().unwrap_or(false),
                        }
                    } else {
                        Field::Other
                    },
                    readied: if t["focused"] == Json::Bool(true) {
                        Readied::Focused
                    } else if let Some(point) = t.get("click") {
                        Readied::Click(ClickPoint::from_json(point))
                    } else {
                        Readied::Nothing
                    },
                    ambiguity: match t["visible_count"].as_u64() {
                        Some(n) if n > 1 => Some(Ambiguity {
                            visible: n as usize,
                            first: t["first_visible"]
                                .as_array()
                                .map(|a| {
                                    a.iter()
                                        .filter_map(|d| d.as_str().map(str::to_string))
                                        .collect()
                                })
                                .unwrap_or_default(),
                        }),
                        _ => None,
                    },
                }
            } else {
                ElementProbe::Missing
            }
        });
        PageProbe {
            status: v["status"].as_u64().and_then(|s| u16::try_from(s).ok()),
            title: v["title"].as_str().unwrap_or_default().to_string(),
            url: v["url"].as_str().unwrap_or_default().to_string(),
            body_text: v["body_text"].as_str().map(str::to_string),
            error_page: error_page(&v["error_page"]),
            signatures_visible: v["signatures"]
                .as_array()
                .map(|a| a.iter().map(|b| b.as_bool().unwrap_or(false)).collect())
                .unwrap_or_default(),
            target,
            key: v["key"].as_str().unwrap_or_default().to_string(),
            timing: DocumentTiming::from_json(&v["timing"]),
        }
    }

    /// A WebDriver element reference (`{"element-6066-…": id}`) as an [`Element`].
    fn element_from_json(&self, v: &Json) -> Option<Element> {
        let id = v.as_object()?.values().next()?.as_str()?;
        Some(Element::from_element_id(
            self.client.clone(),
            id.to_string().into(),
        ))
    }

    /// Clicks `el` as a person would. In Chromium, the mouse pressed and released in the
    /// middle of its box in view (see `click_point.js`; found by the look that found the
    /// element when `readied` says so, else asked now), or `NotInteractable` when another
    /// element would get the click there: chromedriver's own click spends some 45–110 ms on
    /// its checks first. An `<option>`, an element without a box, and Firefox get the driver's
    /// own click, and so does an emulated device.
    pub async fn click(&self, el: &Element, readied: &Readied) -> Result<(), BrowserError> {
        if !self.clicks_at_point {
            return Ok(el.click().await?);
        }
        let point = match readied {
            Readied::Click(point) => point.clone(),
            _ => ClickPoint::from_json(
                &self
                    .client
                    .execute(CLICK_POINT_JS, vec![element_arg(el)?])
                    .await?,
            ),
        };
        match point {
            ClickPoint::At { x, y } => {
                let mouse = MouseActions::new("mouse".into())
                    .then(PointerAction::MoveTo {
                        duration: None,
                        x,
                        y,
                    })
                    .then(PointerAction::Down {
                        button: MOUSE_BUTTON_LEFT,
                    })
                    .then(PointerAction::Up {
                        button: MOUSE_BUTTON_LEFT,
                    });
                self.client.perform_actions(mouse).await?;
                Ok(())
            }
            ClickPoint::CoveredBy(other) => Err(BrowserError::NotInteractable(format!(
                "element click intercepted: {other} would receive the click"
            ))),
            ClickPoint::DriversOwn => Ok(el.click().await?),
        }
    }

    /// Whether a checkbox or radio button is checked (an option selected).
    pub async fn is_selected(&self, el: &Element) -> Result<bool, BrowserError> {
        Ok(el.is_selected().await?)
    }

    /// Replaces what an element holds with `text`: a form field is cleared and typed into, as
    /// a person would; a contenteditable region has its content selected and typed over; a
    /// code editor (CodeMirror, Monaco) has its whole text replaced through its own API, so
    /// that its auto-indent and bracket closing do not change what is written (see `fill.js`).
    /// A [`Field::Plain`] (the look said so) is cleared, unless empty already, and typed into
    /// at once; an empty text field with the keyboard after a focus (given by the look that
    /// found it when `readied` says so), without the driver's element checks.
    pub async fn fill(
        &self,
        el: &Element,
        text: &str,
        field: Field,
        readied: &Readied,
    ) -> Result<(), BrowserError> {
        if let Field::Plain { empty } = field {
            // An empty text field takes the keys at once: focused by script, then typed into
            // with the keyboard — the same key events, without chromedriver's checks before
            // each `TypeElement` (some 25 ms a field).
            if empty && !text.is_empty() && (*readied == Readied::Focused || self.focus(el).await?)
            {
                return self.type_over_selection(text).await;
            }
            if !empty {
                el.clear().await?;
            }
            return type_keys(el, text).await;
        }
        let how = self
            .client
            .execute(FILL_JS, vec![element_arg(el)?, json!(text)])
            .await?;
        match how.get("type").and_then(Json::as_str) {
            _ if how.get("set").is_some() => Ok(()),
            Some(selection) => {
                if selection == "select_all" {
                    self.press(&['\u{e009}', 'a']).await?;
                }
                self.type_over_selection(text).await
            }
            None => {
                el.clear().await?;
                type_keys(el, text).await
            }
        }
    }

    /// Gives `el` the focus; whether it has it now (a disabled or hidden field does not).
    async fn focus(&self, el: &Element) -> Result<bool, BrowserError> {
        const FOCUS: &str = "const el = arguments[0]; el.focus();\
            return el.getRootNode().activeElement === el;";
        Ok(self.client.execute(FOCUS, vec![element_arg(el)?]).await? == Json::Bool(true))
    }

    /// Types `text` with the keyboard into whatever has the focus, replacing its selection
    /// (an empty text deletes it). Line breaks are Enter, tabs are Tab.
    async fn type_over_selection(&self, text: &str) -> Result<(), BrowserError> {
        let mut keys = KeyActions::new("keyboard".into());
        let codes: Vec<char> = if text.is_empty() {
            vec!['\u{e003}'] // Backspace
        } else {
            text.chars()
                .map(|c| match c {
                    '\n' => '\u{e007}',
                    '\t' => '\u{e004}',
                    c => c,
                })
                .collect()
        };
        for value in codes {
            keys = keys
                .then(KeyAction::Down { value })
                .then(KeyAction::Up { value });
        }
        // Every key went down and up again: nothing is left pressed, no release to ask for.
        self.client.perform_actions(keys).await?;
        Ok(())
    }

    /// Moves the mouse over the element's centre.
    pub async fn hover(&self, el: &Element) -> Result<(), BrowserError> {
        let mouse = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
            element: el.clone(),
            duration: None,
            x: 0.0,
            y: 0.0,
        });
        self.client.perform_actions(mouse).await?;
        Ok(())
    }

    /// Presses a chord on whatever has the focus: every key of it down in order (modifiers
    /// first), then up in reverse — `Shift+Enter` is Shift held while Enter is pressed.
    pub async fn press(&self, chord: &[char]) -> Result<(), BrowserError> {
        let mut keys = KeyActions::new("keyboard".into());
        for &value in chord {
            keys = keys.then(KeyAction::Down { value });
        }
        for &value in chord.iter().rev() {
            keys = keys.then(KeyAction::Up { value });
        }
        // Every key went down and up again: nothing is left pressed, no release to ask for.
        self.client.perform_actions(keys).await?;
        Ok(())
    }

    /// Picks the option of a `<select>` whose visible text is `label` (trimmed; exact first,
    /// else containing). `Ok(Err(options))` lists the options when none matches.
    pub async fn select_option(
        &self,
        el: &Element,
        label: &str,
    ) -> Result<Result<(), Vec<String>>, BrowserError> {
        const FIND: &str = "const [sel, label] = arguments;\
            const opts = Array.from(sel.options || []);\
            const norm = (s) => s.replace(/\\s+/g, ' ').trim();\
            const want = norm(label);\
            let o = opts.find(o => norm(o.text) === want) || opts.find(o => norm(o.text).includes(want));\
            return o ? {option: o} : {options: opts.map(o => norm(o.text))};";
        let v = self
            .client
            .execute(FIND, vec![element_arg(el)?, json!(label)])
            .await?;
        if let Some(option) = v.get("option").and_then(|o| self.element_from_json(o)) {
            option.click().await?;
            Ok(Ok(()))
        } else {
            let options = v["options"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            Ok(Err(options))
        }
    }

    /// Runs JavaScript in the page (`arguments` = `args`) and returns its value.
    pub async fn execute(&self, script: &str, args: Vec<Json>) -> Result<Json, BrowserError> {
        Ok(self.client.execute(script, args).await?)
    }

    /// The page's HTML as the browser has it now.
    pub async fn source(&self) -> Result<String, BrowserError> {
        Ok(self.client.source().await?)
    }

    /// The viewport rectangle of the element `sel` names — its first visible match, as the
    /// steps use, else its first — if it has one; in the screenshot's pixels (CSS pixels times
    /// the pixel ratio, which only an emulated device makes other than 1).
    pub async fn element_rect(&self, sel: &Selector) -> Result<Option<[f64; 4]>, BrowserError> {
        const RECT: &str = "const s = arguments[0]; let el = null;\
            try { const found = all(s); el = found.find(visible) || found[0]; } catch (e) {}\
            if (!el || !el.getBoundingClientRect) return null;\
            const r = el.getBoundingClientRect(); const k = window.devicePixelRatio || 1;\
            return (r.width || r.height) ? [r.x * k, r.y * k, r.width * k, r.height * k] : null;";
        let script = format!("{SELECT_JS}\n{RECT}");
        let v = self.client.execute(&script, vec![json!(sel)]).await?;
        Ok(v.as_array().and_then(|a| {
            let n: Vec<f64> = a.iter().filter_map(Json::as_f64).collect();
            (n.len() == 4).then(|| [n[0], n[1], n[2], n[3]])
        }))
    }

    /// What the page is telling the customer now: the visible text of its alerts and error
    /// messages (see `notices.js`), at most three.
    pub async fn notices(&self) -> Result<Vec<String>, BrowserError> {
        const NOTICES: &str = include_str!("notices.js");
        let v = self.client.execute(NOTICES, vec![]).await?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Json::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Browser name, browser version and the driver, as the session reported them.
    pub fn describe(&self) -> (String, String, String) {
        let caps = self.client.capabilities();
        let get = |k: &str| {
            caps.and_then(|c| c.get(k))
                .and_then(Json::as_str)
                .unwrap_or("unknown")
                .to_string()
        };
        let driver = caps
            .and_then(|c| c.get("chrome"))
            .and_then(|c| c.get("chromedriverVersion"))
            .and_then(Json::as_str)
            .map(|v| format!("chromedriver {}", v.split(' ').next().unwrap_or(v)))
            .or_else(|| {
                caps.and_then(|c| c.get("moz:geckodriverVersion"))
                    .and_then(Json::as_str)
                    .map(|v| format!("geckodriver {v}"))
            })
            .unwrap_or_else(|| "webdriver".to_string());
        (get("browserName"), get("browserVersion"), driver)
    }

    /// The page's network events (CDP `Network.*`) since the last call, in order; `None` where
    /// the browser records none (Firefox, recording off, a grid that does not pass the log on).
    pub async fn network_events(&self) -> Option<Vec<Json>> {
        if !self.records_network {
            return None;
        }
        if let Some(bidi) = &self.bidi {
            return bidi.lock().await.take_events().await.ok();
        }
        network::drain_network_events(&self.client).await
    }

    /// The start of the body of the response to request `id` (a [`network_events`] id), while
    /// the browser still holds it.
    ///
    /// [`network_events`]: Session::network_events
    pub async fn response_body(&self, id: &str) -> Option<String> {
        if !self.records_network {
            return None;
        }
        if let Some(bidi) = &self.bidi {
            return bidi
                .lock()
                .await
                .response_body(id, network::BODY_READ_BYTES)
                .await;
        }
        network::response_body(&self.client, id).await
    }

    /// The showing document's timings; `None` without one (or with recording off).
    pub async fn document_timing(&self) -> Option<DocumentTiming> {
        if !self.records_timing {
            return None;
        }
        network::document_timing(&self.client).await
    }

    /// The browser console's entries since the last call; `None` where the driver does not
    /// keep them (chromedriver does, with `goog:loggingPrefs`; geckodriver does not, but
    /// Firefox's BiDi connection brings them when the session has one).
    pub async fn console_log(&self) -> Option<Vec<ConsoleEntry>> {
        if let Some(bidi) = &self.bidi {
            let entries = bidi.lock().await.take_console().await.ok()?;
            return Some(entries.iter().map(ConsoleEntry::from_bidi).collect());
        }
        let v = self
            .client
            .issue_cmd(SessionPost::se_log("browser"))
            .await
            .ok()?;
        Some(
            v.as_array()?
                .iter()
                .map(|e| ConsoleEntry {
                    at_ms: e["timestamp"].as_i64().unwrap_or(0),
                    level: e["level"].as_str().unwrap_or("INFO").to_string(),
                    source: e["source"].as_str().unwrap_or_default().to_string(),
                    message: e["message"].as_str().unwrap_or_default().to_string(),
                })
                .collect(),
        )
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Result<Vec<u8>, BrowserError> {
        Ok(self.client.screenshot().await?)
    }

    /// A PNG of the viewport with `secrets` hidden on the page for the moment of the shot (see
    /// [`SecretsOnPage`]); the page is put back right after.
    pub async fn screenshot_hiding(
        &self,
        secrets: &SecretsOnPage,
    ) -> Result<Vec<u8>, ScreenshotError> {
        // How many fields and texts were hidden: none, and there is nothing to put back (one
        // round trip fewer for the usual screenshot, of a page that shows no secret).
        let hidden = if secrets.is_empty() {
            0
        } else {
            self.execute(
                HIDE_JS,
                vec![
                    json!(secrets.fields),
                    json!(secrets.values),
                    json!(SECRET_MASK),
                ],
            )
            .await
            .map_err(ScreenshotError::Unmasked)?
            .as_u64()
            .unwrap_or(u64::MAX)
        };
        let shot = self.screenshot().await;
        if hidden > 0 {
            // The page may have navigated meanwhile; nothing to put back then.
            let _ = self.execute(RESTORE_JS, vec![]).await;
        }
        Ok(shot?)
    }
}

/// Makes a browser context with one blank tab, `width`×`height` (the window), in the browser
/// whose DevTools endpoint is at `address`. The tab opens in the background: a page in use
/// elsewhere keeps the focus (switching to the tab brings it forward).
async fn make_context(
    address: String,
    width: u32,
    height: u32,
) -> Result<BrowserContext, BrowserError> {
    let mut devtools = DevTools::connect(&address).await?;
    let id = devtools
        .call(
            "Target.createBrowserContext",
            json!({ "disposeOnDetach": false }),
        )
        .await?["browserContextId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let created = devtools
        .call(
            "Target.createTarget",
            json!({ "url": "about:blank", "browserContextId": id, "background": true,
                    "width": width, "height": height }),
        )
        .await;
    match created {
        Ok(v) => Ok(BrowserContext {
            tab: v["targetId"].as_str().unwrap_or_default().to_string(),
            id,
        }),
        Err(e) => {
            let _ = devtools
                .call(
                    "Target.disposeBrowserContext",
                    json!({ "browserContextId": id }),
                )
                .await;
            Err(e)
        }
    }
}

/// Whether a Firefox session asks for a BiDi connection, for its network: recording on, and a
/// geckodriver vedetta started (its endpoint is on loopback; a grid's is not dialled).
fn wants_bidi(config: &BrowserConfig, driver: Option<&LocalDriver>) -> bool {
    config.kind == BrowserKind::Firefox && !config.without_recording && driver.is_some()
}

/// The session's BiDi connection, if the driver opened one; without it the journey walks as
/// before, its network unrecorded (the `-v` log says why).
async fn connect_bidi(client: &Client) -> Option<tokio::sync::Mutex<Bidi>> {
    let url = client
        .capabilities()
        .and_then(|c| c.get("webSocketUrl"))
        .and_then(Json::as_str)
        .map(str::to_string);
    let Some(url) = url else {
        tracing::info!(
            "the driver opened no WebDriver BiDi connection: the network is not recorded"
        );
        return None;
    };
    match Bidi::connect(&url).await {
        Ok(bidi) => Some(tokio::sync::Mutex::new(bidi)),
        Err(e) => {
            tracing::info!("the network is not recorded: {e}");
            None
        }
    }
}

/// `text` typed into a form field key by key, as a person would.
/// `el` as a script's argument (its WebDriver reference).
fn element_arg(el: &Element) -> Result<Json, BrowserError> {
    serde_json::to_value(el).map_err(|e| BrowserError::Setup(format!("an element reference: {e}")))
}

async fn type_keys(el: &Element, text: &str) -> Result<(), BrowserError> {
    if !text.is_empty() {
        el.send_keys(text).await?;
    }
    Ok(())
}

fn capabilities(
    config: &BrowserConfig,
    width: u32,
    height: u32,
    driver: Option<&LocalDriver>,
) -> Capabilities {
    let launcher =
        driver.and_then(|d| d.browser_launcher(config.browser_binary.as_deref(), !config.headed));
    let binary = launcher
        .as_ref()
        .or(config.browser_binary.as_ref())
        .map(|b| b.display().to_string());
    let mut caps = Capabilities::new();
    caps.insert("pageLoadStrategy".into(), json!("normal"));
    match config.kind {
        BrowserKind::Chromium => {
            let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|s| s.to_string()).collect();
            if !config.headed {
                args.push("--headless=new".into());
            }
            args.push(format!("--window-size={width},{height}"));
            if let Some(d) = driver {
                args.push(format!("--user-data-dir={}", d.profile_dir().display()));
            }
            let mut chrome = json!({ "args": args, "prefs": chromium_prefs() });
            if let Some(bin) = binary {
                chrome["binary"] = json!(bin);
            }
            // Keep the page's console for the evidence folder, and its network.
            let mut logging = json!({ "browser": "ALL" });
            if !config.without_recording {
                network::record_network(&mut logging, &mut chrome);
            }
            if let Some(device) = &config.device {
                chrome["mobileEmulation"] = emulation::chromium_mobile_emulation(device);
            }
            caps.insert("browserName".into(), json!("chrome"));
            caps.insert("goog:chromeOptions".into(), chrome);
            caps.insert("goog:loggingPrefs".into(), logging);
        }
        BrowserKind::Firefox => {
            let mut args = vec![format!("--width={width}"), format!("--height={height}")];
            if !config.headed {
                args.push("-headless".into());
            }
            let mut prefs = firefox_prefs();
            if let Some(device) = &config.device {
                emulation::firefox_prefs(device, &mut prefs);
            }
            let mut firefox = json!({ "args": args, "prefs": prefs });
            if let Some(bin) = binary {
                firefox["binary"] = json!(bin);
            }
            caps.insert("browserName".into(), json!("firefox"));
            if wants_bidi(config, driver) {
                // The page's network comes over WebDriver BiDi (see `bidi.rs`).
                caps.insert("webSocketUrl".into(), json!(true));
            }
            caps.insert("moz:firefoxOptions".into(), firefox);
        }
    }
    for (key, value) in &config.capabilities {
        extra_capabilities::merge(&mut caps, key, value);
    }
    caps
}

/// The browser's first tab opens `about:blank`. Left to itself, Chromium opens its new tab
/// page there, which (with a search engine other than Google, as Debian's default) first
/// navigates to that engine's start page on the internet, then keeps a WebUI page busy in the
/// background for as long as the browser lives — some 0.1 s of CPU every second, in every warm
/// browser. chromedriver turns a URL among `args` into a switch, so the launcher names the page
/// (`LocalDriver::browser_launcher`); for a browser started without one, the profile's
/// preferences say it: "open these pages at startup" (4), and the page.
fn chromium_prefs() -> Json {
    json!({
        "session.restore_on_startup": 4,
        "session.startup_urls": ["about:blank"],
    })
}

/// Firefox's own calls home, off (geckodriver's defaults already quiet most): journeys talk to
/// the site under test and nothing else.
fn firefox_prefs() -> Json {
    json!({
        "network.captive-portal-service.enabled": false,
        "network.connectivity-service.enabled": false,
        "network.dns.disablePrefetch": true,
        "network.prefetch-next": false,
        "browser.safebrowsing.malware.enabled": false,
        "browser.safebrowsing.phishing.enabled": false,
        "browser.safebrowsing.downloads.enabled": false,
        "browser.safebrowsing.provider.mozilla.updateURL": "",
        "browser.region.network.url": "",
        "browser.search.update": false,
        "app.normandy.enabled": false,
        "app.update.auto": false,
        "extensions.getAddons.cache.enabled": false,
        "datareporting.policy.dataSubmissionEnabled": false,
        "toolkit.telemetry.enabled": false,
        "media.gmp-manager.url": "",
        "browser.newtabpage.enabled": false,
        "layout.css.devPixelsPerPx": "1.0",
    })
}

/// The probe's `error_page`: `{chromium: code or null}`, `{firefox: document URI}` or null.
fn error_page(v: &Json) -> Option<ErrorPage> {
    if let Some(uri) = v.get("firefox").and_then(Json::as_str) {
        return ErrorPage::firefox(uri);
    }
    let chromium = v.get("chromium")?;
    Some(match chromium.as_str() {
        Some(code) => ErrorPage::chromium(code),
        None => ErrorPage {
            kind: ErrorPageKind::Other,
            code: String::new(),
            url: None,
        },
    })
}
