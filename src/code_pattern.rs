//! The regexes that pick a one-time code out of text: an `otp:` step's `pattern` (over an SMS,
//! a page, a command's output) and the SMS inbox's codes API. One rule for which of them are
//! usable, one rule for what the code is — so a journey, the inbox and its remote client all
//! agree. A leaf: it imports nothing of vedetta but [`crate::text`], so the journey parser can
//! use it too.

use regex_syntax::hir::{Hir, HirKind};

/// Why a regex cannot pick out a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnusablePattern {
    /// `(z)?`, `\d*`, `^`: it matches every text, with an empty code.
    #[error(
        "the pattern /{}/ can match an empty string, so every message would give an empty code; \
         make it need at least one character (e.g. \\b(\\d{{6}})\\b)",
        crate::text::escape_untrusted(.0)
    )]
    MatchesEmpty(String),
    /// `code:(\d*)`: the code is the first group, and it can be empty.
    #[error(
        "the first group of the pattern /{}/ can match an empty string, and the code is that \
         group: make it need at least one character (e.g. code:(\\d+))",
        crate::text::escape_untrusted(.0)
    )]
    GroupMatchesEmpty(String),
}

/// Whether `pattern` always yields a code of at least one character: neither the whole match
/// nor the first capture group (the code, when the pattern has one) may be empty.
pub fn check(pattern: &regex::Regex) -> Result<(), UnusablePattern> {
    // The regex compiled, so its syntax parses; should it not, `find_code` still never hands
    // out an empty code.
    let Ok(hir) = regex_syntax::parse(pattern.as_str()) else {
        return Ok(());
    };
    let can_be_empty = |hir: &Hir| hir.properties().minimum_len() == Some(0);
    if can_be_empty(&hir) {
        return Err(UnusablePattern::MatchesEmpty(pattern.as_str().to_string()));
    }
    if first_group(&hir).is_some_and(can_be_empty) {
        return Err(UnusablePattern::GroupMatchesEmpty(
            pattern.as_str().to_string(),
        ));
    }
    Ok(())
}

/// The code in `text`: the first capture group of `pattern`'s first match, else the whole
/// match — never an empty string (a pattern that passes [`check`] never yields one; for one
/// that does not, an empty code counts as no code).
pub fn find_code<'t>(pattern: &regex::Regex, text: &'t str) -> Option<&'t str> {
    let caps = pattern.captures(text)?;
    let code = caps.get(1).or_else(|| caps.get(0))?.as_str();
    (!code.is_empty()).then_some(code)
}

/// The sub-expression of capture group 1, if the pattern has one. The parser caps nesting
/// (250 levels), so the recursion is bounded.
fn first_group(hir: &Hir) -> Option<&Hir> {
    match hir.kind() {
        HirKind::Capture(cap) if cap.index == 1 => Some(&cap.sub),
        HirKind::Capture(cap) => first_group(&cap.sub),
        HirKind::Repetition(rep) => first_group(&rep.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().find_map(first_group),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(pattern: &str) -> Result<(), UnusablePattern> {
        check(&regex::Regex::new(pattern).unwrap())
    }

    #[test]
    fn patterns_that_always_give_a_code_pass() {
        for ok in [
            r"\b(\d{6})\b",
            r"\d{4,8}",
            r"code: (\w+)",
            r"(?:code|pin)[: ]+(\d+)",
            r"(z)?x",
            r"(?i)(?P<code>[a-z0-9]{6})",
            r"((\d)?\d)",
        ] {
            assert_eq!(checked(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn patterns_that_can_match_nothing_are_refused() {
        for empty in ["(z)?", r"\d*", "^", r"\b", "$", "a|", "(?:)", "(a*)*"] {
            assert!(
                matches!(checked(empty), Err(UnusablePattern::MatchesEmpty(_))),
                "{empty}"
            );
        }
        let err = regex::Regex::new("")
            .map(|r| check(&r))
            .unwrap()
            .unwrap_err();
        assert!(err.to_string().contains("empty string"), "{err}");
    }

    #[test]
    fn a_first_group_that_can_be_empty_is_refused() {
        for empty in [
            r"code:(\d*)",
            r"x(a|)",
            r"(?:pin|code) (\d?)x",
            r"x((?:))(\d+)",
        ] {
            assert!(
                matches!(checked(empty), Err(UnusablePattern::GroupMatchesEmpty(_))),
                "{empty}"
            );
        }
    }

    #[test]
    fn the_code_is_the_first_group_else_the_match_and_never_empty() {
        let re = |p: &str| regex::Regex::new(p).unwrap();
        assert_eq!(
            find_code(&re(r"\b(\d{6})\b"), "code 123456"),
            Some("123456")
        );
        assert_eq!(find_code(&re(r"\d{4}"), "pin 4321"), Some("4321"));
        assert_eq!(find_code(&re(r"(z)?x"), "x"), Some("x"));
        assert_eq!(find_code(&re(r"(z)?"), "anything"), None);
        assert_eq!(find_code(&re(r"code(\d*)"), "code none"), None);
    }

    #[test]
    fn the_pattern_is_shown_without_control_characters() {
        let err = checked("\u{1b}]0;x\u{7}|").unwrap_err();
        assert!(!err.to_string().contains('\u{1b}'), "{err}");
    }
}
