//! Devices and capabilities: `--device` and `device:` make the page see a phone (its viewport,
//! pixel ratio, touch and user agent) in real Chromium; Firefox takes what geckodriver can do
//! and refuses the rest; `capabilities:` reach the driver through a real Selenium Grid whose
//! credentials, given in the `--webdriver` URL, show nowhere.

use crate::common;
use crate::grid_distributed::GridProcess;

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

fn explain(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A journey that opens the fixture page echoing what the browser says it is and checks it.
fn echo_journey(dir: &Path, top: &str, checks: &str) -> PathBuf {
    let file = dir.join("device.yaml");
    std::fs::write(
        &file,
        format!(
            "name: device\n{top}timeout: 20s\nsteps:\n  - open: ${{BASE}}/device.html\n  - assert_text:\n{checks}  - screenshot: phone\n"
        ),
    )
    .unwrap();
    file
}

const PIXEL_7_CHECKS: &str = "      \"#width\": \"412\"\n      \"#ratio\": \"2.625\"\n      \"#touch\": \"yes\"\n      \"#ua\": '/Android 13; Pixel 7\\).*Mobile Safari/'\n";

/// `vedetta run FILE --var BASE=… ARGS…`, waited for; no browser left behind.
async fn run(file: &Path, base: &str, dir: &Path, args: &[&str]) -> Output {
    run_with_env(file, base, dir, args, &[]).await
}

/// [`run`] with `env` added to vedetta's environment.
async fn run_with_env(
    file: &Path,
    base: &str,
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> Output {
    let _slot = common::browser_slot().await;
    let child = common::vedetta_run(file, base, dir)
        .arg("--report-json")
        .arg(dir.join("report.json"))
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the vedetta binary");
    let owner = child.id().unwrap();
    let out = child.wait_with_output().await.unwrap();
    let left = common::tagged_by(owner);
    assert!(left.is_empty(), "left running after vedetta: {left:?}");
    out
}

/// The width and height of a PNG, from its header.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

/// Every file under `dir` whose name ends with `suffix`.
fn files_ending(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_ending(&p, suffix));
        } else if p.to_string_lossy().ends_with(suffix) {
            out.push(p);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_device_flag_makes_the_page_see_a_pixel_7() {
    let site = common::serve().await;
    let dir = tempfile::tempdir().unwrap();
    let file = echo_journey(dir.path(), "", PIXEL_7_CHECKS);
    let out = run(&file, &site.base, dir.path(), &["--device", "Pixel 7"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    // The screenshot is the phone's screen: 412 CSS pixels at 2.625 device pixels each.
    let shots = files_ending(&dir.path().join("out"), "phone.png");
    assert_eq!(shots.len(), 1, "{shots:?}");
    let (w, h) = png_size(&shots[0]);
    assert_eq!((w, h), (1082, 2402), "{}", shots[0].display());
    // The report says what the page was told it runs on.
    let device = &report(dir.path())["journeys"][0]["device"];
    assert_eq!(device["name"], "Pixel 7", "{device:#}");
    assert_eq!(
        (&device["width"], &device["height"]),
        (&412.into(), &915.into())
    );
    assert_eq!(device["pixel_ratio"], 2.625);
    assert_eq!(
        (&device["mobile"], &device["touch"]),
        (&true.into(), &true.into())
    );
    assert!(
        device["user_agent"].as_str().unwrap().contains("Pixel 7"),
        "{device:#}"
    );
}

/// The `--verbose` log line of the session's start: the capabilities the driver reported.
fn session_log(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr);
    err.lines()
        .find(|l| l.contains("browser session started"))
        .unwrap_or_else(|| panic!("no session log: {err}"))
        .to_string()
}

/// The JSON report `run` wrote.
fn report(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journeys_device_makes_the_page_see_a_pixel_7() {
    let site = common::serve().await;
    let dir = tempfile::tempdir().unwrap();
    let file = echo_journey(dir.path(), "device: \"Pixel 7\"\n", PIXEL_7_CHECKS);
    let out = run(&file, &site.base, dir.path(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    // Without a device the same page is a desktop's: the check fails.
    let desktop = echo_journey(dir.path(), "", PIXEL_7_CHECKS);
    let out = run(&desktop, &site.base, dir.path(), &[]).await;
    assert_eq!(out.status.code(), Some(1), "{}", explain(&out));
    let journey = &report(dir.path())["journeys"][0];
    assert!(journey.get("device").is_none(), "a desktop's: {journey:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_device_gives_the_page_its_metrics() {
    let site = common::serve().await;
    let dir = tempfile::tempdir().unwrap();
    let file = echo_journey(
        dir.path(),
        "device: {width: 360, height: 640, pixel_ratio: 2, mobile: true, user_agent: VedettaPhone/1.0}\n",
        "      \"#width\": \"360\"\n      \"#height\": \"640\"\n      \"#ratio\": \"2\"\n      \"#touch\": \"yes\"\n      \"#ua\": VedettaPhone/1.0\n",
    );
    let out = run(&file, &site.base, dir.path(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let shots = files_ending(&dir.path().join("out"), "phone.png");
    assert_eq!(png_size(&shots[0]), (720, 1280));
    let device = &report(dir.path())["journeys"][0]["device"];
    assert_eq!(
        *device,
        serde_json::json!({"width": 360, "height": 640, "pixel_ratio": 2.0, "mobile": true,
            "touch": true, "user_agent": "VedettaPhone/1.0"}),
        "a custom device has no name"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_device_is_invalid_input_with_its_place_and_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let file = echo_journey(dir.path(), "device: Pixle 7\n", PIXEL_7_CHECKS);
    let out = run(&file, "http://127.0.0.1:9", dir.path(), &[]).await;
    assert_eq!(out.status.code(), Some(2), "{}", explain(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown device `Pixle 7`"), "{err}");
    assert!(err.contains("device.yaml:2:9"), "{err}");
    assert!(err.contains("did you mean `Pixel 7`?"), "{err}");

    let file = echo_journey(dir.path(), "", PIXEL_7_CHECKS);
    let out = run(
        &file,
        "http://127.0.0.1:9",
        dir.path(),
        &["--device", "Galaxy S8+"],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", explain(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--device"), "{err}");
    assert!(err.contains("did you mean `Samsung Galaxy S8+`?"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firefox_takes_a_window_size_and_user_agent_and_refuses_a_phone() {
    let site = common::serve().await;
    let dir = tempfile::tempdir().unwrap();
    let file = echo_journey(dir.path(), "", PIXEL_7_CHECKS);
    let out = run(
        &file,
        &site.base,
        dir.path(),
        &["--browser", "firefox", "--device", "Pixel 7"],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", explain(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Firefox cannot emulate a pixel ratio of 2.625, touch and a mobile browser"),
        "{err}"
    );
    assert!(!dir.path().join("report.json").exists(), "nothing ran");

    let file = echo_journey(
        dir.path(),
        "device: {width: 600, height: 700, user_agent: VedettaPhone/1.0}\n",
        "      \"#width\": \"600\"\n      \"#height\": \"700\"\n      \"#touch\": \"no\"\n      \"#ua\": VedettaPhone/1.0\n",
    );
    let out = run(&file, &site.base, dir.path(), &["--browser", "firefox"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));

    // Narrower than Firefox lets its windows be: said, never run at another width.
    let file = echo_journey(
        dir.path(),
        "device: {width: 360, height: 700, user_agent: VedettaPhone/1.0}\n",
        "      \"#width\": \"360\"\n",
    );
    let out = run(&file, &site.base, dir.path(), &["--browser", "firefox"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", explain(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(
            "Firefox cannot emulate device `360x700 device`: asked for a 360×700 viewport"
        ),
        "{}",
        explain(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_capability_that_vedetta_sets_is_refused_from_the_file_and_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let file = echo_journey(
        dir.path(),
        "capabilities:\n  goog:chromeOptions:\n    args: [--headless=old]\n",
        PIXEL_7_CHECKS,
    );
    let out = run(&file, "http://127.0.0.1:9", dir.path(), &[]).await;
    assert_eq!(out.status.code(), Some(2), "{}", explain(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("capability `goog:chromeOptions.args[0]` is vedetta's to set"),
        "{err}"
    );
    assert!(err.contains("device.yaml:4:12"), "{err}");

    let file = echo_journey(
        dir.path(),
        "capabilities: {browserName: firefox}\n",
        PIXEL_7_CHECKS,
    );
    let out = run(&file, "http://127.0.0.1:9", dir.path(), &[]).await;
    assert_eq!(out.status.code(), Some(2), "{}", explain(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("device.yaml:2:16: capability `browserName: \"firefox\"` names another browser than --browser chromium"), "{err}");

    let plain = echo_journey(dir.path(), "", PIXEL_7_CHECKS);
    for (arg, said) in [
        (
            "goog:loggingPrefs={\"performance\":\"OFF\"}",
            "capability `goog:loggingPrefs.performance` is vedetta's to set",
        ),
        ("browserVersion=130", ""),
        ("browserVersion={not json", "is not JSON"),
    ] {
        let out = run(
            &plain,
            "http://127.0.0.1:9",
            dir.path(),
            &["--capability", arg],
        )
        .await;
        if said.is_empty() {
            // Accepted: the run goes on (and fails to reach the closed site).
            assert_ne!(out.status.code(), Some(2), "{arg}: {}", explain(&out));
            continue;
        }
        assert_eq!(out.status.code(), Some(2), "{arg}: {}", explain(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--capability"), "{err}");
        assert!(err.contains(said), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_journey_signs_in_and_sees_the_balance_on_the_demo_banks_phone_layout() {
    let _slot = common::browser_slot().await;
    let dir = tempfile::tempdir().unwrap();
    let journey = Path::new(env!("CARGO_MANIFEST_DIR")).join("journeys/demo-phone.yaml");
    let demo = |fault: Option<&'static str>| {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_vedetta"));
        cmd.args(["demo", "--listen", "127.0.0.1:0", "--journey"])
            .arg(&journey)
            .arg("--out")
            .arg(dir.path().join("out"))
            .arg("--report-json")
            .arg(dir.path().join("report.json"))
            .kill_on_drop(true);
        if let Some(f) = fault {
            cmd.args(["--fault", f]);
        }
        cmd
    };
    let out = demo(None).output().await.unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let shots = files_ending(&dir.path().join("out"), "balance.png");
    assert_eq!(png_size(&shots[0]).0, 1082, "a Pixel 7's screen");

    // A failure on the phone keeps a phone-sized screenshot, its header wrapped to fit.
    let out = demo(Some("no-balance")).output().await.unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", explain(&out));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    let failed = report["journeys"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["status"] == "failed")
        .expect("a failed step");
    let shot = failed["failure"]["screenshot"]
        .as_str()
        .expect("a screenshot");
    let (w, _) = png_size(Path::new(shot));
    assert_eq!(w, 1082, "{shot}");

    // `demo --device` puts the desktop journey on a phone too: it signs in from the home
    // page's own "Log in" button, which the phone layout keeps in view.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args([
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--device",
            "iPhone SE",
            "--out",
        ])
        .arg(dir.path().join("out-se"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let shots = files_ending(&dir.path().join("out-se"), "balance.png");
    assert_eq!(png_size(&shots[0]), (750, 1334), "an iPhone SE's screen");
}

// ------------------------------------------------------------------ through a Selenium Grid

/// A standalone grid that wants HTTP basic credentials, its JVM in a process group of its own:
/// dropping it ends the group, and with it any chromedriver and browser the grid's node started
/// (a grid ends a closed session's browser a moment after answering).
struct Grid {
    _jvm: GridProcess,
    port: u16,
}

const GRID_USER: &str = "vedetta-grid-user";
const GRID_KEY: &str = "Gr1d-Acc3ss-K3y";

impl Grid {
    async fn start() -> Grid {
        let port = common::closed_port();
        let grid = Grid {
            _jvm: GridProcess::standalone(
                port,
                1,
                &["--username", GRID_USER, "--password", GRID_KEY],
            ),
            port,
        };
        let status = format!("http://127.0.0.1:{port}/status");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let ready = match http
                .get(&status)
                .basic_auth(GRID_USER, Some(GRID_KEY))
                .send()
                .await
            {
                Ok(r) => r
                    .json::<serde_json::Value>()
                    .await
                    .ok()
                    .is_some_and(|v| v["value"]["ready"] == true),
                Err(_) => false,
            };
            if ready {
                return grid;
            }
            assert!(Instant::now() < deadline, "the grid never became ready");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// Everything a run wrote (stdout, stderr, every file under `dir`), as text.
fn everything_written(out: &Output, dir: &Path) -> String {
    let mut all = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for f in files_ending(dir, "") {
        all.push_str(&String::from_utf8_lossy(
            &std::fs::read(&f).unwrap_or_default(),
        ));
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capabilities_reach_the_driver_through_a_grid_whose_credentials_show_nowhere() {
    let site = common::serve().await;
    let grid = Grid::start().await;
    let dir = tempfile::tempdir().unwrap();
    let file = echo_journey(
        dir.path(),
        "device: \"Pixel 7\"\ncapabilities:\n  acceptInsecureCerts: true\n  strictFileInteractability: true\n",
        PIXEL_7_CHECKS,
    );
    let url = format!("http://{GRID_USER}:{GRID_KEY}@127.0.0.1:{}", grid.port);
    let reports = dir.path().join("reports");
    std::fs::create_dir_all(&reports).unwrap();
    let out = run(
        &file,
        &site.base,
        dir.path(),
        &[
            "--webdriver",
            &url,
            "--verbose",
            "--junit",
            reports.join("junit.xml").to_str().unwrap(),
            "--html",
            reports.join("report.html").to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    // What the session was given, as the grid's driver reported it (logged with --verbose).
    let started = session_log(&out);
    assert!(
        started.contains(r#"\"acceptInsecureCerts\":true"#)
            || started.contains(r#""acceptInsecureCerts":true"#),
        "{started}"
    );
    assert!(
        started.contains("strictFileInteractability\\\":true")
            || started.contains(r#""strictFileInteractability":true"#),
        "{started}"
    );
    let all = everything_written(&out, dir.path());
    assert!(!all.contains(GRID_KEY), "the grid's key leaked");
    assert!(!all.contains(GRID_USER), "the grid's user leaked");

    // Unreachable: the error names the server, never its credentials.
    let port = grid.port;
    drop(grid);
    let out = run(
        &file,
        &site.base,
        dir.path(),
        &["--webdriver", &url, "--verbose"],
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", explain(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!(
            "(WebDriver server http://***:***@127.0.0.1:{port})"
        )),
        "{said}"
    );
    let all = everything_written(&out, dir.path());
    assert!(
        !all.contains(GRID_KEY) && !all.contains(GRID_USER),
        "{}",
        explain(&out)
    );
}

/// `${NAME}` in a capability is the variable's value when the browser starts — a cloud's access
/// key from a secret — and the secret is masked in the session's log like everywhere else; a
/// name that is not defined is refused at its place before anything starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_capability_takes_variables_and_a_secret_in_one_shows_nowhere() {
    const PROXY_PORT: &str = "45871";
    let site = common::serve().await;
    let dir = tempfile::tempdir().unwrap();
    // A proxy the browser never uses for loopback, and that chromedriver reports back.
    let file = echo_journey(
        dir.path(),
        "secrets: [PROXY_PORT]\ncapabilities:\n  proxy: {proxyType: manual, httpProxy: \"127.0.0.1:${PROXY_PORT}\"}\n",
        "      \"#width\": \"1280\"\n",
    );
    let out = run_with_env(
        &file,
        &site.base,
        dir.path(),
        &["--verbose"],
        &[("PROXY_PORT", PROXY_PORT)],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let started = session_log(&out);
    // Rendered (not `${PROXY_PORT}`), and masked.
    assert!(
        started.contains(r#""httpProxy":"127.0.0.1:••••••""#),
        "{started}"
    );
    let all = everything_written(&out, dir.path());
    assert!(!all.contains(PROXY_PORT), "the secret leaked: {all}");

    let file = echo_journey(
        dir.path(),
        "capabilities:\n  se:name: \"balance on ${PHONE}\"\n",
        "      \"#width\": \"1280\"\n",
    );
    let out = run(&file, &site.base, dir.path(), &[]).await;
    assert_eq!(out.status.code(), Some(2), "{}", explain(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("device.yaml:3:24"), "{err}");
    assert!(err.contains("PHONE"), "{err}");
}
