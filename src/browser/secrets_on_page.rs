//! What a screenshot must not show, and the error of a screenshot taken with secrets hidden
//! ([`super::Session::screenshot_hiding`]).
//!
//! Before the shot, every field a step filled from a secret is emptied and every text node or
//! field value holding a secret's value shows `••••••` instead; right after, the page is put
//! back as it was, so the journey's later steps see the page the customer would.

use super::error::BrowserError;
use super::selector::Selector;
use crate::journey::model::Variables;

/// What must not show in a screenshot.
#[derive(Debug, Default, Clone)]
pub struct SecretsOnPage {
    /// Fields a step filled from a template that uses a secret.
    pub fields: Vec<Selector>,
    /// The secrets' values (longest first), wherever they show as text.
    pub values: Vec<String>,
}

impl SecretsOnPage {
    /// The secret `fields` filled so far and every secret value `vars` holds now.
    pub fn new(fields: &[Selector], vars: &Variables) -> SecretsOnPage {
        SecretsOnPage {
            fields: fields.to_vec(),
            values: vars
                .secret_values()
                .into_iter()
                .map(str::to_string)
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.values.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScreenshotError {
    #[error("could not take the screenshot: {0}")]
    Browser(#[from] BrowserError),
    /// Never keep a picture that might show a secret.
    #[error("screenshot not kept: secrets could not be hidden on the page ({0})")]
    Unmasked(BrowserError),
}

pub(super) const HIDE_JS: &str =
    concat!(include_str!("select.js"), include_str!("hide_secrets.js"));
pub(super) const RESTORE_JS: &str = include_str!("restore_secrets.js");
