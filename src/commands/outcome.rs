//! How a command that did its work came out, as an exit code.

use super::signal::Signal;
use crate::exit;

/// The end of a command that ran to completion (a command that could not is a
/// [`CommandError`](super::CommandError)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done as asked: every file valid, a folder intact, a server stopped on request. Exit 0.
    Success,
    /// What was checked is not as it should be: an evidence folder changed. Exit 1.
    Failed,
    /// `validate` checked the files and some are invalid (its report said why). Exit 2.
    Invalid,
    /// A run walked its journeys: the code of its report, `RunReport::exit_code` (0 all
    /// passed, 1 a journey failed, 3 the harness could not run one).
    Ran(i32),
    /// A run cut short by a signal; the steps done so far were reported. 130 or 143.
    Interrupted(Signal),
}

impl Outcome {
    pub fn exit_code(self) -> i32 {
        match self {
            Outcome::Success => exit::PASSED,
            Outcome::Failed => exit::FAILED,
            Outcome::Invalid => exit::INVALID,
            Outcome::Ran(code) => code,
            Outcome::Interrupted(signal) => signal.exit_code(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_outcome_exits_with_the_documented_code() {
        assert_eq!(Outcome::Success.exit_code(), 0);
        assert_eq!(Outcome::Failed.exit_code(), 1);
        assert_eq!(Outcome::Invalid.exit_code(), 2);
        assert_eq!(Outcome::Ran(3).exit_code(), 3);
        assert_eq!(Outcome::Interrupted(Signal::Interrupt).exit_code(), 130);
        assert_eq!(Outcome::Interrupted(Signal::Terminate).exit_code(), 143);
        assert_eq!(Signal::Interrupt.name(), "SIGINT");
        assert_eq!(Signal::Terminate.description(), "terminated");
    }
}
