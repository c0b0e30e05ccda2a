//! Screenshot files: their names in the journey's evidence folder, and writing one.
//!
//! The pixels come from the browser with secrets already hidden on the page
//! ([`crate::browser::Session::screenshot_hiding`]); this only names and keeps them.

use std::path::{Path, PathBuf};

/// The journey's evidence folder (`out_dir/<run_id>/<journey>/`) as one attempt names its files
/// in it.
#[derive(Debug, Clone)]
pub struct EvidenceFolder {
    pub dir: PathBuf,
    /// 1-based: later attempts' files get `-attemptN` so the first one's stay.
    pub attempt: u32,
}

impl EvidenceFolder {
    /// Where step `index`'s screenshot (`name`: the step's, or a `screenshot:` step's own) goes;
    /// a failed step's other files are named after it.
    pub fn screenshot_path(&self, index: usize, name: &str) -> PathBuf {
        self.dir
            .join(screenshot_file_name(index, name, self.attempt))
    }

    /// Where the attempt's HAR goes: `network.har`, `network-attempt2.har` for a later attempt.
    pub fn har_path(&self) -> PathBuf {
        let name = if self.attempt > 1 {
            format!("network-attempt{}.har", self.attempt)
        } else {
            "network.har".to_string()
        };
        self.dir.join(name)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("could not write {path}: {source}")]
pub struct WriteError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// Writes a screenshot's `png` to `path`, creating its folder.
pub async fn save_screenshot(path: &Path, png: &[u8]) -> Result<(), WriteError> {
    save_file(path, png).await
}

/// Writes `bytes` to `path`, creating its folder.
pub async fn save_file(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|source| WriteError {
                path: dir.to_path_buf(),
                source,
            })?;
    }
    tokio::fs::write(path, bytes)
        .await
        .map_err(|source| WriteError {
            path: path.to_path_buf(),
            source,
        })
}

/// `06-wait-for-sms-otp.png`; later attempts get `-attempt2` so the first one's stays.
pub fn screenshot_file_name(index: usize, name: &str, attempt: u32) -> String {
    let suffix = if attempt > 1 {
        format!("-attempt{attempt}")
    } else {
        String::new()
    };
    format!("{index:02}-{}{suffix}.png", slug(name))
}

/// Lowercase ASCII letters and digits joined by single dashes, at most 60 characters.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 60 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "step".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attempt_names_its_screenshots_in_the_folder() {
        let folder = EvidenceFolder {
            dir: PathBuf::from("out/run/card"),
            attempt: 2,
        };
        assert_eq!(
            folder.screenshot_path(3, "click #login"),
            Path::new("out/run/card/03-click-login-attempt2.png")
        );
        assert_eq!(
            folder.har_path(),
            Path::new("out/run/card/network-attempt2.har")
        );
        let first = EvidenceFolder {
            attempt: 1,
            ..folder
        };
        assert_eq!(first.har_path(), Path::new("out/run/card/network.har"));
    }

    #[tokio::test]
    async fn a_screenshot_is_written_with_its_folder_and_a_write_error_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run/card/01-open.png");
        save_screenshot(&path, b"png").await.unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"png");

        // A file where the folder should be.
        let blocked = path.join("02-click.png");
        let e = save_screenshot(&blocked, b"png").await.unwrap_err();
        assert_eq!(e.path, path);
        assert!(
            e.to_string()
                .starts_with(&format!("could not write {}: ", path.display())),
            "{e}"
        );
    }

    #[test]
    fn file_names_carry_index_slug_and_later_attempts() {
        assert_eq!(
            screenshot_file_name(6, "wait for SMS OTP", 1),
            "06-wait-for-sms-otp.png"
        );
        assert_eq!(
            screenshot_file_name(12, "click #login", 2),
            "12-click-login-attempt2.png"
        );
        assert_eq!(screenshot_file_name(1, "€€€", 1), "01-step.png");
    }

    #[test]
    fn slugs_are_short_and_safe() {
        assert_eq!(
            slug("  fill #username, #password "),
            "fill-username-password"
        );
        assert_eq!(slug("open ${BANK_URL}/../etc"), "open-bank-url-etc");
        assert!(slug(&"x".repeat(200)).len() <= 60);
    }
}
