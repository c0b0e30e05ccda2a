//! The console reporter: a line per step as it finishes, a summary per journey and for the run.
//! Colour and symbols only on a terminal (anstream strips the escapes elsewhere, and honours
//! NO_COLOR / CLICOLOR_FORCE).

use std::io::Write;

use owo_colors::OwoColorize;

use super::human_duration;
use crate::runner::event::{Event, Reporter};
use crate::runner::result::{JourneyResult, JourneyStatus, RunReport, StepResult, StepStatus};

pub struct ConsoleReporter<W: Write> {
    out: W,
    /// Prefix step lines with the journey's name: needed when journeys run in parallel.
    prefix: bool,
}

impl ConsoleReporter<anstream::AutoStream<std::io::Stdout>> {
    pub fn stdout(parallel: bool) -> Self {
        ConsoleReporter { out: anstream::stdout(), prefix: parallel }
    }
}

impl<W: Write> ConsoleReporter<W> {
    pub fn new(out: W, parallel: bool) -> Self {
        ConsoleReporter { out, prefix: parallel }
    }

    fn step_line(&mut self, journey: &str, step: &StepResult) -> std::io::Result<()> {
        let prefix = if self.prefix { format!("[{journey}] ") } else { String::new() };
        let (mark, name) = match step.status {
            StepStatus::Passed => ("✔".green().bold().to_string(), step.name.clone()),
            StepStatus::Failed if step.optional => {
                ("✘".yellow().bold().to_string(), format!("{} (optional)", step.name))
            }
            StepStatus::Failed => ("✘".red().bold().to_string(), step.name.red().to_string()),
            StepStatus::Skipped => ("–".dimmed().to_string(), step.name.dimmed().to_string()),
        };
        let timing = match step.status {
            StepStatus::Skipped => "skipped".dimmed().to_string(),
            _ => human_duration(step.duration_ms).dimmed().to_string(),
        };
        writeln!(self.out, "  {prefix}{mark} {:>2} {name}  {timing}", step.index)?;
        if let Some(f) = &step.failure {
            let indent = " ".repeat(7 + prefix.chars().count());
            writeln!(self.out, "{indent}{}: {}", f.category.as_str().bold(), f.message)?;
            writeln!(self.out, "{indent}{} {}:{}:{}", "at".dimmed(), step.file, step.line, step.column)?;
            if let Some(url) = &f.url {
                writeln!(self.out, "{indent}{} {url}", "page".dimmed())?;
            }
            if let Some(shot) = &f.screenshot {
                writeln!(self.out, "{indent}{} {shot}", "screenshot".dimmed())?;
            }
        } else if step.status == StepStatus::Skipped
            && let Some(reason) = step.skip_reason.as_deref().filter(|r| *r != "an earlier step failed")
        {
            writeln!(self.out, "       {}", reason.dimmed())?;
        }
        Ok(())
    }

    fn journey_summary(&mut self, j: &JourneyResult) -> std::io::Result<()> {
        let count = |s| j.steps.iter().filter(|x| x.status == s).count();
        let mut parts = vec![format!("{} passed", count(StepStatus::Passed))];
        for (s, word) in [(StepStatus::Failed, "failed"), (StepStatus::Skipped, "skipped")] {
            let n = count(s);
            if n > 0 {
                parts.push(format!("{n} {word}"));
            }
        }
        let attempts = if j.attempts > 1 { format!(", {} attempts", j.attempts) } else { String::new() };
        let head = match j.status {
            JourneyStatus::Passed => format!("{} {}", "✔".green().bold(), j.name.bold()),
            JourneyStatus::Flaky => format!("{} {} {}", "✔".yellow().bold(), j.name.bold(), "(flaky)".yellow()),
            JourneyStatus::Failed => format!("{} {}", "✘".red().bold(), j.name.bold()),
            JourneyStatus::Error => format!("{} {}", "!".magenta().bold(), j.name.bold()),
        };
        writeln!(
            self.out,
            "{head} {} in {} ({}{attempts})",
            j.status.as_str(),
            human_duration(j.duration_ms),
            parts.join(", ")
        )?;
        if let Some(e) = &j.error {
            writeln!(self.out, "  {} {e}", "error:".magenta().bold())?;
        }
        writeln!(self.out)
    }

    /// The run's closing line: counts of journeys by status and the wall time.
    pub fn run_summary(&mut self, report: &RunReport) -> std::io::Result<()> {
        let count = |s| report.journeys.iter().filter(|j| j.status == s).count();
        let n = report.journeys.len();
        let mut line = format!("{n} journey{}: ", if n == 1 { "" } else { "s" });
        let mut parts = Vec::new();
        for s in [JourneyStatus::Passed, JourneyStatus::Flaky, JourneyStatus::Failed, JourneyStatus::Error] {
            let k = count(s);
            if k > 0 || s == JourneyStatus::Passed {
                let text = format!("{k} {}", s.as_str());
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

impl<W: Write + Send> Reporter for ConsoleReporter<W> {
    fn on_event(&mut self, event: &Event) {
        // A closed stdout (`vedetta run … | head`) must not stop the run.
        let _ = match event {
            Event::JourneyStarted { journey, title, attempt, attempts_allowed } => {
                let title = title.as_deref().map(|t| format!("  {}", t.dimmed())).unwrap_or_default();
                let attempt = if *attempt > 1 {
                    format!("  {}", format!("attempt {attempt}/{attempts_allowed}").yellow())
                } else {
                    String::new()
                };
                writeln!(self.out, "{} {}{title}{attempt}", "▶".cyan().bold(), journey.bold())
            }
            Event::StepStarted { .. } => Ok(()),
            Event::StepFinished { journey, step } => self.step_line(journey, step),
            Event::Retrying { journey, attempt, reason } => writeln!(
                self.out,
                "{} {journey}: attempt {attempt} failed ({reason}); retrying\n",
                "↻".yellow().bold()
            ),
            Event::JourneyFinished { result } => self.journey_summary(result),
        }
        .and_then(|_| self.out.flush());
    }
}
