//! Writes the annotated copy of every failure screenshot named in a `--report-json` file,
//! beside the raw one (`<stem>.annotated.png`). Until the runner annotates by itself, this is
//! how the README's sample images are made from a real demo failure:
//!
//! ```text
//! cargo run -- demo --listen 127.0.0.1:0 --fault no-balance --report-json /tmp/r.json
//! cargo run --example annotate_report -- /tmp/r.json
//! ```

use std::path::Path;

use vedetta::evidence::annotate::{Header, annotate, annotated_path};

fn main() {
    let Some(report) = std::env::args().nth(1) else {
        eprintln!("usage: annotate_report REPORT.json");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&report).unwrap_or_else(|e| {
        eprintln!("error: {report}: {e}");
        std::process::exit(2);
    });
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        eprintln!("error: {report}: {e}");
        std::process::exit(2);
    });
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let mut written = 0;
    for journey in json["journeys"].as_array().into_iter().flatten() {
        for step in journey["steps"].as_array().into_iter().flatten() {
            let failure = &step["failure"];
            let Some(shot) = failure["screenshot"].as_str() else {
                continue;
            };
            let header = Header {
                // The report has the journey's start, not the step's: good enough for a sample.
                time_utc: s(&journey["started_at"])
                    .replace('T', " ")
                    .replace('Z', " UTC"),
                journey: s(&journey["name"]),
                step_index: step["index"].as_u64().unwrap_or(0) as usize,
                step_name: s(&step["name"]),
                url: failure["url"].as_str().map(String::from),
                category: s(&failure["category"]),
                message: s(&failure["message"]),
            };
            let png = std::fs::read(shot).unwrap_or_else(|e| {
                eprintln!("error: {shot}: {e}");
                std::process::exit(1);
            });
            let out = annotated_path(Path::new(shot));
            match annotate(&png, &header, None) {
                Ok(bytes) => {
                    std::fs::write(&out, bytes).expect("write the annotated screenshot");
                    println!("{}", out.display());
                    written += 1;
                }
                Err(e) => eprintln!("error: {shot}: {e}"),
            }
        }
    }
    if written == 0 {
        eprintln!("no failure screenshot in {report}");
    }
}
