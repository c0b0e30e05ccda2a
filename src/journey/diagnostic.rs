//! A problem found in a journey file, with the place it is at and the line it is on, rendered
//! the way rustc and hurl do.

use std::fmt;

use owo_colors::OwoColorize;

use super::model::{Location, Variables};
use crate::text::escape_untrusted;

/// One problem in a journey (or secrets) file.
///
/// It carries the text of the offending line, so it renders on its own without the file. The
/// line of a secrets file is never stored: it could hold a secret's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What is wrong, in a few words: ``unknown key `clik` ``.
    pub message: String,
    /// Where; `line` 0 means the file as a whole (it could not be read, say).
    pub location: Location,
    /// How many characters the carets cover (at least one).
    pub length: usize,
    /// Said beside the carets: what was expected there.
    pub label: String,
    /// A way out: ``did you mean `click`?``.
    pub help: Option<String>,
    /// More context, such as the include that brought this file in.
    pub notes: Vec<String>,
    /// The text of line `location.line`, without its line break; for a very long line, only
    /// a part of it around the column.
    pub source_line: Option<String>,
    /// How many characters of the line were left out before `source_line` (0 unless long).
    pub source_skipped: usize,
    /// Where the carets start in `source_line` (1-based, in characters) when a secret masked
    /// before them moved them; `None`: at `location.column - source_skipped`.
    pub source_column: Option<usize>,
}

/// Lines longer than this are shown as a window around the carets.
const MAX_SHOWN_LINE: usize = 100;

impl Diagnostic {
    /// A diagnostic about a whole file (no line to show).
    pub fn file_level(file: &std::path::Path, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            location: Location {
                file: std::sync::Arc::new(file.to_path_buf()),
                line: 0,
                column: 0,
            },
            length: 1,
            label: String::new(),
            help: None,
            notes: Vec::new(),
            source_line: None,
            source_skipped: 0,
            source_column: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// The diagnostic with every value of `secrets` masked in everything it says, its quoted
    /// line included (the carets still under what they point at).
    pub fn masked(mut self, secrets: &Variables) -> Diagnostic {
        if secrets.secret_values().is_empty() {
            return self;
        }
        self.message = secrets.mask(&self.message);
        self.label = secrets.mask(&self.label);
        self.help = self.help.map(|h| secrets.mask(&h));
        for note in &mut self.notes {
            *note = secrets.mask(note);
        }
        if let Some(line) = self.source_line.take() {
            let masked = secrets.mask(&line);
            if masked != line {
                // The carets' start and end in the masked line: where the masked line stops
                // agreeing with the masked text before them. A secret across a caret end
                // moves that end to where its mask starts.
                let chars: Vec<char> = line.chars().collect();
                let at = self
                    .source_column
                    .unwrap_or_else(|| self.location.column.saturating_sub(self.source_skipped))
                    .saturating_sub(1)
                    .min(chars.len());
                let end = (at + self.length).min(chars.len());
                let prefix = |n: usize| secrets.mask(&chars[..n].iter().collect::<String>());
                let new_at = common_chars(&masked, &prefix(at));
                let new_end = common_chars(&masked, &prefix(end)).max(new_at + 1);
                self.source_column = Some(new_at + 1);
                self.length = new_end - new_at;
            }
            self.source_line = Some(masked);
        }
        self
    }

    /// The diagnostic as text, ending in a line break; ANSI colour when `color` is true.
    /// Text from the file (a key, a value) is written out escaped: a journey cannot drive the
    /// terminal or reorder what the reader sees.
    pub fn render(&self, color: bool) -> String {
        let p = Paint(color);
        let mut out = String::new();
        out.push_str(&format!(
            "{}: {}\n",
            p.error("error"),
            p.bold(&escape_untrusted(&self.message))
        ));
        let loc = &self.location;
        if loc.line == 0 {
            out.push_str(&format!(
                " {} {}\n",
                p.gutter("-->"),
                escape_untrusted(&loc.file.display().to_string())
            ));
            let pad = " ";
            if !self.label.is_empty() {
                out.push_str(&format!(
                    "{pad}{} {}\n",
                    p.gutter("="),
                    escape_untrusted(&self.label)
                ));
            }
            self.render_tail(&mut out, pad, &p);
            return out;
        }
        let number = loc.line.to_string();
        let pad = " ".repeat(number.len());
        out.push_str(&format!(
            "{pad}{} {}\n",
            p.gutter("-->"),
            escape_untrusted(&loc.to_string())
        ));
        match &self.source_line {
            Some(line) => {
                let column = self
                    .source_column
                    .unwrap_or_else(|| loc.column.saturating_sub(self.source_skipped));
                let (mut shown, mut caret_at, carets) = window(line, column, self.length);
                if self.source_skipped > 0 && !shown.starts_with('…') {
                    shown.insert(0, '…');
                    caret_at += 1;
                }
                out.push_str(&format!("{pad} {}\n", p.gutter("|")));
                out.push_str(&format!(
                    "{} {} {shown}\n",
                    p.gutter(&number),
                    p.gutter("|")
                ));
                let mut under = format!("{}{}", " ".repeat(caret_at), p.error(&"^".repeat(carets)));
                if !self.label.is_empty() {
                    under.push(' ');
                    under.push_str(&p.error(&escape_untrusted(&self.label)));
                }
                out.push_str(&format!("{pad} {} {under}\n", p.gutter("|")));
            }
            None if !self.label.is_empty() => {
                out.push_str(&format!(
                    "{pad} {} {}\n",
                    p.gutter("="),
                    escape_untrusted(&self.label)
                ));
            }
            None => {}
        }
        self.render_tail(&mut out, &pad, &p);
        out
    }

    fn render_tail(&self, out: &mut String, pad: &str, p: &Paint) {
        if let Some(help) = &self.help {
            out.push_str(&format!(
                "{pad} {} {}: {help}\n",
                p.gutter("="),
                p.bold("help"),
                help = escape_untrusted(help)
            ));
        }
        for note in &self.notes {
            out.push_str(&format!(
                "{pad} {} {}: {note}\n",
                p.gutter("="),
                p.bold("note"),
                note = escape_untrusted(note)
            ));
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for Diagnostic {}

/// The part of `line` to show, where the carets start in it, and how many there are. Control
/// characters are replaced so that binary junk cannot drive the terminal.
fn window(line: &str, column: usize, length: usize) -> (String, usize, usize) {
    let chars: Vec<char> = line
        .chars()
        .map(|c| match c {
            '\t' => ' ',
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect();
    let at = column.saturating_sub(1).min(chars.len());
    let (start, end) = if chars.len() <= MAX_SHOWN_LINE {
        (0, chars.len())
    } else {
        let start = at.saturating_sub(MAX_SHOWN_LINE / 2);
        (start, (start + MAX_SHOWN_LINE).min(chars.len()))
    };
    let mut shown: String = chars[start..end].iter().collect();
    let mut caret_at = at - start;
    if start > 0 {
        shown.insert(0, '…');
        caret_at += 1;
    }
    if end < chars.len() {
        shown.push('…');
    }
    let room = end.saturating_sub(at).max(1);
    (
        shown.trim_end().to_string(),
        caret_at,
        length.clamp(1, room),
    )
}

/// How many characters `a` and `b` start with in common.
fn common_chars(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// Colours only when asked; plain text otherwise.
struct Paint(bool);

impl Paint {
    fn error(&self, s: &str) -> String {
        if self.0 {
            s.red().bold().to_string()
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        if self.0 {
            s.bold().to_string()
        } else {
            s.to_string()
        }
    }
    fn gutter(&self, s: &str) -> String {
        if self.0 {
            s.blue().bold().to_string()
        } else {
            s.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::sync::Arc;

    fn diag(line: &str, column: usize, length: usize) -> Diagnostic {
        Diagnostic {
            message: "unknown key `clik`".into(),
            location: Location {
                file: Arc::new(PathBuf::from("j.yaml")),
                line: 7,
                column,
            },
            length,
            label: "expected an action".into(),
            help: Some("did you mean `click`?".into()),
            notes: vec![],
            source_line: Some(line.into()),
            source_skipped: 0,
            source_column: None,
        }
    }

    #[test]
    fn renders_line_carets_label_and_help() {
        let d = diag("  - clik: \"#login\"", 5, 4);
        assert_eq!(
            d.to_string(),
            "error: unknown key `clik`\n --> j.yaml:7:5\n  |\n7 |   - clik: \"#login\"\n  |     ^^^^ expected an action\n  = help: did you mean `click`?\n"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let d = diag("a", 1, 1);
        assert!(!d.render(false).contains('\x1b'));
        assert!(d.render(true).contains('\x1b'));
    }

    #[test]
    fn long_lines_are_windowed_around_the_carets() {
        let line = format!("{}X{}", "a".repeat(500), "b".repeat(500));
        let (shown, at, n) = window(&line, 501, 1);
        assert!(shown.chars().count() <= MAX_SHOWN_LINE + 2);
        assert_eq!(shown.chars().nth(at), Some('X'));
        assert_eq!(n, 1);
    }

    #[test]
    fn secrets_are_masked_everywhere_with_the_carets_still_in_place() {
        let mut secrets = Variables::default();
        secrets.set_secret("PW", "hunter2hunter2");
        secrets.set_secret("SHORT", "pw");
        // The carets after a longer secret, then after a shorter one than the mask.
        for (line, column, secret) in [
            (
                "  - fill: { '#p': hunter2hunter2, clik: x }",
                35,
                "hunter2hunter2",
            ),
            ("  - fill: { '#p': pw, clik: x }", 23, "pw"),
        ] {
            let mut d = diag(line, column, 4);
            d.message = format!("unknown key `clik` after {secret}");
            let rendered = d.masked(&secrets).render(false);
            assert!(
                !rendered.contains("hunter2") && !rendered.contains("pw"),
                "{rendered}"
            );
            assert!(rendered.contains("'#p': ••••••, clik"), "{rendered}");
            let lines: Vec<&str> = rendered.lines().collect();
            let caret = lines[4].chars().position(|c| c == '^').unwrap();
            let under: String = lines[3].chars().skip(caret).take(4).collect();
            assert_eq!(under, "clik", "{rendered}");
            assert!(
                lines[1].ends_with(&format!(":7:{column}")),
                "the real column"
            );
        }
        // Carets on the secret itself cover its mask.
        let d = diag("  - sleep: hunter2hunter2", 12, 14).masked(&secrets);
        let rendered = d.render(false);
        assert!(
            rendered.contains("  |            ^^^^^^ expected"),
            "{rendered}"
        );
        // Nothing secret: nothing changes.
        let d = diag("  - clik: x", 5, 4);
        assert_eq!(d.clone().masked(&secrets), d);
    }

    #[test]
    fn control_characters_are_not_echoed() {
        let (shown, _, _) = window("a\u{1b}[31mb", 1, 1);
        assert!(!shown.contains('\u{1b}'));
    }
}
