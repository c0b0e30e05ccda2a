//! Why a command could not do its work, and the exit code that says so. Commands return it;
//! the command line prints it, in one place (`cli::main`).

use std::fmt;

use super::problem::Problem;
use crate::exit;

/// A command that stopped short. Each variant is one exit code; the problems say why, in the
/// order they were found.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// What the user gave is wrong — a journey, a flag's value, a config, a folder: nothing
    /// was run. Exit 2.
    #[error("{}", Rendered(.0))]
    Invalid(Vec<Problem>),
    /// The harness could not do its job — a port taken, a report it could not write, no async
    /// runtime. Exit 3.
    #[error("{}", Rendered(.0))]
    Harness(Vec<Problem>),
}

impl CommandError {
    /// Invalid input, said in one `error:` line.
    pub fn invalid(message: impl Into<String>) -> CommandError {
        CommandError::Invalid(vec![Problem::error(message)])
    }

    /// The harness failing, said in one `error:` line.
    pub fn harness(message: impl Into<String>) -> CommandError {
        CommandError::Harness(vec![Problem::error(message)])
    }

    pub fn problems(&self) -> &[Problem] {
        match self {
            CommandError::Invalid(problems) | CommandError::Harness(problems) => problems,
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            CommandError::Invalid(_) => exit::INVALID,
            CommandError::Harness(_) => exit::HARNESS,
        }
    }
}

/// Problems as uncoloured stderr text, for `Display`.
struct Rendered<'a>(&'a [Problem]);

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.iter().map(|p| p.render(false)).collect();
        f.write_str(&lines.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_input_exits_2_and_a_harness_fault_3() {
        assert_eq!(CommandError::invalid("bad flag").exit_code(), 2);
        assert_eq!(CommandError::harness("port taken").exit_code(), 3);
    }

    #[test]
    fn displays_every_problem_in_order() {
        let e = CommandError::Invalid(vec![
            Problem::Warning("w".into()),
            Problem::error("first"),
            Problem::error("second"),
        ]);
        assert_eq!(e.to_string(), "warning: w\nerror: first\nerror: second");
        assert_eq!(e.problems().len(), 3);
    }
}
