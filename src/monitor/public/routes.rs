//! Routes. The public listener serves only `GET /` (the page), `GET /feed.atom` and
//! `GET /summary.json`; everything else there is 404. The operators' incident API lives on
//! the monitor's own listener, behind its `api_token`:
//!
//! - `GET /api/incidents`: every incident, drafts too, with its notices
//! - `POST /api/incidents` (`{"components": [...], "text": "...", "title": "...",
//!   "state": "investigating", "publish": true}`) opens one
//! - `POST /api/incidents/{id}/notices` (`{"text": "...", "state": "identified"}`) posts an update
//! - `POST /api/incidents/{id}/resolve` (`{"text": "..."}`, default: the resolved template)
//! - `POST /api/incidents/{id}/publish` makes a draft public

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::incidents::{IncidentState, PublicIncident, Templates};
use super::page::{ComponentRow, Day, PublicPage};
use super::store::NewIncident;
use super::{HISTORY_DAYS, PublicSettings, SHOWN_INCIDENTS};
use crate::monitor::components::{ComponentState, DayTally, history_strip};
use crate::monitor::http::{Shared, bad_request, json_body, read, refusal};

const DAY_MS: i64 = 86_400_000;
/// The longest notice taken (a few paragraphs).
const MAX_NOTICE_CHARS: usize = 4000;
const MAX_TITLE_CHARS: usize = 200;

/// The public listener's routes.
pub fn public_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/feed.atom", get(feed))
        .route("/summary.json", get(summary))
        .with_state(shared)
}

/// The incident API, merged into the monitor's own router.
pub fn api_router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/incidents", get(list).post(open))
        .route("/api/incidents/{id}/notices", post(update))
        .route("/api/incidents/{id}/resolve", post(resolve))
        .route("/api/incidents/{id}/publish", post(publish))
}

/// The components' states now, held journeys in maintenance.
pub fn component_states(shared: &Shared, now_ms: i64) -> Vec<(String, ComponentState)> {
    shared
        .components
        .now(&|journey| shared.maintenance.holding(journey, now_ms).is_some())
}

/// What the public page, the feed and the summary show.
pub async fn gather(shared: &Arc<Shared>, published_only: bool) -> Result<PublicPage, Response> {
    let now_ms = jiff::Timestamp::now().as_millisecond();
    let today = now_ms.div_euclid(DAY_MS);
    let since = (today - HISTORY_DAYS + 1) * DAY_MS;
    let (days, incidents) = read(shared, move |store| {
        Ok((
            store.component_days(since)?,
            store.public_incidents(SHOWN_INCIDENTS, published_only)?,
        ))
    })
    .await?;
    let mut tallies: BTreeMap<String, BTreeMap<i64, DayTally>> = BTreeMap::new();
    for (component, day, runs, failed) in days {
        tallies
            .entry(component)
            .or_default()
            .insert(day, DayTally { runs, failed });
    }
    let empty = BTreeMap::new();
    let components = component_states(shared, now_ms)
        .into_iter()
        .map(|(name, state)| {
            let strip = history_strip(tallies.get(&name).unwrap_or(&empty), today, HISTORY_DAYS);
            let days = strip
                .into_iter()
                .enumerate()
                .map(|(i, tally)| Day {
                    date: date_of(today - HISTORY_DAYS + 1 + i as i64),
                    tally,
                })
                .collect();
            ComponentRow::new(name, state, days)
        })
        .collect();
    let title = shared
        .public
        .as_ref()
        .map(|p| p.title.clone())
        .unwrap_or_else(|| "Service status".into());
    Ok(PublicPage {
        title,
        generated_at: crate::time::rfc3339_ms(now_ms),
        components,
        incidents,
    })
}

fn date_of(day: i64) -> String {
    crate::time::rfc3339_ms(day * DAY_MS)
        .get(..10)
        .unwrap_or_default()
        .to_string()
}

async fn page(State(shared): State<Arc<Shared>>) -> Response {
    match gather(&shared, true).await {
        Ok(p) => Html(super::page::render(&p)).into_response(),
        Err(r) => r,
    }
}

async fn feed(State(shared): State<Arc<Shared>>) -> Response {
    match gather(&shared, true).await {
        Ok(p) => (
            [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
            super::feed::render(&p.title, &p.incidents, &p.generated_at),
        )
            .into_response(),
        Err(r) => r,
    }
}

async fn summary(State(shared): State<Arc<Shared>>) -> Response {
    match gather(&shared, true).await {
        Ok(p) => axum::Json(p).into_response(),
        Err(r) => r,
    }
}

async fn list(State(shared): State<Arc<Shared>>, headers: axum::http::HeaderMap) -> Response {
    if let Some(refused) = refusal(&shared, &headers) {
        return refused;
    }
    match read(&shared, |s| s.public_incidents(SHOWN_INCIDENTS, false)).await {
        Ok(list) => axum::Json(list).into_response(),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenAsked {
    components: Vec<String>,
    text: String,
    title: Option<String>,
    state: Option<String>,
    publish: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeAsked {
    text: Option<String>,
    state: Option<String>,
}

/// Words from an operator: control characters out (line breaks kept), bounded. Escaped where
/// shown, never here.
fn words(s: &str, max: usize) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(max)
        .collect::<String>()
        .trim()
        .to_string()
}

/// The state asked for, or the answer refusing it.
fn state_of(asked: Option<&str>) -> Result<Option<IncidentState>, Box<Response>> {
    match asked {
        None => Ok(None),
        Some(s) => IncidentState::parse(s).map(Some).ok_or_else(|| {
            Box::new(bad_request(format!(
                "unknown state {s:?}: expected investigating, identified, monitoring or resolved"
            )))
        }),
    }
}

fn settings(shared: &Shared) -> PublicSettings {
    shared.public.clone().unwrap_or_else(|| PublicSettings {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        title: "Service status".into(),
        language: Default::default(),
        auto_publish: true,
        templates: Templates::defaults(Default::default()),
    })
}

async fn open(
    State(shared): State<Arc<Shared>>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Some(refused) = refusal(&shared, &headers) {
        return refused;
    }
    let asked: OpenAsked = match json_body(
        &body,
        r#"{"components": [...], "text": "..."} (title, state, publish optional)"#,
    ) {
        Ok(a) => a,
        Err(refused) => return *refused,
    };
    let components: Vec<String> = asked
        .components
        .iter()
        .map(|c| words(c, 80))
        .filter(|c| !c.is_empty())
        .collect();
    if components.is_empty() {
        return bad_request("`components` is empty: name the components customers see");
    }
    let text = words(&asked.text, MAX_NOTICE_CHARS);
    if text.is_empty() {
        return bad_request("`text` is empty: say what customers see");
    }
    let state = match state_of(asked.state.as_deref()) {
        Ok(s) => s.unwrap_or(IncidentState::Investigating),
        Err(r) => return *r,
    };
    let s = settings(&shared);
    let title = match asked.title.as_deref().map(|t| words(t, MAX_TITLE_CHARS)) {
        Some(t) if !t.is_empty() => t,
        _ => Templates::render(&s.templates.title, &components, s.language),
    };
    let new = NewIncident {
        title,
        components,
        state,
        text,
        published: asked.publish.unwrap_or(true),
        automatic: false,
        at_ms: jiff::Timestamp::now().as_millisecond(),
    };
    match read(&shared, move |store| store.open_public_incident(&new)).await {
        Ok(id) => answer_with(&shared, id, StatusCode::CREATED).await,
        Err(r) => r,
    }
}

async fn update(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    notice(shared, id, headers, body, None).await
}

async fn resolve(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    notice(shared, id, headers, body, Some(IncidentState::Resolved)).await
}

async fn notice(
    shared: Arc<Shared>,
    id: i64,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
    forced: Option<IncidentState>,
) -> Response {
    if let Some(refused) = refusal(&shared, &headers) {
        return refused;
    }
    let asked: NoticeAsked = if body.is_empty() {
        NoticeAsked {
            text: None,
            state: None,
        }
    } else {
        match json_body(&body, r#"{"text": "...", "state": "..."}"#) {
            Ok(a) => a,
            Err(refused) => return *refused,
        }
    };
    let asked_state = match state_of(asked.state.as_deref()) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let Some(current) = find(&shared, id).await else {
        return not_found(id);
    };
    let state = forced.or(asked_state).unwrap_or(current.state);
    let s = settings(&shared);
    let text = match asked.text.as_deref().map(|t| words(t, MAX_NOTICE_CHARS)) {
        Some(t) if !t.is_empty() => t,
        _ if state == IncidentState::Resolved => {
            Templates::render(&s.templates.resolved, &current.components, s.language)
        }
        _ => return bad_request("`text` is empty: say what changed"),
    };
    let at = jiff::Timestamp::now().as_millisecond();
    match read(&shared, move |store| {
        store.add_public_notice(id, state, &text, at)
    })
    .await
    {
        Ok(true) => answer_with(&shared, id, StatusCode::OK).await,
        Ok(false) => not_found(id),
        Err(r) => r,
    }
}

async fn publish(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&shared, &headers) {
        return refused;
    }
    match read(&shared, move |store| store.publish_public_incident(id)).await {
        Ok(true) => answer_with(&shared, id, StatusCode::OK).await,
        Ok(false) => not_found(id),
        Err(r) => r,
    }
}

async fn find(shared: &Arc<Shared>, id: i64) -> Option<PublicIncident> {
    read(shared, |s| s.public_incidents(usize::MAX >> 1, false))
        .await
        .ok()?
        .into_iter()
        .find(|i| i.id == id)
}

async fn answer_with(shared: &Arc<Shared>, id: i64, status: StatusCode) -> Response {
    match find(shared, id).await {
        Some(incident) => (status, axum::Json(incident)).into_response(),
        None => not_found(id),
    }
}

fn not_found(id: i64) -> Response {
    (StatusCode::NOT_FOUND, format!("no incident {id}\n")).into_response()
}
