//! The walk over a parsed YAML tree: what every part of the language reads through (strings,
//! templates, locators, text matches, durations), the variables known at each point, and the
//! diagnostics collected on the way. Every reader reports its own problems and returns `None`,
//! so one walk finds every problem in a file.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use marked_yaml::Node;
use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};
use regex::Regex;

use super::diagnostic::Diagnostic;
use super::duration::{EXPECTED_DURATION, parse_duration};
use super::model::{Locator, LocatorKind, Template, TextMatch, Variables};
use super::options::LoadOptions;
use super::source::{Pos, SourceFile};
use super::suggest;
use super::template::{is_var_name, parse_template};
use super::yaml::is_null;

/// Past this many problems in one journey the rest are counted, not reported: a file of
/// junk must not take minutes to describe.
pub const MAX_DIAGNOSTICS: usize = 100;

/// Compiling regexes is the costliest part of loading: each is bounded in size, a journey in
/// how many different ones it has, and a repeated one is compiled once.
const REGEX_SIZE_LIMIT: usize = 2 * 1024 * 1024;
const MAX_REGEXES: usize = 100;

pub const LOCATOR_KEYS: &[&str] = &["css", "xpath", "text", "id", "name", "link"];
/// Beside a locator's key: narrow what it matches (see `locator_scope.rs`).
pub const SCOPE_KEYS: &[&str] = &["within", "nth"];

/// The folder of the journey's file, which its includes stay under.
#[derive(Debug, Default)]
pub struct JourneyFolder {
    /// With symlinks and `..` resolved; `None` when it could not be (then no include is
    /// under it).
    pub resolved: Option<PathBuf>,
    /// As the user wrote it, for messages.
    pub shown: PathBuf,
}

pub struct Reader<'o> {
    pub opts: &'o LoadOptions,
    /// Each with its sort key: the include trail, then line and column.
    diagnostics: Vec<(Vec<(usize, usize)>, Diagnostic)>,
    /// Problems found past [`MAX_DIAGNOSTICS`].
    dropped: usize,
    /// Resolved values: `--var`, `vars:`, referenced environment variables, secrets.
    pub variables: Variables,
    /// Names a template may use at this point of the walk.
    pub defined: BTreeSet<String>,
    pub secret_names: BTreeSet<String>,
    /// Names some step of the file saves (`save_as`, `extract`): for a better hint when one
    /// is used before the step that saves it.
    pub saved_somewhere: BTreeSet<String>,
    /// The files being read, outermost first: (canonical path, path as shown).
    pub includes: Vec<(PathBuf, PathBuf)>,
    /// The journey's folder: includes stay under it unless the options allow otherwise.
    pub journey_folder: JourneyFolder,
    /// Compiled regexes by pattern.
    regexes: std::collections::HashMap<String, Result<Regex, String>>,
    /// Bytes of included files read so far.
    pub included_bytes: usize,
    /// The journey has a `base_url:` (valid or not): relative `open:` URLs resolve against it.
    pub has_base_url: bool,
    /// The action whose argument is being read (`wait_for`, …): a step option written inside
    /// its map is told where it goes.
    pub action: Option<String>,
}

impl<'o> Reader<'o> {
    pub fn new(opts: &'o LoadOptions) -> Reader<'o> {
        Reader {
            opts,
            diagnostics: Vec::new(),
            dropped: 0,
            variables: Variables::default(),
            defined: BTreeSet::new(),
            secret_names: BTreeSet::new(),
            saved_somewhere: BTreeSet::new(),
            includes: Vec::new(),
            journey_folder: JourneyFolder::default(),
            included_bytes: 0,
            has_base_url: false,
            action: None,
            regexes: std::collections::HashMap::new(),
        }
    }

    pub fn has_errors(&self) -> bool {
        !self.diagnostics.is_empty()
    }

    /// Every diagnostic, in file order (an included file's at its include step), with every
    /// secret value known masked.
    pub fn into_diagnostics(mut self) -> Vec<Diagnostic> {
        self.diagnostics.sort_by(|a, b| a.0.cmp(&b.0));
        let secrets = self.secret_values();
        let mut out: Vec<Diagnostic> = self
            .diagnostics
            .into_iter()
            .map(|(_, d)| d.masked(&secrets))
            .collect();
        if self.dropped > 0 {
            let file = out[0].location.file.clone();
            out.push(Diagnostic::file_level(
                &file,
                format!(
                    "{} more problems not shown (only the first {MAX_DIAGNOSTICS} are)",
                    self.dropped
                ),
            ));
        }
        out
    }

    /// The values of the `--secrets` file and of the journey's secrets.
    fn secret_values(&self) -> Variables {
        let mut all = self.opts.secrets_file_values();
        for name in &self.secret_names {
            if let Some(value) = self.variables.get(name) {
                all.set_secret(name, value);
            }
        }
        all
    }

    /// A problem found but not worth locating: past the cap.
    pub fn count_unreported(&mut self) {
        self.dropped += 1;
    }

    /// Whether another diagnostic would be reported (so worth locating).
    pub fn has_room(&self) -> bool {
        self.diagnostics.len() < MAX_DIAGNOSTICS
    }

    pub fn report(&mut self, f: &SourceFile, d: Diagnostic) {
        if !self.has_room() {
            self.dropped += 1;
            return;
        }
        let mut key = f.trail.clone();
        key.push((d.location.line, d.location.column));
        self.diagnostics.push((key, d));
    }

    pub fn error(
        &mut self,
        f: &SourceFile,
        pos: Pos,
        message: impl Into<String>,
        label: impl Into<String>,
    ) {
        self.error_help(f, pos, message, label, None);
    }

    pub fn error_help(
        &mut self,
        f: &SourceFile,
        pos: Pos,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) {
        // Past the cap, not even built: building copies the line.
        if !self.has_room() {
            self.count_unreported();
            return;
        }
        let mut d = f.diagnostic(pos, message, label);
        d.help = help;
        self.report(f, d);
    }

    /// Reports every key of `map` not in `allowed`, with the closest allowed one.
    pub fn unknown_keys(
        &mut self,
        f: &SourceFile,
        map: &MarkedMappingNode,
        allowed: &[&str],
        expected: &str,
    ) {
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                if self.misplaced_step_option(f, key) {
                    continue;
                }
                let help = suggest::did_you_mean(key.as_str(), allowed.iter().copied());
                self.error_help(
                    f,
                    f.pos(&Node::from(key.clone())),
                    format!("unknown key `{}`", key.as_str()),
                    format!("expected {expected}"),
                    help,
                );
            }
        }
    }

    /// A step option (`timeout`, `name`, `optional`, …) written inside an action's map, where
    /// it means nothing: says it goes on the step. `true` when `key` was one (and reported).
    pub fn misplaced_step_option(&mut self, f: &SourceFile, key: &MarkedScalarNode) -> bool {
        let k = key.as_str();
        let Some(action) = self.action.clone() else {
            return false;
        };
        if !super::steps::STEP_OPTIONS.contains(&k) {
            return false;
        }
        self.error_help(
            f,
            f.pos(&Node::from(key.clone())),
            format!("`{k}` is a step option, not part of `{action}`"),
            format!("inside `{action}`'s map"),
            Some(format!(
                "`{k}` goes on the step, beside `{action}`: on its own line, indented like `{action}:`"
            )),
        );
        true
    }

    pub fn wrong_type(&mut self, f: &SourceFile, node: &Node, expected: &str) {
        self.error(
            f,
            f.pos(node),
            format!("expected {expected}"),
            format!("found {}", kind(node)),
        );
    }

    pub fn map<'n>(
        &mut self,
        f: &SourceFile,
        node: &'n Node,
        expected: &str,
    ) -> Option<&'n MarkedMappingNode> {
        match node {
            Node::Mapping(m) => Some(m),
            _ => {
                self.wrong_type(f, node, expected);
                None
            }
        }
    }

    /// A non-null scalar's text (numbers and booleans as written).
    pub fn string(&mut self, f: &SourceFile, node: &Node, expected: &str) -> Option<String> {
        match node {
            Node::Scalar(s) if !is_null(s) => Some(s.as_str().to_string()),
            _ => {
                self.wrong_type(f, node, expected);
                None
            }
        }
    }

    pub fn nonempty_string(
        &mut self,
        f: &SourceFile,
        node: &Node,
        expected: &str,
    ) -> Option<String> {
        let s = self.string(f, node, expected)?;
        if s.trim().is_empty() {
            self.error(
                f,
                f.pos(node),
                format!("expected {expected}"),
                "found an empty string",
            );
            return None;
        }
        Some(s)
    }

    /// A `${NAME}` template whose names are all defined at this point of the walk.
    pub fn template(&mut self, f: &SourceFile, node: &Node, expected: &str) -> Option<Template> {
        let value = self.string(f, node, expected)?;
        match parse_template(&value) {
            Ok((template, refs)) => {
                let mut ok = true;
                for r in refs {
                    if !self.define_from_environment(&r.name) {
                        ok = false;
                        if !self.has_room() {
                            self.dropped += 1;
                            continue;
                        }
                        let pos = f.pos_in_scalar(node, &value, r.offset, r.len);
                        self.undefined(f, pos, &r.name);
                    }
                }
                ok.then_some(template)
            }
            Err(errors) => {
                for e in errors.into_iter().take(MAX_DIAGNOSTICS + 1) {
                    if !self.has_room() {
                        self.count_unreported();
                        continue;
                    }
                    let pos = f.pos_in_scalar(node, &value, e.offset, e.len);
                    self.error(f, pos, e.message, e.label);
                }
                None
            }
        }
    }

    pub fn nonempty_template(
        &mut self,
        f: &SourceFile,
        node: &Node,
        expected: &str,
    ) -> Option<Template> {
        let t = self.template(f, node, expected)?;
        if t.to_string().trim().is_empty() {
            self.error(
                f,
                f.pos(node),
                format!("expected {expected}"),
                "found an empty string",
            );
            return None;
        }
        Some(t)
    }

    /// Whether `name` is known here; an environment variable is copied in on first use.
    pub fn define_from_environment(&mut self, name: &str) -> bool {
        if self.defined.contains(name) {
            return true;
        }
        match (self.opts.env)(name) {
            Some(value) => {
                self.variables.set(name, value);
                self.defined.insert(name.to_string());
                true
            }
            None => false,
        }
    }

    pub fn undefined(&mut self, f: &SourceFile, pos: Pos, name: &str) {
        if self.saved_somewhere.contains(name) {
            let help = format!("`{name}` is saved by a later step; use it after that step");
            self.error_help(
                f,
                pos,
                format!("undefined variable `{name}`"),
                "not saved yet at this step",
                Some(help),
            );
            return;
        }
        let help =
            suggest::did_you_mean(name, self.defined.iter().map(String::as_str)).or_else(|| {
                Some(format!(
                    "set it in `vars:`, with --var {name}=…, or in the environment"
                ))
            });
        self.error_help(
            f,
            pos,
            format!("undefined variable `{name}`"),
            "not set by vars, --var, the environment or an earlier step",
            help,
        );
    }

    /// A variable name that a step saves to (`save_as`, `extract`).
    pub fn var_name(&mut self, f: &SourceFile, node: &Node) -> Option<String> {
        let name = self.string(f, node, "a variable name")?;
        if !is_var_name(&name) {
            self.error(
                f,
                f.pos(node),
                format!("`{name}` is not a variable name"),
                "letters, digits and `_`, not starting with a digit",
            );
            return None;
        }
        if self.secret_names.contains(&name) {
            self.error(
                f,
                f.pos(node),
                format!("`{name}` is a secret"),
                "a step cannot overwrite a secret",
            );
            return None;
        }
        Some(name)
    }

    /// A locator: a CSS string, or a one-key map `{css|xpath|text|id|name|link: …}`, which
    /// may be narrowed by `within:` and `nth:` beside its key.
    pub fn locator(&mut self, f: &SourceFile, node: &Node) -> Option<Locator> {
        const EXPECTED: &str = "a locator: a CSS selector or {css|xpath|text|id|name|link: …}";
        match node {
            Node::Scalar(s) if !is_null(s) => {
                let value = self.nonempty_template(f, node, "a CSS selector")?;
                Some(Locator::new(LocatorKind::Css, value))
            }
            Node::Mapping(m) if m.keys().any(|k| SCOPE_KEYS.contains(&k.as_str())) => {
                self.scoped_locator(f, node, m)
            }
            Node::Mapping(m) => {
                let mut entries = m.iter();
                let Some((key, value)) = entries.next() else {
                    self.error(
                        f,
                        f.pos(node),
                        "empty locator",
                        format!("expected {EXPECTED}"),
                    );
                    return None;
                };
                if let Some((extra, _)) = entries.next() {
                    // (`name` is a locator kind too: then it is a second locator.)
                    if !LOCATOR_KEYS.contains(&extra.as_str())
                        && self.misplaced_step_option(f, extra)
                    {
                        return None;
                    }
                    self.error(
                        f,
                        f.pos(&Node::from(extra.clone())),
                        "a locator has one key",
                        format!("`{}` is already given", key.as_str()),
                    );
                    return None;
                }
                self.locator_entry(f, key.as_str(), &Node::from(key.clone()), value)
            }
            _ => {
                self.wrong_type(f, node, EXPECTED);
                None
            }
        }
    }

    /// `kind: value` of a locator map.
    pub fn locator_entry(
        &mut self,
        f: &SourceFile,
        kind: &str,
        key: &Node,
        value: &Node,
    ) -> Option<Locator> {
        let kind = match kind {
            "css" => LocatorKind::Css,
            "xpath" => LocatorKind::XPath,
            "text" => LocatorKind::Text,
            "id" => LocatorKind::Id,
            "name" => LocatorKind::Name,
            "link" => LocatorKind::Link,
            other => {
                let help = suggest::did_you_mean(other, LOCATOR_KEYS.iter().copied());
                self.error_help(
                    f,
                    f.pos(key),
                    format!("unknown locator kind `{other}`"),
                    "expected css, xpath, text, id, name or link",
                    help,
                );
                return None;
            }
        };
        let value =
            self.nonempty_template(f, value, &format!("the {} to look for", kind.keyword()))?;
        Some(Locator::new(kind, value))
    }

    /// A substring to look for, or a `/regex/`.
    pub fn text_match(&mut self, f: &SourceFile, node: &Node, expected: &str) -> Option<TextMatch> {
        let value = self.string(f, node, expected)?;
        match regex_literal(&value) {
            Some(pattern) => self.regex(f, node, pattern).map(TextMatch::Regex),
            None => self.template(f, node, expected).map(TextMatch::Contains),
        }
    }

    /// Compiles `pattern` (taken from `node`), reporting a bad one at the node.
    pub fn regex(&mut self, f: &SourceFile, node: &Node, pattern: &str) -> Option<Regex> {
        if pattern.is_empty() {
            self.error(f, f.pos(node), "empty regex", "it would match anything");
            return None;
        }
        let compiled = match self.regexes.get(pattern) {
            Some(known) => known.clone(),
            None if self.regexes.len() >= MAX_REGEXES => {
                self.error(
                    f,
                    f.pos(node),
                    format!("more than {MAX_REGEXES} different regexes"),
                    "a journey never needs this many",
                );
                return None;
            }
            None => {
                let compiled = regex::RegexBuilder::new(pattern)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(|e| regex_error_summary(&e));
                self.regexes.insert(pattern.to_string(), compiled.clone());
                compiled
            }
        };
        match compiled {
            Ok(r) => Some(r),
            Err(summary) => {
                self.error(f, f.pos(node), "invalid regex", summary);
                None
            }
        }
    }

    pub fn duration(&mut self, f: &SourceFile, node: &Node) -> Option<Duration> {
        let text = self.string(f, node, EXPECTED_DURATION)?;
        match parse_duration(&text) {
            Some(d) => Some(d),
            None => {
                let help = text
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .map(|_| format!("add a unit: `{}s`", text.trim()));
                self.error_help(
                    f,
                    f.pos(node),
                    format!("invalid duration `{text}`"),
                    format!("expected {EXPECTED_DURATION}"),
                    help,
                );
                None
            }
        }
    }

    /// A timeout: a duration above zero.
    pub fn timeout(&mut self, f: &SourceFile, node: &Node) -> Option<Duration> {
        let d = self.duration(f, node)?;
        if d.is_zero() {
            self.error(
                f,
                f.pos(node),
                "a timeout must be more than 0",
                "nothing could ever finish in it",
            );
            return None;
        }
        Some(d)
    }

    /// A `slow:` threshold: a duration above zero (every step takes some time).
    pub fn slow(&mut self, f: &SourceFile, node: &Node) -> Option<Duration> {
        let d = self.duration(f, node)?;
        if d.is_zero() {
            self.error(
                f,
                f.pos(node),
                "a slow threshold must be more than 0",
                "every step takes some time: it would always be slow",
            );
            return None;
        }
        Some(d)
    }

    /// A `component:` name: shown to customers on the public status page, so one line of
    /// plain text, not empty and not too long.
    pub fn component(&mut self, f: &SourceFile, node: &Node) -> Option<String> {
        let name = self.nonempty_string(f, node, "a component name")?;
        let name = name.trim().to_string();
        if name.chars().count() > MAX_COMPONENT_LEN || name.chars().any(char::is_control) {
            self.error(
                f,
                f.pos(node),
                "a component name is one line of plain text",
                format!(
                    "at most {MAX_COMPONENT_LEN} characters, no line breaks or control characters"
                ),
            );
            return None;
        }
        Some(name)
    }

    pub fn boolean(&mut self, f: &SourceFile, node: &Node) -> Option<bool> {
        match node {
            Node::Scalar(s) if s.may_coerce() && s.as_str() == "true" => Some(true),
            Node::Scalar(s) if s.may_coerce() && s.as_str() == "false" => Some(false),
            _ => {
                self.error(
                    f,
                    f.pos(node),
                    "expected true or false",
                    format!("found {}", describe(node)),
                );
                None
            }
        }
    }
}

/// The longest a `component:` name may be (it is a line on the public status page).
pub const MAX_COMPONENT_LEN: usize = 80;

/// `/…/` → the pattern between the slashes.
pub fn regex_literal(s: &str) -> Option<&str> {
    (s.len() >= 2 && s.starts_with('/') && s.ends_with('/')).then(|| &s[1..s.len() - 1])
}

/// The regex crate's message without its drawing of the pattern: its last line.
fn regex_error_summary(e: &regex::Error) -> String {
    let text = e.to_string();
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("invalid regex");
    last.trim().trim_start_matches("error: ").to_string()
}

/// What kind of YAML value a node is, for "found …" labels.
pub fn kind(node: &Node) -> &'static str {
    match node {
        Node::Scalar(s) if is_null(s) => "nothing",
        Node::Scalar(_) => "a string",
        Node::Sequence(_) => "a list",
        Node::Mapping(_) => "a map",
    }
}

/// Like [`kind`], quoting a short scalar.
fn describe(node: &Node) -> String {
    match node {
        Node::Scalar(s) if !is_null(s) && s.as_str().chars().count() <= 20 => {
            format!("`{}`", s.as_str())
        }
        other => kind(other).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_literals_need_both_slashes() {
        assert_eq!(regex_literal("/a+/"), Some("a+"));
        assert_eq!(regex_literal("//"), Some(""));
        assert_eq!(regex_literal("/"), None);
        assert_eq!(regex_literal("/a"), None);
        assert_eq!(regex_literal("a/"), None);
    }

    #[test]
    fn regex_errors_are_one_line() {
        let pattern = String::from("(a");
        let e = regex::Regex::new(&pattern).unwrap_err();
        assert_eq!(regex_error_summary(&e), "unclosed group");
    }
}
