//! The public status page: components, their 90-day history and the incidents with their
//! notices — for customers, on a listener of its own (`public.listen`) that serves nothing
//! internal: no evidence, no URLs of the site, no error texts, no step names.
//!
//! - [`incidents`]: the incident model, the notice templates, what the monitor opens and
//!   resolves on its own (pure).
//! - [`store`]: incidents and notices in the history's SQLite.
//! - [`book`]: each journey's word on its components now, and what a run changes.
//! - [`page`], [`feed`]: the HTML page and the Atom feed (pure renderers).
//! - [`routes`]: the public listener's routes, and the operators' incident API on the main one.

pub mod book;
pub mod feed;
pub mod incidents;
pub mod page;
pub mod routes;
pub mod store;

use std::net::SocketAddr;

pub use incidents::{Language, Templates};

/// `public:` in the monitor's config.
#[derive(Debug, Clone)]
pub struct PublicSettings {
    pub listen: SocketAddr,
    /// The page's heading (default: "Service status").
    pub title: String,
    /// The default templates' language.
    pub language: Language,
    /// `true` (default): the automatic notices are public at once; `false`: an automatic
    /// incident is a draft until an operator publishes it, and recovery posts nothing.
    pub auto_publish: bool,
    pub templates: Templates,
}

/// How many days the history strip shows.
pub const HISTORY_DAYS: i64 = 90;
/// How many incidents the page, the feed and the summary show.
pub const SHOWN_INCIDENTS: usize = 50;
