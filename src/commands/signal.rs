//! Ctrl-C and SIGTERM: how a run is cut short and how the servers are stopped.

use crate::exit;

/// The signal that asked vedetta to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Ctrl-C.
    Interrupt,
    Terminate,
}

impl Signal {
    /// `SIGINT` or `SIGTERM`, as the JSON report's `interrupted` says it.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// `interrupted` or `terminated`, as the servers say when they stop.
    pub fn description(self) -> &'static str {
        match self {
            Signal::Interrupt => "interrupted",
            Signal::Terminate => "terminated",
        }
    }

    /// 128 + the signal's number.
    pub fn exit_code(self) -> i32 {
        match self {
            Signal::Interrupt => exit::SIGINT,
            Signal::Terminate => exit::SIGTERM,
        }
    }
}

/// Waits for Ctrl-C or SIGTERM and says which came. Where SIGTERM cannot be listened for,
/// Ctrl-C alone stops vedetta.
pub async fn wait_for_signal() -> Signal {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        let _ = tokio::signal::ctrl_c().await;
        return Signal::Interrupt;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => Signal::Interrupt,
        _ = term.recv() => Signal::Terminate,
    }
}
