//! The console reporter: a line per step as it finishes, a summary per journey and for the run.
//! Colour and symbols only on a terminal (anstream strips the escapes elsewhere, and honours
//! NO_COLOR / CLICOLOR_FORCE).

use std::io::Write;

use owo_colors::OwoColorize;

use super::human_duration;
use crate::runner::event::{Event, Reporter};
use crate::runner::result::{JourneyResult, JourneyStatus, RunReport, StepResult, StepStatus};
use crate::text::escape_untrusted;

pub struct ConsoleReporter<W: Write> {
    out: W,
    /// Prefix step lines with the journey's name: needed when journeys run in parallel.
    prefix: bool,
    /// The skip reason said last, so a run of skipped steps says it once.
    last_skip_reason: Option<String>,
}

impl ConsoleReporter<anstream::AutoStream<std::io::Stdout>> {
    pub fn stdout(parallel: bool) -> Self {
        ConsoleReporter {
            out: anstream::stdout(),
            prefix: parallel,
            last_skip_reason: None,
        }
    }
}

impl<W: Write> ConsoleReporter<W> {
    pub fn new(out: W, parallel: bool) -> Self {
        ConsoleReporter {
            out,
            prefix: parallel,
            last_skip_reason: None,
        }
    }

    fn step_line(&mut self, journey: &str, step: &StepResult) -> std::io::Result<()> {
        let prefix = if self.prefix {
            format!("[{journey}] ")
        } else {
            String::new()
        };
        let (mark, name) = match step.status {
            StepStatus::Passed if step.slow_threshold_ms.is_some() => {
                ("⚠".yellow().bold().to_string(), step.name.clone())
            }
            StepStatus::Passed => ("✔".green().bold().to_string(), step.name.clone()),
            StepStatus::Failed if step.optional => (
                "✘".yellow().bold().to_string(),
                format!("{} (optional)", step.name),
            ),
            StepStatus::Failed => ("✘".red().bold().to_string(), step.name.red().to_string()),
            StepStatus::Skipped => ("–".dimmed().to_string(), step.name.dimmed().to_string()),
        };
        let timing = match (step.status, step.slow_threshold_ms) {
            (StepStatus::Skipped, _) => "skipped".dimmed().to_string(),
            (StepStatus::Passed, Some(threshold)) => format!(
                "{}  {}",
                human_duration(step.duration_ms).yellow(),
                format!("slow: over {}", human_duration(threshold)).yellow()
            ),
            _ => human_duration(step.duration_ms).dimmed().to_string(),
        };
        let nested = "  ".repeat(step.depth);
        writeln!(
            self.out,
            "  {prefix}{mark} {:>2} {nested}{name}  {timing}",
            step.index
        )?;
        if let Some(f) = &step.failure {
            let indent = " ".repeat(7 + prefix.chars().count());
            writeln!(
                self.out,
                "{indent}{}: {}",
                f.category.as_str().bold(),
                // What the page said comes from the site: it never drives the terminal.
                escape_untrusted(&f.message)
            )?;
            writeln!(
                self.out,
                "{indent}{} {}:{}:{}",
                "at".dimmed(),
                step.file,
                step.line,
                step.column
            )?;
            if let Some(url) = &f.url {
                let url = escape_untrusted(url);
                writeln!(self.out, "{indent}{} {url}", "page".dimmed())?;
            }
            if let Some(shot) = &f.screenshot {
                writeln!(self.out, "{indent}{} {shot}", "screenshot".dimmed())?;
            }
        } else if let Some(message) = &step.log {
            // A variable's value may come from the page: it never drives the terminal.
            let indent = " ".repeat(7 + prefix.chars().count());
            writeln!(self.out, "{indent}{}", escape_untrusted(message))?;
        } else if step.action == "screenshot"
            && let Some(shot) = &step.screenshot
        {
            // Named evidence: say where it went.
            let indent = " ".repeat(7 + prefix.chars().count());
            writeln!(self.out, "{indent}{} {shot}", "saved".dimmed())?;
        } else if step.status == StepStatus::Skipped
            && let Some(reason) = step
                .skip_reason
                .as_deref()
                .filter(|r| *r != "an earlier step failed")
            && self.last_skip_reason.as_deref() != Some(reason)
        {
            writeln!(self.out, "       {}", reason.dimmed())?;
        }
        self.warning_lines(&prefix, step)?;
        self.last_skip_reason = step.skip_reason.clone();
        Ok(())
    }

    /// A step's warnings (a locator that matched several elements), under its line.
    fn warning_lines(&mut self, prefix: &str, step: &StepResult) -> std::io::Result<()> {
        let indent = " ".repeat(7 + prefix.chars().count());
        for w in &step.warnings {
            // Descriptions of page elements: they never drive the terminal.
            let message = escape_untrusted(&w.message);
            writeln!(self.out, "{indent}{} {message}", "⚠".yellow().bold())?;
        }
        Ok(())
    }

    fn journey_summary(&mut self, j: &JourneyResult) -> std::io::Result<()> {
        let count = |s| j.steps.iter().filter(|x| x.status == s).count();
        let optional = optional_failures(j);
        let mut parts = vec![format!("{} passed", count(StepStatus::Passed))];
        let failed = count(StepStatus::Failed) - optional.count;
        if failed > 0 {
            parts.push(format!("{failed} failed"));
        }
        parts.extend(optional.in_counts);
        let skipped = count(StepStatus::Skipped);
        if skipped > 0 {
            parts.push(format!("{skipped} skipped"));
        }
        let attempts = if j.attempts > 1 {
            format!(", {} attempts", j.attempts)
        } else {
            String::new()
        };
        let head = match j.status {
            JourneyStatus::Passed | JourneyStatus::Flaky if j.degraded => {
                format!("{} {}", "⚠".yellow().bold(), j.name.bold())
            }
            JourneyStatus::Passed => format!("{} {}", "✔".green().bold(), j.name.bold()),
            JourneyStatus::Flaky => format!("{} {}", "✔".yellow().bold(), j.name.bold()),
            JourneyStatus::Failed => format!("{} {}", "✘".red().bold(), j.name.bold()),
            JourneyStatus::Error => format!("{} {}", "!".magenta().bold(), j.name.bold()),
        };
        let status = match j.status {
            JourneyStatus::Flaky if j.degraded => {
                "flaky — passed on a retry, slow".yellow().to_string()
            }
            JourneyStatus::Flaky => "flaky — passed on a retry".yellow().to_string(),
            JourneyStatus::Passed if j.degraded => "passed, slow".yellow().to_string(),
            other => other.as_str().to_string(),
        };
        let status = status + &optional.beside_status;
        writeln!(
            self.out,
            "{head} {status} in {} ({}{attempts})",
            human_duration(j.duration_ms),
            parts.join(", ")
        )?;
        if let Some(e) = &j.error {
            writeln!(self.out, "  {} {e}", "error:".magenta().bold())?;
        }
        for s in &j.slow {
            let what = if s.index == 0 {
                "the journey's steps together".to_string()
            } else {
                format!("step {} {}", s.index, escape_untrusted(&s.name))
            };
            writeln!(
                self.out,
                "  {} {what} took {}, over its slow: {}",
                "⚠ slow:".yellow().bold(),
                human_duration(s.duration_ms),
                human_duration(s.threshold_ms)
            )?;
        }
        writeln!(self.out)
    }

    /// The run's closing line: counts of journeys by status and the wall time.
    pub fn run_summary(&mut self, report: &RunReport) -> std::io::Result<()> {
        let count = |s| report.journeys.iter().filter(|j| j.status == s).count();
        let n = report.journeys.len();
        let mut line = format!("{n} journey{}: ", if n == 1 { "" } else { "s" });
        let mut parts = Vec::new();
        for s in [
            JourneyStatus::Passed,
            JourneyStatus::Flaky,
            JourneyStatus::Failed,
            JourneyStatus::Error,
        ] {
            let k = count(s);
            if k > 0 || s == JourneyStatus::Passed {
                let mut text = format!("{k} {}", s.as_str());
                let slow = report
                    .journeys
                    .iter()
                    .filter(|j| j.status == s && j.degraded)
                    .count();
                if slow > 0 {
                    text.push_str(&format!(" ({slow} slow)"));
                }
                parts.push(match s {
                    JourneyStatus::Failed if k > 0 => text.red().bold().to_string(),
                    JourneyStatus::Error => text.magenta().bold().to_string(),
                    JourneyStatus::Flaky => text.yellow().to_string(),
                    _ => text,
                });
            }
        }
        line.push_str(&parts.join(", "));
        line.push_str(&format!(" in {}", human_duration(report.duration_ms)));
        if let Some(sig) = &report.interrupted {
            line.push_str(&format!(" — interrupted by {sig}"));
        }
        writeln!(self.out, "{line}")?;
        self.out.flush()
    }
}

/// How a journey's failed optional steps are worded in its summary line.
struct OptionalFailures {
    count: usize,
    /// After the status of a journey that passed: " with 3 optional failures" (a bare
    /// "3 failed" beside "passed" reads as a contradiction).
    beside_status: String,
    /// Among the step counts of a journey that did not pass: "1 optional failure".
    in_counts: Option<String>,
}

fn optional_failures(j: &JourneyResult) -> OptionalFailures {
    let count = j
        .steps
        .iter()
        .filter(|s| s.optional && s.status == StepStatus::Failed)
        .count();
    let words = format!(
        "{count} optional failure{}",
        if count == 1 { "" } else { "s" }
    );
    let passed = matches!(j.status, JourneyStatus::Passed | JourneyStatus::Flaky);
    OptionalFailures {
        count,
        beside_status: if count > 0 && passed {
            format!(" with {}", words.yellow())
        } else {
            String::new()
        },
        in_counts: (count > 0 && !passed).then_some(words),
    }
}

impl<W: Write + Send> Reporter for ConsoleReporter<W> {
    fn on_event(&mut self, event: &Event) {
        // A closed stdout (`vedetta run … | head`) must not stop the run.
        let _ = match event {
            Event::JourneyStarted {
                journey,
                title,
                attempt,
                attempts_allowed,
            } => {
                let title = title
                    .as_deref()
                    .map(|t| format!("  {}", t.dimmed()))
                    .unwrap_or_default();
                let attempt = if *attempt > 1 {
                    format!(
                        "  {}",
                        format!("attempt {attempt}/{attempts_allowed}").yellow()
                    )
                } else {
                    String::new()
                };
                writeln!(
                    self.out,
                    "{} {}{title}{attempt}",
                    "▶".cyan().bold(),
                    journey.bold()
                )
            }
            Event::StepStarted { .. } => Ok(()),
            Event::StepFinished { journey, step } => self.step_line(journey, step),
            Event::Retrying {
                journey,
                attempt,
                reason,
                delay_ms,
            } => writeln!(
                self.out,
                "{} {journey}: attempt {attempt} failed ({reason}); retrying in {}\n",
                "↻".yellow().bold(),
                human_duration(*delay_ms)
            ),
            Event::JourneyFinished { result } => self.journey_summary(result),
        }
        .and_then(|_| self.out.flush());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::result::{Failure, FailureCategory};

    fn step(index: usize, name: &str, status: StepStatus, failure: Option<Failure>) -> StepResult {
        StepResult {
            index,
            depth: 0,
            name: name.into(),
            action: "click".into(),
            component: "Journey".into(),
            file: "journeys/card.yaml".into(),
            line: 10 + index,
            column: 5,
            status,
            duration_ms: 120 * index as u64,
            optional: false,
            failure,
            skip_reason: (status == StepStatus::Skipped).then(|| "an earlier step failed".into()),
            screenshot: None,
            timing: None,
            slow_threshold_ms: None,
            log: None,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn prints_a_line_per_step_the_failure_and_a_summary_without_escapes_off_terminal() {
        let failure = Failure {
            category: FailureCategory::Outage,
            message: "site reports temporary difficulties".into(),
            screenshot: Some("screenshots/run/card/02-login.png".into()),
            evidence: None,
            signature: Some("site reports temporary difficulties".into()),
            url: Some("http://127.0.0.1:7878/login".into()),
            evidence_sha256: None,
            page_says: None,
            console: Vec::new(),
            requests: Vec::new(),
            waterfall: Vec::new(),
        };
        let steps = vec![
            step(1, "open /", StepStatus::Passed, None),
            step(2, "login", StepStatus::Failed, Some(failure)),
            step(3, "view balance", StepStatus::Skipped, None),
        ];
        let result = JourneyResult {
            name: "card".into(),
            title: None,
            file: "journeys/card.yaml".into(),
            status: JourneyStatus::Failed,
            attempts: 1,
            started_at: "2026-11-25T10:00:00Z".into(),
            duration_ms: 1500,
            steps: steps.clone(),
            error: None,
            previous_attempts: vec![],
            degraded: false,
            slow: vec![],
            browser_start_ms: 0,
            device: None,
        };
        let mut out = anstream::StripStream::new(Vec::new());
        {
            let mut console = ConsoleReporter::new(&mut out, false);
            console.on_event(&Event::JourneyStarted {
                journey: "card".into(),
                title: Some("Card balance".into()),
                attempt: 1,
                attempts_allowed: 1,
            });
            for s in &steps {
                console.on_event(&Event::StepFinished {
                    journey: "card".into(),
                    step: s.clone(),
                });
            }
            console.on_event(&Event::JourneyFinished {
                result: result.clone(),
            });
            let report = RunReport {
                vedetta_version: "0.1.0".into(),
                started_at: String::new(),
                duration_ms: 1600,
                interrupted: None,
                journeys: vec![result],
            };
            console.run_summary(&report).unwrap();
        }
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert_eq!(
            text,
            "\
▶ card  Card balance
  ✔  1 open /  120 ms
  ✘  2 login  240 ms
       outage: site reports temporary difficulties
       at journeys/card.yaml:12:5
       page http://127.0.0.1:7878/login
       screenshot screenshots/run/card/02-login.png
  –  3 view balance  skipped
✘ card failed in 1.5 s (1 passed, 1 failed, 1 skipped)

1 journey: 0 passed, 1 failed in 1.6 s
"
        );
    }

    #[test]
    fn a_slow_step_is_marked_with_its_threshold_and_the_summary_says_passed_slow() {
        use crate::runner::result::SlowStep;
        let mut slow = step(2, "view balance", StepStatus::Passed, None);
        slow.duration_ms = 4_100;
        slow.slow_threshold_ms = Some(2_000);
        let steps = vec![step(1, "open /", StepStatus::Passed, None), slow];
        let result = JourneyResult {
            name: "card".into(),
            title: None,
            file: "journeys/card.yaml".into(),
            status: JourneyStatus::Passed,
            attempts: 1,
            started_at: "2026-11-25T10:00:00Z".into(),
            duration_ms: 4_300,
            steps: steps.clone(),
            error: None,
            previous_attempts: vec![],
            degraded: true,
            slow: vec![
                SlowStep {
                    index: 2,
                    name: "view balance".into(),
                    duration_ms: 4_100,
                    threshold_ms: 2_000,
                },
                SlowStep {
                    index: 0,
                    name: "card".into(),
                    duration_ms: 4_220,
                    threshold_ms: 4_000,
                },
            ],
            browser_start_ms: 0,
            device: None,
        };
        let mut out = anstream::StripStream::new(Vec::new());
        {
            let mut console = ConsoleReporter::new(&mut out, false);
            for s in &steps {
                console.on_event(&Event::StepFinished {
                    journey: "card".into(),
                    step: s.clone(),
                });
            }
            console.on_event(&Event::JourneyFinished {
                result: result.clone(),
            });
            let report = RunReport {
                vedetta_version: "0.1.0".into(),
                started_at: String::new(),
                duration_ms: 4_400,
                interrupted: None,
                journeys: vec![result],
            };
            console.run_summary(&report).unwrap();
        }
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert_eq!(
            text,
            "  ✔  1 open /  120 ms
  ⚠  2 view balance  4.1 s  slow: over 2.0 s
⚠ card passed, slow in 4.3 s (2 passed)
  ⚠ slow: step 2 view balance took 4.1 s, over its slow: 2.0 s
  ⚠ slow: the journey's steps together took 4.2 s, over its slow: 4.0 s

1 journey: 1 passed (1 slow) in 4.4 s
"
        );
    }

    #[test]
    fn a_journey_whose_only_failures_are_optional_passed_with_them() {
        let mut steps: Vec<StepResult> = (1..=3)
            .map(|i| {
                let mut s = step(i, "promo", StepStatus::Failed, None);
                s.optional = true;
                s
            })
            .collect();
        steps.push(step(4, "log in", StepStatus::Passed, None));
        let result = JourneyResult {
            name: "promo".into(),
            title: None,
            file: "journeys/promo.yaml".into(),
            status: JourneyStatus::Passed,
            attempts: 1,
            started_at: String::new(),
            duration_ms: 1400,
            steps,
            error: None,
            previous_attempts: vec![],
            degraded: false,
            slow: vec![],
            browser_start_ms: 0,
            device: None,
        };
        let mut out = anstream::StripStream::new(Vec::new());
        ConsoleReporter::new(&mut out, false).on_event(&Event::JourneyFinished {
            result: result.clone(),
        });
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert_eq!(
            text,
            "✔ promo passed with 3 optional failures in 1.4 s (1 passed)\n\n"
        );
    }

    #[test]
    fn a_named_screenshot_says_where_it_was_saved() {
        let mut shot = step(4, "screenshot balance", StepStatus::Passed, None);
        shot.action = "screenshot".into();
        shot.screenshot = Some("screenshots/run/card/04-balance.png".into());
        let mut out = anstream::StripStream::new(Vec::new());
        {
            let mut console = ConsoleReporter::new(&mut out, false);
            console.on_event(&Event::StepFinished {
                journey: "card".into(),
                step: shot,
            });
        }
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert_eq!(
            text,
            "  ✔  4 screenshot balance  480 ms\n       saved screenshots/run/card/04-balance.png\n"
        );
    }
}
