//! Warm browsers, a fresh isolated context per journey.
//!
//! Starting Chromium and its driver costs a second or more (several when two start at once on
//! two cores); a browser context costs milliseconds. So a [`BrowserPool`] keeps the browsers
//! it started (of each launch configuration, at most one per journey walked at once with it:
//! a warm browser is lent to one journey
//! and comes back when its page is closed) and gives each journey attempt a new browser
//! context with its own tab: cookies, localStorage, sessionStorage, IndexedDB, the HTTP cache,
//! service workers and permissions of one journey are invisible to the next, and the context
//! is disposed of when the journey ends. A fresh browser's first journey walks in the
//! browser's own first tab (its default context, which no other journey ever uses; cleared to
//! `about:blank` when that journey ends): in a browser nobody used yet, a context would only cost
//! time — its tab, a renderer — and one journey alone starts as fast as in a session of its own.
//!
//! A device to emulate and extra capabilities are set when a browser starts, so the pool keeps
//! the browsers of each launch configuration apart (`warm.rs`, one [`WarmBrowsers`] each): the
//! phone journeys of a run share warm phone browsers, the others the desktop ones. So that a
//! run with many configurations does not keep a browser waiting for each, at most twice as
//! many browsers live (lent or waiting) as journeys have had a page at once: before a browser
//! starts beyond that, a waiting one of another configuration is ended — of a configuration no
//! announced journey is to come in first, else the one that waited longest.
//!
//! Contexts need the browser's DevTools endpoint on loopback (Chromium through a chromedriver
//! vedetta started). Elsewhere — Firefox, a `--webdriver` server or grid — or when a fresh
//! browser refuses a context, each attempt gets a session of its own, as with
//! `--isolation session`, and the `-v` log says why.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::config::BrowserConfig;
use super::error::BrowserError;
use super::session::Session;
use super::warm::WarmBrowsers;

/// What the pool did, for tests and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Browsers started to serve contexts.
    pub started: u32,
    /// Browsers retired (worn out, in trouble, idle too long, or the pool shut).
    pub retired: u32,
    /// Journeys whose context was made ahead, during the journey before them.
    pub made_ahead: u32,
    /// Warm browsers waiting now.
    pub idle: usize,
    /// Warm browsers lent to a journey now.
    pub in_use: usize,
    /// Whether journeys get contexts (`None`: no journey yet).
    pub contexts: Option<bool>,
}

/// The browsers of a run, or of the monitor between its runs.
pub struct BrowserPool {
    /// The run's configuration: a journey's own (`BrowserConfig::for_journey`) may add a
    /// device and capabilities to it.
    config: BrowserConfig,
    /// The warm browsers of each launch configuration, the run's own first.
    launches: Mutex<Vec<Arc<WarmBrowsers>>>,
    /// The most journeys that have had a page at once: how many browsers may wait.
    peak_lent: AtomicUsize,
}

impl BrowserPool {
    pub fn new(config: BrowserConfig) -> Arc<BrowserPool> {
        let own = WarmBrowsers::new(config.clone());
        if own.stats().contexts == Some(false) {
            tracing::info!(
                browser = %config.kind,
                webdriver = config.webdriver_url.is_some(),
                "browser contexts are not available here (they need Chromium through a \
                 chromedriver vedetta starts): each journey gets a browser session of its own"
            );
        }
        Arc::new(BrowserPool {
            config,
            launches: Mutex::new(vec![own]),
            peak_lent: AtomicUsize::new(0),
        })
    }

    pub fn config(&self) -> &BrowserConfig {
        &self.config
    }

    /// What the pool did, over every launch configuration. `contexts` is the run's own
    /// configuration's when known, else the first known.
    pub fn stats(&self) -> PoolStats {
        let launches = self.lock_launches().clone();
        let all: Vec<PoolStats> = launches.iter().map(|l| l.stats()).collect();
        PoolStats {
            started: all.iter().map(|s| s.started).sum(),
            retired: all.iter().map(|s| s.retired).sum(),
            made_ahead: all.iter().map(|s| s.made_ahead).sum(),
            idle: all.iter().map(|s| s.idle).sum(),
            in_use: all.iter().map(|s| s.in_use).sum(),
            contexts: all.iter().find_map(|s| s.contexts),
        }
    }

    /// Announces journeys to come (a run's), each by its configuration
    /// (`BrowserConfig::for_journey`): a browser makes its next context ahead only when a next
    /// journey is expected in a browser like it.
    pub fn expect<'a>(&self, journeys: impl IntoIterator<Item = &'a BrowserConfig>) {
        for config in journeys {
            self.launch(config).expect(1);
        }
    }

    /// A page for one attempt walked with `config` (the journey's: `BrowserConfig::for_journey`),
    /// its viewport `width`×`height`: a fresh context in a warm browser started like `config`
    /// asks (started now if none is waiting), or where contexts are not available a session of
    /// its own. `label` names a browser started now (the journey that started it).
    pub async fn page(
        &self,
        config: &BrowserConfig,
        width: u32,
        height: u32,
        label: &str,
    ) -> Result<Session, BrowserError> {
        let launch = self.launch(config);
        let making_room = Instant::now();
        if launch.must_start_one() {
            self.make_room(&launch).await;
        }
        let made_room = making_room.elapsed();
        let mut page = launch.page(config, width, height, label).await;
        let lent: usize = self.lock_launches().iter().map(|l| l.lent()).sum();
        self.peak_lent.fetch_max(lent, Ordering::Relaxed);
        // Ending another browser first is part of the wait for this one, not the site's time.
        if let Ok(session) = &mut page
            && !session.start_time().is_zero()
        {
            session.set_start_time(session.start_time() + made_room);
        }
        page
    }

    /// Ends every warm browser: at the end of a run, or when the monitor stops.
    pub async fn shutdown(&self) {
        let launches = self.lock_launches().clone();
        futures::future::join_all(launches.iter().map(|l| l.shutdown())).await;
    }

    /// Ends the warm browsers that waited longer than `idle_for` (the monitor, between runs).
    pub async fn retire_idle(&self, idle_for: Duration) {
        let launches = self.lock_launches().clone();
        for l in launches {
            l.retire_idle(idle_for).await;
        }
    }

    /// The warm browsers started like `config`: its device and capabilities (the rest of a
    /// journey's configuration is the run's).
    fn launch(&self, config: &BrowserConfig) -> Arc<WarmBrowsers> {
        let mut launches = self.lock_launches();
        let same = |l: &&Arc<WarmBrowsers>| {
            l.config().device == config.device && l.config().capabilities == config.capabilities
        };
        if let Some(l) = launches.iter().find(same) {
            return l.clone();
        }
        let l = WarmBrowsers::new(config.clone());
        launches.push(l.clone());
        l
    }

    /// Before a browser starts for `launch`: while as many browsers live — lent or waiting,
    /// of every configuration — as may (twice the most journeys that had a page at once), one
    /// waiting in another configuration is ended: first one no announced journey is to come
    /// in, then the one that waited longest.
    async fn make_room(&self, launch: &Arc<WarmBrowsers>) {
        let may_live = 2 * self.peak_lent.load(Ordering::Relaxed).max(1);
        // Each round ends a waiting browser (or finds none and stops): bounded by the browsers
        // that could be waiting.
        for _ in 0..=may_live {
            let launches = self.lock_launches().clone();
            let live: usize = launches.iter().map(|l| l.lent() + l.waiting().0).sum();
            if live < may_live {
                return;
            }
            let victim = launches
                .iter()
                .filter(|l| !Arc::ptr_eq(l, launch))
                .filter_map(|l| {
                    let (_, since) = l.waiting();
                    Some((l.expected() > 0, since?, l))
                })
                .min_by_key(|(wanted, since, _)| (*wanted, *since));
            let Some((_, _, victim)) = victim else {
                return;
            };
            tracing::debug!("ending a warm browser of another configuration: {live} live");
            victim.retire_longest_idle().await;
        }
    }

    fn lock_launches(&self) -> std::sync::MutexGuard<'_, Vec<Arc<WarmBrowsers>>> {
        self.launches.lock().unwrap_or_else(|p| p.into_inner())
    }
}
