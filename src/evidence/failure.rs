//! A failed step's evidence, kept in one go: the screenshot and its annotated copy, the page
//! source, the console log and the step results, side by side in the journey's evidence folder.
//! The runner reads the page; this writes what it read, secrets masked.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::annotate::{AnnotateError, Header, Rect, annotate, annotated_path};
use super::result_file::{ResultFile, result_file_path, write_result_file};
use super::screenshot::save_screenshot;
use crate::journey::model::Variables;

/// What the browser showed when the step failed, as the runner read it. Each part is `None`
/// when the browser could not give it, or was not asked (the session was gone).
#[derive(Debug, Default)]
pub struct PageAtFailure {
    /// The viewport PNG, secrets already hidden in the pixels.
    pub screenshot: Option<Vec<u8>>,
    /// Where the element the step was after is on the screenshot: the red box.
    pub target: Option<Rect>,
    /// The page's HTML.
    pub source: Option<String>,
    /// The browser console's lines.
    pub console_log: Option<Vec<String>>,
}

/// A failed step's evidence to keep.
#[derive(Debug)]
pub struct FailureEvidence<'a> {
    /// Where the step's screenshot goes (`…/03-click-login.png`); its other files are named
    /// after it.
    pub screenshot_path: PathBuf,
    pub page: PageAtFailure,
    /// The annotated screenshot's header strip.
    pub header: Header,
    /// Masks every text written here: the page source, the console log, the header.
    pub secrets: &'a Variables,
}

/// What was kept.
#[derive(Debug, Default)]
pub struct KeptEvidence {
    /// The raw screenshot, when there was one and it was written.
    pub screenshot: Option<PathBuf>,
    /// What could not be written, one message each: for the log, the run goes on.
    pub problems: Vec<String>,
}

/// Writes a failed step's evidence beside its screenshot's path: `NN-step.png`,
/// `.annotated.png`, `.html`, `.console.txt` (each when there is one) and `.result.json`,
/// whose content `result_file` gives once it is known whether the screenshot was kept.
pub async fn keep_failure_evidence<S: Serialize>(
    evidence: FailureEvidence<'_>,
    result_file: impl FnOnce(Option<&Path>) -> ResultFile<S>,
) -> KeptEvidence {
    let FailureEvidence {
        screenshot_path: path,
        page,
        mut header,
        secrets,
    } = evidence;
    let mut kept = KeptEvidence::default();
    if let Some(png) = &page.screenshot {
        match save_screenshot(&path, png).await {
            Ok(()) => kept.screenshot = Some(path.clone()),
            Err(e) => kept.problems.push(e.to_string()),
        }
    }
    // The page source and the console log are kept even when the screenshot could not be.
    if page.source.is_some() || page.console_log.is_some() {
        let source = page.source.map(|html| secrets.mask(&html));
        let console = page.console_log.map(|lines| {
            let mut text = lines.join("\n");
            text.push('\n');
            // A page may log every keystroke of a secret.
            secrets.mask_keystrokes(&text)
        });
        kept.problems
            .extend(save_page_text(&path, source, console).await);
    }
    if let (Some(png), Some(raw)) = (page.screenshot, &kept.screenshot) {
        header.url = header.url.map(|u| secrets.mask(&u));
        header.message = secrets.mask(&header.message);
        if let Err(e) = save_annotated(raw, png, header, page.target).await {
            kept.problems
                .push(format!("could not annotate the screenshot: {e}"));
        }
    }
    let file = result_file(kept.screenshot.as_deref());
    if let Err(e) = write_result_file(&result_file_path(&path), &file).await {
        kept.problems
            .push(format!("could not save the step results: {e}"));
    }
    kept
}

/// `….html` and `….console.txt` beside `screenshot`'s path; each written if given, whatever
/// became of the other.
async fn save_page_text(
    screenshot: &Path,
    source: Option<String>,
    console: Option<String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(dir) = screenshot.parent()
        && let Err(e) = tokio::fs::create_dir_all(dir).await
    {
        problems.push(format!("could not create the evidence folder: {e}"));
        return problems;
    }
    if let Some(html) = source
        && let Err(e) = tokio::fs::write(screenshot.with_extension("html"), html).await
    {
        problems.push(format!("could not save the page source: {e}"));
    }
    if let Some(text) = console
        && let Err(e) = tokio::fs::write(screenshot.with_extension("console.txt"), text).await
    {
        problems.push(format!("could not save the console log: {e}"));
    }
    problems
}

/// The annotated copy beside the raw screenshot at `raw`.
async fn save_annotated(
    raw: &Path,
    png: Vec<u8>,
    header: Header,
    target: Option<Rect>,
) -> Result<(), AnnotateError> {
    // Decoding and encoding PNGs is CPU work: off the async threads.
    let Ok(bytes) = tokio::task::spawn_blocking(move || annotate(&png, &header, target)).await
    else {
        // The task panicked: nothing to keep, and the panic is already reported.
        return Ok(());
    };
    let path = annotated_path(raw);
    tokio::fs::write(&path, bytes?)
        .await
        .map_err(|source| AnnotateError::Io { path, source })
}
