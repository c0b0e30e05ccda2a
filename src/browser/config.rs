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
    /// A warm browser's fresh context per journey attempt (default), or a session each.
    pub isolation: Isolation,
}

/// What keeps one journey's browser state from the next (`--isolation`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Isolation {
    /// A fresh browser context in a warm browser per attempt (where the browser has contexts;
    /// elsewhere a session per attempt).
    #[default]
    Context,
    /// A fresh browser session (a new browser and driver) per attempt.
    Session,
}

impl Isolation {
    pub const NAMES: &'static str = "context, session";
}

impl std::str::FromStr for Isolation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "context" => Ok(Isolation::Context),
            "session" => Ok(Isolation::Session),
            _ => Err(format!(
                "unknown isolation `{s}`; known: {}",
                Isolation::NAMES
            )),
        }
    }
}
