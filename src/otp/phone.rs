//! Phone numbers in the one form SMS codes are filed under. The inbox files messages by it and
//! the runner leases numbers by it, so both sides must agree: the rule lives here, with the
//! code sources, and the inbox (which implements [`super::SmsInbox`]) uses it.

/// A phone number that is not a plausible E.164 number. It comes from a request or a journey,
/// so its message shows it with control characters escaped.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "`{}` is not a phone number in international form (+ and 6 to 15 digits)",
    crate::text::escape_untrusted(.0)
)]
pub struct InvalidNumber(pub String);

/// `+39 333 000-0001`, `(+39) 3330000001` and `0039 3330000001` all become `+393330000001`:
/// providers and journey authors write numbers differently, the inbox compares one form.
pub fn normalise_number(raw: &str) -> Result<String, InvalidNumber> {
    let compact: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}'))
        .collect();
    let digits = if let Some(rest) = compact.strip_prefix('+') {
        rest
    } else if let Some(rest) = compact.strip_prefix("00") {
        rest
    } else {
        return Err(InvalidNumber(raw.to_string()));
    };
    let plausible = (6..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if plausible {
        Ok(format!("+{digits}"))
    } else {
        Err(InvalidNumber(raw.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_normalise_to_e164() {
        assert_eq!(
            normalise_number("+39 333 000-0001").unwrap(),
            "+393330000001"
        );
        assert_eq!(
            normalise_number("0039 (333) 0000001").unwrap(),
            "+393330000001"
        );
        assert!(normalise_number("3330000001").is_err());
        assert!(normalise_number("+39abc").is_err());
        assert!(normalise_number("+").is_err());
    }
}
