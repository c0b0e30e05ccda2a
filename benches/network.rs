//! What recording the network and the page timings costs a journey: the demo journey (13
//! steps, the SMS code through the inbox) walked against the embedded bank with recording on —
//! chromedriver's performance log, a timing read after each step, the HAR written before the
//! folder is sealed (the journey keeps a screenshot, so every run seals one) — and with it off,
//! alternately in one run, so that the machine's load falls on both alike.
//!
//! `cargo bench --profile dev --bench network` (needs chromium and chromedriver, as the tests
//! do); with `VEDETTA_BENCH_BROWSER=firefox`, the same in Firefox, whose network and console
//! come over WebDriver BiDi (needs firefox-esr and geckodriver). The goal: recording on takes at most 1.05× the wall time of recording off. The measure
//! for it is the time from the first step's start to the journey's end — every step, the reads
//! recording adds, the HAR, the seal and the browser's close; the browser's start, which
//! recording does not touch, varies by seconds on a busy machine and is shown apart.

use std::path::Path;
use std::time::Instant;

use tokio::sync::mpsc::unbounded_channel;
use tokio_util::sync::CancellationToken;
use vedetta::browser::{BrowserConfig, BrowserKind};
use vedetta::demo::{DEMO_PASSWORD, DemoStack};
use vedetta::journey::{LoadOptions, load_journey};
use vedetta::runner::event::Event;
use vedetta::runner::result::JourneyStatus;
use vedetta::runner::{RunOptions, run};

/// Runs of each kind.
const ROUNDS: usize = 12;

/// One walk of the demo journey, in milliseconds.
#[derive(Debug, Clone, Copy)]
struct Walk {
    /// The journey's wall time, from starting the browser to closing it.
    wall: f64,
    /// From the first step's start to the journey's end: the walk, the evidence kept at its end
    /// (the screenshot, the HAR, the seal) and the browser's close — without the browser's
    /// start, whose second or two of variance on a busy machine hides everything else.
    walk: f64,
    /// The steps' own time.
    steps: f64,
}

async fn walk(stack: &DemoStack, kind: BrowserKind, recording: bool, out: &Path, n: usize) -> Walk {
    let mut opts = LoadOptions::with_env([("DEMO_PASSWORD".to_string(), DEMO_PASSWORD.into())]);
    opts.cli_vars = vec![("BANK_URL".into(), stack.bank.url.clone())];
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("journeys/demo-card-balance.yaml");
    let journey = load_journey(&path, &opts).unwrap_or_else(|d| panic!("{d:#?}"));
    let options = RunOptions {
        browser: BrowserConfig {
            kind,
            without_recording: !recording,
            ..BrowserConfig::default()
        },
        jobs: 1,
        out_dir: out.to_path_buf(),
        run_id: format!("run-{n}-{recording}"),
        otp: stack.otp_sources(),
        sign_key: None,
        browsers: None,
    };
    let (tx, mut rx) = unbounded_channel();
    // The events' times, as they come.
    let watch = tokio::spawn(async move {
        let (mut first_step, mut finished) = (None, None);
        while let Some(e) = rx.recv().await {
            match e {
                Event::StepStarted { .. } => {
                    first_step.get_or_insert_with(Instant::now);
                }
                Event::JourneyFinished { .. } => finished = Some(Instant::now()),
                _ => {}
            }
        }
        (first_step, finished)
    });
    let started = Instant::now();
    let report = run(vec![journey], options, tx, CancellationToken::new()).await;
    let wall = started.elapsed().as_secs_f64() * 1000.0;
    let (first_step, finished) = watch.await.unwrap();
    let j = &report.journeys[0];
    assert_eq!(j.status, JourneyStatus::Passed, "{j:#?}");
    let har = out
        .join(format!("run-{n}-{recording}"))
        .join(&j.name)
        .join("network.har");
    assert_eq!(har.is_file(), recording, "{}", har.display());
    let walked = finished
        .unwrap()
        .duration_since(first_step.unwrap())
        .as_secs_f64()
        * 1000.0;
    Walk {
        wall,
        walk: walked,
        steps: j.steps.iter().map(|s| s.duration_ms as f64).sum(),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let stack = DemoStack::start(listener, Vec::new()).await.unwrap();
    let out = tempfile::tempdir().unwrap();
    let kind = match std::env::var("VEDETTA_BENCH_BROWSER").as_deref() {
        Ok("firefox") => BrowserKind::Firefox,
        Ok("chromium") | Err(_) => BrowserKind::Chromium,
        Ok(other) => panic!("VEDETTA_BENCH_BROWSER={other}: chromium or firefox"),
    };
    // One walk to warm the disk cache and the bank, not counted.
    walk(&stack, kind, true, out.path(), 0).await;
    let (mut on, mut off) = (Vec::new(), Vec::new());
    for n in 1..=ROUNDS {
        // ABBA: neither kind always goes first.
        let order = if n % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        };
        for recording in order {
            let t = walk(&stack, kind, recording, out.path(), n).await;
            if recording { &mut on } else { &mut off }.push(t);
        }
    }
    stack.shutdown().await;

    // Each round's two walks ran back to back: their ratio is what recording cost then, and
    // the median of the rounds' ratios is robust to the machine's load changing over the run.
    let ratio = |part: fn(&Walk) -> f64| {
        median(
            on.iter()
                .zip(&off)
                .map(|(a, b)| part(a) / part(b))
                .collect(),
        )
    };
    let med = |v: &[Walk], part: fn(&Walk) -> f64| median(v.iter().map(part).collect());
    println!(
        "network recording benchmark ({kind:?}): the demo journey, {ROUNDS} rounds of one walk \
         each way (alternating which goes first); medians"
    );
    println!(
        "{:<40} {:>12} {:>12} {:>16}",
        "", "recording", "off", "ratio per round"
    );
    type Part = fn(&Walk) -> f64;
    let rows: [(&str, Part); 3] = [
        ("journey wall time (browser start incl.)", |w| w.wall),
        ("first step to the journey's end", |w| w.walk),
        ("the steps' own time", |w| w.steps),
    ];
    for (label, part) in rows {
        println!(
            "{:<40} {:>9.0} ms {:>9.0} ms {:>15.3}×",
            label,
            med(&on, part),
            med(&off, part),
            ratio(part)
        );
    }
}
