//! `vedetta run` refuses, before any browser starts, what cannot work.

use std::process::Command;

fn vedetta(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args(args)
        .current_dir(dir)
        .env_remove("VEDETTA_INBOX_TOKEN")
        .env_remove("PASSWORD")
        .output()
        .expect("run vedetta")
}

#[test]
fn an_sms_step_without_an_inbox_is_invalid_input_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sms.yaml"),
        "name: sms\nbase_url: http://127.0.0.1:9/\nsteps:\n  - open: /\n  - when: { visible: '#otp' }\n    steps:\n      - otp: { from: sms, to: '+393330000001', save_as: CODE }\n",
    )
    .unwrap();
    let out = vedetta(
        &["run", "sms.yaml", "--driver", "/nonexistent/chromedriver"],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("needs an SMS inbox"), "{stderr}");
    assert!(stderr.contains("sms.yaml:7:9"), "{stderr}");
    // Nothing ran: no step line, no browser error.
    assert!(!String::from_utf8_lossy(&out.stdout).contains("open /"));
}

#[test]
fn two_journeys_with_one_name_are_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["a.yaml", "b.yaml"] {
        std::fs::write(
            dir.path().join(file),
            "name: same\nsteps:\n  - open: http://127.0.0.1:9/\n",
        )
        .unwrap();
    }
    let out = vedetta(&["run", "a.yaml", "b.yaml"], dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("a.yaml and b.yaml are both named `same`"),
        "{stderr}"
    );
}

#[test]
fn validate_without_secrets_and_a_misspelt_var_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("j.yaml"),
        "name: j\nbase_url: ${BANK_URL}\nvars:\n  BANK_URL: http://127.0.0.1:7878\nsecrets: [PASSWORD]\nsteps:\n  - fill: { '#p': '${PASSWORD}' }\n",
    )
    .unwrap();
    let strict = vedetta(&["validate", "j.yaml"], dir.path());
    assert_eq!(
        strict.status.code(),
        Some(2),
        "a missing secret is an error by default"
    );
    let lint = vedetta(
        &[
            "validate",
            "--no-secrets",
            "j.yaml",
            "--var",
            "BANK_ULR=https://staging.example.com",
        ],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&lint.stderr);
    assert_eq!(lint.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("did you mean BANK_URL?"), "{stderr}");
}

#[test]
fn an_inbox_for_the_run_off_loopback_needs_a_long_token() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("j.yaml"),
        "name: j\nsteps:\n  - open: http://127.0.0.1:9/\n",
    )
    .unwrap();
    let run = |listen: &str| {
        vedetta(
            &[
                "run",
                "j.yaml",
                "--inbox-listen",
                listen,
                "--inbox-token",
                "tok3n",
                "--driver",
                "/nonexistent/chromedriver",
            ],
            dir.path(),
        )
    };
    // Anyone on the network could read the codes: refused before anything starts.
    let out = run("0.0.0.0:0");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not loopback"), "{stderr}");
    assert!(
        !stderr.contains("tok3n"),
        "the token is not echoed: {stderr}"
    );
    // On loopback a short token is the user's business: the run goes on (to the missing
    // driver's harness error).
    let out = run("127.0.0.1:0");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
}

#[test]
fn a_secret_of_a_few_characters_is_warned_about_without_its_value() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("j.yaml"),
        "name: j\nsecrets: [PASSWORD]\nsteps:\n  - open: http://127.0.0.1:9/\n  - fill: { '#p': '${PASSWORD}' }\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args(["run", "j.yaml", "--driver", "/nonexistent/chromedriver"])
        .current_dir(dir.path())
        .env("PASSWORD", "Qz")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: secret PASSWORD is only 2 characters long"),
        "{stderr}"
    );
    assert!(!stderr.contains("Qz"), "{stderr}");
}
