//! vedetta: synthetic user journeys in a real browser.
//!
//! The data's way through (ARCHITECTURE.md draws it): a journey file is parsed and validated by
//! [`journey`] into a typed `Journey`; the [`runner`] walks it in a [`browser`] session, asking
//! [`otp`] sources for codes and [`evidence`] to keep screenshots, and emits events that the
//! [`report`]ers turn into console lines and files; [`network`] makes the page's requests and
//! timings into data (the HAR, the failed requests a failure names). [`demo`] is the embedded
//! bank and [`inbox`] the SMS inbox. [`cli`] ties them to the command line.

pub mod browser;
pub mod cli;
pub mod code_pattern;
pub mod commands;
pub mod demo;
pub mod evidence;
pub mod exit;
pub mod http_server;
pub mod inbox;
pub mod journey;
pub mod monitor;
pub mod network;
pub mod otp;
pub mod report;
pub mod runner;
pub mod text;
pub mod time;
