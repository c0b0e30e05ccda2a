//! Waits that learn the page changed (see `src/browser/probe.js`): whatever changes what a step
//! waits for is seen — a new element, a class removed, a text node's data, an animation that
//! ends, and changes that no DOM mutation or event announces (a field's value set by script, the
//! URL changed by `history.pushState`) — in Chromium and in Firefox.

use crate::common;

use common::{journey, options, run_with, serve};
use tokio_util::sync::CancellationToken;
use vedetta::browser::BrowserKind;
use vedetta::runner::result::JourneyStatus;

const LATE: &str = r##"
name: @NAME@
base_url: ${BASE}
timeout: 10s
steps:
  - open: /late.html
  - wait_for: "#shown"
  - click: "#revealed"
  - assert_text: { "#revealed": "pressed" }
  - assert_text: { "#amount": "42" }
  - wait_for: { url: "step=done" }
  - wait_for: { text: "All loaded" }
  - assert_visible: "#fade"
"##;

async fn walk_late_changes(kind: BrowserKind) {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let mut opts = options(out.path());
    opts.browser.kind = kind;
    // Each browser's journey its own name: the leftover-process check goes by it.
    let name = format!("late-changes-{kind:?}").to_lowercase();
    let yaml = LATE.replace("@NAME@", &name);
    let j = journey(&name, &yaml, &[("BASE", &site.base)]);
    let ran = run_with(vec![j], opts, CancellationToken::new()).await;
    let r = ran.journey();
    common::assert_every_step_passed(r);
    assert_eq!(r.status, JourneyStatus::Passed);
    assert_eq!(r.steps.len(), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_sees_every_kind_of_late_change_in_chromium() {
    walk_late_changes(BrowserKind::Chromium).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_sees_every_kind_of_late_change_in_firefox() {
    walk_late_changes(BrowserKind::Firefox).await;
}
