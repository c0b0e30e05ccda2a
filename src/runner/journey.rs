//! A journey with its retries: each attempt in a fresh browser context (or browser); a pass
//! after a failed attempt is `flaky`, and every earlier attempt is kept.

use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use super::attempt::{run_attempt, seal_failures};
use super::event::Event;
use super::options::RunOptions;
use super::page::Browser;
use super::result::{AttemptResult, DeviceReport, JourneyResult, JourneyStatus, StepResult};
use crate::journey::model::Journey;
use crate::time::now_rfc3339;

/// Walks `journey` in a fresh page from `browser` until an attempt passes or its retries are
/// used up.
pub(crate) async fn run_with_retries<B: Browser>(
    journey: &Journey,
    browser: &B,
    opts: &RunOptions,
    events: &UnboundedSender<Event>,
    cancel: &CancellationToken,
) -> JourneyResult {
    let started_at = now_rfc3339();
    let started = Instant::now();
    let allowed = journey.retries.saturating_add(1);
    let mut previous: Vec<AttemptResult> = Vec::new();
    let mut number = 1;
    let mut browser_start_ms = 0;
    let last = loop {
        tracing::info!(
            attempt = number,
            attempts_allowed = allowed,
            "journey started"
        );
        let _ = events.send(Event::JourneyStarted {
            journey: journey.name.clone(),
            title: journey.title.clone(),
            attempt: number,
            attempts_allowed: allowed,
        });
        let outcome = {
            // Held for the walk: no other attempt reads codes from these numbers meanwhile.
            let _lease = hold_sms_numbers(journey, opts, cancel).await;
            run_attempt(journey, browser, opts, number, events, cancel).await
        };
        browser_start_ms += outcome.browser_start_ms;
        // The journey's one evidence folder was sealed again: earlier attempts' failures
        // carry the new manifest's hash.
        if let Some(sha) = &outcome.manifest_sha256 {
            for p in &mut previous {
                seal_failures(&mut p.steps, sha);
            }
        }
        let again =
            outcome.status != JourneyStatus::Passed && number < allowed && !cancel.is_cancelled();
        if !again {
            break outcome;
        }
        let reason = outcome
            .error
            .clone()
            .unwrap_or_else(|| first_failure(&outcome.steps));
        let delay = journey.retry_delay.before_retry(number, rand::random());
        let _ = events.send(Event::Retrying {
            journey: journey.name.clone(),
            attempt: number,
            reason,
            delay_ms: delay.as_millis() as u64,
        });
        tracing::info!(
            delay_ms = delay.as_millis() as u64,
            "waiting before the next attempt"
        );
        // Interrupted while waiting: this attempt was the last.
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = cancel.cancelled() => break outcome,
        }
        previous.push(AttemptResult {
            attempt: number,
            status: outcome.status,
            duration_ms: outcome.duration_ms,
            steps: outcome.steps,
            error: outcome.error,
        });
        number += 1;
    };
    let status = match last.status {
        JourneyStatus::Passed if !previous.is_empty() => JourneyStatus::Flaky,
        s => s,
    };
    let mut steps = last.steps;
    // Only a run that passed can be slow: a failed one is worse than slow already.
    let slow = match status {
        JourneyStatus::Passed | JourneyStatus::Flaky => super::slow::judge(journey, &mut steps),
        JourneyStatus::Failed | JourneyStatus::Error => Vec::new(),
    };
    let result = JourneyResult {
        name: journey.name.clone(),
        title: journey.title.clone(),
        file: journey.file.display().to_string(),
        status,
        attempts: number,
        started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        steps,
        error: last.error,
        previous_attempts: previous,
        degraded: !slow.is_empty(),
        slow,
        browser_start_ms,
        device: opts
            .browser
            .for_journey(journey)
            .device
            .map(|d| DeviceReport::new(&d, |s| journey.variables.mask(s))),
    };
    tracing::info!(
        status = result.status.as_str(),
        degraded = result.degraded,
        attempts = result.attempts,
        duration_ms = result.duration_ms,
        error = result.error.as_deref(),
        "journey {}",
        result.status.as_str()
    );
    let _ = events.send(Event::JourneyFinished {
        result: result.clone(),
    });
    result
}

/// Waits for the SMS numbers the journey reads codes from to be free, then holds them. Gives up
/// waiting when the run is cancelled: the attempt then stops at once on its own.
async fn hold_sms_numbers(
    journey: &Journey,
    opts: &RunOptions,
    cancel: &CancellationToken,
) -> Option<crate::otp::lease::Lease> {
    let numbers = crate::otp::lease::sms_numbers(&journey.steps, &journey.variables);
    if numbers.is_empty() {
        return None;
    }
    let leases = &opts.otp.leases;
    if numbers.iter().any(|n| leases.is_held(n)) {
        tracing::info!(
            journey = %journey.name,
            "waiting for another journey to finish with the same SMS number"
        );
    }
    tokio::select! {
        lease = leases.acquire(&numbers) => Some(lease),
        () = cancel.cancelled() => None,
    }
}

/// "step 3 (click #login): element_missing: …" for the retry notice.
fn first_failure(steps: &[StepResult]) -> String {
    steps
        .iter()
        .find_map(|s| {
            s.failure.as_ref().filter(|_| !s.optional).map(|f| {
                format!(
                    "step {} ({}): {}: {}",
                    s.index,
                    s.name,
                    f.category.as_str(),
                    f.message
                )
            })
        })
        .unwrap_or_else(|| "the attempt failed".into())
}

#[cfg(test)]
mod tests {
    use tokio_util::sync::CancellationToken;

    use super::super::fake_page::{FakePage, journey, run_on};
    use crate::runner::event::Event;
    use crate::runner::result::{JourneyStatus, StepStatus};

    const PAY: &str = r##"
name: pay
retries: 1
retry_delay: 0s
timeout: 1ms
steps:
  - click: "#pay"
"##;

    #[tokio::test]
    async fn a_pass_after_a_failed_attempt_is_flaky_and_the_failed_attempt_is_kept() {
        let j = journey(PAY);
        let out = tempfile::tempdir().unwrap();
        let (first, second) = (FakePage::showing(&[]), FakePage::showing(&["#pay"]));
        let (r, events) = run_on(
            &j,
            [first.clone(), second.clone()],
            out.path(),
            &CancellationToken::new(),
        )
        .await;

        assert_eq!(r.status, JourneyStatus::Flaky);
        assert_eq!(r.attempts, 2);
        assert_eq!(r.steps[0].status, StepStatus::Passed);
        assert_eq!(r.previous_attempts.len(), 1);
        let earlier = &r.previous_attempts[0];
        assert_eq!(
            (earlier.attempt, earlier.status),
            (1, JourneyStatus::Failed)
        );
        assert_eq!(earlier.steps[0].status, StepStatus::Failed);
        // Each attempt had its own page, and both were closed.
        assert_eq!(second.clicked(), ["#pay"]);
        assert_eq!(
            (first.ended(), second.ended()),
            (Some("close"), Some("close"))
        );
        let retrying: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::Retrying {
                    attempt, reason, ..
                } => Some((*attempt, reason.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(
            retrying,
            [(
                1,
                "step 1 (click #pay): element_missing: no element matches #pay (waited 1ms)"
            )]
        );
        // The first attempt's evidence is sealed by the manifest the second one rewrote.
        let sealed = earlier.steps[0].failure.as_ref().unwrap();
        assert!(sealed.evidence_sha256.is_some());
        assert!(
            crate::evidence::manifest::verify(&out.path().join("fake-run/pay"))
                .unwrap()
                .is_intact()
        );
    }

    #[tokio::test]
    async fn when_every_attempt_fails_the_journey_failed_after_its_retries() {
        let j = journey(PAY);
        let out = tempfile::tempdir().unwrap();
        let pages = [FakePage::showing(&[]), FakePage::showing(&[])];
        let (r, _) = run_on(&j, pages, out.path(), &CancellationToken::new()).await;
        assert_eq!(r.status, JourneyStatus::Failed);
        assert_eq!(r.attempts, 2);
        assert_eq!(r.previous_attempts.len(), 1);
        assert_eq!(r.steps[0].status, StepStatus::Failed);
    }
}
