//! Finding a secret in every form it takes in text vedetta writes.
//!
//! A page echoes what it was given in whatever encoding its context needs: HTML entities in
//! markup and attributes (`&amp;`, `&lt;`, `&#60;`, `&#x3C;`), JSON and JavaScript escapes in
//! scripts and console messages (`\"`, `\u003C`, `\x3c`), percent-encoding in URLs (`%3C`,
//! `+`). It may mix them in one string (`Pa ss&amp;wörd<1>\"x`), and layer one on another
//! (`\u0026lt;`, `&amp;lt;`, `%253C`). Listing whole encoded forms of a secret misses the
//! mixes, so the matcher works a character at a time: each character of a secret may stand in
//! any of its forms, and the secret matches wherever its characters follow one another in any
//! forms at all.

use regex::Regex;

/// One regex that matches any of the given secrets in any of their forms.
#[derive(Debug, Clone)]
pub(crate) struct SecretMatcher {
    re: Option<Regex>,
}

impl SecretMatcher {
    /// A matcher for `secrets`; empty ones are ignored. Longer secrets are tried first, so a
    /// secret that contains another is masked whole.
    pub(crate) fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> SecretMatcher {
        let mut secrets: Vec<&str> = secrets.into_iter().filter(|s| !s.is_empty()).collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
        secrets.dedup();
        if secrets.is_empty() {
            return SecretMatcher { re: None };
        }
        let alternatives: Vec<String> = secrets.iter().map(|s| secret_pattern(s)).collect();
        // The size limit is raised for long secrets: each character is an alternation of
        // a dozen forms. A pattern that still does not compile falls back to the literal forms.
        let re = regex::RegexBuilder::new(&alternatives.join("|"))
            .size_limit(64 << 20)
            .build()
            .unwrap_or_else(|_| {
                let literal: Vec<String> = secrets.iter().map(|s| regex::escape(s)).collect();
                Regex::new(&literal.join("|")).expect("escaped literals always compile")
            });
        SecretMatcher { re: Some(re) }
    }

    /// `text` with every occurrence of a secret, in any form, replaced by `mask`.
    pub(crate) fn replace_all(&self, text: &str, mask: &str) -> String {
        match &self.re {
            Some(re) => re.replace_all(text, regex::NoExpand(mask)).into_owned(),
            None => text.to_string(),
        }
    }

    /// Whether `text` holds a secret in any form.
    #[cfg(test)]
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.re.as_ref().is_some_and(|re| re.is_match(text))
    }
}

fn secret_pattern(secret: &str) -> String {
    secret.chars().map(char_pattern).collect()
}

/// A backslash as it appears after zero or more rounds of JSON or JavaScript escaping.
const BACKSLASHES: &str = r"\\+";
/// An ampersand as typed, HTML-escaped, JSON-escaped or percent-encoded: the start of an
/// entity that was itself escaped once more.
const AMPERSAND: &str = r"(?:&(?:amp;)*|\\+u0026|\\+x26|%(?:25)*26)";

/// Every form of one character, as a non-capturing alternation.
fn char_pattern(c: char) -> String {
    let code = c as u32;
    let mut forms = vec![regex::escape(&c.to_string())];

    // HTML: numeric entities, decimal or hex, with or without leading zeros; `;` optional as
    // browsers accept it without.
    forms.push(format!("{AMPERSAND}#0*{code};?"));
    forms.push(format!("{AMPERSAND}#[xX]0*(?i:{code:x});?"));
    if let Some(name) = html_entity_name(c) {
        forms.push(format!("{AMPERSAND}(?i:{name});"));
    }

    // JSON and JavaScript: \uXXXX (as UTF-16, so a surrogate pair for astral characters),
    // \u{…}, \xHH, and the short escapes.
    let mut units = [0u16; 2];
    let utf16: String = c
        .encode_utf16(&mut units)
        .iter()
        .map(|u| format!("{BACKSLASHES}u(?i:{u:04x})"))
        .collect();
    forms.push(utf16);
    forms.push(format!(r"{BACKSLASHES}u\{{0*(?i:{code:x})\}}"));
    if code < 0x100 {
        forms.push(format!("{BACKSLASHES}x(?i:{code:02x})"));
    }
    if let Some(short) = short_escape(c) {
        forms.push(format!("{BACKSLASHES}{short}"));
    }

    // URLs: every UTF-8 byte as %HH (also double-encoded as %25HH), and `+` for a space.
    let mut bytes = [0u8; 4];
    let percent: String = c
        .encode_utf8(&mut bytes)
        .bytes()
        .map(|b| format!("%(?:25)*(?i:{b:02x})"))
        .collect();
    forms.push(percent);
    // …and JavaScript's old `escape()`: `%HH` for Latin-1, `%uXXXX` above it.
    if (0x80..0x100).contains(&code) {
        forms.push(format!("%(?:25)*(?i:{code:02x})"));
    } else if code >= 0x100 {
        let units: String = c
            .encode_utf16(&mut units)
            .iter()
            .map(|u| format!("%(?:25)*(?i:u{u:04x})"))
            .collect();
        forms.push(units);
    }
    if c == ' ' {
        forms.push(r"\+".to_string());
    }

    format!("(?:{})", forms.join("|"))
}

/// The named entity HTML serialisers and templating engines use for `c`.
fn html_entity_name(c: char) -> Option<&'static str> {
    Some(match c {
        '&' => "amp",
        '<' => "lt",
        '>' => "gt",
        '"' => "quot",
        '\'' => "apos",
        '\u{a0}' => "nbsp",
        _ => return None,
    })
}

/// JSON's and JavaScript's one-letter escapes (after the backslash), as a regex.
fn short_escape(c: char) -> Option<&'static str> {
    Some(match c {
        '"' => "\"",
        '\'' => "'",
        '\\' => r"\\",
        '/' => "/",
        '\n' => "n",
        '\r' => "r",
        '\t' => "t",
        '\u{8}' => "b",
        '\u{c}' => "f",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MASK: &str = "••••••";

    fn masked(secret: &str, text: &str) -> String {
        SecretMatcher::new([secret]).replace_all(text, MASK)
    }

    #[test]
    fn finds_the_secret_in_the_forms_an_issue_showed() {
        let secret = "Pa ss&wörd<1>\"x";
        // The saved page source: text and an attribute value, HTML-escaped.
        assert_eq!(
            masked(secret, "<p>Pa ss&amp;wörd&lt;1&gt;\"x</p>"),
            "<p>••••••</p>"
        );
        assert_eq!(
            masked(secret, "<input value=\"Pa ss&amp;wörd&lt;1&gt;&quot;x\">"),
            "<input value=\"••••••\">"
        );
        // The console log: a JSON-escaped tail.
        assert_eq!(
            masked(secret, r#"log: "Pa ss&wörd\u003C1>\"x""#),
            "log: \"••••••\""
        );
    }

    #[test]
    fn finds_numeric_entities_escapes_and_percent_forms() {
        let secret = "<ö é>";
        for form in [
            "&#60;&#246;&#32;&#233;&#62;",
            "&#x3c;&#xF6;&#x20;&#xe9;&#x3E;",
            r"\u003c\u00f6\u0020\u00E9\u003e",
            r"\x3c\xf6\x20\xe9\x3e",
            r"\u{3c}\u{f6}\u{20}\u{e9}\u{3e}",
            "%3C%C3%B6%20%C3%A9%3E",
            "%3c%c3%b6+%c3%a9%3e",
            "%253C%25C3%25B6%2520%25C3%25A9%253E",
            "%3C%F6%20%E9%3E",
            r"\\u003c\u00f6 &#233;%3E",
            "&amp;lt;ö é&gt;",
            r"\u0026lt;ö é\u0026gt;",
        ] {
            assert_eq!(masked(secret, &format!("[{form}]")), "[••••••]", "{form}");
        }
    }

    #[test]
    fn astral_characters_match_as_surrogate_pairs() {
        assert_eq!(masked("k🔑y", r"k\ud83d\udd11y"), MASK);
        assert_eq!(masked("k🔑y", "k&#128273;y"), MASK);
        assert_eq!(masked("€🔑", "%u20AC%uD83D%uDD11"), MASK);
    }

    #[test]
    fn the_longest_secret_wins_and_other_text_is_left_alone() {
        let m = SecretMatcher::new(["hunter2", "hunter2hunter2"]);
        assert_eq!(
            m.replace_all("mario:hunter2hunter2 / hunter2 / hunter", MASK),
            "mario:•••••• / •••••• / hunter"
        );
        assert!(m.is_match("hunter&#50"), "a numeric entity needs no `;`");
        assert!(!m.is_match("hunter&#51;"));
        assert_eq!(SecretMatcher::new([""]).replace_all("abc", MASK), "abc");
    }

    #[test]
    fn regex_metacharacters_in_a_secret_are_literal() {
        assert_eq!(masked("a.b*c(d)$", "a.b*c(d)$ axbbbc"), "•••••• axbbbc");
        assert!(!SecretMatcher::new(["a.b"]).is_match("axb"));
    }
}
