//! Capabilities the user adds (`capabilities:`, `--capability`) merged over vedetta's own:
//! maps key by key (so `goog:chromeOptions: {prefs: …}` keeps vedetta's `args`), lists appended
//! (vedetta's `args` and then the user's), any other value replaced. What vedetta must set
//! itself was refused before (`journey::clashes`).
//! (A user's `--disable-features=` among the `args` does not undo vedetta's: chromedriver joins
//! every one it is given, and its own, into one switch.)

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
}
