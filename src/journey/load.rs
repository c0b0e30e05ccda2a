//! Entry points: a journey file (or its text) and the values for its variables in, a
//! validated [`Journey`] or every problem found out.

use std::path::Path;

use super::diagnostic::Diagnostic;
use super::journey_file;
use super::loader::{read_text, too_big};
use super::model::Journey;
use super::options::LoadOptions;
use super::source::{MAX_FILE_BYTES, SourceFile};

/// Reads (through `opts.sources`) and validates a journey file and the files it includes.
pub fn load_journey(path: &Path, opts: &LoadOptions) -> Result<Journey, Vec<Diagnostic>> {
    let text = read_text(opts.sources.as_ref(), path)
        .map_err(|d| vec![d.masked(&opts.secrets_file_values())])?;
    parse_journey(&text, path, opts)
}

/// Validates a journey's text; `path` names it in diagnostics and is where includes are read
/// relative to (through `opts.sources`).
pub fn parse_journey(
    source: &str,
    path: &Path,
    opts: &LoadOptions,
) -> Result<Journey, Vec<Diagnostic>> {
    if source.len() > MAX_FILE_BYTES {
        return Err(vec![too_big(path)]);
    }
    journey_file::read(&SourceFile::new(path, source), opts)
}
