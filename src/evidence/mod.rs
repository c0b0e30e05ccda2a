//! Evidence of what the customer saw: screenshots (secrets already hidden in the pixels by the
//! browser), a failed step's files, and the folder they are kept and sealed in.
//!
//! Takes plain page facts (PNG bytes, page source, console lines, a rectangle, header text) and
//! writes files; knows nothing of the runner's types.

pub mod annotate;
mod failure;
pub mod manifest;
pub mod result_file;
pub mod screenshot;
mod seal;
pub mod signature;

pub use failure::{FailureEvidence, KeptEvidence, PageAtFailure, keep_failure_evidence};
pub use screenshot::{
    EvidenceFolder, WriteError, save_file, save_screenshot, screenshot_file_name, slug,
};
pub use seal::seal_folder;
