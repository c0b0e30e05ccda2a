//! `NN-<step>.result.json`: what the failing step and the attempt looked like, beside the
//! screenshots, so the evidence folder alone says where the browser was (URL, title) and how the
//! walk got there (the step results so far). Written before the manifest seals the folder.

use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// The file's content; `S` is a step's result as the report has it. Every text in it is
/// already masked by the caller.
#[derive(Debug, Clone, Serialize)]
pub struct ResultFile<S> {
    pub journey: String,
    /// 1-based.
    pub attempt: u32,
    /// When the step failed, RFC 3339 UTC: the time the annotated screenshot's header shows.
    pub failed_at: String,
    /// The page's URL and title when the step failed (absent when the browser could not say).
    pub url: Option<String>,
    pub title: Option<String>,
    pub failed_step: S,
    /// Every step of the attempt so far, in order, the failed one last.
    pub steps: Vec<S>,
}

/// `…/03-click-login.result.json` for `…/03-click-login.png` (the step's screenshot name).
pub fn result_file_path(screenshot: &Path) -> PathBuf {
    screenshot.with_extension("result.json")
}

/// Writes `file` to `path`, creating its folder.
pub async fn write_result_file<S: Serialize>(path: &Path, file: &ResultFile<S>) -> io::Result<()> {
    let mut json = serde_json::to_vec_pretty(file).map_err(io::Error::other)?;
    json.push(b'\n');
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await?;
    }
    tokio::fs::write(path, json).await
}
