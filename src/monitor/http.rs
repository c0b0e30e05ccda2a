//! The daemon's HTTP routes (loopback unless configured otherwise):
//!
//! - `GET /` the status page; `GET /healthz`; `GET /metrics` (Prometheus text)
//! - `GET /api/journeys`: every journey, its state, its last run and its open alerts
//! - `GET /api/journeys/{name}/runs?limit=50&before=ID`: runs, newest first
//! - `GET /api/journeys/{name}/incidents?limit=20`
//! - `GET /api/runs/{id}`: one run with its steps
//! - `GET /api/maintenance`: maintenance windows open now and coming;
//!   `POST /api/maintenance` (`{"for": "30m", "journeys": [...], "reason": "..."}`) opens one
//!   from now, `DELETE /api/maintenance/{id}` ends one — both with `Authorization: Bearer
//!   <api_token>`, refused when the config sets no `api_token`
//! - `GET /runs/{id}/screenshot`, `GET /runs/{id}/steps/{index}/screenshot`: evidence PNGs.
//!   The file is the one the history recorded for that run — its annotated copy (header strip,
//!   red box) when the runner wrote one beside it — and is served only when it lies inside the
//!   evidence folder: no path ever comes from the request.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};

use super::maintenance::{MaintenanceBook, Window};
use super::metrics::Metrics;
use super::state::{JourneyInfo, JourneyState, Live, States};
use super::status_page::{JourneyPage, PageData, STRIP_RUNS, TIMELINE_INCIDENTS};
use super::store::{Incident, IncidentKind, RunRow, Store, StoreError};
use crate::evidence::annotate::annotated_path;

const MAX_LIMIT: usize = 500;

/// What the routes read: the history, the journeys, their states and the metrics. The daemon
/// writes the states and the metrics after every run.
pub struct Shared {
    pub store: Store,
    /// Taken before `states` when both are (as `/metrics` does, to show the counters and the
    /// states of the same moment).
    pub metrics: Mutex<Metrics>,
    pub journeys: Vec<JourneyInfo>,
    pub states: States,
    /// `http://127.0.0.1:9090` or the configured public URL, without a trailing `/`.
    pub base_url: String,
    pub started_at_ms: i64,
    /// The maintenance windows: the config's and the ad hoc ones.
    pub maintenance: MaintenanceBook,
    /// The write API's bearer token (`api_token:`); `None`: writes are refused.
    pub api_token: Option<String>,
    /// The locations journeys run from (`locations:`), in config order.
    pub locations: Vec<String>,
    /// `public:`: the public status page's settings; `None`: no public page.
    pub public: Option<super::public::PublicSettings>,
    /// Each journey's word on its components (`component:`), for both status pages.
    pub components: super::public::book::ComponentBook,
}

impl Shared {
    pub fn lock_metrics(&self) -> MutexGuard<'_, Metrics> {
        self.metrics.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The `/metrics` exposition.
    pub fn metrics_text(&self) -> String {
        let now = jiff::Timestamp::now().as_millisecond();
        let held: std::collections::BTreeSet<String> = self
            .journeys
            .iter()
            .filter(|j| self.maintenance.holding(&j.name, now).is_some())
            .map(|j| j.name.clone())
            .collect();
        let metrics = self.lock_metrics();
        metrics.render_with(&self.states.health(), &held)
    }

    /// A journey's state now: maintenance while a window holds it, else as its runs say.
    pub fn state_of(&self, name: &str, now_ms: i64) -> (JourneyState, Option<Window>) {
        match self.maintenance.holding(name, now_ms) {
            Some(window) => (JourneyState::Maintenance, Some(window)),
            None => (self.states.get(name).state(), None),
        }
    }
}

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(status_page))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics))
        .route("/api/journeys", get(journeys))
        .route("/api/journeys/{name}/runs", get(runs))
        .route("/api/journeys/{name}/incidents", get(incidents))
        .route("/api/runs/{id}", get(run))
        .route(
            "/api/maintenance",
            get(maintenance_list).post(maintenance_start),
        )
        .route(
            "/api/maintenance/{id}",
            axum::routing::delete(maintenance_end),
        )
        .route("/runs/{id}/screenshot", get(failure_screenshot))
        .route("/runs/{id}/steps/{index}/screenshot", get(step_screenshot))
        .merge(super::public::routes::api_router())
        .with_state(shared)
}

fn internal(e: impl std::fmt::Display) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response()
}

/// Runs a store read on a blocking thread.
pub(crate) async fn read<T: Send + 'static>(
    shared: &Arc<Shared>,
    f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Response> {
    let store = shared.store.clone();
    match tokio::task::spawn_blocking(move || f(&store)).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(internal(e)),
        Err(e) => Err(internal(e)),
    }
}

async fn status_page(State(shared): State<Arc<Shared>>) -> Response {
    match gather(&shared).await {
        Ok(page) => Html(super::status_page::render(&page)).into_response(),
        Err(r) => r,
    }
}

/// What the status page shows: each journey's state and what it is doing, its recent runs and
/// its incidents with their symptoms.
async fn gather(shared: &Arc<Shared>) -> Result<PageData, Response> {
    let mut journeys = Vec::new();
    for info in shared.journeys.clone() {
        let name = info.name.clone();
        let (runs, incidents) = read(shared, move |store| {
            let runs = store.runs(&name, STRIP_RUNS, None)?;
            let mut incidents = Vec::new();
            for incident in store.incidents(&name, TIMELINE_INCIDENTS)? {
                let symptoms = if incident.kind == IncidentKind::Down {
                    store.symptoms(&name, incident.since_ms, incident.closed_at_ms)?
                } else {
                    Vec::new()
                };
                incidents.push((incident, symptoms));
            }
            Ok((runs, incidents))
        })
        .await?;
        let now = shared.states.get(&info.name);
        let (state, maintenance) =
            shared.state_of(&info.name, jiff::Timestamp::now().as_millisecond());
        let locations = shared.seen_from(&info.name);
        journeys.push(JourneyPage {
            info,
            state,
            live: now.live,
            runs,
            incidents,
            maintenance,
            locations,
        });
    }
    let now_ms = jiff::Timestamp::now().as_millisecond();
    let public_incidents = read(shared, |s| {
        s.public_incidents(super::public::SHOWN_INCIDENTS, false)
    })
    .await?;
    Ok(PageData {
        now_ms,
        journeys,
        components: super::public::routes::component_states(shared, now_ms),
        public_incidents,
    })
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    let text = shared.metrics_text();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

#[derive(Serialize)]
struct JourneyView {
    #[serde(flatten)]
    info: JourneyInfo,
    state: JourneyState,
    #[serde(flatten)]
    live: Live,
    last_run: Option<RunRow>,
    open_incidents: Vec<Incident>,
    /// The maintenance window holding it now.
    #[serde(skip_serializing_if = "Option::is_none")]
    maintenance: Option<WindowView>,
    /// With several locations: what each sees (`{"name": "milan", "state": "down"}`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<LocationView>,
}

/// What one location sees of a journey, as the API shows it.
#[derive(Serialize)]
struct LocationView {
    name: String,
    state: &'static str,
}

impl Shared {
    /// What each location sees of `journey`, in config order; empty with one location.
    pub fn seen_from(&self, journey: &str) -> Vec<(String, super::locations::Seen)> {
        if self.locations.len() < 2 {
            return Vec::new();
        }
        let metrics = self.lock_metrics();
        self.locations
            .iter()
            .map(|l| {
                let seen = metrics.seen.get(&(journey.to_string(), l.clone())).copied();
                (l.clone(), seen.unwrap_or(super::locations::Seen::Pending))
            })
            .collect()
    }
}

/// A maintenance window as the API shows it.
#[derive(Serialize)]
pub struct WindowView {
    pub id: String,
    pub starts_at: String,
    pub ends_at: String,
    /// `null`: every journey.
    pub journeys: Option<Vec<String>>,
    pub reason: Option<String>,
}

impl From<Window> for WindowView {
    fn from(w: Window) -> WindowView {
        WindowView {
            id: w.id,
            starts_at: crate::time::rfc3339_ms(w.starts_at_ms),
            ends_at: crate::time::rfc3339_ms(w.ends_at_ms),
            journeys: w.journeys,
            reason: w.reason,
        }
    }
}

/// The longest ad hoc window: a forgotten one must not silence alerts for ever.
pub const MAX_AD_HOC_WINDOW: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

async fn maintenance_list(State(shared): State<Arc<Shared>>) -> Response {
    let now = jiff::Timestamp::now().as_millisecond();
    let windows: Vec<WindowView> = shared
        .maintenance
        .listed(now)
        .into_iter()
        .map(WindowView::from)
        .collect();
    axum::Json(windows).into_response()
}

/// `Authorization: Bearer <api_token>`, compared in constant time: `None` when it is right,
/// else the answer to give.
pub(crate) fn refusal(shared: &Shared, headers: &axum::http::HeaderMap) -> Option<Response> {
    let Some(token) = &shared.api_token else {
        return Some(
            (
                StatusCode::FORBIDDEN,
                "the write API is off: set `api_token:` in the monitor's config\n",
            )
                .into_response(),
        );
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if crate::inbox::constant_time_eq(given.trim().as_bytes(), token.as_bytes()) {
        None
    } else {
        Some(
            (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "a valid bearer token is required\n",
            )
                .into_response(),
        )
    }
}

pub(crate) fn bad_request(message: impl std::fmt::Display) -> Response {
    (StatusCode::BAD_REQUEST, format!("{message}\n")).into_response()
}

/// A request's JSON body as `T`, or a 400 saying what was `expected` and what was wrong.
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(
    body: &[u8],
    expected: &str,
) -> Result<T, Box<Response>> {
    serde_json::from_slice(body)
        .map_err(|e| Box::new(bad_request(format!("expected {expected}: {e}"))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewWindow {
    /// A duration: `30m`, `2h`.
    #[serde(rename = "for")]
    duration: String,
    journeys: Option<Vec<String>>,
    reason: Option<String>,
}

async fn maintenance_start(
    State(shared): State<Arc<Shared>>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Some(refused) = refusal(&shared, &headers) {
        return refused;
    }
    let asked: NewWindow = match json_body(
        &body,
        r#"{"for": "30m", "journeys": [...], "reason": "..."}"#,
    ) {
        Ok(a) => a,
        Err(refused) => return *refused,
    };
    let duration = match crate::journey::parse_duration(&asked.duration) {
        Some(d) if !d.is_zero() && d <= MAX_AD_HOC_WINDOW => d,
        _ => {
            return bad_request(format!(
                "invalid `for` {:?}: a duration above 0 and at most 7 days, like 30m or 2h",
                asked.duration
            ));
        }
    };
    if let Some(names) = &asked.journeys {
        if names.is_empty() {
            return bad_request("`journeys` is empty: leave it out for every journey");
        }
        if let Some(unknown) = names.iter().find(|n| !known(&shared, n)) {
            return bad_request(format!("no journey named {unknown:?}"));
        }
    }
    let reason = asked.reason.map(|r| {
        r.chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect::<String>()
    });
    let now = jiff::Timestamp::now().as_millisecond();
    let ends = now.saturating_add(duration.as_millis() as i64);
    let journeys = asked.journeys.clone();
    let added = read(&shared, move |s| {
        s.add_window(journeys.as_deref(), now, ends, reason.as_deref())
    })
    .await;
    match added {
        Ok(window) => {
            shared.maintenance.put(window.clone());
            println!(
                "vedetta monitor: maintenance {} started for {} until {}",
                window.id,
                window
                    .journeys
                    .as_ref()
                    .map_or("every journey".to_string(), |j| j.join(", ")),
                crate::time::rfc3339_ms(window.ends_at_ms)
            );
            (StatusCode::CREATED, axum::Json(WindowView::from(window))).into_response()
        }
        Err(r) => r,
    }
}

async fn maintenance_end(
    State(shared): State<Arc<Shared>>,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(refused) = refusal(&shared, &headers) {
        return refused;
    }
    if id.starts_with("scheduled-") {
        return (
            StatusCode::CONFLICT,
            "a scheduled window is the config's: change `maintenance:` there\n",
        )
            .into_response();
    }
    let Ok(number) = id.parse::<i64>() else {
        return not_found("maintenance window");
    };
    let now = jiff::Timestamp::now().as_millisecond();
    match read(&shared, move |s| s.end_window(number, now)).await {
        Ok(Some(window)) => {
            shared.maintenance.put(window.clone());
            println!("vedetta monitor: maintenance {} ended", window.id);
            axum::Json(WindowView::from(window)).into_response()
        }
        Ok(None) => not_found("maintenance window"),
        Err(r) => r,
    }
}

async fn journeys(State(shared): State<Arc<Shared>>) -> Response {
    let mut out = Vec::new();
    for info in shared.journeys.clone() {
        let name = info.name.clone();
        let found = read(&shared, move |s| {
            Ok((s.runs(&name, 1, None)?, s.incidents(&name, 5)?))
        })
        .await;
        let (last, incidents) = match found {
            Ok(v) => v,
            Err(r) => return r,
        };
        let now = shared.states.get(&info.name);
        let (state, maintenance) =
            shared.state_of(&info.name, jiff::Timestamp::now().as_millisecond());
        let locations = shared
            .seen_from(&info.name)
            .into_iter()
            .map(|(name, seen)| LocationView {
                name,
                state: seen.as_str(),
            })
            .collect();
        out.push(JourneyView {
            locations,
            state,
            maintenance: maintenance.map(WindowView::from),
            live: now.live,
            last_run: last.into_iter().next(),
            open_incidents: incidents
                .into_iter()
                .filter(|i| i.closed_at_ms.is_none())
                .collect(),
            info,
        });
    }
    axum::Json(out).into_response()
}

#[derive(Deserialize)]
struct Page {
    limit: Option<usize>,
    before: Option<i64>,
}

fn known(shared: &Shared, name: &str) -> bool {
    shared.journeys.iter().any(|j| j.name == name)
}

fn not_found(what: &str) -> Response {
    (StatusCode::NOT_FOUND, format!("no such {what}\n")).into_response()
}

async fn runs(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    Query(page): Query<Page>,
) -> Response {
    if !known(&shared, &name) {
        return not_found("journey");
    }
    let limit = page.limit.unwrap_or(50).clamp(1, MAX_LIMIT);
    match read(&shared, move |s| s.runs(&name, limit, page.before)).await {
        Ok(runs) => axum::Json(runs).into_response(),
        Err(r) => r,
    }
}

async fn incidents(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    Query(page): Query<Page>,
) -> Response {
    if !known(&shared, &name) {
        return not_found("journey");
    }
    let limit = page.limit.unwrap_or(20).clamp(1, MAX_LIMIT);
    match read(&shared, move |s| s.incidents(&name, limit)).await {
        Ok(v) => axum::Json(v).into_response(),
        Err(r) => r,
    }
}

async fn run(State(shared): State<Arc<Shared>>, Path(id): Path<i64>) -> Response {
    match read(&shared, move |s| s.run(id)).await {
        Ok(Some(run)) => axum::Json(run).into_response(),
        Ok(None) => not_found("run"),
        Err(r) => r,
    }
}

async fn failure_screenshot(State(shared): State<Arc<Shared>>, Path(id): Path<i64>) -> Response {
    let recorded = read(&shared, move |s| {
        Ok(s.run(id)?
            .and_then(|r| r.failure.and_then(|f| f.screenshot)))
    })
    .await;
    serve_png(&shared, recorded).await
}

async fn step_screenshot(
    State(shared): State<Arc<Shared>>,
    Path((id, index)): Path<(i64, usize)>,
) -> Response {
    let recorded = read(&shared, move |s| {
        Ok(s.run(id)?.and_then(|r| r.steps).and_then(|steps| {
            steps
                .into_iter()
                .find(|st| st.index == index)
                .and_then(|st| st.screenshot)
        }))
    })
    .await;
    serve_png(&shared, recorded).await
}

/// The file to serve for a recorded screenshot: the annotated copy beside it when there is
/// one (what people need during an incident: when, where, why, and the red box), else the raw
/// capture. Either only from inside the evidence folder.
pub(super) fn evidence_png(store: &Store, recorded: &str) -> Option<std::path::PathBuf> {
    let annotated = annotated_path(std::path::Path::new(recorded));
    annotated
        .to_str()
        .and_then(|a| store.evidence_file(a))
        .or_else(|| store.evidence_file(recorded))
}

async fn serve_png(shared: &Arc<Shared>, recorded: Result<Option<String>, Response>) -> Response {
    let recorded = match recorded {
        Ok(Some(p)) => p,
        Ok(None) => return not_found("screenshot"),
        Err(r) => return r,
    };
    let Some(path) = evidence_png(&shared.store, &recorded) else {
        return not_found("screenshot");
    };
    if path.extension().and_then(|e| e.to_str()) != Some("png") {
        return not_found("screenshot");
    }
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "private, max-age=86400"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => not_found("screenshot"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_annotated_copy_is_served_when_there_is_one_else_the_raw_capture() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let run = store.evidence_root().join("j/20260101T000000-000/j");
        std::fs::create_dir_all(&run).unwrap();
        let raw = run.join("02-log-in.png");
        std::fs::write(&raw, b"raw").unwrap();
        let recorded = raw.to_str().unwrap();
        assert_eq!(
            evidence_png(&store, recorded),
            Some(std::fs::canonicalize(&raw).unwrap()),
            "no annotated copy: the raw capture"
        );
        let annotated = run.join("02-log-in.annotated.png");
        std::fs::write(&annotated, b"annotated").unwrap();
        assert_eq!(
            evidence_png(&store, recorded),
            Some(std::fs::canonicalize(&annotated).unwrap())
        );
        // Neither is served from outside the evidence folder.
        let outside = dir.path().join("x.png");
        std::fs::write(&outside, b"x").unwrap();
        std::fs::write(dir.path().join("x.annotated.png"), b"x").unwrap();
        assert_eq!(evidence_png(&store, outside.to_str().unwrap()), None);
    }
}
