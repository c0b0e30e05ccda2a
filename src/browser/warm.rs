//! One launch configuration's warm browsers (see `pool.rs` for the pool as a whole): each lent
//! to one journey attempt at a time, a fresh isolated browser context per attempt.
//!
//! While a journey waits for its site, its browser makes the next journey's context ahead (see
//! `Session::prepare_next_context`), when the run announced ([`WarmBrowsers::expect`]) enough
//! journeys still to come for this browser to serve one of them.
//!
//! A browser is retired (its session and driver ended) after [`MAX_JOURNEYS_PER_BROWSER`]
//! journeys, so that whatever a long-lived browser accumulates (memory, the renderer's caches
//! shared across contexts, a leak of the site's) never grows without bound; and at any sign of
//! trouble: a context that will not open or close, a page killed (a crash, a lost session, an
//! interruption). The next journey then gets a fresh browser.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::config::BrowserConfig;
use super::error::BrowserError;
use super::kind::BrowserKind;
use super::pool::PoolStats;
use super::session::Session;

/// Journeys one browser serves before it is retired for a fresh one. 50: a browser's start
/// (1–3 s) is then spread over 50 journeys (≤ 60 ms each, a few % of a short journey), while
/// anything the browser process accumulates across contexts is bounded by 50 journeys' worth.
pub const MAX_JOURNEYS_PER_BROWSER: u32 = 50;

/// How long the monitor keeps a warm browser no run has needed. Five minutes: monitors run
/// journeys every minute or few, so a browser idle for longer serves few runs, while it holds
/// a few hundred MB of memory all along; starting one again costs 1–3 s of CPU once per five
/// minutes or more (under 1 % of one core).
pub const BROWSER_IDLE_LIMIT: Duration = Duration::from_secs(300);

/// Whether contexts work here: not yet known, yes, or no (each attempt a session of its own).
const UNKNOWN: u8 = 0;
const AVAILABLE: u8 = 1;
const UNAVAILABLE: u8 = 2;

/// A warm browser waiting for its next journey.
struct Idle {
    session: Session,
    journeys: u32,
    since: Instant,
}

/// The warm browsers started with one launch configuration (a device, capabilities).
pub(super) struct WarmBrowsers {
    config: BrowserConfig,
    idle: Mutex<Vec<Idle>>,
    contexts: AtomicU8,
    /// Browsers started and retired, for the logs and tests.
    started: std::sync::atomic::AtomicU32,
    retired: std::sync::atomic::AtomicU32,
    made_ahead: std::sync::atomic::AtomicU32,
    /// Journeys announced ([`WarmBrowsers::expect`]) and not yet given a page: while there are
    /// enough for every live browser to serve one more, a browser lent to a journey makes the
    /// next journey's context ahead.
    expected: AtomicUsize,
    /// Browsers lent to a journey now (a page dropped without being closed or killed, which
    /// only a panic would do, stays counted).
    lent: AtomicUsize,
}

impl WarmBrowsers {
    pub(super) fn new(config: BrowserConfig) -> Arc<WarmBrowsers> {
        let contexts = match (config.kind, &config.webdriver_url) {
            (BrowserKind::Chromium, None) => UNKNOWN,
            _ => UNAVAILABLE,
        };
        Arc::new(WarmBrowsers {
            config,
            idle: Mutex::new(Vec::new()),
            contexts: AtomicU8::new(contexts),
            started: Default::default(),
            retired: Default::default(),
            made_ahead: Default::default(),
            expected: Default::default(),
            lent: Default::default(),
        })
    }

    pub(super) fn config(&self) -> &BrowserConfig {
        &self.config
    }

    pub(super) fn stats(&self) -> PoolStats {
        PoolStats {
            started: self.started.load(Ordering::Relaxed),
            retired: self.retired.load(Ordering::Relaxed),
            made_ahead: self.made_ahead.load(Ordering::Relaxed),
            idle: self.lock_idle().len(),
            in_use: self.lent(),
            contexts: match self.contexts.load(Ordering::Relaxed) {
                AVAILABLE => Some(true),
                UNAVAILABLE => Some(false),
                _ => None,
            },
        }
    }

    /// Announces `journeys` more journeys to come (a run's): the pool makes a browser's next
    /// context ahead only when a next journey is expected in it.
    pub(super) fn expect(&self, journeys: usize) {
        self.expected.fetch_add(journeys, Ordering::Relaxed);
    }

    /// A page for one attempt, `width`×`height`: a fresh context in a warm browser (started
    /// now if none is waiting), or where contexts are not available a session of its own.
    /// A browser started now is started with `config`, the journey's (launched as these
    /// browsers are, and masking the journey's own secrets in what the start reports); `label`
    /// names it (the journey that started it).
    pub(super) async fn page(
        self: &Arc<Self>,
        config: &BrowserConfig,
        width: u32,
        height: u32,
        label: &str,
    ) -> Result<Session, BrowserError> {
        if self.contexts.load(Ordering::Relaxed) == UNAVAILABLE {
            return self.own_session(config, width, height, label).await;
        }
        // Journeys still to come once this one has its page.
        let to_come = self
            .expected
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_sub(1))
            })
            .unwrap_or(0)
            .saturating_sub(1);
        // A warm browser first; one that cannot open a context is retired, and so on.
        while let Some(idle) = self.take_idle() {
            let mut session = idle.session;
            match session.open_context(width, height).await {
                Ok(made_ahead) => {
                    if made_ahead {
                        self.made_ahead.fetch_add(1, Ordering::Relaxed);
                    }
                    if self.contexts.swap(AVAILABLE, Ordering::Relaxed) == UNKNOWN {
                        tracing::debug!("browser contexts available: one per journey");
                    }
                    self.lend(&mut session, idle.journeys + 1, to_come, width, height);
                    return Ok(session);
                }
                Err(e)
                    if self.contexts.load(Ordering::Relaxed) == UNKNOWN
                        && session.responds().await =>
                {
                    // A browser that answers but refuses its first context will not take them
                    // later: a session per journey from now on.
                    self.contexts.store(UNAVAILABLE, Ordering::Relaxed);
                    tracing::info!(
                        "browser contexts are not available ({e}): each journey gets a browser \
                         session of its own"
                    );
                    self.retire(session, true).await;
                    return self.own_session(config, width, height, label).await;
                }
                Err(e) => {
                    tracing::info!("a warm browser could not open a context ({e}); retiring it");
                    self.retire(session, true).await;
                }
            }
        }
        // A fresh browser: its first journey walks in the browser's own tab, sized now — a
        // context would only cost time (its tab, a renderer) in a browser nobody used yet.
        // Whether contexts work is learnt at the browser's second journey.
        let started = Instant::now();
        let mut session = Session::start(config, width, height, label).await?;
        self.started.fetch_add(1, Ordering::Relaxed);
        session.set_start_time(started.elapsed());
        session.lend_home_tab();
        self.lend(&mut session, 1, to_come, width, height);
        Ok(session)
    }

    /// Ends every warm browser: at the end of a run, or when the monitor stops.
    pub(super) async fn shutdown(&self) {
        let idle: Vec<Idle> = std::mem::take(&mut *self.lock_idle());
        // All at once: each waits for its processes to be gone.
        futures::future::join_all(idle.into_iter().map(|i| self.retire(i.session, false))).await;
    }

    /// Ends the warm browsers that waited longer than `idle_for` (the monitor, between runs).
    pub(super) async fn retire_idle(&self, idle_for: Duration) {
        let stale: Vec<Idle> = {
            let mut idle = self.lock_idle();
            let (stale, keep) = std::mem::take(&mut *idle)
                .into_iter()
                .partition(|i| i.since.elapsed() >= idle_for);
            *idle = keep;
            stale
        };
        for i in stale {
            tracing::debug!("retiring a browser idle for {:?}", i.since.elapsed());
            self.retire(i.session, false).await;
        }
    }

    /// A journey's page comes back (its `close`): the context is ended, and the browser waits
    /// for the next journey unless it is worn out or in trouble.
    pub(super) async fn give_back(self: Arc<Self>, mut session: Session) {
        self.not_lent();
        let journeys = session.journeys();
        if let Err(e) = session.end_context().await {
            tracing::info!(
                "a journey's browser context did not close cleanly ({e}); retiring the browser"
            );
            return self.retire(session, true).await;
        }
        if journeys >= MAX_JOURNEYS_PER_BROWSER {
            tracing::debug!("retiring a browser after {journeys} journeys");
            return self.retire(session, false).await;
        }
        session.set_start_time(Duration::ZERO);
        self.lock_idle().push(Idle {
            session,
            journeys,
            since: Instant::now(),
        });
    }

    /// A session of its own for one attempt (contexts not available here).
    async fn own_session(
        &self,
        config: &BrowserConfig,
        width: u32,
        height: u32,
        label: &str,
    ) -> Result<Session, BrowserError> {
        let started = Instant::now();
        let mut session = Session::start(config, width, height, label).await?;
        session.set_start_time(started.elapsed());
        Ok(session)
    }

    /// Lends `session` for its `journeys`th journey. With `to_come` journeys still expected,
    /// enough for each live browser to serve one more, its next context is made ahead (the
    /// journeys go to the browsers in turn): the last journeys leave none unused behind.
    fn lend(
        self: &Arc<Self>,
        session: &mut Session,
        journeys: u32,
        to_come: usize,
        width: u32,
        height: u32,
    ) {
        session.lend(self.clone(), journeys);
        self.lent.fetch_add(1, Ordering::Relaxed);
        let live = self
            .started
            .load(Ordering::Relaxed)
            .saturating_sub(self.retired.load(Ordering::Relaxed));
        if journeys < MAX_JOURNEYS_PER_BROWSER && to_come >= live.max(1) as usize {
            session.prepare_next_context(width, height);
        }
    }

    /// Browsers lent to a journey now.
    pub(super) fn lent(&self) -> usize {
        self.lent.load(Ordering::Relaxed)
    }

    /// Journeys announced and not yet given a page.
    pub(super) fn expected(&self) -> usize {
        self.expected.load(Ordering::Relaxed)
    }

    /// A lent browser was killed rather than given back (a lost session, an interruption).
    pub(super) fn killed_while_lent(&self) {
        self.not_lent();
        self.retired.fetch_add(1, Ordering::Relaxed);
    }

    fn not_lent(&self) {
        let _ = self
            .lent
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_sub(1))
            });
    }

    /// Whether the next journey needs a browser started: none waits, and contexts are (or may
    /// be) available here — else each journey gets a session of its own, never a warm browser.
    pub(super) fn must_start_one(&self) -> bool {
        self.contexts.load(Ordering::Relaxed) != UNAVAILABLE && self.lock_idle().is_empty()
    }

    /// How many browsers wait, and since when the longest-waiting one does.
    pub(super) fn waiting(&self) -> (usize, Option<Instant>) {
        let idle = self.lock_idle();
        (idle.len(), idle.iter().map(|i| i.since).min())
    }

    /// Ends the browser that has waited longest, if one waits.
    pub(super) async fn retire_longest_idle(&self) {
        let oldest = {
            let mut idle = self.lock_idle();
            let at = idle
                .iter()
                .enumerate()
                .min_by_key(|(_, i)| i.since)
                .map(|(at, _)| at);
            at.map(|at| idle.remove(at))
        };
        if let Some(i) = oldest {
            self.retire(i.session, false).await;
        }
    }

    fn take_idle(&self) -> Option<Idle> {
        // The most recently used first: its caches are warm; the others may then idle out.
        self.lock_idle().pop()
    }

    async fn retire(&self, session: Session, in_trouble: bool) {
        self.retired.fetch_add(1, Ordering::Relaxed);
        if in_trouble {
            session.kill().await;
        } else {
            session.close().await;
        }
    }

    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<Idle>> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_are_only_tried_with_chromium_through_a_driver_vedetta_starts() {
        let chromium = WarmBrowsers::new(BrowserConfig::default());
        assert_eq!(
            chromium.stats().contexts,
            None,
            "known after the first browser"
        );
        let firefox = WarmBrowsers::new(BrowserConfig {
            kind: BrowserKind::Firefox,
            ..BrowserConfig::default()
        });
        assert_eq!(firefox.stats().contexts, Some(false));
        let grid = WarmBrowsers::new(BrowserConfig {
            webdriver_url: Some("http://127.0.0.1:4444".into()),
            ..BrowserConfig::default()
        });
        assert_eq!(grid.stats().contexts, Some(false));
    }

    #[test]
    fn isolation_names_round_trip_and_an_unknown_one_lists_the_known() {
        use super::super::Isolation;
        assert_eq!("context".parse(), Ok(Isolation::Context));
        assert_eq!("session".parse(), Ok(Isolation::Session));
        assert_eq!(
            "tab".parse::<Isolation>(),
            Err("unknown isolation `tab`; known: context, session".into())
        );
    }
}
