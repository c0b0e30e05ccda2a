//! The journey language: text in, a typed [`model::Journey`] (or diagnostics) out.
//! Pure: no browser, no network, no async. DESIGN.md "The journey language" is its contract;
//! the README its reference.

pub mod model;

mod diagnostic;
mod duration;
mod include;
mod journey_file;
mod keys;
mod load;
mod mask;
mod reader;
mod schema;
mod secrets;
mod source;
mod steps;
mod suggest;
mod template;
mod yaml;

pub use diagnostic::Diagnostic;
pub use duration::parse_duration;
pub use load::{EnvLookup, LoadOptions, load_journey, parse_journey};
pub use schema::journey_schema;
pub use secrets::load_secrets_file;
pub use source::MAX_FILE_BYTES;

/// The spanned YAML reader behind journeys, for other configuration files (the monitor's) to
/// report their problems at file:line:column the same way.
pub(crate) mod spanned {
    pub use super::reader::{Reader, kind};
    pub use super::source::{MAX_FILE_BYTES, Pos, SourceFile};
    pub use super::yaml::load;
}
