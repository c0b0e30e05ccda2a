//! UTC time as vedetta writes it: one place for every format, so reports, evidence, alerts and
//! the status page agree to the second.

use jiff::Timestamp;

/// RFC 3339 to the second, UTC: `2026-09-26T09:30:00Z` (reports, manifests, alerts).
pub fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// [`rfc3339`] of now.
pub fn now_rfc3339() -> String {
    rfc3339(Timestamp::now())
}

/// [`rfc3339`] of milliseconds since the epoch, rounded to the second; empty when out of range.
pub fn rfc3339_ms(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| rfc3339(t.round(jiff::Unit::Second).unwrap_or(t)))
        .unwrap_or_default()
}

/// For people: `2026-09-26 09:30:00 UTC` (annotated headers, the HTML report, the status page).
pub fn readable(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// [`readable`] of milliseconds since the epoch; empty when out of range.
pub fn readable_ms(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| readable(t.round(jiff::Unit::Second).unwrap_or(t)))
        .unwrap_or_default()
}

/// A run's folder name: `20260926T093000Z`.
pub fn folder_stamp(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_one_instant() {
        let t: Timestamp = "2026-09-26T09:30:00.6Z".parse().unwrap();
        assert_eq!(rfc3339(t), "2026-09-26T09:30:00Z");
        assert_eq!(rfc3339_ms(t.as_millisecond()), "2026-09-26T09:30:01Z");
        assert_eq!(readable(t), "2026-09-26 09:30:00 UTC");
        assert_eq!(readable_ms(t.as_millisecond()), "2026-09-26 09:30:01 UTC");
        assert_eq!(folder_stamp(t), "20260926T093000Z");
        assert_eq!(rfc3339_ms(i64::MAX), "");
    }
}
