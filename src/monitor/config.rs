//! The monitor's config file → [`MonitorConfig`], or every problem in it at file:line:column,
//! read with the same spanned YAML reader and diagnostics as journeys.
//!
//! ```yaml
//! listen: 127.0.0.1:9090          # status page, /metrics, API (loopback unless you say otherwise)
//! public_url: https://vedetta.example.com   # base of links in alerts (default: http://<listen>)
//! data_dir: vedetta-data          # SQLite history and evidence, relative to this file
//! retention: 30d                  # runs (and their evidence) older than this are deleted
//! concurrency: 2                  # browsers at once
//! timeout: 10s                    # step timeout for journeys that set none
//! alerts: { down_after: 2, recover_after: 1 }    # or { failures: 3, window: 5 }; blind_after,
//!                                 # degraded_after (slow runs in a row, default 2)
//! channels:                       # each with its own retries and back-off; docs/monitor.md
//!   - webhook: http://127.0.0.1:5000/alerts
//!   - slack: ${SLACK_WEBHOOK_URL}  # ${NAME}: --var, --secrets, then the environment
//!   - teams: ${TEAMS_WEBHOOK_URL}
//!   - pagerduty: { routing_key: "${PD_ROUTING_KEY}" }
//!   - alertmanager: http://127.0.0.1:9093          # or { url: …, resend: 1m }
//!   - email: { smtp: "smtp://mail.example.com:587", from: vedetta@example.com, to: [ops@example.com],
//!              username: vedetta, password: "${SMTP_PASSWORD}" }   # security: starttls | tls | none
//! inbox:                         # served by the daemon; or `url:` of an inbox served elsewhere
//!   listen: 127.0.0.1:7879
//!   token: ${VEDETTA_INBOX_TOKEN}
//! maintenance:                    # alerts held, runs still recorded (marked maintenance)
//!   - cron: "0 2 * * SUN"         # UTC start
//!     for: 2h
//!     journeys: [card-balance]    # default: all
//! locations:                      # where journeys run from (default: one, `local`)
//!   - name: milan
//!     webdriver: http://grid-milan:4444   # a Selenium Grid there; none: the monitor's driver
//!     vars: { BANK_URL: https://it.bank.example }   # over each journey's vars
//!   - name: frankfurt
//! alerts: { locations: 2 }        # down when at least this many locations see it down
//! api_token: ${VEDETTA_API_TOKEN} # bearer token of the write API (maintenance, incidents)
//! public:                         # the status page for customers, on its own address
//!   listen: 127.0.0.1:9091
//!   title: Vedetta Bank status
//!   language: en                  # the default notices' language: en | it
//!   auto_publish: true            # false: automatic incidents are drafts until published
//!   templates: { opened: "…{components}…", resolved: "…", title: "…" }
//! journeys:
//!   - path: journeys/*.yaml       # a file or a glob, relative to this file
//!     every: 1m
//!     jitter: 10s                 # default: a tenth of `every`, at most 30s
//!   - path: journeys/checkout.yaml
//!     cron: "*/5 * * * *"         # UTC; six fields for seconds
//!     alerts: { down_after: 3 }   # overrides the top-level rules for these journeys
//! ```

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use marked_yaml::Node;
use marked_yaml::types::MarkedMappingNode;

use super::alert::{AlertRules, DownRule};
use super::channels::{
    Alertmanager, Channel, DEFAULT_EVENTS_URL, DEFAULT_RESEND, Email, PagerDuty, SmtpSecurity,
};
use super::locations::Location;
use super::maintenance::ScheduledWindow;
use super::public::{Language, PublicSettings, Templates};
use super::schedule::Schedule;
use crate::evidence::signature::SealKey;
use crate::journey::model::Device;
use crate::journey::spanned::{MAX_FILE_BYTES, Pos, Reader, SourceFile, kind, load, read_device};
use crate::journey::{Diagnostic, LoadOptions, parse_duration};

pub const DEFAULT_LISTEN: &str = "127.0.0.1:9090";
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);
/// Runs closer together than this would keep a browser busy all the time.
pub const MIN_PERIOD: Duration = Duration::from_secs(1);
const MAX_CONCURRENCY: u32 = 64;
const MAX_RULE_RUNS: u32 = 1000;

const TOP_KEYS: &[&str] = &[
    "listen",
    "public_url",
    "data_dir",
    "retention",
    "concurrency",
    "timeout",
    "alerts",
    "channels",
    "inbox",
    "journeys",
    "sign_key",
    "maintenance",
    "api_token",
    "locations",
    "public",
];
const LOCATION_KEYS: &[&str] = &["name", "webdriver", "vars"];
const PUBLIC_KEYS: &[&str] = &["listen", "title", "language", "auto_publish", "templates"];
const TEMPLATE_KEYS: &[&str] = &["title", "opened", "resolved"];
const MAINTENANCE_KEYS: &[&str] = &["cron", "for", "journeys"];
/// The shortest `api_token` taken: it guards writes (maintenance windows).
pub const MIN_API_TOKEN_LEN: usize = 16;
const JOURNEY_KEYS: &[&str] = &[
    "path", "every", "jitter", "cron", "alerts", "timeout", "device",
];
const ALERT_KEYS: &[&str] = &[
    "down_after",
    "failures",
    "window",
    "recover_after",
    "blind_after",
    "degraded_after",
    "locations",
];
const CHANNEL_KEYS: &[&str] = &[
    "webhook",
    "slack",
    "teams",
    "pagerduty",
    "alertmanager",
    "email",
];
const INBOX_KEYS: &[&str] = &["listen", "url", "token", "twilio_auth_token", "public_url"];

/// A validated monitor config. Paths are absolute (resolved against the config's folder).
#[derive(Debug, Clone)]
pub struct MonitorConfig {
    pub file: PathBuf,
    pub listen: SocketAddr,
    /// Base of the links in alerts, without a trailing `/`; `None`: `http://<bound address>`.
    pub public_url: Option<String>,
    pub data_dir: PathBuf,
    pub retention: Duration,
    pub concurrency: usize,
    pub journeys: Vec<JourneyEntry>,
    pub channels: Vec<Channel>,
    pub inbox: Option<InboxSettings>,
    /// Signs every evidence folder's manifest (`sign_key:`, a PEM private key).
    pub sign_key: Option<SealKey>,
    /// `maintenance:`: planned windows (cron start in UTC + duration).
    pub maintenance: Vec<ScheduledWindow>,
    /// Each journey name a maintenance window lists, with where (line, column): checked
    /// against the journeys once they are loaded.
    pub maintenance_names: Vec<(String, usize, usize)>,
    /// `api_token:`: the bearer token of the write API (`POST /api/maintenance`); `None`: the
    /// write API is off.
    pub api_token: Option<String>,
    /// `locations:`: where every journey runs from, in order; one `local` without them.
    pub locations: Vec<Location>,
    /// `alerts.locations`: how many locations must see a journey down; `None`: the default
    /// ([`quorum`](super::locations::quorum)).
    pub alert_locations: Option<u32>,
    /// `public:`: the public status page; `None`: none.
    pub public: Option<PublicSettings>,
}

/// One journey file and how it is run.
#[derive(Debug, Clone)]
pub struct JourneyEntry {
    pub path: PathBuf,
    pub schedule: Schedule,
    pub alerts: AlertRules,
    /// Step timeout for a journey that sets none.
    pub default_timeout: Option<Duration>,
    /// `device:`: the entry's journeys run on this phone or tablet (over their own `device:`).
    pub device: Option<Device>,
    /// Where the entry is written, for problems found later (a journey name used twice).
    pub line: usize,
}

/// The SMS inbox the journeys' `otp: {from: sms}` steps read.
#[derive(Clone)]
pub enum InboxSettings {
    /// Served by the daemon on its own address (a provider posts there).
    Serve {
        listen: SocketAddr,
        token: String,
        twilio_auth_token: Option<String>,
        public_url: Option<String>,
    },
    /// An inbox served elsewhere (`vedetta inbox`).
    Remote { url: String, token: String },
}

impl std::fmt::Debug for InboxSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InboxSettings::Serve { listen, .. } => write!(f, "Serve {{ listen: {listen}, .. }}"),
            InboxSettings::Remote { url, .. } => write!(f, "Remote {{ url: {url}, .. }}"),
        }
    }
}

/// Reads and validates the config at `path`. `opts` gives `${NAME}` values (`--var`,
/// `--secrets`, the environment) for channel URLs and inbox tokens.
pub fn load_config(path: &Path, opts: &LoadOptions) -> Result<MonitorConfig, Vec<Diagnostic>> {
    let text = match std::fs::metadata(path) {
        Ok(m) if m.len() as usize > MAX_FILE_BYTES => {
            return Err(vec![Diagnostic::file_level(
                path,
                "the config file is larger than 1 MiB",
            )]);
        }
        Ok(_) => std::fs::read_to_string(path).map_err(|e| {
            vec![Diagnostic::file_level(
                path,
                format!("cannot read the config: {e}"),
            )]
        })?,
        Err(e) => {
            return Err(vec![Diagnostic::file_level(
                path,
                format!("cannot read the config: {e}"),
            )]);
        }
    };
    parse_config(&text, path, opts)
}

/// Validates a config's text; `path` names it in diagnostics, and relative paths in it are
/// resolved against its folder.
pub fn parse_config(
    text: &str,
    path: &Path,
    opts: &LoadOptions,
) -> Result<MonitorConfig, Vec<Diagnostic>> {
    let f = SourceFile::new(path, text);
    let start = Pos {
        line: 1,
        column: 1,
        length: 1,
    };
    let root = match load(&f)? {
        Some(Node::Mapping(m)) => m,
        None => {
            return Err(vec![f.diagnostic(
                start,
                "empty monitor config",
                "expected `journeys:`",
            )]);
        }
        Some(other) => {
            return Err(vec![f.diagnostic(
                f.pos(&other),
                "a monitor config is a map of keys (journeys:, listen:, …)",
                format!("found {}", kind(&other)),
            )]);
        }
    };
    let base = absolute_dir(path);
    let mut r = Reader::new(opts);
    for (name, value) in &opts.cli_vars {
        r.variables.set(name, value);
        r.defined.insert(name.clone());
    }
    for (name, value) in &opts.secrets {
        r.variables.set_secret(name, value);
        r.defined.insert(name.clone());
    }
    let mut c = ConfigReader { r, f: &f, base };
    c.r.unknown_keys(&f, &root, TOP_KEYS, "a monitor config key");

    let listen = match root.get_node("listen") {
        Some(n) => c.address(n),
        None => DEFAULT_LISTEN.parse().ok(),
    };
    let public_url = root
        .get_node("public_url")
        .and_then(|n| c.http_url(n, false));
    let data_dir = match root.get_node("data_dir") {
        Some(n) => {
            c.r.nonempty_string(&f, n, "a folder")
                .map(|d| c.base.join(d))
        }
        None => Some(c.base.join("vedetta-data")),
    };
    let retention = match root.get_node("retention") {
        Some(n) => c.retention(n),
        None => Some(DEFAULT_RETENTION),
    };
    let concurrency = match root.get_node("concurrency") {
        Some(n) => c
            .count(n, 1, MAX_CONCURRENCY, "browsers at once")
            .map(|n| n as usize),
        None => Some(1),
    };
    let timeout = root.get_node("timeout").and_then(|n| c.r.timeout(&f, n));
    let alerts = match root.get_node("alerts") {
        Some(n) => c.alerts(n, AlertRules::default()),
        None => Some(AlertRules::default()),
    };
    let channels = root
        .get_node("channels")
        .map(|n| c.channels(n))
        .unwrap_or_default();
    let inbox = root.get_node("inbox").and_then(|n| c.inbox(n));
    let sign_key = root.get_node("sign_key").and_then(|n| c.sign_key(n));
    let mut maintenance_names = Vec::new();
    let maintenance = root
        .get_node("maintenance")
        .map(|n| c.maintenance(n, &mut maintenance_names))
        .unwrap_or_default();
    let api_token = root.get_node("api_token").and_then(|n| c.api_token(n));
    let locations = match root.get_node("locations") {
        Some(n) => c.locations(n),
        None => vec![Location::local()],
    };
    let alert_locations = root
        .get_node("alerts")
        .and_then(|n| match n {
            Node::Mapping(m) => m.get_node("locations"),
            _ => None,
        })
        .and_then(|n| c.alert_locations(n, locations.len()));
    let public = root.get_node("public").and_then(|n| c.public(n));
    let journeys = match root.get_node("journeys") {
        Some(n) => c.journeys(n, alerts.unwrap_or_default(), timeout),
        None => {
            c.r.error(
                &f,
                start,
                "missing `journeys:`",
                "a monitor needs journeys to run",
            );
            Vec::new()
        }
    };
    let ConfigReader { r, .. } = c;
    if r.has_errors() {
        return Err(r.into_diagnostics());
    }
    Ok(MonitorConfig {
        file: path.to_path_buf(),
        listen: listen.expect("no errors"),
        public_url,
        data_dir: data_dir.expect("no errors"),
        retention: retention.expect("no errors"),
        concurrency: concurrency.expect("no errors"),
        journeys,
        channels,
        inbox,
        sign_key,
        maintenance,
        maintenance_names,
        api_token,
        locations,
        alert_locations,
        public,
    })
}

fn absolute_dir(config: &Path) -> PathBuf {
    let dir = config.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    std::fs::canonicalize(&dir).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|cwd| cwd.join(&dir))
            .unwrap_or(dir)
    })
}

struct ConfigReader<'o, 'f> {
    r: Reader<'o>,
    f: &'f SourceFile,
    base: PathBuf,
}

impl ConfigReader<'_, '_> {
    fn map<'n>(&mut self, node: &'n Node, expected: &str) -> Option<&'n MarkedMappingNode> {
        self.r.map(self.f, node, expected)
    }

    /// `map`'s `key`; when it is absent, an error at `at` (the mapping's place) saying
    /// "missing `key:`" with `help`.
    fn required<'n>(
        &mut self,
        map: &'n MarkedMappingNode,
        at: Pos,
        key: &str,
        help: &str,
    ) -> Option<&'n Node> {
        let found = map.get_node(key);
        if found.is_none() {
            self.r.error(self.f, at, format!("missing `{key}:`"), help);
        }
        found
    }

    /// A private key file, relative to the config's folder, read now: a key that cannot sign
    /// is found at startup, not at the first failure.
    fn sign_key(&mut self, node: &Node) -> Option<SealKey> {
        let text =
            self.r
                .nonempty_string(self.f, node, "the path of an Ed25519 private key (PEM)")?;
        match SealKey::load(&self.base.join(text)) {
            Ok(key) => Some(key),
            Err(e) => {
                self.r.error(
                    self.f,
                    self.f.pos(node),
                    e.to_string(),
                    "`vedetta evidence keygen` makes a key pair",
                );
                None
            }
        }
    }

    fn address(&mut self, node: &Node) -> Option<SocketAddr> {
        let text = self
            .r
            .nonempty_string(self.f, node, "an address like 127.0.0.1:9090")?;
        match text.trim().parse::<SocketAddr>() {
            Ok(a) => Some(a),
            Err(_) => {
                self.r.error(
                    self.f,
                    self.f.pos(node),
                    format!("invalid address `{text}`"),
                    "expected IP:PORT, like 127.0.0.1:9090 (port 0 picks a free one)",
                );
                None
            }
        }
    }

    /// An http(s) URL, `${NAME}`s filled in (a secret's value never shows in a diagnostic).
    fn http_url(&mut self, node: &Node, template: bool) -> Option<String> {
        let value = if template {
            let t = self.r.nonempty_template(self.f, node, "an http(s) URL")?;
            t.render(&self.r.variables)
        } else {
            self.r.nonempty_string(self.f, node, "an http(s) URL")?
        };
        let value = value.trim().trim_end_matches('/').to_string();
        match url::Url::parse(&value) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Some(value),
            _ => {
                self.r.error(
                    self.f,
                    self.f.pos(node),
                    "expected an http(s) URL",
                    "like https://hooks.example.com/… or http://127.0.0.1:5000/alerts",
                );
                None
            }
        }
    }

    /// A whole number in `min..=max`.
    fn count(&mut self, node: &Node, min: u32, max: u32, what: &str) -> Option<u32> {
        let text = self
            .r
            .string(self.f, node, &format!("a number of {what}"))?;
        match text.trim().parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.r.error(
                    self.f,
                    self.f.pos(node),
                    format!("expected a whole number of {what} from {min} to {max}"),
                    format!("found `{text}`"),
                );
                None
            }
        }
    }

    /// `30d`, `12h`, `90m`: a duration, days allowed.
    fn retention(&mut self, node: &Node) -> Option<Duration> {
        let text = self
            .r
            .nonempty_string(self.f, node, "a duration like 30d or 12h")?;
        let t = text.trim();
        let parsed = match t.strip_suffix('d').map(|n| n.parse::<u64>()) {
            Some(Ok(days)) => days.checked_mul(24 * 3600).map(Duration::from_secs),
            Some(Err(_)) => None,
            None => parse_duration(t),
        };
        match parsed {
            Some(d) if d >= Duration::from_secs(60) => Some(d),
            _ => {
                self.r.error(
                    self.f,
                    self.f.pos(node),
                    format!("invalid retention `{text}`"),
                    "expected a duration of at least 1m, like 30d, 12h or 90m",
                );
                None
            }
        }
    }

    fn alerts(&mut self, node: &Node, inherited: AlertRules) -> Option<AlertRules> {
        let map = self.map(
            node,
            "alert rules: {down_after: N} or {failures: X, window: Y}",
        )?;
        self.r
            .unknown_keys(self.f, map, ALERT_KEYS, "an alert rule");
        let mut rules = inherited;
        let mut ok = true;
        let down_after = map.get_node("down_after");
        let failures = map.get_node("failures");
        let window = map.get_node("window");
        if let (Some(d), Some(_)) = (down_after, failures.or(window)) {
            self.r.error(
                self.f,
                self.f.pos(&Node::from(map.get_key_value("down_after").map(|(k, _)| k.clone()).expect("present"))),
                "`down_after` and `failures`/`window` are two ways of saying when a journey is down",
                "use one of them",
            );
            let _ = d;
            ok = false;
        } else if let Some(n) = down_after {
            match self.count(n, 1, MAX_RULE_RUNS, "failed runs in a row") {
                Some(n) => rules.down = DownRule::Consecutive(n),
                None => ok = false,
            }
        } else if failures.is_some() || window.is_some() {
            let key_pos = |key: &str| map.get_key_value(key).map(|(k, _)| Node::from(k.clone()));
            match (failures, window) {
                (Some(fnode), Some(wnode)) => {
                    let x = self.count(fnode, 1, MAX_RULE_RUNS, "failed runs");
                    let y = self.count(wnode, 1, MAX_RULE_RUNS, "runs");
                    match (x, y) {
                        (Some(x), Some(y)) if x <= y => {
                            rules.down = DownRule::Window {
                                failures: x,
                                runs: y,
                            }
                        }
                        (Some(x), Some(y)) => {
                            self.r.error(
                                self.f,
                                self.f.pos(fnode),
                                format!("{x} failures can never happen in a window of {y} runs"),
                                "`failures` must be at most `window`",
                            );
                            ok = false;
                        }
                        _ => ok = false,
                    }
                }
                (Some(_), None) => {
                    let k = key_pos("failures").expect("present");
                    self.r.error(
                        self.f,
                        self.f.pos(&k),
                        "`failures` needs `window`",
                        "failures within how many runs?",
                    );
                    ok = false;
                }
                (None, _) => {
                    let k = key_pos("window").expect("present");
                    self.r.error(
                        self.f,
                        self.f.pos(&k),
                        "`window` needs `failures`",
                        "how many failures in the window?",
                    );
                    ok = false;
                }
            }
        }
        if let Some(n) = map.get_node("recover_after") {
            match self.count(n, 1, MAX_RULE_RUNS, "passing runs in a row") {
                Some(n) => rules.recover_after = n,
                None => ok = false,
            }
        }
        if let Some(n) = map.get_node("blind_after") {
            match self.count(n, 1, MAX_RULE_RUNS, "error runs in a row") {
                Some(n) => rules.blind_after = n,
                None => ok = false,
            }
        }
        if let Some(n) = map.get_node("degraded_after") {
            match self.count(n, 1, MAX_RULE_RUNS, "slow runs in a row") {
                Some(n) => rules.degraded_after = n,
                None => ok = false,
            }
        }
        ok.then_some(rules)
    }

    fn channels(&mut self, node: &Node) -> Vec<Channel> {
        const EXPECTED: &str =
            "a list of channels: - webhook: URL, - slack: URL, - pagerduty: {…}, …";
        let Node::Sequence(items) = node else {
            self.r.wrong_type(self.f, node, EXPECTED);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let Some(map) = self.map(item, "a channel: {webhook: URL}, {pagerduty: {…}}, …")
            else {
                continue;
            };
            self.r.unknown_keys(
                self.f,
                map,
                CHANNEL_KEYS,
                "a channel: webhook, slack, teams, pagerduty, alertmanager or email",
            );
            if map.len() != 1 {
                self.r.error(
                    self.f,
                    self.f.pos(item),
                    "a channel has one key",
                    "`webhook: URL`, `pagerduty: {routing_key: …}`, … — one per list item",
                );
                continue;
            }
            let Some((key, value)) = map.iter().next() else {
                continue;
            };
            let channel = match key.as_str() {
                "webhook" => self
                    .http_url(value, true)
                    .map(|url| Channel::Webhook { url }),
                "slack" => self.http_url(value, true).map(|url| Channel::Slack { url }),
                "teams" => self.http_url(value, true).map(|url| Channel::Teams { url }),
                "pagerduty" => self.pagerduty(value),
                "alertmanager" => self.alertmanager(value),
                "email" => self.email(value),
                _ => None,
            };
            out.extend(channel);
        }
        out
    }

    /// `{routing_key: …, url: …}`: Events API v2.
    fn pagerduty(&mut self, node: &Node) -> Option<Channel> {
        const KEYS: &[&str] = &["routing_key", "url"];
        let map = self.map(node, "PagerDuty settings: {routing_key: ${PD_ROUTING_KEY}}")?;
        self.r
            .unknown_keys(self.f, map, KEYS, "a PagerDuty setting: routing_key or url");
        let routing_key = self
            .required(
                map,
                self.f.pos(node),
                "routing_key",
                "the Events v2 integration key of a PagerDuty service (e.g. ${PD_ROUTING_KEY})",
            )
            .and_then(|n| {
                self.r
                    .nonempty_template(self.f, n, "the integration's routing key")
                    .map(|t| t.render(&self.r.variables).trim().to_string())
            });
        let url = match map.get_node("url") {
            Some(n) => self.http_url(n, true),
            None => Some(DEFAULT_EVENTS_URL.to_string()),
        };
        Some(Channel::PagerDuty(PagerDuty {
            routing_key: routing_key.filter(|k| !k.is_empty())?,
            url: url?,
        }))
    }

    /// `URL`, or `{url: URL, resend: 1m}`.
    fn alertmanager(&mut self, node: &Node) -> Option<Channel> {
        const KEYS: &[&str] = &["url", "resend"];
        if let Node::Scalar(_) = node {
            let url = self.http_url(node, true)?;
            return Some(Channel::Alertmanager(Alertmanager::new(
                url,
                DEFAULT_RESEND,
            )));
        }
        let map = self.map(node, "an Alertmanager's URL, or {url: URL, resend: 1m}")?;
        self.r
            .unknown_keys(self.f, map, KEYS, "an Alertmanager setting: url or resend");
        let url = self
            .required(
                map,
                self.f.pos(node),
                "url",
                "the Alertmanager's address, like http://127.0.0.1:9093",
            )
            .and_then(|n| self.http_url(n, true));
        let resend = match map.get_node("resend") {
            Some(n) => self.r.timeout(self.f, n),
            None => Some(DEFAULT_RESEND),
        };
        Some(Channel::Alertmanager(Alertmanager::new(url?, resend?)))
    }

    /// `{smtp: URL, from: …, to: […], username, password, security, ca}`.
    fn email(&mut self, node: &Node) -> Option<Channel> {
        const KEYS: &[&str] = &[
            "smtp", "from", "to", "username", "password", "security", "ca",
        ];
        let map = self.map(
            node,
            "e-mail settings: {smtp: \"smtp://mail.example.com:587\", from: …, to: […]}",
        )?;
        self.r.unknown_keys(
            self.f,
            map,
            KEYS,
            "an e-mail setting: smtp, from, to, username, password, security or ca",
        );
        // Every missing key is said, before what is wrong with the others.
        for (key, help) in [
            ("smtp", "the mail server, like smtp://mail.example.com:587"),
            ("from", "the sender, like \"vedetta <vedetta@example.com>\""),
            ("to", "who gets the alerts: an address or a list"),
        ] {
            self.required(map, self.f.pos(node), key, help);
        }
        let server = map.get_node("smtp").and_then(|n| self.smtp_server(n));
        let security = match map.get_node("security") {
            Some(n) => {
                let text = self.r.nonempty_string(self.f, n, "starttls, tls or none")?;
                match text.trim() {
                    "starttls" => Some(SmtpSecurity::StartTls),
                    "tls" => Some(SmtpSecurity::Tls),
                    "none" => Some(SmtpSecurity::None),
                    other => {
                        self.r.error(
                            self.f,
                            self.f.pos(n),
                            format!("invalid security `{other}`"),
                            "expected starttls, tls or none",
                        );
                        None
                    }
                }
            }
            None => server.as_ref().map(|s| s.3),
        };
        let from = map.get_node("from").and_then(|n| self.mailbox(n));
        let to = match map.get_node("to") {
            Some(Node::Sequence(list)) if !list.is_empty() => {
                let all: Vec<_> = list.iter().map(|n| self.mailbox(n)).collect();
                all.into_iter().collect::<Option<Vec<_>>>()
            }
            Some(n @ Node::Scalar(_)) => self.mailbox(n).map(|m| vec![m]),
            Some(n) => {
                self.r
                    .wrong_type(self.f, n, "an address or a non-empty list of addresses");
                None
            }
            None => None,
        };
        let mut text = |key: &str, what: &str| {
            map.get_node(key).map(|n| {
                self.r
                    .nonempty_template(self.f, n, what)
                    .map(|t| t.render(&self.r.variables))
            })
        };
        let username = text("username", "the SMTP login");
        let password = text("password", "the SMTP password (e.g. ${SMTP_PASSWORD})");
        if username.is_some() != password.is_some() {
            self.r.error(
                self.f,
                self.f.pos(node),
                "`username` and `password` go together",
                "give both to log in, or neither",
            );
            return None;
        }
        let ca_pem = match map.get_node("ca") {
            Some(n) => {
                let file = self
                    .r
                    .nonempty_string(self.f, n, "a PEM file of a CA to trust")?;
                match std::fs::read(self.base.join(file.trim())) {
                    Ok(pem) if pem.starts_with(b"-----BEGIN") => Some(Some(pem)),
                    Ok(_) => {
                        self.r.error(
                            self.f,
                            self.f.pos(n),
                            "not a PEM certificate",
                            "expected a file starting with -----BEGIN CERTIFICATE-----",
                        );
                        None
                    }
                    Err(e) => {
                        self.r.error(
                            self.f,
                            self.f.pos(n),
                            format!("cannot read `{file}`: {e}"),
                            "a PEM file, relative to this config",
                        );
                        None
                    }
                }
            }
            None => Some(None),
        };
        let (server, host, port, _) = server?;
        Some(Channel::Email(Email {
            server,
            host,
            port,
            security: security?,
            from: from?,
            to: to?,
            username: username.flatten(),
            password: password.flatten(),
            ca_pem: ca_pem?,
        }))
    }

    /// `smtp://host[:port]` (STARTTLS, 587) or `smtps://host[:port]` (TLS, 465): the URL, host,
    /// port and the security its scheme implies.
    fn smtp_server(&mut self, node: &Node) -> Option<(String, String, u16, SmtpSecurity)> {
        let t = self.r.nonempty_template(
            self.f,
            node,
            "the mail server, like smtp://mail.example.com:587",
        )?;
        let text = t.render(&self.r.variables).trim().to_string();
        let parsed = url::Url::parse(&text)
            .ok()
            .filter(|u| u.host_str().is_some());
        let problem = match &parsed {
            None => Some("expected smtp://HOST[:PORT] (STARTTLS) or smtps://HOST[:PORT] (TLS)"),
            Some(u) if !matches!(u.scheme(), "smtp" | "smtps") => {
                Some("expected smtp://HOST[:PORT] (STARTTLS) or smtps://HOST[:PORT] (TLS)")
            }
            Some(u) if !u.username().is_empty() || u.password().is_some() => {
                Some("no credentials in the URL: give `username:` and `password:`")
            }
            _ => None,
        };
        if let Some(label) = problem {
            self.r
                .error(self.f, self.f.pos(node), "invalid SMTP server", label);
            return None;
        }
        let u = parsed.expect("checked");
        let (security, default_port) = if u.scheme() == "smtps" {
            (SmtpSecurity::Tls, 465)
        } else {
            (SmtpSecurity::StartTls, 587)
        };
        let host = u
            .host_str()
            .expect("checked")
            .trim_matches(['[', ']'])
            .to_string();
        Some((text, host, u.port().unwrap_or(default_port), security))
    }

    /// `name <address>` or `address`.
    fn mailbox(&mut self, node: &Node) -> Option<lettre::message::Mailbox> {
        let t = self.r.nonempty_template(
            self.f,
            node,
            "an e-mail address, like \"Ops <ops@example.com>\"",
        )?;
        let text = t.render(&self.r.variables);
        match text.trim().parse::<lettre::message::Mailbox>() {
            Ok(m) => Some(m),
            Err(_) => {
                self.r.error(
                    self.f,
                    self.f.pos(node),
                    "invalid e-mail address",
                    "expected ops@example.com or \"Ops <ops@example.com>\"",
                );
                None
            }
        }
    }

    /// `- cron: "0 2 * * SUN"` (UTC), `for: 2h`, `journeys: [name, …]` (default: all).
    /// `locations:`: a non-empty list of `{name, webdriver, vars}`, names unique.
    fn locations(&mut self, node: &Node) -> Vec<Location> {
        const EXPECTED: &str =
            "a list of locations: - name: milan, webdriver: http://grid-milan:4444";
        let items = match node {
            Node::Sequence(items) if !items.is_empty() => items,
            _ => {
                self.r.wrong_type(self.f, node, EXPECTED);
                return vec![Location::local()];
            }
        };
        let mut out: Vec<Location> = Vec::new();
        for item in items.iter() {
            let Some(map) = self.map(
                item,
                "a location: {name: milan, webdriver: http://grid-milan:4444}",
            ) else {
                continue;
            };
            self.r.unknown_keys(
                self.f,
                map,
                LOCATION_KEYS,
                "a location setting: name, webdriver or vars",
            );
            let name = self
                .required(
                    map,
                    self.f.pos(item),
                    "name",
                    "a location's name labels its metrics, history and alerts (e.g. milan)",
                )
                .and_then(|n| self.location_name(n));
            if let (Some(n), Some(name)) = (map.get_node("name"), &name)
                && out.iter().any(|l| &l.name == name)
            {
                self.r.error(
                    self.f,
                    self.f.pos(n),
                    format!("two locations are named `{name}`"),
                    "names identify locations in history, metrics and alerts",
                );
            }
            let webdriver = map
                .get_node("webdriver")
                .and_then(|n| self.http_url(n, true));
            let mut vars = Vec::new();
            if let Some(n) = map.get_node("vars") {
                match n {
                    Node::Mapping(m) => {
                        for (k, v) in m.iter() {
                            let key = k.as_str().to_string();
                            if key.is_empty()
                                || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                            {
                                self.r.error(
                                    self.f,
                                    self.f.pos(&Node::from(k.clone())),
                                    format!("invalid variable name `{key}`"),
                                    "letters, digits and `_`, as in ${BANK_URL}",
                                );
                                continue;
                            }
                            if let Some(value) = self.r.string(self.f, v, "a value") {
                                vars.push((key, value));
                            }
                        }
                    }
                    other => self.r.wrong_type(
                        self.f,
                        other,
                        "a map of variables: {BANK_URL: https://…}",
                    ),
                }
            }
            if let Some(name) = name {
                out.push(Location {
                    name,
                    webdriver,
                    vars,
                });
            }
        }
        out
    }

    fn location_name(&mut self, node: &Node) -> Option<String> {
        let name = self.r.nonempty_string(self.f, node, "a location's name")?;
        let name = name.trim().to_string();
        if name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            Some(name)
        } else {
            self.r.error(
                self.f,
                self.f.pos(node),
                format!("invalid location name `{name}`"),
                "letters, digits, `.`, `_` and `-` (it labels metrics and names folders)",
            );
            None
        }
    }

    /// `alerts.locations`: from 1 to the number of locations.
    fn alert_locations(&mut self, node: &Node, locations: usize) -> Option<u32> {
        let max = locations.max(1) as u32;
        let n = self.count(node, 1, MAX_RULE_RUNS, "locations")?;
        if n > max {
            self.r.error(
                self.f,
                self.f.pos(node),
                format!("{n} locations can never see a journey down: there are {max}"),
                format!("`alerts.locations` is at most the number of `locations:` ({max})"),
            );
            return None;
        }
        Some(n)
    }

    fn maintenance(
        &mut self,
        node: &Node,
        names: &mut Vec<(String, usize, usize)>,
    ) -> Vec<ScheduledWindow> {
        const EXPECTED: &str = "a list of windows: - cron: \"0 2 * * SUN\", for: 2h";
        let Node::Sequence(items) = node else {
            self.r.wrong_type(self.f, node, EXPECTED);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let Some(map) = self.map(item, "a window: {cron: \"0 2 * * SUN\", for: 2h}") else {
                continue;
            };
            self.r.unknown_keys(
                self.f,
                map,
                MAINTENANCE_KEYS,
                "a maintenance setting: cron, for or journeys",
            );
            let cron = match map.get_node("cron") {
                Some(c) => self
                    .r
                    .nonempty_string(self.f, c, "a cron pattern like \"0 2 * * SUN\"")
                    .and_then(|pattern| match Schedule::parse_cron(&pattern) {
                        Ok(cron) => Some((cron, pattern.trim().to_string())),
                        Err(e) => {
                            self.r.error(
                                self.f,
                                self.f.pos(c),
                                format!("invalid cron pattern `{pattern}`"),
                                e.to_lowercase(),
                            );
                            None
                        }
                    }),
                None => {
                    self.r.error(
                        self.f,
                        self.f.pos(item),
                        "missing `cron:`",
                        "when the window starts, in UTC (e.g. \"0 2 * * SUN\")",
                    );
                    None
                }
            };
            let duration = self
                .required(
                    map,
                    self.f.pos(item),
                    "for",
                    "how long the window lasts (e.g. 2h)",
                )
                .and_then(|n| self.r.timeout(self.f, n));
            let journeys = match map.get_node("journeys") {
                Some(Node::Sequence(list)) if !list.is_empty() => {
                    let mut these = Vec::new();
                    for n in list.iter() {
                        if let Some(name) = self.r.nonempty_string(self.f, n, "a journey's name") {
                            let pos = self.f.pos(n);
                            names.push((name.clone(), pos.line, pos.column));
                            these.push(name);
                        }
                    }
                    Some(Some(these))
                }
                Some(n) => {
                    self.r
                        .wrong_type(self.f, n, "a non-empty list of journey names");
                    None
                }
                None => Some(None),
            };
            if let (Some((cron, pattern)), Some(duration), Some(journeys)) =
                (cron, duration, journeys)
            {
                out.push(ScheduledWindow {
                    cron: Box::new(cron),
                    pattern,
                    duration,
                    journeys,
                });
            }
        }
        out
    }

    /// The write API's bearer token: long enough to guard it.
    fn api_token(&mut self, node: &Node) -> Option<String> {
        let token = self
            .r
            .nonempty_template(self.f, node, "a bearer token (e.g. ${VEDETTA_API_TOKEN})")?
            .render(&self.r.variables)
            .trim()
            .to_string();
        let distinct = token.chars().collect::<BTreeSet<_>>().len();
        if token.chars().count() < MIN_API_TOKEN_LEN || distinct < 6 {
            self.r.error_help(
                self.f,
                self.f.pos(node),
                "the API token is too weak",
                format!("at least {MIN_API_TOKEN_LEN} characters, not repetitive: it guards the write API"),
                Some("make one with `openssl rand -hex 24`".into()),
            );
            return None;
        }
        Some(token)
    }

    /// `public: {listen, title, language, auto_publish, templates: {title, opened, resolved}}`.
    fn public(&mut self, node: &Node) -> Option<PublicSettings> {
        let map = self.map(node, "public status page settings: {listen: ADDR, …}")?;
        self.r
            .unknown_keys(self.f, map, PUBLIC_KEYS, "a public status page setting");
        let listen = self
            .required(
                map,
                self.f.pos(node),
                "listen",
                "the public page needs an address of its own, like 127.0.0.1:9091",
            )
            .and_then(|n| self.address(n));
        let title = map
            .get_node("title")
            .and_then(|n| self.r.nonempty_string(self.f, n, "the page's title"))
            .unwrap_or_else(|| "Service status".into());
        let language = match map.get_node("language") {
            Some(n) => {
                let code = self.r.nonempty_string(self.f, n, "a language code")?;
                match Language::parse(code.trim()) {
                    Some(l) => l,
                    None => {
                        self.r.error(
                            self.f,
                            self.f.pos(n),
                            format!("unknown language `{code}`"),
                            format!(
                                "the default notices exist in {}; write your own under `templates:`",
                                Language::CODES.join(", ")
                            ),
                        );
                        return None;
                    }
                }
            }
            None => Language::default(),
        };
        let auto_publish = map
            .get_node("auto_publish")
            .and_then(|n| self.r.boolean(self.f, n))
            .unwrap_or(true);
        let mut templates = Templates::defaults(language);
        if let Some(n) = map.get_node("templates") {
            let t = self.map(n, "notice templates: {title, opened, resolved}")?;
            self.r
                .unknown_keys(self.f, t, TEMPLATE_KEYS, "a notice template");
            for (key, slot) in [
                ("title", &mut templates.title),
                ("opened", &mut templates.opened),
                ("resolved", &mut templates.resolved),
            ] {
                if let Some(v) = t.get_node(key)
                    && let Some(text) = self.r.nonempty_string(self.f, v, "a notice template")
                {
                    *slot = text.trim().to_string();
                }
            }
        }
        Some(PublicSettings {
            listen: listen?,
            title: title.trim().to_string(),
            language,
            auto_publish,
            templates,
        })
    }

    fn inbox(&mut self, node: &Node) -> Option<InboxSettings> {
        let map = self.map(
            node,
            "inbox settings: {listen: ADDR, token: …} or {url: URL, token: …}",
        )?;
        self.r
            .unknown_keys(self.f, map, INBOX_KEYS, "an inbox setting");
        let token = self
            .required(
                map,
                self.f.pos(node),
                "token",
                "the inbox needs a bearer token (e.g. ${VEDETTA_INBOX_TOKEN})",
            )
            .and_then(|n| {
                self.r
                    .nonempty_template(self.f, n, "the inbox's bearer token")
                    .map(|t| t.render(&self.r.variables).trim().to_string())
            });
        match (map.get_node("listen"), map.get_node("url")) {
            (Some(_), Some(u)) => {
                self.r.error(
                    self.f,
                    self.f.pos(u),
                    "`listen` and `url` both given",
                    "serve an inbox (listen) or use one served elsewhere (url)",
                );
                None
            }
            (Some(l), None) => {
                let listen = self.address(l);
                let twilio_auth_token = map
                    .get_node("twilio_auth_token")
                    .and_then(|n| self.r.nonempty_template(self.f, n, "Twilio's auth token"))
                    .map(|t| t.render(&self.r.variables));
                let public_url = map
                    .get_node("public_url")
                    .and_then(|n| self.http_url(n, false));
                Some(InboxSettings::Serve {
                    listen: listen?,
                    token: token?,
                    twilio_auth_token,
                    public_url,
                })
            }
            (None, Some(u)) => {
                let url = self.http_url(u, true);
                Some(InboxSettings::Remote {
                    url: url?,
                    token: token?,
                })
            }
            (None, None) => {
                self.r.error(
                    self.f,
                    self.f.pos(node),
                    "the inbox needs `listen:` or `url:`",
                    "where is the inbox?",
                );
                None
            }
        }
    }

    fn journeys(
        &mut self,
        node: &Node,
        alerts: AlertRules,
        timeout: Option<Duration>,
    ) -> Vec<JourneyEntry> {
        const EXPECTED: &str = "a list of journeys: - path: FILE_OR_GLOB, every: 1m";
        let items = match node {
            Node::Sequence(items) if !items.is_empty() => items,
            Node::Sequence(_) => {
                self.r.error(
                    self.f,
                    self.f.pos(node),
                    "no journeys",
                    "a monitor needs at least one journey",
                );
                return Vec::new();
            }
            _ => {
                self.r.wrong_type(self.f, node, EXPECTED);
                return Vec::new();
            }
        };
        let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
        let mut out = Vec::new();
        for item in items.iter() {
            let Some(map) = self.map(item, "a journey: {path: FILE, every: 1m}") else {
                continue;
            };
            self.r
                .unknown_keys(self.f, map, JOURNEY_KEYS, "a journey setting");
            let entry_pos = self.f.pos(item);
            let schedule = self.schedule(item, map);
            let rules = match map.get_node("alerts") {
                Some(n) => {
                    if let Node::Mapping(m) = n
                        && let Some((k, _)) = m.get_key_value("locations")
                    {
                        self.r.error(
                            self.f,
                            self.f.pos(&Node::from(k.clone())),
                            "`locations` is a rule of the whole monitor",
                            "set it in the top-level `alerts:`",
                        );
                    }
                    self.alerts(n, alerts)
                }
                None => Some(alerts),
            };
            let own_timeout = map
                .get_node("timeout")
                .and_then(|n| self.r.timeout(self.f, n));
            let device = match map.get_node("device") {
                Some(n) => match read_device(&mut self.r, self.f, n) {
                    Some(d) => Some(d),
                    None => continue,
                },
                None => None,
            };
            let paths = match map.get_node("path") {
                Some(n) => self.paths(n),
                None => {
                    self.r.error(
                        self.f,
                        entry_pos,
                        "missing `path:`",
                        "which journey file (or glob)?",
                    );
                    continue;
                }
            };
            let (Some(schedule), Some(rules), Some(paths)) = (schedule, rules, paths) else {
                continue;
            };
            let path_node = map.get_node("path").expect("checked");
            for path in paths {
                if !seen.insert(path.clone()) {
                    self.r.error(
                        self.f,
                        self.f.pos(path_node),
                        format!("`{}` is listed twice", path.display()),
                        "each journey file once; a journey runs on one schedule",
                    );
                    continue;
                }
                out.push(JourneyEntry {
                    path,
                    schedule: schedule.clone(),
                    alerts: rules,
                    default_timeout: own_timeout.or(timeout),
                    device: device.clone(),
                    line: entry_pos.line,
                });
            }
        }
        out
    }

    fn schedule(&mut self, item: &Node, map: &MarkedMappingNode) -> Option<Schedule> {
        let jitter = map
            .get_node("jitter")
            .and_then(|n| self.r.duration(self.f, n));
        let jitter_bad = map.get_node("jitter").is_some() && jitter.is_none();
        match (map.get_node("every"), map.get_node("cron")) {
            (Some(_), Some(c)) => {
                self.r.error(
                    self.f,
                    self.f.pos(c),
                    "`every` and `cron` both given",
                    "one schedule per journey",
                );
                None
            }
            (None, None) => {
                self.r.error(
                    self.f,
                    self.f.pos(item),
                    "no schedule",
                    "add `every: 1m` or `cron: \"*/5 * * * *\"`",
                );
                None
            }
            (Some(e), None) => {
                let period = self.r.duration(self.f, e)?;
                if period < MIN_PERIOD {
                    self.r.error(
                        self.f,
                        self.f.pos(e),
                        "`every` must be at least 1s",
                        "a browser needs time to walk a journey",
                    );
                    return None;
                }
                if jitter_bad {
                    return None;
                }
                let jitter = jitter.unwrap_or_else(|| Schedule::default_jitter(period));
                if jitter >= period {
                    let n = map
                        .get_node("jitter")
                        .expect("given when it exceeds the period");
                    self.r.error(
                        self.f,
                        self.f.pos(n),
                        "jitter must be shorter than `every`",
                        "runs would overlap their next slot",
                    );
                    return None;
                }
                Some(Schedule::Every { period, jitter })
            }
            (None, Some(c)) => {
                let pattern =
                    self.r
                        .nonempty_string(self.f, c, "a cron pattern like \"*/5 * * * *\"")?;
                if jitter_bad {
                    return None;
                }
                match Schedule::parse_cron(&pattern) {
                    Ok(cron) => Some(Schedule::Cron {
                        cron: Box::new(cron),
                        pattern: pattern.trim().to_string(),
                        jitter: jitter.unwrap_or_default(),
                    }),
                    Err(e) => {
                        self.r.error(
                            self.f,
                            self.f.pos(c),
                            format!("invalid cron pattern `{pattern}`"),
                            e.to_lowercase(),
                        );
                        None
                    }
                }
            }
        }
    }

    /// A journey file or a glob, relative to the config's folder; every match, sorted.
    fn paths(&mut self, node: &Node) -> Option<Vec<PathBuf>> {
        let text = self.r.nonempty_string(
            self.f,
            node,
            "a journey file or a glob like journeys/*.yaml",
        )?;
        let joined = self.base.join(text.trim());
        if !text.contains(['*', '?', '[']) {
            if !joined.is_file() {
                self.r.error(
                    self.f,
                    self.f.pos(node),
                    format!("no journey file `{text}`"),
                    format!("looked for {}", joined.display()),
                );
                return None;
            }
            return Some(vec![joined]);
        }
        let pattern = joined.to_string_lossy().to_string();
        match glob::glob(&pattern) {
            Ok(paths) => {
                let mut found: Vec<PathBuf> = paths
                    .filter_map(Result::ok)
                    .filter(|p| p.is_file())
                    .collect();
                found.sort();
                if found.is_empty() {
                    self.r.error(
                        self.f,
                        self.f.pos(node),
                        format!("no file matches `{text}`"),
                        format!("looked for {pattern}"),
                    );
                    return None;
                }
                Some(found)
            }
            Err(e) => {
                self.r.error(
                    self.f,
                    self.f.pos(node),
                    format!("invalid glob `{text}`"),
                    e.msg.to_string(),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each case's text (before `journeys`) is refused with its message at its `line:column`.
    fn assert_errors_at(dir: &Path, journeys: &str, cases: &[(&str, &str, &str)]) {
        for (text, message, at) in cases {
            let text = format!("{text}{journeys}");
            let err = parse_in(dir, &text).unwrap_err();
            assert!(err.contains(message), "{text:?} → {err}");
            let at = format!("monitor.yaml:{at}");
            assert!(err.contains(&at), "{text:?}: expected {at} in\n{err}");
        }
    }

    fn parse_in(dir: &Path, text: &str) -> Result<MonitorConfig, String> {
        let opts =
            LoadOptions::with_env([("HOOK".to_string(), "http://127.0.0.1:5/h".to_string())]);
        parse_config(text, &dir.join("monitor.yaml"), &opts).map_err(|ds| {
            ds.iter()
                .map(|d| d.render(false))
                .collect::<Vec<_>>()
                .join("")
        })
    }

    fn dir_with_journeys() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("j")).unwrap();
        for name in ["a", "b"] {
            std::fs::write(
                dir.path().join(format!("j/{name}.yaml")),
                "name: x\nsteps: []\n",
            )
            .unwrap();
        }
        dir
    }

    #[test]
    fn a_full_config_reads_with_defaults_and_globs() {
        let dir = dir_with_journeys();
        let c = parse_in(
            dir.path(),
            "listen: 127.0.0.1:0\nconcurrency: 2\nalerts: {failures: 2, window: 3, recover_after: 2}\n\
             channels:\n  - webhook: ${HOOK}\n  - slack: https://hooks.example.com/T/1\n\
             journeys:\n  - path: j/a*.yaml\n    every: 1m\n  - path: j/b.yaml\n    cron: '*/5 * * * *'\n",
        );
        let c = c.unwrap();
        assert_eq!(c.concurrency, 2);
        assert_eq!(c.journeys.len(), 2);
        assert!(c.journeys[0].path.ends_with("j/a.yaml"));
        assert_eq!(
            c.journeys[0].alerts.down,
            DownRule::Window {
                failures: 2,
                runs: 3
            }
        );
        assert_eq!(c.journeys[0].alerts.recover_after, 2);
        assert_eq!(c.journeys[0].alerts.degraded_after, 2, "the default");
        let slow = parse_in(
            dir.path(),
            "alerts: {degraded_after: 3}\njourneys:\n  - path: j/a.yaml\n    every: 1m\n    alerts: {degraded_after: 1}\n  - path: j/b.yaml\n    every: 1m\n",
        )
        .unwrap();
        assert_eq!(
            (
                slow.journeys[0].alerts.degraded_after,
                slow.journeys[1].alerts.degraded_after
            ),
            (1, 3)
        );
        assert!(
            matches!(c.journeys[0].schedule, Schedule::Every { jitter, .. } if jitter == Duration::from_secs(6))
        );
        assert_eq!(c.channels.len(), 2);
        assert_eq!(c.channels[0].url(), "http://127.0.0.1:5/h");
        assert_eq!(
            c.data_dir,
            dir.path().canonicalize().unwrap().join("vedetta-data")
        );
        assert_eq!(c.retention, DEFAULT_RETENTION);
    }

    #[test]
    fn a_journey_entry_may_run_its_journeys_on_a_device() {
        let dir = dir_with_journeys();
        let c = parse_in(
            dir.path(),
            "journeys:\n  - path: j/a.yaml\n    every: 1m\n    device: Pixel 7\n  - path: j/b.yaml\n    every: 1m\n",
        )
        .unwrap();
        assert_eq!(
            c.journeys[0].device.as_ref().map(|d| (d.width, d.height)),
            Some((412, 915))
        );
        assert_eq!(c.journeys[1].device, None);
        let e = parse_in(
            dir.path(),
            "journeys:\n  - path: j/a.yaml\n    every: 1m\n    device: Galaxy S8+\n",
        )
        .unwrap_err();
        assert!(e.contains("monitor.yaml:4:13"), "{e}");
        assert!(e.contains("did you mean `Samsung Galaxy S8+`?"), "{e}");
    }

    #[test]
    fn problems_point_at_line_and_column() {
        let dir = dir_with_journeys();
        let cases: &[(&str, &str)] = &[
            (
                "journeys:\n  - path: j/a.yaml\n    evry: 1m\n",
                "unknown key `evry`\n --> ",
            ),
            (
                "journeys:\n  - path: j/a.yaml\n    every: 1 minute\n",
                "invalid duration `1 minute`",
            ),
            (
                "journeys:\n  - path: j/a.yaml\n    cron: '61 * * * *'\n",
                "invalid cron pattern",
            ),
            (
                "journeys:\n  - path: j/none*.yaml\n    every: 1m\n",
                "no file matches `j/none*.yaml`",
            ),
            (
                "listen: localhost\njourneys:\n  - path: j/a.yaml\n    every: 1m\n",
                "invalid address `localhost`",
            ),
            (
                "alerts: {down_after: 0}\njourneys:\n  - path: j/a.yaml\n    every: 1m\n",
                "from 1 to 1000",
            ),
            (
                "channels:\n  - slack: ${NOPE}\njourneys:\n  - path: j/a.yaml\n    every: 1m\n",
                "undefined variable `NOPE`",
            ),
            (
                "journeys:\n  - path: j/a.yaml\n    every: 10s\n    jitter: 10s\n",
                "jitter must be shorter",
            ),
            (
                "journeys:\n  - path: j/*.yaml\n    every: 1m\n  - path: j/a.yaml\n    every: 1m\n",
                "is listed twice",
            ),
            (
                "journeys:\n  - path: j/a.yaml\n    every: 1m\n    cron: '* * * * *'\n",
                "`every` and `cron` both given",
            ),
        ];
        let expected_at = [
            (3, 5),
            (3, 12),
            (3, 11),
            (2, 11),
            (1, 9),
            (1, 22),
            (2, 12),
            (4, 13),
            (4, 11),
            (4, 11),
        ];
        for ((text, message), (line, col)) in cases.iter().zip(expected_at) {
            let err = parse_in(dir.path(), text).unwrap_err();
            assert!(err.contains(message), "{text:?} → {err}");
            let at = format!("monitor.yaml:{line}:{col}");
            assert!(err.contains(&at), "{text:?}: expected {at} in\n{err}");
        }
    }

    #[test]
    fn every_channel_reads_with_its_defaults() {
        let dir = dir_with_journeys();
        let opts = LoadOptions::with_env([
            ("PD_KEY".to_string(), "R0UTINGKEY".to_string()),
            ("SMTP_PASSWORD".to_string(), "s3cret pass".to_string()),
        ]);
        let text = "channels:\n\
             \x20 - teams: https://example.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=abc\n\
             \x20 - pagerduty: { routing_key: \"${PD_KEY}\" }\n\
             \x20 - alertmanager: http://127.0.0.1:9093/\n\
             \x20 - alertmanager: { url: http://127.0.0.1:9094, resend: 30s }\n\
             \x20 - email: { smtp: \"smtp://mail.example.com\", from: \"vedetta <v@example.com>\", to: [ops@example.com, b@example.com], username: v, password: \"${SMTP_PASSWORD}\" }\n\
             \x20 - email: { smtp: \"smtps://mail.example.com\", from: v@example.com, to: ops@example.com }\n\
             \x20 - email: { smtp: \"smtp://127.0.0.1:2525\", from: v@example.com, to: ops@example.com, security: none }\n\
             journeys:\n  - path: j/a.yaml\n    every: 1m\n";
        let c = parse_config(text, &dir.path().join("monitor.yaml"), &opts).unwrap();
        assert_eq!(c.channels.len(), 7);
        assert!(matches!(&c.channels[0], Channel::Teams { url } if url.ends_with("sig=abc")));
        match &c.channels[1] {
            Channel::PagerDuty(p) => {
                assert_eq!(p.routing_key, "R0UTINGKEY");
                assert_eq!(p.url, DEFAULT_EVENTS_URL);
            }
            other => panic!("{other:?}"),
        }
        match (&c.channels[2], &c.channels[3]) {
            (Channel::Alertmanager(a), Channel::Alertmanager(b)) => {
                assert_eq!(a.endpoint(), "http://127.0.0.1:9093/api/v2/alerts");
                assert_eq!(a.resend, DEFAULT_RESEND);
                assert_eq!(b.resend, Duration::from_secs(30));
            }
            other => panic!("{other:?}"),
        }
        let emails: Vec<&Email> = c
            .channels
            .iter()
            .filter_map(|c| match c {
                Channel::Email(e) => Some(e),
                _ => None,
            })
            .collect();
        assert_eq!(
            emails
                .iter()
                .map(|e| (e.port, e.security))
                .collect::<Vec<_>>(),
            [
                (587, SmtpSecurity::StartTls),
                (465, SmtpSecurity::Tls),
                (2525, SmtpSecurity::None)
            ]
        );
        assert_eq!(emails[0].to.len(), 2);
        assert_eq!(emails[0].password.as_deref(), Some("s3cret pass"));
        // Printing a channel never shows a secret.
        let printed = format!("{:?}", c.channels);
        assert!(
            !printed.contains("R0UTINGKEY")
                && !printed.contains("s3cret")
                && !printed.contains("sig=abc"),
            "{printed}"
        );
    }

    #[test]
    fn channel_problems_point_at_line_and_column() {
        let dir = dir_with_journeys();
        let journeys = "journeys:\n  - path: j/a.yaml\n    every: 1m\n";
        let cases: &[(&str, &str, &str)] = &[
            (
                "channels:\n  - pagerduti: { routing_key: x }\n",
                "unknown key `pagerduti`",
                "2:5",
            ),
            (
                "channels:\n  - pagerduty: { routing_key: x, sevrity: high }\n",
                "unknown key `sevrity`",
                "2:34",
            ),
            (
                "channels:\n  - pagerduty: { url: http://127.0.0.1:1/ }\n",
                "missing `routing_key:`",
                "2:16",
            ),
            (
                "channels:\n  - alertmanager: { url: http://127.0.0.1:1, resend: 0s }\n",
                "more than 0",
                "2:54",
            ),
            (
                "channels:\n  - email: { smtp: \"smtp://u:p@h\", from: a@b.c, to: d@e.f }\n",
                "invalid SMTP server",
                "2:20",
            ),
            (
                "channels:\n  - email: { smtp: \"http://h\", from: a@b.c, to: d@e.f }\n",
                "invalid SMTP server",
                "2:20",
            ),
            (
                "channels:\n  - email: { smtp: \"smtp://h\", to: d@e.f }\n",
                "missing `from:`",
                "2:12",
            ),
            (
                "channels:\n  - email: { smtp: \"smtp://h\", from: nobody, to: d@e.f }\n",
                "invalid e-mail address",
                "2:38",
            ),
            (
                "channels:\n  - email: { smtp: \"smtp://h\", from: a@b.c, to: d@e.f, security: maybe }\n",
                "invalid security `maybe`",
                "2:66",
            ),
            (
                "channels:\n  - email: { smtp: \"smtp://h\", from: a@b.c, to: d@e.f, username: u }\n",
                "`username` and `password` go together",
                "2:12",
            ),
        ];
        assert_errors_at(dir.path(), journeys, cases);
    }

    #[test]
    fn locations_read_in_order_and_their_problems_point_at_their_place() {
        let dir = dir_with_journeys();
        let journeys = "journeys:\n  - path: j/a.yaml\n    every: 1m\n";
        let c = parse_in(dir.path(), journeys).unwrap();
        assert_eq!(
            c.locations,
            vec![Location::local()],
            "one, local, by default"
        );
        assert_eq!(c.alert_locations, None);
        let c = parse_in(
            dir.path(),
            &format!(
                "locations:\n  - name: milan\n    webdriver: http://127.0.0.1:4444/\n    vars: {{BANK_URL: http://127.0.0.1:1}}\n  - name: paris\nalerts: {{locations: 1}}\n{journeys}"
            ),
        )
        .unwrap();
        assert_eq!(c.locations.len(), 2);
        assert_eq!(c.locations[0].name, "milan");
        assert_eq!(
            c.locations[0].webdriver.as_deref(),
            Some("http://127.0.0.1:4444")
        );
        assert_eq!(
            c.locations[0].vars,
            [("BANK_URL".to_string(), "http://127.0.0.1:1".to_string())]
        );
        assert_eq!(c.locations[1].webdriver, None, "none: the local driver");
        assert_eq!(c.alert_locations, Some(1));

        let err = parse_in(
            dir.path(),
            &format!(
                "locations:\n  - name: milan\n    webdriver: grid-milan\n  - name: milan\n  - name: a b\nalerts: {{locations: 3}}\n{journeys}"
            ),
        )
        .unwrap_err();
        assert!(err.contains("monitor.yaml:3:16"), "bad URL: {err}");
        assert!(err.contains("expected an http(s) URL"), "{err}");
        assert!(err.contains("monitor.yaml:4:11"), "duplicate: {err}");
        assert!(err.contains("two locations are named `milan`"), "{err}");
        assert!(err.contains("invalid location name `a b`"), "{err}");
        assert!(err.contains("monitor.yaml:6:21"), "quorum: {err}");
        assert!(
            err.contains("3 locations can never see a journey down: there are 2"),
            "{err}"
        );

        let err = parse_in(
            dir.path(),
            "journeys:\n  - path: j/a.yaml\n    every: 1m\n    alerts: {locations: 1}\n",
        )
        .unwrap_err();
        assert!(
            err.contains("`locations` is a rule of the whole monitor"),
            "{err}"
        );
    }

    #[test]
    fn the_public_page_reads_with_its_defaults_and_its_problems_point_at_their_place() {
        let dir = dir_with_journeys();
        let journeys = "journeys:\n  - path: j/a.yaml\n    every: 1m\n";
        let c = parse_in(
            dir.path(),
            &format!("public:\n  listen: 127.0.0.1:9091\n{journeys}"),
        )
        .unwrap();
        let p = c.public.unwrap();
        assert_eq!(p.listen.to_string(), "127.0.0.1:9091");
        assert!(p.auto_publish);
        assert_eq!(p.language, Language::English);
        assert_eq!(p.title, "Service status");
        let c = parse_in(
            dir.path(),
            &format!(
                "public:\n  listen: 127.0.0.1:0\n  language: it\n  auto_publish: false\n  templates:\n    opened: \"{{components}}: ci stiamo lavorando.\"\n{journeys}"
            ),
        )
        .unwrap();
        let p = c.public.unwrap();
        assert_eq!(p.language, Language::Italian);
        assert!(!p.auto_publish);
        assert_eq!(p.templates.opened, "{components}: ci stiamo lavorando.");
        assert!(p.templates.resolved.contains("funziona di nuovo"));

        let cases: &[(&str, &str, &str)] = &[
            ("public:\n  title: x\n", "missing `listen:`", "2:3"),
            ("public:\n  listen: nowhere\n", "invalid address", "2:11"),
            (
                "public:\n  listen: 127.0.0.1:0\n  language: fr\n",
                "unknown language `fr`",
                "3:13",
            ),
            (
                "public:\n  listen: 127.0.0.1:0\n  auto_publish: maybe\n",
                "expected true or false",
                "3:17",
            ),
            (
                "public:\n  listen: 127.0.0.1:0\n  templates: { opend: x }\n",
                "unknown key `opend`",
                "3:16",
            ),
            (
                "public:\n  listn: 127.0.0.1:0\n",
                "unknown key `listn`",
                "2:3",
            ),
        ];
        assert_errors_at(dir.path(), journeys, cases);
    }

    #[test]
    fn maintenance_windows_and_the_api_token_read_and_their_problems_point_at_their_place() {
        let dir = dir_with_journeys();
        let journeys = "journeys:\n  - path: j/a.yaml\n    every: 1m\n";
        let c = parse_in(
            dir.path(),
            &format!(
                "api_token: 0123456789abcdef0123\nmaintenance:\n  - cron: \"0 2 * * SUN\"\n    for: 2h\n    journeys: [x, y]\n  - cron: \"@daily\"\n    for: 30m\n{journeys}"
            ),
        )
        .unwrap();
        assert_eq!(c.maintenance.len(), 2);
        assert_eq!(c.maintenance[0].duration, Duration::from_secs(7200));
        assert_eq!(
            c.maintenance[0].journeys.as_deref(),
            Some(&["x".to_string(), "y".to_string()][..])
        );
        assert_eq!(c.maintenance[1].journeys, None);
        assert_eq!(
            c.maintenance_names,
            [("x".to_string(), 5, 16), ("y".to_string(), 5, 19)]
        );
        assert_eq!(c.api_token.as_deref(), Some("0123456789abcdef0123"));

        let cases: &[(&str, &str, &str)] = &[
            (
                "maintenance:\n  - cron: \"0 2 * * SUN\"\n",
                "missing `for:`",
                "2:5",
            ),
            ("maintenance:\n  - for: 2h\n", "missing `cron:`", "2:5"),
            (
                "maintenance:\n  - cron: \"0 25 * * *\"\n    for: 1h\n",
                "invalid cron pattern",
                "2:11",
            ),
            (
                "maintenance:\n  - cron: \"@daily\"\n    for: 0s\n",
                "more than 0",
                "3:10",
            ),
            (
                "maintenance:\n  - cron: \"@daily\"\n    for: 1h\n    journys: [a]\n",
                "unknown key `journys`",
                "4:5",
            ),
            (
                "api_token: aaaaaaaaaaaaaaaaaaaa\n",
                "the API token is too weak",
                "1:12",
            ),
        ];
        assert_errors_at(dir.path(), journeys, cases);
    }

    #[test]
    fn missing_journeys_and_wrong_shapes_are_errors_not_panics() {
        let dir = dir_with_journeys();
        for text in [
            "",
            "[]",
            "journeys: {}",
            "journeys: []",
            "journeys:\n  - every: 1m\n",
            "alerts: {failures: 3}\njourneys: []",
        ] {
            assert!(parse_in(dir.path(), text).is_err(), "{text:?}");
        }
    }
}
