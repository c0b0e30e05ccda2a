//! Warm browsers, a fresh browser context per journey (`--isolation context`, the default):
//! real Chromium against a site served here. Journey A leaves every kind of browser state
//! behind — a cookie, localStorage, sessionStorage, IndexedDB, Cache Storage, an HTTP-cached
//! response, a service worker — and journey B, next in the same browser (`jobs: 1`), finds
//! none of it; B's network.har and console log hold nothing of A's; a retry gets a fresh
//! context too; a browser that dies mid-journey ends only that journey as `error`, and the
//! next journey gets a fresh browser and passes; Firefox falls back to a session per journey
//! and says so in the `-v` log; `--isolation session` walks each journey in a browser of its
//! own. A headless run walks in Chromium's headless shell; isolation holds in the full browser
//! too.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use tokio_util::sync::CancellationToken;

use common::{journey, options, run_with};
use vedetta::browser::driver::{drivers, proc_stat};
use vedetta::browser::{BrowserConfig, Isolation};
use vedetta::runner::result::{JourneyStatus, StepStatus};

/// Journey A's page: every kind of state a site can leave in a browser, then `#done`; it keeps
/// requesting and logging until its tab is closed.
const SET_PAGE: &str = r#"<!doctype html><title>set</title><body><script>
(async () => {
  document.cookie = "pool_cookie=a; max-age=3600; path=/";
  localStorage.setItem("pool_local", "a");
  sessionStorage.setItem("pool_session", "a");
  await new Promise((ok, fail) => {
    const open = indexedDB.open("pool_db", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("s");
    open.onsuccess = () => {
      const tx = open.result.transaction("s", "readwrite");
      tx.objectStore("s").put("a", "k");
      tx.oncomplete = () => { open.result.close(); ok(); };
      tx.onerror = fail;
    };
    open.onerror = fail;
  });
  await (await caches.open("pool_cache")).put("/pool-cached-entry", new Response("a"));
  await fetch("/cached");
  const reg = await navigator.serviceWorker.register("/sw.js");
  await navigator.serviceWorker.ready;
  console.log("message-of-journey-a");
  setInterval(() => { fetch("/a-only"); console.log("late-message-of-journey-a"); }, 50);
  const done = document.createElement("p");
  done.id = "done";
  done.textContent = "done";
  document.body.append(done);
})().catch((e) => { document.title = "failed: " + e; });
</script></body>"#;

/// Journey B's page: what it finds of the state A left, as `#found` ("none" when nothing).
const CHECK_PAGE: &str = r#"<!doctype html><title>check</title><body><p id="found"></p><script>
(async () => {
  const found = [];
  if (document.cookie.includes("pool_cookie")) found.push("cookie");
  if (localStorage.getItem("pool_local") !== null) found.push("localStorage");
  if (sessionStorage.getItem("pool_session") !== null) found.push("sessionStorage");
  const dbs = await indexedDB.databases();
  if (dbs.some((d) => d.name === "pool_db")) found.push("IndexedDB");
  if ((await caches.keys()).includes("pool_cache")) found.push("Cache Storage");
  if ((await navigator.serviceWorker.getRegistrations()).length > 0) found.push("service worker");
  await fetch("/cached");
  console.log("message-of-journey-b");
  document.getElementById("found").textContent = found.length ? found.join(", ") : "none";
})().catch((e) => { document.getElementById("found").textContent = "error: " + e; });
</script></body>"#;

/// A page that counts how often it lost the focus or was hidden, and shows `#late` after
/// 600 ms (a journey waits for it: the moment the next journey's context is made).
const FOCUS_PAGE: &str = r#"<!doctype html><title>focus</title><body><script>
window.blurs = 0;
window.hides = 0;
addEventListener("blur", () => blurs++);
document.addEventListener("visibilitychange", () => { if (document.hidden) hides++; });
setTimeout(() => {
  const late = document.createElement("p");
  late.id = "late";
  late.textContent = "late";
  document.body.append(late);
}, 600);
</script></body>"#;

/// The page's geolocation permission as it is now, in `#state` (`prompt`, `granted`, `denied`).
const PERMISSION_PAGE: &str = r#"<!doctype html><title>permission</title><body><p id="state"></p><script>
setInterval(() => navigator.permissions.query({ name: "geolocation" })
  .then((p) => { document.getElementById("state").textContent = p.state; }), 50);
</script></body>"#;

/// The site, and how often `/cached` (cacheable for an hour) was asked of it.
struct Site {
    base: String,
    cached_hits: Arc<AtomicUsize>,
    stop: CancellationToken,
}

impl Drop for Site {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn serve() -> Site {
    let hits = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route("/set", get(|| async { Html(SET_PAGE) }))
        .route("/check", get(|| async { Html(CHECK_PAGE) }))
        .route("/focus", get(|| async { Html(FOCUS_PAGE) }))
        .route("/permission", get(|| async { Html(PERMISSION_PAGE) }))
        .route(
            "/cached",
            get(|State(hits): State<Arc<AtomicUsize>>| async move {
                hits.fetch_add(1, Ordering::SeqCst);
                (
                    [(header::CACHE_CONTROL, "public, max-age=3600")],
                    "cacheable",
                )
            }),
        )
        .route(
            "/sw.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript")],
                    "self.addEventListener('fetch', () => {});",
                )
                    .into_response()
            }),
        )
        .route("/a-only", get(|| async { "a" }))
        .route(
            "/once",
            get(|State(s): State<Arc<AtomicUsize>>| async move {
                // Counted apart from /cached: the high bits.
                let n = s.fetch_add(1 << 20, Ordering::SeqCst) >> 20;
                Html(if n == 0 {
                    "<p>first</p>"
                } else {
                    "<p id=ok>again</p>"
                })
            }),
        )
        .with_state(hits.clone());
    let (addr, stop) = crate::monitor_support::serve_app(app).await;
    Site {
        base: format!("http://{addr}"),
        cached_hits: hits,
        stop,
    }
}

/// Opens /set; then, in the same context, /check finds everything (the checks can fail).
fn journey_a(name: &str, base: &str) -> vedetta::journey::model::Journey {
    let yaml = format!(
        "name: {name}\nbase_url: ${{BASE}}\ntimeout: 20s\nsteps:\n  - open: /set\n  - wait_for: '#done'\n  - open: /check\n  - assert_text: {{ '#found': 'cookie, localStorage, sessionStorage, IndexedDB, Cache Storage, service worker' }}\n"
    );
    journey(name, &yaml, &[("BASE", base)])
}

/// Opens /check and finds nothing; its page is exactly its own viewport (not the browser's).
fn journey_b(name: &str, base: &str) -> vedetta::journey::model::Journey {
    let yaml = format!(
        "name: {name}\nbase_url: ${{BASE}}\ntimeout: 20s\nviewport: 640x480\nsteps:\n  - open: /check\n  - assert_text: {{ '#found': none }}\n  - script: \"if (innerWidth !== 640 || innerHeight !== 480) throw new Error('viewport ' + innerWidth + 'x' + innerHeight)\"\n"
    );
    journey(name, &yaml, &[("BASE", base)])
}

/// Walks `journeys` (`jobs: 1`) in a pool of the test's own, as the monitor walks its runs in
/// its own: the pool's browsers are still up when this returns, to be looked at; the caller
/// shuts the pool.
async fn run_in_own_pool(
    journeys: Vec<vedetta::journey::model::Journey>,
    out: &Path,
) -> (
    vedetta::runner::result::RunReport,
    Arc<vedetta::browser::BrowserPool>,
) {
    let pool = vedetta::browser::BrowserPool::new(BrowserConfig::default());
    let mut opts = options(out);
    opts.browsers = Some(pool.clone());
    let (events, _) = tokio::sync::mpsc::unbounded_channel();
    let report = vedetta::runner::run(journeys, opts, events, CancellationToken::new()).await;
    (report, pool)
}

/// Every journey passed, and which of them walked in a warm browser (started for an earlier
/// journey) rather than waiting for one to start.
fn assert_passed_in_warm_browsers(report: &vedetta::runner::result::RunReport, warm: &[bool]) {
    for j in &report.journeys {
        assert_eq!(j.status, JourneyStatus::Passed, "{j:#?}");
    }
    let walked_warm: Vec<bool> = report
        .journeys
        .iter()
        .map(|j| j.browser_start_ms == 0)
        .collect();
    assert_eq!(walked_warm, warm, "which journeys found a browser waiting");
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// In the browser a headless run starts by default: Chromium's headless shell.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_journey_in_a_warm_browser_finds_nothing_the_last_one_left() {
    a_warm_browser_s_next_journey_finds_nothing_of_the_last("pool-iso", None).await;
}

/// In the full browser, as `--browser-binary /usr/bin/chromium` (or `--headed`) runs it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_the_full_browser_the_next_journey_finds_nothing_the_last_one_left() {
    a_warm_browser_s_next_journey_finds_nothing_of_the_last(
        "pool-full",
        Some(common::FULL_CHROMIUM),
    )
    .await;
}

async fn a_warm_browser_s_next_journey_finds_nothing_of_the_last(
    prefix: &str,
    browser_binary: Option<&str>,
) {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    // C fails on purpose, so that its evidence folder keeps its network.har and console log.
    let c_name = format!("{prefix}-c");
    let c = journey(
        &c_name,
        &format!(
            "name: {c_name}\nbase_url: ${{BASE}}\ntimeout: 20s\nsteps:\n  - open: /check\n  - wait_for: {{ text: 'none' }}\n  - name: fails on purpose\n    wait_for: '#never'\n    timeout: 300ms\n"
        ),
        &[("BASE", &site.base)],
    );
    // A walks in the fresh browser's own tab, everything after it in contexts of its own: B
    // finds nothing of A's, and B2 nothing of A2's — one context hides nothing from the next.
    let journeys = vec![
        journey_a(&format!("{prefix}-a"), &site.base),
        journey_b(&format!("{prefix}-b"), &site.base),
        journey_a(&format!("{prefix}-a2"), &site.base),
        journey_b(&format!("{prefix}-b2"), &site.base),
        c,
    ];
    let mut opts = options(out.path());
    opts.browser.browser_binary = browser_binary.map(PathBuf::from);
    let ran = run_with(journeys, opts, CancellationToken::new()).await;
    let [a, b, a2, b2, c] = &ran.report.journeys[..] else {
        panic!("five journeys: {:#?}", ran.report)
    };
    assert_eq!(a.status, JourneyStatus::Passed, "{a:#?}");
    assert_eq!(a2.status, JourneyStatus::Passed, "{a2:#?}");
    // Nothing of A's: no cookie, storage, database, cache or service worker.
    assert_eq!(b.status, JourneyStatus::Passed, "{b:#?}");
    assert_eq!(b2.status, JourneyStatus::Passed, "{b2:#?}");
    // Not from the HTTP cache either: A's and A2's second /cached came from their cache, B's,
    // B2's and C's reached the site.
    assert_eq!(site.cached_hits.load(Ordering::SeqCst) & 0xFFFFF, 5);
    // One warm browser served them all.
    assert_eq!(
        drivers()
            .iter()
            .filter(|d| d.label.starts_with(&format!("{prefix}-")))
            .count(),
        1
    );

    // C's evidence: its own requests and console messages, none of A's.
    assert_eq!(c.status, JourneyStatus::Failed, "{c:#?}");
    assert_eq!(c.steps[1].status, StepStatus::Passed, "{c:#?}");
    let mut files = Vec::new();
    files_under(out.path(), &mut files);
    let har_path = files
        .iter()
        .find(|f| f.ends_with(format!("{c_name}/network.har")))
        .unwrap_or_else(|| panic!("no network.har for C among {files:#?}"));
    let har = std::fs::read_to_string(har_path).unwrap();
    assert!(har.contains("/check"), "{har}");
    assert!(!har.contains("/set"), "A's page in C's HAR: {har}");
    assert!(!har.contains("/a-only"), "A's request in C's HAR: {har}");
    let console_path = files
        .iter()
        .find(|f| {
            f.to_string_lossy().contains(&format!("{c_name}/"))
                && f.to_string_lossy().ends_with(".console.txt")
        })
        .unwrap_or_else(|| panic!("no console log for C among {files:#?}"));
    let console = std::fs::read_to_string(console_path).unwrap();
    assert!(console.contains("message-of-journey-b"), "{console}");
    assert!(
        !console.contains("journey-a"),
        "A's message in C's console: {console}"
    );
}

/// The next journey's context is made ahead, while a journey waits for its site: in the
/// background — the page in use keeps the focus and stays visible — and only for a journey
/// still to come in a browser like it: the last desktop journey leaves no context behind,
/// though a journey with a device comes after it (it walks in a phone browser).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_context_is_made_ahead_and_the_page_in_use_keeps_the_focus() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let journeys = (1..=3)
        .map(|i| {
            let name = format!("pool-ahead-{i}");
            let yaml = format!(
                "name: {name}\nbase_url: ${{BASE}}\ntimeout: 20s\nsteps:\n  - open: /focus\n  - wait_for: '#late'\n  - sleep: 500ms\n  - script: \"if (blurs || hides || !document.hasFocus() || document.visibilityState !== 'visible') throw new Error('blurs ' + blurs + ', hides ' + hides + ', focus ' + document.hasFocus() + ', ' + document.visibilityState)\"\n"
            );
            journey(&name, &yaml, &[("BASE", &site.base)])
        })
        .chain(std::iter::once(journey(
            "pool-ahead-phone",
            "name: pool-ahead-phone\nbase_url: ${BASE}\ndevice: \"Pixel 7\"\nsteps:\n  - open: /focus\n",
            &[("BASE", &site.base)],
        )))
        .collect::<Vec<_>>();
    let _slot = common::browser_slot().await;
    let (report, pool) = run_in_own_pool(journeys, out.path()).await;
    let driver = drivers()
        .into_iter()
        .find(|d| d.label == "pool-ahead-1" && d.running)
        .expect("the warm browser, still running");
    let pages: Vec<String> = targets(driver.pid)
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "page")
        .map(|(_, url)| url)
        .collect();
    let stats = pool.stats();
    pool.shutdown().await;
    common::assert_no_leftover_processes("pool-ahead-1");
    common::assert_no_leftover_processes("pool-ahead-phone");

    for j in &report.journeys {
        assert_eq!(j.status, JourneyStatus::Passed, "{j:#?}");
    }
    // Two browsers, the desktop one and the phone's; the second and third journeys found
    // their contexts made.
    assert_eq!((stats.started, stats.made_ahead), (2, 2), "{stats:?}");
    // Left in the desktop browser: its own tab, nothing made for the phone journey.
    assert_eq!(pages, ["about:blank"]);
}

/// How the page sees the device: its screen, pixel ratio, user agent and touch.
const PIXEL_7: &str = "screen.width === 412 && screen.height === 915 && devicePixelRatio === 2.625 && navigator.userAgent.includes('Pixel 7') && navigator.maxTouchPoints > 0 && matchMedia('(pointer: coarse)').matches";

/// Journeys with a device walk in warm browsers started with it, apart from the desktop ones:
/// a phone journey after a desktop one finds the phone browser waiting and walks in a fresh
/// context of it, emulated as the device and with nothing of the phone journey before it; the
/// desktop journeys share the desktop browser, not emulated. Two browsers for four journeys.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_journeys_share_a_warm_phone_browser_a_fresh_context_each() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let phone = |name: &str, steps: &str| {
        let yaml = format!(
            "name: {name}\nbase_url: ${{BASE}}\ntimeout: 20s\ndevice: \"Pixel 7\"\nsteps:\n{steps}  - script: \"if (!({PIXEL_7})) throw new Error('not a Pixel 7: ' + screen.width + 'x' + screen.height + ' ' + navigator.userAgent)\"\n"
        );
        journey(name, &yaml, &[("BASE", &site.base)])
    };
    let desktop = |name: &str| {
        let yaml = format!(
            "name: {name}\nbase_url: ${{BASE}}\ntimeout: 20s\nsteps:\n  - open: /check\n  - assert_text: {{ '#found': none }}\n  - script: \"if ({PIXEL_7}) throw new Error('a desktop journey emulated as the phone')\"\n"
        );
        journey(name, &yaml, &[("BASE", &site.base)])
    };
    let journeys = vec![
        phone(
            "pool-phone-a",
            "  - open: /set\n  - wait_for: '#done'\n  - open: /check\n  - assert_text: { '#found': 'cookie, localStorage, sessionStorage, IndexedDB, Cache Storage, service worker' }\n",
        ),
        desktop("pool-desktop-a"),
        phone(
            "pool-phone-b",
            "  - open: /check\n  - assert_text: { '#found': none }\n",
        ),
        desktop("pool-desktop-b"),
    ];
    let _slot = common::browser_slot().await;
    let (report, pool) = run_in_own_pool(journeys, out.path()).await;
    let stats = pool.stats();
    pool.shutdown().await;
    common::assert_no_leftover_processes("pool-phone-a");
    common::assert_no_leftover_processes("pool-desktop-a");

    // The second of each kind walked in the first's browser, which waited for it.
    assert_passed_in_warm_browsers(&report, &[false, false, true, true]);
    assert_eq!(stats.started, 2, "{stats:?}");
}

/// A permission a customer granted in one journey (as a site's prompt, answered, would leave
/// it) is not the next journey's: each walks in a browser context of its own. The grant is
/// made in the second journey's context — the first walks in the browser's own tab — through
/// the browser's DevTools endpoint, which is where a prompt's answer lands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permission_granted_in_one_journey_is_not_the_next_one_s() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let yaml = |name: &str, steps: &str| {
        journey(
            name,
            &format!("name: {name}\nbase_url: ${{BASE}}\ntimeout: 10s\nsteps:\n{steps}"),
            &[("BASE", &site.base)],
        )
    };
    let journeys = vec![
        yaml("pool-perm-first", "  - open: /focus\n"),
        // Waits until the grant below has reached its page.
        yaml(
            "pool-perm-granted",
            "  - open: /permission\n  - assert_text: { '#state': granted }\n",
        ),
        yaml(
            "pool-perm-next",
            "  - open: /permission\n  - sleep: 300ms\n  - assert_text: { '#state': prompt }\n",
        ),
    ];
    let pool = vedetta::browser::BrowserPool::new(BrowserConfig::default());
    let mut opts = options(out.path());
    opts.browsers = Some(pool.clone());
    let _slot = common::browser_slot().await;
    let origin = site.base.clone();
    let done = CancellationToken::new();
    let until = done.clone();
    let grant = tokio::spawn(async move {
        let port = loop {
            let browser = drivers()
                .into_iter()
                .find(|d| d.label == "pool-perm-first" && d.running)
                .and_then(|d| devtools_port(d.pid));
            if let Some(port) = browser {
                break port;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        // One connection, kept until the run is over: the browser drops the grants a DevTools
        // client made when it goes away.
        let mut devtools = DevToolsClient::connect(port).await;
        let context = loop {
            let targets = devtools
                .call("Target.getTargets", serde_json::json!({}))
                .await;
            let on_page = targets["targetInfos"].as_array().and_then(|all| {
                all.iter().find(|t| {
                    t["type"] == "page"
                        && t["url"]
                            .as_str()
                            .is_some_and(|u| u.ends_with("/permission"))
                })
            });
            if let Some(target) = on_page {
                break target["browserContextId"].clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        devtools
            .call(
                "Browser.grantPermissions",
                serde_json::json!({ "permissions": ["geolocation"], "origin": origin,
                    "browserContextId": context }),
            )
            .await;
        until.cancelled().await;
        context
    });
    let (events, _) = tokio::sync::mpsc::unbounded_channel();
    let report = vedetta::runner::run(journeys, opts, events, CancellationToken::new()).await;
    done.cancel();
    let granted_in = tokio::time::timeout(std::time::Duration::from_secs(5), grant)
        .await
        .expect("the grant was made")
        .unwrap();
    let stats = pool.stats();
    pool.shutdown().await;
    common::assert_no_leftover_processes("pool-perm-first");

    assert!(granted_in.is_string(), "a context of its own: {granted_in}");
    assert_eq!(
        stats.started, 1,
        "one warm browser for all three: {stats:?}"
    );
    let [first, granted, next] = &report.journeys[..] else {
        panic!("three journeys: {report:#?}")
    };
    assert_eq!(first.status, JourneyStatus::Passed, "{first:#?}");
    // The grant reached the journey it was made in…
    assert_eq!(granted.status, JourneyStatus::Passed, "{granted:#?}");
    // …and not the next one, in the same browser.
    assert_eq!(next.status, JourneyStatus::Passed, "{next:#?}");
}

/// The DevTools port of the browser whose driver is `pgid`, once the browser has written it.
fn devtools_port(pgid: u32) -> Option<u16> {
    let browser = started_browser(pgid)?;
    let profile = browser
        .iter()
        .find_map(|a| a.strip_prefix("--user-data-dir="))
        .expect("the browser's profile");
    // chromedriver lets Chromium choose its DevTools port and write it into the profile.
    let active = std::fs::read_to_string(Path::new(profile).join("DevToolsActivePort")).ok()?;
    active.lines().next()?.parse().ok()
}

/// A connection to the browser target at `port` on 127.0.0.1.
struct DevToolsClient {
    socket: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    next_id: u64,
}

impl DevToolsClient {
    async fn connect(port: u16) -> DevToolsClient {
        let version = devtools_json(port, "version").await;
        let url = version["webSocketDebuggerUrl"]
            .as_str()
            .unwrap()
            .to_string();
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let (socket, _) = tokio_tungstenite::client_async(url, tcp).await.unwrap();
        DevToolsClient { socket, next_id: 0 }
    }

    /// One command; its `result`.
    async fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        use futures::{SinkExt as _, StreamExt as _};
        self.next_id += 1;
        let id = self.next_id;
        let call = serde_json::json!({ "id": id, "method": method, "params": params });
        self.socket
            .send(tokio_tungstenite::tungstenite::Message::text(
                call.to_string(),
            ))
            .await
            .unwrap();
        while let Some(message) = self.socket.next().await {
            let Ok(text) = message.unwrap().into_text() else {
                continue;
            };
            let answer: serde_json::Value = serde_json::from_str(&text).unwrap();
            if answer["id"] == id {
                assert!(answer.get("error").is_none(), "{method}: {answer}");
                return answer["result"].clone();
            }
        }
        panic!("{method}: the browser closed the connection")
    }
}

/// `/json/{what}` of the browser's DevTools endpoint at `port` on 127.0.0.1.
async fn devtools_json(port: u16, what: &str) -> serde_json::Value {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("http://127.0.0.1:{port}/json/{what}"))
        .send()
        .await
        .expect("the browser's DevTools endpoint")
        .json()
        .await
        .unwrap_or_else(|e| panic!("/json/{what}: {e}"))
}

/// The DevTools targets (type, URL) of the browser whose driver is `pgid`.
async fn targets(pgid: u32) -> Vec<(String, String)> {
    let port = devtools_port(pgid).expect("the browser writes DevToolsActivePort");
    devtools_json(port, "list")
        .await
        .as_array()
        .expect("a list")
        .iter()
        .map(|t| {
            let field = |k: &str| t[k].as_str().unwrap_or_default().to_string();
            (field("type"), field("url"))
        })
        .collect()
}

/// A browser's own first tab — a warm browser's home between journeys — is `about:blank`, not
/// Chromium's new tab page: that page first calls the default search engine's start page on
/// the internet (Debian's: start.duckduckgo.com), then keeps a WebUI page busy for as long as
/// the browser lives.
///
/// The headless shell opens no tab at all unless told a page (chromedriver names one only for
/// a profile of its own, and vedetta gives every browser its own): without `about:blank`
/// from vedetta, the session would never start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_s_first_tab_is_blank_not_the_new_tab_page() {
    let _slot = common::browser_slot().await;
    for binary in [None, Some(common::FULL_CHROMIUM)] {
        let config = BrowserConfig {
            browser_binary: binary.map(PathBuf::from),
            ..BrowserConfig::default()
        };
        let session = vedetta::browser::Session::start(&config, 800, 600, "blank")
            .await
            .expect("headless Chromium and chromedriver must be installed");
        let url = session.current_url().await;
        session.close().await;
        assert_eq!(
            url.expect("the first tab's URL"),
            "about:blank",
            "{binary:?}"
        );
    }
}

/// A headless run walks in Chromium's headless shell when it is installed (scripts/test.sh
/// installs it): the same Blink as the browser, about half the CPU per journey. The shell's
/// binary itself, not Debian's `/usr/bin/chromium-headless-shell` script, which starts it
/// without `exec` — the death signal that ends a browser with its driver (`kill -9` of
/// vedetta) would end the script and leave the browser running. The session says which
/// browser it is, for the evidence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_headless_run_walks_in_chromium_s_headless_shell() {
    let _slot = common::browser_slot().await;
    let session = vedetta::browser::Session::start(&BrowserConfig::default(), 800, 600, "shell")
        .await
        .expect("headless Chromium and chromedriver must be installed");
    let pgid = session.driver_pid().expect("a driver vedetta started");
    let browser = browser_command_line(pgid);
    let (name, version, _) = session.describe();
    session.close().await;
    assert_eq!(
        browser[0], "/usr/lib/chromium/chromium-headless-shell",
        "{browser:?}"
    );
    assert_eq!(name, "chrome-headless-shell");
    assert!(!version.is_empty());
}

/// Chromium preloads its address bar's suggestion popups (two WebUI pages in a renderer of
/// their own) in every window, and a browser context's tab is a window: ~0.7 s of CPU per
/// journey for popups a headless browser never shows. vedetta turns them off — and a user's
/// own `--disable-features` (Chromium reads one such switch) does not turn them back on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_s_windows_do_not_preload_the_address_bar_s_popups() {
    let _slot = common::browser_slot().await;
    // The full browser: the headless shell has no address bar.
    let config = BrowserConfig {
        browser_binary: Some(common::FULL_CHROMIUM.into()),
        capabilities: vec![(
            "goog:chromeOptions".into(),
            serde_json::json!({ "args": ["--disable-features=Translate"] }),
        )],
        ..BrowserConfig::default()
    };
    let session = vedetta::browser::Session::start(&config, 800, 600, "popups")
        .await
        .expect("headless Chromium and chromedriver must be installed");
    let pgid = session.driver_pid().expect("a driver vedetta started");
    let browser = browser_command_line(pgid);
    let targets = targets(pgid).await;
    session.close().await;
    let urls: Vec<&str> = targets.iter().map(|(_, url)| url.as_str()).collect();
    assert!(urls.contains(&"about:blank"), "{urls:?}");
    assert!(
        !urls.iter().any(|u| u.starts_with("chrome://omnibox-popup")),
        "{urls:?}"
    );
    let disabled: Vec<&str> = browser
        .iter()
        .filter_map(|a| a.strip_prefix("--disable-features="))
        .collect();
    assert_eq!(disabled.len(), 1, "{browser:?}");
    for feature in ["WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "Translate"] {
        assert!(disabled[0].split(',').any(|f| f == feature), "{browser:?}");
    }
}

/// The command line of the browser process (the one with a profile, and no `--type`: not a
/// renderer or helper) in the process group of the driver `pgid`.
fn browser_command_line(pgid: u32) -> Vec<String> {
    started_browser(pgid)
        .unwrap_or_else(|| panic!("no browser with a --user-data-dir in process group {pgid}"))
}

/// The command line of the browser in process group `pgid`, once it has started.
fn started_browser(pgid: u32) -> Option<Vec<String>> {
    let pids = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok());
    for pid in pids {
        if proc_stat(pid).is_none_or(|s| s.pgrp != pgid) {
            continue;
        }
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let args: Vec<String> = cmdline
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if args.iter().any(|a| a.starts_with("--user-data-dir="))
            && !args.iter().any(|a| a.starts_with("--type="))
        {
            return Some(args);
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_gets_a_fresh_context_too() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    // Attempt 1 leaves a cookie and localStorage, then fails (`/once` shows `#ok` only from
    // its second load on); attempt 2 would fail at once on either left behind.
    let yaml = "name: pool-retry\nbase_url: ${BASE}\ntimeout: 20s\nretries: 1\nretry_delay: 0s\nsteps:\n  - open: /check\n  - assert_text: { '#found': none }\n  - script: \"document.cookie = 'pool_cookie=a; max-age=3600; path=/'; localStorage.setItem('pool_local', 'a');\"\n  - open: /once\n  - name: fails on attempt 1 only\n    wait_for: '#ok'\n    timeout: 1s\n";
    let ran = run_with(
        vec![journey("pool-retry", yaml, &[("BASE", &site.base)])],
        options(out.path()),
        CancellationToken::new(),
    )
    .await;
    let j = ran.journey();
    // Had attempt 1's cookie or storage survived into attempt 2, its `#found` would not be
    // "none" and the journey would have failed.
    assert_eq!(j.status, JourneyStatus::Flaky, "{j:#?}");
    assert_eq!(j.attempts, 2);
    assert_eq!(j.previous_attempts[0].steps[1].status, StepStatus::Passed);
    assert!(
        j.steps.iter().all(|s| s.status == StepStatus::Passed),
        "{j:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_that_dies_ends_only_its_journey_and_the_next_gets_a_fresh_one() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    // The first journey's page kills its browser (chrome://crash would only crash the tab);
    // the test kills the driver's process group from a step's wait instead: `kill` below.
    let dying = journey(
        "pool-crash-a",
        "name: pool-crash-a\nbase_url: ${BASE}\ntimeout: 20s\nsteps:\n  - open: /check\n  - wait_for: '#never-there'\n",
        &[("BASE", &site.base)],
    );
    let next = journey_b("pool-crash-b", &site.base);
    let page_loaded = site.cached_hits.clone();
    let killer = tokio::spawn(async move {
        // Once the first journey's page has loaded in its context (the page fetched /cached),
        // end its browser as a crash would, while the journey waits in its second step.
        for _ in 0..2400 {
            let loaded = page_loaded.load(Ordering::SeqCst) > 0;
            if let Some(d) = drivers()
                .into_iter()
                .find(|d| d.label == "pool-crash-a" && d.running)
                .filter(|_| loaded)
            {
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                let _ = nix::sys::signal::killpg(
                    nix::unistd::Pid::from_raw(d.pid as i32),
                    nix::sys::signal::Signal::SIGKILL,
                );
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        false
    });
    let _slot = common::browser_slot().await;
    let (report, pool) = run_in_own_pool(vec![dying, next], out.path()).await;
    let stats = pool.stats();
    pool.shutdown().await;
    common::assert_no_leftover_processes("pool-crash-a");
    common::assert_no_leftover_processes("pool-crash-b");
    assert!(killer.await.unwrap(), "the first browser never started");
    let [a, b] = &report.journeys[..] else {
        panic!("two journeys")
    };
    assert_eq!(a.status, JourneyStatus::Error, "{a:#?}");
    assert_eq!(b.status, JourneyStatus::Passed, "{b:#?}");
    // The second journey had a browser of its own, started for it; the dead one counts as
    // retired and no longer in use, the second waits.
    assert!(
        drivers().iter().any(|d| d.label == "pool-crash-b"),
        "{:#?}",
        drivers()
    );
    assert_eq!(
        (stats.started, stats.retired, stats.in_use, stats.idle),
        (2, 1, 0, 1),
        "{stats:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_isolation_session_each_journey_gets_a_browser_of_its_own() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let mut opts = options(out.path());
    opts.browser = BrowserConfig {
        isolation: Isolation::Session,
        ..BrowserConfig::default()
    };
    let ran = run_with(
        vec![
            journey_a("pool-session-a", &site.base),
            journey_b("pool-session-b", &site.base),
        ],
        opts,
        CancellationToken::new(),
    )
    .await;
    for j in &ran.report.journeys {
        assert_eq!(j.status, JourneyStatus::Passed, "{j:#?}");
    }
    for label in ["pool-session-a", "pool-session-b"] {
        assert_eq!(
            drivers().iter().filter(|d| d.label == label).count(),
            1,
            "{label}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firefox_falls_back_to_a_session_per_journey_and_the_verbose_log_says_so() {
    let site = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.yaml");
    let b = dir.path().join("b.yaml");
    std::fs::write(
        &a,
        "name: ff-a\nbase_url: ${BASE}\ntimeout: 30s\nsteps:\n  - open: /check\n  - assert_text: { '#found': none }\n",
    )
    .unwrap();
    std::fs::write(
        &b,
        "name: ff-b\nbase_url: ${BASE}\ntimeout: 30s\nsteps:\n  - open: /check\n  - assert_text: { '#found': none }\n",
    )
    .unwrap();
    let _slot = common::browser_slot().await;
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args(["-v", "run", "--browser", "firefox", "--var"])
        .arg(format!("BASE={}", site.base))
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg(&a)
        .arg(&b)
        .current_dir(dir.path())
        .kill_on_drop(true)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the vedetta binary");
    let owner = child.id().unwrap();
    let out = child.wait_with_output().await.unwrap();
    let left = common::tagged_by(owner);
    assert!(left.is_empty(), "left running after vedetta: {left:?}");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("browser contexts are not available here"),
        "{stderr}"
    );
    assert!(
        stderr.contains("each journey gets a browser session of its own"),
        "{stderr}"
    );
}

/// The monitor keeps its browser warm between runs: one chromedriver serves run after run, the
/// later runs wait for no browser (`vedetta_browser_start_seconds` 0), and SIGTERM still ends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monitor_keeps_its_browser_warm_between_runs() {
    use crate::monitor_support::{
        Daemon, Webhook, demo_bank, demo_config, get_text, metric, wait_for,
    };
    let _slot = common::browser_slot().await;
    let stack = demo_bank(&[]).await;
    let webhook = Webhook::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), &stack, &webhook, "");
    let daemon = Daemon::start(&config, &stack);
    let metrics_url = format!("{}/metrics", daemon.url);
    let passed = "vedetta_journey_runs_total{journey=\"demo-card-balance\",location=\"local\",status=\"passed\"}";
    let mut drivers_seen = std::collections::BTreeSet::new();
    let text = wait_for(
        "three passed runs",
        std::time::Duration::from_secs(240),
        || {
            let text = get_text(&metrics_url);
            for p in daemon.descendants() {
                if p.comm == "chromedriver" {
                    drivers_seen.insert(p.pid);
                }
            }
            async move {
                let text = text.await;
                (metric(&text, passed).unwrap_or(0.0) >= 3.0).then_some(text)
            }
        },
    )
    .await;
    assert_eq!(
        metric(
            &text,
            "vedetta_browser_start_seconds{journey=\"demo-card-balance\",location=\"local\"}"
        ),
        Some(0.0),
        "{text}"
    );
    assert_eq!(drivers_seen.len(), 1, "chromedrivers: {drivers_seen:?}");
    let status = daemon.terminate(std::time::Duration::from_secs(60));
    assert_eq!(status.code(), Some(0));
    for pid in &drivers_seen {
        assert!(
            !crate::monitor_support::alive(*pid),
            "chromedriver {pid} outlived the monitor"
        );
    }
}

/// A run with many devices does not keep a browser waiting for each: at most twice as many
/// browsers live (lent or waiting) as journeys walk at once. At `jobs: 1`, on Pixel 7, Pixel 8,
/// Moto G4, Pixel 7 again and Pixel 9: the Moto G4's browser starts once the Pixel 8's is ended
/// (no journey is to come in it; one is, in the Pixel 7's), the second Pixel 7 journey finds its
/// browser waiting, and the Pixel 9's starts once the Moto G4's is ended (of the two waiting,
/// neither wanted again, it waited longer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_with_many_devices_keeps_at_most_twice_its_jobs_of_browsers_waiting() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let on = |name: &str, device: &str| {
        let yaml = format!(
            "name: {name}\nbase_url: ${{BASE}}\ndevice: \"{device}\"\nsteps:\n  - open: /focus\n"
        );
        journey(name, &yaml, &[("BASE", &site.base)])
    };
    let journeys = vec![
        on("pool-devices-1", "Pixel 7"),
        on("pool-devices-2", "Pixel 8"),
        on("pool-devices-3", "Moto G4"),
        on("pool-devices-4", "Pixel 7"),
        on("pool-devices-5", "Pixel 9"),
    ];
    let _slot = common::browser_slot().await;
    let (report, pool) = run_in_own_pool(journeys, out.path()).await;
    let stats = pool.stats();
    let waiting: Vec<String> = drivers()
        .into_iter()
        .filter(|d| d.running)
        .map(|d| d.label)
        .filter(|l| l.starts_with("pool-devices-"))
        .collect();
    pool.shutdown().await;
    for n in 1..=5 {
        common::assert_no_leftover_processes(&format!("pool-devices-{n}"));
    }

    assert_passed_in_warm_browsers(&report, &[false, false, false, true, false]);
    assert_eq!(
        (stats.started, stats.retired, stats.idle),
        (4, 2, 2),
        "{stats:?}"
    );
    // Waiting at the end: the Pixel 7's and the Pixel 9's.
    let mut waiting = waiting;
    waiting.sort();
    assert_eq!(waiting, ["pool-devices-1", "pool-devices-5"]);
}

/// Journeys with capabilities walk in warm browsers started with exactly those: two journeys
/// with the same `capabilities:` share one browser (the second in a fresh context of it, still
/// with the capability's effect), a journey without them walks in the desktop browser, and one
/// with other capabilities gets a browser started with them. Here the capability is a user
/// agent given to the browser on its command line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journeys_share_warm_browsers_only_with_the_same_capabilities() {
    let site = serve().await;
    let out = tempfile::tempdir().unwrap();
    let with_agent = |name: &str, agent: Option<&str>| {
        let caps = agent.map_or(String::new(), |a| {
            format!("capabilities:\n  \"goog:chromeOptions\": {{ args: [\"--user-agent={a}\"] }}\n")
        });
        let want = agent.unwrap_or("Mozilla/");
        let yaml = format!(
            "name: {name}\nbase_url: ${{BASE}}\n{caps}steps:\n  - open: /focus\n  - script: \"if (!navigator.userAgent.startsWith('{want}')) throw new Error(navigator.userAgent)\"\n"
        );
        journey(name, &yaml, &[("BASE", &site.base)])
    };
    let journeys = vec![
        with_agent("pool-caps-1", Some("agent-one")),
        with_agent("pool-caps-2", None),
        with_agent("pool-caps-3", Some("agent-one")),
        with_agent("pool-caps-4", Some("agent-two")),
    ];
    let _slot = common::browser_slot().await;
    let (report, pool) = run_in_own_pool(journeys, out.path()).await;
    let stats = pool.stats();
    pool.shutdown().await;
    for n in 1..=4 {
        common::assert_no_leftover_processes(&format!("pool-caps-{n}"));
    }

    assert_passed_in_warm_browsers(&report, &[false, false, true, false]);
    assert_eq!(stats.started, 3, "{stats:?}");
}
