//! The browser console's entries, as chromedriver keeps them (`goog:loggingPrefs`) or Firefox
//! sends them over WebDriver BiDi (`log.entryAdded`): each a line of the evidence folder's
//! console log, and the errors among them in a short form for a failure's message.

/// How long one entry may be in its short form.
const SHORT_MAX_CHARS: usize = 200;

/// One console entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleEntry {
    /// When the page logged it, in milliseconds since the Unix epoch (the browser's clock).
    pub at_ms: i64,
    /// `SEVERE`, `WARNING`, `INFO`, `DEBUG`.
    pub level: String,
    /// What logged it: `javascript` (an uncaught exception), `network` (a failed load),
    /// `console-api` (`console.error(…)`), …
    pub source: String,
    /// chromedriver's text: `URL LINE:COL message` or `URL - message`.
    pub message: String,
}

impl ConsoleEntry {
    /// A BiDi `log.entryAdded` event's `params`, written as chromedriver writes its entries
    /// (`URL LINE:COL text`, the line counted from 0 as both count it), so that both browsers'
    /// entries read alike.
    pub(super) fn from_bidi(params: &serde_json::Value) -> ConsoleEntry {
        let text = params["text"].as_str().unwrap_or_default();
        let frame = &params["stackTrace"]["callFrames"][0];
        let message = match frame["url"].as_str().filter(|u| u.contains("://")) {
            Some(url) => format!(
                "{url} {}:{} {text}",
                frame["lineNumber"].as_u64().unwrap_or(0),
                frame["columnNumber"].as_u64().unwrap_or(0)
            ),
            None => text.to_string(),
        };
        let level = match params["level"].as_str().unwrap_or_default() {
            "error" => "SEVERE",
            "warn" => "WARNING",
            "debug" => "DEBUG",
            _ => "INFO",
        };
        let source = match params["type"].as_str().unwrap_or_default() {
            "console" => "console-api",
            "" => "other",
            other => other,
        };
        ConsoleEntry {
            at_ms: params["timestamp"].as_i64().unwrap_or(0),
            level: level.to_string(),
            source: source.to_string(),
            message,
        }
    }

    /// The evidence folder's line: `2026-09-26T11:30:12.345Z SEVERE message`.
    pub fn line(&self) -> String {
        let at = jiff::Timestamp::from_millisecond(self.at_ms)
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
            .unwrap_or_default();
        format!("{at} {} {}", self.level, self.message)
    }

    /// An error the page logged, worth naming in a failure. A missing favicon is noise.
    pub fn is_error(&self) -> bool {
        self.level == "SEVERE"
            && !(self.source == "network" && self.message.contains("/favicon.ico "))
    }

    /// The entry as a person reads it in the browser's console, with where it came from:
    /// `Uncaught TypeError: x is undefined (app.js:12)`,
    /// `Failed to load resource: … 404 (Not Found) (/static/app.js)`.
    pub fn short(&self) -> String {
        let (source, text) = split_source(&self.message);
        let text = if self.source == "console-api" {
            unquote_arguments(text).into()
        } else {
            std::borrow::Cow::Borrowed(text)
        };
        let short = match source {
            Some(Source { url, line }) => {
                let at = match line {
                    Some(line) => format!("{}:{line}", file_name(url)),
                    None => url_path(url).to_string(),
                };
                format!("{text} ({at})")
            }
            None => text.to_string(),
        };
        crate::text::truncate_chars(&short, SHORT_MAX_CHARS - 1)
    }
}

/// Where chromedriver says an entry came from: the URL, and the line for script entries
/// (chromedriver counts from 0, the browser's console from 1: this is the console's number).
struct Source<'a> {
    url: &'a str,
    line: Option<u64>,
}

/// `URL LINE:COL text` → (URL, LINE), text; `URL - text` → (URL), text; else the whole text.
fn split_source(message: &str) -> (Option<Source<'_>>, &str) {
    let Some((url, rest)) = message.split_once(' ') else {
        return (None, message);
    };
    if !url.contains("://") {
        return (None, message);
    }
    if let Some(text) = rest.strip_prefix("- ") {
        return (Some(Source { url, line: None }), text);
    }
    if let Some((pos, text)) = rest.split_once(' ')
        && let Some((line, col)) = pos.split_once(':')
        && let Ok(line) = line.parse::<u64>()
        && col.bytes().all(|b| b.is_ascii_digit())
    {
        return (
            Some(Source {
                url,
                line: Some(line + 1),
            }),
            text,
        );
    }
    (None, message)
}

/// `console.error("text", 42, obj)` is logged as `"text" 42 Object`: its strings without the
/// quotes, as the browser's console shows them.
fn unquote_arguments(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let mut strings = serde_json::Deserializer::from_str(rest).into_iter::<String>();
        let (arg, used) = match strings.next() {
            Some(Ok(s)) if rest.starts_with('"') => (s, strings.byte_offset()),
            _ => {
                let end = rest.find(' ').unwrap_or(rest.len());
                (rest[..end].to_string(), end)
            }
        };
        out.push(arg);
        rest = rest[used..].trim_start();
    }
    out.join(" ")
}

/// `http://h/a/app.js?v=1` → `/a/app.js?v=1` (the origin is the page's, mostly).
fn url_path(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    match after_scheme.find('/') {
        Some(i) => &after_scheme[i..],
        None => url,
    }
}

/// `http://h/a/app.js?v=1` → `app.js`.
fn file_name(url: &str) -> &str {
    let path = url_path(url);
    let path = path.split(['?', '#']).next().unwrap_or(path);
    match path.rsplit('/').next() {
        Some(name) if !name.is_empty() => name,
        _ => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(level: &str, source: &str, message: &str) -> ConsoleEntry {
        ConsoleEntry {
            at_ms: 1_790_000_000_000,
            level: level.into(),
            source: source.into(),
            message: message.into(),
        }
    }

    #[test]
    fn firefox_s_entries_read_as_chromium_s() {
        let thrown = ConsoleEntry::from_bidi(&serde_json::json!({
            "type": "javascript", "level": "error", "timestamp": 1_796_667_381_381_i64,
            "text": "TypeError: can't access property \"balance\", window.account is undefined",
            "stackTrace": { "callFrames": [{ "url": "http://127.0.0.1:8765/broken.html",
                                             "lineNumber": 0, "columnNumber": 181 }] } }));
        assert!(thrown.is_error());
        assert_eq!(thrown.source, "javascript");
        assert_eq!(
            thrown.short(),
            "TypeError: can't access property \"balance\", window.account is undefined (broken.html:1)"
        );
        let logged = ConsoleEntry::from_bidi(&serde_json::json!({
            "type": "console", "method": "warn", "level": "warn", "timestamp": 1_796_667_381_380_i64,
            "text": "slow answer 503" }));
        assert!(!logged.is_error());
        assert_eq!(
            (logged.level.as_str(), logged.source.as_str()),
            ("WARNING", "console-api")
        );
        assert_eq!(logged.short(), "slow answer 503");
        assert_eq!(
            logged.line(),
            "2026-12-07T18:16:21.380Z WARNING slow answer 503"
        );
    }

    #[test]
    fn errors_read_as_in_the_browsers_console_with_where_they_came_from() {
        let thrown = entry(
            "SEVERE",
            "javascript",
            "http://127.0.0.1:8765/account/page.html?x=1 1:72 Uncaught TypeError: Cannot read properties of null (reading 'x')",
        );
        assert!(thrown.is_error());
        assert_eq!(
            thrown.short(),
            "Uncaught TypeError: Cannot read properties of null (reading 'x') (page.html:2)"
        );
        let missing = entry(
            "SEVERE",
            "network",
            "http://127.0.0.1:8765/static/app.js - Failed to load resource: the server responded with a status of 404 (Not Found)",
        );
        assert_eq!(
            missing.short(),
            "Failed to load resource: the server responded with a status of 404 (Not Found) (/static/app.js)"
        );
        let logged = entry(
            "SEVERE",
            "console-api",
            r#"http://127.0.0.1:8765/page.html 1:16 "balance \"failed\"""#,
        );
        assert_eq!(logged.short(), r#"balance "failed" (page.html:2)"#);
        let several = entry(
            "SEVERE",
            "console-api",
            r#"http://h/app.js 9:2 "save failed:" 503 Object "{\"error\":\"down\"}""#,
        );
        assert_eq!(
            several.short(),
            r#"save failed: 503 Object {"error":"down"} (app.js:10)"#
        );
        assert_eq!(
            entry("SEVERE", "other", "plain words").short(),
            "plain words"
        );
        let long = entry("SEVERE", "javascript", &"x".repeat(500)).short();
        assert!(long.chars().count() <= SHORT_MAX_CHARS, "{long}");
    }

    #[test]
    fn warnings_and_a_missing_favicon_are_not_errors() {
        assert!(!entry("WARNING", "javascript", "deprecated").is_error());
        assert!(
            !entry(
                "SEVERE",
                "network",
                "http://h/favicon.ico - Failed to load resource: the server responded with a status of 404 (Not Found)"
            )
            .is_error()
        );
    }

    #[test]
    fn the_evidence_line_has_the_time_level_and_message() {
        let e = entry("SEVERE", "javascript", "boom");
        assert_eq!(e.line(), "2026-09-21T14:13:20.000Z SEVERE boom");
    }
}
