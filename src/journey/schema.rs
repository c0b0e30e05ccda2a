//! The journey language as a JSON Schema (draft-07, what yaml-language-server reads), for
//! completion and hover in editors. Hand-written: the string-or-map forms don't derive well.
//! The parser stays the judge; the schema is kept close to it by tests that run both.

use serde_json::{Value, json};

/// The JSON Schema of a journey file.
pub fn journey_schema() -> Value {
    let mut schema = schema_with_described_refs();
    wrap_refs(&mut schema);
    schema
}

/// Draft-07 ignores the siblings of `$ref`, so a described `$ref` becomes `allOf: [$ref]`: the
/// description then shows in editors.
fn wrap_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.len() > 1
                && let Some(reference) = map.remove("$ref")
            {
                map.insert("allOf".into(), json!([{ "$ref": reference }]));
            }
            map.values_mut().for_each(wrap_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(wrap_refs),
        _ => {}
    }
}

fn schema_with_described_refs() -> Value {
    let actions = json!({
        "open": { "description": "Open a URL, absolute or relative to base_url.", "$ref": "#/definitions/string" },
        "click": { "description": "Click an element (waits until it is actionable).", "$ref": "#/definitions/locator" },
        "hover": { "description": "Move the pointer over an element.", "$ref": "#/definitions/locator" },
        "check": { "description": "Tick a checkbox (no-op if ticked).", "$ref": "#/definitions/locator" },
        "uncheck": { "description": "Untick a checkbox (no-op if not ticked).", "$ref": "#/definitions/locator" },
        "assert_visible": { "description": "The element is present and visible.", "$ref": "#/definitions/locator" },
        "assert_hidden": { "description": "The element is absent or not visible.", "$ref": "#/definitions/locator" },
        "fill": {
            "description": "Type into fields: a map CSS selector → value, or {locator, value}.",
            "oneOf": [ pairs_with("value", json!({"$ref": "#/definitions/scalar"})), css_map(json!({"$ref": "#/definitions/scalar"})) ]
        },
        "select": {
            "description": "Choose an option by its visible text: a map CSS selector → text, or {locator, option}.",
            "oneOf": [ pairs_with("option", json!({"$ref": "#/definitions/scalar"})), css_map(json!({"$ref": "#/definitions/scalar"})) ]
        },
        "press": {
            "description": "Press a key: Enter, Tab, Escape, Backspace, Delete, Space, ArrowUp/Down/Left/Right, Home, End, PageUp, PageDown, Insert, F1–F12, or one character; after modifiers held while it is pressed: Shift+Enter, Control+a, Meta+k, Alt+ArrowDown.",
            "type": ["string", "number"]
        },
        "wait_for": {
            "description": "Wait until an element is visible (a locator), or {hidden: locator}, {url: …}, {text: …}.",
            "anyOf": [
                { "type": "string" },
                one_key_map(&[
                    ("visible", "An element to be visible.", json!({"$ref": "#/definitions/locator"})),
                    ("hidden", "An element to be absent or hidden.", json!({"$ref": "#/definitions/locator"})),
                    ("url", "The URL to contain this, or match /regex/.", json!({"$ref": "#/definitions/text_match"})),
                    ("text", "The page's visible text to contain this, or match /regex/.", json!({"$ref": "#/definitions/text_match"})),
                    ("css", "CSS selector.", json!({"$ref": "#/definitions/string"})),
                    ("xpath", "XPath expression.", json!({"$ref": "#/definitions/string"})),
                    ("id", "Element id.", json!({"$ref": "#/definitions/string"})),
                    ("name", "Element name attribute.", json!({"$ref": "#/definitions/string"})),
                    ("link", "Link whose text contains this.", json!({"$ref": "#/definitions/string"})),
                ])
            ]
        },
        "assert_text": {
            "description": "An element's text contains a substring or matches /regex/: a map CSS selector → text, or {locator, text}.",
            "oneOf": [ pairs_with("text", json!({"$ref": "#/definitions/text_match"})), css_map(json!({"$ref": "#/definitions/text_match"})) ]
        },
        "assert_url": { "description": "The URL contains this, or matches /regex/.", "$ref": "#/definitions/text_match" },
        "assert_title": { "description": "The page title contains this, or matches /regex/.", "$ref": "#/definitions/text_match" },
        "extract": {
            "description": "Save an element's visible text to a variable: a map CSS selector → NAME, or {locator, save_as}.",
            "oneOf": [ pairs_with("save_as", json!({"$ref": "#/definitions/var_name"})), css_map(json!({"$ref": "#/definitions/var_name"})) ]
        },
        "otp": { "$ref": "#/definitions/otp" },
        "screenshot": { "description": "Named evidence, kept even when the step passes.", "type": "string", "minLength": 1 },
        "include": { "description": "Run the steps of another journey file here (path relative to this file).", "type": "string", "minLength": 1 },
        "script": {
            "description": "JavaScript escape hatch; {run, save_as} keeps its return value.",
            "anyOf": [
                { "type": "string" },
                { "type": "object", "required": ["run"], "additionalProperties": false,
                  "properties": { "run": { "type": "string" }, "save_as": { "$ref": "#/definitions/var_name" } } }
            ]
        },
        "sleep": { "description": "Wait a fixed time (prefer wait_for).", "$ref": "#/definitions/duration" },
        "log": { "description": "Print a message in the console and the reports; ${VARS} are rendered, secrets masked.", "type": ["string", "number", "boolean"] },
        "when": {
            "description": "Run the sibling `steps:` only if the condition holds within `within` (default 2s).",
            "type": "object",
            "additionalProperties": false,
            "minProperties": 1,
            "properties": {
                "visible": { "$ref": "#/definitions/locator" },
                "url": { "$ref": "#/definitions/text_match" },
                "text": { "$ref": "#/definitions/text_match" },
                "within": { "$ref": "#/definitions/duration" }
            }
        }
    });
    let action_names: Vec<&String> = actions.as_object().expect("an object").keys().collect();
    let one_action: Vec<Value> = action_names
        .iter()
        .map(|a| {
            let others: Vec<Value> = action_names
                .iter()
                .filter(|b| b != &a)
                .map(|b| json!({ "required": [b] }))
                .collect();
            json!({ "required": [a], "not": { "anyOf": others } })
        })
        .collect();
    let mut step_properties = actions.as_object().expect("an object").clone();
    step_properties.insert(
        "name".into(),
        json!({ "description": "Shown in reports instead of the action.", "type": "string" }),
    );
    step_properties.insert(
        "timeout".into(),
        json!({ "description": "This step's timeout.", "$ref": "#/definitions/duration" }),
    );
    step_properties.insert(
        "slow".into(),
        json!({ "description": "Degraded when this step takes longer (it still passes); below its timeout.", "$ref": "#/definitions/duration" }),
    );
    step_properties.insert(
        "component".into(),
        json!({ "description": "The customer-facing part (public status page) this step and the ones after it belong to, until the next `component:`.", "type": "string", "minLength": 1, "maxLength": 80 }),
    );
    step_properties.insert("optional".into(), json!({ "description": "A failure is reported but the journey goes on.", "type": "boolean" }));
    step_properties.insert("strict".into(), json!({ "description": "A locator matching more than one visible element fails this step (true) or is a warning (false); overrides the journey's `strict`.", "type": "boolean" }));
    step_properties.insert(
        "steps".into(),
        json!({ "description": "The steps of a `when:` block.", "$ref": "#/definitions/steps" }),
    );

    let device_names: Vec<&str> = super::devices::device_names().collect();
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://vedetta.invalid/journey.schema.json",
        "title": "vedetta journey",
        "description": "A user journey that vedetta walks in a real browser, step by step.",
        "type": "object",
        "required": ["name", "steps"],
        "additionalProperties": false,
        "properties": {
            "name": { "description": "Id in reports, metrics and file names.", "type": "string", "pattern": "^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$" },
            "title": { "description": "A human title.", "type": "string" },
            "component": { "description": "The customer-facing part (public status page) the steps belong to before the first step's `component:` (default: the title, else the name).", "type": "string", "minLength": 1, "maxLength": 80 },
            "base_url": { "description": "`open:` paths resolve against it.", "type": "string" },
            "tags": { "description": "Labels for filtering and reports.", "type": "array", "items": { "type": "string" } },
            "timeout": { "description": "Default per-step timeout (15s if not set).", "$ref": "#/definitions/duration" },
            "slow": { "description": "Degraded when the steps together take longer (the journey still passes).", "$ref": "#/definitions/duration" },
            "retries": { "description": "Whole-journey retries; a pass after a retry is reported flaky.", "type": "integer", "minimum": 0, "maximum": 10 },
            "retry_delay": {
                "description": "Wait before each retry (default 3s, with up to a fifth more at random): a duration, or {delay, backoff, max, jitter}.",
                "anyOf": [
                    { "$ref": "#/definitions/duration" },
                    { "type": "object", "additionalProperties": false, "properties": {
                        "delay": { "description": "Before the first retry.", "$ref": "#/definitions/duration" },
                        "backoff": { "description": "Each later retry waits this many times longer (1 to 10).", "type": "number", "minimum": 1, "maximum": 10 },
                        "max": { "description": "No wait longer than this.", "$ref": "#/definitions/duration" },
                        "jitter": { "description": "Lengthen each wait by up to a fifth, at random (default true).", "type": "boolean" }
                    } }
                ]
            },
            "viewport": { "description": "Browser window size, WIDTHxHEIGHT.", "type": "string", "pattern": "^[0-9]+x[0-9]+$" },
            "device": {
                "description": "A phone or tablet to emulate (its viewport, pixel ratio, touch and user agent): a name from Chromium DevTools' list, or {width, height, pixel_ratio, mobile, touch, user_agent}. --device overrides it.",
                "anyOf": [
                    { "enum": device_names },
                    { "type": "object", "additionalProperties": false, "required": ["width", "height"], "properties": {
                        "width": { "description": "Viewport width in CSS pixels.", "type": "integer", "minimum": 1, "maximum": 10000 },
                        "height": { "description": "Viewport height in CSS pixels.", "type": "integer", "minimum": 1, "maximum": 10000 },
                        "pixel_ratio": { "description": "window.devicePixelRatio (default 1; Chromium only).", "type": "number", "minimum": 0.5, "maximum": 10 },
                        "mobile": { "description": "A mobile browser: the page's meta viewport applies (default false; Chromium only).", "type": "boolean" },
                        "touch": { "description": "Touch events (default: as mobile; Chromium only).", "type": "boolean" },
                        "user_agent": { "description": "The user agent (default: the browser's own).", "type": "string", "minLength": 1 }
                    } }
                ]
            },
            "capabilities": {
                "description": "Extra WebDriver capabilities (browserVersion, platformName, se:…, vendor:options), merged over vedetta's: maps key by key, lists appended. What vedetta must set itself is refused (see the README). --capability adds more.",
                "type": "object"
            },
            "screenshots": { "description": "When to take screenshots.", "enum": ["on_failure", "every_step", "off"] },
            "vars": {
                "description": "Variables for ${NAME}; --var overrides them, they override the environment.",
                "type": "object",
                "propertyNames": { "$ref": "#/definitions/var_name" },
                "additionalProperties": { "$ref": "#/definitions/scalar" }
            },
            "secrets": {
                "description": "Names whose values come from --secrets FILE or the environment; never printed.",
                "type": "array",
                "items": { "$ref": "#/definitions/var_name" }
            },
            "fail_fast": {
                "description": "Known outage signatures: when one shows, the step fails at once as an outage.",
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "text": { "description": "The page's visible text contains this, or matches /regex/.", "$ref": "#/definitions/text_match" },
                        "title": { "description": "The page title contains this, or matches /regex/.", "$ref": "#/definitions/text_match" },
                        "element": { "description": "This element is visible.", "$ref": "#/definitions/locator" },
                        "reason": { "description": "Said in the failure.", "type": "string" }
                    },
                    "oneOf": [ { "required": ["text"] }, { "required": ["title"] }, { "required": ["element"] } ]
                }
            },
            "steps": { "$ref": "#/definitions/steps" },
            "strict": { "description": "A locator that matches more than one visible element fails its step, instead of a warning (default false).", "type": "boolean" }
        },
        "definitions": {
            "string": { "type": "string", "minLength": 1 },
            "scalar": { "type": ["string", "number", "boolean"] },
            "var_name": { "type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" },
            "duration": {
                "description": "500ms, 15s, 1.5s, 2m, 1h, 1m30s",
                "type": "string",
                "pattern": "^([0-9]+(\\.[0-9]+)?h)?([0-9]+(\\.[0-9]+)?m)?([0-9]*(\\.[0-9]+)?s)?([0-9]*(\\.[0-9]+)?ms)?$"
            },
            "text_match": { "description": "A substring, or /regex/.", "type": "string" },
            "locator": {
                "description": "A CSS selector, or one of {css|xpath|text|id|name|link: …}.",
                "anyOf": [
                    { "type": "string", "minLength": 1 },
                    one_key_map(&[
                        ("css", "CSS selector.", json!({"$ref": "#/definitions/string"})),
                        ("xpath", "XPath expression.", json!({"$ref": "#/definitions/string"})),
                        ("text", "An element whose visible text contains this.", json!({"$ref": "#/definitions/string"})),
                        ("id", "Element id.", json!({"$ref": "#/definitions/string"})),
                        ("name", "Element name attribute.", json!({"$ref": "#/definitions/string"})),
                        ("link", "A link whose visible text contains this.", json!({"$ref": "#/definitions/string"})),
                    ]),
                    scoped_locator()
                ]
            },
            "otp": {
                "description": "Wait for a one-time code and save it to a variable.",
                "type": "object",
                "required": ["from", "save_as"],
                "additionalProperties": false,
                "properties": {
                    "from": { "enum": ["sms", "totp", "http", "command"] },
                    "to": { "description": "sms: the phone number the code is sent to.", "type": "string" },
                    "secret": { "description": "totp: the base32 secret (use a ${SECRET}).", "type": "string" },
                    "url": { "description": "http: the URL to poll.", "type": "string" },
                    "run": { "description": "command: run through sh -c.", "type": "string" },
                    "pattern": { "description": "Regex for the code (default \\b(\\d{6})\\b).", "type": "string" },
                    "save_as": { "$ref": "#/definitions/var_name" },
                    "timeout": { "$ref": "#/definitions/duration" }
                },
                "oneOf": [
                    { "properties": { "from": { "const": "sms" } }, "required": ["to"] },
                    { "properties": { "from": { "const": "totp" } }, "required": ["secret"] },
                    { "properties": { "from": { "const": "http" } }, "required": ["url"] },
                    { "properties": { "from": { "const": "command" } }, "required": ["run"] }
                ]
            },
            "steps": { "type": "array", "minItems": 1, "items": { "$ref": "#/definitions/step" } },
            "step": {
                "description": "One action, plus optional name, timeout, slow, optional.",
                "type": "object",
                "additionalProperties": false,
                "properties": step_properties,
                "oneOf": one_action
            }
        }
    })
}

/// `{locator: …, <key>: …}`.
fn pairs_with(key: &str, value: Value) -> Value {
    json!({
        "type": "object",
        "required": ["locator", key],
        "additionalProperties": false,
        "properties": { "locator": { "$ref": "#/definitions/locator" }, key: value }
    })
}

/// CSS selector → value, at least one, not the `{locator: …}` form.
fn css_map(value: Value) -> Value {
    json!({
        "type": "object",
        "minProperties": 1,
        "not": { "required": ["locator"] },
        "additionalProperties": value
    })
}

/// `{<kind>: …, within: locator, nth: N}`: a locator narrowed to the matches inside another
/// element, or to the nth visible one.
fn scoped_locator() -> Value {
    let kinds = ["css", "xpath", "text", "id", "name", "link"];
    let mut properties = serde_json::Map::new();
    for k in kinds {
        properties.insert(k.into(), json!({"$ref": "#/definitions/string"}));
    }
    properties.insert("within".into(), json!({ "description": "Only matches inside an element this locator matches.", "$ref": "#/definitions/locator" }));
    properties.insert("nth".into(), json!({ "description": "The nth visible match (1 is the first).", "type": "integer", "minimum": 1, "maximum": 1000 }));
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": properties,
        "anyOf": [ { "required": ["within"] }, { "required": ["nth"] } ],
        "oneOf": kinds.iter().map(|k| json!({ "required": [k] })).collect::<Vec<_>>()
    })
}

/// A map with exactly one of these keys.
fn one_key_map(keys: &[(&str, &str, Value)]) -> Value {
    let mut properties = serde_json::Map::new();
    for (k, description, schema) in keys {
        let mut s = schema.clone();
        s.as_object_mut()
            .expect("an object")
            .insert("description".into(), json!(description));
        properties.insert((*k).to_string(), s);
    }
    json!({
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "additionalProperties": false,
        "properties": properties
    })
}
