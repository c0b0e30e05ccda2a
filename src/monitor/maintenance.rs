//! Maintenance windows: planned time when a journey's runs are recorded (marked maintenance) but
//! raise no alert. Pure: the windows and the time in, which window (if any) holds a journey now.
//!
//! - **Scheduled** (`maintenance:` in the config): a `cron` start in UTC and a duration `for`,
//!   for every journey or those named in `journeys:`.
//! - **Ad hoc** (`POST /api/maintenance`, `vedetta maintenance start`): from now for a
//!   duration, ended early by `DELETE /api/maintenance/{id}`. Kept in the history, so a restart
//!   keeps them.
//!
//! When a window ends the journey's state is judged afresh from the next runs (the daemon
//! resets the alert rules' streaks): a journey still down then is announced down once, after
//! `down_after` failed runs as ever.

use std::time::Duration;

use croner::Cron;
use serde::Serialize;

/// A window of the config: every start of `cron` opens one for `duration`.
#[derive(Debug, Clone)]
pub struct ScheduledWindow {
    pub cron: Box<Cron>,
    /// As written in the config.
    pub pattern: String,
    pub duration: Duration,
    /// The journeys it holds; `None`: all.
    pub journeys: Option<Vec<String>>,
}

/// A window with its times: one opening of a scheduled window, or an ad hoc one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    /// `scheduled-N` (the N-th of the config, from 1) or the ad hoc window's number.
    pub id: String,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
    /// `None`: every journey.
    pub journeys: Option<Vec<String>>,
    /// Why (ad hoc windows: what the operator said).
    pub reason: Option<String>,
}

impl Window {
    /// Whether it holds `journey` at `now_ms`.
    pub fn holds(&self, journey: &str, now_ms: i64) -> bool {
        (self.starts_at_ms..self.ends_at_ms).contains(&now_ms)
            && self
                .journeys
                .as_ref()
                .is_none_or(|names| names.iter().any(|n| n == journey))
    }
}

impl ScheduledWindow {
    /// The opening of this window that covers `now_ms`, if one does: the first start at or
    /// after `now - duration` (exclusive of the end), if it has begun by now.
    pub fn open_at(&self, index: usize, now_ms: i64) -> Option<Window> {
        let duration_ms = i64::try_from(self.duration.as_millis()).unwrap_or(i64::MAX);
        let from = jiff::Timestamp::from_millisecond(now_ms.saturating_sub(duration_ms) + 1)
            .ok()?
            .to_zoned(jiff::tz::TimeZone::UTC);
        let start = self.cron.find_next_occurrence(&from, true).ok()?;
        let starts_at_ms = start.timestamp().as_millisecond();
        (starts_at_ms <= now_ms).then(|| Window {
            id: format!("scheduled-{}", index + 1),
            starts_at_ms,
            ends_at_ms: starts_at_ms.saturating_add(duration_ms),
            journeys: self.journeys.clone(),
            reason: Some(format!(
                "cron {} for {}",
                self.pattern,
                super::schedule::human(self.duration)
            )),
        })
    }

    /// The next opening that starts after `now_ms` (for the API's list).
    pub fn next_after(&self, index: usize, now_ms: i64) -> Option<Window> {
        let from = jiff::Timestamp::from_millisecond(now_ms)
            .ok()?
            .to_zoned(jiff::tz::TimeZone::UTC);
        let start = self.cron.find_next_occurrence(&from, false).ok()?;
        let starts_at_ms = start.timestamp().as_millisecond();
        let duration_ms = i64::try_from(self.duration.as_millis()).unwrap_or(i64::MAX);
        Some(Window {
            id: format!("scheduled-{}", index + 1),
            starts_at_ms,
            ends_at_ms: starts_at_ms.saturating_add(duration_ms),
            journeys: self.journeys.clone(),
            reason: Some(format!(
                "cron {} for {}",
                self.pattern,
                super::schedule::human(self.duration)
            )),
        })
    }
}

/// Every window the monitor knows: the config's and the ad hoc ones.
#[derive(Debug, Clone, Default)]
pub struct Windows {
    pub scheduled: Vec<ScheduledWindow>,
    /// Ad hoc windows not yet over (ended early ones have their `ends_at_ms` moved).
    pub ad_hoc: Vec<Window>,
}

impl Windows {
    /// The window that holds `journey` at `now_ms`, if any (the one that ends last, when
    /// several do).
    pub fn holding(&self, journey: &str, now_ms: i64) -> Option<Window> {
        self.open(now_ms)
            .into_iter()
            .filter(|w| w.holds(journey, now_ms))
            .max_by_key(|w| w.ends_at_ms)
    }

    /// Every window open at `now_ms`.
    pub fn open(&self, now_ms: i64) -> Vec<Window> {
        let mut out: Vec<Window> = self
            .scheduled
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.open_at(i, now_ms))
            .collect();
        out.extend(
            self.ad_hoc
                .iter()
                .filter(|w| (w.starts_at_ms..w.ends_at_ms).contains(&now_ms))
                .cloned(),
        );
        out
    }

    /// Open windows, then each scheduled window's next opening, then ad hoc windows yet to
    /// start: what `GET /api/maintenance` lists.
    pub fn listed(&self, now_ms: i64) -> Vec<Window> {
        let mut out = self.open(now_ms);
        for (i, s) in self.scheduled.iter().enumerate() {
            if let Some(next) = s.next_after(i, now_ms)
                && !out
                    .iter()
                    .any(|w| w.id == next.id && w.starts_at_ms == next.starts_at_ms)
            {
                out.push(next);
            }
        }
        out.extend(
            self.ad_hoc
                .iter()
                .filter(|w| w.starts_at_ms > now_ms)
                .cloned(),
        );
        out
    }
}

/// The windows as the daemon holds them: read by every run and page, added to and ended through
/// the API. Every change is a plain assignment under the lock.
#[derive(Debug, Default)]
pub struct MaintenanceBook {
    windows: std::sync::Mutex<Windows>,
}

impl MaintenanceBook {
    pub fn new(windows: Windows) -> MaintenanceBook {
        MaintenanceBook {
            windows: std::sync::Mutex::new(windows),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Windows> {
        self.windows.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The window that holds `journey` at `now_ms`, if any.
    pub fn holding(&self, journey: &str, now_ms: i64) -> Option<Window> {
        self.lock().holding(journey, now_ms)
    }

    /// What `GET /api/maintenance` lists at `now_ms`.
    pub fn listed(&self, now_ms: i64) -> Vec<Window> {
        self.lock().listed(now_ms)
    }

    /// Adds an ad hoc window, or replaces the one with its id (ended early).
    pub fn put(&self, window: Window) {
        let mut w = self.lock();
        w.ad_hoc.retain(|old| old.id != window.id);
        w.ad_hoc.push(window);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
    }

    fn sunday_2am(journeys: Option<Vec<String>>) -> ScheduledWindow {
        ScheduledWindow {
            cron: Box::new(super::super::schedule::Schedule::parse_cron("0 2 * * SUN").unwrap()),
            pattern: "0 2 * * SUN".into(),
            duration: Duration::from_secs(2 * 3600),
            journeys,
        }
    }

    #[test]
    fn a_scheduled_window_holds_from_its_cron_start_for_its_duration_in_utc() {
        let w = Windows {
            scheduled: vec![sunday_2am(None)],
            ad_hoc: Vec::new(),
        };
        // 2026-11-29 is a Sunday.
        assert_eq!(w.holding("card", at("2026-11-29T01:59:59Z")), None);
        let open = w.holding("card", at("2026-11-29T02:00:00Z")).unwrap();
        assert_eq!(open.id, "scheduled-1");
        assert_eq!(open.starts_at_ms, at("2026-11-29T02:00:00Z"));
        assert_eq!(open.ends_at_ms, at("2026-11-29T04:00:00Z"));
        assert!(w.holding("card", at("2026-11-29T03:59:59Z")).is_some());
        assert_eq!(
            w.holding("card", at("2026-11-29T04:00:00Z")),
            None,
            "the end is not in it"
        );
        assert_eq!(
            w.holding("card", at("2026-11-30T03:00:00Z")),
            None,
            "a Monday"
        );
    }

    #[test]
    fn a_window_holds_only_the_journeys_it_names() {
        let w = Windows {
            scheduled: vec![sunday_2am(Some(vec!["card".into()]))],
            ad_hoc: vec![Window {
                id: "7".into(),
                starts_at_ms: 1_000,
                ends_at_ms: 2_000,
                journeys: Some(vec!["transfer".into()]),
                reason: Some("deploy".into()),
            }],
        };
        let sunday = at("2026-11-29T03:00:00Z");
        assert!(w.holding("card", sunday).is_some());
        assert!(w.holding("transfer", sunday).is_none());
        assert_eq!(w.holding("transfer", 1_500).map(|w| w.id), Some("7".into()));
        assert!(w.holding("card", 1_500).is_none());
        assert!(w.holding("transfer", 2_000).is_none(), "ended");
    }

    #[test]
    fn the_list_has_open_windows_and_each_schedule_next_opening() {
        let w = Windows {
            scheduled: vec![sunday_2am(None)],
            ad_hoc: vec![Window {
                id: "1".into(),
                starts_at_ms: at("2026-11-29T03:00:00Z"),
                ends_at_ms: at("2026-11-29T03:30:00Z"),
                journeys: None,
                reason: None,
            }],
        };
        let listed = w.listed(at("2026-11-29T03:10:00Z"));
        assert_eq!(
            listed
                .iter()
                .map(|w| (w.id.as_str(), w.starts_at_ms))
                .collect::<Vec<_>>(),
            [
                ("scheduled-1", at("2026-11-29T02:00:00Z")),
                ("1", at("2026-11-29T03:00:00Z")),
                ("scheduled-1", at("2026-12-06T02:00:00Z")),
            ]
        );
    }
}
