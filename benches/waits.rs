//! How soon a step acts once the page allows it: a waiting step waits *in the page* for it to
//! change (an async probe script with a MutationObserver, see `src/browser/probe.js`), never by
//! polling on a timer or fixed sleeps, so a button that appears — or becomes enabled — late
//! should be clicked a few milliseconds after it does.
//!
//! `cargo bench --profile dev --bench waits` (needs chromium and chromedriver, as the tests do).
//!
//! A local page shows a button after DELAY (or enables a disabled one after DELAY) and tells the
//! bench's server the moment it did; the button's click handler tells it the moment of the
//! click. The reaction is the time between the two, on the bench's own clock. Next to it, the
//! same click step on a button that is there from the start, measured the same way from the
//! step's start (its `StepStarted` event) to the click handler: what acting on an element
//! costs with no waiting in it. The difference is what waiting adds.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use tokio::sync::mpsc::unbounded_channel;
use tokio_util::sync::CancellationToken;
use vedetta::journey::{LoadOptions, parse_journey};
use vedetta::runner::event::Event;
use vedetta::runner::{RunOptions, run};

const ROUNDS: usize = 15;
const DELAY_MS: u64 = 400;

type Marks = Arc<Mutex<HashMap<String, Instant>>>;

const PAGE: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>wait</title></head>
<body><div id="slot"></div><script>
const q = new URLSearchParams(location.search);
const mode = q.get('mode'), n = q.get('n'), delay = Number(q.get('delay'));
const mark = (what) => fetch('/mark?k=' + what + '-' + mode + '-' + n);
const b = document.createElement('button');
b.id = 'go'; b.textContent = 'Go';
b.onclick = () => mark('clicked').then(() => {
  const d = document.createElement('div'); d.id = 'done'; d.textContent = 'done'; document.body.appendChild(d);
});
if (mode === 'present') { document.getElementById('slot').appendChild(b); }
if (mode === 'enabled') { b.disabled = true; document.getElementById('slot').appendChild(b); }
setTimeout(() => {
  if (mode === 'appears') document.getElementById('slot').appendChild(b);
  if (mode === 'enabled') b.disabled = false;
  mark('shown');
}, delay);
</script></body></html>"#;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(0.0, f64::max)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let marks: Marks = Arc::default();
    let app = Router::new()
        .route("/page", get(|| async { Html(PAGE) }))
        .route(
            "/mark",
            get(
                |State(m): State<Marks>, Query(q): Query<HashMap<String, String>>| async move {
                    if let Some(k) = q.get("k") {
                        m.lock()
                            .unwrap()
                            .entry(k.clone())
                            .or_insert_with(Instant::now);
                    }
                    "ok"
                },
            ),
        )
        .with_state(marks.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let modes = ["present", "appears", "enabled"];
    let mut yaml = format!("name: bench-waits\nbase_url: {base}\ntimeout: 10s\nsteps:\n");
    for n in 0..ROUNDS {
        for mode in modes {
            yaml.push_str(&format!(
                "  - open: /page?mode={mode}&n={n}&delay={DELAY_MS}\n  - name: click-{mode}\n    click: '#go'\n  - wait_for: '#done'\n"
            ));
        }
    }
    let journey = parse_journey(
        &yaml,
        Path::new("bench-waits.yaml"),
        &LoadOptions::default(),
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    let out = tempfile::tempdir().unwrap();
    let opts = RunOptions {
        browser: Default::default(),
        jobs: 1,
        out_dir: out.path().to_path_buf(),
        run_id: "bench".into(),
        otp: Default::default(),
        sign_key: None,
        browsers: None,
    };
    let (tx, mut rx) = unbounded_channel();
    // When each `click-present` step started, on the bench's clock, in order.
    let starts = tokio::spawn(async move {
        let mut starts = Vec::new();
        while let Some(e) = rx.recv().await {
            if let Event::StepStarted { name, .. } = e
                && name == "click-present"
            {
                starts.push(Instant::now());
            }
        }
        starts
    });
    let report = run(vec![journey], opts, tx, CancellationToken::new()).await;
    let starts = starts.await.unwrap();
    let j = &report.journeys[0];
    assert!(
        j.steps.iter().all(|s| s.failure.is_none()),
        "the bench journey failed: {j:#?}"
    );

    let marks = marks.lock().unwrap();
    let reaction = |mode: &str| -> Vec<f64> {
        (0..ROUNDS)
            .map(|n| {
                let shown = marks[&format!("shown-{mode}-{n}")];
                let clicked = marks[&format!("clicked-{mode}-{n}")];
                clicked.saturating_duration_since(shown).as_secs_f64() * 1000.0
            })
            .collect()
    };
    // Acting on a button already there: from the step's start to the click handler.
    let present: Vec<f64> = starts
        .iter()
        .enumerate()
        .map(|(n, started)| {
            let clicked = marks[&format!("clicked-present-{n}")];
            clicked.saturating_duration_since(*started).as_secs_f64() * 1000.0
        })
        .collect();
    let step_cost: Vec<f64> = j
        .steps
        .iter()
        .filter(|s| s.name == "click-present")
        .map(|s| s.duration_ms as f64)
        .collect();
    let cost = median(present.clone());
    println!(
        "waits benchmark: {ROUNDS} rounds, the page acts {DELAY_MS} ms after load; milliseconds"
    );
    println!(
        "{:<52} {:>8} {:>8} {:>14}",
        "", "median", "max", "over the click"
    );
    println!(
        "{:<52} {:>8.0} {:>8.0} {:>14}",
        "button there from the start: step start → clicked",
        cost,
        max(&present),
        "—"
    );
    for (mode, label) in [
        ("appears", "button appears late: shown → clicked"),
        ("enabled", "disabled button enabled: enabled → clicked"),
    ] {
        let r = reaction(mode);
        println!(
            "{:<52} {:>8.0} {:>8.0} {:>11.0} ms",
            label,
            median(r.clone()),
            max(&r),
            median(r) - cost
        );
    }
    println!(
        "(the click step on the button there from the start takes {:.0} ms in all, median: \
         its look, the click, the look for an error page after it and the page's timings)",
        median(step_cost)
    );
}
