//! The journey language front end from the outside: golden diagnostics through the real
//! binary, its exit codes, a full-featured journey's model, variables and secrets, includes,
//! hostile input, and the JSON Schema against the parser.
//!
//! `UPDATE_GOLDEN=1 cargo test --test it validate` rewrites tests/diagnostics/*.stderr.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use vedetta::journey::model::{
    Action, Condition, FailFastMatcher, Journey, LocatorKind, OtpSource, ScreenshotPolicy,
    TextMatch, WaitCondition,
};
use vedetta::journey::{
    Diagnostic, LoadOptions, journey_schema, load_journey, load_secrets_file, parse_journey,
};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `vedetta ARGS` in the crate's folder with exactly `env` as its environment.
fn vedetta(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args(args)
        .current_dir(root())
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .expect("the vedetta binary runs")
}

fn opts(env: &[(&str, &str)]) -> LoadOptions {
    LoadOptions::with_env(env.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

fn parse(text: &str, env: &[(&str, &str)]) -> Result<Journey, Vec<Diagnostic>> {
    parse_journey(text, Path::new("inline.yaml"), &opts(env))
}

fn errors(text: &str) -> Vec<Diagnostic> {
    parse(text, &[]).expect_err("the journey is invalid")
}

// ---------------------------------------------------------------- golden diagnostics

#[test]
fn golden_diagnostics() {
    let dir = root().join("tests/diagnostics");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 15,
        "expected the golden cases in {}",
        dir.display()
    );
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut mismatches = Vec::new();
    for case in &cases {
        let rel = case
            .strip_prefix(root())
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let out = vedetta(&["validate", &rel], &[]);
        assert_eq!(out.status.code(), Some(2), "{rel}: exit code");
        assert!(
            out.stdout.is_empty(),
            "{rel}: nothing on stdout for an invalid file"
        );
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            !stderr.contains('\x1b'),
            "{rel}: no colour when stderr is not a terminal"
        );
        let golden = case.with_extension("stderr");
        if update {
            std::fs::write(&golden, &stderr).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&golden)
            .unwrap_or_else(|_| panic!("{} missing: run with UPDATE_GOLDEN=1", golden.display()));
        if stderr != expected {
            mismatches.push(format!("--- {rel}: expected\n{expected}--- got\n{stderr}"));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

// ---------------------------------------------------------------- the binary

#[test]
fn validate_exits_0_when_all_files_are_valid_and_2_otherwise() {
    let ok = vedetta(
        &["validate", "tests/journeys/full.yaml", "--var", "X=1"],
        &[("PASSWORD", "pw"), ("TOTP_SECRET", "JBSWY3DPEHPK3PXP")],
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(
        String::from_utf8(ok.stdout).unwrap(),
        "ok  tests/journeys/full.yaml (full-featured, 50 steps)\n"
    );

    let mixed = vedetta(
        &[
            "validate",
            "tests/journeys/full.yaml",
            "tests/diagnostics/unknown_action.yaml",
        ],
        &[("PASSWORD", "pw"), ("TOTP_SECRET", "JBSWY3DPEHPK3PXP")],
    );
    assert_eq!(mixed.status.code(), Some(2));
    assert!(
        String::from_utf8(mixed.stdout)
            .unwrap()
            .starts_with("ok  tests/journeys/full.yaml")
    );
    assert!(
        String::from_utf8(mixed.stderr)
            .unwrap()
            .contains("unknown key `clik`")
    );

    let missing = vedetta(&["validate", "tests/journeys/no-such-file.yaml"], &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8(missing.stderr)
            .unwrap()
            .contains("cannot read tests/journeys/no-such-file.yaml: no such file")
    );
}

#[test]
fn validate_takes_secrets_from_a_file_and_never_prints_them() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = dir.path().join("secrets.yaml");
    std::fs::write(
        &secrets,
        "PASSWORD: s3cr3t-pa55\nTOTP_SECRET: t0tp-s3cr3t\n",
    )
    .unwrap();
    let journey = dir.path().join("j.yaml");
    // Broken on purpose, with the secrets used: the diagnostics must not show their values.
    std::fs::write(
        &journey,
        "name: j\nsecrets: [PASSWORD, TOTP_SECRET]\nsteps:\n  - fill: { \"#p\": \"${PASSWORD}\" }\n  - clik: x\n",
    )
    .unwrap();
    let out = vedetta(
        &[
            "validate",
            "--secrets",
            secrets.to_str().unwrap(),
            journey.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("unknown key `clik`"), "{all}");
    assert!(!all.contains("s3cr3t") && !all.contains("t0tp"), "{all}");

    std::fs::write(
        &journey,
        "name: j\nsecrets: [PASSWORD]\nsteps:\n  - fill: { \"#p\": \"${PASSWORD}\" }\n",
    )
    .unwrap();
    let out = vedetta(
        &[
            "validate",
            "--secrets",
            secrets.to_str().unwrap(),
            journey.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A broken secrets file: position given, content never echoed.
    std::fs::write(&secrets, "PASSWORD: \"s3cr3t-pa55\nOTHER: : x\n").unwrap();
    let out = vedetta(
        &[
            "validate",
            "--secrets",
            secrets.to_str().unwrap(),
            journey.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("invalid YAML in secrets file"), "{stderr}");
    assert!(!stderr.contains("s3cr3t"), "{stderr}");
}

#[test]
fn a_secrets_file_given_as_a_journey_is_refused_without_showing_its_values() {
    // `vedetta run secrets.yaml` by mistake: the usual "unknown key" diagnostics would quote
    // each line, and with it each secret.
    let out = vedetta(&["validate", "tests/diagnostics/secrets_file.yaml"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("this is not a journey"), "{stderr}");
    assert!(stderr.contains("--secrets FILE"), "{stderr}");
    assert!(
        !stderr.contains("demo-pass-2026") && !stderr.contains("xyz-123"),
        "{stderr}"
    );
}

#[test]
fn schema_command_prints_the_schema() {
    let out = vedetta(&["schema"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, journey_schema());
}

// ---------------------------------------------------------------- the model

#[test]
fn full_featured_journey_parses_to_the_expected_model() {
    let env = [
        ("PASSWORD", "pw"),
        ("TOTP_SECRET", "JBSWY3DPEHPK3PXP"),
        ("UNUSED", "x"),
        ("BANK_URL", "env-loses"),
    ];
    let j =
        load_journey(&root().join("tests/journeys/full.yaml"), &opts(&env)).unwrap_or_else(|d| {
            panic!("{}", d.iter().map(|d| d.to_string()).collect::<String>());
        });
    assert_eq!(j.name, "full-featured");
    assert_eq!(j.title.as_deref(), Some("Every action, every locator form"));
    assert_eq!(j.base_url.as_ref().unwrap().to_string(), "${BANK_URL}");
    assert_eq!(j.tags, ["full", "regression"]);
    assert_eq!(j.timeout, Duration::from_secs(20));
    assert_eq!(j.retries, 2);
    assert_eq!((j.viewport.width, j.viewport.height), (1024, 768));
    assert_eq!(j.screenshots, ScreenshotPolicy::EveryStep);

    // vars beat the environment; vars may use earlier vars; $${ is a literal.
    assert_eq!(j.variables.get("BANK_URL"), Some("http://127.0.0.1:7878"));
    assert_eq!(j.variables.get("HOME"), Some("http://127.0.0.1:7878/home"));
    assert_eq!(j.variables.get("PRICE"), Some("${NOT_A_VAR}"));
    assert_eq!(j.variables.get("PASSWORD"), Some("pw"));
    assert!(j.variables.is_secret("PASSWORD") && j.variables.is_secret("TOTP_SECRET"));
    assert!(!j.variables.is_secret("USERNAME"));
    assert_eq!(
        j.variables.get("UNUSED"),
        None,
        "only referenced environment variables are copied"
    );

    assert_eq!(j.fail_fast.len(), 3);
    assert!(matches!(
        &j.fail_fast[0].matcher,
        FailFastMatcher::Text(TextMatch::Contains(_))
    ));
    assert_eq!(j.fail_fast[0].reason, "site reports temporary difficulties");
    assert_eq!(j.fail_fast[0].location.line, 17);
    assert!(
        matches!(&j.fail_fast[1].matcher, FailFastMatcher::Title(TextMatch::Regex(r)) if r.as_str() == "^Service Unavailable$")
    );
    assert!(
        matches!(&j.fail_fast[2].matcher, FailFastMatcher::Element(l) if l.kind == LocatorKind::Id)
    );

    let s = &j.steps;
    assert_eq!(s.len(), 45);
    let described: Vec<String> = s.iter().map(|s| s.action.describe()).collect();
    assert_eq!(described[0], "open /");
    assert_eq!(s[0].location.line, 22);
    assert_eq!(s[0].location.column, 5);
    let kinds: Vec<LocatorKind> = s[1..8]
        .iter()
        .map(|s| match &s.action {
            Action::Click(l) => l.kind,
            other => panic!("{other:?}"),
        })
        .collect();
    use LocatorKind::*;
    assert_eq!(kinds, [Css, Css, XPath, Text, Id, Name, Link]);
    assert!(matches!(&s[8].action, Action::Hover(_)));
    assert!(matches!(&s[9].action, Action::Check(_)));
    assert!(matches!(&s[10].action, Action::Uncheck(l) if l.kind == Id));
    match &s[11].action {
        Action::Fill(pairs) => {
            let shown: Vec<(String, String)> = pairs
                .iter()
                .map(|(l, v)| (l.to_string(), v.to_string()))
                .collect();
            assert_eq!(
                shown,
                [
                    ("#username".into(), "${USERNAME}".into()),
                    ("#password".into(), "${PASSWORD}".into())
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(&s[12].action, Action::Fill(p) if p[0].0.kind == Name && p[0].1.to_string() == "42")
    );
    assert!(matches!(&s[13].action, Action::Select(p) if p[0].1.to_string() == "Italia"));
    assert!(
        matches!(&s[14].action, Action::Select(p) if p[0].0.kind == Id && p[0].1.to_string() == "Italiano")
    );
    let keys: Vec<&str> = s[15..18]
        .iter()
        .map(|s| match &s.action {
            Action::Press(k) => k.0.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(keys, ["Enter", "Tab", "x"]);
    assert!(matches!(
        &s[18].action,
        Action::WaitFor(WaitCondition::Visible(_))
    ));
    assert!(matches!(
        &s[19].action,
        Action::WaitFor(WaitCondition::Hidden(_))
    ));
    assert!(matches!(
        &s[20].action,
        Action::WaitFor(WaitCondition::Url(TextMatch::Regex(_)))
    ));
    assert!(matches!(
        &s[21].action,
        Action::WaitFor(WaitCondition::Text(TextMatch::Contains(_)))
    ));
    assert!(matches!(&s[22].action, Action::WaitFor(WaitCondition::Visible(l)) if l.kind == XPath));

    let otp = &s[23];
    assert_eq!(otp.name.as_deref(), Some("the SMS code"));
    assert_eq!(
        otp.timeout,
        Some(Duration::from_secs(60)),
        "otp's own timeout is the step's"
    );
    match &otp.action {
        Action::Otp(o) => {
            assert_eq!(o.save_as, "CODE");
            assert!(
                matches!(&o.source, OtpSource::Sms { to, pattern } if to.to_string() == "+393330000001" && pattern.as_str() == r"\b(\d{6})\b")
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(&s[24].action, Action::Otp(o) if matches!(&o.source, OtpSource::Totp { secret } if secret.to_string() == "${TOTP_SECRET}"))
    );
    assert!(
        matches!(&s[25].action, Action::Otp(o) if matches!(&o.source, OtpSource::Http { pattern, .. } if pattern.as_str() == r"code=(\d+)"))
    );
    assert!(
        matches!(&s[26].action, Action::Otp(o) if matches!(&o.source, OtpSource::Command { pattern, .. } if pattern.as_str() == vedetta::journey::model::DEFAULT_OTP_PATTERN))
    );
    assert!(matches!(&s[28].action, Action::AssertVisible(_)));
    assert!(matches!(&s[29].action, Action::AssertHidden(l) if l.kind == Css));
    assert!(
        matches!(&s[30].action, Action::AssertText(p) if p.len() == 2 && matches!(p[0].1, TextMatch::Regex(_)))
    );
    assert!(matches!(&s[31].action, Action::AssertText(p) if p[0].0.kind == Text));
    // `/account` is a substring: a regex needs the closing slash too.
    assert!(
        matches!(&s[32].action, Action::AssertUrl(TextMatch::Contains(t)) if t.to_string() == "/account")
    );
    assert!(matches!(
        &s[33].action,
        Action::AssertTitle(TextMatch::Regex(_))
    ));
    assert!(matches!(&s[34].action, Action::Extract(p) if p[0].1 == "IBAN"));
    assert!(matches!(&s[35].action, Action::Extract(p) if p[0].0.kind == XPath && p[0].1 == "BIC"));
    assert!(matches!(
        &s[36].action,
        Action::Script { save_as: None, .. }
    ));
    assert!(matches!(&s[37].action, Action::Script { save_as: Some(v), .. } if v == "SUMMARY"));
    assert_eq!(described[38], "open ${HOME}?s=${SUMMARY}");
    assert!(matches!(&s[39].action, Action::Screenshot(n) if n == "balance"));
    let sleep = &s[40];
    assert!(matches!(sleep.action, Action::Sleep(d) if d == Duration::from_millis(1500)));
    assert!(sleep.optional);
    assert_eq!(sleep.timeout, Some(Duration::from_secs(3)));
    assert_eq!(sleep.display_name(), "settle down");
    match &s[41].action {
        Action::When {
            condition: Condition::Visible(_),
            within,
            steps,
        } => {
            assert_eq!(*within, Duration::from_secs(3));
            assert_eq!(steps.len(), 1);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(&s[42].action, Action::When { condition: Condition::Url(_), within, .. } if *within == vedetta::journey::model::DEFAULT_WHEN_WITHIN)
    );
    match &s[43].action {
        Action::When {
            condition: Condition::Text(_),
            steps,
            ..
        } => match &steps[0].action {
            Action::Include { path, steps } => {
                assert!(
                    path.ends_with("tests/journeys/parts/logout.yaml"),
                    "{}",
                    path.display()
                );
                assert_eq!(steps.len(), 2);
                assert!(steps[1].location.file.ends_with("parts/logout.yaml"));
                assert_eq!(steps[1].location.line, 5);
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------- variables and secrets

#[test]
fn variable_precedence_is_cli_then_vars_then_environment() {
    let text = "name: p\nvars:\n  A: from-vars\n  B: from-vars-${C}\nsteps:\n  - open: http://h/${A}/${B}/${D}\n";
    let mut o = opts(&[
        ("A", "from-env"),
        ("C", "env-c"),
        ("D", "env-d"),
        ("E", "env-e"),
    ]);
    o.cli_vars = vec![
        ("A".into(), "from-cli".into()),
        ("C".into(), "cli-c".into()),
    ];
    let j = parse_journey(text, Path::new("p.yaml"), &o).unwrap();
    assert_eq!(j.variables.get("A"), Some("from-cli"));
    assert_eq!(
        j.variables.get("B"),
        Some("from-vars-cli-c"),
        "vars may use --var"
    );
    assert_eq!(j.variables.get("D"), Some("env-d"));
    assert_eq!(j.variables.get("E"), None);
}

#[test]
fn secrets_come_from_the_secrets_file_before_the_environment() {
    let text = "name: s\nsecrets: [PW]\nsteps:\n  - fill: { \"#p\": \"${PW}\" }\n";
    let mut o = opts(&[("PW", "from-env")]);
    assert_eq!(
        parse_journey(text, Path::new("s.yaml"), &o)
            .unwrap()
            .variables
            .get("PW"),
        Some("from-env")
    );
    o.secrets = BTreeMap::from([("PW".to_string(), "from-file".to_string())]);
    let j = parse_journey(text, Path::new("s.yaml"), &o).unwrap();
    assert_eq!(j.variables.get("PW"), Some("from-file"));
    assert!(j.variables.is_secret("PW"));

    let d = errors("name: s\nsecrets: [PW]\nvars:\n  X: ${PW}\nsteps:\n  - open: http://h/\n");
    assert!(d.iter().any(|d| d.message == "secret `PW` is not set"));
    assert!(d.iter().any(|d| d.message == "var `X` uses secret `PW`"));
}

#[test]
fn base_url_must_expand_to_an_http_url_and_never_shows_a_secret() {
    let ok = parse(
        "name: b\nbase_url: ${H}\nsteps:\n  - open: /\n",
        &[("H", "https://bank.example")],
    );
    assert!(ok.is_ok());
    let text = "name: b\nsecrets: [S]\nbase_url: ${S}\nsteps:\n  - open: /\n";
    let d = parse(text, &[("S", "not-a-url-s3cr3t")]).unwrap_err();
    assert_eq!(d[0].message, "invalid base_url");
    assert!(!d[0].to_string().contains("s3cr3t"), "{}", d[0]);
}

#[test]
fn secrets_file_must_be_a_flat_map() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.yaml");
    std::fs::write(&p, "A: one\nB: 2\n").unwrap();
    let s = load_secrets_file(&p).unwrap();
    assert_eq!((s["A"].as_str(), s["B"].as_str()), ("one", "2"));
    std::fs::write(&p, "- one\n").unwrap();
    assert!(load_secrets_file(&p).is_err());
    assert!(load_secrets_file(&dir.path().join("missing.yaml")).is_err());
}

#[test]
fn names_saved_by_earlier_steps_are_defined_later_only() {
    let ok = "name: v\nsteps:\n  - extract: { \"#a\": A }\n  - when: { visible: x }\n    steps:\n      - script: { run: \"return 1\", save_as: B }\n  - open: /${A}/${B}\n";
    parse(ok, &[]).unwrap();
    let d = errors("name: v\nsteps:\n  - open: /${A}\n  - extract: { \"#a\": A }\n");
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].location.line, d[0].location.column), (3, 12));
}

#[test]
fn default_timeout_applies_only_when_the_journey_sets_none() {
    let mut o = opts(&[]);
    o.default_timeout = Some(Duration::from_secs(7));
    let j = parse_journey(
        "name: t\nsteps:\n  - open: http://h/\n",
        Path::new("t.yaml"),
        &o,
    )
    .unwrap();
    assert_eq!(j.timeout, Duration::from_secs(7));
    let j = parse_journey(
        "name: t\ntimeout: 2m\nsteps:\n  - open: http://h/\n",
        Path::new("t.yaml"),
        &o,
    )
    .unwrap();
    assert_eq!(j.timeout, Duration::from_secs(120));
    let j = parse("name: t\nsteps:\n  - open: http://h/\n", &[]).unwrap();
    assert_eq!(j.timeout, Duration::from_secs(15));
}

// ---------------------------------------------------------------- includes

#[test]
fn includes_deeper_than_eight_files_are_refused_at_the_include() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..10 {
        std::fs::write(
            dir.path().join(format!("{i}.yaml")),
            format!("steps:\n  - include: {}.yaml\n", i + 1),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("10.yaml"), "steps:\n  - open: http://h/\n").unwrap();
    let main = dir.path().join("main.yaml");
    std::fs::write(&main, "name: deep\nsteps:\n  - include: 0.yaml\n").unwrap();
    let d = load_journey(&main, &opts(&[])).unwrap_err();
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].message.contains("nested deeper than 8"), "{}", d[0]);
    // main → 0 → … → 7 is eight nested includes; 7.yaml including 8.yaml is the ninth.
    assert!(d[0].location.file.ends_with("7.yaml"), "{}", d[0]);

    std::fs::write(&main, "name: deep\nsteps:\n  - include: 3.yaml\n").unwrap();
    let j = load_journey(&main, &opts(&[])).unwrap();
    assert!(matches!(&j.steps[0].action, Action::Include { .. }));
}

#[test]
fn including_a_big_file_many_times_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let big: String = std::iter::once("steps:\n".to_string())
        .chain(std::iter::repeat_n(
            "  - click: \"#a\"\n".to_string(),
            25_000,
        ))
        .collect();
    std::fs::write(dir.path().join("big.yaml"), &big).unwrap();
    let main = dir.path().join("main.yaml");
    let includes = "  - include: big.yaml\n".repeat(20_000);
    std::fs::write(&main, format!("name: many\nsteps:\n{includes}")).unwrap();
    let d = load_journey(&main, &opts(&[])).unwrap_err();
    assert!(
        d[0].message.contains("includes add up to more than 2 MiB"),
        "{}",
        d[0]
    );
}

/// `vedetta ARGS` that must end within a minute: killed (by its PID) and the test failed
/// otherwise, so an input that makes it hang fails the test instead of hanging it.
fn vedetta_bounded(args: &[&str], env: &[(&str, &str)]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args(args)
        .current_dir(root())
        .env_clear()
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the vedetta binary runs");
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out.expect("vedetta's output"),
        Err(_) => {
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            let _ = rx.recv();
            panic!("vedetta {args:?} hung");
        }
    }
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn an_include_outside_the_journeys_folder_is_refused_even_through_a_symlink() {
    // The issue's case: `include: /proc/self/environ` printed the environment, secrets and all.
    let dir = tempfile::tempdir().unwrap();
    let journey = dir.path().join("j.yaml");
    std::fs::write(
        &journey,
        "name: j\nsecrets: [DEMO_PASSWORD]\nsteps:\n  - include: /proc/self/environ\n",
    )
    .unwrap();
    let out = vedetta(
        &["validate", journey.to_str().unwrap()],
        &[("DEMO_PASSWORD", "env-s3cret-pw"), ("OTHER", "other-v4lue")],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("cannot include /proc/self/environ: outside the journey's folder"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("s3cret") && !stderr.contains("v4lue"),
        "{stderr}"
    );

    // A symlink in the folder to a file outside it: where it leads is what counts.
    let outside = dir.path().join("outside");
    let inside = dir.path().join("journeys");
    std::fs::create_dir_all(inside.join("parts")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("steps.yaml"), "steps:\n  - click: \"#a\"\n").unwrap();
    std::os::unix::fs::symlink(outside.join("steps.yaml"), inside.join("link.yaml")).unwrap();
    std::fs::write(inside.join("parts/ok.yaml"), "steps:\n  - click: \"#b\"\n").unwrap();
    let main = inside.join("main.yaml");
    std::fs::write(
        &main,
        "name: m\nsteps:\n  - include: link.yaml\n  - include: parts/../parts/ok.yaml\n",
    )
    .unwrap();
    let d = load_journey(&main, &opts(&[])).unwrap_err();
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].message
            .ends_with("link.yaml: outside the journey's folder"),
        "{}",
        d[0]
    );
    assert_eq!((d[0].location.line, d[0].location.column), (3, 14));
    assert!(
        d[0].help
            .as_ref()
            .unwrap()
            .contains("--allow-include-outside")
    );

    // Allowed when the options say so.
    let mut allowed = opts(&[]);
    allowed.allow_include_outside = true;
    let j = load_journey(&main, &allowed).unwrap();
    assert_eq!(j.steps.len(), 2);
}

#[test]
fn an_include_never_quotes_a_file_that_is_not_a_journey() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = dir.path().join("secrets.yaml");
    std::fs::write(&secrets, "PASSWORD: s3cr3t-pa55\nAPI_KEY: k3y-v4lue\n").unwrap();
    // What a user may keep beside their journeys, in the forms that used to be quoted.
    let not_journeys = [
        ("secrets.yaml", None),
        ("app.env", Some("DB_PASSWORD=env-file-s3cret\nMODE=prod\n")),
        ("environ", Some("HOME=/root\0TOKEN=nul-s3cret\0")),
        (
            "shadow",
            Some("root:$6$salt$shadow-s3cret:19000:0:99999:7:::\n"),
        ),
        ("config.yaml", Some("database:\n  password: cfg-s3cret\n")),
        ("broken.yaml", Some("password: \"unclosed-s3cret\n  - [\n")),
        ("list.yaml", Some("- list-s3cret\n")),
    ];
    for (name, text) in not_journeys {
        if let Some(text) = text {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let journey = dir.path().join("j.yaml");
        std::fs::write(
            &journey,
            format!("name: j\nsteps:\n  - click: \"#a\"\n  - include: {name}\n"),
        )
        .unwrap();
        let out = vedetta(
            &[
                "validate",
                "--secrets",
                secrets.to_str().unwrap(),
                journey.to_str().unwrap(),
            ],
            &[],
        );
        assert_eq!(out.status.code(), Some(2), "{name}");
        let stderr = stderr_of(&out);
        assert!(
            stderr.contains(&format!("{name}: this is not a journey")),
            "{name}: {stderr}"
        );
        assert!(
            stderr.contains("j.yaml:4:14\n"),
            "{name}: at the include: {stderr}"
        );
        assert!(
            !stderr.contains("s3cr") && !stderr.contains("v4lue"),
            "{stderr}"
        );
        assert!(stderr.ends_with("(1 error)\n"), "{name}: {stderr}");
    }
}

#[test]
fn secret_values_are_masked_in_every_quoted_line() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = dir.path().join("secrets.yaml");
    std::fs::write(&secrets, "PASSWORD: s3cr3t-pa55\n").unwrap();
    let part = dir.path().join("part.yaml");
    // A journey part with an error on a line holding a secret, and a secret written out
    // before the place an error points at.
    std::fs::write(&part, "steps:\n  - clik: s3cr3t-pa55\n").unwrap();
    let journey = dir.path().join("j.yaml");
    std::fs::write(
        &journey,
        "name: j\nsteps:\n  - fill: { \"#p\": \"s3cr3t-pa55\", \"#q\": \"${NOPE}\" }\n  - include: part.yaml\n",
    )
    .unwrap();
    let out = vedetta(
        &[
            "validate",
            "--secrets",
            secrets.to_str().unwrap(),
            journey.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = stderr_of(&out);
    assert!(!stderr.contains("s3cr3t"), "{stderr}");
    assert!(
        stderr.contains("3 |   - fill: { \"#p\": \"••••••\", \"#q\": \"${NOPE}\" }\n  |                                    ^^^^^^^ not set"),
        "the carets still under `${{NOPE}}`: {stderr}"
    );
    assert!(
        stderr.contains("2 |   - clik: ••••••\n  |     ^^^^ "),
        "{stderr}"
    );
    assert!(stderr.contains("(2 errors)"), "{stderr}");
}

#[test]
fn a_fifo_is_refused_as_a_journey_and_as_an_include_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.yaml");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let out = vedetta_bounded(&["validate", fifo.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("pipe.yaml: not a regular file (a FIFO)"),
        "{stderr}"
    );
    assert!(stderr.contains("only regular files are read"), "{stderr}");

    let journey = dir.path().join("j.yaml");
    std::fs::write(&journey, "name: j\nsteps:\n  - include: pipe.yaml\n").unwrap();
    let out = vedetta_bounded(&["validate", journey.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("pipe.yaml: not a regular file (a FIFO)\n"),
        "{stderr}"
    );
    assert!(stderr.contains("j.yaml:3:14\n"), "at the include: {stderr}");
}

// ---------------------------------------------------------------- hostile input

#[test]
fn hostile_input_is_an_error_never_a_panic_or_a_hang() {
    let deep = "[".repeat(100_000);
    assert!(!errors(&format!("name: x\nsteps: {deep}")).is_empty());
    let deep_blocks = "- ".repeat(100_000);
    assert!(!errors(&format!("name: x\nsteps:\n  {deep_blocks}x\n")).is_empty());
    let deep_maps: String = (0..5_000)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    assert!(!errors(&deep_maps).is_empty());

    let huge = format!(
        "name: x\nsteps:\n  - open: http://h/\n# {}\n",
        "x".repeat(2 * 1024 * 1024)
    );
    let d = errors(&huge);
    assert!(d[0].message.contains("larger than"));

    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("junk.yaml");
    std::fs::write(&p, [0xff, 0xfe, 0x00, 0x41, 0x0a, 0xc3]).unwrap();
    let d = load_journey(&p, &opts(&[])).unwrap_err();
    assert_eq!(d[0].message, "not UTF-8 text");
    assert_eq!((d[0].location.line, d[0].location.column), (1, 1));

    std::fs::write(&p, "x".repeat(2 * 1024 * 1024)).unwrap();
    assert!(
        load_journey(&p, &opts(&[])).unwrap_err()[0]
            .message
            .contains("larger than")
    );
    assert!(
        load_journey(dir.path(), &opts(&[])).is_err(),
        "a folder is not a journey"
    );

    for text in [
        "",
        "~",
        "[]",
        "just a string",
        "{}",
        "name: x",
        "steps: []",
        "---\n---\n",
        "a: *b",
        "\u{feff}name: x\nsteps:\n  - open: http://h/\n",
    ] {
        let _ = parse(text, &[]);
    }
    assert!(
        parse("\u{feff}name: x\nsteps:\n  - open: http://h/\n", &[]).is_ok(),
        "a BOM is fine"
    );
}

#[test]
fn pathological_files_are_described_briefly() {
    // 200k undefined references in one string: the first 100 are located, the rest counted.
    let refs = format!(
        "name: x\nsteps:\n  - open: \"{}\"\n",
        "${A}".repeat(200_000)
    );
    let d = errors(&refs);
    assert_eq!(d.len(), 101);
    assert_eq!(
        d[100].message,
        "199900 more problems not shown (only the first 100 are)"
    );
    // 100k duplicate keys on one line.
    let dups = format!(
        "name: x\nsteps:\n  - fill: {{{}}}\n",
        vec!["a: b"; 100_000].join(", ")
    );
    let d = errors(&dups);
    assert_eq!(d.len(), 101);
    assert!(
        d[99].source_line.as_ref().unwrap().len() < 1000,
        "long lines are stored in part"
    );
    // 60k steps on one line (non-ASCII too): valid is quick, invalid is capped, carets land.
    let steps = vec!["{click: €a}"; 60_000].join(", ");
    let j = parse(&format!("name: x\nsteps: [{steps}]\n"), &[]).unwrap();
    assert_eq!(j.steps.len(), 60_000);
    assert_eq!(j.steps[59_999].location.column, 8 + 13 * 59_999 + 1);
    let d = errors(&format!(
        "name: x\nsteps: [{}]\n",
        steps.replace("click", "clik")
    ));
    assert_eq!(d.len(), 101);
    let rendered = d[99].to_string();
    let lines: Vec<&str> = rendered.lines().collect();
    let caret = lines[4].chars().position(|c| c == '^').unwrap();
    assert_eq!(
        lines[3].chars().skip(caret).take(4).collect::<String>(),
        "clik",
        "{rendered}"
    );
    // Vars doubling on every line cannot expand without bound.
    let mut laughs = String::from("name: x\nvars:\n  V0: xxxxxxxxxx\n");
    for i in 1..40 {
        laughs.push_str(&format!(
            "  V{i}: \"${{V{p}}}${{V{p}}}${{V{p}}}\"\n",
            p = i - 1
        ));
    }
    laughs.push_str("steps:\n  - open: /${V39}\n");
    let d = errors(&laughs);
    assert!(d[0].message.contains("is longer than 64 KiB"), "{}", d[0]);
    // Regexes are the costly part: each bounded in size, at most 100 different ones.
    let regexes: String = (0..120)
        .map(|i| format!("  - assert_url: '/x{i}/'\n"))
        .collect();
    let d = errors(&format!(
        "name: x\nsteps:\n  - assert_url: '/\\w{{60}}/'\n{regexes}"
    ));
    assert!(d[0].label.contains("size limit"), "{}", d[0]);
    assert_eq!(d.len(), 22);
    assert_eq!(d[1].message, "more than 100 different regexes");
}

#[test]
fn every_problem_in_a_file_is_reported_in_file_order() {
    let d = errors("steps:\n  - clik: a\n  - sleep: soon\nvars:\n  1X: y\nname: bad name\n");
    let lines: Vec<usize> = d.iter().map(|d| d.location.line).collect();
    assert_eq!(lines, [2, 3, 5, 6]);
}

// ---------------------------------------------------------------- the schema

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

#[test]
fn every_journey_the_parser_accepts_validates_against_the_schema() {
    let schema = journey_schema();
    let validator = jsonschema::draft7::new(&schema).expect("the schema compiles");
    let mut files = Vec::new();
    yaml_files(&root().join("tests"), &mut files);
    yaml_files(&root().join("journeys"), &mut files);
    // Every name defined: this is about the shape of files, not their variables.
    let all_defined = LoadOptions {
        env: Box::new(|_| Some("http://127.0.0.1:1".into())),
        ..LoadOptions::default()
    };
    let mut checked = 0;
    for file in files {
        if load_journey(&file, &all_defined).is_err() {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let instance: serde_json::Value = serde_yaml::from_str(&text).unwrap();
        let problems: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(problems.is_empty(), "{}: {problems:#?}", file.display());
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} journeys checked");
}

#[test]
fn schema_rejects_what_the_parser_rejects_for_common_mistakes() {
    let validator = jsonschema::draft7::new(&journey_schema()).unwrap();
    let valid =
        |text: &str| validator.is_valid(&serde_yaml::from_str::<serde_json::Value>(text).unwrap());
    assert!(valid("name: a\nsteps:\n  - click: '#x'\n"));
    assert!(
        !valid("name: a\nsteps:\n  - clik: '#x'\n"),
        "misspelt action"
    );
    assert!(
        !valid("name: a\nsteps:\n  - click: '#x'\n    fill: { a: b }\n"),
        "two actions"
    );
    assert!(
        !valid("name: a\ntitel: t\nsteps:\n  - click: '#x'\n"),
        "unknown top-level key"
    );
    assert!(
        !valid("name: a\nsteps:\n  - click: { xpat: '//a' }\n"),
        "bad locator kind"
    );
    assert!(
        !valid("name: a\nsteps:\n  - otp: { from: sms, save_as: C }\n"),
        "sms without to"
    );
    assert!(!valid("name: a\nsteps: []\n"), "no steps");
}

#[test]
fn terminal_controls_in_a_journey_are_written_out_never_sent_to_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hostile.yaml");
    // An unknown key that sets the window title, clears the screen and turns the text around.
    std::fs::write(
        &file,
        "name: hostile\nsteps:\n  - open: /\n\"x\\e]0;pwned\\a\\e[2J\\u202Eevil\": 1\n",
    )
    .unwrap();
    let out = vedetta(&["validate", file.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("unknown key"), "{stderr}");
    assert!(
        stderr.contains(r"x\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}evil"),
        "the key is shown, escaped: {stderr}"
    );
    assert!(
        !stderr
            .chars()
            .any(|c| c == '\u{1b}' || c == '\u{7}' || c == '\u{202e}'),
        "{stderr:?}"
    );
}
