//! Slow is a symptom: which parts of a passing run took longer than their `slow:` threshold.
//! Pure: a journey's thresholds and an attempt's step results in, the slow parts out. A slow
//! run still passed — it is *degraded*, never failed.
//!
//! - A step's `slow:` covers that step; for an `include` or `when` block, the block's own time
//!   and the time of every step inside it.
//! - The journey's `slow:` covers its steps together: the sum of every step's time.
//! - Only steps that passed are judged (a failed optional step is already said).

use std::time::Duration;

use super::result::{SlowStep, StepResult, StepStatus};
use crate::journey::model::{Journey, Step};

/// The threshold a step without inner steps crossed, as it finishes (for the console's live
/// `⚠`): `Some(threshold in ms)` when it took longer than its `slow:`. Blocks are judged at the
/// end, when their inner steps are done.
pub(crate) fn crossed(step: &Step, duration_ms: u64) -> Option<u64> {
    if !step.inner_steps().is_empty() {
        return None;
    }
    let threshold = millis(step.slow?);
    (duration_ms > threshold).then_some(threshold)
}

/// Judges a finished attempt: marks each step that took longer than its `slow:`
/// (`slow_threshold_ms`) and returns what was slow, in walk order, the journey's own threshold
/// (index 0) last. `steps` are the attempt's results in walk order, numbered as
/// [`Step::all`] numbers the journey's steps.
pub fn judge(journey: &Journey, steps: &mut [StepResult]) -> Vec<SlowStep> {
    let walked = Step::all(&journey.steps);
    let mut slow = Vec::new();
    for at in 0..steps.len() {
        let result = &steps[at];
        let Some(threshold) = walked
            .get(result.index.wrapping_sub(1))
            .and_then(|s| s.slow)
            .map(millis)
        else {
            continue;
        };
        if result.status != StepStatus::Passed {
            continue;
        }
        let took = result.duration_ms + inner_duration(steps, at);
        if took > threshold {
            steps[at].slow_threshold_ms = Some(threshold);
            slow.push(SlowStep {
                index: steps[at].index,
                name: steps[at].name.clone(),
                duration_ms: took,
                threshold_ms: threshold,
            });
        }
    }
    if let Some(threshold) = journey.slow.map(millis) {
        let took: u64 = steps.iter().map(|s| s.duration_ms).sum();
        if took > threshold {
            slow.push(SlowStep {
                index: 0,
                name: journey.name.clone(),
                duration_ms: took,
                threshold_ms: threshold,
            });
        }
    }
    slow
}

/// The time of the steps inside the block at `at`: those after it that are deeper.
fn inner_duration(steps: &[StepResult], at: usize) -> u64 {
    let depth = steps[at].depth;
    steps[at + 1..]
        .iter()
        .take_while(|s| s.depth > depth)
        .map(|s| s.duration_ms)
        .sum()
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::journey::{LoadOptions, parse_journey};

    fn journey(yaml: &str) -> Journey {
        parse_journey(yaml, Path::new("j.yaml"), &LoadOptions::with_env([])).expect("valid")
    }

    fn result(index: usize, depth: usize, status: StepStatus, ms: u64) -> StepResult {
        StepResult {
            index,
            depth,
            name: format!("step {index}"),
            action: "click".into(),
            component: "Journey".into(),
            file: "j.yaml".into(),
            line: index,
            column: 5,
            status,
            duration_ms: ms,
            optional: false,
            failure: None,
            skip_reason: None,
            screenshot: None,
            slow_threshold_ms: None,
            timing: None,
            log: None,
            warnings: Vec::new(),
        }
    }

    const CARD: &str = r##"
name: card
slow: 5s
steps:
  - click: "#a"
  - click: "#b"
    slow: 1s
  - when: { visible: "#banner" }
    slow: 500ms
    steps:
      - click: "#accept"
      - click: "#close"
  - click: "#c"
    slow: 2s
"##;

    #[test]
    fn a_step_over_its_threshold_is_slow_and_marked_one_under_is_not() {
        let j = journey(CARD);
        let mut steps = vec![
            result(1, 0, StepStatus::Passed, 100),
            result(2, 0, StepStatus::Passed, 1_001),
            result(3, 0, StepStatus::Passed, 100),
            result(4, 1, StepStatus::Passed, 100),
            result(5, 1, StepStatus::Passed, 100),
            result(6, 0, StepStatus::Passed, 2_000),
        ];
        let slow = judge(&j, &mut steps);
        assert_eq!(
            slow,
            vec![SlowStep {
                index: 2,
                name: "step 2".into(),
                duration_ms: 1_001,
                threshold_ms: 1_000
            }],
            "exactly at its threshold (step 6) is not slow; the block took 300ms of 500ms"
        );
        assert_eq!(steps[1].slow_threshold_ms, Some(1_000));
        assert_eq!(steps[5].slow_threshold_ms, None);
    }

    #[test]
    fn a_block_counts_its_inner_steps_and_the_journey_all_its_steps() {
        let j = journey(CARD);
        let mut steps = vec![
            result(1, 0, StepStatus::Passed, 3_000),
            result(2, 0, StepStatus::Passed, 500),
            result(3, 0, StepStatus::Passed, 100),
            result(4, 1, StepStatus::Passed, 300),
            result(5, 1, StepStatus::Passed, 300),
            result(6, 0, StepStatus::Passed, 900),
        ];
        let slow = judge(&j, &mut steps);
        assert_eq!(
            slow.iter()
                .map(|s| (s.index, s.duration_ms, s.threshold_ms))
                .collect::<Vec<_>>(),
            vec![(3, 700, 500), (0, 5_100, 5_000)]
        );
        assert_eq!(
            slow[1].name, "card",
            "the journey as a whole is named by its name"
        );
        assert_eq!(steps[2].slow_threshold_ms, Some(500));
    }

    #[test]
    fn only_passed_steps_are_judged_and_no_threshold_means_never_slow() {
        let j = journey(CARD);
        let mut steps = vec![
            result(1, 0, StepStatus::Passed, 100),
            result(2, 0, StepStatus::Failed, 5_000),
            result(3, 0, StepStatus::Skipped, 0),
            result(4, 1, StepStatus::Skipped, 0),
            result(5, 1, StepStatus::Skipped, 0),
            result(6, 0, StepStatus::Skipped, 0),
        ];
        assert!(judge(&j, &mut []).is_empty(), "no steps, nothing slow");
        let slow = judge(&j, &mut steps);
        assert_eq!(
            slow.iter().map(|s| s.index).collect::<Vec<_>>(),
            vec![0],
            "a failed step is not slow, but its time counts for the journey"
        );
        let plain = journey("name: plain\nsteps:\n  - click: '#a'\n");
        let mut one = [result(1, 0, StepStatus::Passed, 60_000)];
        assert!(judge(&plain, &mut one).is_empty());
    }

    #[test]
    fn the_live_mark_is_for_steps_without_inner_steps() {
        let j = journey(CARD);
        let all = Step::all(&j.steps);
        assert_eq!(crossed(all[1], 1_001), Some(1_000));
        assert_eq!(crossed(all[1], 1_000), None);
        assert_eq!(crossed(all[0], 60_000), None, "no threshold");
        assert_eq!(
            crossed(all[2], 60_000),
            None,
            "a block is judged at the end"
        );
    }
}
