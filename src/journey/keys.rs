//! Key names that `press:` accepts.

use super::suggest;

/// The named keys, as written in docs and stored in the model.
pub const KEY_NAMES: &[&str] = &[
    "Enter",
    "Tab",
    "Escape",
    "Backspace",
    "Delete",
    "Space",
    "ArrowUp",
    "ArrowDown",
    "ArrowLeft",
    "ArrowRight",
    "Home",
    "End",
    "PageUp",
    "PageDown",
    "Insert",
    "F1",
    "F2",
    "F3",
    "F4",
    "F5",
    "F6",
    "F7",
    "F8",
    "F9",
    "F10",
    "F11",
    "F12",
];

/// The key's canonical name (case-insensitive match on a named key, or a single character as
/// is), or a "did you mean" hint when it is neither.
pub fn canonical_key(name: &str) -> Result<String, Option<String>> {
    let mut chars = name.chars();
    if let (Some(_), None) = (chars.next(), chars.next()) {
        return Ok(name.to_string());
    }
    match KEY_NAMES.iter().find(|k| k.eq_ignore_ascii_case(name)) {
        Some(k) => Ok((*k).to_string()),
        None => Err(suggest::did_you_mean(name, KEY_NAMES.iter().copied())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_keys_any_case_and_single_characters() {
        assert_eq!(canonical_key("enter"), Ok("Enter".into()));
        assert_eq!(canonical_key("F12"), Ok("F12".into()));
        assert_eq!(canonical_key("a"), Ok("a".into()));
        assert_eq!(canonical_key("€"), Ok("€".into()));
        assert_eq!(
            canonical_key("Entr"),
            Err(Some("did you mean `Enter`?".into()))
        );
        assert_eq!(canonical_key("F13").map_err(|_| ()), Err(()));
        assert_eq!(canonical_key("").map_err(|_| ()), Err(()));
    }

    #[test]
    fn every_accepted_name_is_one_the_browser_can_press() {
        for name in KEY_NAMES {
            assert!(crate::browser::keys::key_code(name).is_some(), "{name}");
        }
    }
}
