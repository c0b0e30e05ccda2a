//! "Did you mean …?" for misspelt keys and names.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `did you mean `x`?` when there is a close candidate.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        let actions = ["open", "click", "fill", "assert_text", "wait_for"];
        assert_eq!(closest("clik", actions), Some("click"));
        assert_eq!(closest("asert_text", actions), Some("assert_text"));
        assert_eq!(closest("waitfor", actions), Some("wait_for"));
        assert_eq!(closest("Click", actions), Some("click"));
        assert_eq!(closest("zzzzzz", actions), None);
    }
}
