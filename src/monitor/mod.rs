//! `vedetta monitor`: journeys on a schedule, their history, metrics, alerts and a status page.
//!
//! - [`config`]: the config file → [`MonitorConfig`] (diagnostics at file:line:column).
//! - [`schedule`]: `every` with jitter, `cron`.
//! - [`alert`]: the down / blind state machine; speaks on changes only.
//! - [`store`]: the history in SQLite; a run and its alert changes in one transaction.
//! - [`record`]: a runner's result → the history's row, the metrics' sample, the console line.
//! - [`announce`]: which alerts a recorded run raises, and what they say.
//! - [`notify`]: alert messages, the webhook and Slack shapes, delivery with retries.
//! - [`channels`]: PagerDuty, Alertmanager, Teams and e-mail: their payloads and addresses.
//! - [`locations`]: where journeys run from; each location's alert state and the journey's
//!   n-of-N verdict over them (`alerts.locations`).
//! - [`state`]: each journey's state now (up, failing, down, blind, pending; running, next run).
//! - [`metrics`]: `/metrics` in Prometheus' text format.
//! - [`http`], [`status_page`]: the daemon's routes and the page for people.
//! - [`maintenance`]: planned and ad hoc windows when runs raise no alert.
//! - [`retention`]: old runs and their evidence folders deleted, hourly.
//! - [`daemon`]: the async orchestration — the scheduler, runs through the runner, shutdown.
//!
//! Imports go one way: `daemon` → `http` → `status_page`, `metrics` → `state` → `store`, `alert`.

pub mod alert;
pub mod announce;
pub mod channels;
pub mod components;
pub mod config;
pub mod daemon;
#[cfg(test)]
mod golden;
pub mod http;
pub mod locations;
pub mod maintenance;
pub mod metrics;
pub mod notify;
pub mod public;
pub mod record;
pub mod retention;
pub mod schedule;
pub mod state;
pub mod status_page;
pub mod store;

pub use config::{InboxSettings, JourneyEntry, MonitorConfig, load_config, parse_config};
pub use daemon::{Listen, MonitorError, MonitorSetup, RunningMonitor, ScheduledJourney, start};
