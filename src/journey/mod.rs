//! The journey language: text in, a typed [`model::Journey`] (or diagnostics) out.
//! Pure: no browser, no network, no async, and no I/O but through the [`SourceLoader`] and
//! the environment lookup it is given (their real versions are in `os.rs`, the only file here
//! that touches the machine). The README is its reference.

pub mod model;

mod capabilities;
mod component;
mod devices;
mod diagnostic;
mod duration;
mod include;
mod journey_file;
mod keys;
mod load;
mod loader;
mod locator_scope;
mod mask;
mod options;
mod os;
mod reader;
mod retry;
mod schema;
mod secrets;
mod source;
mod steps;
mod suggest;
mod template;
mod yaml;

pub use capabilities::{Clash, clashes};
pub use devices::{device_names, named_device, suggest_device};
pub use diagnostic::Diagnostic;
pub use duration::parse_duration;
pub use load::{load_journey, parse_journey};
pub use loader::{MemorySources, SourceError, SourceLoader};
pub use options::{EnvLookup, LoadOptions};
pub use os::FileSystem;
pub use schema::journey_schema;
pub use secrets::load_secrets_file;
pub use source::MAX_FILE_BYTES;

/// The spanned YAML reader behind journeys, for other configuration files (the monitor's) to
/// report their problems at file:line:column the same way.
pub(crate) mod spanned {
    pub use super::capabilities::read_device;
    pub use super::reader::{Reader, kind};
    pub use super::source::{MAX_FILE_BYTES, Pos, SourceFile};
    pub use super::yaml::load;
}
