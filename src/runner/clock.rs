//! The run's clock, as the reports write it.

/// Now, RFC 3339 UTC to the second: `2026-11-25T17:15:00Z`.
pub(crate) fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}
