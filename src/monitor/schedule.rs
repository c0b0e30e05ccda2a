//! When each journey runs: `every:` a period with jitter, or `cron:` (five or six fields, UTC).
//!
//! `every` keeps a fixed grid (`origin + n × period`) and starts each run at a random point of
//! the first `jitter` of its slot, so journeys started together by the daemon spread out and
//! stay spread, and a run never drifts later and later. A run that overruns its slot makes the
//! ticks it covered be skipped, never queued: at most one run of a journey at a time.

use std::time::{Duration, Instant};

use croner::Cron;
use jiff::Timestamp;
use rand::Rng;

/// How often a journey runs.
#[derive(Debug, Clone)]
pub enum Schedule {
    Every {
        period: Duration,
        jitter: Duration,
    },
    Cron {
        cron: Box<Cron>,
        /// As written in the config.
        pattern: String,
        jitter: Duration,
    },
}

impl Schedule {
    /// The jitter an `every:` gets when the config names none: a tenth of the period, at most
    /// 30 seconds.
    pub fn default_jitter(period: Duration) -> Duration {
        (period / 10).min(Duration::from_secs(30))
    }

    /// `every 1m (jitter 6s)`, `cron */5 * * * *`: for the status page and the API.
    pub fn describe(&self) -> String {
        match self {
            Schedule::Every { period, jitter } => {
                format!("every {} (jitter {})", human(*period), human(*jitter))
            }
            Schedule::Cron {
                pattern, jitter, ..
            } if jitter.is_zero() => format!("cron {pattern}"),
            Schedule::Cron {
                pattern, jitter, ..
            } => {
                format!("cron {pattern} (jitter {})", human(*jitter))
            }
        }
    }

    /// Parses a cron pattern: 5 fields (minutes) or 6 (seconds first); `@hourly` and the like.
    pub fn parse_cron(pattern: &str) -> Result<Cron, String> {
        croner::parser::CronParser::new()
            .parse(pattern.trim())
            .map_err(|e| e.to_string())
    }
}

/// A journey's run times, one after the other.
#[derive(Debug)]
pub struct Ticker {
    schedule: Schedule,
    origin: Instant,
    /// The `every` slot the next run belongs to.
    slot: u64,
}

impl Ticker {
    pub fn new(schedule: Schedule, origin: Instant) -> Ticker {
        Ticker {
            schedule,
            origin,
            slot: 0,
        }
    }

    /// When the next run starts, `now` being the monotonic time and `wall` the same moment in
    /// UTC (cron reads the calendar). Never earlier than `now`.
    pub fn next(&mut self, now: Instant, wall: Timestamp, rng: &mut impl Rng) -> Instant {
        match &self.schedule {
            Schedule::Every { period, jitter } => {
                let period = (*period).max(Duration::from_millis(1));
                let elapsed = now.saturating_duration_since(self.origin);
                // Skip slots that are over already (a run went long): no catching up.
                let current = (elapsed.as_nanos() / period.as_nanos()) as u64;
                if self.slot < current {
                    self.slot = current;
                }
                let slot_start = self.origin + period * (self.slot as u32);
                self.slot += 1;
                let fire = slot_start + random_up_to(*jitter, rng);
                fire.max(now)
            }
            Schedule::Cron { cron, jitter, .. } => {
                let zoned = wall.to_zoned(jiff::tz::TimeZone::UTC);
                let wait = match cron.find_next_occurrence(&zoned, false) {
                    Ok(next) => {
                        let ms = next.timestamp().as_millisecond() - wall.as_millisecond();
                        Duration::from_millis(ms.max(0) as u64)
                    }
                    // A pattern that never matches again (a past year): check back daily.
                    Err(_) => Duration::from_secs(24 * 3600),
                };
                now + wait + random_up_to(*jitter, rng)
            }
        }
    }
}

fn random_up_to(max: Duration, rng: &mut impl Rng) -> Duration {
    if max.is_zero() {
        return Duration::ZERO;
    }
    Duration::from_millis(rng.gen_range(0..=max.as_millis() as u64))
}

/// `90s` → `1m30s`, `500ms`, `0s`.
pub fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms == 0 {
        return "0s".into();
    }
    if !ms.is_multiple_of(1000) {
        return if ms < 1000 {
            format!("{ms}ms")
        } else {
            format!("{:.1}s", d.as_secs_f64())
        };
    }
    let s = d.as_secs();
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 {
        out.push_str(&format!("{s}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn every_runs_within_the_first_jitter_of_each_slot() {
        let period = Duration::from_secs(60);
        let jitter = Duration::from_secs(10);
        let origin = Instant::now();
        let mut rng = StdRng::seed_from_u64(7);
        let mut ticker = Ticker::new(Schedule::Every { period, jitter }, origin);
        let mut offsets = Vec::new();
        let mut now = origin;
        for n in 0..200u32 {
            let fire = ticker.next(now, Timestamp::now(), &mut rng);
            let slot = origin + period * n;
            assert!(
                fire >= slot && fire <= slot + jitter,
                "run {n} outside its slot's jitter"
            );
            offsets.push(fire - slot);
            now = fire + Duration::from_secs(3); // a short run
        }
        // Spread, not all at one point.
        let min = offsets.iter().min().unwrap();
        let max = offsets.iter().max().unwrap();
        assert!(*max - *min > Duration::from_secs(5));
    }

    #[test]
    fn a_run_longer_than_the_period_skips_ticks_instead_of_queueing_them() {
        let period = Duration::from_secs(10);
        let origin = Instant::now();
        let mut rng = StdRng::seed_from_u64(1);
        let mut ticker = Ticker::new(
            Schedule::Every {
                period,
                jitter: Duration::ZERO,
            },
            origin,
        );
        assert_eq!(ticker.next(origin, Timestamp::now(), &mut rng), origin);
        // The first run took 35 s: the next starts at the 40 s tick, not at 10 s, 20 s, 30 s.
        let now = origin + Duration::from_secs(35);
        let next = ticker.next(now, Timestamp::now(), &mut rng);
        assert_eq!(next, now, "slot 3 (30 s) is still open: start at once");
        let after = ticker.next(now + Duration::from_secs(1), Timestamp::now(), &mut rng);
        assert_eq!(after, origin + Duration::from_secs(40));
    }

    #[test]
    fn cron_waits_for_the_next_matching_time() {
        let cron = Schedule::parse_cron("*/5 * * * *").unwrap();
        let mut ticker = Ticker::new(
            Schedule::Cron {
                cron: Box::new(cron),
                pattern: String::new(),
                jitter: Duration::ZERO,
            },
            Instant::now(),
        );
        let wall: Timestamp = "2026-11-25T17:03:20Z".parse().unwrap();
        let now = Instant::now();
        let fire = ticker.next(now, wall, &mut StdRng::seed_from_u64(0));
        assert_eq!(fire - now, Duration::from_secs(100));
        // Six fields: seconds first.
        let cron = Schedule::parse_cron("*/15 * * * * *").unwrap();
        let mut ticker = Ticker::new(
            Schedule::Cron {
                cron: Box::new(cron),
                pattern: String::new(),
                jitter: Duration::ZERO,
            },
            now,
        );
        assert_eq!(
            ticker.next(now, wall, &mut StdRng::seed_from_u64(0)) - now,
            Duration::from_secs(10)
        );
        assert!(Schedule::parse_cron("61 * * * *").is_err());
    }

    #[test]
    fn default_jitter_is_a_tenth_up_to_30s() {
        assert_eq!(
            Schedule::default_jitter(Duration::from_secs(60)),
            Duration::from_secs(6)
        );
        assert_eq!(
            Schedule::default_jitter(Duration::from_secs(3600)),
            Duration::from_secs(30)
        );
        assert_eq!(human(Duration::from_secs(90)), "1m30s");
        assert_eq!(human(Duration::from_millis(500)), "500ms");
    }
}
