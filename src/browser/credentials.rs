//! Credentials in a `--webdriver` URL (`https://user:key@hub…`, `?access_key=…`): the parts to
//! mask wherever the URL or an error about it could be shown, and the URL without them.

/// Query parameters whose values are secrets.
const SECRET_PARAMS: &[&str] = &[
    "access_key",
    "accesskey",
    "api_key",
    "apikey",
    "key",
    "password",
    "secret",
    "token",
    "auth",
];

/// The secret parts of `url`: its user name and password (as written and decoded) and the
/// values of its secret-looking query parameters.
pub fn webdriver_credentials(url: &str) -> Vec<String> {
    let Ok(u) = url::Url::parse(url) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut add = |s: &str| {
        if !s.is_empty() {
            out.push(s.to_string());
            if let Ok(decoded) = percent_encoding::percent_decode_str(s).decode_utf8()
                && decoded != s
            {
                out.push(decoded.into_owned());
            }
        }
    };
    add(u.username());
    if let Some(p) = u.password() {
        add(p);
    }
    for (k, v) in u.query_pairs() {
        let k = k.to_ascii_lowercase().replace('-', "_");
        if SECRET_PARAMS
            .iter()
            .any(|p| k == *p || k.ends_with(&format!("_{p}")))
        {
            add(&v);
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// `text` with every credential of the URL replaced by `***`.
pub fn mask_credentials(text: &str, credentials: &[String]) -> String {
    let mut out = text.to_string();
    for c in credentials {
        out = out.replace(c.as_str(), "***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_password_and_secret_parameters_are_credentials() {
        let creds = webdriver_credentials(
            "https://alice:s3cr%40t@hub.example.com:443/wd/hub?access_key=AK1&region=eu",
        );
        assert_eq!(creds, ["s3cr%40t", "s3cr@t", "alice", "AK1"]);
        assert_eq!(
            mask_credentials(
                "cannot reach https://alice:s3cr%40t@hub.example.com (s3cr@t)",
                &creds
            ),
            "cannot reach https://***:***@hub.example.com (***)"
        );
        assert!(webdriver_credentials("http://127.0.0.1:4444").is_empty());
        assert!(webdriver_credentials("not a url").is_empty());
    }
}
