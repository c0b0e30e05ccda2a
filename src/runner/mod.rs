//! Walks journeys in a browser, step by step, and reports events.
//!
//! [`run`] takes validated journeys and returns a [`result::RunReport`]: failure is data, never
//! an `Err` or a panic. Each journey attempt gets a fresh browser context in a warm browser
//! (`browser::BrowserPool`), or with `--isolation session` a browser of its own; the steps'
//! waits poll the page and its `fail_fast` signatures until the step's timeout.

mod actions;
mod ambiguity;
mod attempt;
mod cause;
mod console;
mod error_page;
pub mod event;
mod fail_fast;
mod failure;
mod failure_evidence;
#[cfg(test)]
mod fake_page;
mod journey;
mod network_evidence;
mod options;
mod page;
pub mod result;
mod run;
mod slow;
mod unset;
mod walk;

pub use failure_evidence::failure_header;
pub use options::RunOptions;
pub use run::run;
