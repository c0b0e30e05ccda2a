//! `vedetta schema`: the journey language's JSON Schema, for editors.

use std::io::Write;

use super::{CommandError, Outcome};

pub fn execute() -> Result<Outcome, CommandError> {
    let schema = crate::journey::journey_schema();
    let text = serde_json::to_string_pretty(&schema).expect("a JSON value serializes");
    // `vedetta schema | head` closes the pipe early: that is the reader's choice, not an error.
    let _ = writeln!(std::io::stdout().lock(), "{text}");
    Ok(Outcome::Success)
}
