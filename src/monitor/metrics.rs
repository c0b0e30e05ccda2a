//! `/metrics` in Prometheus' text exposition format (version 0.0.4).
//!
//! Written by hand rather than with a client crate: the format is a few lines per family, the
//! series are fixed per journey (no registry needed), and the one subtle part — escaping label
//! values — is done and tested here. State is bounded: per journey a fixed histogram, a counter
//! per failure category and status, and the steps of the last run only.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::state::Health;
use super::store::{RunRow, RunStatus};
use crate::runner::result::SlowStep;

/// Upper bounds (seconds) of the run-duration histogram's buckets.
pub const DURATION_BUCKETS: [f64; 10] =
    [1.0, 2.5, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0];

/// A journey's counters and timings. Whether it is up, down or blind is its
/// [`Health`](super::state::Health), given to [`Metrics::render`].
#[derive(Debug, Clone, Default)]
pub struct JourneyMetrics {
    pub last_run_s: Option<f64>,
    pub last_success_s: Option<f64>,
    pub bucket_counts: [u64; DURATION_BUCKETS.len()],
    pub duration_count: u64,
    pub duration_sum_s: f64,
    /// Steps of the last run: (index, name, seconds).
    pub steps: Vec<(usize, String, f64)>,
    /// Steps of the last run that loaded a document: (index, name, seconds to its first byte).
    pub ttfb: Vec<(usize, String, f64)>,
    pub failures: BTreeMap<String, u64>,
    pub runs: BTreeMap<&'static str, u64>,
    /// What was slow in the last run that reached the site (empty: nothing).
    pub slow: Vec<SlowStep>,
    /// How long the last run waited for a browser to start, apart from its own duration
    /// (0 when a warm browser served it).
    pub browser_start_s: Option<f64>,
}

impl JourneyMetrics {
    /// After a restart: the last run's and the last success's times, from the history (the
    /// counters start again from zero, as Prometheus expects of a restarted process).
    pub fn restore(last_runs: &[RunRow], last_success_ms: Option<i64>) -> JourneyMetrics {
        JourneyMetrics {
            last_run_s: last_runs
                .iter()
                .find(|r| r.status != RunStatus::Cancelled)
                .map(|r| r.finished_at_ms as f64 / 1000.0),
            last_success_s: last_success_ms.map(|ms| ms as f64 / 1000.0),
            ..JourneyMetrics::default()
        }
    }
}

/// Every journey's metrics at each location it runs from (journey, location).
#[derive(Debug, Default)]
pub struct Metrics {
    pub journeys: BTreeMap<(String, String), JourneyMetrics>,
    /// What each location sees of each journey (journey, location), with several locations:
    /// `vedetta_location_state`.
    pub seen: BTreeMap<(String, String), super::locations::Seen>,
    /// The warm browsers' counts after the last run (`None`: no pool, or no run yet).
    pub browsers: Option<crate::browser::PoolStats>,
}

/// A finished run, as metrics see it.
pub struct RunSample<'a> {
    pub status: &'static str,
    pub finished_s: f64,
    pub duration_s: f64,
    pub failure_category: Option<&'a str>,
    pub steps: Vec<(usize, String, f64)>,
    /// The steps that loaded a document, with its time to first byte in seconds.
    pub ttfb: Vec<(usize, String, f64)>,
}

impl Metrics {
    /// The journey's metrics at the `local` location (a monitor without `locations:`).
    pub fn journey(&mut self, name: &str) -> &mut JourneyMetrics {
        self.at(name, super::locations::LOCAL)
    }

    pub fn at(&mut self, name: &str, location: &str) -> &mut JourneyMetrics {
        self.journeys
            .entry((name.to_string(), location.to_string()))
            .or_default()
    }

    pub fn observe(&mut self, journey: &str, run: RunSample<'_>) {
        self.observe_at(journey, super::locations::LOCAL, run)
    }

    pub fn observe_at(&mut self, journey: &str, location: &str, run: RunSample<'_>) {
        let m = self.at(journey, location);
        *m.runs.entry(run.status).or_default() += 1;
        if run.status == "cancelled" {
            return;
        }
        m.last_run_s = Some(run.finished_s);
        if matches!(run.status, "passed" | "flaky") {
            m.last_success_s = Some(run.finished_s);
        }
        if let Some(category) = run.failure_category {
            *m.failures.entry(category.to_string()).or_default() += 1;
        }
        if run.status != "error" {
            for (i, bound) in DURATION_BUCKETS.iter().enumerate() {
                if run.duration_s <= *bound {
                    m.bucket_counts[i] += 1;
                }
            }
            m.duration_count += 1;
            m.duration_sum_s += run.duration_s;
            m.steps = run.steps;
            m.ttfb = run.ttfb;
        }
    }

    /// What was slow in a run that reached the site (passed, flaky or failed); the last such
    /// run's list replaces the one before.
    pub fn observe_slow(&mut self, journey: &str, status: &str, slow: &[SlowStep]) {
        self.observe_slow_at(journey, super::locations::LOCAL, status, slow)
    }

    pub fn observe_slow_at(
        &mut self,
        journey: &str,
        location: &str,
        status: &str,
        slow: &[SlowStep],
    ) {
        if matches!(status, "passed" | "flaky" | "failed") {
            self.at(journey, location).slow = slow.to_vec();
        }
    }

    /// How long a run waited for its browser to start, kept apart from the journey's
    /// duration (which is the site's time).
    pub fn observe_browser_start(&mut self, journey: &str, seconds: f64) {
        self.observe_browser_start_at(journey, super::locations::LOCAL, seconds)
    }

    pub fn observe_browser_start_at(&mut self, journey: &str, location: &str, seconds: f64) {
        self.at(journey, location).browser_start_s = Some(seconds);
    }

    /// The exposition text, with each journey's up and alert gauges from `health` (none in
    /// maintenance).
    pub fn render(&self, health: &BTreeMap<String, Health>) -> String {
        self.render_with(health, &std::collections::BTreeSet::new())
    }

    /// [`render`](Self::render), `maintenance` naming the journeys a maintenance window holds.
    pub fn render_with(
        &self,
        health: &BTreeMap<String, Health>,
        maintenance: &std::collections::BTreeSet<String>,
    ) -> String {
        let mut out = String::new();
        let j = &self.journeys;
        family(
            &mut out,
            "vedetta_journey_up",
            "gauge",
            "1 if the journey's last run that reached the site passed, 0 if it failed.",
        );
        for (name, h) in health {
            if let Some(up) = h.up {
                sample(
                    &mut out,
                    "vedetta_journey_up",
                    &[("journey", name)],
                    if up { 1.0 } else { 0.0 },
                );
            }
        }
        family(
            &mut out,
            "vedetta_journey_state",
            "gauge",
            "The site's state by the alerts: 0 up, 1 degraded (slow), 2 down.",
        );
        for (name, h) in health {
            let state = if h.down {
                Some(2.0)
            } else if h.degraded {
                Some(1.0)
            } else {
                h.up.map(|_| 0.0)
            };
            if let Some(state) = state {
                sample(
                    &mut out,
                    "vedetta_journey_state",
                    &[("journey", name)],
                    state,
                );
            }
        }
        family(
            &mut out,
            "vedetta_journey_maintenance",
            "gauge",
            "1 while a maintenance window holds the journey: its runs are recorded, no alert is sent.",
        );
        for name in health.keys() {
            sample(
                &mut out,
                "vedetta_journey_maintenance",
                &[("journey", name)],
                maintenance.contains(name) as u8 as f64,
            );
        }
        family(
            &mut out,
            "vedetta_journey_alert",
            "gauge",
            "1 while an alert is on: kind down (the site fails), degraded (the site is slow) or blind (the monitor cannot run the journey).",
        );
        for (name, h) in health {
            for (kind, on) in [
                ("down", h.down),
                ("degraded", h.degraded),
                ("blind", h.blind),
            ] {
                sample(
                    &mut out,
                    "vedetta_journey_alert",
                    &[("journey", name), ("kind", kind)],
                    on as u8 as f64,
                );
            }
        }
        family(
            &mut out,
            "vedetta_journey_last_run_timestamp_seconds",
            "gauge",
            "When the journey's last run finished (Unix time).",
        );
        for ((name, loc), m) in j {
            if let Some(t) = m.last_run_s {
                sample(
                    &mut out,
                    "vedetta_journey_last_run_timestamp_seconds",
                    &[("journey", name), ("location", loc)],
                    t,
                );
            }
        }
        family(
            &mut out,
            "vedetta_journey_last_success_timestamp_seconds",
            "gauge",
            "When the journey last passed (Unix time).",
        );
        for ((name, loc), m) in j {
            if let Some(t) = m.last_success_s {
                sample(
                    &mut out,
                    "vedetta_journey_last_success_timestamp_seconds",
                    &[("journey", name), ("location", loc)],
                    t,
                );
            }
        }
        family(
            &mut out,
            "vedetta_journey_duration_seconds",
            "histogram",
            "How long runs that reached the site took.",
        );
        for ((name, loc), m) in j {
            for (bound, count) in DURATION_BUCKETS.iter().zip(m.bucket_counts) {
                let le = format_value(*bound);
                sample(
                    &mut out,
                    "vedetta_journey_duration_seconds_bucket",
                    &[("journey", name), ("location", loc), ("le", &le)],
                    count as f64,
                );
            }
            sample(
                &mut out,
                "vedetta_journey_duration_seconds_bucket",
                &[("journey", name), ("location", loc), ("le", "+Inf")],
                m.duration_count as f64,
            );
            sample(
                &mut out,
                "vedetta_journey_duration_seconds_sum",
                &[("journey", name), ("location", loc)],
                m.duration_sum_s,
            );
            sample(
                &mut out,
                "vedetta_journey_duration_seconds_count",
                &[("journey", name), ("location", loc)],
                m.duration_count as f64,
            );
        }
        family(
            &mut out,
            "vedetta_journey_step_duration_seconds",
            "gauge",
            "How long each step took in the journey's last run.",
        );
        for ((name, loc), m) in j {
            for (index, step, secs) in &m.steps {
                let index = index.to_string();
                sample(
                    &mut out,
                    "vedetta_journey_step_duration_seconds",
                    &[
                        ("journey", name),
                        ("location", loc),
                        ("step_index", &index),
                        ("step", step),
                    ],
                    *secs,
                );
            }
        }
        family(
            &mut out,
            "vedetta_journey_step_ttfb_seconds",
            "gauge",
            "Time to the first byte of the document each step loaded, in the journey's last run.",
        );
        for ((name, loc), m) in j {
            for (index, step, secs) in &m.ttfb {
                let index = index.to_string();
                sample(
                    &mut out,
                    "vedetta_journey_step_ttfb_seconds",
                    &[
                        ("journey", name),
                        ("location", loc),
                        ("step_index", &index),
                        ("step", step),
                    ],
                    *secs,
                );
            }
        }
        family(
            &mut out,
            "vedetta_journey_slow_step_duration_seconds",
            "gauge",
            "Steps slower than their slow: threshold in the journey's last run, and how long they took (step_index 0: the journey's steps together).",
        );
        for ((name, loc), m) in j {
            for s in &m.slow {
                let index = s.index.to_string();
                sample(
                    &mut out,
                    "vedetta_journey_slow_step_duration_seconds",
                    &[
                        ("journey", name),
                        ("location", loc),
                        ("step_index", &index),
                        ("step", &s.name),
                    ],
                    s.duration_ms as f64 / 1000.0,
                );
            }
        }
        family(
            &mut out,
            "vedetta_journey_slow_step_threshold_seconds",
            "gauge",
            "The slow: threshold of each step in vedetta_journey_slow_step_duration_seconds.",
        );
        for ((name, loc), m) in j {
            for s in &m.slow {
                let index = s.index.to_string();
                sample(
                    &mut out,
                    "vedetta_journey_slow_step_threshold_seconds",
                    &[
                        ("journey", name),
                        ("location", loc),
                        ("step_index", &index),
                        ("step", &s.name),
                    ],
                    s.threshold_ms as f64 / 1000.0,
                );
            }
        }
        family(
            &mut out,
            "vedetta_journey_failures_total",
            "counter",
            "Failed runs since the monitor started, by failure category.",
        );
        for ((name, loc), m) in j {
            for (category, n) in &m.failures {
                sample(
                    &mut out,
                    "vedetta_journey_failures_total",
                    &[("journey", name), ("location", loc), ("category", category)],
                    *n as f64,
                );
            }
        }
        family(
            &mut out,
            "vedetta_journey_runs_total",
            "counter",
            "Runs since the monitor started, by status.",
        );
        for ((name, loc), m) in j {
            for (status, n) in &m.runs {
                sample(
                    &mut out,
                    "vedetta_journey_runs_total",
                    &[("journey", name), ("location", loc), ("status", status)],
                    *n as f64,
                );
            }
        }
        if !self.seen.is_empty() {
            family(
                &mut out,
                "vedetta_location_state",
                "gauge",
                "What each location sees of the journey: 0 up, 1 degraded (slow), 2 down, 3 blind (it cannot run the journey). The journey's own alerts take the locations' verdict (alerts.locations).",
            );
            for ((name, loc), seen) in &self.seen {
                if let Some(v) = seen.gauge() {
                    sample(
                        &mut out,
                        "vedetta_location_state",
                        &[("journey", name), ("location", loc)],
                        v,
                    );
                }
            }
        }
        // Only once a run has measured it, so that a monitor before its first run says nothing.
        if j.values().any(|m| m.browser_start_s.is_some()) {
            family(
                &mut out,
                "vedetta_browser_start_seconds",
                "gauge",
                "How long the journey's last run waited for a browser to start (0: a warm one); \
                 not part of vedetta_journey_duration_seconds.",
            );
            for ((name, loc), m) in j {
                if let Some(s) = m.browser_start_s {
                    sample(
                        &mut out,
                        "vedetta_browser_start_seconds",
                        &[("journey", name), ("location", loc)],
                        s,
                    );
                }
            }
        }
        if let Some(b) = self.browsers {
            family(
                &mut out,
                "vedetta_browsers_started_total",
                "counter",
                "Warm browsers started to serve journeys' browser contexts.",
            );
            sample(
                &mut out,
                "vedetta_browsers_started_total",
                &[],
                b.started.into(),
            );
            family(
                &mut out,
                "vedetta_browsers_retired_total",
                "counter",
                "Warm browsers retired: worn out, in trouble, or idle too long.",
            );
            sample(
                &mut out,
                "vedetta_browsers_retired_total",
                &[],
                b.retired.into(),
            );
        }
        out
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(
        out,
        "# HELP {name} {}",
        help.replace('\\', "\\\\").replace('\n', "\\n")
    );
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: f64) {
    out.push_str(name);
    if !labels.is_empty() {
        out.push('{');
        for (i, (k, v)) in labels.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{k}=\"{}\"", escape_label(v));
        }
        out.push('}');
    }
    let _ = writeln!(out, " {}", format_value(value));
}

/// Label values escape `\`, `"` and line feeds; nothing else.
pub fn escape_label(v: &str) -> String {
    let mut s = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s
}

fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::alert::{AlertRules, AlertState};

    #[test]
    fn the_browser_s_start_is_a_gauge_of_its_own_once_a_run_measured_it() {
        let mut m = Metrics::default();
        m.journey("card");
        let health = BTreeMap::new();
        assert!(!m.render(&health).contains("vedetta_browser_start_seconds"));
        m.observe_browser_start("card", 1.25);
        let text = m.render(&health);
        assert!(
            text.contains("# TYPE vedetta_browser_start_seconds gauge\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "vedetta_browser_start_seconds{journey=\"card\",location=\"local\"} 1.25\n"
            ),
            "{text}"
        );
        m.observe_browser_start("card", 0.0);
        assert!(
            m.render(&health)
                .contains("vedetta_browser_start_seconds{journey=\"card\",location=\"local\"} 0\n")
        );
    }

    #[test]
    fn warm_browsers_started_and_retired_are_counters_once_a_pool_served_a_run() {
        let mut m = Metrics::default();
        let health = BTreeMap::new();
        assert!(!m.render(&health).contains("vedetta_browsers_"));
        m.browsers = Some(crate::browser::PoolStats {
            started: 3,
            retired: 2,
            made_ahead: 0,
            idle: 1,
            in_use: 0,
            contexts: Some(true),
        });
        let text = m.render(&health);
        assert!(
            text.contains(
                "# TYPE vedetta_browsers_started_total counter\nvedetta_browsers_started_total 3\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "# TYPE vedetta_browsers_retired_total counter\nvedetta_browsers_retired_total 2\n"
            ),
            "{text}"
        );
    }

    /// The metrics and the journey's health, as the daemon keeps them after each run.
    #[derive(Default)]
    struct Card {
        metrics: Metrics,
        health: Health,
    }

    impl Card {
        fn observe(&mut self, _: &str, run: RunSample<'_>) {
            let status = RunStatus::parse(run.status);
            self.metrics.observe("card", run);
            let no_alerts = AlertState::new(AlertRules::default());
            self.health.observe(status, &no_alerts);
        }

        fn render(&self) -> String {
            self.metrics
                .render(&BTreeMap::from([("card".to_string(), self.health)]))
        }
    }

    #[test]
    fn up_histogram_failures_and_escaping() {
        let mut m = Card::default();
        m.observe(
            "card",
            RunSample {
                status: "failed",
                finished_s: 100.0,
                duration_s: 3.5,
                failure_category: Some("outage"),
                steps: vec![(1, "open \"home\"\npage".into(), 0.25)],
                ttfb: vec![(1, "open \"home\"\npage".into(), 0.05)],
            },
        );
        let text = m.render();
        assert!(
            text.contains("vedetta_journey_up{journey=\"card\"} 0\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "vedetta_journey_failures_total{journey=\"card\",location=\"local\",category=\"outage\"} 1\n"
            )
        );
        assert!(
            text.contains(
                "vedetta_journey_duration_seconds_bucket{journey=\"card\",location=\"local\",le=\"2.5\"} 0\n"
            )
        );
        assert!(
            text.contains("vedetta_journey_duration_seconds_bucket{journey=\"card\",location=\"local\",le=\"5\"} 1\n")
        );
        assert!(
            text.contains(
                "vedetta_journey_duration_seconds_bucket{journey=\"card\",location=\"local\",le=\"+Inf\"} 1\n"
            )
        );
        assert!(
            text.contains("step=\"open \\\"home\\\"\\npage\"} 0.25\n"),
            "{text}"
        );
        assert!(
            text.contains("vedetta_journey_step_ttfb_seconds{journey=\"card\",location=\"local\",step_index=\"1\",step=\"open \\\"home\\\"\\npage\"} 0.05\n"),
            "{text}"
        );
        assert!(!text.contains("last_success_timestamp_seconds{"));
        m.observe(
            "card",
            RunSample {
                status: "passed",
                finished_s: 200.0,
                duration_s: 2.0,
                failure_category: None,
                steps: vec![],
                ttfb: vec![],
            },
        );
        let text = m.render();
        assert!(text.contains("vedetta_journey_up{journey=\"card\"} 1\n"));
        assert!(
            text.contains("vedetta_journey_last_success_timestamp_seconds{journey=\"card\",location=\"local\"} 200\n")
        );
        assert!(text.contains(
            "vedetta_journey_duration_seconds_count{journey=\"card\",location=\"local\"} 2\n"
        ));
        // An error run leaves `up` as the site was last seen.
        m.observe(
            "card",
            RunSample {
                status: "error",
                finished_s: 300.0,
                duration_s: 0.1,
                failure_category: None,
                steps: vec![],
                ttfb: vec![],
            },
        );
        assert!(
            m.render()
                .contains("vedetta_journey_up{journey=\"card\"} 1\n")
        );
    }

    #[test]
    fn a_restart_reads_the_last_run_and_the_last_success_back() {
        let row = |id: i64, status| RunRow {
            id,
            journey: "card".into(),
            started_at: String::new(),
            started_at_ms: id * 1000 - 500,
            finished_at_ms: id * 1000,
            duration_ms: 500,
            status,
            attempts: 1,
            error: None,
            failure: None,
            evidence: None,
            steps: None,
            degraded: false,
            slow: Vec::new(),
            maintenance: false,
        };
        let newest_first = [row(4, RunStatus::Cancelled), row(3, RunStatus::Failed)];
        let m = JourneyMetrics::restore(&newest_first, Some(2000));
        assert_eq!(m.last_run_s, Some(3.0), "a cancelled run is no last run");
        assert_eq!(m.last_success_s, Some(2.0));
        assert_eq!(
            (m.duration_count, m.runs.len()),
            (0, 0),
            "counters start at zero"
        );
        let none = JourneyMetrics::restore(&newest_first[..1], None);
        assert_eq!((none.last_run_s, none.last_success_s), (None, None));
    }
}
