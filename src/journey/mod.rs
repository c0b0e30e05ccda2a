//! The journey language: text in, a typed [`model::Journey`] (or diagnostics) out.
//! Pure: no browser, no network, no async.

pub mod model;

use std::time::Duration;

/// Parses the journey language's duration form: `500ms`, `15s`, `2m`, `1h`, `1m30s`.
/// (Placeholder until the parser lands; the parser module owns this.)
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = num.parse().ok()?;
    match unit {
        "ms" => Some(Duration::from_millis(n)),
        "s" => Some(Duration::from_secs(n)),
        "m" => Some(Duration::from_secs(n * 60)),
        "h" => Some(Duration::from_secs(n * 3600)),
        _ => None,
    }
}
