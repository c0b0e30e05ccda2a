//! Capabilities the user adds (`capabilities:`, `--capability`) merged over vedetta's own:
//! maps key by key (so `goog:chromeOptions: {prefs: …}` keeps vedetta's `args`), lists appended
//! (vedetta's `args` and then the user's), any other value replaced. What vedetta must set
//! itself was refused before (`journey::clashes`).
//!
//! One exception to "lists appended": Chromium keeps only the last `--disable-features=` (and
//! `--enable-features=`) of its command line, so the user's would silently undo vedetta's.
//! [`fold_feature_switches`] makes one of each, with every feature named.

use serde_json::{Map, Value as Json};

/// Merges `value` into `caps[key]`.
pub(super) fn merge(caps: &mut Map<String, Json>, key: &str, value: &Json) {
    match caps.get_mut(key) {
        Some(ours) => merge_value(ours, value),
        None => {
            caps.insert(key.to_string(), value.clone());
        }
    }
}

fn merge_value(ours: &mut Json, theirs: &Json) {
    match (ours, theirs) {
        (Json::Object(o), Json::Object(t)) => {
            for (k, v) in t {
                merge(o, k, v);
            }
        }
        (Json::Array(o), Json::Array(t)) => o.extend(t.iter().cloned()),
        (ours, theirs) => *ours = theirs.clone(),
    }
}

/// The switches Chromium reads once, last one winning, whose values are comma-separated lists.
const FEATURE_SWITCHES: &[&str] = &["--disable-features=", "--enable-features="];

/// Folds repeated `--disable-features=`/`--enable-features=` in `args` into one of each, at the
/// place of the first, naming every feature of every copy in order (each once).
pub(super) fn fold_feature_switches(args: &mut Vec<Json>) {
    for switch in FEATURE_SWITCHES {
        let value_of = |arg: &Json| {
            arg.as_str()
                .and_then(|a| a.strip_prefix(switch))
                .map(str::to_owned)
        };
        let Some(first) = args.iter().position(|a| value_of(a).is_some()) else {
            continue;
        };
        let mut features: Vec<String> = Vec::new();
        for value in args.iter().filter_map(value_of) {
            for feature in value.split(',').filter(|f| !f.is_empty()) {
                if !features.iter().any(|f| f == feature) {
                    features.push(feature.to_owned());
                }
            }
        }
        let mut index = 0;
        args.retain(|a| {
            let keep = index == first || value_of(a).is_none();
            index += 1;
            keep
        });
        args[first] = Json::String(format!("{switch}{}", features.join(",")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_merge_key_by_key_lists_append_values_replace() {
        let mut caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {"args": ["--headless=new"], "binary": "/b", "prefs": {"a": 1}},
        });
        let caps = caps.as_object_mut().unwrap();
        merge(caps, "browserVersion", &json!("130"));
        merge(
            caps,
            "goog:chromeOptions",
            &json!({"args": ["--lang=de"], "prefs": {"b": 2, "a": 3}}),
        );
        merge(caps, "se:name", &json!("x"));
        assert_eq!(
            Json::Object(caps.clone()),
            json!({
                "browserName": "chrome",
                "browserVersion": "130",
                "se:name": "x",
                "goog:chromeOptions": {"args": ["--headless=new", "--lang=de"], "binary": "/b", "prefs": {"a": 3, "b": 2}},
            })
        );
    }

    #[test]
    fn the_user_s_feature_switches_join_vedetta_s_instead_of_replacing_them() {
        let mut args = vec![
            json!("--no-sandbox"),
            json!("--disable-features=A,B"),
            json!("--headless=new"),
            json!("--enable-features=X"),
            json!("--lang=de"),
            json!("--disable-features=B,C"),
        ];
        fold_feature_switches(&mut args);
        assert_eq!(
            args,
            vec![
                json!("--no-sandbox"),
                json!("--disable-features=A,B,C"),
                json!("--headless=new"),
                json!("--enable-features=X"),
                json!("--lang=de"),
            ]
        );
    }
}
