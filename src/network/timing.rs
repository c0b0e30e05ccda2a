//! How fast a document loaded, as the page's own Navigation Timing and Paint Timing tell it:
//! the `timing` of a step that loaded a document.

use serde::Serialize;
use serde_json::Value as Json;

/// A document's load, in milliseconds from the start of its navigation. Each is absent when
/// the browser does not report it (Largest Contentful Paint and layout shifts are Chromium's;
/// `load_ms` is absent while the page is still loading).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct PageTiming {
    /// Time to the first byte of the document's answer (redirects, DNS, connect and the
    /// server's think time included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttfb_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dom_content_loaded_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_ms: Option<u64>,
    /// Largest Contentful Paint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lcp_ms: Option<u64>,
    /// Cumulative Layout Shift so far (unitless).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cls: Option<f64>,
}

/// The document showing and its timing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DocumentTiming {
    /// `performance.timeOrigin`: tells one document from the next.
    pub time_origin: f64,
    pub timing: PageTiming,
}

impl DocumentTiming {
    /// From the timing script's answer (`browser/timing.js`): `null` where the page has no
    /// navigation entry (the browser's error page, `about:blank`).
    pub fn from_json(v: &Json) -> Option<DocumentTiming> {
        let time_origin = v["time_origin"].as_f64()?;
        let ms = |k: &str| {
            v[k].as_f64()
                .filter(|t| t.is_finite() && *t > 0.0)
                .map(|t| t.round() as u64)
        };
        Some(DocumentTiming {
            time_origin,
            timing: PageTiming {
                ttfb_ms: ms("ttfb"),
                dom_content_loaded_ms: ms("dom_content_loaded"),
                load_ms: ms("load"),
                lcp_ms: ms("lcp"),
                cls: v["cls"]
                    .as_f64()
                    .filter(|c| c.is_finite() && *c >= 0.0)
                    .map(|c| (c * 10_000.0).round() / 10_000.0),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn timings_are_whole_milliseconds_and_missing_ones_stay_out() {
        let t = DocumentTiming::from_json(&json!({
            "time_origin": 1.7e12, "ttfb": 12.6, "dom_content_loaded": 80.2, "load": 0,
            "lcp": 96.4, "cls": 0.012345}))
        .unwrap();
        assert_eq!(t.time_origin, 1.7e12);
        assert_eq!(
            t.timing,
            PageTiming {
                ttfb_ms: Some(13),
                dom_content_loaded_ms: Some(80),
                load_ms: None,
                lcp_ms: Some(96),
                cls: Some(0.0123),
            }
        );
        assert_eq!(
            serde_json::to_value(t.timing).unwrap(),
            json!({"ttfb_ms": 13, "dom_content_loaded_ms": 80, "lcp_ms": 96, "cls": 0.0123})
        );
        assert_eq!(DocumentTiming::from_json(&json!(null)), None);
    }
}
