//! The browser seam: a WebDriver session (fantoccini) over a chromedriver or geckodriver we
//! start and own, or over a WebDriver server the user points at (a Selenium Grid, a driver
//! elsewhere).
//!
//! The runner talks to [`Session`] only; nothing outside this module sees fantoccini's errors or
//! the driver process.

mod bidi;
mod commands;
mod config;
mod console;
mod credentials;
mod devtools;
pub mod driver;
mod emulation;
mod error;
mod error_page;
mod extra_capabilities;
pub mod keys;
mod kind;
mod network;
mod pool;
mod probe;
mod secrets_on_page;
pub mod selector;
mod session;
mod temp_dir;
mod warm;

pub use config::{BrowserConfig, Isolation};
pub use console::ConsoleEntry;
pub use credentials::{mask_credentials, redact_url, webdriver_credentials};
pub use emulation::{firefox_cannot_emulate, firefox_refusal};
pub use error::BrowserError;
pub use error_page::{ErrorPage, ErrorPageKind};
pub use kind::BrowserKind;
pub use pool::{BrowserPool, PoolStats};
pub use probe::{
    Ambiguity, ClickPoint, ElementProbe, Field, PageProbe, ProbeRequest, ProbeWait, Readied, Ready,
};
pub use secrets_on_page::{ScreenshotError, SecretsOnPage};
pub use selector::Selector;
pub use session::{Element, Session};
pub use warm::{BROWSER_IDLE_LIMIT, MAX_JOURNEYS_PER_BROWSER};
