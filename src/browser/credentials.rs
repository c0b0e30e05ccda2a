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

/// Whether a query parameter's value is a secret.
fn is_secret_param(name: &str) -> bool {
    let k = name.to_ascii_lowercase().replace('-', "_");
    SECRET_PARAMS
        .iter()
        .any(|p| k == *p || k.ends_with(&format!("_{p}")))
}

/// `url` with its user, password and secret query values shown as `***` (the rest as given).
pub fn redact_url(url: &str) -> String {
    let Ok(mut u) = url::Url::parse(url) else {
        return "(unparsable URL)".to_string();
    };
    if !u.username().is_empty() {
        let _ = u.set_username("***");
    }
    if u.password().is_some() {
        let _ = u.set_password(Some("***"));
    }
    if u.query().is_some() {
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_secret_param(&k) {
                    "***".into()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    let text = u.to_string();
    // `Url` writes a bare host with a slash; keep the URL as the user wrote it.
    if !url.ends_with('/') && u.path() == "/" && u.query().is_none() {
        text.trim_end_matches('/').to_string()
    } else {
        text
    }
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
        assert_eq!(
            redact_url("https://a:b@hub.example.com/wd/hub?access_key=AK1&region=eu"),
            "https://***:***@hub.example.com/wd/hub?access_key=***&region=eu"
        );
        assert_eq!(
            redact_url("http://u:p@127.0.0.1:4444"),
            "http://***:***@127.0.0.1:4444"
        );
        assert_eq!(
            redact_url("http://127.0.0.1:4444/"),
            "http://127.0.0.1:4444/"
        );
        assert!(webdriver_credentials("not a url").is_empty());
    }
}
