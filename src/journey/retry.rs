//! `retry_delay:` — how long a journey waits before each retry (beside `retries:`). A typed
//! policy, as nextest's: a first delay, an optional backoff factor, a cap, and jitter.
//!
//! ```yaml
//! retries: 2
//! retry_delay: 5s                                   # fixed, with jitter
//! retry_delay: { delay: 2s, backoff: 2, max: 30s }  # 2s, then 4s, … at most 30s
//! ```

use std::time::Duration;

use marked_yaml::Node;

use super::duration::EXPECTED_DURATION;
use super::reader::Reader;
use super::source::SourceFile;

/// Before each retry of a journey: wait, so that a site that is restarting has the time to
/// come back (a retry 0.3 s after the failure catches nothing).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryDelay {
    /// Before the first retry.
    pub delay: Duration,
    /// Each later retry waits this many times the one before (1: always `delay`).
    pub backoff: f64,
    /// No wait is longer than this (before jitter).
    pub max: Option<Duration>,
    /// Each wait is lengthened by up to a fifth, at random: journeys that failed together
    /// (the site went down for all of them) do not all come back at the same instant. The
    /// delay is a floor: jitter never shortens it.
    pub jitter: bool,
}

/// The delay when a journey has retries and says nothing: a few seconds.
pub const DEFAULT_RETRY_DELAY: Duration = Duration::from_secs(3);
/// A delay longer than this is surely a mistake (a monitor's run would hang on it).
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(600);
pub const MAX_BACKOFF: f64 = 10.0;
/// The most jitter adds, as a fraction of the delay.
const JITTER: f64 = 0.2;

impl Default for RetryDelay {
    fn default() -> Self {
        RetryDelay {
            delay: DEFAULT_RETRY_DELAY,
            backoff: 1.0,
            max: None,
            jitter: true,
        }
    }
}

impl RetryDelay {
    /// How long to wait before retry `retry` (1: the first retry), `random` in `[0, 1)`
    /// choosing the jitter (passed in, so that this stays pure and testable).
    pub fn before_retry(&self, retry: u32, random: f64) -> Duration {
        let exponent = retry.saturating_sub(1).min(64) as i32;
        let secs = self.delay.as_secs_f64() * self.backoff.powi(exponent);
        let cap = self.max.unwrap_or(MAX_RETRY_DELAY).min(MAX_RETRY_DELAY);
        let base = if secs.is_finite() {
            Duration::from_secs_f64(secs.min(cap.as_secs_f64()))
        } else {
            cap
        };
        if self.jitter {
            base.mul_f64(1.0 + JITTER * random.clamp(0.0, 1.0))
        } else {
            base
        }
    }
}

impl Reader<'_> {
    /// `retry_delay:` — a duration, or `{delay, backoff, max, jitter}`.
    pub fn retry_delay(&mut self, f: &SourceFile, node: &Node) -> Option<RetryDelay> {
        let mut policy = RetryDelay::default();
        let Node::Mapping(map) = node else {
            policy.delay = self.retry_duration(f, node)?;
            return Some(policy);
        };
        self.unknown_keys(
            f,
            map,
            &["delay", "backoff", "max", "jitter"],
            "delay, backoff, max or jitter",
        );
        let mut ok = true;
        if let Some(n) = map.get_node("delay") {
            match self.retry_duration(f, n) {
                Some(d) => policy.delay = d,
                None => ok = false,
            }
        }
        if let Some(n) = map.get_node("backoff") {
            match self.backoff(f, n) {
                Some(b) => policy.backoff = b,
                None => ok = false,
            }
        }
        if let Some(n) = map.get_node("max") {
            match self.retry_duration(f, n) {
                Some(d) if d < policy.delay => {
                    self.error(
                        f,
                        f.pos(n),
                        "`max` is shorter than `delay`",
                        "no wait could be as long as `delay`",
                    );
                    ok = false;
                }
                Some(d) => policy.max = Some(d),
                None => ok = false,
            }
        }
        if let Some(n) = map.get_node("jitter") {
            match self.boolean(f, n) {
                Some(j) => policy.jitter = j,
                None => ok = false,
            }
        }
        ok.then_some(policy)
    }

    fn retry_duration(&mut self, f: &SourceFile, node: &Node) -> Option<Duration> {
        let d = self.duration(f, node)?;
        if d > MAX_RETRY_DELAY {
            self.error(
                f,
                f.pos(node),
                "a retry delay of more than 10m",
                format!("expected {EXPECTED_DURATION}, at most 10m"),
            );
            return None;
        }
        Some(d)
    }

    fn backoff(&mut self, f: &SourceFile, node: &Node) -> Option<f64> {
        let text = self.string(f, node, "a backoff factor")?;
        match text.trim().parse::<f64>() {
            Ok(b) if (1.0..=MAX_BACKOFF).contains(&b) => Some(b),
            _ => {
                self.error(
                    f,
                    f.pos(node),
                    format!("invalid backoff `{text}`"),
                    "expected a factor from 1 (every wait the same) to 10, like 2",
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::journey::LoadOptions;
    use crate::journey::load::parse_journey;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn a_fixed_delay_with_jitter_never_waits_less_than_asked() {
        let p = RetryDelay {
            delay: secs(2.0),
            ..RetryDelay::default()
        };
        assert_eq!(p.before_retry(1, 0.0), secs(2.0));
        assert_eq!(p.before_retry(3, 0.0), secs(2.0));
        assert_eq!(p.before_retry(1, 0.5), secs(2.2));
        assert!(p.before_retry(1, 0.999_999) < secs(2.4));
    }

    #[test]
    fn backoff_grows_each_wait_up_to_the_cap() {
        let p = RetryDelay {
            delay: secs(1.0),
            backoff: 2.0,
            max: Some(secs(5.0)),
            jitter: false,
        };
        let waits: Vec<Duration> = (1..=5).map(|n| p.before_retry(n, 0.7)).collect();
        assert_eq!(
            waits,
            [secs(1.0), secs(2.0), secs(4.0), secs(5.0), secs(5.0)]
        );
        // However large the factor and the count, never past the hard cap.
        let wild = RetryDelay {
            delay: secs(600.0),
            backoff: 10.0,
            max: None,
            jitter: false,
        };
        assert_eq!(wild.before_retry(u32::MAX, 0.0), MAX_RETRY_DELAY);
    }

    fn parse(top: &str) -> Result<RetryDelay, Vec<String>> {
        let text = format!("name: t\n{top}\nsteps:\n  - open: http://127.0.0.1:9/\n");
        parse_journey(&text, Path::new("t.yaml"), &LoadOptions::with_env([]))
            .map(|j| j.retry_delay)
            .map_err(|d| d.into_iter().map(|d| d.message).collect())
    }

    #[test]
    fn retry_delay_reads_a_duration_or_a_policy() {
        assert_eq!(parse("retries: 1").unwrap(), RetryDelay::default());
        assert_eq!(
            parse("retries: 1\nretry_delay: 5s").unwrap().delay,
            secs(5.0)
        );
        assert_eq!(
            parse("retries: 2\nretry_delay: { delay: 2s, backoff: 2, max: 30s, jitter: false }")
                .unwrap(),
            RetryDelay {
                delay: secs(2.0),
                backoff: 2.0,
                max: Some(secs(30.0)),
                jitter: false,
            }
        );
        assert_eq!(
            parse("retries: 1\nretry_delay: { delay: 5s, max: 1s, backof: 2 }").unwrap_err(),
            ["`max` is shorter than `delay`", "unknown key `backof`"]
        );
        assert_eq!(
            parse("retries: 1\nretry_delay: { backoff: 0.5 }").unwrap_err(),
            ["invalid backoff `0.5`"]
        );
        assert_eq!(
            parse("retries: 1\nretry_delay: 1h").unwrap_err(),
            ["a retry delay of more than 10m"]
        );
        assert_eq!(
            parse("retry_delay: 2s").unwrap_err(),
            ["`retry_delay` without `retries`"]
        );
    }
}
