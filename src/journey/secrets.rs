//! `--secrets FILE`: a YAML map of `NAME: value`.
//!
//! Read with serde_yaml (no spans needed: a secrets file is flat). Nothing from the file's
//! content is ever put in a diagnostic: no source line, no value; only names and positions.

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml::Value;

use super::diagnostic::Diagnostic;
use super::loader::read_text;
use super::model::Location;
use super::os::FileSystem;

#[allow(clippy::result_large_err)] // one per run; the API the CLI and runner share
pub fn load_secrets_file(path: &Path) -> Result<BTreeMap<String, String>, Diagnostic> {
    let text = read_text(&FileSystem, path).map_err(|mut d| {
        d.source_line = None;
        d
    })?;
    parse_secrets(&text, path)
}

#[allow(clippy::result_large_err)]
pub fn parse_secrets(text: &str, path: &Path) -> Result<BTreeMap<String, String>, Diagnostic> {
    let value: Value = serde_yaml::from_str(text).map_err(|e| {
        let mut d = Diagnostic::file_level(path, "invalid YAML in secrets file");
        if let Some(loc) = e.location() {
            d.location = Location {
                file: d.location.file.clone(),
                line: loc.line(),
                column: loc.column(),
            };
        }
        // serde_yaml's syntax messages are fixed phrases; the position part is shown above.
        let msg = e.to_string();
        d.label = msg.split(" at line ").next().unwrap_or("").to_string();
        d
    })?;
    let map = match value {
        Value::Null => return Ok(BTreeMap::new()),
        Value::Mapping(m) => m,
        _ => {
            return Err(Diagnostic::file_level(
                path,
                "a secrets file is a map of NAME: value",
            ));
        }
    };
    let mut out = BTreeMap::new();
    for (key, value) in map {
        let name = match key {
            Value::String(s) => s,
            _ => {
                return Err(Diagnostic::file_level(
                    path,
                    "a secrets file's keys are names",
                ));
            }
        };
        let value = match value {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => {
                return Err(Diagnostic::file_level(
                    path,
                    format!("secret `{name}` must be a string in the secrets file"),
                ));
            }
        };
        out.insert(name, value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_and_values() {
        let s = parse_secrets("PASSWORD: hunter2\nPIN: 1234\n", Path::new("s.yaml")).unwrap();
        assert_eq!(s["PASSWORD"], "hunter2");
        assert_eq!(s["PIN"], "1234");
        assert!(parse_secrets("", Path::new("s.yaml")).unwrap().is_empty());
    }

    #[test]
    fn errors_never_show_values() {
        for text in [
            "hunter2",
            "PASSWORD: [hunter2]",
            "PASSWORD: \"hunter2\nX: : :",
            "- hunter2",
        ] {
            let d = parse_secrets(text, Path::new("s.yaml")).unwrap_err();
            assert!(!d.render(false).contains("hunter2"), "{text:?} → {d}");
        }
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let d = parse_secrets("A: 1\nB: \"unclosed\n", Path::new("s.yaml")).unwrap_err();
        assert!(d.location.line >= 2, "{d}");
    }
}
