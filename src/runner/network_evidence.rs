//! The attempt's network and timings as the walker keeps them: the browser's events taken in
//! when a step fails and when the attempt ends (never between steps — recording costs the
//! walk nothing), the failed requests around a failed step, the HAR of the attempt, and the
//! timing of each document a step loaded.

use std::collections::HashSet;
use std::time::{Instant, SystemTime};

use super::page::Page;
use crate::journey::model::Variables;
use crate::network::failed::{self, FailedRequest, Window};
use crate::network::har::{HarSource, har};
use crate::network::waterfall::{StepRequest, step_requests};
use crate::network::{DocumentTiming, NetworkLog, PageTiming, Site};

/// Failed answers' bodies read in one attempt at most (each is a round trip to the browser).
const MAX_BODIES: usize = 20;

/// The network of one attempt.
#[derive(Debug, Default)]
pub(crate) struct NetworkRecorder {
    log: NetworkLog,
    /// The browser has given events (it records the network).
    recorded: bool,
    /// Requests whose body was asked for (by index), so that each is asked once.
    bodies_asked: HashSet<usize>,
    /// When the last failed step failed (Unix ms, the browser's clock).
    failed_at_ms: Option<f64>,
    /// When the walk stopped at a failure (Unix ms, the browser's clock): the HAR ends there.
    halted_at_ms: Option<f64>,
    /// `performance.timeOrigin` of the last document seen.
    last_document: Option<f64>,
}

/// What a failed step's requests tell.
#[derive(Debug, Default)]
pub(crate) struct StepNetwork {
    /// The failed ones, most telling first (see [`failed::pick`]).
    pub failed: Vec<FailedRequest>,
    /// All of the step's window, in the order sent: the HTML report's waterfall.
    pub all: Vec<StepRequest>,
}

impl NetworkRecorder {
    /// Takes in what the browser recorded since the last read.
    async fn catch_up<P: Page>(&mut self, page: &P) {
        if let Some(events) = page.network_events().await {
            self.recorded = true;
            for e in &events {
                self.log.feed(e);
            }
        }
    }

    /// Reads the bodies of failed text answers among `indices` while the browser still holds
    /// them (it lets go once the page navigates away).
    async fn read_failed_bodies<P: Page>(&mut self, page: &P, indices: &[usize]) {
        for &i in indices {
            if self.bodies_asked.len() >= MAX_BODIES {
                return;
            }
            let r = &self.log.requests()[i];
            let wanted = r.status().is_some_and(|s| s >= 400) && r.is_text_response();
            if !wanted || !self.bodies_asked.insert(i) {
                continue;
            }
            let id = r.id.clone();
            if let Some(body) = page.response_body(&id).await {
                self.log.set_body(i, body);
            }
        }
    }

    /// The requests around a step that began at `began` and failed now, on `site`; text from
    /// the page masked with `vars`.
    pub(crate) async fn step_failed<P: Page>(
        &mut self,
        page: &P,
        began: Instant,
        site: &Site,
        vars: &Variables,
    ) -> StepNetwork {
        // The requests' times are the browser's clock, which on a grid's node may differ
        // from ours: the step's window is placed on the browser's clock.
        let now = browser_now(page).await;
        let took = began.elapsed().as_secs_f64() * 1000.0;
        self.catch_up(page).await;
        self.failed_at_ms = Some(now);
        let window = Window::of_step(now - took, now);
        let picked = failed::pick(self.log.requests(), window, site);
        self.read_failed_bodies(page, &picked).await;
        let requests = self.log.requests();
        let mask = |s: &str| vars.mask(s);
        StepNetwork {
            failed: picked
                .iter()
                .map(|i| failed::describe(&requests[*i], site, mask))
                .collect(),
            all: step_requests(requests, window, &picked, mask),
        }
    }

    /// Why the browser could not load the document at `url`, as its network log says (the
    /// last request for it, if it failed), once a failed step's requests were read.
    pub(crate) fn document_error(&self, url: &str) -> Option<&str> {
        self.log
            .requests()
            .iter()
            .rev()
            .find(|r| r.resource_type.eq_ignore_ascii_case("document") && r.url == url)?
            .error
            .as_ref()
            .map(|e| e.code.as_str())
    }

    /// The walk stopped at the failure just read: the HAR ends there.
    pub(crate) fn halted(&mut self) {
        if self.halted_at_ms.is_none() {
            self.halted_at_ms = self.failed_at_ms;
        }
    }

    /// The timing of the document showing, when it is not the one seen after the last step
    /// (the step loaded it); `read` when the step's own look read it already.
    pub(crate) async fn new_document_timing<P: Page>(
        &mut self,
        page: &P,
        read: Option<DocumentTiming>,
    ) -> Option<PageTiming> {
        let doc = match read {
            Some(doc) => doc,
            None => page.document_timing().await?,
        };
        if self.last_document == Some(doc.time_origin) {
            return None;
        }
        self.last_document = Some(doc.time_origin);
        Some(doc.timing)
    }

    /// The attempt's HAR (see [`crate::network::har`]), secrets masked with `vars`; `None`
    /// when the browser recorded no network.
    pub(crate) async fn har<P: Page>(&mut self, page: &P, vars: &Variables) -> Option<Vec<u8>> {
        let started = Instant::now();
        self.catch_up(page).await;
        if !self.recorded {
            return None;
        }
        let drained = started.elapsed();
        let all: Vec<usize> = (0..self.log.requests().len()).collect();
        self.read_failed_bodies(page, &all).await;
        let bodies_read = started.elapsed();
        let (browser_name, browser_version, _) = page.describe();
        let source = HarSource {
            creator_version: env!("CARGO_PKG_VERSION"),
            browser_name: &browser_name,
            browser_version: &browser_version,
        };
        let har = har(self.log.requests(), self.halted_at_ms, &source, |s| {
            vars.mask(s)
        });
        let mut bytes = serde_json::to_vec_pretty(&har).ok()?;
        bytes.push(b'\n');
        // Where recording's cost at the attempt's end goes (`-v`).
        tracing::debug!(
            requests = self.log.requests().len(),
            drain_ms = drained.as_millis() as u64,
            bodies_ms = (bodies_read - drained).as_millis() as u64,
            build_ms = (started.elapsed() - bodies_read).as_millis() as u64,
            "network log read and built"
        );
        Some(bytes)
    }
}

/// Unix milliseconds by the browser's clock; ours when the page cannot say.
async fn browser_now<P: Page>(page: &P) -> f64 {
    match page.execute("return Date.now();", vec![]).await {
        Ok(v) if v.as_f64().is_some_and(|t| t > 0.0) => v.as_f64().unwrap_or_default(),
        _ => unix_ms(SystemTime::now()),
    }
}

fn unix_ms(t: SystemTime) -> f64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}
