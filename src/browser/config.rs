use std::path::PathBuf;

use serde_json::Value as Json;

use super::BrowserKind;
use crate::journey::model::{Journey, Variables, Viewport};

pub use crate::journey::model::Device;

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
    /// The device to emulate: `--device`, over the journey's `device:` (see [`for_journey`]).
    ///
    /// [`for_journey`]: BrowserConfig::for_journey
    pub device: Option<Device>,
    /// Extra capabilities merged over vedetta's, in order: the journey's `capabilities:`, then
    /// `--capability`.
    pub capabilities: Vec<(String, Json)>,
    /// A warm browser's fresh context per journey attempt (default), or a session each.
    pub isolation: Isolation,
    /// The journey's secrets (see [`for_journey`]), masked in what the session logs and in its
    /// errors: a capability may carry one.
    ///
    /// [`for_journey`]: BrowserConfig::for_journey
    pub secrets: Secrets,
}

/// A journey's variables, kept only to mask their secrets; its `Debug` shows no value.
#[derive(Clone, Default)]
pub struct Secrets(Option<Variables>);

impl Secrets {
    /// `text` with every secret masked, in any encoding (see [`Variables::mask`]).
    pub fn mask(&self, text: &str) -> String {
        match &self.0 {
            Some(vars) => vars.mask(text),
            None => text.to_string(),
        }
    }
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(…)")
    }
}

impl BrowserConfig {
    /// This configuration for `journey`: `--device` else its `device:`, and its
    /// `capabilities:` before `--capability`'s (which therefore win).
    pub fn for_journey(&self, journey: &Journey) -> BrowserConfig {
        let mut config = self.clone();
        if config.device.is_none() {
            config.device = journey.device.clone();
        }
        config.capabilities = journey
            .capabilities
            .iter()
            .map(|c| (c.key.clone(), c.rendered(&journey.variables)))
            .chain(self.capabilities.iter().cloned())
            .collect();
        config.secrets = Secrets(Some(journey.variables.clone()));
        config
    }

    /// The page's viewport: the device's, else `viewport`.
    pub fn viewport(&self, viewport: Viewport) -> Viewport {
        self.device.as_ref().map_or(viewport, Device::viewport)
    }

    /// The secret parts of `--webdriver`'s URL (user, password, access keys), to mask.
    pub fn webdriver_credentials(&self) -> Vec<String> {
        self.webdriver_url
            .as_deref()
            .map(super::credentials::webdriver_credentials)
            .unwrap_or_default()
    }
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
