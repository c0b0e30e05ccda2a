//! Real services the monitor's channel tests talk to, started here on loopback and ended by
//! PID: Debian's `prometheus-alertmanager`, and a real SMTP server (Debian's `python3-aiosmtpd`,
//! tests/fixtures/smtp_sink.py). Installed by scripts/test.sh; a missing one fails loudly.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A child process ended (SIGKILL, by its PID) when dropped.
struct Owned(Child);

impl Drop for Owned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `prometheus-alertmanager` on 127.0.0.1, its storage in a temporary folder, clustering off,
/// routing every alert to `webhook` (with `send_resolved`) after a second.
pub struct Alertmanager {
    pub url: String,
    _process: Owned,
    _storage: tempfile::TempDir,
}

pub const ALERTMANAGER: &str = "/usr/bin/prometheus-alertmanager";

impl Alertmanager {
    pub async fn start(webhook: &str) -> Alertmanager {
        assert!(
            Path::new(ALERTMANAGER).is_file(),
            "{ALERTMANAGER} is missing: scripts/test.sh installs Debian's prometheus-alertmanager"
        );
        let storage = tempfile::tempdir().unwrap();
        let config = storage.path().join("alertmanager.yml");
        std::fs::write(
            &config,
            format!(
                "route:\n  receiver: test\n  group_by: [alertname, journey]\n  group_wait: 1s\n  \
                 group_interval: 1s\n  repeat_interval: 1h\nreceivers:\n  - name: test\n    \
                 webhook_configs:\n      - url: {webhook}\n        send_resolved: true\n"
            ),
        )
        .unwrap();
        // Alertmanager cannot listen on port 0: a port free a moment ago, tried a few times
        // in case another process took it in between.
        for _ in 0..5 {
            let port = crate::common::closed_port();
            let child = Command::new(ALERTMANAGER)
                .arg(format!("--config.file={}", config.display()))
                .arg(format!(
                    "--storage.path={}",
                    storage.path().join("data").display()
                ))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .arg("--cluster.listen-address=")
                .arg("--log.level=warn")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("start prometheus-alertmanager");
            let mut process = Owned(child);
            let url = format!("http://127.0.0.1:{port}");
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = process.0.try_wait() {
                    break; // the port was taken: try another
                }
                if reqwest::get(format!("{url}/-/ready"))
                    .await
                    .is_ok_and(|r| r.status().is_success())
                {
                    return Alertmanager {
                        url,
                        _process: process,
                        _storage: storage,
                    };
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        panic!("prometheus-alertmanager did not start");
    }

    /// Alertmanager's own view: `GET /api/v2/alerts` (active, not yet resolved alerts).
    pub async fn alerts(&self) -> Vec<Value> {
        let v: Value = reqwest::get(format!("{}/api/v2/alerts", self.url))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v.as_array().cloned().unwrap_or_default()
    }
}

pub const PROMETHEUS: &str = "/usr/bin/prometheus";
pub const PROMTOOL: &str = "/usr/bin/promtool";

/// Debian's `prometheus` on 127.0.0.1, scraping `target` (`host:port`) every second, its
/// database in a temporary folder.
pub struct Prometheus {
    pub url: String,
    _process: Owned,
    _storage: tempfile::TempDir,
}

impl Prometheus {
    pub async fn start(target: &str) -> Prometheus {
        assert!(
            Path::new(PROMETHEUS).is_file(),
            "{PROMETHEUS} is missing: scripts/test.sh installs Debian's prometheus"
        );
        let storage = tempfile::tempdir().unwrap();
        let config = storage.path().join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  \
                 - job_name: vedetta\n    static_configs:\n      - targets: ['{target}']\n"
            ),
        )
        .unwrap();
        for _ in 0..5 {
            let port = crate::common::closed_port();
            let child = Command::new(PROMETHEUS)
                .arg(format!("--config.file={}", config.display()))
                .arg(format!(
                    "--storage.tsdb.path={}",
                    storage.path().join("data").display()
                ))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .arg("--log.level=warn")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("start prometheus");
            let mut process = Owned(child);
            let url = format!("http://127.0.0.1:{port}");
            let deadline = Instant::now() + Duration::from_secs(60);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = process.0.try_wait() {
                    break;
                }
                if reqwest::get(format!("{url}/-/ready"))
                    .await
                    .is_ok_and(|r| r.status().is_success())
                {
                    return Prometheus {
                        url,
                        _process: process,
                        _storage: storage,
                    };
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        panic!("prometheus did not start");
    }

    /// The result vector of an instant query (`GET /api/v1/query`).
    pub async fn query(&self, promql: &str) -> Vec<Value> {
        let v: Value = reqwest::Client::new()
            .get(format!("{}/api/v1/query", self.url))
            .query(&[("query", promql)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["status"], "success", "{v:#}");
        v["data"]["result"].as_array().cloned().unwrap_or_default()
    }
}

/// `promtool check metrics` on `exposition`: its exit status and what it said.
pub fn promtool_check_metrics(exposition: &str) -> (bool, String) {
    use std::io::Write;
    assert!(
        Path::new(PROMTOOL).is_file(),
        "{PROMTOOL} is missing: scripts/test.sh installs Debian's prometheus"
    );
    let mut child = Command::new(PROMTOOL)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run promtool");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(exposition.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

pub const PYTHON: &str = "/usr/bin/python3";

/// A real SMTP server (aiosmtpd) on 127.0.0.1, requiring AUTH with `user`/`password` and, when
/// given a certificate, STARTTLS; every message it takes is saved under `dir`.
pub struct SmtpSink {
    pub port: u16,
    pub dir: tempfile::TempDir,
    _process: Owned,
}

impl SmtpSink {
    pub fn start(user: &str, password: &str, cert: Option<(&Path, &Path)>) -> SmtpSink {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/smtp_sink.py");
        let probe = Command::new(PYTHON)
            .args(["-c", "import aiosmtpd"])
            .status()
            .expect("/usr/bin/python3");
        assert!(
            probe.success(),
            "python3-aiosmtpd is missing: scripts/test.sh installs it"
        );
        let dir = tempfile::tempdir().unwrap();
        for _ in 0..5 {
            let port = crate::common::closed_port();
            let mut cmd = Command::new(PYTHON);
            cmd.arg(&script)
                .arg(dir.path())
                .arg(port.to_string())
                .args([user, password]);
            if let Some((c, k)) = cert {
                cmd.arg(c).arg(k);
            }
            let mut child = cmd
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("start the SMTP server");
            let stdout = child.stdout.take().unwrap();
            let process = Owned(child);
            let mut line = String::new();
            if BufReader::new(stdout).read_line(&mut line).is_ok() && line.trim() == "READY" {
                return SmtpSink {
                    port,
                    dir,
                    _process: process,
                };
            }
        }
        panic!("the SMTP server did not start");
    }

    /// Every message received so far, as the sink recorded it, oldest first.
    pub fn messages(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
            .collect()
    }
}

/// A private CA and a server certificate for 127.0.0.1 signed by it (openssl), in `dir`:
/// (CA PEM, server certificate, server key).
pub fn test_certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl must be installed");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=vedetta test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "server.ext",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    )
}
