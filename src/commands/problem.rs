//! What a command says on stderr when something is wrong — a journey's diagnostic, an
//! `error:` line, a warning — and the one function that writes it there.

use std::io::Write;

use crate::journey::Diagnostic;

/// One thing said on stderr about the input or the harness.
#[derive(Debug)]
pub enum Problem {
    /// A problem at a place in a file, with its line and a caret.
    Diagnostic(Diagnostic),
    /// `error: MESSAGE`, then `help: HELP` on its own line when there is one.
    Error {
        message: String,
        help: Option<String>,
    },
    /// `warning: MESSAGE`: said, and the command goes on.
    Warning(String),
    /// A line as it is, such as validate's `invalid  FILE (N errors)`.
    Line(String),
}

impl Problem {
    pub fn error(message: impl Into<String>) -> Problem {
        Problem::Error {
            message: message.into(),
            help: None,
        }
    }

    /// The problem as stderr shows it, without the final line break; ANSI colour (for
    /// diagnostics) when `colour` is true.
    pub fn render(&self, colour: bool) -> String {
        match self {
            Problem::Diagnostic(d) => d.render(colour),
            Problem::Error {
                message,
                help: None,
            } => format!("error: {message}"),
            Problem::Error {
                message,
                help: Some(help),
            } => format!("error: {message}\nhelp: {help}"),
            Problem::Warning(message) => format!("warning: {message}"),
            Problem::Line(line) => line.clone(),
        }
    }
}

impl From<Diagnostic> for Problem {
    fn from(d: Diagnostic) -> Problem {
        Problem::Diagnostic(d)
    }
}

/// Writes each problem to stderr, a line break after each. The only place problems are
/// printed: the command line's error report and a command's warnings both come here.
pub fn eprint(problems: &[Problem]) {
    let colour = stderr_has_colour();
    let mut stderr = std::io::stderr().lock();
    for problem in problems {
        // A closed stderr is the reader's choice; there is nowhere left to say anything.
        let _ = writeln!(stderr, "{}", problem.render(colour));
    }
}

/// Diagnostics on stderr are coloured only on a terminal, and never when `NO_COLOR` is set
/// (<https://no-color.org>), as the console reporter's output is.
pub fn stderr_has_colour() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_warnings_and_lines_render_as_they_always_did() {
        assert_eq!(
            Problem::error("--listen `x` is not an address").render(true),
            "error: --listen `x` is not an address"
        );
        let with_help = Problem::Error {
            message: "could not start the demo bank on 127.0.0.1:7878: in use".into(),
            help: Some("pass --listen 127.0.0.1:0 to use any free port".into()),
        };
        assert_eq!(
            with_help.render(false),
            "error: could not start the demo bank on 127.0.0.1:7878: in use\nhelp: pass --listen 127.0.0.1:0 to use any free port"
        );
        assert_eq!(
            Problem::Warning("secret X is short".into()).render(false),
            "warning: secret X is short"
        );
        assert_eq!(
            Problem::Line("invalid  a.yaml (1 error)".into()).render(true),
            "invalid  a.yaml (1 error)"
        );
    }

    #[test]
    fn a_diagnostic_renders_as_the_journey_front_end_renders_it() {
        let d = Diagnostic::file_level(std::path::Path::new("a.yaml"), "cannot read a.yaml");
        let p = Problem::from(d.clone());
        assert_eq!(p.render(false), d.render(false));
        assert_eq!(p.render(true), d.render(true));
    }
}
