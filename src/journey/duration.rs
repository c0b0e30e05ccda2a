//! The journey language's durations: `500ms`, `15s`, `1.5s`, `2m`, `1h`, `1m30s`.

use std::time::Duration;

/// What a duration looks like, for error messages.
pub const EXPECTED_DURATION: &str = "a duration like 500ms, 15s, 1.5s, 2m or 1m30s";

/// Parses a duration: one or more `<number><unit>` parts, largest unit first, each unit at
/// most once; units `h`, `m`, `s`, `ms`; a fraction is allowed on the last part only
/// (`1.5s`, `2m0.5s`). `None` for anything else, including overflow.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut rest = s;
    let mut total_ms: u128 = 0;
    let mut last_rank = 0usize;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(digits);
        let unit_len = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let (rank, ms_per_unit): (usize, u128) = match unit {
            "h" => (1, 3_600_000),
            "m" => (2, 60_000),
            "s" => (3, 1_000),
            "ms" => (4, 1),
            _ => return None,
        };
        if rank <= last_rank {
            return None;
        }
        last_rank = rank;
        let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
        // A fraction only on the last part, with digits after the point.
        if number.contains('.') && (!after.is_empty() || frac.is_empty()) {
            return None;
        }
        if whole.is_empty() && frac.is_empty() {
            return None;
        }
        if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let whole: u128 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        total_ms = total_ms.checked_add(whole.checked_mul(ms_per_unit)?)?;
        // Fractions below a millisecond are dropped: waits are not that precise.
        let mut scale = ms_per_unit;
        for d in frac.bytes() {
            scale /= 10;
            total_ms += u128::from(d - b'0') * scale;
            if scale == 0 {
                break;
            }
        }
        rest = after;
    }
    let ms = u64::try_from(total_ms).ok()?;
    Some(Duration::from_millis(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Option<Duration> {
        Some(Duration::from_millis(n))
    }

    #[test]
    fn single_units() {
        assert_eq!(parse_duration("500ms"), ms(500));
        assert_eq!(parse_duration("15s"), ms(15_000));
        assert_eq!(parse_duration("2m"), ms(120_000));
        assert_eq!(parse_duration("1h"), ms(3_600_000));
        assert_eq!(parse_duration(" 0s "), ms(0));
    }

    #[test]
    fn compounds_and_fractions() {
        assert_eq!(parse_duration("1m30s"), ms(90_000));
        assert_eq!(parse_duration("1h2m3s4ms"), ms(3_723_004));
        assert_eq!(parse_duration("1.5s"), ms(1_500));
        assert_eq!(parse_duration("0.25s"), ms(250));
        assert_eq!(parse_duration(".5s"), ms(500));
        assert_eq!(parse_duration("1m0.5s"), ms(60_500));
        assert_eq!(parse_duration("1.5m"), ms(90_000));
        assert_eq!(parse_duration("1.0001s"), ms(1_000));
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        for bad in [
            "",
            "15",
            "s",
            "15x",
            "15 s",
            "1s1m",
            "1s1s",
            "1.5s30ms",
            "1.s",
            "1..5s",
            "-1s",
            "1e3s",
            "99999999999999999999999h",
            "1,5s",
            "15S",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }
}
