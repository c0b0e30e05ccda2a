//! A run: journeys walked `jobs` at a time, a warm browser each (a fresh context per attempt),
//! results in input order.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Semaphore;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::event::Event;
use super::journey::run_with_retries;
use super::options::RunOptions;
use super::page::Browser;
use super::result::{JourneyResult, JourneyStatus, RunReport};
use crate::browser::{BrowserPool, Isolation};
use crate::journey::model::Journey;
use crate::time::now_rfc3339;

/// Walks every journey and returns their results in input order, sending events as it goes.
/// Never fails and never panics on the site's behaviour: a failure is data in the report.
/// When `cancel` fires, the steps in flight stop, the rest are skipped ("run interrupted"), and
/// every browser is closed before this returns. `interrupted` is left for the caller to set
/// (it knows which signal it was).
pub async fn run(
    journeys: Vec<Journey>,
    opts: RunOptions,
    events: UnboundedSender<Event>,
    cancel: CancellationToken,
) -> RunReport {
    match (&opts.browsers, opts.browser.isolation) {
        (Some(pool), _) => {
            expect(pool, &journeys);
            let pool = Arc::new(pool.clone());
            run_in(journeys, opts, pool, events, cancel).await
        }
        (None, Isolation::Context) => {
            let pool = BrowserPool::new(opts.browser.clone());
            expect(&pool, &journeys);
            let report = run_in(journeys, opts, Arc::new(pool.clone()), events, cancel).await;
            // No warm browser outlives the run.
            pool.shutdown().await;
            report
        }
        (None, Isolation::Session) => {
            let browser = Arc::new(opts.browser.clone());
            run_in(journeys, opts, browser, events, cancel).await
        }
    }
}

/// Announces `journeys` to `pool`, each with its configuration: a browser makes a next
/// journey's context ahead only when one is to come in a browser like it.
fn expect(pool: &BrowserPool, journeys: &[Journey]) {
    let configs: Vec<_> = journeys
        .iter()
        .map(|j| pool.config().for_journey(j))
        .collect();
    pool.expect(&configs);
}

/// [`run`] with each attempt's page from `browser`.
async fn run_in<B: Browser + Send + 'static>(
    journeys: Vec<Journey>,
    opts: RunOptions,
    browser: Arc<B>,
    events: UnboundedSender<Event>,
    cancel: CancellationToken,
) -> RunReport {
    let started_at = now_rfc3339();
    let started = Instant::now();
    let opts = Arc::new(opts);
    let slots = Arc::new(Semaphore::new(opts.jobs.max(1)));
    let mut tasks = Vec::with_capacity(journeys.len());
    for journey in journeys {
        // A slot is taken here, before the journey's task exists, so that journeys start in
        // the order given (spawned tasks would race for the slots). The semaphore is never
        // closed, so acquiring cannot fail.
        let slot = slots.clone().acquire_owned().await.ok();
        let (opts, events, cancel, browser) = (
            opts.clone(),
            events.clone(),
            cancel.clone(),
            browser.clone(),
        );
        let fallback = (
            journey.name.clone(),
            journey.title.clone(),
            journey.file.display().to_string(),
        );
        let task = tokio::spawn(async move {
            let _slot = slot;
            let span = tracing::info_span!("journey", journey = %journey.name);
            run_with_retries(&journey, &*browser, &opts, &events, &cancel)
                .instrument(span)
                .await
        });
        tasks.push((task, fallback));
    }
    let mut results = Vec::with_capacity(tasks.len());
    for (task, (name, title, file)) in tasks {
        results.push(match task.await {
            Ok(r) => r,
            // A bug in vedetta, not the site: say so rather than lose the journey.
            Err(e) => {
                let result = JourneyResult {
                    name,
                    title,
                    file,
                    status: JourneyStatus::Error,
                    attempts: 1,
                    started_at: started_at.clone(),
                    duration_ms: 0,
                    steps: Vec::new(),
                    error: Some(format!("internal error: the journey's task failed ({e})")),
                    previous_attempts: Vec::new(),
                    degraded: false,
                    slow: Vec::new(),
                    browser_start_ms: 0,
                    device: None,
                };
                let _ = events.send(Event::JourneyFinished {
                    result: result.clone(),
                });
                result
            }
        });
    }
    RunReport {
        vedetta_version: env!("CARGO_PKG_VERSION").to_string(),
        started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        interrupted: None,
        journeys: results,
    }
}
