//! The integration tests: one binary (linking vedetta once), one module per area. Browser
//! tests drive real headless Chromium (and Firefox, and a Selenium Grid) against servers they
//! start on loopback; `common` and `monitor_support` hold what they share.

mod authoring;
mod cli_run;
mod common;
mod demo_bank;
mod demo_faults;
mod demo_monitor;
mod demo_serve;
mod error_pages;
mod evidence_demo;
mod evidence_signing;
mod firefox;
mod grid;
mod inbox;
mod monitor_blind;
mod monitor_channels;
mod monitor_config;
mod monitor_daemon;
mod monitor_degraded;
mod monitor_http;
mod monitor_inbox;
mod monitor_maintenance;
mod monitor_outbox;
mod monitor_prometheus;
mod monitor_shutdown;
mod monitor_support;
mod network;
mod otp;
mod parser_fuzz;
mod real_services;
mod reports;
mod run_actions;
mod run_failures;
mod run_lifecycle;
mod run_otp;
mod run_outputs;
mod run_process_death;
mod secret_encodings;
mod secrets_everywhere;
mod slow;
mod validate;
mod waits;
