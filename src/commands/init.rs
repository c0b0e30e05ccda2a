//! `vedetta init [URL] [--monitor]`: a commented starter journey for a site (and a monitor config
//! that walks it), with the `yaml-language-server` schema line and the schema beside it, so a
//! new user starts from a file that validates and an editor that completes.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{CommandError, Outcome};

/// What `vedetta init` was asked for.
#[derive(Debug, Clone)]
pub struct InitConfig {
    /// The site's page to start from; a placeholder when not given.
    pub url: Option<String>,
    /// Also write `monitor.yaml`.
    pub monitor: bool,
    /// Where to write (`journeys/…` and `monitor.yaml` go under it).
    pub dir: PathBuf,
    /// Overwrite files that are already there.
    pub force: bool,
}

/// The file the schema line names, beside the journey.
const SCHEMA_FILE: &str = "journey.schema.json";
const PLACEHOLDER_URL: &str = "https://www.example.com/";

pub fn execute(config: InitConfig) -> Result<Outcome, CommandError> {
    let start = start_page(config.url.as_deref())?;
    let name = journey_name(&start);
    let journey_rel = PathBuf::from("journeys").join(format!("{name}.yaml"));
    let mut files = vec![(
        journey_rel.clone(),
        starter_journey(&name, &start, config.url.is_none()),
        "a starter journey: edit its steps",
    )];
    let schema = serde_json::to_string_pretty(&crate::journey::journey_schema())
        .expect("a JSON value serializes")
        + "\n";
    files.push((
        PathBuf::from("journeys").join(SCHEMA_FILE),
        schema,
        "the journey language's schema, for editors",
    ));
    if config.monitor {
        files.push((
            PathBuf::from("monitor.yaml"),
            starter_monitor(),
            "a monitor config that walks journeys/*.yaml",
        ));
    }
    // Nothing is written if any file the user may have edited is in the way (the schema is
    // generated: it is brought up to date).
    let in_the_way: Vec<String> = files
        .iter()
        .filter(|(rel, ..)| !rel.ends_with(SCHEMA_FILE) && config.dir.join(rel).exists())
        .map(|(rel, ..)| config.dir.join(rel).display().to_string())
        .collect();
    if !in_the_way.is_empty() && !config.force {
        return Err(CommandError::invalid(format!(
            "{} already there; --force overwrites",
            in_the_way.join(", ")
        )));
    }
    // As the user will type them: `journeys/x.yaml`, not `./journeys/x.yaml`.
    let shown = |rel: &Path| {
        if config.dir == Path::new(".") {
            rel.display().to_string()
        } else {
            config.dir.join(rel).display().to_string()
        }
    };
    let mut out = std::io::stdout().lock();
    for (rel, text, what) in &files {
        write_file(&config.dir.join(rel), text)?;
        let _ = writeln!(out, "wrote {}  ({what})", shown(rel));
    }
    let _ = writeln!(out, "\nnext:");
    let _ = writeln!(out, "  vedetta validate {}", shown(&journey_rel));
    let _ = writeln!(
        out,
        "  vedetta run {} --html report.html",
        shown(&journey_rel)
    );
    if config.monitor {
        let _ = writeln!(
            out,
            "  vedetta monitor {}",
            shown(Path::new("monitor.yaml"))
        );
    }
    Ok(Outcome::Success)
}

fn write_file(path: &Path, text: &str) -> Result<(), CommandError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| CommandError::harness(format!("cannot create {}: {e}", dir.display())))?;
    }
    std::fs::write(path, text)
        .map_err(|e| CommandError::harness(format!("cannot write {}: {e}", path.display())))
}

/// The page to start from: an absolute http(s) URL.
fn start_page(url: Option<&str>) -> Result<url::Url, CommandError> {
    let raw = url.unwrap_or(PLACEHOLDER_URL);
    match url::Url::parse(raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(u),
        _ => Err(CommandError::invalid(format!(
            "`{}` is not an http(s) URL; expected one like https://shop.example.com/login",
            crate::text::escape_untrusted(raw)
        ))),
    }
}

/// `https://www.shop.example.com:8443/x` → `shop-example-com-8443`: a valid journey name.
fn journey_name(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("site");
    let host = host.strip_prefix("www.").unwrap_or(host);
    let mut name: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if let Some(port) = url.port() {
        name.push_str(&format!("-{port}"));
    }
    let name: String = name
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let name: String = name.chars().take(100).collect();
    if name.is_empty() {
        "starter".into()
    } else {
        name
    }
}

/// Text for a YAML double-quoted string that vedetta reads literally (`${` is a variable).
fn yaml_literal(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace("${", "$${");
    format!("\"{escaped}\"")
}

fn starter_journey(name: &str, start: &url::Url, placeholder: bool) -> String {
    let origin = start.origin().ascii_serialization();
    let mut path = start.path().to_string();
    if let Some(q) = start.query() {
        path.push('?');
        path.push_str(q);
    }
    let host = start.host_str().unwrap_or("the site");
    let site_note = if placeholder {
        "   # your site: change it here, or --var BASE_URL=…"
    } else {
        "   # --var BASE_URL=https://staging… points it elsewhere"
    };
    STARTER_JOURNEY
        .replace("{NAME}", name)
        .replace("{HOST}", host)
        .replace("{ORIGIN}", &yaml_literal(&origin))
        .replace("{SITE_NOTE}", site_note)
        .replace("{PATH}", &yaml_literal(&path))
        .replace("{SCHEMA}", SCHEMA_FILE)
}

fn starter_monitor() -> String {
    STARTER_MONITOR.to_string()
}

const STARTER_JOURNEY: &str = r##"# yaml-language-server: $schema={SCHEMA}
#
# A starter journey for {HOST}, written by `vedetta init`. A journey is what a customer does,
# step by step; vedetta walks it in a real browser and says, for every step, passed or failed,
# how long it took and why. Edit the steps below; the README has every key and action.
#
#   vedetta validate journeys/{NAME}.yaml      # checks it without a browser
#   vedetta run journeys/{NAME}.yaml           # walks it in headless Chromium

name: {NAME}                       # names reports, metrics and evidence files
title: Home page of {HOST}
base_url: ${BASE_URL}              # `open: /path` resolves against it
vars:
  BASE_URL: {ORIGIN}{SITE_NOTE}
# secrets: [PASSWORD]              # from the environment or --secrets FILE; never printed
timeout: 15s                       # every step waits at most this long for what it needs
retries: 1                         # one more try in a fresh browser; a pass then is "flaky"
retry_delay: 5s                    # after this wait, so a site that is restarting can come back
screenshots: on_failure            # on_failure | every_step | off
# strict: true                     # a locator matching several visible elements fails its step
# fail_fast:                       # the site's own "we are down" page: fail at once, as an outage
#   - text: "temporarily unavailable"
#     reason: the site says it is down

steps:
  - name: open the start page
    open: {PATH}

  - name: the page shows its content
    assert_visible: body

  # More steps, one action each. A locator is a CSS selector, or {text|id|name|link|xpath: …}.
  #
  # - name: accept the cookie banner if it is there
  #   when: { visible: { text: "Accept" }, within: 2s }
  #   steps:
  #     - click: { text: "Accept" }
  #
  # - click: { text: "Log in", within: "form" }     # within:/nth: narrow a locator
  # - fill:
  #     "#username": jane.doe
  #     "#password": ${PASSWORD}
  # - press: Enter                                  # or Shift+Enter, Control+a, …
  # - wait_for: { url: /account/ }
  # - assert_text: { "#balance": '/€\s?[0-9.,]+/' }  # /…/ is a regex, else a substring
  # - extract: { "#balance": BALANCE }
  # - log: "balance: ${BALANCE}"
  # - screenshot: account                           # named evidence, kept even on success
"##;

const STARTER_MONITOR: &str = r#"# A monitor config, written by `vedetta init --monitor`: walks the journeys on a schedule, keeps
# their history, serves a status page, /metrics and an API, and alerts when one goes down and
# when it recovers. docs/monitor.md has every key.
#
#   vedetta monitor monitor.yaml

listen: 127.0.0.1:9090             # status page, /metrics, API
data_dir: vedetta-data             # history and evidence, relative to this file
retention: 30d                     # runs older than this are deleted
concurrency: 1                     # browsers at once
alerts:
  down_after: 2                    # this many failed runs in a row: down
  recover_after: 1                 # this many passing runs in a row: recovered
# channels:                        # where alerts go (${NAME}s come from the environment)
#   - webhook: ${ALERT_WEBHOOK_URL}
#   - slack: ${SLACK_WEBHOOK_URL}
journeys:
  - path: journeys/*.yaml
    every: 5m                      # with a little jitter, so journeys spread out
"#;

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::journey::{LoadOptions, parse_journey};

    fn parsed(text: &str) -> crate::journey::model::Journey {
        parse_journey(text, Path::new("j.yaml"), &LoadOptions::with_env([]))
            .unwrap_or_else(|d| panic!("{text}\n{d:#?}"))
    }

    #[test]
    fn names_come_from_the_host_and_port() {
        let name = |u: &str| journey_name(&url::Url::parse(u).unwrap());
        assert_eq!(
            name("https://www.Shop.example.com/login"),
            "shop-example-com"
        );
        assert_eq!(name("http://127.0.0.1:7878/"), "127-0-0-1-7878");
        assert_eq!(name("http://[::1]:8080/"), "1-8080");
    }

    #[test]
    fn the_starter_journey_validates_and_opens_the_page_given() {
        let url = url::Url::parse("https://shop.example.com/app/login?next=${X}&q=\"a\"").unwrap();
        let j = parsed(&starter_journey("shop-example-com", &url, false));
        assert_eq!(j.name, "shop-example-com");
        assert_eq!(j.retries, 1);
        assert_eq!(
            j.variables.get("BASE_URL"),
            Some("https://shop.example.com")
        );
        let crate::journey::model::Action::Open(open) = &j.steps[0].action else {
            panic!("opens first")
        };
        // `${` in the URL is text, not a variable.
        assert_eq!(open.render(&j.variables), "/app/login?next=${X}&q=%22a%22");
        let placeholder = url::Url::parse(PLACEHOLDER_URL).unwrap();
        parsed(&starter_journey("example-com", &placeholder, true));
    }

    #[test]
    fn only_http_urls_start_a_journey() {
        assert!(start_page(Some("ftp://x")).is_err());
        assert!(start_page(Some("shop.example.com")).is_err());
        assert!(start_page(None).is_ok());
    }
}
