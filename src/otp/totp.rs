//! `otp: {from: totp}`: RFC 6238 codes (SHA-1, 6 digits, 30 s windows), as authenticator apps
//! make them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use totp_rs::{Algorithm, Secret, TOTP};

use super::OtpError;

const STEP_SECS: u64 = 30;
const DIGITS: usize = 6;
/// A code with less life left than this may expire before the site checks it: wait for the next.
pub const MIN_REMAINING: Duration = Duration::from_secs(3);

fn generator(secret_base32: &str) -> Result<TOTP, OtpError> {
    // Secrets are shown to people in groups, lower case, with padding; base32 wants none of it.
    let cleaned: String = secret_base32
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let bytes = Secret::Encoded(cleaned)
        .to_bytes()
        .ok()
        .filter(|b| !b.is_empty())
        .ok_or_else(|| OtpError::Unavailable("the TOTP secret is not valid base32".into()))?;
    // Unchecked: some services issue 80-bit secrets, shorter than RFC 4226's recommended 128.
    Ok(TOTP::new_unchecked(
        Algorithm::SHA1,
        DIGITS,
        1,
        STEP_SECS,
        bytes,
    ))
}

/// The code for Unix time `unix_secs`.
pub fn code_at(secret_base32: &str, unix_secs: u64) -> Result<String, OtpError> {
    Ok(generator(secret_base32)?.generate(unix_secs))
}

/// How long to wait at `now` (since the epoch) before generating, so that the code has at least
/// [`MIN_REMAINING`] to live; zero if it already has.
pub fn wait_before(now: Duration) -> Duration {
    let into_window =
        Duration::from_millis((now.as_millis() % (u128::from(STEP_SECS) * 1000)) as u64);
    let remaining = Duration::from_secs(STEP_SECS) - into_window;
    if remaining < MIN_REMAINING {
        remaining
    } else {
        Duration::ZERO
    }
}

pub async fn fetch(secret_base32: &str, timeout: Duration) -> Result<String, OtpError> {
    let generator = generator(secret_base32)?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let wait = wait_before(now);
    if !wait.is_zero() && wait <= timeout {
        tokio::time::sleep(wait).await;
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Ok(generator.generate(now.as_secs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_only_at_the_end_of_a_window() {
        assert_eq!(wait_before(Duration::from_secs(60)), Duration::ZERO);
        assert_eq!(wait_before(Duration::from_secs(86)), Duration::ZERO);
        assert_eq!(
            wait_before(Duration::from_millis(88_500)),
            Duration::from_millis(1_500)
        );
    }

    #[test]
    fn a_bad_secret_is_unavailable_and_not_echoed() {
        let err = code_at("not base32 !!1", 59).unwrap_err();
        assert!(matches!(err, OtpError::Unavailable(_)));
        assert!(!err.to_string().contains("!!1"));
    }
}
