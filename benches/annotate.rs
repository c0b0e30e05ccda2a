//! How long annotating a failure screenshot takes, next to how long the browser took to capture
//! it: the annotation runs while the journey waits, so it must cost well under the capture.
//!
//! `cargo bench --bench annotate` (release). Prints milliseconds, median of several runs, for
//! decode + annotate + encode of real 1280×800 demo-bank screenshots, the same with the `image`
//! crate's default PNG compression, and a real headless Chromium capturing a 1280×800 viewport.

use std::path::Path;
use std::time::{Duration, Instant};

use image::ImageEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use vedetta::browser::{BrowserConfig, Session};
use vedetta::evidence::annotate::{Header, Rect, annotate};

const RUNS: usize = 15;

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

fn time(mut f: impl FnMut()) -> f64 {
    f(); // warm-up: font parsing, allocator
    median(
        (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn header() -> Header {
    Header {
        time_utc: "2026-09-26 11:30:12 UTC".into(),
        journey: "demo-card-balance".into(),
        step_index: 1,
        step_name: "open the home page".into(),
        url: Some("http://127.0.0.1:7878/".into()),
        category: "outage".into(),
        message: "the bank says it is experiencing temporary difficulties (fail_fast signature at line 24)".into(),
    }
}

fn main() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let target = Some(Rect {
        x: 599.0,
        y: 258.0,
        width: 82.0,
        height: 42.0,
    });
    println!("annotate benchmark: median of {RUNS} runs, milliseconds");
    println!(
        "{:<32} {:>9} {:>11} {:>13} {:>11}",
        "screenshot", "annotate", "out bytes", "default-png", "out bytes"
    );
    for name in ["demo-outage-1280x800.png", "demo-balance-1280x800.png"] {
        let png = std::fs::read(data.join(name)).expect("bench screenshot");
        let mut out_len = 0;
        let ours = time(|| out_len = annotate(&png, &header(), target).unwrap().len());
        // Reference: decode and re-encode with the `image` crate's default PNG settings,
        // which is what a plain `save()` would cost, without annotating at all.
        let mut ref_len = 0;
        let reference = time(|| {
            let img = image::load_from_memory(&png).unwrap().into_rgb8();
            let mut out = Vec::new();
            PngEncoder::new_with_quality(&mut out, CompressionType::Default, FilterType::Adaptive)
                .write_image(
                    img.as_raw(),
                    img.width(),
                    img.height(),
                    image::ExtendedColorType::Rgb8,
                )
                .unwrap();
            ref_len = out.len();
        });
        println!("{name:<32} {ours:>9.1} {out_len:>11} {reference:>13.1} {ref_len:>11}");
    }
    encoder_table(&std::fs::read(data.join("demo-balance-1280x800.png")).unwrap());

    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/annotate-bench.annotated.png");
    let png = std::fs::read(data.join("demo-outage-1280x800.png")).unwrap();
    std::fs::write(&out, annotate(&png, &header(), target).unwrap()).unwrap();
    println!("(annotated sample written to {})", out.display());
    // A phone-width sample: the strip wraps instead of cutting the message short.
    let wide =
        image::load_from_memory(&std::fs::read(data.join("demo-balance-1280x800.png")).unwrap())
            .unwrap()
            .into_rgb8();
    let phone = image::imageops::crop_imm(&wide, 200, 0, 390, 800).to_image();
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(phone.as_raw(), 390, 800, image::ExtendedColorType::Rgb8)
        .unwrap();
    let mut h = header();
    h.step_index = 12;
    h.step_name = "the balance is an amount in euro".into();
    h.category = "assertion".into();
    h.message =
        "expected /€\\s?[0-9.,]+/ in #balance, found \"Loading your balance…\" (città, 残高)"
            .into();
    let narrow = out.with_file_name("annotate-bench.narrow.png");
    std::fs::write(
        &narrow,
        annotate(
            &png,
            &h,
            Some(Rect {
                x: 20.0,
                y: 60.0,
                width: 300.0,
                height: 80.0,
            }),
        )
        .unwrap(),
    )
    .unwrap();
    println!("(phone-width sample written to {})", narrow.display());

    match capture_time(&data.join("demo-balance-1280x800.png")) {
        Ok(ms) => println!("headless Chromium capturing a 1280x800 viewport: {ms:.1} ms (median)"),
        Err(e) => {
            eprintln!("error: could not time a real browser capture: {e}");
            std::process::exit(1);
        }
    }
}

/// Where the time goes: decoding alone, and encoding the annotated image with each setting.
fn encoder_table(png: &[u8]) {
    let decode = time(|| {
        let _ = image::load_from_memory(png).unwrap().into_rgb8();
    });
    println!("\ndecode alone: {decode:.1} ms");
    let annotated = image::load_from_memory(&annotate(png, &header(), None).unwrap())
        .unwrap()
        .into_rgb8();
    println!("{:<24} {:>9} {:>11}", "encode (annotated)", "ms", "bytes");
    for (c, cn) in [
        (CompressionType::Fast, "fast"),
        (CompressionType::Default, "default"),
        (CompressionType::Best, "best"),
    ] {
        for (f, fname) in [
            (FilterType::NoFilter, "none"),
            (FilterType::Sub, "sub"),
            (FilterType::Up, "up"),
            (FilterType::Paeth, "paeth"),
            (FilterType::Adaptive, "adaptive"),
        ] {
            let mut len = 0;
            let ms = time(|| {
                let mut out = Vec::new();
                PngEncoder::new_with_quality(&mut out, c, f)
                    .write_image(
                        annotated.as_raw(),
                        annotated.width(),
                        annotated.height(),
                        image::ExtendedColorType::Rgb8,
                    )
                    .unwrap();
                len = out.len();
            });
            println!("{:<24} {ms:>9.1} {len:>11}", format!("{cn} + {fname}"));
        }
    }
}

/// Median time of `Session::screenshot` in real headless Chromium, showing a screenshot.
fn capture_time(page: &Path) -> Result<f64, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let session = Session::start(&BrowserConfig::default(), 1280, 800, "bench")
            .await
            .map_err(|e| e.to_string())?;
        let result = async {
            let url = format!("file://{}", page.display());
            session
                .goto(&url, Duration::from_secs(30))
                .await
                .map_err(|e| e.to_string())?;
            session.screenshot().await.map_err(|e| e.to_string())?;
            let mut times = Vec::new();
            for _ in 0..RUNS {
                let t = Instant::now();
                session.screenshot().await.map_err(|e| e.to_string())?;
                times.push(t.elapsed());
            }
            Ok(median(times))
        }
        .await;
        session.close().await;
        result
    })
}
