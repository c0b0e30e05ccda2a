//! What the page logged around a failed step: the first errors in the browser's console from
//! the start of the step before it (a script that threw while the previous step loaded the
//! page is the likely cause of the spinner this step waited on) to the failure.

use std::time::SystemTime;

use crate::browser::ConsoleEntry;

/// How many errors a failure names.
const MAX_ERRORS: usize = 3;

/// The first errors in `entries` logged at or after `since`, in their short form (unmasked).
pub(crate) fn errors_since(entries: &[ConsoleEntry], since: SystemTime) -> Vec<String> {
    let since_ms = since
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let mut out: Vec<String> = Vec::new();
    for e in entries
        .iter()
        .filter(|e| e.at_ms >= since_ms && e.is_error())
    {
        let short = e.short();
        if !out.contains(&short) {
            out.push(short);
        }
        if out.len() == MAX_ERRORS {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn entry(at_ms: i64, level: &str, message: &str) -> ConsoleEntry {
        ConsoleEntry {
            at_ms,
            level: level.into(),
            source: "javascript".into(),
            message: message.into(),
        }
    }

    #[test]
    fn the_first_errors_since_the_window_began_once_each() {
        let since = SystemTime::UNIX_EPOCH + Duration::from_millis(10_000);
        let entries = [
            entry(9_999, "SEVERE", "before the window"),
            entry(10_000, "INFO", "hello"),
            entry(10_000, "SEVERE", "first"),
            entry(10_001, "SEVERE", "first"),
            entry(10_002, "WARNING", "a warning"),
            entry(10_003, "SEVERE", "second"),
            entry(10_004, "SEVERE", "third"),
            entry(10_005, "SEVERE", "fourth"),
        ];
        assert_eq!(errors_since(&entries, since), ["first", "second", "third"]);
        assert!(errors_since(&entries[..2], since).is_empty());
    }
}
