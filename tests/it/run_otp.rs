//! `otp:` steps in a real browser: while a step waits for its code, the page is still watched
//! for the journey's outage signatures — the incident's customers sat at the SMS page while the
//! site went down around them.

use crate::common;

use std::sync::Arc;

use common::{journey, run_with, serve};
use tokio_util::sync::CancellationToken;
use vedetta::inbox::Inbox;
use vedetta::otp::OtpSources;
use vedetta::runner::result::{FailureCategory, JourneyStatus, StepStatus};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_while_waiting_for_the_code_fails_the_otp_step_at_once() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    // The code never comes (an empty inbox) and the page turns into the outage banner a second
    // into a 30 s wait.
    let yaml = "name: run-otp-outage\nbase_url: ${BASE}\n\
        fail_fast:\n  - text: Stiamo riscontrando delle difficoltà temporanee\n    reason: the bank reports temporary difficulties\n\
        steps:\n  - open: /code-then-outage.html\n  - name: wait for the SMS code\n    otp: { from: sms, to: '+393330000001', pattern: '(\\d{6})', save_as: CODE, timeout: 30s }\n  - fill: { '#otp': '${CODE}' }\n";
    let mut opts = common::options(out.path());
    opts.otp = OtpSources::with_sms(Arc::new(Inbox::new()));
    let ran = run_with(
        vec![journey("otp-outage", yaml, &[("BASE", &site.base)])],
        opts,
        CancellationToken::new(),
    )
    .await;
    let j = ran.journey();
    assert_eq!(j.status, JourneyStatus::Failed, "{j:#?}");
    let s = &j.steps[1];
    assert_eq!(s.name, "wait for the SMS code");
    assert_eq!(s.status, StepStatus::Failed);
    let f = s.failure.as_ref().unwrap();
    assert_eq!(f.category, FailureCategory::Outage, "{f:#?}");
    assert_eq!(
        f.signature.as_deref(),
        Some("the bank reports temporary difficulties")
    );
    assert!(f.screenshot.is_some(), "{f:#?}");
    assert_eq!(j.steps[2].status, StepStatus::Skipped);
    // Told as the outage it is, long before the code's 30 s timeout would say "not received".
    assert!(s.duration_ms < 15_000, "took {} ms", s.duration_ms);
}
