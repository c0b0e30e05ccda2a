//! `NN-<step>.result.json`: what the failing step and the attempt looked like, beside the
//! screenshots, so the evidence folder alone says where the browser was (URL, title) and how the
//! walk got there (the step results so far). Written before the manifest seals the folder.

use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::runner::result::StepResult;

/// The file's content. Every text in it is already masked by the caller.
#[derive(Debug, Clone, Serialize)]
pub struct FailureRecord<'a> {
    pub journey: &'a str,
    /// 1-based.
    pub attempt: u32,
    /// When the step failed, RFC 3339 UTC: the time the annotated screenshot's header shows.
    pub failed_at: String,
    /// The page's URL and title when the step failed (absent when the browser could not say).
    pub url: Option<&'a str>,
    pub title: Option<&'a str>,
    pub failed_step: &'a StepResult,
    /// Every step of the attempt so far, in order, the failed one last.
    pub steps: &'a [StepResult],
}

/// `…/03-click-login.result.json` for `…/03-click-login.png` (the step's screenshot name).
pub fn result_file_path(screenshot: &Path) -> PathBuf {
    screenshot.with_extension("result.json")
}

/// Writes `record` to `path`, creating its folder.
pub fn write_result_file(path: &Path, record: &FailureRecord<'_>) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut json = serde_json::to_vec_pretty(record).map_err(io::Error::other)?;
    json.push(b'\n');
    std::fs::write(path, json)
}
