//! What the runner tells reporters as it goes. The runner knows nothing of output formats;
//! console, JSON and (later) JUnit, HTML and metrics consume these.

use super::result::{JourneyResult, StepResult};

// One event per step: a finished step's result is the big one, and boxing it would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Event {
    /// A journey attempt begins (attempt is 1-based).
    JourneyStarted {
        journey: String,
        title: Option<String>,
        attempt: u32,
        attempts_allowed: u32,
    },
    StepStarted {
        journey: String,
        index: usize,
        name: String,
    },
    StepFinished {
        journey: String,
        step: StepResult,
    },
    /// An attempt failed and another will follow, after `delay_ms` (`retry_delay:`).
    Retrying {
        journey: String,
        attempt: u32,
        reason: String,
        delay_ms: u64,
    },
    JourneyFinished {
        result: JourneyResult,
    },
}

/// A consumer of runner events.
pub trait Reporter: Send {
    fn on_event(&mut self, event: &Event);
}
