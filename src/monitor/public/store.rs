//! Public incidents and their notices in the monitor's SQLite history (tables of their own,
//! created beside the history's when it is opened).

use rusqlite::{OptionalExtension, params};

use super::incidents::{IncidentState, Notice, OpenIncident, PublicIncident};
use crate::monitor::store::{Store, StoreError};

pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS public_incidents (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    components TEXT NOT NULL,
    state TEXT NOT NULL,
    published INTEGER NOT NULL,
    automatic INTEGER NOT NULL,
    opened_at_ms INTEGER NOT NULL,
    resolved_at_ms INTEGER
);
CREATE TABLE IF NOT EXISTS public_notices (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES public_incidents (id) ON DELETE CASCADE,
    at_ms INTEGER NOT NULL,
    state TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS public_notices_by_incident ON public_notices (incident_id, id);
";

/// A new incident and its first notice.
#[derive(Debug, Clone)]
pub struct NewIncident {
    pub title: String,
    pub components: Vec<String>,
    pub state: IncidentState,
    pub text: String,
    pub published: bool,
    pub automatic: bool,
    pub at_ms: i64,
}

impl Store {
    /// Opens an incident with its first notice, in one transaction; returns its id.
    pub fn open_public_incident(&self, new: &NewIncident) -> Result<i64, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let components = serde_json::to_string(&new.components).unwrap_or_else(|_| "[]".into());
        tx.execute(
            "INSERT INTO public_incidents (title, components, state, published, automatic, opened_at_ms, resolved_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                new.title,
                components,
                new.state.as_str(),
                new.published,
                new.automatic,
                new.at_ms,
                (new.state == IncidentState::Resolved).then_some(new.at_ms),
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO public_notices (incident_id, at_ms, state, text) VALUES (?1, ?2, ?3, ?4)",
            params![id, new.at_ms, new.state.as_str(), new.text],
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Adds a notice to incident `id` and moves it to `state`; `false` when there is no such
    /// incident.
    pub fn add_public_notice(
        &self,
        id: i64,
        state: IncidentState,
        text: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let resolved_at = (state == IncidentState::Resolved).then_some(at_ms);
        let changed = tx.execute(
            "UPDATE public_incidents SET state = ?2, resolved_at_ms = ?3 WHERE id = ?1",
            params![id, state.as_str(), resolved_at],
        )?;
        if changed == 0 {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO public_notices (incident_id, at_ms, state, text) VALUES (?1, ?2, ?3, ?4)",
            params![id, at_ms, state.as_str(), text],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Makes a draft incident public; `false` when there is no such incident.
    pub fn publish_public_incident(&self, id: i64) -> Result<bool, StoreError> {
        let changed = self.lock().execute(
            "UPDATE public_incidents SET published = 1 WHERE id = ?1",
            params![id],
        )?;
        Ok(changed > 0)
    }

    /// The newest `limit` incidents (drafts too unless `published_only`), each with its
    /// notices, oldest notice first.
    pub fn public_incidents(
        &self,
        limit: usize,
        published_only: bool,
    ) -> Result<Vec<PublicIncident>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT id, title, components, state, published, automatic, opened_at_ms, resolved_at_ms
             FROM public_incidents WHERE published >= ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let mut incidents = stmt
            .query_map(params![published_only, limit as i64], |r| {
                let components: String = r.get(2)?;
                let state: String = r.get(3)?;
                let opened_at_ms: i64 = r.get(6)?;
                Ok(PublicIncident {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    components: serde_json::from_str(&components).unwrap_or_default(),
                    state: IncidentState::parse(&state).unwrap_or(IncidentState::Investigating),
                    published: r.get(4)?,
                    automatic: r.get(5)?,
                    opened_at_ms,
                    opened_at: crate::time::rfc3339_ms(opened_at_ms),
                    resolved_at_ms: r.get(7)?,
                    notices: Vec::new(),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut notices = conn.prepare_cached(
            "SELECT id, at_ms, state, text FROM public_notices WHERE incident_id = ?1 ORDER BY id",
        )?;
        for incident in &mut incidents {
            incident.notices = notices
                .query_map(params![incident.id], |r| {
                    let at_ms: i64 = r.get(1)?;
                    let state: String = r.get(2)?;
                    Ok(Notice {
                        id: r.get(0)?,
                        at_ms,
                        at: crate::time::rfc3339_ms(at_ms),
                        state: IncidentState::parse(&state).unwrap_or(IncidentState::Investigating),
                        text: r.get(3)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
        }
        Ok(incidents)
    }

    /// The incidents not resolved yet, as `decide` weighs them.
    pub fn open_public_incidents(&self) -> Result<Vec<OpenIncident>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT id, components, automatic FROM public_incidents WHERE state != 'resolved'",
        )?;
        let rows = stmt.query_map([], |r| {
            let components: String = r.get(1)?;
            Ok(OpenIncident {
                id: r.get(0)?,
                components: serde_json::from_str(&components).unwrap_or_default(),
                automatic: r.get(2)?,
            })
        })?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }

    /// Whether incident `id` is published (`None`: no such incident).
    pub fn public_incident_published(&self, id: i64) -> Result<Option<bool>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT published FROM public_incidents WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Per component and UTC day (milliseconds / 86 400 000) since `since_ms`: the runs that
    /// reached the component and those that failed in it. Runs held by maintenance and runs
    /// that never saw the site (error, cancelled) are left out.
    pub fn component_days(
        &self,
        since_ms: i64,
    ) -> Result<Vec<(String, i64, u64, u64)>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT s.component, r.finished_at_ms / 86400000 AS day,
                    COUNT(DISTINCT r.id),
                    COUNT(DISTINCT CASE WHEN r.status = 'failed' AND s.component = (
                        SELECT f.component FROM steps f WHERE f.run_id = r.id AND f.idx = r.failed_step_index
                    ) THEN r.id END)
             FROM runs r JOIN steps s ON s.run_id = r.id
             WHERE r.finished_at_ms >= ?1 AND r.maintenance = 0
               AND r.status IN ('passed', 'flaky', 'failed')
               AND s.component IS NOT NULL AND s.status IN ('passed', 'failed')
             GROUP BY s.component, day",
        )?;
        let rows = stmt.query_map(params![since_ms], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)? as u64,
                r.get::<_, i64>(3)? as u64,
            ))
        })?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opened(store: &Store, published: bool) -> i64 {
        store
            .open_public_incident(&NewIncident {
                title: "SMS verification".into(),
                components: vec!["SMS verification".into()],
                state: IncidentState::Investigating,
                text: "We are investigating.".into(),
                published,
                automatic: true,
                at_ms: 1_000,
            })
            .unwrap()
    }

    #[test]
    fn an_incident_keeps_its_timeline_and_drafts_stay_off_the_public_list() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let id = opened(&store, false);
        assert!(store.public_incidents(10, true).unwrap().is_empty());
        assert!(
            store
                .add_public_notice(id, IncidentState::Identified, "found it", 2_000)
                .unwrap()
        );
        assert!(store.publish_public_incident(id).unwrap());
        assert!(
            store
                .add_public_notice(id, IncidentState::Resolved, "fixed", 3_000)
                .unwrap()
        );
        let list = store.public_incidents(10, true).unwrap();
        assert_eq!(list.len(), 1);
        let i = &list[0];
        assert_eq!(i.state, IncidentState::Resolved);
        assert_eq!(i.resolved_at_ms, Some(3_000));
        let texts: Vec<&str> = i.notices.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(texts, ["We are investigating.", "found it", "fixed"]);
        assert!(store.open_public_incidents().unwrap().is_empty());
        assert!(
            !store
                .add_public_notice(99, IncidentState::Resolved, "x", 1)
                .unwrap()
        );
    }
}
