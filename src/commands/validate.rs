//! `vedetta validate`: check journeys without running them.

use std::io::Write;
use std::path::PathBuf;

use super::journeys::{VarSources, load_options, misspelt_vars, unreachable_slow};
use super::{CommandError, Outcome, Problem, problem};
use crate::journey::load_journey;
use crate::journey::model::Step;

/// What `vedetta validate` was asked to check.
pub struct ValidateConfig {
    pub files: Vec<PathBuf>,
    pub vars: VarSources,
    /// A secret that is not set is not an error (for lint jobs that hold no credentials).
    pub no_secrets: bool,
}

/// The verdict on each file is this command's output: a line per valid file on stdout, every
/// problem of an invalid one on stderr, file by file. [`Outcome::Invalid`] when one is not
/// valid. Values of variables and secrets are never printed.
pub fn execute(config: ValidateConfig) -> Result<Outcome, CommandError> {
    let mut opts = load_options(&config.vars, None)?;
    opts.secrets_optional = config.no_secrets;
    let mut all_valid = true;
    for file in &config.files {
        match load_journey(file, &opts) {
            Ok(journey) => {
                problem::eprint(&misspelt_vars(
                    std::slice::from_ref(&journey),
                    &opts.cli_vars,
                ));
                problem::eprint(&unreachable_slow(std::slice::from_ref(&journey)));
                // Numbered as a run numbers them: inner steps of include and when count too.
                let n = Step::all(&journey.steps).len();
                let steps = if n == 1 { "step" } else { "steps" };
                let _ = writeln!(
                    std::io::stdout(),
                    "ok  {} ({}, {n} {steps})",
                    file.display(),
                    journey.name
                );
            }
            Err(diagnostics) => {
                all_valid = false;
                let n = diagnostics.len();
                let errors = if n == 1 { "error" } else { "errors" };
                let mut problems: Vec<Problem> =
                    diagnostics.into_iter().map(Problem::from).collect();
                problems.push(Problem::Line(format!(
                    "invalid  {} ({n} {errors})",
                    file.display()
                )));
                problem::eprint(&problems);
            }
        }
    }
    Ok(if all_valid {
        Outcome::Success
    } else {
        Outcome::Invalid
    })
}
