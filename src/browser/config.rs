use std::path::PathBuf;

use super::BrowserKind;

/// Which browser to drive and how.
#[derive(Debug, Clone, Default)]
pub struct BrowserConfig {
    /// Chromium (default) or Firefox.
    pub kind: BrowserKind,
    /// Use this WebDriver server (a Selenium Grid, a driver elsewhere); start nothing.
    pub webdriver_url: Option<String>,
    /// Else start this driver (default: the kind's driver on PATH).
    pub driver_path: Option<PathBuf>,
    /// The browser executable (`goog:chromeOptions.binary`, `moz:firefoxOptions.binary`).
    pub browser_binary: Option<PathBuf>,
    /// Show the browser window (no `--headless`).
    pub headed: bool,
    /// Leave the page's network and its documents' timings unrecorded: no `network.har`, no
    /// `failure.requests`, no `timing`. Internal: the benchmark's baseline for what recording
    /// costs.
    pub without_recording: bool,
}
