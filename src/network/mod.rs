//! The network and timing evidence of an attempt: every request the page made, as the browser
//! reported it, and what follows from them — the HAR in the evidence folder, the failed
//! requests a failure names, whether the site under test is what failed, and how fast each
//! document loaded.
//!
//! Pure: browser events and page answers in, a model and JSON out. Reading them from the
//! browser is `crate::browser`'s; deciding a failure's category, the runner's.

pub mod bidi;
pub mod cdp;
pub mod failed;
pub mod har;
pub mod model;
pub mod site;
pub mod timing;
pub mod waterfall;

pub use cdp::NetworkLog;
pub use failed::{FailedRequest, Window};
pub use model::{NetError, NetErrorKind, Request};
pub use site::Site;
pub use timing::{DocumentTiming, PageTiming};
pub use waterfall::StepRequest;
