//! The browser seam: a WebDriver session (fantoccini) over a chromedriver or geckodriver we
//! start and own, or over a WebDriver server the user points at (a Selenium Grid, a driver
//! elsewhere).
//!
//! The runner talks to [`Session`] only; nothing outside this module sees fantoccini's errors or
//! the driver process.

mod config;
mod console;
pub mod driver;
mod error;
mod error_page;
pub mod keys;
mod kind;
mod network;
mod probe;
mod secrets_on_page;
pub mod selector;
mod session;
mod temp_dir;

pub use config::BrowserConfig;
pub use console::ConsoleEntry;
pub use error::BrowserError;
pub use error_page::{ErrorPage, ErrorPageKind};
pub use kind::BrowserKind;
pub use probe::{Ambiguity, ElementProbe, PageProbe, ProbeRequest, ProbeWait};
pub use secrets_on_page::{ScreenshotError, SecretsOnPage};
pub use selector::Selector;
pub use session::{Element, Session};
