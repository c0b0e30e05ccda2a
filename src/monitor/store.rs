//! The monitor's history in SQLite (WAL): every finished run with its steps and evidence
//! folder, and every alert (incident) with when it opened and closed.
//!
//! A run is written in one transaction when it has finished, together with the alert
//! transitions it caused and the alerts to announce them (the outbox), so a crash or `kill -9`
//! at any moment leaves either the whole run or nothing of it — the alert state that a restart
//! reads back always matches the runs, and an alert whose delivery a crash cut short is still
//! in the outbox, to go out at the next start.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::alert::{Observation, OpenAlert, Outcome, Transition};
use super::maintenance::Window;
use super::notify::Alert;
use crate::runner::result::SlowStep;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("history database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("history database: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// How a run ended. `Cancelled`: cut short by the daemon's shutdown, says nothing of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Passed,
    Failed,
    Flaky,
    Error,
    Cancelled,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Passed => "passed",
            RunStatus::Failed => "failed",
            RunStatus::Flaky => "flaky",
            RunStatus::Error => "error",
            RunStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> RunStatus {
        match s {
            "passed" => RunStatus::Passed,
            "failed" => RunStatus::Failed,
            "flaky" => RunStatus::Flaky,
            "cancelled" => RunStatus::Cancelled,
            _ => RunStatus::Error,
        }
    }

    /// What the alert rules see of a run with this status (`degraded`: it crossed a `slow:`
    /// threshold); `None` for a cancelled run.
    pub fn outcome_of(self, degraded: bool) -> Option<Outcome> {
        match self.outcome() {
            Some(Outcome::Passed | Outcome::Flaky) if degraded => Some(Outcome::Degraded),
            other => other,
        }
    }

    /// What the alert rules see; `None` for a cancelled run.
    pub fn outcome(self) -> Option<Outcome> {
        match self {
            RunStatus::Passed => Some(Outcome::Passed),
            RunStatus::Failed => Some(Outcome::Failed),
            RunStatus::Flaky => Some(Outcome::Flaky),
            RunStatus::Error => Some(Outcome::Error),
            RunStatus::Cancelled => None,
        }
    }
}

/// A step as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    pub index: usize,
    pub name: String,
    pub action: String,
    pub status: String,
    pub duration_ms: u64,
    pub category: Option<String>,
    pub message: Option<String>,
    pub screenshot: Option<String>,
    /// The customer-facing part the step belongs to (`component:`, resolved).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
}

/// A finished run as recorded (before it has an id).
#[derive(Debug, Clone, Serialize)]
pub struct NewRun {
    pub journey: String,
    /// Where it ran from (`locations:`; `local` without them).
    pub location: String,
    /// The run's evidence folder, relative to the data folder's `evidence/`.
    pub evidence_key: String,
    pub started_at_ms: i64,
    pub finished_at_ms: i64,
    pub duration_ms: u64,
    pub status: RunStatus,
    pub attempts: u32,
    /// Why the harness could not run it (status `error`).
    pub error: Option<String>,
    /// The failed step, when one failed.
    pub failure: Option<FailureRecord>,
    pub steps: Vec<StepRecord>,
    /// The run's sealed evidence folder, whatever its status: a failure's, or a passing run's
    /// kept screenshots (absolute path, inside the data folder's `evidence/<evidence_key>`).
    pub evidence: Option<String>,
    /// It passed but crossed a `slow:` threshold.
    pub degraded: bool,
    /// What was slow (the runner's list).
    pub slow: Vec<SlowStep>,
    /// It ran during a maintenance window: recorded, never alerted on.
    pub maintenance: bool,
}

impl NewRun {
    /// What the alert rules see of it; `None` for a cancelled run.
    pub fn outcome(&self) -> Option<Outcome> {
        self.status.outcome_of(self.degraded)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FailureRecord {
    pub step_index: usize,
    pub step_name: String,
    pub category: String,
    pub message: String,
    pub url: Option<String>,
    pub screenshot: Option<String>,
    pub evidence: Option<String>,
}

/// A run read back.
#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    pub id: i64,
    pub journey: String,
    pub started_at: String,
    pub started_at_ms: i64,
    pub finished_at_ms: i64,
    pub duration_ms: u64,
    pub status: RunStatus,
    pub attempts: u32,
    pub error: Option<String>,
    pub failure: Option<FailureRecord>,
    /// The run's sealed evidence folder, when it left one (a passing run too).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<StepRecord>>,
    /// It passed but crossed a `slow:` threshold.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub degraded: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub slow: Vec<SlowStep>,
    /// It ran during a maintenance window.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub maintenance: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    /// The site failed its customers.
    Down,
    /// The monitor could not run the journey.
    Blind,
    /// The site works, but slowly.
    Degraded,
}

impl IncidentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentKind::Down => "down",
            IncidentKind::Blind => "blind",
            IncidentKind::Degraded => "degraded",
        }
    }

    fn parse(s: &str) -> IncidentKind {
        match s {
            "blind" => IncidentKind::Blind,
            "degraded" => IncidentKind::Degraded,
            _ => IncidentKind::Down,
        }
    }
}

/// An alert that opened (and maybe closed).
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    pub id: i64,
    pub journey: String,
    pub kind: IncidentKind,
    /// The first failure (or error) it counts.
    pub since_ms: i64,
    pub since: String,
    pub opened_run: i64,
    pub closed_at_ms: Option<i64>,
    pub closed_run: Option<i64>,
    /// The failure of the run that opened it (down) or its error (blind).
    pub step_index: Option<usize>,
    pub step_name: Option<String>,
    pub category: Option<String>,
    pub message: Option<String>,
}

/// A way a journey failed during an incident.
#[derive(Debug, Clone, Serialize)]
pub struct Symptom {
    pub step_index: usize,
    pub step_name: String,
    pub category: String,
    /// Failed runs showing it.
    pub runs: u64,
    /// The latest of them (for its screenshot).
    pub last_run: i64,
}

/// What a recorded run changed, with the ids the alerts need for their links.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub run_id: i64,
    /// The alerts it queued in the outbox, to deliver and then mark sent.
    pub queued: Vec<Queued>,
}

/// An alert in the outbox: written with its run, marked sent once its delivery was tried.
#[derive(Debug, Clone)]
pub struct Queued {
    pub id: i64,
    pub alert: Alert,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    journey TEXT NOT NULL,
    evidence_key TEXT NOT NULL,
    started_at_ms INTEGER NOT NULL,
    finished_at_ms INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    error TEXT,
    failed_step_index INTEGER,
    failed_step_name TEXT,
    category TEXT,
    message TEXT,
    url TEXT,
    screenshot TEXT,
    evidence TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_journey ON runs (journey, id);
CREATE INDEX IF NOT EXISTS runs_by_finish ON runs (finished_at_ms);
CREATE TABLE IF NOT EXISTS steps (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    name TEXT NOT NULL,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    category TEXT,
    message TEXT,
    screenshot TEXT
);
CREATE INDEX IF NOT EXISTS steps_by_run ON steps (run_id);
CREATE TABLE IF NOT EXISTS incidents (
    id INTEGER PRIMARY KEY,
    journey TEXT NOT NULL,
    kind TEXT NOT NULL,
    since_ms INTEGER NOT NULL,
    opened_run INTEGER NOT NULL,
    closed_at_ms INTEGER,
    closed_run INTEGER,
    step_index INTEGER,
    step_name TEXT,
    category TEXT,
    message TEXT
);
CREATE INDEX IF NOT EXISTS incidents_by_journey ON incidents (journey, id);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    alert TEXT NOT NULL,
    sent_at_ms INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_by_run ON outbox (run_id);
CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (id) WHERE sent_at_ms IS NULL;
CREATE TABLE IF NOT EXISTS maintenance (
    id INTEGER PRIMARY KEY,
    journeys TEXT,
    starts_at_ms INTEGER NOT NULL,
    ends_at_ms INTEGER NOT NULL,
    reason TEXT,
    created_at_ms INTEGER NOT NULL
);
";

/// Columns added to `runs` after its first release: a history written by an older vedetta
/// gains them (with their defaults) when opened.
const ADDED_RUN_COLUMNS: &[(&str, &str)] = &[
    ("degraded", "INTEGER NOT NULL DEFAULT 0"),
    ("slow", "TEXT"),
    ("maintenance", "INTEGER NOT NULL DEFAULT 0"),
    // Runs recorded before `locations:` ran from the monitor's own browser.
    ("location", "TEXT NOT NULL DEFAULT 'local'"),
];

/// Columns added to `steps` after its first release (see [`ADDED_RUN_COLUMNS`]).
const ADDED_STEP_COLUMNS: &[(&str, &str)] = &[("component", "TEXT")];

/// Adds the columns of [`ADDED_RUN_COLUMNS`] and [`ADDED_STEP_COLUMNS`] their tables lack.
fn add_missing_columns(conn: &Connection) -> rusqlite::Result<()> {
    for (table, added) in [("runs", ADDED_RUN_COLUMNS), ("steps", ADDED_STEP_COLUMNS)] {
        let existing: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for (name, decl) in added {
            if !existing.iter().any(|c| c == name) {
                conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {name} {decl}"))?;
            }
        }
    }
    Ok(())
}

/// The history. Cheap to clone; one connection behind a mutex (a monitor writes a run every
/// few seconds at most; reads are small), used from blocking threads.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    evidence_root: PathBuf,
}

/// Rows of `status, started_at_ms, degraded`, newest first, as the alert rules' observations,
/// oldest first (a cancelled run is none).
fn observations(mut rows: rusqlite::Rows<'_>) -> Result<Vec<Observation>, StoreError> {
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let (status, at_ms, degraded): (String, i64, bool) = (r.get(0)?, r.get(1)?, r.get(2)?);
        if let Some(outcome) = RunStatus::parse(&status).outcome_of(degraded) {
            out.push(Observation { outcome, at_ms });
        }
    }
    out.reverse();
    Ok(out)
}

impl Store {
    /// Opens (creating) `data_dir/history.sqlite3` and `data_dir/evidence/`.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        let evidence_root = data_dir.join("evidence");
        std::fs::create_dir_all(&evidence_root).map_err(|source| StoreError::DataDir {
            path: evidence_root.clone(),
            source,
        })?;
        let path = data_dir.join("history.sqlite3");
        let open_err = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let conn = Connection::open(&path).map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        // NORMAL under WAL: a power cut may lose the last commits, never corrupt; kill -9 of the
        // daemon loses nothing committed.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        // SQLite's page cache, 2 MiB by default, fills with every page the history adds and
        // holds them: the daemon's live heap grew ~30 KiB a minute, as a leak would, and would
        // for about an hour until the cache was full (BENCHMARKS.md, the monitor soak). 256 KiB holds the pages the monitor reads again
        // (the recent runs, the indexes); older ones come from the OS's file cache.
        conn.pragma_update(None, "cache_size", -256)
            .map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_err)?;
        conn.execute_batch(SCHEMA).map_err(open_err)?;
        add_missing_columns(&conn).map_err(open_err)?;
        conn.execute_batch(super::public::store::SCHEMA)
            .map_err(open_err)?;
        let evidence_root = std::fs::canonicalize(&evidence_root).unwrap_or(evidence_root);
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
            evidence_root,
        })
    }

    pub fn evidence_root(&self) -> &Path {
        &self.evidence_root
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half transaction (it rolls back on
        // drop); the connection is still good.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes a finished run, its steps and the alert transitions it caused, in one
    /// transaction.
    pub fn record(&self, run: &NewRun, transitions: &[Transition]) -> Result<Recorded, StoreError> {
        self.record_with_alerts(run, transitions, |_| Vec::new())
    }

    /// [`Store::record`], and in the same transaction the alerts that announce the transitions
    /// (`alerts` is given the new run's id, for their links) into the outbox.
    pub fn record_with_alerts(
        &self,
        run: &NewRun,
        transitions: &[Transition],
        alerts: impl FnOnce(i64) -> Vec<Alert>,
    ) -> Result<Recorded, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let f = run.failure.as_ref();
        tx.execute(
            "INSERT INTO runs (journey, evidence_key, started_at_ms, finished_at_ms, duration_ms, status,
                attempts, error, failed_step_index, failed_step_name, category, message, url, screenshot, evidence,
                degraded, slow, maintenance, location)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            params![
                run.journey,
                run.evidence_key,
                run.started_at_ms,
                run.finished_at_ms,
                run.duration_ms as i64,
                run.status.as_str(),
                run.attempts,
                run.error,
                f.map(|f| f.step_index as i64),
                f.map(|f| &f.step_name),
                f.map(|f| &f.category),
                f.map(|f| &f.message),
                f.and_then(|f| f.url.as_ref()),
                f.and_then(|f| f.screenshot.as_ref()),
                f.and_then(|f| f.evidence.as_ref()).or(run.evidence.as_ref()),
                run.degraded,
                (!run.slow.is_empty()).then(|| serde_json::to_string(&run.slow).unwrap_or_default()),
                run.maintenance,
                if run.location.is_empty() { super::locations::LOCAL } else { run.location.as_str() },
            ],
        )?;
        let run_id = tx.last_insert_rowid();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO steps (run_id, idx, name, action, status, duration_ms, category, message, screenshot, component)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for s in &run.steps {
                insert.execute(params![
                    run_id,
                    s.index as i64,
                    s.name,
                    s.action,
                    s.status,
                    s.duration_ms as i64,
                    s.category,
                    s.message,
                    s.screenshot,
                    s.component,
                ])?;
            }
        }
        let close = |kind: &str, at_ms: i64| {
            tx.execute(
                "UPDATE incidents SET closed_at_ms = ?1, closed_run = ?2
                 WHERE journey = ?3 AND kind = ?4 AND closed_at_ms IS NULL",
                params![at_ms, run_id, run.journey, kind],
            )
        };
        let open_down = |since_ms: i64| {
            tx.execute(
                "INSERT INTO incidents (journey, kind, since_ms, opened_run, step_index, step_name, category, message)
                 VALUES (?1, 'down', ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    run.journey,
                    since_ms,
                    run_id,
                    f.map(|f| f.step_index as i64),
                    f.map(|f| &f.step_name),
                    f.map(|f| &f.category),
                    f.map(|f| &f.message),
                ],
            )
        };
        // A degraded incident names the slowest part: the first slow step, else the journey.
        let open_degraded = |since_ms: i64| {
            let slow = run.slow.first();
            tx.execute(
                "INSERT INTO incidents (journey, kind, since_ms, opened_run, step_index, step_name, category, message)
                 VALUES (?1, 'degraded', ?2, ?3, ?4, ?5, 'slow', ?6)",
                params![
                    run.journey,
                    since_ms,
                    run_id,
                    slow.map(|s| s.index as i64),
                    slow.map(|s| &s.name),
                    slow.map(super::notify::slow_summary),
                ],
            )
        };
        for t in transitions {
            match *t {
                Transition::Down { since_ms } => {
                    open_down(since_ms)?;
                }
                Transition::DegradedToDown { since_ms, .. } => {
                    close("degraded", run.started_at_ms)?;
                    open_down(since_ms)?;
                }
                Transition::Degraded { since_ms } => {
                    open_degraded(since_ms)?;
                }
                Transition::DownToDegraded { at_ms, .. } => {
                    close("down", at_ms)?;
                    open_degraded(at_ms)?;
                }
                Transition::DegradedRecovered { at_ms, .. } => {
                    close("degraded", at_ms)?;
                }
                Transition::Blind { since_ms } => {
                    tx.execute(
                        "INSERT INTO incidents (journey, kind, since_ms, opened_run, message)
                         VALUES (?1, 'blind', ?2, ?3, ?4)",
                        params![run.journey, since_ms, run_id, run.error],
                    )?;
                }
                Transition::Recovered { at_ms, .. } => {
                    close("down", at_ms)?;
                }
                Transition::Sighted { at_ms, .. } => {
                    close("blind", at_ms)?;
                }
            }
        }
        let mut queued = Vec::new();
        for alert in alerts(run_id) {
            let json = serde_json::to_string(&alert)
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
            tx.execute(
                "INSERT INTO outbox (run_id, alert) VALUES (?1, ?2)",
                params![run_id, json],
            )?;
            queued.push(Queued {
                id: tx.last_insert_rowid(),
                alert,
            });
        }
        tx.commit()?;
        Ok(Recorded { run_id, queued })
    }

    /// The alerts of the outbox not yet sent (a crash or a shutdown cut their delivery short),
    /// oldest first.
    pub fn unsent_alerts(&self) -> Result<Vec<Queued>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached("SELECT id, alert FROM outbox WHERE sent_at_ms IS NULL ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, json) = row?;
            match serde_json::from_str::<Alert>(&json) {
                Ok(alert) => out.push(Queued { id, alert }),
                // Not ours to guess at: leave it, say so, deliver the rest.
                Err(e) => eprintln!("vedetta monitor: alert {id} of the outbox is unreadable: {e}"),
            }
        }
        Ok(out)
    }

    /// The alerts that announced the alerts still on (open incidents), oldest first: what a
    /// channel that keeps re-announcing firing alerts (Alertmanager) needs after a restart.
    pub fn firing_alerts(&self) -> Result<Vec<Alert>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT i.kind, o.alert FROM incidents i JOIN outbox o ON o.run_id = i.opened_run
             WHERE i.closed_at_ms IS NULL ORDER BY i.id, o.id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (kind, json) = row?;
            if let Ok(alert) = serde_json::from_str::<Alert>(&json)
                && alert.event.as_str() == kind
            {
                out.push(alert);
            }
        }
        Ok(out)
    }

    /// Opens an ad hoc maintenance window from `starts_at_ms` to `ends_at_ms`.
    pub fn add_window(
        &self,
        journeys: Option<&[String]>,
        starts_at_ms: i64,
        ends_at_ms: i64,
        reason: Option<&str>,
    ) -> Result<Window, StoreError> {
        let conn = self.lock();
        let names = journeys.map(|j| serde_json::to_string(j).unwrap_or_default());
        conn.execute(
            "INSERT INTO maintenance (journeys, starts_at_ms, ends_at_ms, reason, created_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?2)",
            params![names, starts_at_ms, ends_at_ms, reason],
        )?;
        Ok(Window {
            id: conn.last_insert_rowid().to_string(),
            starts_at_ms,
            ends_at_ms,
            journeys: journeys.map(<[String]>::to_vec),
            reason: reason.map(str::to_string),
        })
    }

    /// Ends ad hoc window `id` at `now_ms` (when it was not over already); the window as it is
    /// now, `None` when there is no such window.
    pub fn end_window(&self, id: i64, now_ms: i64) -> Result<Option<Window>, StoreError> {
        let conn = self.lock();
        conn.execute(
            "UPDATE maintenance SET ends_at_ms = MAX(starts_at_ms, ?2) WHERE id = ?1 AND ends_at_ms > ?2",
            params![id, now_ms],
        )?;
        Ok(conn
            .query_row(
                "SELECT id, journeys, starts_at_ms, ends_at_ms, reason FROM maintenance WHERE id = ?1",
                params![id],
                window_row,
            )
            .optional()?)
    }

    /// Ad hoc windows not over at `now_ms`, oldest first.
    pub fn windows(&self, now_ms: i64) -> Result<Vec<Window>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT id, journeys, starts_at_ms, ends_at_ms, reason FROM maintenance
             WHERE ends_at_ms > ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![now_ms], window_row)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }

    /// Marks an alert of the outbox as sent (its delivery was tried on every channel).
    pub fn mark_sent(&self, id: i64, at_ms: i64) -> Result<(), StoreError> {
        self.lock().execute(
            "UPDATE outbox SET sent_at_ms = ?1 WHERE id = ?2",
            params![at_ms, id],
        )?;
        Ok(())
    }

    /// The last `n` runs of `journey` that the alert rules see (not cancelled), oldest first,
    /// after the run that closed its last down alert: a recovery empties the rules' window, so
    /// what came before it is not part of the state a restart rebuilds.
    pub fn recent_observations(
        &self,
        journey: &str,
        n: usize,
    ) -> Result<Vec<Observation>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT status, started_at_ms, degraded FROM runs WHERE journey = ?1 AND status != 'cancelled'
               AND id > COALESCE((SELECT MAX(closed_run) FROM incidents
                                  WHERE journey = ?1 AND kind = 'down'), 0)
               AND id > COALESCE((SELECT MAX(id) FROM runs
                                  WHERE journey = ?1 AND maintenance = 1), 0)
             ORDER BY id DESC LIMIT ?2",
        )?;
        observations(stmt.query(params![journey, n as i64])?)
    }

    /// The last `n` runs of `journey` at `location` that alert rules see (not cancelled), oldest
    /// first, after its last maintenance run: what a location's own state replays at a restart.
    pub fn recent_observations_at(
        &self,
        journey: &str,
        location: &str,
        n: usize,
    ) -> Result<Vec<Observation>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT status, started_at_ms, degraded FROM runs
             WHERE journey = ?1 AND location = ?2 AND status != 'cancelled'
               AND id > COALESCE((SELECT MAX(id) FROM runs
                                  WHERE journey = ?1 AND location = ?2 AND maintenance = 1), 0)
             ORDER BY id DESC LIMIT ?3",
        )?;
        observations(stmt.query(params![journey, location, n as i64])?)
    }

    /// The alert of `kind` that is on for `journey`, if any.
    pub fn open_alert(
        &self,
        journey: &str,
        kind: IncidentKind,
    ) -> Result<Option<OpenAlert>, StoreError> {
        let conn = self.lock();
        Ok(conn
            .query_row(
                "SELECT since_ms FROM incidents WHERE journey = ?1 AND kind = ?2 AND closed_at_ms IS NULL
                 ORDER BY id DESC LIMIT 1",
                params![journey, kind.as_str()],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .map(|since_ms| OpenAlert { since_ms }))
    }

    /// Runs of `journey`, newest first, `limit` of them, older than run `before` when given.
    pub fn runs(
        &self,
        journey: &str,
        limit: usize,
        before: Option<i64>,
    ) -> Result<Vec<RunRow>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE journey = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3"
        ))?;
        let rows = stmt.query_map(
            params![journey, before.unwrap_or(i64::MAX), limit as i64],
            run_row,
        )?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }

    /// One run with its steps.
    pub fn run(&self, id: i64) -> Result<Option<RunRow>, StoreError> {
        let conn = self.lock();
        let run = conn
            .query_row(
                &format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"),
                params![id],
                run_row,
            )
            .optional()?;
        let Some(mut run) = run else { return Ok(None) };
        let mut stmt = conn.prepare_cached(
            "SELECT idx, name, action, status, duration_ms, category, message, screenshot, component
             FROM steps WHERE run_id = ?1 ORDER BY idx",
        )?;
        let steps = stmt
            .query_map(params![id], |r| {
                Ok(StepRecord {
                    index: r.get::<_, i64>(0)? as usize,
                    name: r.get(1)?,
                    action: r.get(2)?,
                    status: r.get(3)?,
                    duration_ms: r.get::<_, i64>(4)? as u64,
                    category: r.get(5)?,
                    message: r.get(6)?,
                    screenshot: r.get(7)?,
                    component: r.get(8)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        run.steps = Some(steps);
        Ok(Some(run))
    }

    /// The last run of `journey` that ended passed or flaky (for `last success`).
    pub fn last_success_ms(&self, journey: &str) -> Result<Option<i64>, StoreError> {
        let conn = self.lock();
        Ok(conn
            .query_row(
                "SELECT finished_at_ms FROM runs WHERE journey = ?1 AND status IN ('passed', 'flaky')
                 ORDER BY id DESC LIMIT 1",
                params![journey],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Incidents of `journey`, newest first.
    pub fn incidents(&self, journey: &str, limit: usize) -> Result<Vec<Incident>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT id, journey, kind, since_ms, opened_run, closed_at_ms, closed_run, step_index, step_name,
                    category, message
             FROM incidents WHERE journey = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![journey, limit as i64], |r| {
            let since_ms: i64 = r.get(3)?;
            Ok(Incident {
                id: r.get(0)?,
                journey: r.get(1)?,
                kind: IncidentKind::parse(&r.get::<_, String>(2)?),
                since_ms,
                since: crate::time::rfc3339_ms(since_ms),
                opened_run: r.get(4)?,
                closed_at_ms: r.get(5)?,
                closed_run: r.get(6)?,
                step_index: r.get::<_, Option<i64>>(7)?.map(|i| i as usize),
                step_name: r.get(8)?,
                category: r.get(9)?,
                message: r.get(10)?,
            })
        })?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }

    /// The symptoms seen during an incident, most frequent first.
    pub fn symptoms(
        &self,
        journey: &str,
        from_ms: i64,
        to_ms: Option<i64>,
    ) -> Result<Vec<Symptom>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT failed_step_index, failed_step_name, category, COUNT(*), MAX(id) FROM runs
             WHERE journey = ?1 AND status = 'failed' AND started_at_ms >= ?2 AND started_at_ms <= ?3
               AND category IS NOT NULL
             GROUP BY failed_step_index, failed_step_name, category ORDER BY COUNT(*) DESC LIMIT 10",
        )?;
        let rows = stmt.query_map(params![journey, from_ms, to_ms.unwrap_or(i64::MAX)], |r| {
            Ok(Symptom {
                step_index: r.get::<_, Option<i64>>(0)?.unwrap_or(0) as usize,
                step_name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                category: r.get(2)?,
                runs: r.get::<_, i64>(3)? as u64,
                last_run: r.get(4)?,
            })
        })?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }

    /// Deletes runs that finished before `cutoff_ms` and incidents closed before it; returns
    /// the evidence keys of the deleted runs (their folders are the caller's to remove).
    pub fn prune(&self, cutoff_ms: i64) -> Result<Vec<String>, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let keys = {
            let mut stmt = tx.prepare("SELECT evidence_key FROM runs WHERE finished_at_ms < ?1")?;
            stmt.query_map(params![cutoff_ms], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?
        };
        tx.execute(
            "DELETE FROM runs WHERE finished_at_ms < ?1",
            params![cutoff_ms],
        )?;
        tx.execute(
            "DELETE FROM incidents WHERE closed_at_ms IS NOT NULL AND closed_at_ms < ?1",
            params![cutoff_ms],
        )?;
        tx.commit()?;
        Ok(keys)
    }

    /// The absolute path of a screenshot the store recorded, if it is inside the evidence
    /// folder (it always is when vedetta wrote it; a path edited into the database is not
    /// served).
    pub fn evidence_file(&self, recorded: &str) -> Option<PathBuf> {
        let path = std::fs::canonicalize(recorded).ok()?;
        (path.starts_with(&self.evidence_root) && path.is_file()).then_some(path)
    }
}

fn window_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Window> {
    Ok(Window {
        id: r.get::<_, i64>(0)?.to_string(),
        journeys: r
            .get::<_, Option<String>>(1)?
            .and_then(|j| serde_json::from_str(&j).ok()),
        starts_at_ms: r.get(2)?,
        ends_at_ms: r.get(3)?,
        reason: r.get(4)?,
    })
}

const RUN_COLUMNS: &str =
    "id, journey, started_at_ms, finished_at_ms, duration_ms, status, attempts, error,
    failed_step_index, failed_step_name, category, message, url, screenshot, evidence,
    degraded, slow, maintenance";

fn run_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRow> {
    let started_at_ms: i64 = r.get(2)?;
    let evidence: Option<String> = r.get(14)?;
    let failure = match r.get::<_, Option<String>>(10)? {
        Some(category) => Some(FailureRecord {
            step_index: r.get::<_, Option<i64>>(8)?.unwrap_or(0) as usize,
            step_name: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
            category,
            message: r.get::<_, Option<String>>(11)?.unwrap_or_default(),
            url: r.get(12)?,
            screenshot: r.get(13)?,
            evidence: evidence.clone(),
        }),
        None => None,
    };
    Ok(RunRow {
        id: r.get(0)?,
        journey: r.get(1)?,
        started_at: crate::time::rfc3339_ms(started_at_ms),
        started_at_ms,
        finished_at_ms: r.get(3)?,
        duration_ms: r.get::<_, i64>(4)? as u64,
        status: RunStatus::parse(&r.get::<_, String>(5)?),
        attempts: r.get::<_, i64>(6)? as u32,
        error: r.get(7)?,
        failure,
        evidence,
        steps: None,
        degraded: r.get(15)?,
        slow: r
            .get::<_, Option<String>>(16)?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default(),
        maintenance: r.get(17)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(journey: &str, status: RunStatus, at: i64) -> NewRun {
        NewRun {
            journey: journey.into(),
            location: String::new(),
            evidence_key: format!("{journey}/{at}"),
            started_at_ms: at,
            finished_at_ms: at + 10,
            duration_ms: 10,
            status,
            attempts: 1,
            error: None,
            failure: (status == RunStatus::Failed).then(|| FailureRecord {
                step_index: 2,
                step_name: "log in".into(),
                category: "outage".into(),
                message: "503".into(),
                url: None,
                screenshot: None,
                evidence: None,
            }),
            steps: vec![StepRecord {
                index: 1,
                name: "open".into(),
                action: "open".into(),
                status: "passed".into(),
                duration_ms: 5,
                category: None,
                message: None,
                screenshot: None,
                component: Some("Home".into()),
            }],
            evidence: None,
            degraded: false,
            slow: Vec::new(),
            maintenance: false,
        }
    }

    /// The bytes SQLite's page cache holds for `conn` now.
    fn page_cache_bytes(conn: &Connection) -> i64 {
        let (mut now, mut high) = (0, 0);
        // SAFETY: the handle is the open connection's, used on this thread while it is locked.
        let rc = unsafe {
            rusqlite::ffi::sqlite3_db_status(
                conn.handle(),
                rusqlite::ffi::SQLITE_DBSTATUS_CACHE_USED,
                &mut now,
                &mut high,
                0,
            )
        };
        assert_eq!(rc, rusqlite::ffi::SQLITE_OK);
        i64::from(now)
    }

    #[test]
    fn the_history_s_memory_stays_bounded_however_long_the_history_grows() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for i in 0..4000 {
            let journey = format!("journey-{}", i % 20);
            store
                .record(&run(&journey, RunStatus::Passed, 1000 * i), &[])
                .unwrap();
        }
        let file = std::fs::metadata(dir.path().join("history.sqlite3"))
            .unwrap()
            .len()
            + std::fs::metadata(dir.path().join("history.sqlite3-wal"))
                .map(|m| m.len())
                .unwrap_or(0);
        assert!(file > 1024 * 1024, "the history is only {file} bytes");
        let cached = page_cache_bytes(&store.lock());
        assert!(
            cached <= 300 * 1024,
            "SQLite holds {cached} bytes of a {file}-byte history in memory"
        );
    }

    #[test]
    fn runs_and_incidents_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            store
                .record(&run("a", RunStatus::Passed, 1000), &[])
                .unwrap();
            store
                .record(&run("a", RunStatus::Failed, 2000), &[])
                .unwrap();
            store
                .record(
                    &run("a", RunStatus::Failed, 3000),
                    &[Transition::Down { since_ms: 2000 }],
                )
                .unwrap();
            store
                .record(&run("a", RunStatus::Cancelled, 4000), &[])
                .unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        let runs = store.runs("a", 10, None).unwrap();
        assert_eq!(runs.len(), 4);
        assert_eq!(runs[0].status, RunStatus::Cancelled);
        assert_eq!(runs[1].failure.as_ref().unwrap().category, "outage");
        let obs = store.recent_observations("a", 10).unwrap();
        assert_eq!(obs.len(), 3, "cancelled runs are not observations");
        assert_eq!(obs[0].outcome, Outcome::Passed);
        assert_eq!(
            store.open_alert("a", IncidentKind::Down).unwrap(),
            Some(OpenAlert { since_ms: 2000 })
        );
        let full = store.run(runs[1].id).unwrap().unwrap();
        assert_eq!(full.steps.unwrap().len(), 1);
        assert_eq!(store.symptoms("a", 2000, None).unwrap()[0].runs, 2);

        store
            .record(
                &run("a", RunStatus::Passed, 5000),
                &[Transition::Recovered {
                    since_ms: 2000,
                    at_ms: 5000,
                }],
            )
            .unwrap();
        assert_eq!(store.open_alert("a", IncidentKind::Down).unwrap(), None);
        assert_eq!(
            store.incidents("a", 10).unwrap()[0].closed_at_ms,
            Some(5000)
        );
    }

    #[test]
    fn a_restart_replays_only_the_runs_after_the_last_recovery() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let rec = |status, at, t: &[Transition]| {
            store.record(&run("a", status, at), t).unwrap();
        };
        rec(RunStatus::Failed, 1000, &[]);
        rec(
            RunStatus::Failed,
            2000,
            &[Transition::Down { since_ms: 1000 }],
        );
        rec(
            RunStatus::Passed,
            3000,
            &[Transition::Recovered {
                since_ms: 1000,
                at_ms: 3000,
            }],
        );
        rec(RunStatus::Failed, 4000, &[]);
        store
            .record(&run("b", RunStatus::Failed, 4500), &[])
            .unwrap();
        let obs = store.recent_observations("a", 10).unwrap();
        assert_eq!(
            obs,
            vec![Observation {
                outcome: Outcome::Failed,
                at_ms: 4000
            }]
        );
        // Another journey's history is its own.
        assert_eq!(store.recent_observations("b", 10).unwrap().len(), 1);
        // Never more than asked for.
        rec(RunStatus::Passed, 5000, &[]);
        rec(RunStatus::Failed, 6000, &[]);
        assert_eq!(store.recent_observations("a", 2).unwrap().len(), 2);
    }

    fn alert(run_id: i64) -> Alert {
        use crate::monitor::notify::{AlertEvent, AlertFacts, AlertStep};
        Alert::new(AlertFacts {
            event: AlertEvent::Down,
            previous: Some("up"),
            previous_since_ms: None,
            slow: Vec::new(),
            journey: "a".into(),
            title: Some("A".into()),
            at_ms: 3000,
            since_ms: 2000,
            run_id,
            step: Some(AlertStep {
                index: 2,
                name: "log in".into(),
            }),
            category: Some("outage".into()),
            message: Some("503".into()),
            status_page: "http://127.0.0.1:1/#journey-a".into(),
            screenshot_url: None,
            evidence: None,
        })
    }

    #[test]
    fn alerts_wait_in_the_outbox_with_their_run_until_marked_sent() {
        let dir = tempfile::tempdir().unwrap();
        let queued = {
            let store = Store::open(dir.path()).unwrap();
            store
                .record(&run("a", RunStatus::Failed, 2000), &[])
                .unwrap();
            let r = store
                .record_with_alerts(
                    &run("a", RunStatus::Failed, 3000),
                    &[Transition::Down { since_ms: 2000 }],
                    |run_id| vec![alert(run_id)],
                )
                .unwrap();
            assert_eq!(r.queued.len(), 1);
            assert_eq!(r.queued[0].alert.run_id, r.run_id, "links name the new run");
            r.queued
            // "Crash": the store goes away with the alert unsent.
        };
        let store = Store::open(dir.path()).unwrap();
        let unsent = store.unsent_alerts().unwrap();
        assert_eq!(unsent.len(), 1);
        assert_eq!(unsent[0].id, queued[0].id);
        assert_eq!(
            unsent[0].alert.webhook_payload(),
            queued[0].alert.webhook_payload(),
            "read back as it was written"
        );
        store.mark_sent(unsent[0].id, 4000).unwrap();
        assert!(store.unsent_alerts().unwrap().is_empty());

        // A later run's alert is unsent until marked, whatever came before it.
        let before = store.runs("a", 10, None).unwrap().len();
        store
            .record_with_alerts(&run("a", RunStatus::Passed, 5000), &[], |id| {
                vec![alert(id)]
            })
            .unwrap();
        assert_eq!(store.runs("a", 10, None).unwrap().len(), before + 1);
        assert_eq!(store.unsent_alerts().unwrap().len(), 1);
        // Retention takes the outbox rows with their runs.
        store.prune(i64::MAX).unwrap();
        assert!(store.unsent_alerts().unwrap().is_empty());
    }

    #[test]
    fn slow_runs_and_degraded_incidents_are_kept_and_read_back() {
        use crate::runner::result::SlowStep;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let slow = |at| {
            let mut r = run("a", RunStatus::Passed, at);
            r.degraded = true;
            r.slow = vec![SlowStep {
                index: 1,
                name: "open".into(),
                duration_ms: 4_100,
                threshold_ms: 2_000,
            }];
            r
        };
        store.record(&slow(1000), &[]).unwrap();
        store
            .record(&slow(2000), &[Transition::Degraded { since_ms: 1000 }])
            .unwrap();
        let open = store.incidents("a", 10).unwrap();
        assert_eq!(open[0].kind, IncidentKind::Degraded);
        assert_eq!(open[0].category.as_deref(), Some("slow"));
        assert_eq!(
            open[0].message.as_deref(),
            Some("step 1 \"open\" took 4.1 s, over its slow: 2.0 s")
        );
        assert_eq!(
            store.open_alert("a", IncidentKind::Degraded).unwrap(),
            Some(OpenAlert { since_ms: 1000 })
        );
        let runs = store.runs("a", 10, None).unwrap();
        assert!(runs[0].degraded);
        assert_eq!(runs[0].slow[0].threshold_ms, 2_000);
        let obs = store.recent_observations("a", 10).unwrap();
        assert_eq!(obs[1].outcome, Outcome::Degraded);
        // Degraded → down closes the degraded incident and opens a down one, in one go.
        store
            .record(
                &run("a", RunStatus::Failed, 3000),
                &[Transition::DegradedToDown {
                    since_ms: 3000,
                    degraded_since_ms: 1000,
                }],
            )
            .unwrap();
        assert_eq!(store.open_alert("a", IncidentKind::Degraded).unwrap(), None);
        assert!(store.open_alert("a", IncidentKind::Down).unwrap().is_some());
        store
            .record(
                &slow(4000),
                &[Transition::DownToDegraded {
                    down_since_ms: 3000,
                    at_ms: 4000,
                }],
            )
            .unwrap();
        assert_eq!(store.open_alert("a", IncidentKind::Down).unwrap(), None);
        assert_eq!(
            store.open_alert("a", IncidentKind::Degraded).unwrap(),
            Some(OpenAlert { since_ms: 4000 })
        );
    }

    /// A history as the first release wrote it (no later column), with one run of journey `a`.
    fn first_release_history(dir: &Path, status: &str) {
        let conn = Connection::open(dir.join("history.sqlite3")).unwrap();
        conn.execute_batch(&format!(
            "CREATE TABLE runs (id INTEGER PRIMARY KEY, journey TEXT NOT NULL,
             evidence_key TEXT NOT NULL, started_at_ms INTEGER NOT NULL,
             finished_at_ms INTEGER NOT NULL, duration_ms INTEGER NOT NULL,
             status TEXT NOT NULL, attempts INTEGER NOT NULL, error TEXT,
             failed_step_index INTEGER, failed_step_name TEXT, category TEXT, message TEXT,
             url TEXT, screenshot TEXT, evidence TEXT);
             INSERT INTO runs (journey, evidence_key, started_at_ms, finished_at_ms,
               duration_ms, status, attempts) VALUES ('a', 'a/1', 1, 2, 1, '{status}', 1);"
        ))
        .unwrap();
    }

    #[test]
    fn a_history_from_before_slow_runs_gains_their_columns() {
        let dir = tempfile::tempdir().unwrap();
        first_release_history(dir.path(), "passed");
        let store = Store::open(dir.path()).unwrap();
        let old = &store.runs("a", 10, None).unwrap()[0];
        assert!(!old.degraded && old.slow.is_empty() && !old.maintenance);
        store.record(&run("a", RunStatus::Passed, 10), &[]).unwrap();
        assert_eq!(store.runs("a", 10, None).unwrap().len(), 2);
    }

    #[test]
    fn each_location_replays_its_own_runs_and_old_runs_are_local() {
        let dir = tempfile::tempdir().unwrap();
        // A history written before locations: no `location` column.
        first_release_history(dir.path(), "failed");
        let store = Store::open(dir.path()).unwrap();
        let mut milan = run("a", RunStatus::Passed, 10);
        milan.location = "milan".into();
        store.record(&milan, &[]).unwrap();
        store.record(&run("a", RunStatus::Passed, 20), &[]).unwrap();
        let at = |location: &str| -> Vec<(Outcome, i64)> {
            store
                .recent_observations_at("a", location, 10)
                .unwrap()
                .into_iter()
                .map(|o| (o.outcome, o.at_ms))
                .collect()
        };
        assert_eq!(
            at("local"),
            [(Outcome::Failed, 1), (Outcome::Passed, 20)],
            "the old run and the one recorded without a location are local"
        );
        assert_eq!(at("milan"), [(Outcome::Passed, 10)]);
        assert!(at("paris").is_empty());
    }

    #[test]
    fn ad_hoc_windows_survive_reopening_and_end_early_once() {
        let dir = tempfile::tempdir().unwrap();
        let id = {
            let store = Store::open(dir.path()).unwrap();
            let names = vec!["a".to_string()];
            let w = store
                .add_window(Some(&names), 1_000, 61_000, Some("deploy"))
                .unwrap();
            store.add_window(None, 1_000, 2_000, None).unwrap();
            w.id.parse::<i64>().unwrap()
        };
        let store = Store::open(dir.path()).unwrap();
        let open = store.windows(5_000).unwrap();
        assert_eq!(open.len(), 1, "the short one is over");
        assert_eq!(open[0].journeys.as_deref(), Some(&["a".to_string()][..]));
        assert_eq!(open[0].reason.as_deref(), Some("deploy"));
        let ended = store.end_window(id, 9_000).unwrap().unwrap();
        assert_eq!(ended.ends_at_ms, 9_000);
        assert_eq!(
            store.end_window(id, 20_000).unwrap().unwrap().ends_at_ms,
            9_000,
            "ended once"
        );
        assert!(store.windows(9_000).unwrap().is_empty());
        assert!(store.end_window(999, 9_000).unwrap().is_none());
    }

    #[test]
    fn a_restart_replays_only_the_runs_after_the_last_maintenance_run() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .record(&run("a", RunStatus::Failed, 1000), &[])
            .unwrap();
        let mut held = run("a", RunStatus::Failed, 2000);
        held.maintenance = true;
        store.record(&held, &[]).unwrap();
        store
            .record(&run("a", RunStatus::Failed, 3000), &[])
            .unwrap();
        let obs = store.recent_observations("a", 10).unwrap();
        assert_eq!(obs.iter().map(|o| o.at_ms).collect::<Vec<_>>(), [3000]);
    }

    #[test]
    fn prune_deletes_old_runs_with_their_steps() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .record(&run("a", RunStatus::Passed, 1000), &[])
            .unwrap();
        store
            .record(&run("a", RunStatus::Passed, 9000), &[])
            .unwrap();
        assert_eq!(store.prune(5000).unwrap(), vec!["a/1000".to_string()]);
        assert_eq!(store.runs("a", 10, None).unwrap().len(), 1);
        let orphans: i64 = store
            .lock()
            .query_row(
                "SELECT COUNT(*) FROM steps WHERE run_id NOT IN (SELECT id FROM runs)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(orphans, 0);
    }

    #[test]
    fn only_files_inside_the_evidence_folder_are_served() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let inside = store.evidence_root().join("x.png");
        std::fs::write(&inside, b"png").unwrap();
        let outside = dir.path().join("secret.txt");
        std::fs::write(&outside, b"no").unwrap();
        assert!(store.evidence_file(inside.to_str().unwrap()).is_some());
        assert!(store.evidence_file(outside.to_str().unwrap()).is_none());
        let sneaky = store.evidence_root().join("../secret.txt");
        assert!(store.evidence_file(sneaky.to_str().unwrap()).is_none());
    }
}
