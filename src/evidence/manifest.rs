//! `manifest.json`: what makes an evidence folder tamper-evident. It lists the SHA-256 and size
//! of every other file in the folder (recursively) with where and how the evidence was taken,
//! so `vedetta evidence verify DIR` can say later which file was changed, removed or added.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The manifest's file name, at the top of the evidence folder.
pub const MANIFEST_FILE: &str = "manifest.json";
/// Written in every manifest, so a folder is recognised and a later layout can be told apart.
pub const MANIFEST_FORMAT: &str = "vedetta-evidence/1";

/// How and where the evidence was taken: everything in the manifest but the file list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestMeta {
    pub vedetta_version: String,
    pub browser_name: String,
    pub browser_version: String,
    /// The WebDriver endpoint kind and version, e.g. `chromedriver 131.0.6778.85` or a grid URL.
    pub driver: String,
    pub host: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    /// RFC 3339, UTC.
    pub finished_at: String,
}

impl ManifestMeta {
    /// This machine's host name, or `unknown` when the system will not say.
    pub fn host_name() -> String {
        nix::unistd::gethostname()
            .ok()
            .and_then(|h| h.into_string().ok())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "unknown".into())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Relative to the evidence folder, `/`-separated.
    pub path: String,
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    #[serde(flatten)]
    pub meta: ManifestMeta,
    /// Sorted by path.
    pub files: Vec<FileEntry>,
}

/// What `verify` found. Paths are relative to the folder, `/`-separated, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Files that are as the manifest says.
    pub intact: usize,
    /// Files whose content (hash or size) differs from the manifest.
    pub changed: Vec<String>,
    /// Files in the manifest that are gone.
    pub missing: Vec<String>,
    /// Files in the folder that the manifest does not list.
    pub added: Vec<String>,
    /// Paths the manifest lists more than once (no manifest vedetta writes does).
    pub listed_twice: Vec<String>,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.changed.is_empty()
            && self.missing.is_empty()
            && self.added.is_empty()
            && self.listed_twice.is_empty()
    }
}

/// Hashes every file under `dir` and writes `dir/manifest.json`, atomically: a reader sees
/// the old manifest or the new one, never half of one. Returns the manifest's own SHA-256
/// (lowercase hex), to be kept outside the folder.
pub fn write_manifest(dir: &Path, meta: &ManifestMeta) -> io::Result<String> {
    let files = hash_folder(dir)?
        .into_iter()
        .map(|(path, (size, sha256))| FileEntry { path, size, sha256 })
        .collect();
    let manifest = Manifest {
        format: MANIFEST_FORMAT.into(),
        meta: meta.clone(),
        files,
    };
    let mut json = serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)?;
    json.push(b'\n');

    let tmp = dir.join(temp_name());
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(&json)?;
        f.sync_all()?;
        fs::rename(&tmp, dir.join(MANIFEST_FILE))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map(|()| hex(&Sha256::digest(&json)))
}

/// Reads `dir/manifest.json` and compares it with the folder as it is now.
///
/// An `Err` means `dir` is not an evidence folder (no readable, valid manifest) or could not be
/// read; a tampered folder is an `Ok` report that is not intact.
pub fn verify(dir: &Path) -> Result<VerifyReport, io::Error> {
    let manifest = read_manifest(dir)?;
    let mut now = hash_folder(dir)?;
    let mut report = VerifyReport::default();
    let mut listed = std::collections::BTreeSet::new();
    for entry in manifest.files {
        if !listed.insert(entry.path.clone()) {
            // A forged manifest may list a file twice; saying "missing" would mislead.
            report.listed_twice.push(entry.path);
            continue;
        }
        match now.remove(&entry.path) {
            None => report.missing.push(entry.path),
            Some((size, sha)) if size != entry.size || sha != entry.sha256 => {
                report.changed.push(entry.path)
            }
            Some(_) => report.intact += 1,
        }
    }
    report.added = now.into_keys().collect();
    report.changed.sort();
    report.missing.sort();
    report.listed_twice.sort();
    report.listed_twice.dedup();
    Ok(report)
}

/// Reads and checks `dir/manifest.json`.
pub fn read_manifest(dir: &Path) -> io::Result<Manifest> {
    let path = dir.join(MANIFEST_FILE);
    let text = fs::read(&path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: not a vedetta evidence manifest: {e}", path.display()),
        )
    })?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: unknown manifest format {:?} (expected {MANIFEST_FORMAT:?})",
                path.display(),
                manifest.format
            ),
        ));
    }
    Ok(manifest)
}

fn temp_name() -> String {
    format!(".{MANIFEST_FILE}.{}.tmp", std::process::id())
}

/// Every file under `dir` but the manifest itself: relative path → (size, SHA-256 hex).
fn hash_folder(dir: &Path) -> io::Result<BTreeMap<String, (u64, String)>> {
    let mut out = BTreeMap::new();
    let mut pending: Vec<PathBuf> = vec![PathBuf::new()];
    while let Some(rel_dir) = pending.pop() {
        for entry in fs::read_dir(dir.join(&rel_dir))? {
            let entry = entry?;
            let rel = rel_dir.join(entry.file_name());
            let key = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let kind = entry.file_type()?;
            if kind.is_dir() {
                pending.push(rel);
            } else if kind.is_symlink() {
                // Not followed (a link could point anywhere, or loop): its target is what is
                // recorded, so re-pointing it shows as a change.
                let target = fs::read_link(entry.path())?;
                let target = target.to_string_lossy();
                out.insert(key, (0, hex(&Sha256::digest(target.as_bytes()))));
            } else if key != MANIFEST_FILE
                && key != temp_name()
                && key != super::signature::SIGNATURE_FILE
                && key != super::signature::temp_name()
            {
                let mut f = fs::File::open(entry.path())?;
                let mut hasher = Sha256::new();
                let size = io::copy(&mut f, &mut hasher)?;
                out.insert(key, (size, hex(&hasher.finalize())));
            }
        }
    }
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> ManifestMeta {
        ManifestMeta {
            vedetta_version: "0.1.0".into(),
            browser_name: "chrome".into(),
            browser_version: "131.0".into(),
            driver: "chromedriver 131.0".into(),
            host: ManifestMeta::host_name(),
            started_at: "2026-09-26T09:30:00Z".into(),
            finished_at: "2026-09-26T09:30:05Z".into(),
        }
    }

    fn folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("01-open.png"), b"\x89PNG fake").unwrap();
        fs::write(dir.path().join("page.html"), "<html>x</html>").unwrap();
        fs::create_dir(dir.path().join("attempt2")).unwrap();
        fs::write(dir.path().join("attempt2/console.log"), "log line\n").unwrap();
        write_manifest(dir.path(), &meta()).unwrap();
        dir
    }

    #[test]
    fn manifest_lists_every_file_with_hash_size_and_metadata() {
        let dir = folder();
        let m = read_manifest(dir.path()).unwrap();
        assert_eq!(m.meta, meta());
        let paths: Vec<_> = m.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["01-open.png", "attempt2/console.log", "page.html"]);
        let page = &m.files[2];
        assert_eq!(page.size, 14);
        assert_eq!(page.sha256, hex(&Sha256::digest(b"<html>x</html>")));
        // No temp file left behind by the atomic write.
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 4, "{names:?}");
    }

    #[test]
    fn the_returned_hash_is_the_manifest_file_s() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.txt"), "a").unwrap();
        let sha = write_manifest(dir.path(), &meta()).unwrap();
        let written = fs::read(dir.path().join(MANIFEST_FILE)).unwrap();
        assert_eq!(sha, hex(&Sha256::digest(&written)));
    }

    #[test]
    fn intact_folder_verifies() {
        let dir = folder();
        let r = verify(dir.path()).unwrap();
        assert!(r.is_intact(), "{r:?}");
        assert_eq!(r.intact, 3);
        // Writing the manifest again over an old one is fine and still intact.
        write_manifest(dir.path(), &meta()).unwrap();
        assert!(verify(dir.path()).unwrap().is_intact());
    }

    #[test]
    fn one_byte_change_is_caught() {
        let dir = folder();
        let p = dir.path().join("01-open.png");
        let mut bytes = fs::read(&p).unwrap();
        bytes[5] ^= 1; // same size, one bit
        fs::write(&p, bytes).unwrap();
        let r = verify(dir.path()).unwrap();
        assert_eq!(r.changed, ["01-open.png"]);
        assert!(r.missing.is_empty() && r.added.is_empty());
        assert_eq!(r.intact, 2);
    }

    #[test]
    fn deleted_and_added_files_are_named() {
        let dir = folder();
        fs::remove_file(dir.path().join("attempt2/console.log")).unwrap();
        fs::write(dir.path().join("attempt2/forged.png"), b"x").unwrap();
        let r = verify(dir.path()).unwrap();
        assert_eq!(r.missing, ["attempt2/console.log"]);
        assert_eq!(r.added, ["attempt2/forged.png"]);
        assert!(r.changed.is_empty());
    }

    #[test]
    fn a_file_listed_twice_is_said_so_not_missing() {
        let dir = folder();
        let path = dir.path().join(MANIFEST_FILE);
        let mut m: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        let files = m["files"].as_array_mut().unwrap();
        let first = files[0].clone();
        files.push(first.clone());
        fs::write(&path, serde_json::to_vec(&m).unwrap()).unwrap();
        let r = verify(dir.path()).unwrap();
        assert_eq!(r.listed_twice, [first["path"].as_str().unwrap()]);
        assert!(r.missing.is_empty() && r.changed.is_empty() && r.added.is_empty());
        assert!(!r.is_intact());
    }

    #[test]
    fn a_signature_beside_the_manifest_is_not_an_added_file() {
        let dir = folder();
        fs::write(
            dir.path().join(super::super::signature::SIGNATURE_FILE),
            b"{}",
        )
        .unwrap();
        assert!(verify(dir.path()).unwrap().is_intact());
    }

    #[test]
    fn folder_without_a_valid_manifest_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            verify(dir.path()).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        fs::write(dir.path().join(MANIFEST_FILE), "{\"files\": 3}").unwrap();
        assert_eq!(
            verify(dir.path()).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }
}
