//! One file per subcommand; each `execute` returns the process exit code.

pub mod demo;
pub mod demo_monitor;
pub mod evidence;
pub mod inbox;
pub mod monitor;
pub mod run;
pub mod schema;
pub mod validate;

use crate::cli::LogFormat;

/// Logs go to stderr through `tracing`; off unless `RUST_LOG` or `--verbose` asks.
pub fn init_logging(format: LogFormat, verbose: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = if verbose {
        EnvFilter::new("vedetta=debug")
    } else {
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("off"))
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(stderr_has_colour());
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Diagnostics on stderr are coloured only on a terminal, and never when `NO_COLOR` is set
/// (<https://no-color.org>), as the console reporter's output is.
pub fn stderr_has_colour() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The multi-threaded tokio runtime every long-running command uses (servers answer on its
/// workers while the command's own thread waits). Err is the exit code, the problem said.
pub fn runtime() -> Result<tokio::runtime::Runtime, i32> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start the async runtime: {e}");
            crate::cli::exit::HARNESS
        })
}
