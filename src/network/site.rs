//! Which requests go to the site under test: its failures are the site's outage, other sites'
//! (analytics, fonts, ads) are only listed.
//!
//! The site is anchored on the page's URL when the step failed and on the journey's
//! `base_url`. A request is to the site when its host is an anchor's host on the same port (or
//! both on their scheme's default port: `http://bank` and `https://bank` are one site), or a
//! subdomain of an anchor's host on any port (`api.bank.example` under `bank.example`); an
//! anchor `www.bank.example` also takes in every `*.bank.example`. Hosts that are IP addresses
//! match exactly: `127.0.0.1:8080` and `127.0.0.1:9090` are two sites.

use url::{Host, Url};

/// One anchor: a host and its port (the scheme's default when the URL names none).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Anchor {
    host: String,
    /// An IP address: no subdomains.
    ip: bool,
    port: Option<u16>,
    default_port: bool,
}

/// The site under test.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Site {
    anchors: Vec<Anchor>,
}

impl Site {
    /// The site of these URLs (the page's, base_url's); unparsable ones and ones without a host
    /// (`about:blank`, `chrome-error://…` keeps its host out) are left out.
    pub fn new<'a>(urls: impl IntoIterator<Item = &'a str>) -> Site {
        let mut anchors: Vec<Anchor> = Vec::new();
        for u in urls {
            let Some(a) = anchor(u) else { continue };
            if !anchors.contains(&a) {
                anchors.push(a);
            }
        }
        Site { anchors }
    }

    /// Whether `url` is a request to the site under test.
    pub fn contains(&self, url: &str) -> bool {
        let Some(r) = anchor(url) else { return false };
        self.anchors.iter().any(|a| {
            let same_port = a.port == r.port || (a.default_port && r.default_port);
            if a.host == r.host {
                return same_port;
            }
            if a.ip || r.ip {
                return false;
            }
            let parent = a
                .host
                .strip_prefix("www.")
                .filter(|p| p.contains('.'))
                .unwrap_or(&a.host);
            r.host.ends_with(&format!(".{parent}"))
        })
    }
}

fn anchor(url: &str) -> Option<Anchor> {
    let u = Url::parse(url).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let host = u.host()?;
    let ip = !matches!(host, Host::Domain(_));
    Some(Anchor {
        host: host.to_string().to_ascii_lowercase(),
        ip,
        port: u.port_or_known_default(),
        default_port: u.port().is_none(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_is_the_page_s_and_base_url_s_host_with_its_subdomains() {
        let site = Site::new(["https://www.bank.example/account", "https://bank.example"]);
        assert!(site.contains("https://www.bank.example/api/balance"));
        assert!(site.contains("https://api.bank.example:8443/v1/balance"));
        assert!(
            site.contains("http://bank.example/"),
            "http and https on default ports"
        );
        assert!(
            !site.contains("https://bank.example:8443/"),
            "another port of the host"
        );
        assert!(!site.contains("https://analytics.example/collect"));
        assert!(!site.contains("https://notbank.example/"));
        assert!(!site.contains("data:,"));

        // `www.` takes in its siblings; another first label does not.
        let www = Site::new(["https://www.bank.example/"]);
        assert!(www.contains("https://api.bank.example/"));
        let app = Site::new(["https://app.bank.example/"]);
        assert!(!app.contains("https://api.bank.example/"));
        assert!(app.contains("https://eu.app.bank.example/"));
    }

    #[test]
    fn ip_addresses_match_exactly_port_included() {
        let site = Site::new(["http://127.0.0.1:8080/account", "not a url"]);
        assert!(site.contains("http://127.0.0.1:8080/api/balance"));
        assert!(!site.contains("http://127.0.0.1:9090/collect"));
        assert!(!site.contains("http://localhost:8080/"));
        assert!(!Site::new(["chrome-error://chromewebdata/"]).contains("http://127.0.0.1/"));
        assert!(!Site::default().contains("http://127.0.0.1:8080/"));
    }
}
