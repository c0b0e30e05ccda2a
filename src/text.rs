//! Text made safe for where it goes: from outside (a request's fields, a file's bytes) to a
//! terminal or a log, and any text into HTML; and cut to a length.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `raw` with every character that could drive a terminal or reorder what a reader sees
/// written out as an escape: control characters (C0, DEL, C1 — ESC sequences, BEL, newlines
/// that forge log lines) and the Unicode bidirectional controls (U+202E and its kin, which
/// make text read backwards). `\n`, `\r` and `\t` become those two-character escapes, the rest
/// `\u{…}` in hex, as Rust writes them. Borrowed when there is nothing to escape.
pub fn escape_untrusted(raw: &str) -> Cow<'_, str> {
    if !raw.chars().any(needs_escape) {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len() + 8);
    for c in raw.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `s` escaped for HTML element content and quoted attribute values: the one HTML escaper of
/// the reports, the status page and the demo bank.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters of `s`, with `…` when it was cut.
pub fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max).collect();
    t.push('…');
    t
}

fn needs_escape(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// The characters of Unicode's bidirectional algorithm that change the order text is shown in
/// (UAX #9): marks, embeddings, overrides, isolates; and the line and paragraph separators,
/// which some terminals and viewers break lines at.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let plain = "+39 333 000 0001 — città, naïve, 東京, emoji 🙂, C:\\path";
        assert!(matches!(escape_untrusted(plain), Cow::Borrowed(s) if s == plain));
    }

    #[test]
    fn terminal_controls_are_written_out() {
        let hostile = "error\u{1b}]0;pwned\u{7}\u{1b}[2J\nfake line\r\t\u{7f}\u{9b}";
        let shown = escape_untrusted(hostile);
        assert_eq!(
            shown,
            "error\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\nfake line\\r\\t\\u{7f}\\u{9b}"
        );
        assert!(!shown.chars().any(|c| c.is_control()));
    }

    #[test]
    fn html_is_escaped_for_content_and_attributes() {
        assert_eq!(
            escape_html(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn truncation_counts_characters_not_bytes() {
        assert_eq!(truncate_chars("città", 5), "città");
        assert_eq!(truncate_chars("città!", 5), "città…");
    }

    #[test]
    fn bidi_controls_are_written_out() {
        let hostile = "invoice\u{202e}fdp.exe\u{2066}x\u{2069}\u{200f}\u{2028}";
        let shown = escape_untrusted(hostile);
        assert_eq!(
            shown,
            "invoice\\u{202e}fdp.exe\\u{2066}x\\u{2069}\\u{200f}\\u{2028}"
        );
    }
}
