//! YAML text → a tree of spanned `marked_yaml` nodes, or diagnostics.
//!
//! marked-yaml's own loader drives yaml-rust2 recursively (deep nesting overflows the stack)
//! and panics on a second document; this one pulls the same parser's events in a loop with an
//! explicit stack, refuses nesting past [`MAX_DEPTH`], anchors, aliases, tags and a second
//! document, and reports every duplicate key. Scalars get an end mark (where the next event
//! starts) so that a place inside a string can be found in the file.

use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode, MarkedSequenceNode};
use marked_yaml::{Marker, Node, Span};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker as YamlMarker, TScalarStyle};

use super::diagnostic::Diagnostic;
use super::source::{Pos, SourceFile};

/// Deeper than any journey needs; shallow enough that walking the tree cannot exhaust a stack.
pub const MAX_DEPTH: usize = 48;

/// Duplicate keys reported before the rest are only counted.
const MAX_DUPLICATES_REPORTED: usize = 100;

enum Frame {
    Map {
        map: MarkedMappingNode,
        key: Option<MarkedScalarNode>,
    },
    Seq {
        start: Marker,
        items: Vec<Node>,
    },
}

fn marker(m: YamlMarker) -> Marker {
    Marker::new(0, m.index(), m.line(), m.col() + 1)
}

fn at(_file: &SourceFile, m: Marker) -> Pos {
    Pos {
        line: m.line(),
        column: m.column(),
        length: 1,
    }
}

/// Whether a scalar is YAML's null: a plain `~`, `null` or nothing at all.
pub fn is_null(s: &MarkedScalarNode) -> bool {
    s.may_coerce() && matches!(s.as_str(), "~" | "null" | "Null" | "NULL" | "")
}

/// Parses one YAML document. An empty file (or one holding only null) is `Ok(None)`.
pub fn load(file: &SourceFile) -> Result<Option<Node>, Vec<Diagnostic>> {
    let mut parser = Parser::new_from_str(&file.text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut duplicates_unreported = 0usize;
    let scan_error = |e: &yaml_rust2::ScanError| {
        let m = marker(*e.marker());
        let pos = Pos {
            line: m.line(),
            column: m.column(),
            length: 1,
        };
        vec![file.diagnostic(pos, "invalid YAML", e.info().to_string())]
    };
    loop {
        let (event, mark) = parser.next_token().map_err(|e| scan_error(&e))?;
        let mark = marker(mark);
        let node = match event {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => continue,
            Event::StreamEnd => break,
            Event::DocumentStart => {
                if root.is_some() {
                    return Err(vec![file.diagnostic(
                        at(file, mark),
                        "a journey file holds one YAML document",
                        "a second document starts here",
                    )]);
                }
                continue;
            }
            Event::Alias(_) => return Err(vec![unsupported(file, mark, "aliases (`*name`)")]),
            Event::Scalar(value, style, anchor, tag) => {
                if anchor != 0 {
                    return Err(vec![unsupported(file, mark, "anchors (`&name`)")]);
                }
                if tag.is_some() {
                    return Err(vec![unsupported(file, mark, "tags (`!tag`)")]);
                }
                // The next event starts after this scalar ends: a bound to search it within.
                let end = match parser.peek() {
                    Ok((_, next)) => marker(*next),
                    Err(e) => return Err(scan_error(&e.clone())),
                };
                let mut node = MarkedScalarNode::new(Span::new_with_marks(mark, end), value);
                node.set_coerce(matches!(style, TScalarStyle::Plain));
                Node::from(node)
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if anchor != 0 {
                    return Err(vec![unsupported(file, mark, "anchors (`&name`)")]);
                }
                if tag.is_some() {
                    return Err(vec![unsupported(file, mark, "tags (`!tag`)")]);
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(vec![file.diagnostic(
                        at(file, mark),
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                        "a journey never needs this much nesting",
                    )]);
                }
                stack.push(if matches!(event, Event::MappingStart(..)) {
                    Frame::Map {
                        map: MarkedMappingNode::new_empty(Span::new_start(mark)),
                        key: None,
                    }
                } else {
                    Frame::Seq {
                        start: mark,
                        items: Vec::new(),
                    }
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq { start, items }) => Node::from(MarkedSequenceNode::new(
                    Span::new_with_marks(start, mark),
                    items,
                )),
                Some(Frame::Map { mut map, .. }) => {
                    map.span_mut().set_end(Some(mark));
                    Node::from(map)
                }
                // The parser pairs starts and ends; should it not, say so rather than panic.
                None => {
                    return Err(vec![file.diagnostic(
                        at(file, mark),
                        "invalid YAML",
                        "unbalanced end",
                    )]);
                }
            },
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                key: key @ None, ..
            }) => match node {
                Node::Scalar(k) => *key = Some(k),
                other => {
                    return Err(vec![file.diagnostic(
                        file.pos(&other),
                        "a map key must be a plain string",
                        "not a string",
                    )]);
                }
            },
            Some(Frame::Map {
                map,
                key: key @ Some(_),
                ..
            }) => {
                let k = key.take().expect("matched Some");
                if map.contains_key(&k) && errors.len() >= MAX_DUPLICATES_REPORTED {
                    duplicates_unreported += 1;
                } else if let Some((first, _)) = map.get_key_value(&k) {
                    let first_line = first.span().start().map_or(0, |m| m.line());
                    let pos = file.pos(&Node::from(k.clone()));
                    errors.push(file.diagnostic(
                        pos,
                        format!("duplicate key `{}`", k.as_str()),
                        format!("already set on line {first_line}"),
                    ));
                } else {
                    map.insert(k, node);
                }
            }
        }
    }
    if duplicates_unreported > 0 {
        errors.push(Diagnostic::file_level(
            &file.path,
            format!("{duplicates_unreported} more duplicate keys not shown"),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(root.filter(|n| !matches!(n, Node::Scalar(s) if is_null(s))))
}

fn unsupported(file: &SourceFile, mark: Marker, what: &str) -> Diagnostic {
    file.diagnostic(
        at(file, mark),
        format!("YAML {what} are not supported in journeys"),
        "write the value out here",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse(text: &str) -> Result<Option<Node>, Vec<Diagnostic>> {
        load(&SourceFile::new(Path::new("t.yaml"), text))
    }

    #[test]
    fn builds_spanned_maps_in_file_order() {
        let node = parse("b: 1\na: [x, {y: z}]\n").unwrap().unwrap();
        let map = node.as_mapping().unwrap();
        let keys: Vec<&str> = map.keys().map(|k| k.as_str()).collect();
        assert_eq!(keys, ["b", "a"]);
        let a = map.get_sequence("a").unwrap();
        assert_eq!(a.span().start().unwrap().line(), 2);
        assert_eq!(a.get_scalar(0).unwrap().span().start().unwrap().column(), 5);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = "[".repeat(100_000);
        let err = parse(&text).unwrap_err();
        assert!(err[0].message.contains("nesting") || err[0].message.contains("invalid YAML"));
        let text = "- ".repeat(100_000);
        assert!(parse(&text).is_err());
        let text = (0..200)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect::<String>();
        assert!(parse(&text).is_err());
    }

    #[test]
    fn every_duplicate_key_is_reported() {
        let err = parse("a: 1\nb: 2\na: 3\nb: 4\n").unwrap_err();
        assert_eq!(err.len(), 2);
        assert_eq!(err[0].location.line, 3);
        assert_eq!(err[0].label, "already set on line 1");
    }

    #[test]
    fn anchors_aliases_tags_and_second_documents_are_refused() {
        assert!(parse("a: &x 1\nb: *x\n").is_err());
        assert!(parse("a: !!str 1\n").is_err());
        let err = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(err[0].location.line, 2);
    }

    #[test]
    fn empty_and_null_documents_are_none() {
        assert!(parse("").unwrap().is_none());
        assert!(parse("# just a comment\n").unwrap().is_none());
        assert!(parse("~\n").unwrap().is_none());
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert_eq!(err[0].message, "invalid YAML");
        assert!(err[0].location.line >= 1);
    }
}
