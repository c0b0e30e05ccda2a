//! A journey file's text with what is needed to point into it: line starts, the include chain
//! that brought it in, and turning a place into a [`Diagnostic`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use marked_yaml::Node;

use super::diagnostic::Diagnostic;
use super::model::Location;

/// Files larger than this are refused before parsing: journeys are small, and a cap keeps
/// the parser's time and memory bounded whatever is handed to it.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// A place in a file: 1-based line and column (in characters) and how many characters it spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    pub length: usize,
}

pub struct SourceFile {
    pub path: Arc<PathBuf>,
    pub text: String,
    /// (char index, byte index) where each line starts.
    line_starts: Vec<(usize, usize)>,
    /// The byte index of every char index (and of the end): pointing into a long line must
    /// not cost a walk along it. Empty when the text is ASCII (char index = byte index).
    char_bytes: Vec<u32>,
    /// Positions of the include steps that led here, outermost first: orders diagnostics.
    pub trail: Vec<(usize, usize)>,
    /// "included from a.yaml:3:5", innermost first.
    pub notes: Vec<String>,
}

impl SourceFile {
    pub fn new(path: &Path, text: &str) -> SourceFile {
        // yaml-rust2 counts a BOM as a character; dropping it keeps columns right.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text).to_string();
        let mut line_starts = vec![(0, 0)];
        let mut chars = text.char_indices().enumerate().peekable();
        while let Some((ci, (bi, c))) = chars.next() {
            let is_break = match c {
                '\n' => true,
                // \r\n is one break; a lone \r is one too (as YAML says).
                '\r' => !matches!(chars.peek(), Some((_, (_, '\n')))),
                _ => false,
            };
            if is_break {
                line_starts.push((ci + 1, bi + c.len_utf8()));
            }
        }
        let char_bytes = if text.is_ascii() {
            Vec::new()
        } else {
            // Text is at most a few MiB (MAX_FILE_BYTES): u32 is plenty.
            text.char_indices()
                .map(|(b, _)| b as u32)
                .chain([text.len() as u32])
                .collect()
        };
        SourceFile {
            path: Arc::new(path.to_path_buf()),
            text,
            line_starts,
            char_bytes,
            trail: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The folder includes are read relative to.
    pub fn dir(&self) -> PathBuf {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    /// Line `line` (1-based) without its line break.
    pub fn line_text(&self, line: usize) -> Option<&str> {
        let &(_, start) = self.line_starts.get(line.checked_sub(1)?)?;
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&(_, b)| b);
        Some(self.text[start..end].trim_end_matches(['\n', '\r']))
    }

    /// The line and column of a character index.
    pub fn line_col(&self, char_index: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&(c, _)| c <= char_index);
        let (start, _) = self.line_starts[line.max(1) - 1];
        (line.max(1), char_index - start + 1)
    }

    fn char_at(&self, char_index: usize) -> Option<char> {
        self.text.get(self.byte_at(char_index)..)?.chars().next()
    }

    /// The byte index of a character index (clamped to the end).
    fn byte_at(&self, char_index: usize) -> usize {
        if self.char_bytes.is_empty() {
            char_index.min(self.text.len())
        } else {
            self.char_bytes
                .get(char_index)
                .map_or(self.text.len(), |&b| b as usize)
        }
    }

    /// Text from a char index to the end of its line, at most `max` characters.
    fn rest_of_line(&self, char_index: usize, max: usize) -> Vec<char> {
        let from = self.byte_at(char_index);
        self.text[from..]
            .chars()
            .take_while(|c| !matches!(c, '\n' | '\r'))
            .take(max)
            .collect()
    }

    pub fn location(&self, line: usize, column: usize) -> Location {
        Location {
            file: self.path.clone(),
            line,
            column,
        }
    }

    /// A diagnostic at `pos`.
    /// Lines longer than this (in bytes) are stored in a diagnostic as a part around the column.
    const MAX_STORED_LINE: usize = 1000;

    pub fn diagnostic(
        &self,
        pos: Pos,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            location: self.location(pos.line, pos.column),
            length: pos.length.max(1),
            label: label.into(),
            help: None,
            notes: self.notes.clone(),
            source_line: None,
            source_skipped: 0,
            source_column: None,
        }
        .with_source_line(self, pos.line, pos.column)
    }

    /// Where a node starts; a scalar spans its token on its first line.
    pub fn pos(&self, node: &Node) -> Pos {
        // A block map's own mark is where the parser noticed it (its first `:`); its first
        // key is where a reader sees it start.
        if let Node::Mapping(map) = node {
            let flow = node
                .span()
                .start()
                .is_some_and(|m| self.char_at(m.character()) == Some('{'));
            if let (false, Some(key)) = (flow, map.keys().next()) {
                return self.pos(&Node::from(key.clone()));
            }
        }
        let Some(m) = node.span().start() else {
            return Pos {
                line: 1,
                column: 1,
                length: 1,
            };
        };
        let length = match node {
            Node::Scalar(s) => self.scalar_len(m.character(), s.as_str()),
            _ => 1,
        };
        Pos {
            line: m.line(),
            column: m.column(),
            length,
        }
    }

    /// The width of a scalar's token on its line: a quoted string up to its closing quote, a
    /// plain one as long as its value (cut at the line's end), a block scalar's indicator.
    fn scalar_len(&self, char_index: usize, value: &str) -> usize {
        // A caret run longer than a line shown is useless; bound the work on huge lines.
        let rest = self.rest_of_line(char_index, 400);
        match rest.first() {
            Some('"') => {
                let mut i = 1;
                while i < rest.len() {
                    match rest[i] {
                        '\\' => i += 2,
                        '"' => return i + 1,
                        _ => i += 1,
                    }
                }
                rest.len()
            }
            Some('\'') => {
                let mut i = 1;
                while i < rest.len() {
                    if rest[i] == '\'' {
                        if rest.get(i + 1) == Some(&'\'') {
                            i += 2;
                            continue;
                        }
                        return i + 1;
                    }
                    i += 1;
                }
                rest.len()
            }
            Some('|') | Some('>') => 1,
            _ => value.chars().count().min(rest.len()).max(1),
        }
    }

    /// Where the `nth` occurrence of `needle` inside a scalar's value is in the file: the
    /// scalar's raw text (from its start up to where the next node begins, `end`) is searched
    /// for the same occurrence. Falls back to the scalar's start when escapes make the raw text
    /// differ from the value.
    pub fn pos_in_scalar(&self, node: &Node, value: &str, offset: usize, len: usize) -> Pos {
        let whole = self.pos(node);
        let (Some(start), Some(needle)) = (node.span().start(), value.get(offset..offset + len))
        else {
            return whole;
        };
        let nth = value[..offset].matches(needle).count();
        let from = self.byte_at(start.character());
        let to = node
            .span()
            .end()
            .map_or(self.text.len(), |e| self.byte_at(e.character()))
            .max(from);
        let raw = &self.text[from..to];
        match raw.match_indices(needle).nth(nth) {
            Some((b, _)) => {
                let char_index = start.character() + raw[..b].chars().count();
                let (line, column) = self.line_col(char_index);
                Pos {
                    line,
                    column,
                    length: needle.chars().count(),
                }
            }
            None => whole,
        }
    }
}

impl Diagnostic {
    /// Stores `line` (or, when long, the part of it around `column`).
    fn with_source_line(mut self, file: &SourceFile, line: usize, column: usize) -> Diagnostic {
        let Some(text) = file.line_text(line) else {
            return self;
        };
        if text.len() <= SourceFile::MAX_STORED_LINE {
            self.source_line = Some(text.to_string());
            return self;
        }
        let skipped = column.saturating_sub(1).saturating_sub(200);
        let line_start = file.line_starts[line - 1].0;
        self.source_line = Some(
            file.rest_of_line(line_start + skipped, 400)
                .into_iter()
                .collect(),
        );
        self.source_skipped = skipped;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_on_every_break_kind() {
        let f = SourceFile::new(Path::new("x"), "a\r\nb\rc\nd");
        assert_eq!(f.line_text(1), Some("a"));
        assert_eq!(f.line_text(2), Some("b"));
        assert_eq!(f.line_text(3), Some("c"));
        assert_eq!(f.line_text(4), Some("d"));
        assert_eq!(f.line_text(5), None);
        assert_eq!(f.line_col(5), (3, 1));
    }

    #[test]
    fn long_lines_are_stored_as_a_window_that_still_renders_at_the_column() {
        let text = format!("k: {}X\n", "a".repeat(5000));
        let f = SourceFile::new(Path::new("x"), &text);
        let d = f.diagnostic(
            Pos {
                line: 1,
                column: 5004,
                length: 1,
            },
            "m",
            "here",
        );
        assert!(d.source_line.as_ref().unwrap().len() < 1000);
        let rendered = d.render(false);
        let lines: Vec<&str> = rendered.lines().collect();
        let x = lines[3].chars().position(|c| c == 'X').unwrap();
        let caret = lines[4].chars().position(|c| c == '^').unwrap();
        assert_eq!(x, caret, "{rendered}");
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let f = SourceFile::new(Path::new("x"), "€€x\n");
        assert_eq!(f.line_col(2), (1, 3));
        assert_eq!(f.byte_at(2), 6);
        assert_eq!(f.byte_at(99), 8);
        let ascii = SourceFile::new(Path::new("x"), "abc\n");
        assert_eq!((ascii.byte_at(2), ascii.byte_at(99)), (2, 4));
    }
}
