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

/// Modifier keys, held while the key after them is pressed (`Shift+Enter`), with the other
/// names people write for them.
pub const MODIFIERS: &[(&str, &[&str])] = &[
    ("Shift", &[]),
    ("Control", &["ctrl"]),
    ("Alt", &["option"]),
    ("Meta", &["cmd", "command", "super"]),
];

/// The key's canonical name (case-insensitive match on a named key, or a single character as
/// is), or a "did you mean" hint when it is neither. A chord is written with `+`: modifiers
/// first, the key last (`Control+Shift+Tab`, `Alt+ArrowDown`; `Control++` presses `+`).
pub fn canonical_key(name: &str) -> Result<String, Option<String>> {
    let mut chars = name.chars();
    if let (Some(_), None) = (chars.next(), chars.next()) {
        return Ok(name.to_string());
    }
    let Some((modifiers, key)) = split_chord(name) else {
        return canonical_single(name).ok_or_else(|| {
            if modifier(name).is_some() {
                Some(format!(
                    "a modifier is held while another key is pressed: `{}+Tab`",
                    modifier(name).unwrap_or(name)
                ))
            } else {
                suggest::did_you_mean(name, KEY_NAMES.iter().copied())
            }
        });
    };
    // Each part canonical, or its closest guess for the "did you mean".
    let (mut ok, mut guessable) = (true, true);
    let mut guess = Vec::new();
    let mut seen = Vec::new();
    for m in &modifiers {
        match modifier(m) {
            Some(c) if seen.contains(&c) => {
                return Err(Some(format!("`{c}` is given twice")));
            }
            Some(c) => {
                seen.push(c);
                guess.push(c.to_string());
            }
            None => {
                ok = false;
                let names = MODIFIERS.iter().map(|(n, _)| *n);
                match suggest::closest(m, names) {
                    Some(c) => guess.push(c.to_string()),
                    None => guessable = false,
                }
            }
        }
    }
    match canonical_single(key) {
        Some(k) => guess.push(k),
        None => {
            ok = false;
            match suggest::closest(key, KEY_NAMES.iter().copied()) {
                Some(k) => guess.push(k.to_string()),
                None => guessable = false,
            }
        }
    }
    let guess = guess.join("+");
    if ok {
        Ok(guess)
    } else if guessable {
        Err(Some(format!("did you mean `{guess}`?")))
    } else {
        Err(Some(
            "modifiers are Shift, Control, Alt and Meta, written before the key: `Control+a`"
                .into(),
        ))
    }
}

/// `Control+Shift+a` → (`[Control, Shift]`, `a`); `None` without a `+` between two parts.
fn split_chord(name: &str) -> Option<(Vec<&str>, &str)> {
    // The key may itself be `+`: `Control++`.
    let (head, key) = match name.strip_suffix("++") {
        Some(head) if !head.is_empty() => (head, "+"),
        _ => name.rsplit_once('+')?,
    };
    if head.is_empty() || key.is_empty() {
        return None;
    }
    Some((head.split('+').collect(), key))
}

/// A named key (any case) or one character.
fn canonical_single(name: &str) -> Option<String> {
    let mut chars = name.chars();
    if let (Some(_), None) = (chars.next(), chars.next()) {
        return Some(name.to_string());
    }
    KEY_NAMES
        .iter()
        .find(|k| k.eq_ignore_ascii_case(name))
        .map(|k| (*k).to_string())
}

/// The canonical name of a modifier (any case, or one of its other names).
pub fn modifier(name: &str) -> Option<&'static str> {
    MODIFIERS
        .iter()
        .find(|(n, others)| {
            n.eq_ignore_ascii_case(name) || others.iter().any(|o| o.eq_ignore_ascii_case(name))
        })
        .map(|(n, _)| *n)
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
    fn chords_put_canonical_modifiers_before_the_key() {
        assert_eq!(canonical_key("Shift+Enter"), Ok("Shift+Enter".into()));
        assert_eq!(canonical_key("ctrl+a"), Ok("Control+a".into()));
        assert_eq!(canonical_key("Meta+k"), Ok("Meta+k".into()));
        assert_eq!(canonical_key("cmd+K"), Ok("Meta+K".into()));
        assert_eq!(canonical_key("alt+arrowdown"), Ok("Alt+ArrowDown".into()));
        assert_eq!(
            canonical_key("Control+Shift+Tab"),
            Ok("Control+Shift+Tab".into())
        );
        assert_eq!(canonical_key("Control++"), Ok("Control++".into()));
        assert_eq!(canonical_key("+"), Ok("+".into()));
    }

    #[test]
    fn misspelt_chords_get_a_whole_suggestion() {
        assert_eq!(
            canonical_key("Shfit+Enter"),
            Err(Some("did you mean `Shift+Enter`?".into()))
        );
        assert_eq!(
            canonical_key("Control+Entr"),
            Err(Some("did you mean `Control+Enter`?".into()))
        );
        assert_eq!(
            canonical_key("Contrl+Alt+ArrowDwn"),
            Err(Some("did you mean `Control+Alt+ArrowDown`?".into()))
        );
        assert_eq!(
            canonical_key("Shift+Shift+a"),
            Err(Some("`Shift` is given twice".into()))
        );
        assert_eq!(
            canonical_key("Shift"),
            Err(Some(
                "a modifier is held while another key is pressed: `Shift+Tab`".into()
            ))
        );
        assert!(canonical_key("Hyper+x").is_err());
        assert!(canonical_key("Shift+").is_err());
    }

    #[test]
    fn every_accepted_name_is_one_the_browser_can_press() {
        for name in KEY_NAMES {
            assert!(crate::browser::keys::key_code(name).is_some(), "{name}");
        }
        for (name, others) in MODIFIERS {
            for n in others.iter().chain([name]) {
                let chord = canonical_key(&format!("{n}+a")).unwrap();
                assert!(crate::browser::keys::chord(&chord).is_some(), "{chord}");
            }
        }
    }
}
