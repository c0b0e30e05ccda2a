//! Every action of the journey language, walked for real in headless Chromium.

use crate::common;

use common::{load, run_one, serve};
use vedetta::runner::event::Event;
use vedetta::runner::result::{JourneyStatus, StepStatus};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_action_passes_on_a_page_that_allows_it() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let journey = load("run-actions.yaml", &[("BASE", &site.base)]);
    let ran = run_one(journey, out.path()).await;
    let j = ran.journey();
    let failed: Vec<_> = j
        .steps
        .iter()
        .filter(|s| s.status == StepStatus::Failed)
        .collect();
    assert!(failed.is_empty(), "failed steps: {failed:#?}");
    assert_eq!(j.status, JourneyStatus::Passed, "{j:#?}");

    // Indices run 1.. in walk order, include and when steps counted in place.
    let indices: Vec<usize> = j.steps.iter().map(|s| s.index).collect();
    assert_eq!(indices, (1..=j.steps.len()).collect::<Vec<_>>());

    // `when` that holds runs its steps; one that does not skips them with a reason.
    let when_true = j
        .steps
        .iter()
        .position(|s| s.name == "when that holds")
        .unwrap();
    assert_eq!(j.steps[when_true].status, StepStatus::Passed);
    assert_eq!(j.steps[when_true + 1].action, "click");
    assert_eq!(j.steps[when_true + 1].status, StepStatus::Passed);
    let when_false = j
        .steps
        .iter()
        .position(|s| s.name == "when that does not hold")
        .unwrap();
    assert_eq!(j.steps[when_false].status, StepStatus::Passed);
    let inner = &j.steps[when_false + 1];
    assert_eq!(inner.status, StepStatus::Skipped);
    assert_eq!(inner.skip_reason.as_deref(), Some("condition not met"));

    // `include` runs the other file's steps here, each its own result pointing at its file.
    let include = j.steps.iter().position(|s| s.action == "include").unwrap();
    let included = &j.steps[include + 1..include + 3];
    assert!(
        included
            .iter()
            .all(|s| s.status == StepStatus::Passed && s.file.ends_with("run-included.yaml"))
    );
    assert_eq!(included[0].line, 2);
    // Steps inside a block are one level deeper than the block, which is at the top.
    assert_eq!(j.steps[include].depth, 0);
    assert!(included.iter().all(|s| s.depth == 1), "{included:#?}");
    assert_eq!(
        (j.steps[when_true].depth, j.steps[when_true + 1].depth),
        (0, 1)
    );
    assert_eq!(inner.depth, 1);

    // The named screenshot is kept, as a PNG of the viewport.
    let shot = j.steps.iter().find(|s| s.action == "screenshot").unwrap();
    let path = shot.screenshot.as_ref().expect("screenshot path");
    assert!(path.ends_with("-after-actions.png"), "{path}");
    let img = image::open(path).expect("a PNG");
    assert_eq!((img.width(), img.height()), (800, 600));

    // Every step was reported as it went: started then finished, in order.
    let finished = ran
        .events
        .iter()
        .filter(|e| matches!(e, Event::StepFinished { .. }))
        .count();
    assert_eq!(finished, j.steps.len());
    assert!(matches!(
        ran.events.first(),
        Some(Event::JourneyStarted { attempt: 1, .. })
    ));
    assert!(matches!(
        ran.events.last(),
        Some(Event::JourneyFinished { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_optional_step_fails_without_failing_the_journey() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let ran = run_one(
        load("run-optional.yaml", &[("BASE", &site.base)]),
        out.path(),
    )
    .await;
    let j = ran.journey();
    assert_eq!(j.status, JourneyStatus::Passed, "{j:#?}");
    let opt = &j.steps[1];
    assert_eq!(opt.status, StepStatus::Failed);
    assert!(opt.optional);
    assert_eq!(
        opt.failure.as_ref().unwrap().category.as_str(),
        "element_missing"
    );
    assert_eq!(j.steps[2].status, StepStatus::Passed, "the journey went on");
}

/// `fill` replaces what a field holds — the page's own value or what a person typed — and types
/// the new text key by key into an empty field too: the page's key listeners see every key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fill_replaces_a_field_s_value_and_types_key_by_key() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let journey = common::journey(
        "fill-replaces",
        r##"
name: fill-replaces
base_url: ${BASE}
steps:
  - open: /actions.html
  - name: the page fills a field and counts keys
    script: |
      document.querySelector('#name').value = 'old value';
      window.keys = 0;
      document.querySelector('#search').addEventListener('keydown', () => window.keys++);
  - fill: { "#name": "mario.rossi" }
  - assert_text: { "#name": '/^mario\.rossi$/' }
  - fill: { "#name": "" }
  - assert_text: { "#name": '/^$/' }
  - name: an empty field takes letters no keyboard key makes
    fill: { "#name": "Città €5 日本 🙂" }
  - assert_text: { "#name": '/^Città €5 日本 🙂$/' }
  - fill: { "#name": "" }
  - fill: { "#search": "abc" }
  - assert_text: { "#search": '/^abc$/' }
  - name: every key reached the page
    script: "if (window.keys !== 3) throw new Error('keydown events: ' + window.keys)"
  - fill: { "#search": "xy" }
  - assert_text: { "#search": '/^xy$/' }
"##,
        &[("BASE", &site.base)],
    );
    let ran = run_one(journey, out.path()).await;
    let j = ran.journey();
    common::assert_every_step_passed(j);
}

/// A screenshot hides the secrets a page shows for the moment of the shot only: the journey
/// goes on with the page as it was — the field still holds the secret typed into it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_screenshot_puts_back_the_secrets_it_hid() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let journey = common::journey(
        "shot-puts-back",
        r##"
name: shot-puts-back
base_url: ${BASE}
secrets: [PASSWORD]
steps:
  - open: /actions.html
  - fill: { "#name": "${PASSWORD}" }
  - screenshot: signed in
  - name: the field holds the secret again
    script: |
      const v = document.querySelector('#name').value;
      if (v.length !== 14) throw new Error('the field holds ' + v.length + ' characters');
"##,
        &[("BASE", &site.base), ("PASSWORD", "tr0ub4dor&3xyz")],
    );
    let ran = run_one(journey, out.path()).await;
    let j = ran.journey();
    common::assert_every_step_passed(j);
    assert!(j.steps[2].screenshot.is_some(), "the shot was taken");
}

/// A click lands on the element a person would hit: one covered by another element is clicked
/// once the cover goes (the page sees exactly one click), one scrolled out of view is scrolled
/// to first, and one that stays covered fails naming what would get the click.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_waits_out_a_cover_scrolls_to_its_element_and_names_what_covers_it() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let journey = common::journey(
        "click-cover",
        r##"
name: click-cover
base_url: ${BASE}
timeout: 3s
steps:
  - open: /actions.html
  - name: a cover over the link for 300 ms, a button far below, clicks counted
    script: |
      window.clicks = { more: 0, far: 0 };
      document.querySelector('#more').addEventListener('click', (e) => { e.preventDefault(); window.clicks.more++; });
      const cover = document.createElement('div');
      cover.id = 'cover';
      cover.style.cssText = 'position:fixed;inset:0;background:rgba(0,0,0,.2)';
      document.body.append(cover);
      setTimeout(() => cover.remove(), 300);
      const far = document.createElement('button');
      far.id = 'far';
      far.textContent = 'far';
      far.style.cssText = 'margin-top:3000px;display:block';
      far.addEventListener('click', () => window.clicks.far++);
      document.body.append(far);
  - click: "#more"
  - click: "#far"
  - name: each click reached its element once
    script: "if (window.clicks.more !== 1 || window.clicks.far !== 1) throw new Error(JSON.stringify(window.clicks))"
  - name: a cover that stays
    script: |
      const cover = document.createElement('div');
      cover.id = 'shade';
      cover.className = 'modal';
      cover.style.cssText = 'position:fixed;inset:0';
      document.body.append(cover);
  - click: "#more"
    timeout: 500ms
"##,
        &[("BASE", &site.base)],
    );
    let ran = run_one(journey, out.path()).await;
    let j = ran.journey();
    let steps: Vec<_> = j.steps.iter().map(|s| (s.index, s.status)).collect();
    let (last, before) = j.steps.split_last().unwrap();
    assert!(
        before.iter().all(|s| s.status == StepStatus::Passed),
        "{steps:?}: {:#?}",
        j.steps
    );
    assert_eq!(last.status, StepStatus::Failed, "{last:#?}");
    let message = &last.failure.as_ref().unwrap().message;
    assert!(
        message.contains("could not be used within 500ms")
            && message.contains("div#shade.modal would receive the click"),
        "{message}"
    );
}
