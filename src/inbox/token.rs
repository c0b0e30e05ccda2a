//! The inbox's bearer token: where a weak one is refused, how it is compared, how one is made.
//!
//! The exposure rule is the one rule for every way the inbox is served (`vedetta inbox`,
//! `run --inbox-listen`, the monitor's `inbox: {listen: …}`): never an empty token; off
//! loopback, where anyone on the network may knock, a token that resists guessing.

use std::collections::HashMap;
use std::net::SocketAddr;

/// Shortest bearer token accepted on an address other than loopback.
pub const MIN_PUBLIC_TOKEN_LEN: usize = 16;
/// Fewest different characters in a token accepted off loopback. A random hex token of the
/// minimum length has fewer than this once in ~70,000 draws; `aaaa…`, `abab…` always do.
pub const MIN_PUBLIC_TOKEN_DISTINCT: usize = 6;
/// How to make a good token, for the refusals.
pub const MAKE_A_TOKEN: &str = "make one with `openssl rand -hex 32`";

/// Whether an inbox may listen on `addr` with `token`: never with an empty token, and off
/// loopback only with a strong one ([`weakness`]). Err says why, for the user, without the
/// token.
pub fn check_exposure(addr: SocketAddr, token: &str) -> Result<(), String> {
    let token = token.trim();
    if token.is_empty() {
        return Err("the inbox token must not be empty: it guards the codes in the inbox".into());
    }
    if addr.ip().is_loopback() {
        return Ok(());
    }
    match weakness(token) {
        None => Ok(()),
        Some(why) => Err(format!(
            "refusing to serve the SMS inbox on {addr} (not loopback) with a weak token: {why}; \
             anyone who guesses it reads the codes. Use a long random token: {MAKE_A_TOKEN}"
        )),
    }
}

/// Why `token` is too easy to guess to be exposed, or `None`. The rule, in order: at least
/// [`MIN_PUBLIC_TOKEN_LEN`] characters; at least [`MIN_PUBLIC_TOKEN_DISTINCT`] different ones;
/// no character making up more than half of it; not a shorter string repeated (`abcabc…`);
/// not mostly a run of neighbouring characters (`0123456789abcdef`). A random token passes
/// all of these; a made-up one is caught only if it is this lazy — the hint names the way to
/// a random one.
pub fn weakness(token: &str) -> Option<String> {
    let chars: Vec<char> = token.chars().collect();
    let len = chars.len();
    if len < MIN_PUBLIC_TOKEN_LEN {
        return Some(format!(
            "it is shorter than {MIN_PUBLIC_TOKEN_LEN} characters"
        ));
    }
    let mut counts: HashMap<char, usize> = HashMap::new();
    for &c in &chars {
        *counts.entry(c).or_default() += 1;
    }
    if counts.len() < MIN_PUBLIC_TOKEN_DISTINCT {
        return Some(format!(
            "it has only {} different characters (at least {MIN_PUBLIC_TOKEN_DISTINCT} needed)",
            counts.len()
        ));
    }
    if counts.values().any(|&n| n * 2 > len) {
        return Some("one character makes up more than half of it".into());
    }
    if (1..=len / 2)
        .any(|period| len.is_multiple_of(period) && chars[period..] == chars[..len - period])
    {
        return Some("it is a shorter string repeated".into());
    }
    let steps_by_one = chars
        .windows(2)
        .filter(|w| (w[1] as i64 - w[0] as i64).abs() == 1)
        .count();
    if steps_by_one * 2 > len - 1 {
        return Some(
            "it is mostly a run of neighbouring characters (like abcdef or 123456)".into(),
        );
    }
    None
}

/// Compares two secrets in time that depends only on their lengths, so a caller probing a
/// token byte by byte learns nothing from response times.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A random token of `bytes` random bytes, hex-encoded: for bearer tokens and the demo's
/// Twilio auth token.
pub fn random_token(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public() -> SocketAddr {
        "0.0.0.0:7879".parse().unwrap()
    }

    #[test]
    fn tokens_with_little_variety_are_refused_off_loopback() {
        for weak in [
            "aaaaaaaaaaaaaaaa",
            "abababababababab",
            "abcabcabcabcabcabcabcabc",
            "1234567812345678",
            "0123456789abcdef",
            "zyxwvutsrqponmlkjihg",
            "aaaaaaaaabcdefgh",
            "Xq9!zP",
        ] {
            let err = check_exposure(public(), weak).unwrap_err();
            assert!(err.contains("not loopback"), "{weak}: {err}");
            assert!(err.contains("openssl rand -hex 32"), "{weak}: {err}");
            assert!(!err.contains(weak), "the token is echoed: {err}");
        }
    }

    #[test]
    fn random_tokens_pass_off_loopback() {
        for _ in 0..1000 {
            let token = random_token(32);
            assert_eq!(weakness(&token), None, "{token}");
        }
        assert_eq!(weakness("correct-Horse-battery-staple-42"), None);
    }

    #[test]
    fn on_loopback_any_token_but_an_empty_one_will_do() {
        let loopback: SocketAddr = "127.0.0.1:7879".parse().unwrap();
        assert!(check_exposure(loopback, "aaaa").is_ok());
        assert!(check_exposure(loopback, "  ").is_err());
        assert!(check_exposure(public(), "").is_err());
    }
}
