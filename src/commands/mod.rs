//! One file per subcommand, each taking a plain config and returning how it came out:
//! `Ok(Outcome)` or `Err(CommandError)`, each with its `exit_code()`. Commands print their
//! output (the console report, the schema, a server's banner); their errors are printed by the
//! command line, in one place. Shared plumbing — loading journeys, the run pipeline, serving
//! an inbox, waiting for a signal, printing problems — lives in a file of its own each.

pub mod demo;
pub mod demo_monitor;
pub mod error;
pub mod evidence;
pub mod inbox;
pub mod incident;
pub mod init;
pub mod journeys;
pub mod maintenance;
pub mod monitor;
pub mod monitor_api;
pub mod outcome;
pub mod pipeline;
pub mod problem;
pub mod run;
pub mod runtime;
pub mod schema;
pub mod served_inbox;
pub mod signal;
pub mod validate;

pub use error::CommandError;
pub use outcome::Outcome;
pub use problem::Problem;
pub use runtime::runtime;
