//! Evidence of what the customer saw: screenshots (with secrets blanked in the pixels) and the
//! folder they are kept in.

pub mod annotate;
pub mod manifest;
pub mod result_file;
pub mod screenshot;
pub mod signature;

pub use screenshot::{CaptureError, SecretsOnPage, capture, screenshot_file_name, slug};
