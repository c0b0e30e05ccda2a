//! How often, and how patiently, a channel is tried: a fixed number of tries with a doubling
//! pause between them, and a verdict on each failure — worth another try (the other side was
//! busy or unreachable) or not (it refused what was sent: trying again would only repeat it).

use std::time::Duration;

/// Tries and back-off for one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Tries in all (at least 1).
    pub tries: u32,
    /// The pause after the first failed try; doubled after each further one.
    pub backoff: Duration,
}

impl Retry {
    pub const fn new(tries: u32, backoff: Duration) -> Retry {
        Retry { tries, backoff }
    }

    /// The pause after failed try number `attempt` (1-based).
    pub fn pause(&self, attempt: u32) -> Duration {
        self.backoff * 2u32.saturating_pow(attempt.saturating_sub(1))
    }
}

/// Whether an HTTP answer is worth trying again: the server was overloaded or failing
/// (429, 5xx), not refusing the request itself (4xx).
pub fn retryable_status(status: reqwest::StatusCode) -> bool {
    status == reqwest::StatusCode::TOO_MANY_REQUESTS
        || status == reqwest::StatusCode::REQUEST_TIMEOUT
        || status.is_server_error()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pause_doubles_and_only_busy_or_failing_servers_are_retried() {
        let r = Retry::new(4, Duration::from_millis(500));
        assert_eq!(
            (1..=3).map(|a| r.pause(a)).collect::<Vec<_>>(),
            [
                Duration::from_millis(500),
                Duration::from_secs(1),
                Duration::from_secs(2)
            ]
        );
        assert!(retryable_status(reqwest::StatusCode::TOO_MANY_REQUESTS));
        assert!(retryable_status(reqwest::StatusCode::BAD_GATEWAY));
        assert!(!retryable_status(reqwest::StatusCode::BAD_REQUEST));
        assert!(!retryable_status(reqwest::StatusCode::UNAUTHORIZED));
    }
}
