//! The daemon: a scheduler task per journey, runs through the runner (a semaphore bounds the
//! browsers), each finished run recorded, observed by the alert rules and announced on a change;
//! the HTTP server beside it; retention sweeping in the background.
//!
//! Shutdown (the token given to [`start`] is cancelled): scheduling stops, runs in flight are
//! cancelled through the runner's token (which closes their browsers) and recorded as
//! `cancelled`, alerts already raised get a few seconds to go out, then the server stops.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::alert::{AlertRules, AlertState, Transition};
use super::http::Shared;
use super::metrics::{JourneyMetrics, Metrics, RunSample};
use super::notify::{Alert, AlertEvent, AlertFacts, AlertStep, Channel, Notifier};
use super::schedule::{Schedule, Ticker};
use super::state::{Health, JourneyInfo, States};
use super::store::{
    FailureRecord, IncidentKind, NewRun, Queued, RunStatus, StepRecord, Store, StoreError,
};
use crate::browser::BrowserConfig;
use crate::journey::model::Journey;
use crate::otp::OtpSources;
use crate::runner::result::{JourneyResult, JourneyStatus, StepStatus};
use crate::runner::{self, RunOptions};

/// How long alerts raised before a shutdown may take to go out.
const DELIVERY_GRACE: Duration = Duration::from_secs(15);
/// How often old runs are swept.
const RETENTION_SWEEP: Duration = Duration::from_secs(3600);

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
}

/// A started monitor.
pub struct RunningMonitor {
    /// The HTTP server's address.
    pub addr: SocketAddr,
    /// Where people look: the status page.
    pub status_url: String,
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

    // Alert state, health and metrics as the history left them.
    let mut metrics = Metrics::default();
    let mut health = Vec::with_capacity(setup.journeys.len());
    let mut alert_states = Vec::with_capacity(setup.journeys.len());
    for sj in &setup.journeys {
        let (alerts, h, m) = restore(&store, sj).await?;
        *metrics.journey(&sj.journey.name) = m;
        health.push((sj.journey.name.clone(), h));
        alert_states.push(alerts);
    }
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
    });

    let http_stop = CancellationToken::new();
    let app = super::http::router(shared.clone());
    let stop = http_stop.clone();
    let server = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await
        {
            eprintln!("vedetta monitor: the HTTP server stopped: {e}");
        }
    });

    let ctx = Arc::new(RunContext {
        shared: shared.clone(),
        notifier: Notifier::new(setup.channels),
        deliveries: Mutex::new(JoinSet::new()),
        browsers: Arc::new(Semaphore::new(setup.concurrency.max(1))),
        browser: setup.browser,
        otp: setup.otp,
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
        journeys.spawn(watch(ctx.clone(), sj, state, origin, cancel.clone()));
    }
    let sweeper = tokio::spawn(sweep(store, setup.retention, cancel.clone()));

    let stopping = cancel.clone();
    let task = tokio::spawn(async move {
        stopping.cancelled().await;
        while journeys.join_next().await.is_some() {}
        sweeper.abort();
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
    });
    let status_url = format!("http://{addr}/");
    Ok(RunningMonitor {
        addr,
        status_url,
        shared,
        cancel,
        task,
    })
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
        let last = store.runs(&name, 20, None)?;
        let last_success = store.last_success_ms(&name)?;
        Ok((
            AlertState::restore(rules, &history, down, blind),
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

struct RunContext {
    shared: Arc<Shared>,
    notifier: Notifier,
    /// Alerts being delivered; finished ones are reaped as new ones are added.
    deliveries: Mutex<JoinSet<()>>,
    browsers: Arc<Semaphore>,
    browser: BrowserConfig,
    otp: OtpSources,
}

impl RunContext {
    fn lock_deliveries(&self) -> std::sync::MutexGuard<'_, JoinSet<()>> {
        self.deliveries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A journey's schedule loop: wait for the next time, take a browser slot, run, record.
async fn watch(
    ctx: Arc<RunContext>,
    sj: ScheduledJourney,
    mut state: AlertState,
    origin: Instant,
    cancel: CancellationToken,
) {
    let mut ticker = Ticker::new(sj.schedule.clone(), origin);
    let name = sj.journey.name.clone();
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
        run_once(&ctx, &sj, &mut state, &cancel).await;
        if cancel.is_cancelled() {
            break;
        }
    }
    ctx.shared
        .states
        .update(&name, |now| now.live.next_run_ms = None);
}

/// One run of one journey, recorded, observed and announced.
async fn run_once(
    ctx: &RunContext,
    sj: &ScheduledJourney,
    state: &mut AlertState,
    cancel: &CancellationToken,
) {
    let journey = &sj.journey;
    let started = Timestamp::now();
    let started_ms = started.as_millisecond();
    let folder = format!(
        "{}-{:03}",
        started.strftime("%Y%m%dT%H%M%S"),
        started_ms.rem_euclid(1000)
    );
    let evidence_key = format!("{}/{folder}", journey.name);
    ctx.shared.states.update(&journey.name, |now| {
        now.live.running_since_ms = Some(started_ms)
    });

    let options = RunOptions {
        browser: ctx.browser.clone(),
        jobs: 1,
        out_dir: ctx.shared.store.evidence_root().join(&journey.name),
        run_id: folder,
        otp: ctx.otp.clone(),
    };
    // The monitor reads the result, not the events: a closed channel is fine for the runner.
    let (events, _) = tokio::sync::mpsc::unbounded_channel();
    let report = runner::run(vec![journey.clone()], options, events, cancel.child_token()).await;
    let finished_ms = Timestamp::now().as_millisecond();
    let result = report.journeys.into_iter().next();
    let run = new_run(
        journey,
        result.as_ref(),
        evidence_key,
        started_ms,
        finished_ms,
        cancel.is_cancelled(),
    );

    let before = state.clone();
    let transitions = match run.status.outcome() {
        Some(outcome) => state.observe(super::alert::Observation {
            outcome,
            at_ms: started_ms,
        }),
        None => Vec::new(),
    };
    let store = ctx.shared.store.clone();
    let to_record = run.clone();
    let recorded_transitions = transitions.clone();
    // The alerts go into the outbox with the run: a crash before they are out leaves them
    // there for the next start, never lost.
    let announce = (!ctx.notifier.channels().is_empty()).then(|| {
        (
            ctx.shared.base_url.clone(),
            journey.name.clone(),
            journey.title.clone(),
        )
    });
    let recorded = tokio::task::spawn_blocking(move || {
        store.record_with_alerts(&to_record, &recorded_transitions, |run_id| {
            let Some((base, name, title)) = announce else {
                return Vec::new();
            };
            recorded_transitions
                .iter()
                .map(|t| alert_for(&base, &name, title.as_deref(), &to_record, run_id, *t))
                .collect()
        })
    })
    .await;
    let (run_id, queued) = match recorded {
        Ok(Ok(r)) => (r.run_id, r.queued),
        Ok(Err(e)) => {
            eprintln!(
                "vedetta monitor: could not record a run of {}: {e}",
                journey.name
            );
            *state = before;
            ctx.shared
                .states
                .update(&journey.name, |now| now.live.running_since_ms = None);
            return;
        }
        Err(e) => {
            eprintln!(
                "vedetta monitor: recording a run of {} failed: {e}",
                journey.name
            );
            *state = before;
            ctx.shared
                .states
                .update(&journey.name, |now| now.live.running_since_ms = None);
            return;
        }
    };
    ctx.shared
        .states
        .update(&journey.name, |now| now.live.running_since_ms = None);
    print_run(&run, run_id);

    {
        let mut metrics = ctx.shared.lock_metrics();
        metrics.observe(
            &journey.name,
            RunSample {
                status: run.status.as_str(),
                finished_s: finished_ms as f64 / 1000.0,
                duration_s: run.duration_ms as f64 / 1000.0,
                failure_category: run.failure.as_ref().map(|f| f.category.as_str()),
                steps: run
                    .steps
                    .iter()
                    .filter(|s| s.status != "skipped")
                    .map(|s| (s.index, s.name.clone(), s.duration_ms as f64 / 1000.0))
                    .collect(),
            },
        );
        // Counters and state change together for whoever reads `/metrics`.
        ctx.shared
            .states
            .update(&journey.name, |now| now.health.observe(run.status, state));
    }

    for t in transitions {
        let alert = alert_for(
            &ctx.shared.base_url,
            &journey.name,
            journey.title.as_deref(),
            &run,
            run_id,
            t,
        );
        println!("vedetta monitor: ALERT {}", alert.text);
    }
    deliver(ctx, queued);
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
        for q in queued {
            notifier.send(&q.alert).await;
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

/// The run as the store records it. A run cut short by shutdown is `cancelled`.
fn new_run(
    journey: &Journey,
    result: Option<&JourneyResult>,
    evidence_key: String,
    started_ms: i64,
    finished_ms: i64,
    shutting_down: bool,
) -> NewRun {
    let Some(result) = result else {
        return NewRun {
            journey: journey.name.clone(),
            evidence_key,
            started_at_ms: started_ms,
            finished_at_ms: finished_ms,
            duration_ms: (finished_ms - started_ms).max(0) as u64,
            status: if shutting_down {
                RunStatus::Cancelled
            } else {
                RunStatus::Error
            },
            attempts: 0,
            error: Some("internal error: the runner returned no result".into()),
            failure: None,
            steps: Vec::new(),
        };
    };
    let status = match result.status {
        JourneyStatus::Passed => RunStatus::Passed,
        JourneyStatus::Flaky => RunStatus::Flaky,
        JourneyStatus::Failed => RunStatus::Failed,
        JourneyStatus::Error if shutting_down => RunStatus::Cancelled,
        JourneyStatus::Error => RunStatus::Error,
    };
    // The step that failed the journey: the first failed step that was not optional.
    let failed = result
        .steps
        .iter()
        .find(|s| s.status == StepStatus::Failed && !s.optional)
        .filter(|_| status == RunStatus::Failed);
    let failure = failed.and_then(|s| {
        let f = s.failure.as_ref()?;
        Some(FailureRecord {
            step_index: s.index,
            step_name: s.name.clone(),
            category: f.category.as_str().to_string(),
            message: f.message.clone(),
            url: f.url.clone(),
            screenshot: f.screenshot.clone(),
            evidence: f.evidence.clone(),
        })
    });
    NewRun {
        journey: journey.name.clone(),
        evidence_key,
        started_at_ms: started_ms,
        finished_at_ms: finished_ms,
        duration_ms: result.duration_ms,
        status,
        attempts: result.attempts,
        error: result.error.clone(),
        failure,
        steps: result
            .steps
            .iter()
            .map(|s| StepRecord {
                index: s.index,
                name: s.name.clone(),
                action: s.action.clone(),
                status: s.status.as_str().to_string(),
                duration_ms: s.duration_ms,
                category: s.failure.as_ref().map(|f| f.category.as_str().to_string()),
                message: s.failure.as_ref().map(|f| f.message.clone()),
                screenshot: s
                    .failure
                    .as_ref()
                    .and_then(|f| f.screenshot.clone())
                    .or_else(|| s.screenshot.clone()),
            })
            .collect(),
    }
}

pub(super) fn alert_for(
    base: &str,
    journey: &str,
    title: Option<&str>,
    run: &NewRun,
    run_id: i64,
    t: Transition,
) -> Alert {
    let (event, since_ms, at_ms) = match t {
        Transition::Down { since_ms } => (AlertEvent::Down, since_ms, run.started_at_ms),
        Transition::Recovered { since_ms, at_ms } => (AlertEvent::Recovered, since_ms, at_ms),
        Transition::Blind { since_ms } => (AlertEvent::Blind, since_ms, run.started_at_ms),
        Transition::Sighted { since_ms, at_ms } => (AlertEvent::Sighted, since_ms, at_ms),
    };
    let failure = run.failure.as_ref().filter(|_| event == AlertEvent::Down);
    Alert::new(AlertFacts {
        event,
        journey: journey.to_string(),
        title: title.map(str::to_string),
        at_ms,
        since_ms,
        run_id,
        step: failure.map(|f| AlertStep {
            index: f.step_index,
            name: f.step_name.clone(),
        }),
        category: failure.map(|f| f.category.clone()),
        message: match event {
            AlertEvent::Down => failure.map(|f| f.message.clone()),
            AlertEvent::Blind => run.error.clone(),
            _ => None,
        },
        status_page: format!("{base}/#journey-{journey}"),
        screenshot_url: failure
            .and_then(|f| f.screenshot.as_ref())
            .map(|_| format!("{base}/runs/{run_id}/screenshot")),
        evidence: failure.and_then(|f| f.evidence.clone()),
    })
}

fn print_run(run: &NewRun, run_id: i64) {
    let what = match (&run.failure, &run.error) {
        (Some(f), _) => format!(
            " — step {} \"{}\": {}",
            f.step_index, f.step_name, f.category
        ),
        (None, Some(e)) => format!(" — {e}"),
        _ => String::new(),
    };
    println!(
        "{} {} run {run_id} {} in {:.1}s{what}",
        super::notify::rfc3339(run.finished_at_ms),
        run.journey,
        run.status.as_str(),
        run.duration_ms as f64 / 1000.0,
    );
}

/// Deletes runs older than `retention` and their evidence folders, now and every hour.
async fn sweep(store: Store, retention: Duration, cancel: CancellationToken) {
    loop {
        let cutoff = Timestamp::now().as_millisecond() - retention.as_millis() as i64;
        let s = store.clone();
        match tokio::task::spawn_blocking(move || s.prune(cutoff)).await {
            Ok(Ok(keys)) => {
                for key in keys {
                    // Keys are ours (`journey/folder`); never follow anything else out.
                    if key
                        .split('/')
                        .any(|part| part.is_empty() || part == "." || part == "..")
                    {
                        continue;
                    }
                    let _ = std::fs::remove_dir_all(store.evidence_root().join(&key));
                }
            }
            Ok(Err(e)) => eprintln!("vedetta monitor: retention sweep failed: {e}"),
            Err(_) => {}
        }
        tokio::select! {
            _ = tokio::time::sleep(RETENTION_SWEEP) => {}
            _ = cancel.cancelled() => return,
        }
    }
}
