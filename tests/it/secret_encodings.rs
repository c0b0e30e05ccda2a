//! A property of every run: a secret never reaches a file in any form. Random secrets full of
//! the characters encodings change (`& < > " ' \ %`, spaces, non-ASCII) are typed into a page
//! that echoes them in text, attributes, an inline JSON script, the console (raw, as JSON,
//! URL-encoded, through old `escape()`) and its URL; the journey fails so that every kind of
//! evidence is written. Then each output is decoded every way a reader could decode it (HTML
//! entities, JSON/JavaScript escapes, percent-encoding, and chains of them) and searched.
//!
//! The search decodes and looks for the plain secret, where vedetta's masking encodes the
//! secret and looks for its forms: the two are independent, so one checks the other.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::common::{browser_slot, serve, vedetta_run_everything};

/// Characters that encodings rewrite, and some that they leave alone. BMP only: WebDriver
/// cannot type characters beyond it.
const ALPHABET: &str = "[a-zA-Z0-9&<>\"'\\\\% +/;#öé€漢]";

#[test]
fn a_secret_in_any_encoding_never_reaches_an_output() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let site = rt.block_on(serve());
    let _slot = rt.block_on(browser_slot());
    // A handful of cases: each is a real browser run. PROPTEST_CASES is for the parser's fuzz.
    let mut config = Config::with_cases(4);
    config.failure_persistence = None;
    config.max_shrink_iters = 16;
    let secret = || proptest::string::string_regex(&format!("{ALPHABET}{{6,14}}")).unwrap();
    TestRunner::new(config)
        .run(&(secret(), secret()), |(a, b): (String, String)| {
            prop_assume!(a != b);
            walk_and_search(&site.base, &a, &b)
        })
        .unwrap();
}

fn walk_and_search(base: &str, a: &str, b: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let journey = dir.path().join("echo.yaml");
    std::fs::write(
        &journey,
        "name: echo-everywhere\n\
         base_url: ${BASE}\n\
         timeout: 3s\n\
         secrets: [SECRET_A, SECRET_B]\n\
         steps:\n  \
           - open: /echo-everywhere.html\n  \
           - fill: { '#a': '${SECRET_A}', '#b': '${SECRET_B}' }\n  \
           - click: '#title'\n  \
           - name: the page says welcome\n    \
             assert_text: { '#title': Welcome }\n",
    )
    .unwrap();
    let secrets = dir.path().join("echo.secrets.yaml");
    let quoted = |s: &str| serde_json::to_string(s).unwrap();
    std::fs::write(
        &secrets,
        format!("SECRET_A: {}\nSECRET_B: {}\n", quoted(a), quoted(b)),
    )
    .unwrap();
    let (out, reports) = (dir.path().join("out"), dir.path().join("reports"));
    let run = vedetta_run_everything(&journey, &secrets, base, dir.path());
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    prop_assert_eq!(run.status.code(), Some(1), "{}\n{}", stdout, stderr);

    let mut outputs = vec![
        ("stdout".to_string(), stdout.into_bytes()),
        ("stderr".to_string(), stderr.into_bytes()),
    ];
    let mut files = Vec::new();
    files_under(&out, &mut files);
    files_under(&reports, &mut files);
    for f in &files {
        outputs.push((f.display().to_string(), std::fs::read(f).unwrap()));
    }
    // The page did echo them, into the evidence: the search has something to search.
    let source = outputs
        .iter()
        .find(|(n, _)| n.ends_with("-the-page-says-welcome.html"))
        .expect("the page source is kept");
    prop_assert!(String::from_utf8_lossy(&source.1).contains("typed ••••••"));
    let console = outputs
        .iter()
        .find(|(n, _)| n.ends_with(".console.txt"))
        .expect("the console log is kept");
    prop_assert!(String::from_utf8_lossy(&console.1).contains("encoded ••••••"));
    // The error it logged is quoted by the failure, in every report.
    let report = outputs
        .iter()
        .find(|(n, _)| n.ends_with("report.json"))
        .expect("the JSON report");
    prop_assert!(
        String::from_utf8_lossy(&report.1).contains("the page logged: could not save ••••••")
    );

    for (name, bytes) in &outputs {
        let text = String::from_utf8_lossy(bytes);
        for decoded in decodings(&text) {
            for secret in [a, b] {
                prop_assert!(
                    !decoded.contains(secret),
                    "{} holds the secret {:?}:\n{}",
                    name,
                    secret,
                    text
                );
            }
        }
    }
    Ok(())
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// `text` as it reads after every chain of up to three decodings.
fn decodings(text: &str) -> Vec<String> {
    let decoders: [fn(&str) -> String; 4] = [html_decode, js_decode, percent_decode, form_decode];
    let mut all = vec![text.to_string()];
    let mut frontier = vec![text.to_string()];
    for _ in 0..3 {
        let mut next = Vec::new();
        for t in &frontier {
            for d in decoders {
                let decoded = d(t);
                if !all.contains(&decoded) {
                    all.push(decoded.clone());
                    next.push(decoded);
                }
            }
        }
        frontier = next;
    }
    all
}

fn html_decode(s: &str) -> String {
    let re =
        regex::Regex::new(r"(?i)&(?:#(\d+)|#x([0-9a-f]+)|(amp|lt|gt|quot|apos|nbsp));?").unwrap();
    re.replace_all(s, |c: &regex::Captures| {
        let code = if let Some(d) = c.get(1) {
            d.as_str().parse().ok()
        } else if let Some(h) = c.get(2) {
            u32::from_str_radix(h.as_str(), 16).ok()
        } else {
            Some(match c[3].to_ascii_lowercase().as_str() {
                "amp" => '&' as u32,
                "lt" => '<' as u32,
                "gt" => '>' as u32,
                "quot" => '"' as u32,
                "apos" => '\'' as u32,
                _ => 0xa0,
            })
        };
        code.and_then(char::from_u32)
            .map_or_else(|| c[0].to_string(), String::from)
    })
    .into_owned()
}

/// JSON's and JavaScript's string escapes, surrogate pairs joined.
fn js_decode(s: &str) -> String {
    let re = regex::Regex::new(r#"(?i)\\(?:u\{([0-9a-f]+)\}|u([0-9a-f]{4})|x([0-9a-f]{2})|(.))"#)
        .unwrap();
    let mut units: Vec<u16> = Vec::new();
    let mut out = String::new();
    let mut last = 0;
    let flush = |units: &mut Vec<u16>, out: &mut String| {
        out.push_str(&String::from_utf16_lossy(units));
        units.clear();
    };
    for c in re.captures_iter(s) {
        let m = c.get(0).unwrap();
        if m.start() != last {
            flush(&mut units, &mut out);
            out.push_str(&s[last..m.start()]);
        }
        last = m.end();
        if let Some(u) = c.get(2) {
            units.push(u16::from_str_radix(u.as_str(), 16).unwrap());
            continue;
        }
        flush(&mut units, &mut out);
        let ch = if let Some(h) = c.get(1).or(c.get(3)) {
            u32::from_str_radix(h.as_str(), 16)
                .ok()
                .and_then(char::from_u32)
        } else {
            Some(match &c[4] {
                "n" => '\n',
                "r" => '\r',
                "t" => '\t',
                "b" => '\u{8}',
                "f" => '\u{c}',
                other => other.chars().next().unwrap(),
            })
        };
        match ch {
            Some(ch) => out.push(ch),
            None => out.push_str(m.as_str()),
        }
    }
    flush(&mut units, &mut out);
    out.push_str(&s[last..]);
    out
}

/// Percent-encoding, as UTF-8 (`encodeURIComponent`) and as `escape()`'s `%HH`/`%uXXXX`.
fn percent_decode(s: &str) -> String {
    let utf8 = percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned();
    let re = regex::Regex::new(r"(?i)%u([0-9a-f]{4})|%([0-9a-f]{2})").unwrap();
    let legacy = re
        .replace_all(s, |c: &regex::Captures| {
            let code = u32::from_str_radix(c.get(1).or(c.get(2)).unwrap().as_str(), 16).unwrap();
            char::from_u32(code).map_or_else(|| c[0].to_string(), String::from)
        })
        .into_owned();
    format!("{utf8}\n{legacy}")
}

fn form_decode(s: &str) -> String {
    percent_decode(&s.replace('+', " "))
}
