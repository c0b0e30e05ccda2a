//! The async runtime of the commands that serve or run.

use super::CommandError;

/// The multi-threaded tokio runtime every long-running command uses (servers answer on its
/// workers while the command's own thread waits).
pub fn runtime() -> Result<tokio::runtime::Runtime, CommandError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::harness(format!("cannot start the async runtime: {e}")))
}
