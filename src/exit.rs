//! The process's exit codes, named once (README.md, "Exit codes", is the contract): the run's
//! report and the command layer both map to these.

/// Everything passed (a flaky journey counts as passed).
pub const PASSED: i32 = 0;
/// A journey failed (or an evidence folder changed).
pub const FAILED: i32 = 1;
/// The input is invalid: a journey, a flag's value, a config. Nothing ran.
pub const INVALID: i32 = 2;
/// The harness could not run: no browser, a port taken, a report it could not write.
pub const HARNESS: i32 = 3;
/// 128 + the signal's number, as shells report a run cut short by Ctrl-C or SIGTERM.
pub const SIGINT: i32 = 130;
pub const SIGTERM: i32 = 143;
