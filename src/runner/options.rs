use std::path::PathBuf;
use std::sync::Arc;

use crate::browser::{BrowserConfig, BrowserPool};
use crate::evidence::signature::SealKey;
use crate::otp::OtpSources;

/// How a run is carried out.
#[derive(Clone)]
pub struct RunOptions {
    pub browser: BrowserConfig,
    /// Journeys walked at once, one browser each (at least 1).
    pub jobs: usize,
    /// Screenshots go to `out_dir/<run_id>/<journey-name>/`.
    pub out_dir: PathBuf,
    /// Names this run's folder, e.g. `20261125T171500Z` (the caller makes it).
    pub run_id: String,
    pub otp: OtpSources,
    /// Signs each evidence folder's manifest (`--sign-key`, the monitor's `sign_key:`).
    pub sign_key: Option<SealKey>,
    /// Warm browsers kept by the caller across runs (the monitor's); `None`: with
    /// `browser.isolation` `Context` the run keeps its own, ended when the run ends.
    pub browsers: Option<Arc<BrowserPool>>,
}
