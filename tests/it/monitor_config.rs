//! The shipped example config is valid, and a broken config stops `vedetta monitor` before
//! anything starts, with the problem at file:line:column (exit 2).

use std::path::Path;
use std::process::Command;

use vedetta::journey::LoadOptions;

#[test]
fn the_example_config_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/monitor.yaml");
    let opts = LoadOptions::with_env(
        [
            (
                "SLACK_WEBHOOK_URL",
                "https://hooks.example.com/services/T0/B0/x",
            ),
            ("INBOX_URL", "http://127.0.0.1:7879"),
            ("VEDETTA_INBOX_TOKEN", "token"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let config = vedetta::monitor::load_config(&path, &opts)
        .unwrap_or_else(|ds| panic!("{}", ds.iter().map(|d| d.render(false)).collect::<String>()));
    assert!(!config.journeys.is_empty());
    assert_eq!(config.concurrency, 2);
    assert_eq!(config.channels.len(), 2);
}

#[test]
fn a_broken_config_exits_2_with_the_place_of_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("monitor.yaml");
    std::fs::write(
        &config,
        "journeys:\n  - path: nowhere/*.yaml\n    every: 1m\n    jiter: 5s\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .arg("monitor")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("monitor.yaml:2:11"), "{stderr}");
    assert!(
        stderr.contains("no file matches `nowhere/*.yaml`"),
        "{stderr}"
    );
    assert!(stderr.contains("monitor.yaml:4:5"), "{stderr}");
    assert!(stderr.contains("did you mean `jitter`?"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing started");
}
