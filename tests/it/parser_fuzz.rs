//! No input makes the journey parser panic or hang: arbitrary bytes, YAML-ish token soup and
//! mutations of a valid journey. Bounded: 2000 cases per property unless PROPTEST_CASES says
//! otherwise. Every rejection must also point inside the file it names.

use std::path::Path;

use proptest::prelude::*;
use vedetta::journey::{Diagnostic, LoadOptions, load_journey, parse_journey};

const VALID: &str = include_str!("../journeys/full.yaml");

fn opts() -> LoadOptions {
    LoadOptions::with_env([
        ("PASSWORD".to_string(), "pw".to_string()),
        ("TOTP_SECRET".to_string(), "s".to_string()),
    ])
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(2000);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Parses from the folder of full.yaml so that includes resolve; checks every diagnostic is
/// renderable and points at a real line of the text (or at the whole file).
fn check(text: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/journeys/fuzz.yaml");
    if let Err(diagnostics) = parse_journey(text, &path, &opts()) {
        assert!(!diagnostics.is_empty());
        for d in &diagnostics {
            check_diagnostic(d, text, &path);
        }
    }
}

fn check_diagnostic(d: &Diagnostic, text: &str, path: &Path) {
    let rendered = d.render(false);
    assert!(rendered.starts_with("error: "), "{rendered}");
    if d.location.file.as_path() == path && d.location.line > 0 {
        let lines = text.split(['\n', '\r']).count() + 1;
        assert!(
            d.location.line <= lines,
            "line {} of {lines}: {rendered}",
            d.location.line
        );
        assert!(d.location.column >= 1, "{rendered}");
    }
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("name: x\n".to_string()),
        Just("steps:\n".to_string()),
        Just("  - ".to_string()),
        Just("- ".to_string()),
        Just(": ".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(", ".to_string()),
        Just("\n".to_string()),
        Just("    ".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("&a ".to_string()),
        Just("*a ".to_string()),
        Just("!!str ".to_string()),
        Just("? ".to_string()),
        Just("|\n".to_string()),
        Just("---\n".to_string()),
        Just("#c\n".to_string()),
        Just("${".to_string()),
        Just("$${".to_string()),
        Just("${X}".to_string()),
        Just("/(/".to_string()),
        Just("1m30s".to_string()),
        Just("include: full.yaml\n".to_string()),
        Just("include: fuzz.yaml\n".to_string()),
        Just("when: { visible: a }\n".to_string()),
        proptest::sample::select(vec![
            "open",
            "click",
            "fill",
            "select",
            "press",
            "wait_for",
            "assert_text",
            "otp",
            "when",
            "include",
            "script",
            "extract",
            "sleep",
            "from",
            "save_as",
            "locator",
            "timeout",
            "optional",
            "vars",
            "secrets",
            "fail_fast",
            "css",
            "xpath",
            "text",
            "url",
            "hidden",
        ])
        .prop_map(|s| s.to_string()),
        "[a-zA-Z0-9#./€ ]{0,8}",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        check(&text);
    }

    #[test]
    fn token_soup_never_panics(tokens in proptest::collection::vec(token(), 0..60)) {
        check(&tokens.concat());
    }

    #[test]
    fn mutated_valid_journeys_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..4, token()), 1..6)
    ) {
        let mut text = VALID.to_string();
        for (at, kind, tok) in edits {
            let mut i = at.index(text.len() + 1);
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            match kind {
                0 => text.insert_str(i, &tok),
                1 => {
                    let mut end = (i + tok.len().max(1)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(i..end, "");
                }
                2 => {
                    let mut end = (i + tok.len()).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(i..end, &tok);
                }
                _ => {
                    // Duplicate a line: repeated keys, repeated steps.
                    let start = text[..i].rfind('\n').map_or(0, |p| p + 1);
                    let end = text[i..].find('\n').map_or(text.len(), |p| i + p + 1);
                    let line = text[start..end].to_string();
                    text.insert_str(start, &line);
                }
            }
        }
        check(&text);
    }
}

#[test]
fn the_unmutated_journey_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/journeys/full.yaml");
    load_journey(&path, &opts()).unwrap();
}
