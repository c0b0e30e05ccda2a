//! The typed journey: what a journey file means once parsed and validated.
//!
//! Pure data. Nothing here touches a browser, the network or the clock. Every step carries the
//! place in its file it came from, so a failed step's result can point at it.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::mask::SecretMatcher;
pub use super::retry::RetryDelay;

/// A place in a journey file (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    pub file: Arc<PathBuf>,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// A validated journey, ready to run.
#[derive(Debug, Clone)]
pub struct Journey {
    /// Id in reports, metrics and file names (`[A-Za-z0-9._-]+`).
    pub name: String,
    pub title: Option<String>,
    /// The file it was read from, as given on the command line.
    pub file: PathBuf,
    /// `open:` paths resolve against it.
    pub base_url: Option<Template>,
    pub tags: Vec<String>,
    /// Default per-step timeout.
    pub timeout: Duration,
    /// `slow:`: the run is degraded when its steps together take longer (it still passes).
    pub slow: Option<Duration>,
    /// Whole-journey retries; a pass after a retry is `flaky`.
    pub retries: u32,
    /// How long to wait before each retry.
    pub retry_delay: RetryDelay,
    pub viewport: Viewport,
    pub screenshots: ScreenshotPolicy,
    /// Values of `vars:`, `--var` and the environment, resolved at validation time, plus the
    /// secrets' values. Variables saved by steps (`save_as`, `extract`) join at run time.
    pub variables: Variables,
    pub fail_fast: Vec<FailFastSignature>,
    pub steps: Vec<Step>,
    /// `strict: true`: a locator that matches more than one visible element fails its step
    /// (else it is a warning). A step's own `strict:` overrides it.
    pub strict: bool,
    /// `device:`: the phone or tablet the browser emulates (its viewport replaces `viewport`).
    pub device: Option<Device>,
    /// `capabilities:`: extra WebDriver capabilities, merged over vedetta's own.
    pub capabilities: Vec<Capability>,
    /// `component:` at the top: the customer-facing part the steps before the first step
    /// `component:` belong to (see [`Journey::default_component`]).
    pub component: Option<String>,
}

impl Journey {
    /// The component of the steps before the first step-level `component:`: the journey's
    /// `component:`, else its title, else its name.
    pub fn default_component(&self) -> &str {
        self.component
            .as_deref()
            .or(self.title.as_deref())
            .unwrap_or(&self.name)
    }
}

pub const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport {
            width: 1280,
            height: 800,
        }
    }
}

/// A device to emulate: a name from Chromium's list (its metrics filled in), or the
/// journey's own `{width, height, pixel_ratio, mobile, touch, user_agent}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    /// The list's name; `None` for a custom device.
    pub name: Option<String>,
    /// The viewport in CSS pixels.
    pub width: u32,
    pub height: u32,
    /// `window.devicePixelRatio`.
    pub pixel_ratio: f64,
    /// A mobile browser: the page's `<meta name="viewport">` applies, scrollbars overlay.
    pub mobile: bool,
    /// Touch events and `navigator.maxTouchPoints > 0`.
    pub touch: bool,
    /// The browser's user agent; `None` keeps the browser's own.
    pub user_agent: Option<String>,
}

impl Device {
    /// The viewport the device gives the page.
    pub fn viewport(&self) -> Viewport {
        Viewport {
            width: self.width,
            height: self.height,
        }
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => f.write_str(name),
            None => write!(f, "{}x{} device", self.width, self.height),
        }
    }
}

/// One `capabilities:` entry: a W3C capability (`browserVersion`, `platformName`, `se:…`,
/// `vendor:options`) and its JSON value, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Capability {
    pub key: String,
    /// As written: a string may hold `${NAME}`s (checked when the journey loaded), rendered
    /// by [`Capability::rendered`] when the browser starts.
    pub value: serde_json::Value,
    pub location: Location,
}

impl Capability {
    /// The value with every `${NAME}` in its strings replaced by the variable's value (`$${`
    /// is a literal `${`): a cloud's access key from a secret, a build name from `--var`.
    pub fn rendered(&self, vars: &Variables) -> serde_json::Value {
        fn render(value: &serde_json::Value, vars: &Variables) -> serde_json::Value {
            use serde_json::Value as Json;
            match value {
                Json::String(s) if s.contains('$') => match super::template::parse_template(s) {
                    Ok((template, _)) => Json::String(template.render(vars)),
                    // Refused when the journey loaded; kept as written if it ever got here.
                    Err(_) => value.clone(),
                },
                Json::Array(items) => Json::Array(items.iter().map(|v| render(v, vars)).collect()),
                Json::Object(map) => Json::Object(
                    map.iter()
                        .map(|(k, v)| (k.clone(), render(v, vars)))
                        .collect(),
                ),
                other => other.clone(),
            }
        }
        render(&self.value, vars)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScreenshotPolicy {
    #[default]
    OnFailure,
    EveryStep,
    Off,
}

/// A known outage signature: when it shows, the step fails at once with category `outage`.
#[derive(Debug, Clone)]
pub struct FailFastSignature {
    pub matcher: FailFastMatcher,
    /// Said in the failure message; defaults to a description of the matcher.
    pub reason: String,
    pub location: Location,
}

#[derive(Debug, Clone)]
pub enum FailFastMatcher {
    /// The page's visible text contains this (or matches the regex).
    Text(TextMatch),
    /// An element matching this locator is present and visible.
    Element(Locator),
    /// The page's title contains this (or matches the regex).
    Title(TextMatch),
}

/// One step of a journey.
#[derive(Debug, Clone)]
pub struct Step {
    /// `name:` if given; otherwise reporters use [`Action::describe`].
    pub name: Option<String>,
    /// Overrides the journey's timeout for every wait in this step.
    pub timeout: Option<Duration>,
    /// `slow:`: the run is degraded when this step (with its inner steps, for a block) takes
    /// longer; the step still passes.
    pub slow: Option<Duration>,
    /// A failure is reported but the journey goes on.
    pub optional: bool,
    /// `strict:` on the step: overrides the journey's.
    pub strict: Option<bool>,
    /// The customer-facing part this step belongs to. While parsing, the step's own
    /// `component:`; once loaded, every step's is set (`component::resolve`): its own, else
    /// the nearest one before it in walk order, else the journey's default.
    pub component: Option<String>,
    pub action: Action,
    pub location: Location,
}

#[derive(Debug, Clone)]
pub enum Action {
    Open(Template),
    Click(Locator),
    Hover(Locator),
    Check(Locator),
    Uncheck(Locator),
    AssertVisible(Locator),
    AssertHidden(Locator),
    /// One or several fields filled in one step, in file order.
    Fill(Vec<(Locator, Template)>),
    /// Field → the option's visible text.
    Select(Vec<(Locator, Template)>),
    Press(Key),
    WaitFor(WaitCondition),
    AssertText(Vec<(Locator, TextMatch)>),
    AssertUrl(TextMatch),
    AssertTitle(TextMatch),
    /// Element → the variable that receives its visible text.
    Extract(Vec<(Locator, String)>),
    Otp(OtpStep),
    /// Named evidence, kept even on success.
    Screenshot(String),
    /// The steps of another file, run here with this journey's variables.
    Include {
        path: PathBuf,
        steps: Vec<Step>,
    },
    Script {
        code: Template,
        save_as: Option<String>,
    },
    Sleep(Duration),
    /// A message for the console and the reports, `${VARS}` rendered and secrets masked.
    Log(Template),
    /// A block that runs only if its condition holds within `within`.
    When {
        condition: Condition,
        within: Duration,
        steps: Vec<Step>,
    },
}

/// How long `when:` looks for its condition when `within` is not given.
pub const DEFAULT_WHEN_WITHIN: Duration = Duration::from_secs(2);

impl Action {
    /// The action's key in the journey file (`click`, `fill`, …).
    pub fn keyword(&self) -> &'static str {
        match self {
            Action::Open(_) => "open",
            Action::Click(_) => "click",
            Action::Hover(_) => "hover",
            Action::Check(_) => "check",
            Action::Uncheck(_) => "uncheck",
            Action::AssertVisible(_) => "assert_visible",
            Action::AssertHidden(_) => "assert_hidden",
            Action::Fill(_) => "fill",
            Action::Select(_) => "select",
            Action::Press(_) => "press",
            Action::WaitFor(_) => "wait_for",
            Action::AssertText(_) => "assert_text",
            Action::AssertUrl(_) => "assert_url",
            Action::AssertTitle(_) => "assert_title",
            Action::Extract(_) => "extract",
            Action::Otp(_) => "otp",
            Action::Screenshot(_) => "screenshot",
            Action::Include { .. } => "include",
            Action::Script { .. } => "script",
            Action::Sleep(_) => "sleep",
            Action::Log(_) => "log",
            Action::When { .. } => "when",
        }
    }

    /// A short human description: `click #login`, `fill #username, #password`. Shows locators
    /// and templates as written (`${PASSWORD}`, never its value).
    pub fn describe(&self) -> String {
        fn list<T>(items: &[(Locator, T)]) -> String {
            items
                .iter()
                .map(|(l, _)| l.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        }
        let k = self.keyword();
        match self {
            Action::Open(url) => format!("{k} {url}"),
            Action::Click(l)
            | Action::Hover(l)
            | Action::Check(l)
            | Action::Uncheck(l)
            | Action::AssertVisible(l)
            | Action::AssertHidden(l) => format!("{k} {l}"),
            Action::Fill(items) | Action::Select(items) => format!("{k} {}", list(items)),
            Action::Press(key) => format!("{k} {}", key.0),
            Action::WaitFor(c) => format!("{k} {c}"),
            Action::AssertText(items) => format!("{k} {}", list(items)),
            Action::AssertUrl(m) | Action::AssertTitle(m) => format!("{k} {m}"),
            Action::Extract(items) => format!(
                "{k} {}",
                items
                    .iter()
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Action::Otp(o) => format!("{k} from {}", o.source.kind()),
            Action::Screenshot(name) => format!("{k} {name}"),
            Action::Include { path, .. } => format!("{k} {}", path.display()),
            Action::Script { .. } => k.to_string(),
            Action::Sleep(d) => format!("{k} {}", format_duration(*d)),
            Action::Log(message) => format!("{k} {message}"),
            Action::When { condition, .. } => format!("{k} {condition}"),
        }
    }
}

/// How an element is found. A bare string in a journey is CSS.
#[derive(Debug, Clone, PartialEq)]
pub struct Locator {
    pub kind: LocatorKind,
    pub value: Template,
    /// `within:` / `nth:`, narrowing a locator that matches several elements.
    pub scope: Option<Box<Scope>>,
}

/// Narrows a locator: only matches inside an element `within` matches, and of those (when
/// `nth` is given) the nth visible one.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    pub within: Option<Locator>,
    /// 1-based, among the visible matches in document order.
    pub nth: Option<usize>,
}

impl Locator {
    /// A locator without `within:` or `nth:`.
    pub fn new(kind: LocatorKind, value: Template) -> Locator {
        Locator {
            kind,
            value,
            scope: None,
        }
    }

    /// Its templates: its value's and its `within:`'s.
    pub fn templates(&self) -> Vec<&Template> {
        let mut out = vec![&self.value];
        if let Some(within) = self.scope.as_ref().and_then(|s| s.within.as_ref()) {
            out.extend(within.templates());
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocatorKind {
    Css,
    XPath,
    /// An element whose visible text contains the value.
    Text,
    Id,
    Name,
    /// A link whose visible text contains the value.
    Link,
}

impl LocatorKind {
    pub fn keyword(self) -> &'static str {
        match self {
            LocatorKind::Css => "css",
            LocatorKind::XPath => "xpath",
            LocatorKind::Text => "text",
            LocatorKind::Id => "id",
            LocatorKind::Name => "name",
            LocatorKind::Link => "link",
        }
    }
}

impl fmt::Display for Locator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            LocatorKind::Css => write!(f, "{}", self.value)?,
            kind => write!(f, "{}={:?}", kind.keyword(), self.value.to_string())?,
        }
        if let Some(scope) = &self.scope {
            if let Some(within) = &scope.within {
                write!(f, " within {within}")?;
            }
            if let Some(n) = scope.nth {
                write!(f, " nth {n}")?;
            }
        }
        Ok(())
    }
}

/// A key for `press:` (`Enter`, `Tab`, `Escape`, `ArrowDown`, a single character, …),
/// checked against the known names at validation time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key(pub String);

#[derive(Debug, Clone)]
pub enum WaitCondition {
    Visible(Locator),
    Hidden(Locator),
    Url(TextMatch),
    /// The page's visible text.
    Text(TextMatch),
}

impl fmt::Display for WaitCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitCondition::Visible(l) => write!(f, "{l}"),
            WaitCondition::Hidden(l) => write!(f, "hidden {l}"),
            WaitCondition::Url(m) => write!(f, "url {m}"),
            WaitCondition::Text(m) => write!(f, "text {m}"),
        }
    }
}

/// The condition of a `when:` block.
#[derive(Debug, Clone)]
pub enum Condition {
    Visible(Locator),
    Url(TextMatch),
    Text(TextMatch),
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::Visible(l) => write!(f, "visible {l}"),
            Condition::Url(m) => write!(f, "url {m}"),
            Condition::Text(m) => write!(f, "text {m}"),
        }
    }
}

/// A string that is a substring to look for, or a `/regex/`.
#[derive(Debug, Clone)]
pub enum TextMatch {
    Contains(Template),
    /// Compiled at validation time; written `/…/` in the journey (no `${}` inside).
    Regex(regex::Regex),
}

impl fmt::Display for TextMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextMatch::Contains(t) => write!(f, "{:?}", t.to_string()),
            TextMatch::Regex(r) => write!(f, "/{}/", r.as_str()),
        }
    }
}

impl TextMatch {
    /// Whether `haystack` matches, with `vars` for the substring's variables.
    pub fn is_match(&self, haystack: &str, vars: &Variables) -> bool {
        match self {
            TextMatch::Contains(t) => haystack.contains(&t.render(vars)),
            TextMatch::Regex(r) => r.is_match(haystack),
        }
    }
}

#[derive(Debug, Clone)]
pub struct OtpStep {
    pub source: OtpSource,
    /// The variable that receives the code.
    pub save_as: String,
}

#[derive(Debug, Clone)]
pub enum OtpSource {
    /// vedetta's SMS inbox: the newest message to `to` that arrived after the step began.
    Sms { to: Template, pattern: regex::Regex },
    /// RFC 6238 from a base32 secret (usually a `${SECRET}`).
    Totp { secret: Template },
    /// Polls a URL until `pattern` matches its body.
    Http {
        url: Template,
        pattern: regex::Regex,
    },
    /// Runs a command (through `sh -c`) and matches `pattern` over its output.
    Command {
        run: Template,
        pattern: regex::Regex,
    },
}

/// The default pattern for a code: six digits standing alone.
pub const DEFAULT_OTP_PATTERN: &str = r"\b(\d{6})\b";

impl OtpSource {
    pub fn kind(&self) -> &'static str {
        match self {
            OtpSource::Sms { .. } => "sms",
            OtpSource::Totp { .. } => "totp",
            OtpSource::Http { .. } => "http",
            OtpSource::Command { .. } => "command",
        }
    }
}

/// A string with `${NAME}` references, kept unrendered until run time so that variables saved
/// by earlier steps can be used and secrets are only ever substituted where they are sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplatePart {
    Literal(String),
    Var(String),
}

impl Template {
    pub fn literal(s: impl Into<String>) -> Template {
        Template {
            parts: vec![TemplatePart::Literal(s.into())],
        }
    }

    /// Names of the variables it refers to.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            TemplatePart::Var(v) => Some(v.as_str()),
            TemplatePart::Literal(_) => None,
        })
    }

    /// The value with every `${NAME}` replaced. A name with no value renders empty; validation
    /// has already made sure every name is defined by the time its step runs.
    pub fn render(&self, vars: &Variables) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                TemplatePart::Literal(s) => out.push_str(s),
                TemplatePart::Var(v) => out.push_str(vars.get(v).unwrap_or_default()),
            }
        }
        out
    }

    /// Whether rendering it would put a secret's value in the text.
    pub fn uses_secret(&self, vars: &Variables) -> bool {
        self.variables().any(|v| vars.is_secret(v))
    }
}

/// Shows the template as written: `Hello ${NAME}`.
impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.parts {
            match p {
                TemplatePart::Literal(s) => f.write_str(s)?,
                TemplatePart::Var(v) => write!(f, "${{{v}}}")?,
            }
        }
        Ok(())
    }
}

/// Variable values for one journey run, with the names that are secrets.
#[derive(Debug, Clone, Default)]
pub struct Variables {
    values: std::collections::BTreeMap<String, String>,
    secrets: std::collections::BTreeSet<String>,
    /// The secrets' matcher, built on first use after a change.
    matcher: std::sync::OnceLock<SecretMatcher>,
}

impl Variables {
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
        self.matcher = Default::default();
    }

    pub fn set_secret(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        self.secrets.insert(name.clone());
        self.values.insert(name, value.into());
        self.matcher = Default::default();
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn is_secret(&self, name: &str) -> bool {
        self.secrets.contains(name)
    }

    /// The values of every secret (non-empty), longest first, for masking text.
    pub fn secret_values(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .secrets
            .iter()
            .filter_map(|n| self.values.get(n).map(String::as_str))
            .filter(|v| !v.is_empty())
            .collect();
        v.sort_by_key(|s| std::cmp::Reverse(s.len()));
        v
    }

    /// `text` with every secret value replaced by `••••••` — as typed, and in every form a
    /// page, a URL or a log gives it: HTML entities, JSON and JavaScript escapes,
    /// percent-encoding, and any mix of them (see [`mask`](super::mask)).
    pub fn mask(&self, text: &str) -> String {
        self.matcher
            .get_or_init(|| SecretMatcher::new(self.secret_values()))
            .replace_all(text, SECRET_MASK)
    }

    /// Like [`mask`](Self::mask), for text the page produced while secrets were typed one key at
    /// a time (its console log): also masks every prefix of a secret of at least
    /// [`MIN_MASKED_PREFIX`] characters, so a page logging each keystroke leaks no more than
    /// the first few characters.
    pub fn mask_keystrokes(&self, text: &str) -> String {
        let out = self.mask(text);
        let secrets = self.secret_values();
        let prefixes = secrets.iter().flat_map(|s| {
            s.char_indices()
                .map(move |(i, c)| &s[..i + c.len_utf8()])
                .skip(MIN_MASKED_PREFIX - 1)
        });
        SecretMatcher::new(prefixes).replace_all(&out, SECRET_MASK)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }
}

pub const SECRET_MASK: &str = "••••••";

/// The shortest prefix of a secret that [`Variables::mask_keystrokes`] masks.
pub const MIN_MASKED_PREFIX: usize = 3;

/// `1.5s`, `250ms`, `2m`, `1h` — the journey language's duration form.
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms == 0 {
        "0s".into()
    } else if ms.is_multiple_of(3_600_000) {
        format!("{}h", ms / 3_600_000)
    } else if ms.is_multiple_of(60_000) {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_secret_value_longest_first() {
        let mut v = Variables::default();
        v.set_secret("PASSWORD", "hunter2hunter2");
        v.set_secret("PIN", "hunter2");
        v.set("USER", "mario");
        assert_eq!(
            v.mask("mario:hunter2hunter2 / hunter2"),
            "mario:•••••• / ••••••"
        );
    }

    #[test]
    fn masks_a_secret_in_the_forms_urls_carry_it() {
        let mut v = Variables::default();
        v.set_secret("TOKEN", "p@ss w/rd&x=1");
        for text in [
            "page http://h/?token=p@ss%20w/rd&x=1",
            "GET /?token=p%40ss%20w%2Frd%26x%3D1",
            "form token=p%40ss+w%2Frd%26x%3D1",
        ] {
            let masked = v.mask(text);
            assert!(
                masked.contains(SECRET_MASK)
                    && !masked.contains("rd&x")
                    && !masked.contains("w%2Frd"),
                "{masked}"
            );
        }
    }

    #[test]
    fn keystroke_echoes_leak_at_most_a_short_prefix() {
        let mut v = Variables::default();
        v.set_secret("PASSWORD", "hunter2-S3cr3t");
        let log = "typed: h\ntyped: hu\ntyped: hun\ntyped: hunter2-S3cr3\ntyped: hunter2-S3cr3t";
        let masked = v.mask_keystrokes(log);
        assert!(!masked.contains("hun"), "{masked}");
        assert!(masked.contains("typed: hu\n"), "{masked}");
        // Ordinary masking leaves words that merely start like a secret alone.
        assert_eq!(v.mask("hunting"), "hunting");
    }

    #[test]
    fn template_renders_and_displays_as_written() {
        let t = Template {
            parts: vec![
                TemplatePart::Literal("Hi ".into()),
                TemplatePart::Var("NAME".into()),
            ],
        };
        let mut v = Variables::default();
        v.set("NAME", "Ada");
        assert_eq!(t.render(&v), "Hi Ada");
        assert_eq!(t.to_string(), "Hi ${NAME}");
    }

    #[test]
    fn durations_format_in_the_largest_exact_unit() {
        assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(format_duration(Duration::from_secs(120)), "2m");
        assert_eq!(format_duration(Duration::from_secs(15)), "15s");
    }
}
