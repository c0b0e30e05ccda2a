//! Sealing the journey's evidence folder when an attempt ends: its manifest of every file's
//! hash (see [`super::manifest`]).

use std::io;
use std::path::PathBuf;

use super::manifest::{MANIFEST_FILE, ManifestMeta, read_manifest, write_manifest};
use super::signature::{SealKey, sign};

/// Writes the manifest of the evidence folder `dir` when `kept_evidence` (the attempt left a
/// failure's files or kept screenshots) or when an earlier attempt sealed it — then the files
/// this attempt added are covered and the folder verifies intact. The folder's evidence began
/// with the first attempt that sealed it: its `started_at` is kept. Returns the manifest's
/// SHA-256, or `None` when there was nothing to seal. With `key`, the manifest is signed too
/// (`manifest.sig`).
pub async fn seal_folder(
    dir: PathBuf,
    kept_evidence: bool,
    meta: ManifestMeta,
    key: Option<SealKey>,
) -> io::Result<Option<String>> {
    // Looking at the folder and hashing every file is blocking work.
    tokio::task::spawn_blocking(move || {
        let sealed_before = dir.join(MANIFEST_FILE).is_file();
        if !(kept_evidence || sealed_before) || !dir.is_dir() {
            return Ok(None);
        }
        let mut meta = meta;
        if sealed_before && let Ok(first) = read_manifest(&dir) {
            meta.started_at = first.meta.started_at;
        }
        let sha = write_manifest(&dir, &meta)?;
        if let Some(key) = &key {
            sign(&dir, key)?;
        }
        Ok(Some(sha))
    })
    .await
    .map_err(io::Error::other)?
}
