//! `vedetta validate`: check journeys without running them.

use std::collections::BTreeMap;
use std::io::Write;

use crate::cli::{ValidateArgs, exit};
use crate::journey::{LoadOptions, load_journey, load_secrets_file};

/// Prints every problem of every file to stderr and a line per valid file to stdout; exit 0
/// when all are valid, 2 otherwise. Values of variables and secrets are never printed.
pub fn execute(args: ValidateArgs) -> i32 {
    let color = crate::commands::stderr_has_colour();
    let secrets = match &args.vars.secrets {
        Some(path) => match load_secrets_file(path) {
            Ok(s) => s,
            Err(d) => {
                let _ = writeln!(std::io::stderr(), "{}", d.render(color));
                return exit::INVALID;
            }
        },
        None => BTreeMap::new(),
    };
    let opts = LoadOptions {
        cli_vars: args.vars.vars.clone(),
        secrets,
        secrets_optional: args.no_secrets,
        ..LoadOptions::default()
    };
    let mut all_valid = true;
    for file in &args.files {
        match load_journey(file, &opts) {
            Ok(journey) => {
                crate::commands::run::warn_misspelt_vars(
                    std::slice::from_ref(&journey),
                    &opts.cli_vars,
                );
                // Numbered as a run numbers them: inner steps of include and when count too.
                let n = crate::journey::model::Step::all(&journey.steps).len();
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
                for d in &diagnostics {
                    let _ = writeln!(std::io::stderr(), "{}", d.render(color));
                }
                let n = diagnostics.len();
                let errors = if n == 1 { "error" } else { "errors" };
                let _ = writeln!(
                    std::io::stderr(),
                    "invalid  {} ({n} {errors})",
                    file.display()
                );
            }
        }
    }
    if all_valid {
        exit::PASSED
    } else {
        exit::INVALID
    }
}
