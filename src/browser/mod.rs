//! The browser seam: a WebDriver session (fantoccini) over a chromedriver we start and own, or
//! over a WebDriver server the user points at (chromedriver, a Selenium Grid).
//!
//! The runner talks to [`Session`] only; nothing outside this module sees fantoccini's errors or
//! the driver process.

mod config;
pub mod driver;
mod error;
pub mod keys;
mod probe;
pub mod selector;
mod session;
mod temp_dir;

pub use config::BrowserConfig;
pub use error::BrowserError;
pub use probe::{ElementProbe, PageProbe, ProbeRequest};
pub use selector::Selector;
pub use session::{Element, Session};
