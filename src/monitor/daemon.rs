//! The daemon: a scheduler task per journey, runs through the runner (a semaphore bounds the
//! browsers), each finished run recorded, observed by the alert rules and announced on a change;
//! the HTTP server beside it; retention sweeping in the background.
//!
//! Shutdown (the token given to [`start`] is cancelled): scheduling stops, runs in flight are
//! cancelled through the runner's token (which closes their browsers) and recorded as
//! `cancelled`, alerts already raised get a few seconds to go out, then the server stops.
//!
//! This file is the async orchestration only; what a run becomes is decided in [`record`]
//! (the history's row), [`announce`] (its alerts) and [`state`] (the journey's state).
//!
//! [`record`]: super::record
//! [`announce`]: super::announce
//! [`state`]: super::state

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::alert::{AlertRules, AlertState};
use super::announce::Announcer;
use super::channels::Screenshot;
use super::http::Shared;
use super::locations::{JourneyAlerts, Location, Verdict};
use super::maintenance::{MaintenanceBook, ScheduledWindow, Windows};
use super::metrics::{JourneyMetrics, Metrics};
use super::notify::{Channel, Notifier};
use super::public::PublicSettings;
use super::public::book::{ComponentBook, SeenRun, components_of};
use super::record::{self, Finished};
use super::schedule::{Schedule, Ticker};
use super::state::{Health, JourneyInfo, States};
use super::store::{IncidentKind, Queued, RunStatus, Store, StoreError};
use crate::browser::{BROWSER_IDLE_LIMIT, BrowserConfig, BrowserPool, Isolation};
use crate::evidence::manifest::MANIFEST_FILE;
use crate::evidence::signature::SealKey;
use crate::journey::model::Journey;
use crate::otp::OtpSources;
use crate::runner::{self, RunOptions};

/// How long alerts raised before a shutdown may take to go out.
const DELIVERY_GRACE: Duration = Duration::from_secs(15);

#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("internal error: {0}")]
    Internal(String),
    #[error("two journeys are named `{0}`; names identify journeys in history, metrics and alerts")]
    DuplicateName(String),
}

/// A validated journey and how it is watched.
#[derive(Debug, Clone)]
pub struct ScheduledJourney {
    pub journey: Journey,
    pub schedule: Schedule,
    pub alerts: AlertRules,
}

/// Where the HTTP server listens.
#[derive(Debug)]
pub enum Listen {
    /// Bind this address at start.
    Addr(SocketAddr),
    /// A socket the caller has already bound (and holds, so nobody can take it in between).
    Bound(std::net::TcpListener),
}

impl From<SocketAddr> for Listen {
    fn from(addr: SocketAddr) -> Listen {
        Listen::Addr(addr)
    }
}

/// Everything the daemon needs.
pub struct MonitorSetup {
    pub journeys: Vec<ScheduledJourney>,
    pub listen: Listen,
    /// Base of links in alerts; `None`: `http://<bound address>`.
    pub public_url: Option<String>,
    pub data_dir: PathBuf,
    pub retention: Duration,
    /// Browsers at once.
    pub concurrency: usize,
    pub channels: Vec<Channel>,
    pub browser: BrowserConfig,
    pub otp: OtpSources,
    /// Signs each run's evidence manifest.
    pub sign_key: Option<SealKey>,
    /// The config's maintenance windows.
    pub maintenance: Vec<ScheduledWindow>,
    /// The write API's bearer token; `None`: writes are refused.
    pub api_token: Option<String>,
    /// Where every journey runs from (`locations:`); empty: the one `local` location.
    pub locations: Vec<Location>,
    /// `alerts.locations`: how many must see a journey down; `None`: the default.
    pub alert_locations: Option<u32>,
    /// `public:`: the public status page on a listener of its own; `None`: none.
    pub public: Option<PublicSettings>,
}

/// A started monitor.
pub struct RunningMonitor {
    /// The HTTP server's address.
    pub addr: SocketAddr,
    /// Where people look: the status page.
    pub status_url: String,
    /// The public status page's address, when `public:` is set.
    pub public_addr: Option<SocketAddr>,
    pub shared: Arc<Shared>,
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl RunningMonitor {
    /// Stops the monitor (as SIGTERM does) and waits until every run is recorded.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        let _ = self.task.await;
    }

    /// Waits until the monitor has stopped (its token was cancelled by someone).
    pub async fn stopped(self) {
        let _ = self.task.await;
    }
}

/// Opens the history, binds the HTTP server and starts every journey's schedule. Returns once
/// the server listens; the monitor runs until `cancel` fires.
pub async fn start(
    setup: MonitorSetup,
    cancel: CancellationToken,
) -> Result<RunningMonitor, MonitorError> {
    let mut names = std::collections::HashSet::new();
    for sj in &setup.journeys {
        if !names.insert(sj.journey.name.clone()) {
            return Err(MonitorError::DuplicateName(sj.journey.name.clone()));
        }
    }
    let data_dir = setup.data_dir.clone();
    let store = tokio::task::spawn_blocking(move || Store::open(&data_dir))
        .await
        .map_err(|e| MonitorError::Internal(format!("opening the history failed: {e}")))??;

    let listener = match setup.listen {
        Listen::Addr(addr) => tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| MonitorError::Listen { addr, source })?,
        Listen::Bound(std) => {
            let addr = std
                .local_addr()
                .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
            std.set_nonblocking(true)
                .and_then(|()| tokio::net::TcpListener::from_std(std))
                .map_err(|source| MonitorError::Listen { addr, source })?
        }
    };
    let addr = listener
        .local_addr()
        .map_err(|source| MonitorError::Listen {
            addr: SocketAddr::from(([0, 0, 0, 0], 0)),
            source,
        })?;
    let base_url = setup
        .public_url
        .clone()
        .map(|u| u.trim_end_matches('/').to_string())
        .unwrap_or_else(|| format!("http://{addr}"));

    // Ad hoc maintenance windows still open or to come, as the history left them.
    let s = store.clone();
    let now_ms = Timestamp::now().as_millisecond();
    let ad_hoc = tokio::task::spawn_blocking(move || s.windows(now_ms))
        .await
        .map_err(|e| {
            MonitorError::Internal(format!("reading the maintenance windows failed: {e}"))
        })??;
    let maintenance = MaintenanceBook::new(Windows {
        scheduled: setup.maintenance,
        ad_hoc,
    });

    // Alert state, health and metrics as the history left them.
    let locations = match setup.locations.is_empty() {
        true => vec![Location::local()],
        false => setup.locations.clone(),
    };
    let quorum = super::locations::quorum(setup.alert_locations, locations.len());
    let mut metrics = Metrics::default();
    let mut health = Vec::with_capacity(setup.journeys.len());
    let mut alert_states = Vec::with_capacity(setup.journeys.len());
    for sj in &setup.journeys {
        let (alerts, h, m) = if locations.len() == 1 {
            let (alerts, h, m) = restore(&store, sj).await?;
            (JourneyAlerts::single(&locations[0].name, alerts), h, m)
        } else {
            // The history's last runs are not told apart by location here: each location's
            // metrics start with its first run.
            let (alerts, h) = restore_at_locations(&store, sj, &locations, quorum).await?;
            (alerts, h, JourneyMetrics::default())
        };
        if locations.len() == 1 {
            *metrics.at(&sj.journey.name, &locations[0].name) = m;
        } else {
            for (location, seen) in alerts.seen() {
                metrics
                    .seen
                    .insert((sj.journey.name.clone(), location), seen);
            }
        }
        health.push((sj.journey.name.clone(), h));
        alert_states.push(alerts);
    }
    let components = ComponentBook::new(
        &setup
            .journeys
            .iter()
            .map(|sj| (sj.journey.name.clone(), components_of(&sj.journey)))
            .collect::<Vec<_>>(),
    );
    for (sj, (_, h)) in setup.journeys.iter().zip(&health) {
        let seen = last_seen_run(&store, &sj.journey.name).await;
        components.observe(&sj.journey.name, seen.as_ref(), h.down, h.degraded, false);
    }
    let public_listener = match &setup.public {
        Some(p) => Some(
            tokio::net::TcpListener::bind(p.listen)
                .await
                .map_err(|source| MonitorError::Listen {
                    addr: p.listen,
                    source,
                })?,
        ),
        None => None,
    };
    let shared = Arc::new(Shared {
        store: store.clone(),
        metrics: Mutex::new(metrics),
        states: States::new(health),
        journeys: setup
            .journeys
            .iter()
            .map(|sj| JourneyInfo {
                name: sj.journey.name.clone(),
                title: sj.journey.title.clone(),
                file: sj.journey.file.display().to_string(),
                schedule: sj.schedule.describe(),
                steps: sj.journey.steps.len(),
            })
            .collect(),
        base_url,
        started_at_ms: Timestamp::now().as_millisecond(),
        maintenance,
        api_token: setup.api_token,
        locations: locations.iter().map(|l| l.name.clone()).collect(),
        public: setup.public.clone(),
        components,
    });

    let http_stop = CancellationToken::new();
    let app = super::http::router(shared.clone());
    // Read timeouts and a connection cap: a slow or idle client cannot starve /healthz.
    let server = tokio::spawn(crate::http_server::serve(
        listener,
        app,
        crate::http_server::Limits::default(),
        http_stop.clone(),
    ));

    // The public page: its own listener, its own few routes, nothing internal.
    let mut public_addr = None;
    let public_server = public_listener.map(|listener| {
        public_addr = listener.local_addr().ok();
        tokio::spawn(crate::http_server::serve(
            listener,
            super::public::routes::public_router(shared.clone()),
            crate::http_server::Limits::default(),
            http_stop.clone(),
        ))
    });

    let notifier = Notifier::new(setup.channels);
    let resender = match notifier.resend_interval() {
        Some(every) => {
            // What fired before a restart keeps firing (and ends) as it was announced.
            let s = store.clone();
            match tokio::task::spawn_blocking(move || s.firing_alerts()).await {
                Ok(Ok(firing)) => notifier.remember_firing(&firing),
                Ok(Err(e)) => eprintln!("vedetta monitor: could not read the firing alerts: {e}"),
                Err(e) => eprintln!("vedetta monitor: reading the firing alerts failed: {e}"),
            }
            Some(tokio::spawn(resend_firing(
                notifier.clone(),
                every,
                cancel.clone(),
            )))
        }
        None => None,
    };
    let pool = (setup.browser.isolation == Isolation::Context)
        .then(|| BrowserPool::new(setup.browser.clone()));
    let ctx = Arc::new(RunContext {
        shared: shared.clone(),
        notifier,
        deliveries: Mutex::new(JoinSet::new()),
        browsers: Arc::new(Semaphore::new(setup.concurrency.max(1))),
        browser: setup.browser,
        pool: pool.clone(),
        otp: setup.otp,
        sign_key: setup.sign_key,
    });
    // Alerts a crash (or the shutdown's grace) cut short last time go out first.
    let s = store.clone();
    match tokio::task::spawn_blocking(move || s.unsent_alerts()).await {
        Ok(Ok(unsent)) => {
            if !unsent.is_empty() {
                println!(
                    "vedetta monitor: delivering {} alert(s) the last run of the monitor left undelivered",
                    unsent.len()
                );
            }
            deliver(&ctx, unsent);
        }
        Ok(Err(e)) => eprintln!("vedetta monitor: could not read the alert outbox: {e}"),
        Err(e) => eprintln!("vedetta monitor: reading the alert outbox failed: {e}"),
    }
    let mut journeys = JoinSet::new();
    let origin = Instant::now();
    for (sj, state) in setup.journeys.into_iter().zip(alert_states) {
        // Every location runs the journey on its schedule; their runs meet in one verdict.
        let alerts = Arc::new(tokio::sync::Mutex::new(state));
        for (index, location) in locations.iter().enumerate() {
            let at = At::new(&ctx.browser, &sj, location, index, locations.len() > 1);
            journeys.spawn(watch(
                ctx.clone(),
                at,
                alerts.clone(),
                origin,
                cancel.clone(),
            ));
        }
    }
    let sweeper = tokio::spawn(super::retention::sweep(
        store,
        setup.retention,
        cancel.clone(),
    ));
    let idler = pool
        .clone()
        .map(|p| tokio::spawn(retire_idle_browsers(p, cancel.clone())));

    let stopping = cancel.clone();
    let task = tokio::spawn(async move {
        stopping.cancelled().await;
        while journeys.join_next().await.is_some() {}
        sweeper.abort();
        if let Some(idler) = idler {
            idler.abort();
        }
        // No warm browser outlives the monitor.
        if let Some(pool) = pool {
            pool.shutdown().await;
        }
        if let Some(resender) = resender {
            resender.abort();
        }
        let mut deliveries = std::mem::take(&mut *ctx.lock_deliveries());
        let all_sent = async { while deliveries.join_next().await.is_some() {} };
        if tokio::time::timeout(DELIVERY_GRACE, all_sent)
            .await
            .is_err()
        {
            eprintln!("vedetta monitor: some alerts were still being delivered at shutdown");
        }
        http_stop.cancel();
        let _ = server.await;
        if let Some(public_server) = public_server {
            let _ = public_server.await;
        }
    });
    let status_url = format!("http://{addr}/");
    Ok(RunningMonitor {
        addr,
        status_url,
        public_addr,
        shared,
        cancel,
        task,
    })
}

/// Ends the warm browsers no run has needed for a while (see [`BROWSER_IDLE_LIMIT`]).
async fn retire_idle_browsers(pool: Arc<BrowserPool>, cancel: CancellationToken) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(BROWSER_IDLE_LIMIT / 10) => {}
            () = cancel.cancelled() => return,
        }
        pool.retire_idle(BROWSER_IDLE_LIMIT).await;
    }
}

/// One journey's alert state, health and metrics, read back from the history.
async fn restore(
    store: &Store,
    sj: &ScheduledJourney,
) -> Result<(AlertState, Health, JourneyMetrics), MonitorError> {
    let store = store.clone();
    let name = sj.journey.name.clone();
    let rules = sj.alerts;
    let restored = tokio::task::spawn_blocking(move || -> Result<_, StoreError> {
        let history = store.recent_observations(&name, rules.memory())?;
        let down = store.open_alert(&name, IncidentKind::Down)?;
        let blind = store.open_alert(&name, IncidentKind::Blind)?;
        let degraded = store.open_alert(&name, IncidentKind::Degraded)?;
        let last = store.runs(&name, 20, None)?;
        let last_success = store.last_success_ms(&name)?;
        Ok((
            AlertState::restore(rules, &history, down, blind).with_degraded(degraded),
            last,
            last_success,
        ))
    })
    .await
    .map_err(|e| MonitorError::Internal(format!("reading the history failed: {e}")))??;
    let (state, last, last_success) = restored;
    let health = Health::restore(&last, &state);
    Ok((state, health, JourneyMetrics::restore(&last, last_success)))
}

/// Several locations: each one's alert state replayed from its own runs, the verdict that is
/// on from the store's incidents, and the journey's health.
async fn restore_at_locations(
    store: &Store,
    sj: &ScheduledJourney,
    locations: &[Location],
    quorum: usize,
) -> Result<(JourneyAlerts, Health), MonitorError> {
    let store = store.clone();
    let name = sj.journey.name.clone();
    let rules = sj.alerts;
    let names: Vec<String> = locations.iter().map(|l| l.name.clone()).collect();
    let restored = tokio::task::spawn_blocking(move || -> Result<_, StoreError> {
        let mut states = Vec::new();
        for location in names {
            let history = store.recent_observations_at(&name, &location, rules.memory())?;
            states.push((location, history));
        }
        let verdict = Verdict {
            down: store.open_alert(&name, IncidentKind::Down)?,
            degraded: store.open_alert(&name, IncidentKind::Degraded)?,
            blind: store.open_alert(&name, IncidentKind::Blind)?,
        };
        let last = store.runs(&name, 20, None)?;
        Ok((states, verdict, last))
    })
    .await
    .map_err(|e| MonitorError::Internal(format!("reading the history failed: {e}")))??;
    let (histories, verdict, last) = restored;
    let alerts = JourneyAlerts::restore(rules, histories, quorum, verdict);
    let health = alerts.restored_health(&last, rules);
    Ok((alerts, health))
}

/// One journey as one location runs it: the location's variables merged over the journey's,
/// its WebDriver server (or the monitor's own driver).
struct At {
    sj: ScheduledJourney,
    browser: BrowserConfig,
    index: usize,
    location: String,
    /// More than one location: evidence folders and console lines name this one.
    named: bool,
}

impl At {
    fn new(
        browser: &BrowserConfig,
        sj: &ScheduledJourney,
        location: &Location,
        index: usize,
        named: bool,
    ) -> At {
        let mut sj = sj.clone();
        for (name, value) in &location.vars {
            sj.journey.variables.set(name.clone(), value.clone());
        }
        let mut browser = browser.clone();
        if let Some(url) = &location.webdriver {
            browser.webdriver_url = Some(url.clone());
        }
        At {
            sj,
            browser,
            index,
            location: location.name.clone(),
            named,
        }
    }
}

struct RunContext {
    shared: Arc<Shared>,
    notifier: Notifier,
    /// Alerts being delivered; finished ones are reaped as new ones are added.
    deliveries: Mutex<JoinSet<()>>,
    browsers: Arc<Semaphore>,
    browser: BrowserConfig,
    /// Warm browsers kept between runs (`isolation: context`); `None`: a browser per run.
    pool: Option<Arc<BrowserPool>>,
    otp: OtpSources,
    sign_key: Option<SealKey>,
}

impl RunContext {
    fn lock_deliveries(&self) -> std::sync::MutexGuard<'_, JoinSet<()>> {
        self.deliveries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A journey's schedule loop: wait for the next time, take a browser slot, run, record.
async fn watch(
    ctx: Arc<RunContext>,
    at: At,
    alerts: Arc<tokio::sync::Mutex<JourneyAlerts>>,
    origin: Instant,
    cancel: CancellationToken,
) {
    let sj = &at.sj;
    let mut ticker = Ticker::new(sj.schedule.clone(), origin);
    let name = sj.journey.name.clone();
    // Whether the last run was held by a maintenance window: the first run after one is
    // judged afresh.
    let mut held = false;
    loop {
        let now = Instant::now();
        let fire = {
            let mut rng = rand::thread_rng();
            ticker.next(now, Timestamp::now(), &mut rng)
        };
        let next_ms = Timestamp::now().as_millisecond() + (fire - now).as_millis() as i64;
        ctx.shared
            .states
            .update(&name, |now| now.live.next_run_ms = Some(next_ms));
        tokio::select! {
            _ = tokio::time::sleep_until(fire.into()) => {}
            _ = cancel.cancelled() => break,
        }
        let permit = tokio::select! {
            p = ctx.browsers.clone().acquire_owned() => p,
            _ = cancel.cancelled() => break,
        };
        let Ok(_permit) = permit else { break };
        run_once(&ctx, &at, &alerts, &mut held, &cancel).await;
        if cancel.is_cancelled() {
            break;
        }
    }
    ctx.shared
        .states
        .update(&name, |now| now.live.next_run_ms = None);
}

/// One run of one journey, recorded, observed and announced — or, held by a maintenance
/// window, recorded and marked, never observed: no alert.
async fn run_once(
    ctx: &RunContext,
    at: &At,
    alerts: &tokio::sync::Mutex<JourneyAlerts>,
    held: &mut bool,
    cancel: &CancellationToken,
) {
    let journey = &at.sj.journey;
    let name = journey.name.as_str();
    let started = Timestamp::now();
    let started_ms = started.as_millisecond();
    let mut folder = format!(
        "{}-{:03}",
        started.strftime("%Y%m%dT%H%M%S"),
        started_ms.rem_euclid(1000)
    );
    if at.named {
        // Two locations may start the same journey in the same millisecond.
        folder = format!("{folder}-{}", at.location);
    }
    let evidence_key = format!("{name}/{folder}");
    let window = ctx.shared.maintenance.holding(name, started_ms);
    ctx.shared
        .states
        .update(name, |now| now.live.running_since_ms = Some(started_ms));

    let options = RunOptions {
        browser: at.browser.clone(),
        jobs: 1,
        out_dir: ctx.shared.store.evidence_root().join(name),
        run_id: folder,
        otp: ctx.otp.clone(),
        sign_key: ctx.sign_key.clone(),
        // The warm browsers are the monitor's own; a location with a grid of its own runs there.
        browsers: ctx
            .pool
            .clone()
            .filter(|_| at.browser.webdriver_url.is_none()),
    };
    // Where the runner keeps this run's evidence (`out_dir/<run_id>/<journey>`), sealed with a
    // manifest when it kept anything: a failure's files or a passing run's named screenshots.
    let evidence_dir = options.out_dir.join(&options.run_id).join(name);
    // The monitor reads the result, not the events: a closed channel is fine for the runner.
    let (events, _) = tokio::sync::mpsc::unbounded_channel();
    let report = runner::run(vec![journey.clone()], options, events, cancel.child_token()).await;
    let finished_ms = Timestamp::now().as_millisecond();
    let sealed = tokio::fs::try_exists(evidence_dir.join(MANIFEST_FILE))
        .await
        .unwrap_or(false);
    let mut run = record::new_run(
        Finished {
            journey: name.to_string(),
            evidence_key,
            started_ms,
            finished_ms,
            shutting_down: cancel.is_cancelled(),
            sealed_evidence: sealed.then(|| evidence_dir.display().to_string()),
            maintenance: window.is_some(),
        },
        report.journeys.first(),
    );
    run.location = at.location.clone();

    // One location's run at a time is judged and recorded: the verdict sees them in order.
    let mut state = alerts.lock().await;
    let before = state.clone();
    let held_before = *held;
    if run.status != super::store::RunStatus::Cancelled {
        if window.is_none() && *held {
            // The window is over: judged afresh from this run on.
            state.reset_streaks(at.index);
        }
        *held = window.is_some();
    }
    let transitions = if window.is_some() {
        Vec::new()
    } else {
        state.observe(at.index, &run)
    };
    let summary = state.summary();
    let announcer = Announcer {
        base_url: ctx.shared.base_url.clone(),
        journey: name.to_string(),
        title: journey.title.clone(),
    };
    let store = ctx.shared.store.clone();
    let to_record = run.clone();
    let recorded_transitions = transitions.clone();
    // The alerts go into the outbox with the run: a crash before they are out leaves them
    // there for the next start, never lost.
    let outbox = (!ctx.notifier.channels().is_empty()).then(|| announcer.clone());
    let outbox_summary = summary.clone();
    let recorded = tokio::task::spawn_blocking(move || {
        store.record_with_alerts(&to_record, &recorded_transitions, |run_id| {
            let Some(announcer) = outbox else {
                return Vec::new();
            };
            recorded_transitions
                .iter()
                .map(|t| {
                    announcer
                        .alert(&to_record, run_id, *t)
                        .from_locations(outbox_summary.as_deref())
                })
                .collect()
        })
    })
    .await;
    ctx.shared
        .states
        .update(name, |now| now.live.running_since_ms = None);
    let (run_id, queued) = match recorded {
        Ok(Ok(r)) => (r.run_id, r.queued),
        Ok(Err(e)) => {
            eprintln!("vedetta monitor: could not record a run of {name}: {e}");
            *state = before;
            *held = held_before;
            return;
        }
        Err(e) => {
            eprintln!("vedetta monitor: recording a run of {name} failed: {e}");
            *state = before;
            *held = held_before;
            return;
        }
    };
    match at.named {
        true => println!(
            "{} (from {})",
            record::console_line(&run, run_id),
            at.location
        ),
        false => println!("{}", record::console_line(&run, run_id)),
    }

    {
        // Counters and state change together for whoever reads `/metrics`.
        let mut metrics = ctx.shared.lock_metrics();
        metrics.browsers = ctx.pool.as_ref().map(|p| p.stats());
        let sample = record::metrics_sample(&run, report.journeys.first());
        metrics.observe_at(name, &at.location, sample);
        metrics.observe_slow_at(name, &at.location, run.status.as_str(), &run.slow);
        if let Some(r) = report.journeys.first() {
            metrics.observe_browser_start_at(
                name,
                &at.location,
                r.browser_start_ms as f64 / 1000.0,
            );
        }
        if at.named {
            for (location, seen) in state.seen() {
                metrics.seen.insert((name.to_string(), location), seen);
            }
        }
        ctx.shared.states.update(name, |now| {
            state.apply_health(&mut now.health, run.status, at.index)
        });
    }
    let verdict = state.verdict();
    drop(state);

    update_components(ctx, &at.sj, &run, verdict, window.is_some(), &transitions).await;
    for t in transitions {
        let alert = announcer
            .alert(&run, run_id, t)
            .from_locations(summary.as_deref());
        println!("vedetta monitor: ALERT {}", alert.text);
    }
    deliver(ctx, queued);
}

/// After a run: the journey's word on its components anew, and — when the run moved its
/// alerts down or up — the monitor's own incidents opened or resolved.
async fn update_components(
    ctx: &RunContext,
    sj: &ScheduledJourney,
    run: &super::store::NewRun,
    verdict: super::locations::Verdict,
    maintenance: bool,
    transitions: &[super::alert::Transition],
) {
    let name = sj.journey.name.as_str();
    let saw_site = matches!(
        run.status,
        RunStatus::Passed | RunStatus::Flaky | RunStatus::Failed
    );
    let seen = saw_site.then(|| SeenRun {
        status: run.status,
        steps: run.steps.clone(),
        failed_step: run.failure.as_ref().map(|f| f.step_index),
        slow: run.slow.clone(),
    });
    let book = &ctx.shared.components;
    if let Some(seen) = &seen {
        book.observe(
            name,
            Some(seen),
            verdict.down.is_some(),
            verdict.degraded.is_some(),
            maintenance,
        );
    }
    let Some(settings) = ctx.shared.public.clone() else {
        return;
    };
    if !super::public::book::speaks(transitions) {
        return;
    }
    let now_ms = Timestamp::now().as_millisecond();
    let states = super::public::routes::component_states(&ctx.shared, now_ms);
    let store = ctx.shared.store.clone();
    let done = tokio::task::spawn_blocking(move || {
        super::public::book::open_and_resolve(&store, &settings, &states, now_ms)
    })
    .await;
    match done {
        Ok(Ok(opened)) => {
            for id in opened {
                println!("vedetta monitor: incident {id} opened on the public status page");
            }
        }
        Ok(Err(e)) => eprintln!("vedetta monitor: could not update the incidents: {e}"),
        Err(e) => eprintln!("vedetta monitor: updating the incidents failed: {e}"),
    }
}

/// A journey's last run that saw the site, with its steps (for the components after a
/// restart).
async fn last_seen_run(store: &Store, journey: &str) -> Option<SeenRun> {
    let store = store.clone();
    let journey = journey.to_string();
    tokio::task::spawn_blocking(move || {
        let runs = store.runs(&journey, 20, None).ok()?;
        let last = runs.iter().find(|r| {
            matches!(
                r.status,
                RunStatus::Passed | RunStatus::Flaky | RunStatus::Failed
            )
        })?;
        let run = store.run(last.id).ok()??;
        Some(SeenRun {
            status: run.status,
            steps: run.steps.unwrap_or_default(),
            failed_step: run.failure.as_ref().map(|f| f.step_index),
            slow: run.slow,
        })
    })
    .await
    .ok()
    .flatten()
}

/// Posts the alerts firing on an Alertmanager again every `every`, until the monitor stops.
async fn resend_firing(notifier: Notifier, every: Duration, cancel: CancellationToken) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => notifier.resend_firing().await,
            _ = cancel.cancelled() => return,
        }
    }
}

/// The annotated screenshot of the failure that raised `alert`, for the channels that attach
/// it (e-mail): read from the evidence folder, never from a path the alert carries.
async fn screenshot(store: &Store, alert: &super::notify::Alert) -> Option<Screenshot> {
    if alert.event != super::notify::AlertEvent::Down || alert.screenshot_url.is_none() {
        return None;
    }
    let store = store.clone();
    let run_id = alert.run_id;
    let name = format!("{}-run-{run_id}.png", alert.journey);
    tokio::task::spawn_blocking(move || {
        let recorded = store.run(run_id).ok()??.failure?.screenshot?;
        let path = super::http::evidence_png(&store, &recorded)?;
        let png = std::fs::read(path).ok()?;
        Some(Screenshot { name, png })
    })
    .await
    .ok()
    .flatten()
}

/// Sends alerts of the outbox, one after the other (a run's `sighted` before its `down`), in
/// the background, each marked sent once it was tried on every channel. One cut short by the
/// shutdown's grace or a crash stays unsent and goes out at the next start.
fn deliver(ctx: &RunContext, queued: Vec<Queued>) {
    if queued.is_empty() {
        return;
    }
    let notifier = ctx.notifier.clone();
    let store = ctx.shared.store.clone();
    let mut deliveries = ctx.lock_deliveries();
    while deliveries.try_join_next().is_some() {}
    deliveries.spawn(async move {
        let attaches = notifier
            .channels()
            .iter()
            .any(|c| matches!(c, Channel::Email(_)));
        for q in queued {
            let shot = match attaches {
                true => screenshot(&store, &q.alert).await,
                false => None,
            };
            notifier.send_with(&q.alert, shot.as_ref()).await;
            let store = store.clone();
            let at_ms = Timestamp::now().as_millisecond();
            let marked = tokio::task::spawn_blocking(move || store.mark_sent(q.id, at_ms)).await;
            if let Ok(Err(e)) = marked {
                eprintln!(
                    "vedetta monitor: could not mark alert {} as sent: {e}",
                    q.id
                );
            }
        }
    });
}
