//! A journey file's top-level keys → [`Journey`].

use marked_yaml::Node;
use marked_yaml::types::MarkedMappingNode;

use super::capabilities;
use super::diagnostic::Diagnostic;
use super::model::{
    DEFAULT_STEP_TIMEOUT, FailFastMatcher, FailFastSignature, Journey, ScreenshotPolicy, Template,
    TemplatePart, Viewport,
};
use super::options::LoadOptions;
use super::reader::{JourneyFolder, MAX_DIAGNOSTICS, Reader};
use super::source::{Pos, SourceFile};
use super::suggest;
use super::template::{is_var_name, parse_template};
use super::yaml;

pub const TOP_KEYS: &[&str] = &[
    "name",
    "title",
    "base_url",
    "tags",
    "timeout",
    "slow",
    "retries",
    "retry_delay",
    "viewport",
    "screenshots",
    "vars",
    "secrets",
    "fail_fast",
    "steps",
    "strict",
    "device",
    "capabilities",
    "component",
];

pub const MAX_RETRIES: u32 = 10;
pub const MAX_VIEWPORT_SIDE: u32 = 10_000;
const MAX_NAME_LEN: usize = 100;
/// The longest a `vars:` value may get once expanded.
pub const MAX_VAR_BYTES: usize = 64 * 1024;

/// The YAML root of a journey (or included) file, or the diagnostics saying why there is none.
pub fn root(f: &SourceFile) -> Result<Node, Vec<Diagnostic>> {
    let start = Pos {
        line: 1,
        column: 1,
        length: 1,
    };
    match yaml::load(f)? {
        None => Err(vec![f.diagnostic(
            start,
            "empty journey file",
            "expected `name:` and `steps:`",
        )]),
        Some(Node::Mapping(m)) => Ok(Node::Mapping(m)),
        Some(other) => Err(vec![f.diagnostic(
            f.pos(&other),
            "a journey file is a map of keys (name:, steps:, …)",
            format!("found {}", super::reader::kind(&other)),
        )]),
    }
}

pub fn read(f: &SourceFile, opts: &LoadOptions) -> Result<Journey, Vec<Diagnostic>> {
    let root = root(f).map_err(|diagnostics| {
        let secrets = opts.secrets_file_values();
        diagnostics
            .into_iter()
            .map(|d| d.masked(&secrets))
            .collect::<Vec<_>>()
    })?;
    let map = root.as_mapping().expect("root() returns a map");
    let mut r = Reader::new(opts);
    if let Ok(canonical) = opts.sources.resolve(f.path.as_path()) {
        r.includes.push((canonical, f.path.as_path().to_path_buf()));
    }
    r.journey_folder = journey_folder(f, opts);
    if looks_like_secrets(map) {
        // Showing its lines would print the secrets: say what it is, point at nothing.
        let mut d = f.diagnostic(
            Pos {
                line: 1,
                column: 1,
                length: 1,
            },
            "this is not a journey",
            "",
        );
        d.label = "every key looks like a variable name (NAME: value)".into();
        d.source_line = None;
        d.help = Some(
            "a secrets file goes to --secrets FILE; a journey needs `name:` and `steps:`".into(),
        );
        r.report(f, d);
        return Err(r.into_diagnostics());
    }
    check_top_keys(&mut r, f, map);

    // Variables first, wherever they are in the file: every template below is checked
    // against them.
    let secret_nodes = secret_names(&mut r, f, map);
    for (name, value) in &opts.cli_vars {
        if !r.secret_names.contains(name) {
            r.variables.set(name, value);
            r.defined.insert(name.clone());
        }
    }
    if let Some(vars) = map.get_node("vars") {
        read_vars(&mut r, f, vars);
    }
    resolve_secrets(&mut r, f, &secret_nodes);

    let name = match map.get_node("name") {
        Some(node) => journey_name(&mut r, f, node),
        None => {
            r.error(
                f,
                Pos {
                    line: 1,
                    column: 1,
                    length: 1,
                },
                "missing `name:`",
                "a journey needs a name",
            );
            None
        }
    };
    let title = map
        .get_node("title")
        .and_then(|n| r.nonempty_string(f, n, "a title"));
    let base_url = map
        .get_node("base_url")
        .and_then(|n| base_url(&mut r, f, n));
    let tags = map
        .get_node("tags")
        .map(|n| tags(&mut r, f, n))
        .unwrap_or_default();
    let timeout = map.get_node("timeout").and_then(|n| r.timeout(f, n));
    let slow = map.get_node("slow").and_then(|n| r.slow(f, n));
    let retries = map
        .get_node("retries")
        .and_then(|n| retries(&mut r, f, n))
        .unwrap_or(0);
    let retry_delay = read_retry_delay(&mut r, f, map, retries);
    let viewport = map
        .get_node("viewport")
        .and_then(|n| viewport(&mut r, f, n))
        .unwrap_or_default();
    let screenshots = map
        .get_node("screenshots")
        .and_then(|n| screenshots(&mut r, f, n))
        .unwrap_or_default();
    let fail_fast = map
        .get_node("fail_fast")
        .map(|n| fail_fast(&mut r, f, n))
        .unwrap_or_default();
    let strict = map
        .get_node("strict")
        .and_then(|n| r.boolean(f, n))
        .unwrap_or(false);
    let device = map
        .get_node("device")
        .and_then(|n| capabilities::read_device(&mut r, f, n));
    if let (Some(_), Some(key)) = (&device, map.keys().find(|k| k.as_str() == "viewport")) {
        r.error_help(
            f,
            f.pos(&Node::from(key.clone())),
            "`viewport` and `device` both set",
            "a device has its own viewport",
            Some("drop `viewport:`, or give the device's width and height".into()),
        );
    }
    let capabilities = map
        .get_node("capabilities")
        .map(|n| capabilities::read_capabilities(&mut r, f, n))
        .unwrap_or_default();
    let component = map.get_node("component").and_then(|n| r.component(f, n));
    r.has_base_url = map.get_node("base_url").is_some();
    let mut steps = match map.get_node("steps") {
        Some(node) => {
            saved_names(node, &mut r.saved_somewhere);
            r.steps(f, node)
        }
        None => {
            r.error(
                f,
                Pos {
                    line: 1,
                    column: 1,
                    length: 1,
                },
                "missing `steps:`",
                "a journey needs steps",
            );
            Vec::new()
        }
    };

    if r.has_errors() {
        return Err(r.into_diagnostics());
    }
    let name = name.expect("no errors, so a name");
    let default_component = component
        .as_deref()
        .or(title.as_deref())
        .unwrap_or(&name)
        .to_string();
    super::component::resolve(&mut steps, &default_component);
    Ok(Journey {
        name,
        title,
        file: f.path.as_path().to_path_buf(),
        base_url,
        tags,
        timeout: timeout
            .or(opts.default_timeout)
            .unwrap_or(DEFAULT_STEP_TIMEOUT),
        slow,
        retries,
        retry_delay,
        viewport,
        screenshots,
        variables: r.variables,
        fail_fast,
        steps,
        strict,
        device,
        capabilities,
        component,
    })
}

/// The folder of the journey's file (`.` for a bare file name).
fn journey_folder(f: &SourceFile, opts: &LoadOptions) -> JourneyFolder {
    let dir = f.dir();
    let shown = if dir.as_os_str().is_empty() {
        std::path::PathBuf::from(".")
    } else {
        dir
    };
    JourneyFolder {
        resolved: opts.sources.resolve(&shown).ok(),
        shown,
    }
}

/// Every name a `save_as:` or an `extract:` map anywhere under `node` saves to.
fn saved_names(node: &Node, out: &mut std::collections::BTreeSet<String>) {
    match node {
        Node::Sequence(list) => list.iter().for_each(|n| saved_names(n, out)),
        Node::Mapping(map) => {
            for (key, value) in map.iter() {
                match (key.as_str(), value) {
                    ("save_as", Node::Scalar(s)) => {
                        out.insert(s.as_str().to_string());
                    }
                    ("extract", Node::Mapping(m)) => {
                        out.extend(
                            m.values()
                                .filter_map(|v| v.as_scalar())
                                .map(|s| s.as_str().to_string()),
                        );
                    }
                    _ => saved_names(value, out),
                }
            }
        }
        Node::Scalar(_) => {}
    }
}

/// A file whose every top-level key is an environment-style name (`DEMO_PASSWORD: …`) and none
/// a journey's is a secrets or vars file given where a journey was expected.
pub fn looks_like_secrets(map: &MarkedMappingNode) -> bool {
    let mut keys = map.keys().map(|k| k.as_str()).peekable();
    keys.peek().is_some()
        && keys.all(|k| {
            !TOP_KEYS.contains(&k)
                && k.starts_with(|c: char| c.is_ascii_uppercase())
                && k.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        })
}

pub fn check_top_keys(r: &mut Reader, f: &SourceFile, map: &MarkedMappingNode) {
    for key in map.keys() {
        let k = key.as_str();
        if TOP_KEYS.contains(&k) {
            continue;
        }
        let help = if super::steps::ACTIONS.contains(&k) {
            Some(format!(
                "`{k}` is an action: it goes in a step under `steps:`"
            ))
        } else {
            suggest::did_you_mean(k, TOP_KEYS.iter().copied())
        };
        r.error_help(
            f,
            f.pos(&Node::from(key.clone())),
            format!("unknown key `{k}`"),
            "expected a journey key (name, title, base_url, steps, …)",
            help,
        );
    }
}

fn journey_name(r: &mut Reader, f: &SourceFile, node: &Node) -> Option<String> {
    let name = r.string(f, node, "a name")?;
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if name.is_empty() || !valid_chars || name.starts_with('.') || name.len() > MAX_NAME_LEN {
        r.error(
            f,
            f.pos(node),
            format!("invalid journey name `{name}`"),
            "letters, digits, `.`, `_` and `-` (not first), at most 100: it is used in file names",
        );
        return None;
    }
    Some(name)
}

/// A template that, with the journey's values, is an absolute http(s) URL: `open: /` needs it.
fn base_url(r: &mut Reader, f: &SourceFile, node: &Node) -> Option<Template> {
    let template = r.nonempty_template(f, node, "a URL")?;
    let value = template.render(&r.variables);
    let ok = url::Url::parse(&value).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if !ok {
        // The value is shown only when no secret went into it.
        let label = if template.variables().next().is_none() {
            "expected an absolute http(s) URL, like http://127.0.0.1:7878".to_string()
        } else if template.uses_secret(&r.variables) {
            "it expands to something that is not an absolute http(s) URL".to_string()
        } else {
            format!("it expands to `{value}`, not an absolute http(s) URL")
        };
        r.error(f, f.pos(node), "invalid base_url", label);
        return None;
    }
    Some(template)
}

fn tags(r: &mut Reader, f: &SourceFile, node: &Node) -> Vec<String> {
    let Node::Sequence(list) = node else {
        r.wrong_type(f, node, "a list of tags");
        return Vec::new();
    };
    list.iter()
        .filter_map(|t| r.nonempty_string(f, t, "a tag"))
        .collect()
}

fn retries(r: &mut Reader, f: &SourceFile, node: &Node) -> Option<u32> {
    let text = r.string(f, node, "a number of retries")?;
    match text.parse::<u32>() {
        Ok(n) if n <= MAX_RETRIES => Some(n),
        _ => {
            r.error(
                f,
                f.pos(node),
                format!("invalid retries `{text}`"),
                "expected a whole number from 0 to 10",
            );
            None
        }
    }
}

/// `retry_delay:` (the default when absent); an error without `retries:` to delay.
fn read_retry_delay(
    r: &mut Reader,
    f: &SourceFile,
    map: &MarkedMappingNode,
    retries: u32,
) -> super::model::RetryDelay {
    let Some(node) = map.get_node("retry_delay") else {
        return Default::default();
    };
    let policy = r.retry_delay(f, node).unwrap_or_default();
    // (An invalid `retries:` is reported on its own; 0 then is no news.)
    let no_retries = match map.get_node("retries") {
        None => true,
        Some(n) => retries == 0 && n.as_scalar().is_some_and(|s| s.as_str().trim() == "0"),
    };
    if no_retries {
        let key = map
            .keys()
            .find(|k| k.as_str() == "retry_delay")
            .expect("present");
        r.error_help(
            f,
            f.pos(&Node::from(key.clone())),
            "`retry_delay` without `retries`",
            "there is no retry to wait for",
            Some("add `retries: 1` (or more) beside it".into()),
        );
    }
    policy
}

fn viewport(r: &mut Reader, f: &SourceFile, node: &Node) -> Option<Viewport> {
    let text = r.string(f, node, "a viewport like 1280x800")?;
    let parsed = text
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)));
    match parsed {
        Some((width, height))
            if (1..=MAX_VIEWPORT_SIDE).contains(&width)
                && (1..=MAX_VIEWPORT_SIDE).contains(&height) =>
        {
            Some(Viewport { width, height })
        }
        _ => {
            r.error(
                f,
                f.pos(node),
                format!("invalid viewport `{text}`"),
                "expected WIDTHxHEIGHT in pixels, like 1280x800",
            );
            None
        }
    }
}

fn screenshots(r: &mut Reader, f: &SourceFile, node: &Node) -> Option<ScreenshotPolicy> {
    const POLICIES: &[&str] = &["on_failure", "every_step", "off"];
    let text = r.string(f, node, "on_failure, every_step or off")?;
    match text.as_str() {
        "on_failure" => Some(ScreenshotPolicy::OnFailure),
        "every_step" => Some(ScreenshotPolicy::EveryStep),
        "off" => Some(ScreenshotPolicy::Off),
        other => {
            let help = suggest::did_you_mean(other, POLICIES.iter().copied());
            r.error_help(
                f,
                f.pos(node),
                format!("invalid screenshots `{other}`"),
                "expected on_failure, every_step or off",
                help,
            );
            None
        }
    }
}

/// The `secrets:` names (checked), with the node each came from.
fn secret_names(r: &mut Reader, f: &SourceFile, map: &MarkedMappingNode) -> Vec<(String, Node)> {
    let Some(node) = map.get_node("secrets") else {
        return Vec::new();
    };
    let Node::Sequence(list) = node else {
        r.wrong_type(f, node, "a list of secret names");
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in list.iter() {
        let Some(name) = r.string(f, item, "a secret's name") else {
            continue;
        };
        if !is_var_name(&name) {
            r.error(
                f,
                f.pos(item),
                format!("`{name}` is not a variable name"),
                "letters, digits and `_`, not starting with a digit",
            );
            continue;
        }
        if r.secret_names.insert(name.clone()) {
            out.push((name, item.clone()));
        }
    }
    out
}

/// Secrets' values: the `--secrets` file, then the environment. Never `vars:` or `--var`.
fn resolve_secrets(r: &mut Reader, f: &SourceFile, names: &[(String, Node)]) {
    for (name, node) in names {
        let value = r
            .opts
            .secrets
            .get(name)
            .cloned()
            .or_else(|| (r.opts.env)(name));
        match value {
            Some(v) => r.variables.set_secret(name, v),
            None if r.opts.secrets_optional => {}
            None => r.error_help(
                f,
                f.pos(node),
                format!("secret `{name}` is not set"),
                "not in the --secrets file nor the environment",
                Some(format!(
                    "pass --secrets FILE with `{name}: …`, or set the environment variable {name}"
                )),
            ),
        }
        // Known from here on, even when missing: one error, not one per use.
        r.defined.insert(name.clone());
    }
}

/// `vars:`: each value is rendered once, with `--var`, earlier vars and the environment.
fn read_vars(r: &mut Reader, f: &SourceFile, node: &Node) {
    let Some(map) = r.map(f, node, "a map of NAME: value") else {
        return;
    };
    for (key, value) in map.iter() {
        let key_node = Node::from(key.clone());
        let name = key.as_str();
        if !is_var_name(name) {
            r.error(
                f,
                f.pos(&key_node),
                format!("`{name}` is not a variable name"),
                "letters, digits and `_`, not starting with a digit",
            );
            continue;
        }
        if r.secret_names.contains(name) {
            r.error(
                f,
                f.pos(&key_node),
                format!("`{name}` is both a var and a secret"),
                "declared in `secrets:` too",
            );
            continue;
        }
        let Some(text) = r.string(f, value, "a value") else {
            continue;
        };
        let overridden = r.opts.cli_vars.iter().any(|(k, _)| k == name);
        let parts = match parse_template(&text) {
            Ok((template, refs)) => (template, refs),
            Err(errors) => {
                for e in errors.into_iter().take(MAX_DIAGNOSTICS) {
                    let pos = f.pos_in_scalar(value, &text, e.offset, e.len);
                    r.error(f, pos, e.message, e.label);
                }
                r.defined.insert(name.to_string());
                continue;
            }
        };
        r.defined.insert(name.to_string());
        if overridden {
            continue;
        }
        let (template, refs) = parts;
        let mut rendered = String::new();
        let mut refs = refs.into_iter();
        for part in &template.parts {
            match part {
                TemplatePart::Literal(s) => rendered.push_str(s),
                TemplatePart::Var(v) => {
                    let at = refs.next().expect("one ref per variable part");
                    let secret = r.secret_names.contains(v);
                    if !secret && v != name && r.define_from_environment(v) {
                        rendered.push_str(r.variables.get(v).unwrap_or_default());
                    } else if !r.has_room() {
                        r.count_unreported();
                    } else if secret {
                        let pos = f.pos_in_scalar(value, &text, at.offset, at.len);
                        r.error_help(
                            f,
                            pos,
                            format!("var `{name}` uses secret `{v}`"),
                            "a var's value may be shown; a secret's never is",
                            Some(format!("use ${{{v}}} where it is needed instead")),
                        );
                    } else {
                        let pos = f.pos_in_scalar(value, &text, at.offset, at.len);
                        r.undefined(f, pos, v);
                    }
                }
            }
            // Vars built from vars could otherwise double at every line.
            if rendered.len() > MAX_VAR_BYTES {
                r.error(
                    f,
                    f.pos(&key_node),
                    format!("var `{name}` is longer than {} KiB", MAX_VAR_BYTES / 1024),
                    "its value, once expanded, is too long",
                );
                rendered.clear();
                break;
            }
        }
        r.variables.set(name, rendered);
    }
}

fn fail_fast(r: &mut Reader, f: &SourceFile, node: &Node) -> Vec<FailFastSignature> {
    const KEYS: &[&str] = &["text", "title", "element", "reason"];
    let Node::Sequence(list) = node else {
        r.wrong_type(
            f,
            node,
            "a list of outage signatures ({text: …, reason: …})",
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in list.iter() {
        let Some(map) = r.map(
            f,
            item,
            "{text: …, reason: …}, {title: …} or {element: <locator>}",
        ) else {
            continue;
        };
        r.unknown_keys(f, map, KEYS, "text, title, element or reason");
        let matchers: Vec<_> = map.iter().filter(|(k, _)| k.as_str() != "reason").collect();
        let matcher = match matchers.as_slice() {
            [] => {
                r.error(
                    f,
                    f.pos(item),
                    "a fail_fast entry needs `text`, `title` or `element`",
                    "nothing to look for",
                );
                None
            }
            [(k, v)] => match k.as_str() {
                "text" => r
                    .text_match(f, v, "the text of the outage page")
                    .map(FailFastMatcher::Text),
                "title" => r
                    .text_match(f, v, "the outage page's title")
                    .map(FailFastMatcher::Title),
                "element" => r.locator(f, v).map(FailFastMatcher::Element),
                _ => None,
            },
            [_, (k2, _), ..] => {
                if KEYS.contains(&k2.as_str()) {
                    r.error(
                        f,
                        f.pos(&Node::from((*k2).clone())),
                        "a fail_fast entry has one of `text`, `title`, `element`",
                        "make it a separate entry",
                    );
                }
                None
            }
        };
        let reason = map
            .get_node("reason")
            .and_then(|n| r.nonempty_string(f, n, "a reason"));
        if let Some(matcher) = matcher {
            let reason = reason.unwrap_or_else(|| match &matcher {
                FailFastMatcher::Text(m) => format!("page shows {m}"),
                FailFastMatcher::Title(m) => format!("page title is {m}"),
                FailFastMatcher::Element(l) => format!("page has {l}"),
            });
            let pos = f.pos(item);
            out.push(FailFastSignature {
                matcher,
                reason,
                location: f.location(pos.line, pos.column),
            });
        }
    }
    out
}
