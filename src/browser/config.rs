use std::path::PathBuf;

/// Which browser to drive and how.
#[derive(Debug, Clone, Default)]
pub struct BrowserConfig {
    /// Use this WebDriver server (chromedriver, a Selenium Grid); start nothing.
    pub webdriver_url: Option<String>,
    /// Else start this chromedriver (default: `chromedriver` on PATH).
    pub driver_path: Option<PathBuf>,
    /// `goog:chromeOptions.binary`.
    pub browser_binary: Option<PathBuf>,
    /// Show the browser window (no `--headless`).
    pub headed: bool,
}
