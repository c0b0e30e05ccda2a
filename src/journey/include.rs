//! `include: path`: another file's steps, read relative to the including file's folder and
//! checked with this journey's variables at the place they are included.

use std::path::Path;

use marked_yaml::Node;

use super::journey_file::{check_top_keys, root};
use super::model::Action;
use super::reader::Reader;
use super::source::{Pos, SourceFile};
use super::sources::read_text;

/// Files included inside included files, at most this deep.
pub const MAX_INCLUDE_DEPTH: usize = 8;

/// All included text of one journey together, counting a file each time it is included:
/// bounds the work of a file that includes a big one thousands of times.
pub const MAX_INCLUDED_BYTES: usize = 2 * 1024 * 1024;

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
        if let Some(i) = self.includes.iter().position(|(c, _)| *c == canonical) {
            let chain: Vec<String> = self.includes[i..]
                .iter()
                .map(|(_, shown)| shown.display().to_string())
                .chain([path.display().to_string()])
                .collect();
            self.error(f, at, "include cycle", chain.join(" → "));
            return None;
        }
        let mut sub = match read_text(self.opts.sources.as_ref(), &path) {
            Ok(text) => SourceFile::new(&path, &text),
            Err(mut d) => {
                if d.location.line == 0 {
                    // Nothing to point at inside: point at the include.
                    self.error(f, at, d.message, "");
                } else {
                    d.notes = included_from(f, at);
                    let sub = SourceFile::new(&path, "");
                    self.report(&with_trail(&sub, f, at), d);
                }
                return None;
            }
        };
        self.included_bytes += sub.text.len();
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
        sub = with_trail(&sub, f, at);
        let root = match root(&sub) {
            Ok(root) => root,
            Err(diagnostics) => {
                for d in diagnostics {
                    self.report(&sub, d);
                }
                return None;
            }
        };
        let map = root.as_mapping().expect("root() returns a map");
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
    use super::super::model::{Action, Journey};
    use super::super::options::LoadOptions;
    use super::super::sources::MemorySources;

    const PART: &str = "steps:\n  - click: \"#a\"\n";

    fn load(files: MemorySources) -> Result<Journey, Vec<Diagnostic>> {
        let mut opts = LoadOptions::with_env([]);
        opts.sources = Box::new(files);
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
        let j = load(including("parts/a.yaml", &[("/j/parts/a.yaml", PART)])).unwrap();
        assert!(matches!(&j.steps[1].action, Action::Include { steps, .. } if steps.len() == 1));
        // On this machine's disk, but not in the loader: not there.
        let d = one_error(load(including("/etc/passwd", &[])));
        assert_eq!(d.message, "cannot include /etc/passwd: no such file");
    }

    #[test]
    fn cycles_are_found_by_the_loaders_paths() {
        let files = [("/j/p/a.yaml", "steps:\n  - include: ../main.yaml\n")];
        let d = one_error(load(including("p/./a.yaml", &files)));
        assert_eq!(d.message, "include cycle");
        assert_eq!(d.label, "/j/main.yaml → /j/p/./a.yaml → /j/p/../main.yaml");
    }
}
