//! Viewport screenshots with secrets hidden in the pixels.
//!
//! Before the shot, every field a step filled from a secret is emptied and every text node or
//! field value holding a secret's value shows `••••••` instead; right after, the page is put
//! back as it was, so the journey's later steps see the page the customer would.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::browser::{BrowserError, Selector, Session};
use crate::journey::model::SECRET_MASK;

/// What must not show in a screenshot.
#[derive(Debug, Default, Clone)]
pub struct SecretsOnPage {
    /// Fields a step filled from a template that uses a secret.
    pub fields: Vec<Selector>,
    /// The secrets' values (longest first), wherever they show as text.
    pub values: Vec<String>,
}

impl SecretsOnPage {
    fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.values.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("could not take the screenshot: {0}")]
    Browser(#[from] BrowserError),
    /// Never keep a picture that might show a secret.
    #[error("screenshot not kept: secrets could not be hidden on the page ({0})")]
    Unmasked(BrowserError),
    #[error("could not write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

const HIDE_JS: &str = r#"
const [fields, secrets, mask] = arguments;
const saved = [], texts = [];
const seen = new Set();
function blank(el) {
  if (seen.has(el) || !('value' in el)) return;
  seen.add(el); saved.push([el, el.value]); el.value = '';
}
function all(sel) {
  try {
    if (sel.css !== undefined) return Array.from(document.querySelectorAll(sel.css));
    const r = document.evaluate(sel.xpath, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
    const out = [];
    for (let i = 0; i < r.snapshotLength; i++) out.push(r.snapshotItem(i));
    return out;
  } catch (e) { return []; }
}
for (const sel of fields) for (const el of all(sel)) blank(el);
if (secrets.length) {
  for (const el of document.querySelectorAll('input, textarea')) {
    if (secrets.some(s => el.value.includes(s))) blank(el);
  }
  if (document.body) {
    const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (w.nextNode()) {
      const n = w.currentNode;
      let v = n.nodeValue, changed = false;
      for (const s of secrets) if (v.includes(s)) { v = v.split(s).join(mask); changed = true; }
      if (changed) { texts.push([n, n.nodeValue]); n.nodeValue = v; }
    }
  }
}
window.__vedettaHidden = { saved, texts };
return saved.length + texts.length;
"#;

const RESTORE_JS: &str = r#"
const m = window.__vedettaHidden;
if (m) {
  for (const [el, v] of m.saved) el.value = v;
  for (const [n, v] of m.texts) n.nodeValue = v;
  delete window.__vedettaHidden;
}
"#;

/// Takes a viewport PNG with `secrets` hidden and writes it to `path` (creating its folder).
pub async fn capture(
    session: &Session,
    secrets: &SecretsOnPage,
    path: &Path,
) -> Result<(), CaptureError> {
    let hid = !secrets.is_empty();
    if hid {
        session
            .execute(
                HIDE_JS,
                vec![
                    json!(secrets.fields),
                    json!(secrets.values),
                    json!(SECRET_MASK),
                ],
            )
            .await
            .map_err(CaptureError::Unmasked)?;
    }
    let shot = session.screenshot().await;
    if hid {
        // The page may have navigated meanwhile; nothing to put back then.
        let _ = session.execute(RESTORE_JS, vec![]).await;
    }
    let png = shot?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| CaptureError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    std::fs::write(path, png).map_err(|source| CaptureError::Write {
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
