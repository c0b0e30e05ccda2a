//! Key names of `press:` → WebDriver key code points.

/// The WebDriver code point for a key name (`Enter`, `Tab`, `ArrowDown`, `F5`, a single
/// character …), or `None` for an unknown name. Case-insensitive for named keys.
pub fn key_code(name: &str) -> Option<char> {
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Some(c);
    }
    let code = match name.to_ascii_lowercase().as_str() {
        "enter" => '\u{e007}',
        "return" => '\u{e006}',
        "tab" => '\u{e004}',
        "escape" | "esc" => '\u{e00c}',
        "backspace" => '\u{e003}',
        "delete" | "del" => '\u{e017}',
        "space" => ' ',
        "arrowup" | "up" => '\u{e013}',
        "arrowdown" | "down" => '\u{e015}',
        "arrowleft" | "left" => '\u{e012}',
        "arrowright" | "right" => '\u{e014}',
        "home" => '\u{e011}',
        "end" => '\u{e010}',
        "pageup" => '\u{e00e}',
        "pagedown" => '\u{e00f}',
        "insert" => '\u{e016}',
        "shift" => '\u{e008}',
        "control" | "ctrl" => '\u{e009}',
        "alt" => '\u{e00a}',
        "meta" | "command" => '\u{e03d}',
        f if f.starts_with('f') => {
            let n: u32 = f[1..].parse().ok()?;
            if !(1..=12).contains(&n) {
                return None;
            }
            char::from_u32(0xe031 + n - 1)?
        }
        _ => return None,
    };
    Some(code)
}

/// The code points of a `press:` chord, modifiers first and the key last: `Shift+Enter` →
/// `[Shift, Enter]`, `Control++` → `[Control, '+']`; a lone key is a chord of one.
pub fn chord(name: &str) -> Option<Vec<char>> {
    if name.chars().count() <= 1 {
        return key_code(name).map(|c| vec![c]);
    }
    let (head, key) = match name.strip_suffix("++") {
        Some(head) if !head.is_empty() => (head, "+"),
        _ => match name.rsplit_once('+') {
            Some((head, key)) if !head.is_empty() && !key.is_empty() => (head, key),
            _ => return key_code(name).map(|c| vec![c]),
        },
    };
    let mut codes = head
        .split('+')
        .map(|m| match m.to_ascii_lowercase().as_str() {
            "shift" | "control" | "ctrl" | "alt" | "option" | "meta" | "cmd" | "command"
            | "super" => key_code(match m.to_ascii_lowercase().as_str() {
                "option" => "alt",
                "cmd" | "super" => "meta",
                other => other,
            }),
            _ => None,
        })
        .collect::<Option<Vec<char>>>()?;
    codes.push(key_code(key)?);
    Some(codes)
}

#[cfg(test)]
mod tests {
    use super::{chord, key_code};

    #[test]
    fn chords_hold_their_modifiers_before_the_key() {
        assert_eq!(chord("Enter"), Some(vec!['\u{e007}']));
        assert_eq!(chord("Shift+Enter"), Some(vec!['\u{e008}', '\u{e007}']));
        assert_eq!(chord("Control+a"), Some(vec!['\u{e009}', 'a']));
        assert_eq!(chord("Meta+k"), Some(vec!['\u{e03d}', 'k']));
        assert_eq!(
            chord("Control+Alt+ArrowDown"),
            Some(vec!['\u{e009}', '\u{e00a}', '\u{e015}'])
        );
        assert_eq!(chord("Control++"), Some(vec!['\u{e009}', '+']));
        assert_eq!(chord("+"), Some(vec!['+']));
        assert_eq!(chord("Hyper+a"), None);
        assert_eq!(chord("a+Shift"), None);
    }

    #[test]
    fn named_keys_map_to_webdriver_code_points() {
        assert_eq!(key_code("Enter"), Some('\u{e007}'));
        assert_eq!(key_code("tab"), Some('\u{e004}'));
        assert_eq!(key_code("ArrowDown"), Some('\u{e015}'));
        assert_eq!(key_code("F12"), Some('\u{e03c}'));
        assert_eq!(key_code("a"), Some('a'));
        assert_eq!(key_code("F13"), None);
        assert_eq!(key_code("Hyper"), None);
    }
}
