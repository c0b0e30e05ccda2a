//! WebDriver commands fantoccini has no method for, or whose method costs a round trip more:
//! each a POST to `session/{id}/{path}` with a JSON body.

use serde_json::{Value as Json, json};

#[derive(Debug)]
pub(super) struct SessionPost {
    path: &'static str,
    body: Json,
}

impl SessionPost {
    /// chromedriver's (non-W3C) log endpoint: `browser` is the page's console, `performance`
    /// the DevTools events.
    pub(super) fn se_log(kind: &str) -> SessionPost {
        SessionPost {
            path: "se/log",
            body: json!({ "type": kind }),
        }
    }

    /// A DevTools Protocol command through chromedriver.
    pub(super) fn cdp(cmd: &str, params: Json) -> SessionPost {
        SessionPost {
            path: "goog/cdp/execute",
            body: json!({ "cmd": cmd, "params": params }),
        }
    }

    /// WebDriver's Navigate To, with a URL that is absolute already — not `Client::goto`, which
    /// first asks the driver for the current URL to resolve a relative one against.
    pub(super) fn navigate(url: &str) -> SessionPost {
        SessionPost {
            path: "url",
            body: json!({ "url": url }),
        }
    }
}

impl fantoccini::wd::WebDriverCompatibleCommand for SessionPost {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(self.body.to_string()))
    }
}
