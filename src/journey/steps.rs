//! `steps:` → [`Step`]s: one action per step, its argument forms, and the step options.

use std::time::Duration;

use marked_yaml::Node;
use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};

use super::keys::canonical_key;
use super::model::{
    Action, Condition, DEFAULT_OTP_PATTERN, DEFAULT_WHEN_WITHIN, Key, Locator, LocatorKind,
    OtpSource, OtpStep, Step, WaitCondition,
};
use super::reader::{Reader, regex_literal};
use super::source::SourceFile;
use super::suggest;

pub const ACTIONS: &[&str] = &[
    "open",
    "click",
    "fill",
    "select",
    "check",
    "uncheck",
    "press",
    "hover",
    "wait_for",
    "assert_visible",
    "assert_hidden",
    "assert_text",
    "assert_url",
    "assert_title",
    "extract",
    "otp",
    "screenshot",
    "include",
    "script",
    "sleep",
    "when",
    "log",
];
pub const STEP_OPTIONS: &[&str] = &["name", "timeout", "slow", "optional", "strict", "component"];
const MAX_SCREENSHOT_NAME: usize = 100;

fn key_node(k: &MarkedScalarNode) -> Node {
    Node::from(k.clone())
}

impl Reader<'_> {
    /// A list of steps; each problem in any of them is reported.
    pub fn steps(&mut self, f: &SourceFile, node: &Node) -> Vec<Step> {
        let Node::Sequence(list) = node else {
            self.wrong_type(f, node, "a list of steps");
            return Vec::new();
        };
        if list.is_empty() {
            self.error(
                f,
                f.pos(node),
                "no steps",
                "a list of steps needs at least one",
            );
            return Vec::new();
        }
        list.iter().filter_map(|item| self.step(f, item)).collect()
    }

    fn step(&mut self, f: &SourceFile, node: &Node) -> Option<Step> {
        let pos = f.pos(node);
        let map = match node {
            Node::Mapping(m) => m,
            Node::Scalar(s) if ACTIONS.contains(&s.as_str()) => {
                let a = s.as_str();
                self.error(
                    f,
                    pos,
                    format!("`{a}` needs an argument"),
                    format!("write `{a}: …`"),
                );
                return None;
            }
            other => {
                self.error_help(
                    f,
                    pos,
                    "expected a step",
                    format!("found {}", super::reader::kind(other)),
                    Some("a step is a map with one action, like `click: \"#login\"`".into()),
                );
                return None;
            }
        };
        let mut actions: Vec<(&MarkedScalarNode, &Node)> = Vec::new();
        let (mut name, mut timeout, mut optional, mut when_steps) = (None, None, false, None);
        let mut slow = None;
        let mut unknown = false;
        let mut strict = None;
        let mut component = None;
        for (key, value) in map.iter() {
            match key.as_str() {
                a if ACTIONS.contains(&a) => actions.push((key, value)),
                "name" => name = self.nonempty_string(f, value, "a step name"),
                "timeout" => timeout = self.timeout(f, value),
                "slow" => slow = self.slow(f, value),
                "optional" => optional = self.boolean(f, value).unwrap_or(false),
                "strict" => strict = self.boolean(f, value),
                "component" => component = self.component(f, value),
                "steps" => when_steps = Some((key, value)),
                other => {
                    unknown = true;
                    let candidates = ACTIONS.iter().chain(STEP_OPTIONS).copied();
                    self.error_help(
                        f,
                        f.pos(&key_node(key)),
                        format!("unknown key `{other}`"),
                        format!(
                            "expected an action (open, click, fill, …) or {}",
                            STEP_OPTIONS.join(", ")
                        ),
                        suggest::did_you_mean(other, candidates),
                    );
                }
            }
        }
        let (key, value) = match actions.as_slice() {
            [] => {
                if !unknown {
                    self.error_help(
                        f,
                        pos,
                        "a step needs an action",
                        "no action in this step",
                        Some(
                            "add one of open, click, fill, select, press, wait_for, assert_text, …"
                                .into(),
                        ),
                    );
                }
                return None;
            }
            [one] => *one,
            [(first, _), (second, _), ..]
                if first.as_str() == "when" || second.as_str() == "when" =>
            {
                self.action_beside_when(f, first, second);
                return None;
            }
            [(first, _), (second, _), ..] => {
                self.error_help(
                    f,
                    f.pos(&key_node(second)),
                    format!(
                        "a step has one action, this one has `{}` and `{}`",
                        first.as_str(),
                        second.as_str()
                    ),
                    "second action",
                    Some("split it into two steps".into()),
                );
                return None;
            }
        };
        if let Some((steps_key, _)) = when_steps
            && key.as_str() != "when"
        {
            self.error(
                f,
                f.pos(&key_node(steps_key)),
                "`steps:` here needs a `when:`",
                "only a `when:` block has steps",
            );
        }
        self.action = Some(key.as_str().to_string());
        let read = self.action(f, key, value, when_steps.map(|(_, v)| v));
        self.action = None;
        let (action, inner_timeout) = read?;
        if let (Some(_), Some(_)) = (timeout, inner_timeout) {
            self.error(
                f,
                f.pos(&key_node(key)),
                "timeout given twice",
                "in the step and inside `otp:`; keep one",
            );
        }
        let location = f.location(pos.line, pos.column);
        Some(Step {
            name,
            timeout: timeout.or(inner_timeout),
            slow,
            optional,
            strict,
            component,
            action,
            location,
        })
    }

    /// `when:` and another action in one step: the other action belongs in the block's
    /// `steps:`.
    fn action_beside_when(
        &mut self,
        f: &SourceFile,
        first: &MarkedScalarNode,
        second: &MarkedScalarNode,
    ) {
        let other = if first.as_str() == "when" {
            second
        } else {
            first
        };
        let a = other.as_str();
        self.error_help(
            f,
            f.pos(&key_node(other)),
            format!("`{a}` beside `when:` is a second action in the step"),
            "belongs inside the `when` block",
            Some(format!(
                "a `when` block's steps go in `steps:`: move `{a}` into a `steps:` list beside `when:`"
            )),
        );
    }

    /// An `open:` URL: absolute http(s) (or `file:`, `data:`, `about:`), or relative with a
    /// `base_url:` to resolve against. Checked now when no step-saved variable is in it, so a
    /// journey mistake is never reported later as the site failing to load.
    fn open_url(
        &mut self,
        f: &SourceFile,
        value: &Node,
    ) -> Option<crate::journey::model::Template> {
        let template = self.nonempty_template(f, value, "a URL")?;
        if template
            .variables()
            .any(|v| self.variables.get(v).is_none())
        {
            return Some(template);
        }
        let rendered = template.render(&self.variables);
        let problem = match url::Url::parse(&rendered) {
            Ok(u) if matches!(u.scheme(), "http" | "https" | "file" | "data" | "about") => None,
            Ok(u) => Some(format!(
                "`{}:` URLs are not opened; expected http(s), or a path relative to base_url",
                u.scheme()
            )),
            Err(url::ParseError::RelativeUrlWithoutBase) if self.has_base_url => None,
            Err(url::ParseError::RelativeUrlWithoutBase) => Some(
                "a relative URL needs `base_url:` in the journey (or write the full http(s) URL)"
                    .to_string(),
            ),
            Err(e) => Some(format!("not a URL: {e}")),
        };
        if let Some(label) = problem {
            let label = if template.uses_secret(&self.variables) {
                self.variables.mask(&label)
            } else {
                label
            };
            self.error(f, f.pos(value), "invalid URL to open", label);
            return None;
        }
        Some(template)
    }

    /// The action and, for `otp`, a timeout written inside its map.
    fn action(
        &mut self,
        f: &SourceFile,
        key: &MarkedScalarNode,
        value: &Node,
        when_steps: Option<&Node>,
    ) -> Option<(Action, Option<Duration>)> {
        let action = match key.as_str() {
            "open" => Action::Open(self.open_url(f, value)?),
            "click" => Action::Click(self.locator(f, value)?),
            "hover" => Action::Hover(self.locator(f, value)?),
            "check" => Action::Check(self.locator(f, value)?),
            "uncheck" => Action::Uncheck(self.locator(f, value)?),
            "assert_visible" => Action::AssertVisible(self.locator(f, value)?),
            "assert_hidden" => Action::AssertHidden(self.locator(f, value)?),
            "fill" => Action::Fill(self.pairs(f, value, "fill", "value", |r, f, n| {
                r.template(f, n, "a value")
            })?),
            "select" => Action::Select(self.pairs(f, value, "select", "option", |r, f, n| {
                r.nonempty_template(f, n, "the option's visible text")
            })?),
            "assert_text" => {
                Action::AssertText(self.pairs(f, value, "assert_text", "text", |r, f, n| {
                    r.text_match(f, n, "a substring or /regex/")
                })?)
            }
            "extract" => {
                let pairs =
                    self.pairs(f, value, "extract", "save_as", |r, f, n| r.var_name(f, n))?;
                self.defined.extend(pairs.iter().map(|(_, v)| v.clone()));
                Action::Extract(pairs)
            }
            "press" => Action::Press(self.key(f, value)?),
            "wait_for" => Action::WaitFor(self.wait_for(f, value)?),
            "assert_url" => {
                Action::AssertUrl(self.text_match(f, value, "a substring or /regex/ of the URL")?)
            }
            "assert_title" => Action::AssertTitle(self.text_match(
                f,
                value,
                "a substring or /regex/ of the title",
            )?),
            "otp" => {
                let (otp, timeout) = self.otp(f, value)?;
                return Some((Action::Otp(otp), timeout));
            }
            "screenshot" => Action::Screenshot(self.screenshot_name(f, value)?),
            "include" => self.include(f, value)?,
            "script" => self.script(f, value)?,
            "sleep" => Action::Sleep(self.duration(f, value)?),
            "when" => self.when(f, key, value, when_steps)?,
            "log" => self.log_message(f, value)?,
            other => unreachable!("`{other}` is in ACTIONS but not read"),
        };
        Some((action, None))
    }

    /// `{css: value, …}` pairs, or `{locator: …, <value_key>: …}` for any locator form.
    fn pairs<T>(
        &mut self,
        f: &SourceFile,
        node: &Node,
        action: &str,
        value_key: &str,
        mut read: impl FnMut(&mut Self, &SourceFile, &Node) -> Option<T>,
    ) -> Option<Vec<(Locator, T)>> {
        let expected =
            format!("a map of CSS selector → {value_key}, or {{locator: …, {value_key}: …}}");
        let map = self.map(f, node, &expected)?;
        if map.is_empty() {
            self.error(
                f,
                f.pos(node),
                format!("`{action}` needs at least one field"),
                format!("expected {expected}"),
            );
            return None;
        }
        if map.contains_key("locator") {
            self.unknown_keys(
                f,
                map,
                &["locator", value_key],
                &format!("`locator` and `{value_key}`"),
            );
            let locator = self.locator(f, map.get_node("locator").expect("checked"));
            let value = match map.get_node(value_key) {
                Some(v) => read(self, f, v),
                None => {
                    self.error(
                        f,
                        f.pos(node),
                        format!("missing `{value_key}`"),
                        format!("`{action}` with `locator` needs `{value_key}`"),
                    );
                    None
                }
            };
            return Some(vec![(locator?, value?)]);
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (key, value) in map.iter() {
            if self.misplaced_step_option(f, key) {
                ok = false;
                continue;
            }
            let locator = self
                .nonempty_template(f, &key_node(key), "a CSS selector")
                .map(|value| Locator::new(LocatorKind::Css, value));
            let value = read(self, f, value);
            match (locator, value) {
                (Some(l), Some(v)) => out.push((l, v)),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn key(&mut self, f: &SourceFile, node: &Node) -> Option<Key> {
        let name = self.string(
            f,
            node,
            "a key name (Enter, Tab, Escape, …) or one character, after modifiers (Shift+Enter)",
        )?;
        match canonical_key(&name) {
            Ok(k) => Some(Key(k)),
            Err(help) => {
                self.error_help(
                    f,
                    f.pos(node),
                    format!("unknown key name `{name}`"),
                    "expected Enter, Tab, Escape, Backspace, Delete, Space, Arrow…, Home, End, PageUp, PageDown, F1–F12 or one character, after Shift+, Control+, Alt+ or Meta+",
                    help,
                );
                None
            }
        }
    }

    fn wait_for(&mut self, f: &SourceFile, node: &Node) -> Option<WaitCondition> {
        const KEYS: &[&str] = &[
            "visible", "hidden", "url", "text", "css", "xpath", "id", "name", "link",
        ];
        let Node::Mapping(map) = node else {
            return self.locator(f, node).map(WaitCondition::Visible);
        };
        let (key, value) = self.one_key(f, node, map, "wait_for", KEYS)?;
        match key.as_str() {
            "visible" => self.locator(f, value).map(WaitCondition::Visible),
            "hidden" => self.locator(f, value).map(WaitCondition::Hidden),
            "url" => self
                .text_match(f, value, "a substring or /regex/ of the URL")
                .map(WaitCondition::Url),
            "text" => self
                .text_match(f, value, "a substring or /regex/ of the page's text")
                .map(WaitCondition::Text),
            kind => self
                .locator_entry(f, kind, &key_node(key), value)
                .map(WaitCondition::Visible),
        }
    }

    /// The single entry of a map that must have exactly one of `keys`.
    fn one_key<'n>(
        &mut self,
        f: &SourceFile,
        node: &Node,
        map: &'n MarkedMappingNode,
        what: &str,
        keys: &[&str],
    ) -> Option<(&'n MarkedScalarNode, &'n Node)> {
        let expected = keys.join(", ");
        let mut entries = map.iter();
        let Some((key, value)) = entries.next() else {
            self.error(
                f,
                f.pos(node),
                format!("`{what}` needs a condition"),
                format!("expected one of {expected}"),
            );
            return None;
        };
        if !keys.contains(&key.as_str()) {
            self.unknown_keys(f, map, keys, &format!("one of {expected}"));
            return None;
        }
        if let Some((extra, _)) = entries.next() {
            if !keys.contains(&extra.as_str()) && self.misplaced_step_option(f, extra) {
                return None;
            }
            self.error(
                f,
                f.pos(&key_node(extra)),
                format!("`{what}` takes one condition"),
                format!("`{}` is already given", key.as_str()),
            );
            return None;
        }
        Some((key, value))
    }

    fn otp(&mut self, f: &SourceFile, node: &Node) -> Option<(OtpStep, Option<Duration>)> {
        const SOURCES: &[&str] = &["sms", "totp", "http", "command"];
        const ALL_KEYS: &[&str] = &[
            "from", "to", "secret", "url", "run", "pattern", "save_as", "timeout",
        ];
        let map = self.map(f, node, "{from: sms|totp|http|command, …, save_as: NAME}")?;
        self.unknown_keys(
            f,
            map,
            ALL_KEYS,
            "from, to, secret, url, run, pattern, save_as or timeout",
        );
        let from = match map.get_node("from") {
            None => {
                self.error(
                    f,
                    f.pos(node),
                    "`otp` needs `from`",
                    "expected from: sms, totp, http or command",
                );
                None
            }
            Some(n) => {
                let s = self.string(f, n, "sms, totp, http or command")?;
                if SOURCES.contains(&s.as_str()) {
                    Some(s)
                } else {
                    let help = suggest::did_you_mean(&s, SOURCES.iter().copied());
                    self.error_help(
                        f,
                        f.pos(n),
                        format!("unknown OTP source `{s}`"),
                        "expected sms, totp, http or command",
                        help,
                    );
                    None
                }
            }
        };
        let timeout = map.get_node("timeout").and_then(|n| self.timeout(f, n));
        let from = from?;
        let (required, optional): (&str, &[&str]) = match from.as_str() {
            "sms" => ("to", &["pattern"]),
            "totp" => ("secret", &[]),
            "http" => ("url", &["pattern"]),
            _ => ("run", &["pattern"]),
        };
        for key in map.keys() {
            let k = key.as_str();
            let common = ["from", "save_as", "timeout"].contains(&k);
            if ALL_KEYS.contains(&k) && !common && k != required && !optional.contains(&k) {
                self.error(
                    f,
                    f.pos(&key_node(key)),
                    format!("`{k}` does not apply to `from: {from}`"),
                    "remove it",
                );
            }
        }
        let source_value = match map.get_node(required) {
            Some(n) => self.nonempty_template(f, n, &format!("the OTP's `{required}`")),
            None => {
                self.error(
                    f,
                    f.pos(node),
                    format!("`otp` from {from} needs `{required}`"),
                    format!("add `{required}: …`"),
                );
                None
            }
        };
        let pattern = match map.get_node("pattern") {
            Some(n) if from != "totp" => {
                let p = self.string(f, n, "a regex")?;
                let p = regex_literal(&p).unwrap_or(&p).to_string();
                let re = self.regex(f, n, &p)?;
                // A pattern that can match nothing would take a message for an empty code.
                use crate::code_pattern::{UnusablePattern, check};
                let label = match check(&re) {
                    Ok(()) => None,
                    Err(UnusablePattern::MatchesEmpty(_)) => Some("it can match an empty string"),
                    Err(UnusablePattern::GroupMatchesEmpty(_)) => {
                        Some("its first group, the code, can be empty")
                    }
                };
                match label {
                    None => Some(re),
                    Some(label) => {
                        self.error_help(
                            f,
                            f.pos(n),
                            "this pattern can give an empty code",
                            label,
                            Some(
                                "make the code need at least one character, e.g. `\\b(\\d{6})\\b`"
                                    .into(),
                            ),
                        );
                        None
                    }
                }
            }
            // Through the cache: compiled once however many otp steps there are.
            _ => self.regex(f, node, DEFAULT_OTP_PATTERN),
        };
        let save_as = match map.get_node("save_as") {
            Some(n) => self.var_name(f, n),
            None => {
                self.error(
                    f,
                    f.pos(node),
                    "`otp` needs `save_as`",
                    "the variable that receives the code",
                );
                None
            }
        };
        let (value, pattern, save_as) = (source_value?, pattern?, save_as?);
        self.defined.insert(save_as.clone());
        let source = match from.as_str() {
            "sms" => OtpSource::Sms { to: value, pattern },
            "totp" => OtpSource::Totp { secret: value },
            "http" => OtpSource::Http {
                url: value,
                pattern,
            },
            _ => OtpSource::Command {
                run: value,
                pattern,
            },
        };
        Some((OtpStep { source, save_as }, timeout))
    }

    fn screenshot_name(&mut self, f: &SourceFile, node: &Node) -> Option<String> {
        let name = self.nonempty_string(f, node, "a screenshot name")?;
        let bad = name.starts_with('.')
            || name.chars().count() > MAX_SCREENSHOT_NAME
            || name.chars().any(|c| {
                c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
            });
        if bad {
            self.error(
                f,
                f.pos(node),
                format!("invalid screenshot name `{name}`"),
                "it names a file: no / \\ : * ? \" < > |, not starting with `.`, at most 100 characters",
            );
            return None;
        }
        Some(name)
    }

    fn script(&mut self, f: &SourceFile, node: &Node) -> Option<Action> {
        let Node::Mapping(map) = node else {
            let code = self.nonempty_template(f, node, "JavaScript, or {run: …, save_as: NAME}")?;
            return Some(Action::Script {
                code,
                save_as: None,
            });
        };
        self.unknown_keys(f, map, &["run", "save_as"], "`run` and `save_as`");
        let code = match map.get_node("run") {
            Some(n) => self.nonempty_template(f, n, "JavaScript"),
            None => {
                self.error(
                    f,
                    f.pos(node),
                    "`script` needs `run`",
                    "the JavaScript to run",
                );
                None
            }
        };
        let save_as = match map.get_node("save_as") {
            Some(n) => Some(self.var_name(f, n)?),
            None => None,
        };
        if let Some(name) = &save_as {
            self.defined.insert(name.clone());
        }
        Some(Action::Script {
            code: code?,
            save_as,
        })
    }

    /// `log: "balance is ${BALANCE}"`: a message, its variables checked like any template's.
    fn log_message(&mut self, f: &SourceFile, node: &Node) -> Option<Action> {
        self.nonempty_template(f, node, "a message (may use ${VARS})")
            .map(Action::Log)
    }

    fn when(
        &mut self,
        f: &SourceFile,
        key: &MarkedScalarNode,
        node: &Node,
        steps: Option<&Node>,
    ) -> Option<Action> {
        const CONDITIONS: &[&str] = &["visible", "url", "text"];
        let map = self.map(f, node, "{visible|url|text: …, within: 2s}")?;
        let within = map.get_node("within").and_then(|n| self.duration(f, n));
        let conditions: Vec<_> = map.iter().filter(|(k, _)| k.as_str() != "within").collect();
        let condition = match conditions.as_slice() {
            [] => {
                self.error(
                    f,
                    f.pos(node),
                    "`when` needs a condition",
                    "expected visible, url or text",
                );
                None
            }
            [(k, v)] => match k.as_str() {
                "visible" => self.locator(f, v).map(Condition::Visible),
                "url" => self
                    .text_match(f, v, "a substring or /regex/ of the URL")
                    .map(Condition::Url),
                "text" => self
                    .text_match(f, v, "a substring or /regex/ of the page's text")
                    .map(Condition::Text),
                _ if self.misplaced_step_option(f, k) => None,
                other => {
                    let help =
                        suggest::did_you_mean(other, CONDITIONS.iter().chain(&["within"]).copied());
                    self.error_help(
                        f,
                        f.pos(&key_node(k)),
                        format!("unknown condition `{other}`"),
                        "expected visible, url, text (and within)",
                        help,
                    );
                    None
                }
            },
            [_, (k2, _), ..] if self.misplaced_step_option(f, k2) => None,
            [_, (k2, _), ..] => {
                self.error(
                    f,
                    f.pos(&key_node(k2)),
                    "`when` takes one condition",
                    "a second condition",
                );
                None
            }
        };
        let steps = match steps {
            Some(s) => self.steps(f, s),
            None => {
                self.error(
                    f,
                    f.pos(&key_node(key)),
                    "`when` needs `steps:`",
                    "add a `steps:` list beside `when:`",
                );
                return None;
            }
        };
        Some(Action::When {
            condition: condition?,
            within: within.unwrap_or(DEFAULT_WHEN_WITHIN),
            steps,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::Diagnostic;
    use super::super::load::parse_journey;
    use super::super::model::{Action, Journey, WaitCondition};
    use super::super::options::LoadOptions;

    fn parse(steps: &str) -> Result<Journey, Vec<Diagnostic>> {
        let text = format!("name: t\nsteps:\n{steps}");
        parse_journey(&text, Path::new("t.yaml"), &LoadOptions::with_env([]))
    }

    fn messages(steps: &str) -> Vec<String> {
        parse(steps)
            .unwrap_err()
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn otp_keys_must_fit_the_source() {
        assert_eq!(
            messages("  - otp: { from: totp, secret: S, to: x, pattern: a, save_as: C }\n"),
            [
                "`to` does not apply to `from: totp`",
                "`pattern` does not apply to `from: totp`"
            ]
        );
        assert_eq!(
            messages("  - otp: { from: mail, save_as: C }\n"),
            ["unknown OTP source `mail`"]
        );
        assert_eq!(
            messages("  - otp: { from: sms, to: x }\n"),
            ["`otp` needs `save_as`"]
        );
        assert_eq!(
            messages("  - otp: { from: sms, to: x, save_as: C, timeout: 5s }\n    timeout: 6s\n"),
            ["timeout given twice"]
        );
    }

    #[test]
    fn when_and_steps_go_together() {
        assert_eq!(
            messages("  - when: { visible: a }\n"),
            ["`when` needs `steps:`"]
        );
        assert_eq!(
            messages("  - click: a\n    steps:\n      - click: b\n"),
            ["`steps:` here needs a `when:`"]
        );
        assert_eq!(
            messages("  - when: { visible: a, url: b }\n    steps:\n      - click: b\n"),
            ["`when` takes one condition"]
        );
        assert_eq!(
            messages("  - when: { visible: a }\n    steps: []\n"),
            ["no steps"]
        );
    }

    #[test]
    fn an_action_beside_when_is_told_to_go_in_its_steps() {
        for steps in [
            "  - when: { visible: a }\n    click: b\n",
            "  - click: b\n    when: { visible: a }\n    steps:\n      - click: c\n",
        ] {
            let d = parse(steps).unwrap_err();
            assert_eq!(d.len(), 1, "{d:?}");
            assert_eq!(
                d[0].message,
                "`click` beside `when:` is a second action in the step"
            );
            assert!(
                d[0].help
                    .as_deref()
                    .unwrap()
                    .starts_with("a `when` block's steps go in `steps:`"),
                "{d:?}"
            );
        }
    }

    #[test]
    fn a_step_option_inside_an_action_s_map_is_told_to_go_on_the_step() {
        for steps in [
            "  - wait_for: { text: Hi, timeout: 5s }\n",
            "  - wait_for: { timeout: 5s, text: Hi }\n",
            "  - click: { text: Hi, timeout: 5s }\n",
            "  - fill: { \"#a\": x, timeout: 5s }\n",
            "  - fill: { locator: a, value: x, timeout: 5s }\n",
            "  - when: { visible: a, timeout: 5s }\n    steps:\n      - click: b\n",
        ] {
            let d = parse(steps).unwrap_err();
            assert_eq!(
                d.iter().map(|d| d.message.as_str()).collect::<Vec<_>>(),
                [d[0].message.as_str()],
                "{steps}"
            );
            assert!(
                d[0].message
                    .starts_with("`timeout` is a step option, not part of `"),
                "{steps}: {d:?}"
            );
            assert!(
                d[0].help
                    .as_deref()
                    .unwrap()
                    .starts_with("`timeout` goes on the step, beside `"),
                "{steps}: {d:?}"
            );
        }
        // Where it belongs, it is fine; and otp has a timeout of its own.
        parse("  - wait_for: { text: Hi }\n    timeout: 5s\n").unwrap();
        parse("  - otp: { from: sms, to: x, save_as: C, timeout: 5s }\n").unwrap();
    }

    #[test]
    fn wait_for_text_is_the_page_text_and_visible_takes_any_locator() {
        let j =
            parse("  - wait_for: { text: Hi }\n  - wait_for: { visible: { text: Hi } }\n").unwrap();
        assert!(matches!(
            j.steps[0].action,
            Action::WaitFor(WaitCondition::Text(_))
        ));
        assert!(matches!(
            j.steps[1].action,
            Action::WaitFor(WaitCondition::Visible(_))
        ));
        assert_eq!(
            messages("  - wait_for: { hiden: a }\n"),
            ["unknown key `hiden`"]
        );
    }

    #[test]
    fn structured_forms_need_both_keys() {
        assert_eq!(messages("  - fill: { locator: a }\n"), ["missing `value`"]);
        assert_eq!(
            messages("  - fill: { locator: a, valeu: b }\n"),
            ["missing `value`", "unknown key `valeu`"]
        );
        assert_eq!(
            messages("  - fill: {}\n"),
            ["`fill` needs at least one field"]
        );
        assert_eq!(
            messages("  - extract: { a: not-a-name }\n"),
            ["`not-a-name` is not a variable name"]
        );
    }

    #[test]
    fn a_variable_used_before_the_step_that_saves_it_says_so() {
        let d = parse("  - open: /${C}\n  - extract: { a: C }\n").unwrap_err();
        assert_eq!(
            d[0].help.as_deref(),
            Some("`C` is saved by a later step; use it after that step")
        );
    }

    #[test]
    fn step_options() {
        let j = parse("  - name: n\n    timeout: 1m\n    optional: true\n    click: a\n").unwrap();
        let s = &j.steps[0];
        assert_eq!(
            (
                s.name.as_deref(),
                s.timeout.map(|d| d.as_secs()),
                s.optional
            ),
            (Some("n"), Some(60), true)
        );
        assert_eq!(
            messages("  - click: a\n    optional: yes\n"),
            ["expected true or false"]
        );
        assert_eq!(
            messages("  - click: a\n    timeout: 0s\n"),
            ["a timeout must be more than 0"]
        );
        assert_eq!(
            messages("  - name: only a name\n"),
            ["a step needs an action"]
        );
        assert_eq!(
            messages("  - screenshot: ../evil\n"),
            ["invalid screenshot name `../evil`"]
        );
    }
}
