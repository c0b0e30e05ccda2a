//! `include: path`: another file's steps, read relative to the including file's folder and
//! checked with this journey's variables at the place they are included.
//!
//! An include is a way to make `validate` read a file and show its lines, so the file must be
//! under the journey's folder (unless allowed otherwise) and look like part of a journey
//! before any of its lines is quoted: a secrets file, `/proc/self/environ` or `/etc/shadow`
//! is refused at the `include:` line, quoting nothing from it.

use std::path::Path;

use marked_yaml::Node;

use super::journey_file::{TOP_KEYS, check_top_keys, looks_like_secrets};
use super::loader::{NOT_REGULAR_HELP, SourceError};
use super::model::Action;
use super::reader::Reader;
use super::source::{MAX_FILE_BYTES, Pos, SourceFile};
use super::yaml;

/// Files included inside included files, at most this deep.
pub const MAX_INCLUDE_DEPTH: usize = 8;

/// All included text of one journey together, counting a file each time it is included:
/// bounds the work of a file that includes a big one thousands of times.
pub const MAX_INCLUDED_BYTES: usize = 2 * 1024 * 1024;

/// How to lift the folder rule, said where an include breaks it.
pub const ALLOW_OUTSIDE_HELP: &str = "--allow-include-outside";

impl Reader<'_> {
    pub fn include(&mut self, f: &SourceFile, node: &Node) -> Option<Action> {
        let written = self.nonempty_string(f, node, "the path of a journey file")?;
        let at = f.pos(node);
        let path = f.dir().join(&written);
        // The journey's own file is the first entry when it is on disk.
        let depth = self.includes.len().saturating_sub(1);
        if depth >= MAX_INCLUDE_DEPTH {
            self.error(
                f,
                at,
                format!("includes nested deeper than {MAX_INCLUDE_DEPTH} files"),
                "this include is one too many",
            );
            return None;
        }
        if self.included_bytes > MAX_INCLUDED_BYTES {
            self.count_unreported();
            return None;
        }
        let canonical = match self.opts.sources.resolve(&path) {
            Ok(c) => c,
            Err(e) => {
                self.error(
                    f,
                    at,
                    format!("cannot include {}: {e}", path.display()),
                    "paths are relative to this file's folder",
                );
                return None;
            }
        };
        if !self.opts.allow_include_outside && !self.is_in_journey_folder(&canonical) {
            let folder = self.journey_folder.shown.display().to_string();
            self.error_help(
                f,
                at,
                format!(
                    "cannot include {}: outside the journey's folder",
                    path.display()
                ),
                format!("not under {folder} (symlinks and `..` resolved)"),
                Some(format!(
                    "move the file under {folder}, or allow includes from anywhere with {ALLOW_OUTSIDE_HELP}"
                )),
            );
            return None;
        }
        if let Some(i) = self.includes.iter().position(|(c, _)| *c == canonical) {
            let chain: Vec<String> = self.includes[i..]
                .iter()
                .map(|(_, shown)| shown.display().to_string())
                .chain([path.display().to_string()])
                .collect();
            self.error(f, at, "include cycle", chain.join(" → "));
            return None;
        }
        let bytes = match self.opts.sources.read(&path, MAX_FILE_BYTES + 1) {
            Ok(bytes) => bytes,
            Err(e) => {
                let help = matches!(e, SourceError::NotARegularFile(_))
                    .then(|| NOT_REGULAR_HELP.to_string());
                let message = format!("cannot read {}: {e}", path.display());
                self.error_help(f, at, message, "", help);
                return None;
            }
        };
        if bytes.len() > MAX_FILE_BYTES {
            let message = format!("file larger than {} KiB", MAX_FILE_BYTES / 1024);
            self.error(f, at, message, "");
            return None;
        }
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                // Where the bad byte is, but none of the text: it may be anything.
                let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let good = std::str::from_utf8(good).expect("valid up to here");
                let (line, column) = SourceFile::new(&path, good).line_col(good.chars().count());
                self.error_help(
                    f,
                    at,
                    format!("cannot include {}: not UTF-8 text", path.display()),
                    format!(
                        "invalid byte at line {line}, column {column}; its lines are not shown"
                    ),
                    Some("a journey is a YAML text file in UTF-8".into()),
                );
                return None;
            }
        };
        self.included_bytes += text.len();
        if self.included_bytes > MAX_INCLUDED_BYTES {
            self.error(
                f,
                at,
                format!(
                    "includes add up to more than {} MiB",
                    MAX_INCLUDED_BYTES / 1024 / 1024
                ),
                "this include is one too many",
            );
            return None;
        }
        let sub = with_trail(&SourceFile::new(&path, &text), f, at);
        let root = match yaml::load(&sub) {
            Ok(Some(root @ Node::Mapping(_))) => root,
            Ok(other) => {
                let found = match &other {
                    None => "it is empty".to_string(),
                    Some(node) => format!("it is {}, not a map of keys", super::reader::kind(node)),
                };
                self.not_a_journey(f, at, &path, &found, None);
                return None;
            }
            Err(diagnostics) if has_journey_key_line(&sub.text) => {
                // A journey part with a syntax error: worth showing where.
                for d in diagnostics {
                    self.report(&sub, d);
                }
                return None;
            }
            Err(_) => {
                self.not_a_journey(f, at, &path, "it is not valid YAML", None);
                return None;
            }
        };
        let map = root.as_mapping().expect("matched a map");
        if looks_like_secrets(map) {
            self.not_a_journey(
                f,
                at,
                &path,
                "every key looks like a variable name (NAME: value)",
                Some("a secrets file goes to --secrets FILE; an included file holds `steps:`"),
            );
            return None;
        }
        if !map.keys().any(|k| TOP_KEYS.contains(&k.as_str())) {
            self.not_a_journey(f, at, &path, "none of its keys is a journey's", None);
            return None;
        }
        check_top_keys(self, &sub, map);
        let Some(steps) = map.get_node("steps") else {
            self.error(
                &sub,
                Pos {
                    line: 1,
                    column: 1,
                    length: 1,
                },
                "an included file needs `steps:`",
                "its steps are what `include:` runs",
            );
            return None;
        };
        self.includes.push((canonical, path.clone()));
        let steps = self.steps(&sub, steps);
        self.includes.pop();
        Some(Action::Include { path, steps })
    }

    fn is_in_journey_folder(&self, canonical: &Path) -> bool {
        self.journey_folder
            .resolved
            .as_ref()
            .is_some_and(|folder| canonical.starts_with(folder))
    }

    /// Refuses the include at `at` of `f`, quoting nothing of the file it names.
    fn not_a_journey(
        &mut self,
        f: &SourceFile,
        at: Pos,
        path: &Path,
        why: &str,
        help: Option<&str>,
    ) {
        self.error_help(
            f,
            at,
            format!("cannot include {}: this is not a journey", path.display()),
            format!("{why}; its lines are not shown"),
            Some(
                help.unwrap_or("an included file is YAML with the steps to run under `steps:`")
                    .to_string(),
            ),
        );
    }
}

/// Whether some line of `text` starts with a journey's top-level key (`steps:`): a file that
/// is not valid YAML is taken for a broken journey part, and its lines shown, only then.
fn has_journey_key_line(text: &str) -> bool {
    text.lines().any(|line| {
        TOP_KEYS.iter().any(|key| {
            line.strip_prefix(key)
                .and_then(|rest| rest.strip_prefix(':'))
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        })
    })
}

fn included_from(f: &SourceFile, at: Pos) -> Vec<String> {
    let mut notes = vec![format!(
        "included from {}:{}:{}",
        f.path.display(),
        at.line,
        at.column
    )];
    notes.extend(f.notes.iter().cloned());
    notes
}

/// `sub` placed under the include at `at` of `f`: its diagnostics sort there and say so.
fn with_trail(sub: &SourceFile, f: &SourceFile, at: Pos) -> SourceFile {
    let mut out = SourceFile::new(Path::new(sub.path.as_path()), &sub.text);
    out.trail = f.trail.clone();
    out.trail.push((at.line, at.column));
    out.notes = included_from(f, at);
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::Diagnostic;
    use super::super::load::load_journey;
    use super::super::loader::MemorySources;
    use super::super::model::{Action, Journey};
    use super::super::options::LoadOptions;

    const PART: &str = "steps:\n  - click: \"#a\"\n";

    fn load(files: MemorySources, allow_outside: bool) -> Result<Journey, Vec<Diagnostic>> {
        let mut opts = LoadOptions::with_env([]);
        opts.sources = Box::new(files);
        opts.allow_include_outside = allow_outside;
        opts.secrets = [("PW".to_string(), "hunter2hunter2".to_string())].into();
        load_journey(Path::new("/j/main.yaml"), &opts)
    }

    /// `/j/main.yaml` including `include`, with `files` beside it.
    fn including(include: &str, files: &[(&str, &str)]) -> MemorySources {
        let main = format!("name: m\nsteps:\n  - click: \"#x\"\n  - include: {include}\n");
        files.iter().fold(
            MemorySources::new().with("/j/main.yaml", main),
            |m, (p, t)| m.with(p, *t),
        )
    }

    fn one_error(r: Result<Journey, Vec<Diagnostic>>) -> Diagnostic {
        let d = r.expect_err("refused");
        assert_eq!(d.len(), 1, "{d:?}");
        d.into_iter().next().unwrap()
    }

    #[test]
    fn includes_are_read_through_the_loader_only() {
        let j = load(
            including("parts/a.yaml", &[("/j/parts/a.yaml", PART)]),
            false,
        )
        .unwrap();
        assert!(matches!(&j.steps[1].action, Action::Include { steps, .. } if steps.len() == 1));
        // On this machine's disk, but not in the loader: not there.
        let d = one_error(load(including("/etc/passwd", &[]), true));
        assert_eq!(d.message, "cannot include /etc/passwd: no such file");
    }

    #[test]
    fn includes_stay_in_the_journeys_folder_tree_unless_allowed() {
        let files = [
            ("/j/parts/a.yaml", PART),
            ("/k/b.yaml", PART),
            ("/j2/c.yaml", PART),
        ];
        for inside in ["parts/a.yaml", "parts/../parts/a.yaml", "/j/parts/a.yaml"] {
            assert!(load(including(inside, &files), false).is_ok(), "{inside}");
        }
        for outside in [
            "../k/b.yaml",
            "parts/../../k/b.yaml",
            "/k/b.yaml",
            "../j2/c.yaml",
        ] {
            let d = one_error(load(including(outside, &files), false));
            assert!(d.message.ends_with(": outside the journey's folder"), "{d}");
            assert_eq!((d.location.line, d.location.column), (4, 14), "{d}");
            assert_eq!(d.label, "not under /j (symlinks and `..` resolved)");
            assert!(load(including(outside, &files), true).is_ok(), "{outside}");
        }
        // A part may include from anywhere in the journey's tree, not only its own folder.
        let files = [
            ("/j/parts/a.yaml", "steps:\n  - include: ../common/b.yaml\n"),
            ("/j/common/b.yaml", PART),
        ];
        assert!(load(including("parts/a.yaml", &files), false).is_ok());
    }

    #[test]
    fn a_file_that_is_not_a_journey_is_refused_at_the_include_quoting_nothing() {
        for (text, why) in [
            (
                "DEMO_PASSWORD=v4lue-1\nOTHER=v4lue-2\n",
                "it is a string, not a map of keys",
            ),
            (
                "HOME=/v4lue\0TOKEN=v4lue\0",
                "it is a string, not a map of keys",
            ),
            (
                "API_KEY: v4lue\nPASSWORD: v4lue\n",
                "every key looks like a variable name",
            ),
            (
                "db:\n  password: v4lue\n",
                "none of its keys is a journey's",
            ),
            ("- v4lue\n", "it is a list, not a map of keys"),
            ("password: \"v4lue\n  - [\n", "it is not valid YAML"),
            ("# v4lue\n", "it is empty"),
        ] {
            let d = one_error(load(including("x.txt", &[("/j/x.txt", text)]), false));
            let rendered = d.render(false);
            assert!(!rendered.contains("v4lue"), "{rendered}");
            assert_eq!(d.message, "cannot include /j/x.txt: this is not a journey");
            assert!(d.label.starts_with(why), "{text:?}: {rendered}");
            assert_eq!(d.source_line.as_deref(), Some("  - include: x.txt"));
        }
        let binary = including("x.bin", &[]).with("/j/x.bin", b"steps: [v4lue\xff]".to_vec());
        let d = one_error(load(binary, false));
        assert_eq!(d.message, "cannot include /j/x.bin: not UTF-8 text");
        assert_eq!(
            d.label,
            "invalid byte at line 1, column 14; its lines are not shown"
        );
    }

    #[test]
    fn a_broken_journey_part_is_still_shown_with_its_secrets_masked() {
        let part = "steps:\n  - fill: { \"#p\": hunter2hunter2 \n";
        let d = load(including("p.yaml", &[("/j/p.yaml", part)]), false).unwrap_err();
        assert_eq!(d[0].message, "invalid YAML");
        assert_eq!(d[0].location.file.as_path(), Path::new("/j/p.yaml"));
        let part = "name: p\nstepz:\n  - clik: hunter2hunter2\n";
        let d = load(including("p.yaml", &[("/j/p.yaml", part)]), false).unwrap_err();
        let rendered: String = d.iter().map(|d| d.render(false)).collect();
        assert!(rendered.contains("unknown key `stepz`"), "{rendered}");
        let d = load(
            including(
                "p.yaml",
                &[("/j/p.yaml", "steps:\n  - clik: hunter2hunter2\n")],
            ),
            false,
        )
        .unwrap_err();
        let rendered = d[0].render(false);
        assert!(rendered.contains("2 |   - clik: ••••••\n"), "{rendered}");
        assert!(!rendered.contains("hunter2"), "{rendered}");
    }

    #[test]
    fn cycles_are_found_by_the_loaders_paths() {
        let files = [("/j/p/a.yaml", "steps:\n  - include: ../main.yaml\n")];
        let d = one_error(load(including("p/./a.yaml", &files), false));
        assert_eq!(d.message, "include cycle");
        assert_eq!(d.label, "/j/main.yaml → /j/p/./a.yaml → /j/p/../main.yaml");
    }
}
