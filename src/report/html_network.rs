//! The HTML report's network parts: a failed step's failed requests, the waterfall of every
//! request of its window (which started when, how long each took, which failed), and a step's
//! page timings. Plain HTML and CSS bars, no script: self-contained like the rest of the page.

use std::fmt::Write as _;

use crate::network::failed::LOOK_BACK_MS;
use crate::network::{FailedRequest, PageTiming, StepRequest};
use crate::report::human_duration;
use crate::text::{escape_html as esc, truncate_chars};

/// The longest request label drawn.
const LABEL_CHARS: usize = 90;

/// `TTFB 12 ms · DOMContentLoaded 80 ms · load 96 ms · LCP 101 ms · CLS 0.01`.
pub(super) fn timing(h: &mut String, t: &PageTiming) {
    let mut parts = Vec::new();
    let ms = |label: &str, v: Option<u64>| v.map(|v| format!("{label} {}", human_duration(v)));
    parts.extend(ms("TTFB", t.ttfb_ms));
    parts.extend(ms("DOMContentLoaded", t.dom_content_loaded_ms));
    parts.extend(ms("load", t.load_ms));
    parts.extend(ms("LCP", t.lcp_ms));
    parts.extend(t.cls.map(|c| format!("CLS {c:.3}")));
    if !parts.is_empty() {
        let _ = writeln!(h, "<div class=\"timing\">{}</div>", esc(&parts.join(" · ")));
    }
}

/// The failed requests, most telling first.
pub(super) fn failed_requests(h: &mut String, requests: &[FailedRequest]) {
    if requests.is_empty() {
        return;
    }
    h.push_str(
        "<table class=\"requests\"><caption>Requests that failed around the step</caption>\
         <tr><th>request</th><th>answer</th><th>took</th><th>type</th><th>site</th></tr>\n",
    );
    for r in requests {
        let answer = match (&r.error, r.status) {
            (Some(e), _) => e.clone(),
            (None, Some(s)) => s.to_string(),
            (None, None) => "failed".into(),
        };
        let answer = match &r.error_text {
            Some(t) => format!("{answer} — {t}"),
            None => answer,
        };
        let _ = writeln!(
            h,
            "<tr class=\"{}\"><td><code>{} {}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if r.backend_failed { "down" } else { "listed" },
            esc(&r.method),
            esc(&r.url),
            esc(&answer),
            esc(&human_duration(r.duration_ms)),
            esc(&r.resource_type),
            if r.site_under_test {
                "site under test"
            } else {
                "another site"
            },
        );
    }
    h.push_str("</table>\n");
}

/// Every request of the step's window as a bar on one time axis.
pub(super) fn waterfall(h: &mut String, requests: &[StepRequest]) {
    let Some(t0) = requests.iter().map(|r| r.started_ms).min_by(f64::total_cmp) else {
        return;
    };
    let end = requests
        .iter()
        .map(|r| r.started_ms + r.duration_ms.unwrap_or(0.0))
        .fold(t0, f64::max);
    let span = (end - t0).max(1.0);
    let _ = writeln!(
        h,
        "<details class=\"waterfall\" open><summary>Network from {} before the step to its failure — {} request{} over {}</summary>",
        esc(&human_duration(LOOK_BACK_MS as u64)),
        requests.len(),
        if requests.len() == 1 { "" } else { "s" },
        esc(&human_duration(span.round() as u64)),
    );
    for r in requests {
        let left = (r.started_ms - t0) / span * 100.0;
        // Still waiting when the step failed: the bar runs to the end.
        let width = match r.duration_ms {
            Some(d) => d / span * 100.0,
            None => 100.0 - left,
        };
        let class = match (r.failed, r.duration_ms) {
            (true, _) => "failed",
            (false, None) => "pending",
            _ => "ok",
        };
        let answer = match (&r.error, r.status, r.duration_ms) {
            (Some(e), _, _) => e.trim_start_matches("net::").to_string(),
            (None, Some(s), _) => s.to_string(),
            (None, None, None) => "…".into(),
            (None, None, Some(_)) => "?".into(),
        };
        let took = r
            .duration_ms
            .map(|d| human_duration(d.round() as u64))
            .unwrap_or_else(|| "waiting".into());
        let label = format!("{} {}", r.method, without_scheme(&r.url));
        let _ = writeln!(
            h,
            "<div class=\"wf {class}\"><span class=\"wf-label\" title=\"{}\">{}</span>\
             <span class=\"wf-answer\">{}</span>\
             <span class=\"wf-track\"><span class=\"wf-bar\" style=\"left:{left:.2}%;width:{width:.2}%\"></span></span>\
             <span class=\"wf-took\">{}</span></div>",
            esc(&r.url),
            esc(&truncate_chars(&label, LABEL_CHARS)),
            esc(&answer),
            esc(&took),
        );
    }
    h.push_str("</details>\n");
}

fn without_scheme(url: &str) -> &str {
    url.split_once("://").map_or(url, |(_, rest)| rest)
}

/// The CSS for the parts above, appended to the report's.
pub(super) const CSS: &str = r#"
.timing{margin:2px 0 0 58px;color:var(--muted);font-size:12px;font-variant-numeric:tabular-nums}
.requests{border-collapse:collapse;margin:10px 0 4px;width:100%;font-size:12.5px;background:#fff;border-radius:6px}
.requests caption{text-align:left;font-weight:600;padding:0 0 4px}
.requests th{text-align:left;color:var(--muted);font-weight:600;border-bottom:1px solid var(--line);padding:3px 6px}
.requests td{border-bottom:1px solid var(--line);padding:3px 6px;vertical-align:top;overflow-wrap:anywhere}
.requests tr.down td:nth-child(2){color:var(--fail);font-weight:600}
.waterfall{margin:10px 0 4px;background:#fff;border:1px solid var(--line);border-radius:6px;padding:6px 8px;font-size:12px}
.waterfall summary{cursor:pointer;font-weight:600;margin-bottom:4px}
.wf{display:grid;grid-template-columns:minmax(160px,2fr) 150px minmax(160px,3fr) 64px;gap:8px;align-items:center;padding:1px 0}
.wf-label{font:11.5px ui-monospace,"DejaVu Sans Mono",monospace;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.wf-answer{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;color:var(--muted)}
.wf.failed .wf-answer,.wf.failed .wf-label{color:var(--fail);font-weight:600}
.wf-track{position:relative;height:9px;background:#f0f2f6;border-radius:4px;overflow:hidden}
.wf-bar{position:absolute;top:0;bottom:0;min-width:2px;border-radius:4px;background:#5b8def}
.wf.failed .wf-bar{background:var(--fail)}
.wf.pending .wf-bar{background:repeating-linear-gradient(45deg,#b0b8c6 0 4px,#dde2ea 4px 8px)}
.wf-took{text-align:right;font-variant-numeric:tabular-nums;color:var(--muted)}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(started_ms: f64, duration_ms: Option<f64>, url: &str, failed: bool) -> StepRequest {
        StepRequest {
            started_ms,
            duration_ms,
            method: "GET".into(),
            url: url.into(),
            status: Some(if failed { 503 } else { 200 }),
            error: None,
            failed,
        }
    }

    #[test]
    fn the_waterfall_places_each_request_on_one_axis_escaped() {
        let mut h = String::new();
        waterfall(
            &mut h,
            &[
                bar(1000.0, Some(100.0), "http://h/account", false),
                bar(1100.0, Some(100.0), "http://h/api?<x>", true),
                bar(1150.0, None, "http://h/poll", false),
            ],
        );
        assert!(h.contains("3 requests over 200 ms"), "{h}");
        assert!(h.contains("left:0.00%;width:50.00%"), "{h}");
        assert!(
            h.contains(r#"<div class="wf failed"><span class="wf-label" title="http://h/api?&lt;x&gt;">GET h/api?&lt;x&gt;</span>"#),
            "{h}"
        );
        assert!(h.contains("left:50.00%;width:50.00%"));
        // Still waiting: to the end of the axis.
        assert!(h.contains("<div class=\"wf pending\">"));
        assert!(h.contains("left:75.00%;width:25.00%"), "{h}");
        let mut none = String::new();
        waterfall(&mut none, &[]);
        assert!(none.is_empty());
    }

    #[test]
    fn timings_read_as_a_line() {
        let mut h = String::new();
        timing(
            &mut h,
            &PageTiming {
                ttfb_ms: Some(12),
                dom_content_loaded_ms: Some(80),
                load_ms: None,
                lcp_ms: Some(1500),
                cls: Some(0.0),
            },
        );
        assert_eq!(
            h,
            "<div class=\"timing\">TTFB 12 ms · DOMContentLoaded 80 ms · LCP 1.5 s · CLS 0.000</div>\n"
        );
    }
}
