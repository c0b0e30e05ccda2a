//! The browser families vedetta drives, and what differs between them: the WebDriver server
//! that starts them (chromedriver, geckodriver), its flags, and the browsers to look for.
//! Capabilities are built in `session.rs`.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BrowserKind {
    /// Chromium or Chrome, through chromedriver.
    #[default]
    Chromium,
    /// Firefox, through geckodriver.
    Firefox,
}

impl BrowserKind {
    pub const NAMES: &'static str = "chromium, firefox";

    /// The WebDriver server vedetta starts for it (found on PATH unless `--driver` says).
    pub fn driver_name(self) -> &'static str {
        match self {
            BrowserKind::Chromium => "chromedriver",
            BrowserKind::Firefox => "geckodriver",
        }
    }

    /// How a user gets the driver, for the error that says it is missing.
    pub fn driver_install_hint(self) -> &'static str {
        match self {
            BrowserKind::Chromium => "install Debian's chromium-driver",
            BrowserKind::Firefox => "install it with `cargo install geckodriver`",
        }
    }

    /// The driver's flags to serve WebDriver on `127.0.0.1:port`.
    pub fn driver_args(self, port: u16) -> Vec<String> {
        match self {
            BrowserKind::Chromium => vec![format!("--port={port}")],
            // BiDi's WebSocket (the page's network) on a port of the system's choosing: two
            // Firefox sessions at once would both want the default 9222.
            BrowserKind::Firefox => vec![
                "--host".into(),
                "127.0.0.1".into(),
                "--port".into(),
                port.to_string(),
                "--websocket-port".into(),
                "0".into(),
            ],
        }
    }

    /// The browser's executables, in the order they are looked for on PATH.
    pub fn browser_names(self) -> &'static [&'static str] {
        match self {
            BrowserKind::Chromium => &[
                "chromium",
                "chromium-browser",
                "google-chrome",
                "google-chrome-stable",
            ],
            BrowserKind::Firefox => &["firefox-esr", "firefox"],
        }
    }

    /// What a headless run looks for before [`BrowserKind::browser_names`]: Chromium's
    /// headless shell (`chromium-headless-shell`, Debian's package of Chromium's old headless
    /// mode; `chrome-headless-shell`, Google's, the one Playwright runs headless by default) —
    /// the same Blink and V8 as the browser, without the browser's own UI, profile services and
    /// their processes: a journey costs it about half the CPU and its pages load sooner
    /// (BENCHMARKS.md). A headed run needs the browser.
    ///
    /// An absolute path is taken as it is. Debian's `/usr/bin/chromium-headless-shell` is a
    /// script that starts the shell without `exec`, so a signal to it never reaches the
    /// browser — nor the death signal that ends a browser with its driver when vedetta is
    /// killed: the binary it starts is looked for first.
    pub fn headless_shells(self) -> &'static [&'static str] {
        match self {
            BrowserKind::Chromium => &[
                "/usr/lib/chromium/chromium-headless-shell",
                "chromium-headless-shell",
                "chrome-headless-shell",
            ],
            BrowserKind::Firefox => &[],
        }
    }
}

impl fmt::Display for BrowserKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BrowserKind::Chromium => "chromium",
            BrowserKind::Firefox => "firefox",
        })
    }
}

impl FromStr for BrowserKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "chromium" | "chrome" => Ok(BrowserKind::Chromium),
            "firefox" => Ok(BrowserKind::Firefox),
            _ => Err(format!(
                "unknown browser `{s}`; known browsers: {}",
                BrowserKind::NAMES
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_list_the_known() {
        for kind in [BrowserKind::Chromium, BrowserKind::Firefox] {
            assert_eq!(kind.to_string().parse::<BrowserKind>(), Ok(kind));
        }
        assert_eq!("Chrome".parse::<BrowserKind>(), Ok(BrowserKind::Chromium));
        assert_eq!(
            "safari".parse::<BrowserKind>(),
            Err("unknown browser `safari`; known browsers: chromium, firefox".into())
        );
    }
}
