//! `--html FILE`: one self-contained page for people — each journey with its status, each step
//! with an icon, its duration and its place on a timeline, and for a failure the category, the
//! message and the screenshot inline.
//!
//! Self-contained means no request leaves the file: the CSS is inline and screenshots are
//! `data:` URIs, so the report can be mailed, attached to a ticket or opened offline. Every
//! piece of text from the run is HTML-escaped: step names and page messages are not ours.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use base64::Engine as _;

use crate::evidence::annotate::annotated_path;
use crate::report::{html_network, human_duration};
use crate::runner::result::{
    AttemptResult, JourneyResult, JourneyStatus, RunReport, StepResult, StepStatus,
};
use crate::text::escape_html as esc;

/// Writes `report` as one HTML file to `path`; screenshot paths in the report are read
/// relative to the current directory (where vedetta wrote them).
pub fn write(report: &RunReport, path: &Path) -> io::Result<()> {
    let html = render(report, &std::env::current_dir()?);
    std::fs::write(path, html)
}

/// The report page; relative screenshot paths are resolved against `base`.
pub fn render(report: &RunReport, base: &Path) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let count = |s: JourneyStatus| report.journeys.iter().filter(|j| j.status == s).count();
    let (passed, failed, flaky, errors) = (
        count(JourneyStatus::Passed),
        count(JourneyStatus::Failed),
        count(JourneyStatus::Flaky),
        count(JourneyStatus::Error),
    );
    let overall = if failed > 0 {
        "failed"
    } else if errors > 0 {
        "error"
    } else {
        "passed"
    };
    let n = report.journeys.len();
    let _ = writeln!(
        h,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>vedetta — {n} journey{s}, {overall}</title>\n<style>{CSS}{NETWORK_CSS}</style>\n</head>\n<body>",
        s = plural(n),
        NETWORK_CSS = html_network::CSS,
    );
    let _ = write!(
        h,
        "<header class=\"top {overall}\"><div class=\"brand\">vedetta<span>synthetic journeys</span></div>\
         <div class=\"summary\"><span class=\"pill passed\">{passed} passed</span>\
         <span class=\"pill failed\">{failed} failed</span>"
    );
    if flaky > 0 {
        let _ = write!(h, "<span class=\"pill flaky\">{flaky} flaky</span>");
    }
    let slow = report.journeys.iter().filter(|j| j.degraded).count();
    if slow > 0 {
        let _ = write!(h, "<span class=\"pill slow\">{slow} slow</span>");
    }
    if errors > 0 {
        let _ = write!(h, "<span class=\"pill error\">{errors} error</span>");
    }
    let _ = writeln!(
        h,
        "<span class=\"when\">{} · {} · vedetta {}</span></div></header>\n<main>",
        esc(&readable_time(&report.started_at)),
        esc(&human_duration(report.duration_ms)),
        esc(&report.vedetta_version),
    );
    if let Some(signal) = &report.interrupted {
        let _ = writeln!(
            h,
            "<p class=\"banner\">The run was interrupted ({}): results are partial.</p>",
            esc(signal)
        );
    }
    for (i, journey) in report.journeys.iter().enumerate() {
        render_journey(&mut h, i, journey, base);
    }
    if report.journeys.is_empty() {
        h.push_str("<p class=\"empty\">No journey was run.</p>\n");
    }
    h.push_str("</main>\n<footer>Self-contained report: screenshots are embedded, nothing is loaded from the network.</footer>\n</body>\n</html>\n");
    h
}

fn render_journey(h: &mut String, i: usize, j: &JourneyResult, base: &Path) {
    let status = j.status.as_str();
    let _ = write!(
        h,
        "<section class=\"journey {status}\" id=\"journey-{i}\">\n<div class=\"journey-head\">\
         <span class=\"badge {status}\">{status}</span>{}<h2>{}</h2>",
        if j.degraded {
            "<span class=\"badge slow\">slow</span>"
        } else {
            ""
        },
        esc(&j.name)
    );
    if let Some(title) = &j.title {
        let _ = write!(h, "<span class=\"jtitle\">{}</span>", esc(title));
    }
    let (p, f, s) = tally(&j.steps);
    let optional = j
        .steps
        .iter()
        .filter(|x| x.optional && x.status == StepStatus::Failed)
        .count();
    // Optional failures apart: "0 passed, 3 failed" beside a passed badge misleads.
    let f = f - optional;
    let optional = if optional > 0 {
        format!(", {optional} optional failure{}", plural(optional))
    } else {
        String::new()
    };
    let device = j
        .device
        .as_ref()
        .map(|d| format!(" · on {}", esc(&d.to_string())))
        .unwrap_or_default();
    let _ = writeln!(
        h,
        "<span class=\"jmeta\">{}{device} · {p} passed, {f} failed{optional}, {s} skipped · {} attempt{} · {} · started {}</span></div>",
        esc(&j.file),
        j.attempts,
        plural(j.attempts as usize),
        esc(&human_duration(j.duration_ms)),
        esc(&readable_time(&j.started_at)),
    );
    if let Some(error) = &j.error {
        let _ = writeln!(
            h,
            "<div class=\"harness\"><strong>The harness could not do its job</strong> — not the site's fault: {}</div>",
            esc(error)
        );
    }
    for s in &j.slow {
        let what = if s.index == 0 {
            "The journey's steps together".to_string()
        } else {
            format!("Step {} “{}”", s.index, s.name)
        };
        let _ = writeln!(
            h,
            "<div class=\"slow-note\">⚠ {} took {}, over its slow: {} — passed, degraded</div>",
            esc(&what),
            esc(&human_duration(s.duration_ms)),
            esc(&human_duration(s.threshold_ms))
        );
    }
    for attempt in &j.previous_attempts {
        render_attempt(h, attempt);
    }
    render_steps(h, &j.steps, base);
    h.push_str("</section>\n");
}

fn render_attempt(h: &mut String, a: &AttemptResult) {
    let why = a
        .steps
        .iter()
        .find(|s| s.status == StepStatus::Failed)
        .map(|s| {
            let (cat, msg) = s
                .failure
                .as_ref()
                .map(|f| (f.category.as_str(), f.message.as_str()))
                .unwrap_or(("failed", ""));
            format!("step {} “{}” — {cat}: {msg}", s.index, s.name)
        })
        .or_else(|| a.error.clone())
        .unwrap_or_default();
    let _ = writeln!(
        h,
        "<div class=\"attempt\">Attempt {} {} after {}: {}</div>",
        a.attempt,
        a.status.as_str(),
        esc(&human_duration(a.duration_ms)),
        esc(&why)
    );
}

fn render_steps(h: &mut String, steps: &[StepResult], base: &Path) {
    if steps.is_empty() {
        h.push_str("<p class=\"empty\">No step ran.</p>\n");
        return;
    }
    // The timeline: each step's bar starts where the earlier steps' time ends, on a scale of
    // the steps' total, so where the time went shows at a glance.
    let total: u64 = steps.iter().map(|s| s.duration_ms).sum::<u64>().max(1);
    let mut elapsed = 0u64;
    h.push_str("<ol class=\"steps\">\n");
    for step in steps {
        let failed_optional = step.optional && step.status == StepStatus::Failed;
        let (class, icon) = match step.status {
            StepStatus::Passed if step.slow_threshold_ms.is_some() => ("passed slow", "⚠"),
            StepStatus::Passed => ("passed", "✔"),
            StepStatus::Failed if failed_optional => ("warned", "!"),
            StepStatus::Failed => ("failed", "✘"),
            StepStatus::Skipped => ("skipped", "–"),
        };
        let left = elapsed as f64 * 100.0 / total as f64;
        let width = step.duration_ms as f64 * 100.0 / total as f64;
        elapsed += step.duration_ms;
        let duration = match (step.status, step.slow_threshold_ms) {
            (StepStatus::Skipped, _) => "skipped".to_string(),
            (StepStatus::Passed, Some(threshold)) => format!(
                "{} (slow: over {})",
                human_duration(step.duration_ms),
                human_duration(threshold)
            ),
            _ => human_duration(step.duration_ms),
        };
        let _ = writeln!(
            h,
            "<li class=\"step {class}\"><div class=\"row\">\
             <span class=\"icon\" title=\"{}\">{icon}</span>\
             <span class=\"idx\">{:02}</span>\
             <span class=\"name\" style=\"padding-left:{:.1}em\">{}{}</span>\
             <span class=\"action\">{}</span>\
             <span class=\"track\" title=\"{}\"><span class=\"bar\" style=\"left:{left:.2}%;width:{width:.2}%\"></span></span>\
             <span class=\"dur\">{}</span></div>",
            step.status.as_str(),
            step.index,
            step.depth as f64 * 1.2,
            esc(&step.name),
            if step.optional {
                " <em>optional</em>"
            } else {
                ""
            },
            esc(&step.action),
            esc(&format!(
                "{} at {}:{}:{}",
                duration, step.file, step.line, step.column
            )),
            esc(&duration),
        );
        if let Some(timing) = &step.timing {
            html_network::timing(h, timing);
        }
        if let Some(reason) = &step.skip_reason {
            let _ = writeln!(h, "<div class=\"reason\">{}</div>", esc(reason));
        }
        if let Some(message) = &step.log {
            let _ = writeln!(h, "<div class=\"reason log\">{}</div>", esc(message));
        }
        for w in &step.warnings {
            let _ = writeln!(h, "<div class=\"reason warn\">⚠ {}</div>", esc(&w.message));
        }
        if let Some(f) = &step.failure {
            let _ = write!(
                h,
                "<div class=\"failure\"><div class=\"what\"><span class=\"cat\">{}</span> {}</div>\
                 <div class=\"where\">at {}:{}:{}",
                esc(f.category.as_str()),
                esc(&f.message),
                esc(&step.file),
                step.line,
                step.column,
            );
            if let Some(url) = &f.url {
                let _ = write!(h, " · page <code>{}</code>", esc(url));
            }
            if let Some(evidence) = &f.evidence {
                let _ = write!(h, " · evidence <code>{}</code>", esc(evidence));
            }
            h.push_str("</div>\n");
            html_network::failed_requests(h, &f.requests);
            html_network::waterfall(h, &f.waterfall);
            if let Some(shot) = &f.screenshot {
                figure(h, shot, base, true);
            }
            h.push_str("</div>\n");
        }
        if let Some(shot) = &step.screenshot {
            h.push_str("<details class=\"kept\"><summary>screenshot</summary>");
            figure(h, shot, base, false);
            h.push_str("</details>\n");
        }
        h.push_str("</li>\n");
    }
    h.push_str("</ol>\n");
}

/// The screenshot inline as a `data:` URI — its annotated copy when there is one — or a note
/// saying it could not be read.
fn figure(h: &mut String, shot: &str, base: &Path, prefer_annotated: bool) {
    let raw = resolve(Path::new(shot), base);
    let annotated = annotated_path(&raw);
    // The caption names the file shown, so the reader opens the picture they saw.
    let (path, label, shown) = if prefer_annotated && annotated.is_file() {
        let shown = annotated_path(Path::new(shot)).display().to_string();
        (annotated, "annotated screenshot", shown)
    } else {
        (raw, "screenshot", shot.to_string())
    };
    match std::fs::read(&path) {
        Ok(bytes) => {
            let data = base64::engine::general_purpose::STANDARD.encode(bytes);
            let _ = writeln!(
                h,
                "<figure class=\"shot\"><img alt=\"{label}\" src=\"data:image/png;base64,{data}\">\
                 <figcaption>{label} · <code>{}</code></figcaption></figure>",
                esc(&shown)
            );
        }
        Err(e) => {
            let _ = writeln!(
                h,
                "<p class=\"missing\">Screenshot <code>{}</code> could not be read: {}</p>",
                esc(shot),
                esc(&e.to_string())
            );
        }
    }
}

/// `2026-09-26T09:30:00.123456Z` → `2026-09-26 09:30:00 UTC`; anything else as it is.
fn readable_time(rfc3339: &str) -> String {
    match rfc3339.parse::<jiff::Timestamp>() {
        Ok(t) => crate::time::readable(t),
        Err(_) => rfc3339.to_string(),
    }
}

fn resolve(p: &Path, base: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

fn tally(steps: &[StepResult]) -> (usize, usize, usize) {
    let c = |s| steps.iter().filter(|x| x.status == s).count();
    (
        c(StepStatus::Passed),
        c(StepStatus::Failed),
        c(StepStatus::Skipped),
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

const CSS: &str = r#"
:root{--bg:#f4f6f9;--card:#fff;--ink:#1d2330;--muted:#667085;--line:#e3e7ee;
--pass:#1a7f37;--pass-bg:#e6f4ea;--fail:#c62828;--fail-bg:#fdecec;--skip:#98a2b3;--skip-bg:#f1f3f6;
--flaky:#b26a00;--flaky-bg:#fff4e0;--err:#6f42c1;--err-bg:#f1ebfb}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
code{font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace;background:#eef1f5;padding:1px 5px;border-radius:4px;word-break:break-all}
.top{display:flex;align-items:center;justify-content:space-between;gap:16px;flex-wrap:wrap;padding:16px 28px;background:#161b26;color:#fff;border-bottom:4px solid var(--pass)}
.top.failed{border-bottom-color:var(--fail)}.top.error{border-bottom-color:var(--err)}
.brand{font-weight:700;font-size:20px;letter-spacing:.5px}.brand span{font-weight:400;font-size:13px;color:#98a2b3;margin-left:10px}
.summary{display:flex;align-items:center;gap:8px;flex-wrap:wrap}
.pill{padding:3px 10px;border-radius:999px;font-weight:600;font-size:13px}
.pill.passed{background:var(--pass-bg);color:var(--pass)}.pill.failed{background:var(--fail-bg);color:var(--fail)}
.pill.flaky{background:var(--flaky-bg);color:var(--flaky)}.pill.error{background:var(--err-bg);color:var(--err)}
.when{color:#c0c6d0;font-size:13px;margin-left:8px}
main{max-width:1180px;margin:0 auto;padding:22px 20px 8px}
.banner{background:var(--flaky-bg);color:var(--flaky);border:1px solid #f3d19c;padding:10px 14px;border-radius:8px;font-weight:600}
.journey{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--pass);border-radius:10px;margin:0 0 22px;padding:16px 18px 10px;box-shadow:0 1px 2px rgba(16,24,40,.05)}
.journey.failed{border-left-color:var(--fail)}.journey.flaky{border-left-color:var(--flaky)}.journey.error{border-left-color:var(--err)}
.journey-head{display:flex;align-items:baseline;gap:10px;flex-wrap:wrap;margin-bottom:10px}
.journey-head h2{margin:0;font-size:19px}
.jtitle{color:var(--ink);font-size:15px}.jmeta{color:var(--muted);font-size:12.5px;flex-basis:100%}
.badge{text-transform:uppercase;font-size:11px;font-weight:700;letter-spacing:.6px;padding:3px 8px;border-radius:5px;position:relative;top:-2px}
.badge.passed{background:var(--pass-bg);color:var(--pass)}.badge.failed{background:var(--fail-bg);color:var(--fail)}
.badge.flaky,.badge.slow{background:var(--flaky-bg);color:var(--flaky)}.pill.slow{background:var(--flaky-bg);color:var(--flaky)}
.slow-note{color:var(--flaky);background:var(--flaky-bg);border-radius:6px;padding:6px 10px;margin:4px 0;font-size:13px}
.step.slow .icon{background:var(--flaky)}.step.slow .bar{background:var(--flaky)}.step.slow .dur{color:var(--flaky)}.badge.error{background:var(--err-bg);color:var(--err)}
.harness{background:var(--err-bg);color:#3d2470;border-radius:8px;padding:10px 12px;margin:6px 0 10px}
.attempt{color:var(--flaky);background:var(--flaky-bg);border-radius:6px;padding:6px 10px;margin:4px 0;font-size:13px}
.steps{list-style:none;margin:0;padding:0}
.step{border-top:1px solid var(--line);padding:6px 0}
.row{display:grid;grid-template-columns:24px 26px minmax(180px,1.3fr) max-content minmax(160px,1fr) 70px;align-items:center;gap:8px}
.icon{width:20px;height:20px;border-radius:50%;display:inline-flex;align-items:center;justify-content:center;font-size:12px;font-weight:700;color:#fff}
.step.passed .icon{background:var(--pass)}.step.failed .icon{background:var(--fail)}.step.warned .icon{background:var(--flaky)}
.step.skipped .icon{background:var(--skip-bg);color:var(--skip);border:1px solid #d0d5dd}
.idx{color:var(--muted);font-variant-numeric:tabular-nums;font-size:12.5px}
.name{overflow-wrap:anywhere}.name em{font-style:normal;font-size:11px;color:var(--muted);border:1px solid var(--line);border-radius:4px;padding:0 4px;margin-left:4px}
.step.skipped .name{color:var(--muted)}.step.failed .name{font-weight:600;color:var(--fail)}
.action{font:12px ui-monospace,"DejaVu Sans Mono",monospace;color:var(--muted);width:15ch;white-space:nowrap}
.track{position:relative;height:10px;background:#f0f2f6;border-radius:5px;overflow:hidden}
.bar{position:absolute;top:0;bottom:0;min-width:2px;border-radius:5px;background:var(--pass)}
.step.failed .bar{background:var(--fail)}.step.warned .bar{background:var(--flaky)}.step.skipped .bar{display:none}
.dur{text-align:right;font-variant-numeric:tabular-nums;font-size:12.5px;color:var(--muted)}
.reason{margin:2px 0 0 58px;color:var(--muted);font-size:12.5px}.reason.warn{color:var(--flaky)}
.failure{margin:8px 0 6px 58px;background:var(--fail-bg);border:1px solid #f5c2c2;border-radius:8px;padding:10px 12px}
.step.warned .failure{background:var(--flaky-bg);border-color:#f3d19c}
.what{font-weight:600;overflow-wrap:anywhere}.where{color:var(--muted);font-size:12.5px;margin-top:4px}
.cat{display:inline-block;background:var(--fail);color:#fff;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.5px;padding:2px 7px;border-radius:4px;margin-right:6px}
.step.warned .cat{background:var(--flaky)}
.shot{margin:10px 0 2px}.shot img{display:block;max-width:100%;height:auto;border:1px solid var(--line);border-radius:6px;box-shadow:0 2px 8px rgba(16,24,40,.12)}
figcaption{color:var(--muted);font-size:12px;margin-top:4px}
.kept{margin:4px 0 4px 58px;color:var(--muted)}.kept summary{cursor:pointer;font-size:12.5px}
.missing{margin:8px 0 0;color:var(--muted);font-style:italic}
.empty{color:var(--muted)}
footer{text-align:center;color:var(--muted);font-size:12px;padding:4px 0 24px}
@media print{body{background:#fff}.journey{box-shadow:none;break-inside:avoid-page}}
"#;

#[cfg(test)]
mod tests {

    #[test]
    fn times_read_as_utc_without_fractions() {
        assert_eq!(
            super::readable_time("2026-11-25T17:08:09.248081015Z"),
            "2026-11-25 17:08:09 UTC"
        );
        assert_eq!(super::readable_time("not a time"), "not a time");
    }
}
