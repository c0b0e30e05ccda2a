//! What a new user writing journeys for a real app relies on: summaries that do not mislead,
//! an HTML report that shows every action's name whole, and the authoring features of the
//! journey language walked in real headless Chromium against fixture pages.

use std::path::Path;
use std::time::Duration;

use vedetta::browser::{BrowserConfig, Session};
use vedetta::evidence::annotate::annotated_path;
use vedetta::report::html;
use vedetta::runner::result::{
    Failure, FailureCategory, JourneyResult, JourneyStatus, RunReport, StepResult, StepStatus,
};

use crate::common;

fn step(index: usize, action: &str, status: StepStatus) -> StepResult {
    StepResult {
        index,
        depth: 0,
        name: format!("{action} something"),
        action: action.into(),
        component: "Journey".into(),
        file: "journeys/app.yaml".into(),
        line: 3 + index,
        column: 5,
        status,
        duration_ms: 100 * index as u64,
        optional: false,
        failure: None,
        skip_reason: None,
        screenshot: None,
        timing: None,
        slow_threshold_ms: None,
        log: None,
        warnings: Vec::new(),
    }
}

/// A report whose steps carry the longest action names, and whose failure has an annotated
/// screenshot beside the plain one.
fn report_with_long_actions(dir: &Path) -> RunReport {
    let shot = dir.join("app/06-assert-visible.png");
    std::fs::create_dir_all(shot.parent().unwrap()).unwrap();
    let png = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/demo-outage-1280x800.png"),
    )
    .unwrap();
    std::fs::write(&shot, &png).unwrap();
    std::fs::write(annotated_path(&shot), &png).unwrap();
    let actions = [
        "assert_hidden",
        "assert_title",
        "assert_text",
        "wait_for",
        "screenshot",
        "assert_visible",
    ];
    let mut steps: Vec<StepResult> = actions
        .iter()
        .enumerate()
        .map(|(i, a)| step(i + 1, a, StepStatus::Passed))
        .collect();
    let last = steps.last_mut().unwrap();
    last.status = StepStatus::Failed;
    last.optional = true;
    last.failure = Some(Failure {
        category: FailureCategory::ElementMissing,
        message: "no element matches #promo".into(),
        screenshot: Some(shot.display().to_string()),
        evidence: Some(dir.join("app").display().to_string()),
        signature: None,
        url: None,
        page_says: None,
        evidence_sha256: None,
        console: Vec::new(),
        requests: Vec::new(),
        waterfall: Vec::new(),
    });
    RunReport {
        vedetta_version: "0.1.0".into(),
        started_at: "2026-09-26T11:30:00Z".into(),
        duration_ms: 2200,
        interrupted: None,
        journeys: vec![JourneyResult {
            name: "app".into(),
            title: None,
            file: "journeys/app.yaml".into(),
            status: JourneyStatus::Passed,
            attempts: 1,
            started_at: "2026-09-26T11:30:00Z".into(),
            duration_ms: 2100,
            steps,
            error: None,
            previous_attempts: vec![],
            degraded: false,
            slow: vec![],
            browser_start_ms: 0,
            device: None,
        }],
    }
}

/// The HTML report in real Chromium, at a narrow and a wide window: every action's name shows
/// whole (none cut to `assert_visibl`), the annotated screenshot's caption names the annotated
/// PNG, and a passed journey's optional failure is not counted as "failed".
#[tokio::test]
async fn html_report_shows_action_names_whole_and_captions_the_annotated_png() {
    let dir = tempfile::tempdir().unwrap();
    let report = report_with_long_actions(dir.path());
    let path = dir.path().join("report.html");
    html::write(&report, &path).unwrap();
    let page = std::fs::read_to_string(&path).unwrap();
    let annotated = annotated_path(Path::new(
        report.journeys[0].steps[5]
            .failure
            .as_ref()
            .unwrap()
            .screenshot
            .as_deref()
            .unwrap(),
    ));
    assert!(
        page.contains(&format!(
            "<figcaption>annotated screenshot · <code>{}</code>",
            annotated.display()
        )),
        "the caption does not name the annotated PNG"
    );
    assert!(
        page.contains("5 passed, 0 failed, 1 optional failure, 0 skipped"),
        "optional failure counted as failed"
    );

    let _slot = common::browser_slot().await;
    for width in [900, 1400] {
        let session = Session::start(&BrowserConfig::default(), width, 900, "authoring-html")
            .await
            .expect("headless Chromium and chromedriver must be installed");
        let measured = async {
            session
                .goto(
                    &format!("file://{}", path.display()),
                    Duration::from_secs(30),
                )
                .await?;
            session
                .execute(
                    "return [...document.querySelectorAll('.step .row')].map(row => {
                       const a = row.querySelector('.action');
                       const next = row.querySelector('.track').getBoundingClientRect();
                       const r = a.getBoundingClientRect();
                       return [a.textContent, a.scrollWidth <= a.clientWidth && r.right <= next.left];
                     });",
                    vec![],
                )
                .await
        }
        .await;
        session.close().await;
        let measured = measured.expect("render the report");
        let rows = measured.as_array().unwrap();
        assert_eq!(rows.len(), 6, "{measured}");
        for row in rows {
            assert_eq!(row[1], true, "action {} is cut at {width}px", row[0]);
        }
    }
    common::assert_no_leftover_processes("authoring-html");
}

/// `vedetta run` as a user runs it: the journey written to `dir`, the fixture site as `BASE`,
/// `--report-json dir/report.json`; returns (exit code, stdout, stderr, the JSON report).
async fn run_cli(
    dir: &Path,
    yaml: &str,
    site: &common::Site,
    env: &[(&str, &str)],
) -> (Option<i32>, String, String, serde_json::Value) {
    let file = dir.join("journey.yaml");
    std::fs::write(&file, yaml).unwrap();
    let report = dir.join("report.json");
    let mut cmd = common::vedetta_run(&file, &site.base, dir);
    cmd.arg("--report-json").arg(&report);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let _slot = common::browser_slot().await;
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run vedetta");
    let owner = child.id().expect("a pid");
    let out = child.wait_with_output().await.expect("run vedetta");
    let left = common::tagged_by(owner);
    assert!(
        left.is_empty(),
        "browser processes outlived vedetta: {left:?}"
    );
    let json = std::fs::read_to_string(&report)
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or(serde_json::Value::Null);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        json,
    )
}

/// The JSON report's steps of its first journey.
fn json_steps(report: &serde_json::Value) -> &Vec<serde_json::Value> {
    report["journeys"][0]["steps"].as_array().expect("steps")
}

const PASSWORD: &str = "hunter2-S3cr3t&<x>";

/// A `log:` step prints its message with the variables' values, a secret masked, in the
/// console and the JSON report; the secret is nowhere in either.
#[tokio::test]
async fn a_log_step_prints_its_message_with_variables_and_secrets_masked() {
    let site = common::serve().await;
    let dir = tempfile::tempdir().unwrap();
    let yaml = r##"
name: log-step
base_url: ${BASE}
vars: { WHO: Ada }
secrets: [PASSWORD]
steps:
  - open: /actions.html
  - fill: { "#password": "${PASSWORD}" }
  - extract: { "#balance": BALANCE }
  - log: "balance ${BALANCE} for ${WHO}, password ${PASSWORD}"
"##;
    let (code, stdout, stderr, report) =
        run_cli(dir.path(), yaml, &site, &[("PASSWORD", PASSWORD)]).await;
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let said = "balance € 1.234,56 for Ada, password ••••••";
    assert!(
        stdout.contains("  ✔  4 log balance ${BALANCE} for ${WHO}, password ${PASSWORD}"),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("\n       {said}\n")), "{stdout}");
    let log = &json_steps(&report)[3];
    assert_eq!(log["action"], "log");
    assert_eq!(log["log"], said);
    let json = report.to_string();
    for text in [&stdout, &stderr, &json] {
        assert!(!text.contains("hunter2"), "the secret leaked: {text}");
    }
}

/// A site that is restarting: `/restarting` answers 503 until `down_for` after its first
/// request, then the page. Every request's instant is kept.
struct Restarting {
    base: String,
    hits: std::sync::Arc<std::sync::Mutex<Vec<std::time::Instant>>>,
    _stop: StopOnDrop,
}

/// Stops a test server when the test ends, however it ends.
struct StopOnDrop(tokio_util::sync::CancellationToken);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

async fn restarting_site(down_for: Duration) -> Restarting {
    use axum::http::StatusCode;
    use axum::response::Html;
    let hits = std::sync::Arc::new(std::sync::Mutex::new(Vec::<std::time::Instant>::new()));
    let seen = hits.clone();
    let app = axum::Router::new().route(
        "/restarting",
        axum::routing::get(move || {
            let seen = seen.clone();
            async move {
                let now = std::time::Instant::now();
                let first = {
                    let mut hits = seen.lock().unwrap();
                    hits.push(now);
                    hits[0]
                };
                if now.duration_since(first) < down_for {
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        Html("<!doctype html><title>Restarting</title><h1>503 restarting</h1>"),
                    )
                } else {
                    (
                        StatusCode::OK,
                        Html("<!doctype html><title>Up</title><p id=ok>back up</p>"),
                    )
                }
            }
        }),
    );
    let (addr, stop) = crate::monitor_support::serve_app(app).await;
    Restarting {
        base: format!("http://{addr}"),
        hits,
        _stop: StopOnDrop(stop),
    }
}

const RESTART_JOURNEY: &str = r##"
name: NAME
base_url: ${BASE}
retries: 1
retry_delay: 2500ms
timeout: 5s
steps:
  - open: /restarting
  - assert_text: { "#ok": "back up" }
"##;

/// `retry_delay` against a server that comes back 2 s after it first answered 503: the retry
/// waits at least the delay (plus up to a fifth of jitter), so it finds the site back and the
/// journey is flaky rather than failed.
#[tokio::test]
async fn a_retry_waits_its_delay_and_catches_a_server_that_came_back() {
    let site = restarting_site(Duration::from_secs(2)).await;
    let j = common::journey(
        "retry-delay",
        &RESTART_JOURNEY.replace("NAME", "retry-delay"),
        &[("BASE", &site.base)],
    );
    let out = tempfile::tempdir().unwrap();
    let ran = common::run_one(j, out.path()).await;
    let r = ran.journey();
    assert_eq!(r.status, JourneyStatus::Flaky, "{r:#?}");
    assert_eq!(r.attempts, 2);
    let first = &r.previous_attempts[0].steps[0];
    assert_eq!(
        first.failure.as_ref().unwrap().category,
        FailureCategory::Outage,
        "{first:#?}"
    );
    let delays: Vec<u64> = ran
        .events
        .iter()
        .filter_map(|e| match e {
            vedetta::runner::event::Event::Retrying { delay_ms, .. } => Some(*delay_ms),
            _ => None,
        })
        .collect();
    assert_eq!(delays.len(), 1, "{delays:?}");
    assert!((2500..=3000).contains(&delays[0]), "{delays:?}");
    let hits = site.hits.lock().unwrap().clone();
    assert_eq!(hits.len(), 2, "one request per attempt");
    assert!(
        hits[1] - hits[0] >= Duration::from_millis(delays[0]),
        "the retry came {:?} after the first request, before its delay of {} ms",
        hits[1] - hits[0],
        delays[0]
    );
}

/// The monitor walks journeys with the same runner: its run against the restarting server is
/// recorded as flaky (passed on the delayed retry), not as a failure.
#[tokio::test]
async fn the_monitor_honours_retry_delay() {
    use crate::monitor_support::{Daemon, get_json, wait_for};
    let site = restarting_site(Duration::from_secs(2)).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("journeys")).unwrap();
    std::fs::write(
        dir.path().join("journeys/monitor-retry.yaml"),
        RESTART_JOURNEY.replace("NAME", "monitor-retry"),
    )
    .unwrap();
    let config = dir.path().join("monitor.yaml");
    std::fs::write(
        &config,
        "listen: 127.0.0.1:0\ndata_dir: data\nconcurrency: 1\n\
         journeys:\n  - path: journeys/monitor-retry.yaml\n    every: 1h\n",
    )
    .unwrap();
    let _slot = common::browser_slot().await;
    let base = format!("BASE={}", site.base);
    let daemon = Daemon::start_env(&config, &["--var", &base], &[]);
    let runs_url = format!("{}/api/journeys/monitor-retry/runs?limit=10", daemon.url);
    let run = wait_for("the first run", Duration::from_secs(120), || async {
        let runs = get_json(&runs_url).await;
        runs.as_array()?
            .iter()
            .find(|r| r["status"] != "running")
            .cloned()
    })
    .await;
    assert_eq!(run["status"], "flaky", "{run:#}");
    assert_eq!(run["attempts"], 2, "{run:#}");
    let status = daemon.terminate(Duration::from_secs(30));
    assert!(status.success(), "{status:?}");
    let hits = site.hits.lock().unwrap().clone();
    assert_eq!(hits.len(), 2, "one request per attempt");
    assert!(hits[1] - hits[0] >= Duration::from_millis(2500));
}

/// `press` with modifiers, in a page that records its key events: each chord arrives as one
/// key with its modifiers held, and `Control+a` really selects all (the next key replaces it).
#[tokio::test]
async fn press_holds_modifiers_while_the_key_is_pressed() {
    let site = common::serve().await;
    let j = common::journey(
        "modifier-keys",
        r##"
name: modifier-keys
base_url: ${BASE}
timeout: 5s
steps:
  - open: /keys.html
  - fill: { "#field": "hello world" }
  - press: Control+a
  - press: x
  - assert_text: { "#field": '/^x$/' }
  - press: Shift+Enter
  - press: Meta+k
  - press: alt+arrowdown
  - press: Control+Shift+Tab
  - assert_text: { "#log": '/^Control\+a\nShift\+Enter\nMeta\+k\nAlt\+ArrowDown\nControl\+Shift\+Tab\n?$/' }
"##,
        &[("BASE", &site.base)],
    );
    let out = tempfile::tempdir().unwrap();
    let ran = common::run_one(j, out.path()).await;
    let r = ran.journey();
    assert_eq!(r.status, JourneyStatus::Passed, "{r:#?}");
    // The step's name shows the chord as canonically written.
    assert_eq!(r.steps[7].name, "press Alt+ArrowDown");
}

/// A locator that matches two visible elements: the step goes on with the first (the header's
/// link, not the form's button) and says so — in the console and the JSON, with the count and
/// the first two matches; `within:` and `nth:` narrow it, and then nothing is said.
#[tokio::test]
async fn an_ambiguous_locator_is_a_warning_and_within_or_nth_narrow_it() {
    let site = common::serve().await;
    let dir = tempfile::tempdir().unwrap();
    let yaml = r##"
name: ambiguous
base_url: ${BASE}
timeout: 5s
steps:
  - open: /ambiguous.html
  - click: { text: "Log in" }
  - assert_text: { "#result": "clicked the header link" }
  - click: { text: "Log in", within: "form" }
  - assert_text: { "#result": "clicked the form button" }
  - click: { css: ".card button", nth: 2 }
  - assert_text: { "#result": "clicked card 2" }
  - click: { text: "Add", within: { css: ".card", nth: 3 } }
  - assert_text: { "#result": "clicked card 3" }
"##;
    let (code, stdout, stderr, report) = run_cli(dir.path(), yaml, &site, &[]).await;
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let first = r#"a#nav-login "Log in" in nav"#;
    let next = r#"button#submit "Log in" in form#login"#;
    assert!(
        stdout.contains("  ✔  2 click text=\"Log in\"  "),
        "{stdout}"
    );
    let warning = format!(
        "⚠ text=\"Log in\" matches 2 visible elements; the step used the first, {first} (the next is {next}); narrow it with `within:` or `nth:`"
    );
    assert!(stdout.contains(&warning), "{stdout}");
    assert_eq!(stdout.matches('⚠').count(), 1, "{stdout}");
    let steps = json_steps(&report);
    assert_eq!(
        steps[1]["warnings"],
        serde_json::json!([{
            "kind": "ambiguous_locator",
            "message": warning.trim_start_matches("⚠ "),
            "locator": "text=\"Log in\"",
            "count": 2,
            "matches": [first, next],
        }])
    );
    for s in &steps[2..] {
        assert!(s.get("warnings").is_none(), "{s:#}");
    }
    assert_eq!(
        steps[3]["name"], "click text=\"Log in\" within form",
        "the narrowed locator is shown as written"
    );
}

/// `strict: true` on the journey makes the ambiguous step fail (as an assertion, the two
/// matches named), while a narrowed locator passes.
#[tokio::test]
async fn strict_makes_an_ambiguous_locator_fail_its_step() {
    let site = common::serve().await;
    let j = common::journey(
        "strict-locators",
        r##"
name: strict-locators
base_url: ${BASE}
strict: true
timeout: 3s
steps:
  - open: /ambiguous.html
  - click: { text: "Log in", within: "form" }
  - assert_text: { "#result": "clicked the form button" }
  - click: { text: "Log in" }
"##,
        &[("BASE", &site.base)],
    );
    let out = tempfile::tempdir().unwrap();
    let ran = common::run_one(j, out.path()).await;
    let r = ran.journey();
    assert_eq!(r.status, JourneyStatus::Failed, "{r:#?}");
    assert_eq!(r.steps[2].status, StepStatus::Passed);
    let failed = &r.steps[3];
    assert_eq!(failed.status, StepStatus::Failed);
    let f = failed.failure.as_ref().unwrap();
    assert_eq!(f.category, FailureCategory::Assertion);
    assert!(
        f.message.starts_with(
            r#"text="Log in" matches 2 visible elements (strict): a#nav-login "Log in" in nav, button#submit "Log in" in form#login; narrow it with `within:` or `nth:`"#
        ),
        "{}",
        f.message
    );
}

/// Where the editor packages are: `VEDETTA_EDITORS`, else where `scripts/test.sh` installs
/// them. Missing packages fail the test, saying how to get them — never a silent skip.
fn editor_packages() -> std::path::PathBuf {
    let dir = std::env::var_os("VEDETTA_EDITORS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/editors/node_modules")
        });
    for file in [
        "monaco-editor/min/vs/loader.js",
        "@codemirror/view/dist/index.js",
    ] {
        assert!(
            dir.join(file).is_file(),
            "no {file} under {}: run scripts/test.sh (it installs the editors with npm), or \
             `source scripts/ensure-tools.sh && ensure_editor_packages`, or set VEDETTA_EDITORS",
            dir.display()
        );
    }
    dir
}

/// The fixture pages, and the editor packages' files under `/npm/`.
async fn serve_editors() -> (String, StopOnDrop) {
    use axum::extract::Path as UrlPath;
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let packages = editor_packages();
    let npm = move |UrlPath(path): UrlPath<String>| {
        let packages = packages.clone();
        async move {
            if path.split('/').any(|p| p == ".." || p.is_empty()) {
                return StatusCode::NOT_FOUND.into_response();
            }
            let kind = match path.rsplit('.').next() {
                Some("js") => "text/javascript",
                Some("css") => "text/css",
                Some("ttf") => "font/ttf",
                Some("json") => "application/json",
                _ => "application/octet-stream",
            };
            match tokio::fs::read(packages.join(&path)).await {
                Ok(body) => ([(header::CONTENT_TYPE, kind)], body).into_response(),
                Err(_) => StatusCode::NOT_FOUND.into_response(),
            }
        }
    };
    let page = |UrlPath(file): UrlPath<String>| async move {
        if !file.ends_with(".html") || file.contains("..") {
            return StatusCode::NOT_FOUND.into_response();
        }
        match tokio::fs::read_to_string(common::fixtures_dir().join(&file)).await {
            Ok(body) => {
                ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
            }
            Err(_) => StatusCode::NOT_FOUND.into_response(),
        }
    };
    let app = axum::Router::new()
        .route("/npm/{*path}", axum::routing::get(npm))
        .route("/{file}", axum::routing::get(page));
    let (addr, stop) = crate::monitor_support::serve_app(app).await;
    (format!("http://{addr}"), StopOnDrop(stop))
}

/// `fill` replaces the content of a contenteditable region (markup and all, the page's input
/// listeners told), of a CodeMirror 6 editor and of a Monaco editor — their own models, not
/// just their pixels, and without their bracket closing or auto-indent changing the text — and
/// `assert_text` reads each editor's text (not its line numbers).
#[tokio::test]
async fn fill_replaces_rich_text_and_code_editors_and_assert_text_reads_them() {
    let (base, _stop) = serve_editors().await;
    let j = common::journey(
        "editors",
        r##"
name: editors
base_url: ${BASE}
timeout: 20s
steps:
  - open: /contenteditable.html
  - fill: { "#note": "New note" }
  - assert_text: { "#note": '/^New note$/' }
  - assert_text: { "#model": '/^New note$/' }
  - fill: { "#note": "Two\nlines" }
  - assert_text: { "#note": '/^Two\n+lines$/' }

  - open: /codemirror.html
  - wait_for: "#editor[data-ready] .cm-content"
  - fill: { "#editor": "SELECT 1;\nSELECT (2);" }
  - assert_text: { "#editor": '/^SELECT 1;\nSELECT \(2\);$/' }
  - name: the editor's own document holds it
    script: |
      const c = document.querySelector('.cm-content'); const t = c.cmTile || c.cmView;
      const doc = (t.root || t.rootView).view.state.doc.toString();
      if (doc !== 'SELECT 1;\nSELECT (2);') throw new Error('document is ' + JSON.stringify(doc));
  - fill: { ".cm-content": "from inside" }
  - assert_text: { ".cm-editor": '/^from inside$/' }

  - open: /monaco.html
  - wait_for: "#editor[data-ready] .view-lines"
  - fill: { "#editor": "function f() {\nreturn (1);\n}" }
  - assert_text: { "#editor": '/^function f\(\) \{\nreturn \(1\);\n\}$/' }
  - name: the editor's own model holds it
    script: |
      const v = monaco.editor.getEditors()[0].getValue();
      if (v !== 'function f() {\nreturn (1);\n}') throw new Error('model is ' + JSON.stringify(v));
  - name: a page that keeps Monaco to itself (an ESM build has no global)
    script: "window.monaco = undefined"
  - fill: { "#editor": "typed words" }
  - assert_text: { "#editor": '/^typed words$/' }
"##,
        &[("BASE", &base)],
    );
    let out = tempfile::tempdir().unwrap();
    let ran = common::run_one(j, out.path()).await;
    let r = ran.journey();
    common::assert_every_step_passed(r);
    assert_eq!(r.status, JourneyStatus::Passed);
}

fn vedetta_cmd(args: &[&str], dir: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run vedetta")
}

/// `vedetta init URL --monitor` writes a starter journey with the schema line (and the schema
/// beside it) and a monitor config: the journey passes `validate` and walks the page in real
/// Chromium, the monitor config loads; a second `init` leaves the user's files alone.
#[tokio::test]
async fn init_writes_a_starter_that_validates_and_runs() {
    let site = common::serve().await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/actions.html", site.base);
    let out = vedetta_cmd(&["init", &url, "--monitor"], dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = site.base.rsplit(':').next().unwrap();
    let name = format!("127-0-0-1-{port}");
    let journey = format!("journeys/{name}.yaml");
    assert!(stdout.contains(&format!("wrote {journey}  (")), "{stdout}");
    assert!(
        stdout.contains(&format!("  vedetta validate {journey}\n")),
        "{stdout}"
    );
    let text = std::fs::read_to_string(dir.path().join(&journey)).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("# yaml-language-server: $schema=journey.schema.json")
    );
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("journeys/journey.schema.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(schema, vedetta::journey::journey_schema());

    let valid = vedetta_cmd(&["validate", &journey], dir.path());
    assert_eq!(
        valid.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&valid.stderr)
    );
    let opts = vedetta::journey::LoadOptions::with_env([]);
    let config = vedetta::monitor::load_config(&dir.path().join("monitor.yaml"), &opts);
    assert!(config.is_ok(), "{:#?}", config.err());

    // It walks the page it was made for.
    let (code, stdout, stderr, _) = run_cli(dir.path(), &text, &site, &[]).await;
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("  ✔  1 open the start page"), "{stdout}");

    // Again: the journey and the config are the user's now.
    std::fs::write(dir.path().join(&journey), "edited").unwrap();
    let again = vedetta_cmd(&["init", &url, "--monitor"], dir.path());
    assert_eq!(again.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already there; --force overwrites"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(&journey)).unwrap(),
        "edited"
    );
    let bad = vedetta_cmd(&["init", "shop.example.com"], dir.path());
    assert_eq!(bad.status.code(), Some(2));
}
