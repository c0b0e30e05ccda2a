//! `capabilities:` — extra WebDriver capabilities for grids and clouds — and `device:`, read
//! from a journey; and the capabilities a journey may not set because vedetta sets them itself
//! (the clash list, shared with `--capability`).

use marked_yaml::Node;
use serde_json::{Map, Value as Json};

use super::devices::{named_device, suggest_device};
use super::model::{Capability, Device};
use super::reader::Reader;
use super::source::SourceFile;
use super::yaml::is_null;

/// The widest and tallest a device may be, in CSS pixels.
pub const MAX_DEVICE_SIDE: u32 = 10_000;
const DEVICE_KEYS: &[&str] = &[
    "width",
    "height",
    "pixel_ratio",
    "mobile",
    "touch",
    "user_agent",
];

/// A capability vedetta must set itself, asked for all the same: where (`goog:chromeOptions`
/// → `args` → 2) and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    pub path: Vec<PathPart>,
    /// What vedetta needs it for.
    pub why: String,
    /// What to do instead.
    pub help: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    Key(String),
    Index(usize),
}

impl Clash {
    fn new(path: Vec<PathPart>, why: &str, help: &str) -> Clash {
        Clash {
            path,
            why: why.to_string(),
            help: help.to_string(),
        }
    }

    /// `goog:chromeOptions.args[2]`.
    pub fn path_text(&self) -> String {
        let mut out = String::new();
        for part in &self.path {
            match part {
                PathPart::Key(k) if out.is_empty() => out.push_str(k),
                PathPart::Key(k) => {
                    out.push('.');
                    out.push_str(k);
                }
                PathPart::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }
}

fn key(k: &str) -> PathPart {
    PathPart::Key(k.to_string())
}

/// Browser flags vedetta sets (`--headed` and `viewport:`/`device:` decide them), and what to
/// use instead.
const CHROMIUM_FLAGS: &[(&str, &str)] = &[
    ("--headless", "use --headed to show the browser"),
    (
        "--user-data-dir",
        "vedetta gives each session a fresh profile",
    ),
    ("--window-size", "use `viewport:` or `device:`"),
    (
        "--force-device-scale-factor",
        "use `device:` with a pixel_ratio",
    ),
    (
        "--remote-debugging-port",
        "vedetta talks to the browser through its driver",
    ),
];
const FIREFOX_FLAGS: &[(&str, &str)] = &[
    ("-headless", "use --headed to show the browser"),
    ("--headless", "use --headed to show the browser"),
    ("--width", "use `viewport:` or `device:`"),
    ("--height", "use `viewport:` or `device:`"),
    ("-profile", "vedetta gives each session a fresh profile"),
    ("--profile", "vedetta gives each session a fresh profile"),
];

/// Whether `key: value` asks for something vedetta must decide itself: the reasons, by place.
/// `browserName` is not judged here: it clashes only with another `--browser`.
pub fn clashes(k: &str, value: &Json) -> Vec<Clash> {
    let mut out = Vec::new();
    let at = |rest: &[PathPart]| {
        let mut p = vec![key(k)];
        p.extend_from_slice(rest);
        p
    };
    match k {
        "pageLoadStrategy" if value.as_str() != Some("normal") => out.push(Clash::new(
            at(&[]),
            "vedetta's steps wait for the page to load (`normal`)",
            "leave pageLoadStrategy out; a step's `timeout:` bounds the wait",
        )),
        "timeouts" => out.push(Clash::new(
            at(&[]),
            "each step's timeout sets the driver's timeouts",
            "use `timeout:` on the journey or the step",
        )),
        "goog:chromeOptions" => {
            let Some(o) = value.as_object() else {
                return vec![Clash::new(
                    at(&[]),
                    "it must be a map of options",
                    "write it as a map",
                )];
            };
            let own = [
                (
                    "binary",
                    "vedetta starts the browser it finds, or --browser-binary",
                    "use --browser-binary",
                ),
                (
                    "mobileEmulation",
                    "`device:` sets the emulation",
                    "use `device:` (a name or {width, height, pixel_ratio, mobile, user_agent})",
                ),
                (
                    "perfLoggingPrefs",
                    "network recording sets it",
                    "leave it out",
                ),
                (
                    "debuggerAddress",
                    "vedetta starts its own browser for each session",
                    "leave it out",
                ),
            ];
            for (name, why, help) in own {
                if o.contains_key(name) {
                    out.push(Clash::new(at(&[key(name)]), why, help));
                }
            }
            flag_clashes(o, CHROMIUM_FLAGS, &at(&[key("args")]), &mut out);
        }
        "moz:firefoxOptions" => {
            let Some(o) = value.as_object() else {
                return vec![Clash::new(
                    at(&[]),
                    "it must be a map of options",
                    "write it as a map",
                )];
            };
            if o.contains_key("binary") {
                out.push(Clash::new(
                    at(&[key("binary")]),
                    "vedetta starts the browser it finds, or --browser-binary",
                    "use --browser-binary",
                ));
            }
            if o.contains_key("profile") {
                out.push(Clash::new(
                    at(&[key("profile")]),
                    "vedetta gives each session a fresh profile",
                    "set single preferences under `prefs:` instead",
                ));
            }
            flag_clashes(o, FIREFOX_FLAGS, &at(&[key("args")]), &mut out);
            if let Some(prefs) = o.get("prefs").and_then(Json::as_object) {
                let own = [
                    (
                        "general.useragent.override",
                        "`device:` sets the user agent",
                        "use `device:` with a user_agent",
                    ),
                    (
                        "layout.css.devPixelsPerPx",
                        "screenshots are taken at one pixel per CSS pixel",
                        "leave it out",
                    ),
                ];
                for (name, why, help) in own {
                    if prefs.contains_key(name) {
                        out.push(Clash::new(at(&[key("prefs"), key(name)]), why, help));
                    }
                }
            }
        }
        "goog:loggingPrefs" => {
            let Some(o) = value.as_object() else {
                return vec![Clash::new(
                    at(&[]),
                    "it must be a map of log levels",
                    "write it as a map",
                )];
            };
            for (name, what) in [
                ("browser", "the console log"),
                ("performance", "network recording"),
            ] {
                if o.get(name).is_some_and(|v| v.as_str() != Some("ALL")) {
                    out.push(Clash::new(
                        at(&[key(name)]),
                        &format!("vedetta keeps {what} at ALL"),
                        "leave it out",
                    ));
                }
            }
        }
        _ => {}
    }
    out
}

/// The `args` of vendor options `o` that set one of `flags`.
fn flag_clashes(
    o: &Map<String, Json>,
    flags: &[(&str, &str)],
    at: &[PathPart],
    out: &mut Vec<Clash>,
) {
    let Some(args) = o.get("args").and_then(Json::as_array) else {
        return;
    };
    for (i, arg) in args.iter().enumerate() {
        let Some(text) = arg.as_str() else { continue };
        let name = text.split('=').next().unwrap_or(text);
        if let Some((flag, help)) = flags.iter().find(|(f, _)| *f == name) {
            let mut path = at.to_vec();
            path.push(PathPart::Index(i));
            out.push(Clash::new(
                path,
                &format!("vedetta sets {flag} itself"),
                help,
            ));
        }
    }
}

/// A YAML value as JSON: unquoted `true`, `false`, `null` and numbers are JSON's; everything
/// else a string.
pub fn to_json(node: &Node) -> Json {
    match node {
        Node::Scalar(s) if s.may_coerce() => {
            let t = s.as_str();
            if is_null(s) {
                Json::Null
            } else if t == "true" || t == "false" {
                Json::Bool(t == "true")
            } else if let Ok(n) = t.parse::<i64>() {
                Json::from(n)
            } else if let Some(n) = t.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                Json::Number(n)
            } else {
                Json::String(t.to_string())
            }
        }
        Node::Scalar(s) => Json::String(s.as_str().to_string()),
        Node::Sequence(list) => Json::Array(list.iter().map(to_json).collect()),
        Node::Mapping(m) => Json::Object(
            m.iter()
                .map(|(k, v)| (k.as_str().to_string(), to_json(v)))
                .collect(),
        ),
    }
}

/// The node `path` leads to under `node`, else the deepest one it reaches.
fn node_at<'n>(node: &'n Node, path: &[PathPart]) -> &'n Node {
    let mut here = node;
    for part in path {
        let next = match (part, here) {
            (PathPart::Key(k), Node::Mapping(m)) => m.get_node(k),
            (PathPart::Index(i), Node::Sequence(s)) => s.get(*i),
            _ => None,
        };
        match next {
            Some(n) => here = n,
            None => break,
        }
    }
    here
}

/// Every `${NAME}` in `node`'s strings names a variable defined by now (`vars:`, `--var`, the
/// environment, a secrets file): the browser starts before any step could save one.
fn check_templates(r: &mut Reader, f: &SourceFile, node: &Node) {
    match node {
        Node::Scalar(s) if s.as_str().contains('$') => {
            r.template(f, node, "a capability value");
        }
        Node::Scalar(_) => {}
        Node::Sequence(list) => list.iter().for_each(|n| check_templates(r, f, n)),
        Node::Mapping(m) => m.values().for_each(|n| check_templates(r, f, n)),
    }
}

/// `capabilities:`: a map of capability names to values, each checked against the clash list.
pub fn read_capabilities(r: &mut Reader, f: &SourceFile, node: &Node) -> Vec<Capability> {
    let Some(map) = r.map(
        f,
        node,
        "a map of WebDriver capabilities (browserVersion: …)",
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in map.iter() {
        let key_node = Node::from(k.clone());
        let name = k.as_str();
        check_templates(r, f, v);
        let value = to_json(v);
        let found = clashes(name, &value);
        for clash in &found {
            let at = match clash.path.len() {
                1 => &key_node,
                _ => node_at(v, &clash.path[1..]),
            };
            r.error_help(
                f,
                f.pos(at),
                format!("capability `{}` is vedetta's to set", clash.path_text()),
                clash.why.clone(),
                Some(clash.help.clone()),
            );
        }
        if found.is_empty() {
            let pos = f.pos(&key_node);
            out.push(Capability {
                key: name.to_string(),
                value,
                location: f.location(pos.line, pos.column),
            });
        }
    }
    out
}

/// `device:`: a name from Chromium's list, or `{width, height, pixel_ratio, mobile, touch,
/// user_agent}` (pixel ratio 1, not mobile, touch as mobile, the browser's own user agent
/// unless given).
pub fn read_device(r: &mut Reader, f: &SourceFile, node: &Node) -> Option<Device> {
    if let Node::Scalar(_) = node {
        let name = r.string(
            f,
            node,
            "a device name like \"Pixel 7\", or {width, height, …}",
        )?;
        return match named_device(&name) {
            Some(d) => Some(d),
            None => {
                r.error_help(
                    f,
                    f.pos(node),
                    format!("unknown device `{name}`"),
                    "not in Chromium's list of devices",
                    Some(suggest_device(&name).unwrap_or_else(|| {
                        "name one of Chromium DevTools' devices (\"Pixel 7\", \"iPhone 14 Pro\", …) or give {width, height, pixel_ratio, mobile, user_agent}".into()
                    })),
                );
                None
            }
        };
    }
    let map = r.map(
        f,
        node,
        "a device name like \"Pixel 7\", or {width, height, …}",
    )?;
    r.unknown_keys(
        f,
        map,
        DEVICE_KEYS,
        "width, height, pixel_ratio, mobile, touch or user_agent",
    );
    let side = |r: &mut Reader, name: &str| -> Option<u32> {
        let Some(n) = map.get_node(name) else {
            r.error(
                f,
                f.pos(node),
                format!("a device needs `{name}`"),
                "in CSS pixels, like width: 412, height: 915",
            );
            return None;
        };
        let text = r.string(f, n, "a number of CSS pixels")?;
        match text.parse::<u32>() {
            Ok(v) if (1..=MAX_DEVICE_SIDE).contains(&v) => Some(v),
            _ => {
                r.error(
                    f,
                    f.pos(n),
                    format!("invalid {name} `{text}`"),
                    "expected a whole number of CSS pixels from 1 to 10000",
                );
                None
            }
        }
    };
    let width = side(r, "width");
    let height = side(r, "height");
    let pixel_ratio = match map.get_node("pixel_ratio") {
        None => Some(1.0),
        Some(n) => {
            let text = r.string(f, n, "a pixel ratio like 2.625")?;
            match text.parse::<f64>() {
                Ok(v) if (0.5..=10.0).contains(&v) => Some(v),
                _ => {
                    r.error(
                        f,
                        f.pos(n),
                        format!("invalid pixel_ratio `{text}`"),
                        "expected a number from 0.5 to 10, like 2.625",
                    );
                    None
                }
            }
        }
    };
    let mobile = match map.get_node("mobile") {
        Some(n) => r.boolean(f, n),
        None => Some(false),
    };
    let touch = match map.get_node("touch") {
        Some(n) => r.boolean(f, n),
        None => mobile,
    };
    let user_agent = match map.get_node("user_agent") {
        Some(n) => Some(r.nonempty_string(f, n, "a user agent")?),
        None => None,
    };
    Some(Device {
        name: None,
        width: width?,
        height: height?,
        pixel_ratio: pixel_ratio?,
        mobile: mobile?,
        touch: touch?,
        user_agent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_capability_s_strings_are_rendered_with_the_variables() {
        let mut vars = super::super::model::Variables::default();
        vars.set("BUILD", "nightly");
        vars.set_secret("KEY", "k3y");
        let cap = Capability {
            key: "cloud:options".into(),
            value: json!({"build": "card ${BUILD}", "accessKey": "${KEY}",
                "note": "$${BUILD} is literal", "tags": ["${BUILD}", 2], "debug": true}),
            location: super::super::model::Location {
                file: std::sync::Arc::new("j.yaml".into()),
                line: 1,
                column: 1,
            },
        };
        assert_eq!(
            cap.rendered(&vars),
            json!({"build": "card nightly", "accessKey": "k3y",
                "note": "${BUILD} is literal", "tags": ["nightly", 2], "debug": true})
        );
    }

    fn paths(k: &str, v: Json) -> Vec<String> {
        clashes(k, &v).iter().map(Clash::path_text).collect()
    }

    #[test]
    fn what_vedetta_sets_clashes_and_the_rest_does_not() {
        assert!(paths("browserVersion", json!("130")).is_empty());
        assert!(paths("platformName", json!("linux")).is_empty());
        assert!(paths("se:name", json!("card balance")).is_empty());
        assert!(paths("pageLoadStrategy", json!("normal")).is_empty());
        assert_eq!(
            paths("pageLoadStrategy", json!("eager")),
            ["pageLoadStrategy"]
        );
        assert_eq!(paths("timeouts", json!({"script": 1})), ["timeouts"]);
        assert!(
            paths(
                "goog:chromeOptions",
                json!({"args": ["--lang=de"], "prefs": {}})
            )
            .is_empty()
        );
        assert_eq!(
            paths(
                "goog:chromeOptions",
                json!({"args": ["--lang=de", "--headless=old", "--user-data-dir=/tmp/x"], "binary": "/b"})
            ),
            [
                "goog:chromeOptions.binary",
                "goog:chromeOptions.args[1]",
                "goog:chromeOptions.args[2]"
            ]
        );
        assert_eq!(
            paths(
                "goog:chromeOptions",
                json!({"mobileEmulation": {"deviceName": "Pixel 7"}})
            ),
            ["goog:chromeOptions.mobileEmulation"]
        );
        assert!(
            paths(
                "goog:loggingPrefs",
                json!({"browser": "ALL", "driver": "INFO"})
            )
            .is_empty()
        );
        assert_eq!(
            paths("goog:loggingPrefs", json!({"performance": "OFF"})),
            ["goog:loggingPrefs.performance"]
        );
        assert_eq!(
            paths(
                "moz:firefoxOptions",
                json!({"args": ["-headless"], "prefs": {"general.useragent.override": "x", "intl.accept_languages": "de"}})
            ),
            [
                "moz:firefoxOptions.args[0]",
                "moz:firefoxOptions.prefs.general.useragent.override"
            ]
        );
        assert_eq!(
            paths("goog:chromeOptions", json!("x")),
            ["goog:chromeOptions"]
        );
    }

    fn load(text: &str) -> Result<crate::journey::model::Journey, Vec<String>> {
        let opts = crate::journey::LoadOptions::with_env([]);
        crate::journey::parse_journey(text, std::path::Path::new("j.yaml"), &opts)
            .map_err(|ds| ds.iter().map(|d| d.render(false)).collect())
    }

    #[test]
    fn a_journey_names_a_device_or_gives_its_metrics() {
        let j =
            load("name: j\ndevice: \"Pixel 7\"\nsteps:\n  - open: http://127.0.0.1/\n").unwrap();
        let d = j.device.unwrap();
        assert_eq!((d.width, d.height, d.pixel_ratio), (412, 915, 2.625));
        let j = load(
            "name: j\ndevice: {width: 360, height: 640, pixel_ratio: 3, mobile: true, user_agent: Phone/1}\nsteps:\n  - open: http://127.0.0.1/\n",
        )
        .unwrap();
        assert_eq!(
            j.device.unwrap(),
            Device {
                name: None,
                width: 360,
                height: 640,
                pixel_ratio: 3.0,
                mobile: true,
                touch: true,
                user_agent: Some("Phone/1".into()),
            }
        );
    }

    #[test]
    fn an_unknown_device_is_an_error_at_its_place_with_a_suggestion() {
        let errors =
            load("name: j\ndevice: Galaxy S8+\nsteps:\n  - open: http://127.0.0.1/\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].contains("unknown device `Galaxy S8+`"),
            "{}",
            errors[0]
        );
        assert!(errors[0].contains("j.yaml:2:9"), "{}", errors[0]);
        assert!(
            errors[0].contains("did you mean `Samsung Galaxy S8+`?"),
            "{}",
            errors[0]
        );
        let errors =
            load("name: j\ndevice: {width: 0, hieght: 3}\nsteps:\n  - open: http://127.0.0.1/\n")
                .unwrap_err();
        let all = errors.join("\n");
        assert!(all.contains("unknown key `hieght`"), "{all}");
        assert!(all.contains("invalid width `0`"), "{all}");
        assert!(all.contains("a device needs `height`"), "{all}");
    }

    #[test]
    fn capabilities_become_json_and_a_clash_is_an_error_at_its_place() {
        let j = load(
            "name: j\ncapabilities:\n  browserVersion: \"130\"\n  acceptInsecureCerts: true\n  se:name: card\n  goog:chromeOptions: {args: [--lang=de]}\nsteps:\n  - open: http://127.0.0.1/\n",
        )
        .unwrap();
        let caps: Vec<(&str, &Json)> = j
            .capabilities
            .iter()
            .map(|c| (c.key.as_str(), &c.value))
            .collect();
        assert_eq!(
            caps,
            [
                ("browserVersion", &json!("130")),
                ("acceptInsecureCerts", &json!(true)),
                ("se:name", &json!("card")),
                ("goog:chromeOptions", &json!({"args": ["--lang=de"]})),
            ]
        );
        assert_eq!(j.capabilities[1].location.to_string(), "j.yaml:4:3");
        let errors = load(
            "name: j\ncapabilities:\n  goog:chromeOptions:\n    args: [--lang=de, --headless=old]\nsteps:\n  - open: http://127.0.0.1/\n",
        )
        .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].contains("capability `goog:chromeOptions.args[1]` is vedetta's to set"),
            "{}",
            errors[0]
        );
        assert!(errors[0].contains("j.yaml:4:23"), "{}", errors[0]);
        assert!(errors[0].contains("use --headed"), "{}", errors[0]);
    }
}
