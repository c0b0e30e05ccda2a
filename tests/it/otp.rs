//! OTP sources for real: TOTP against RFC 6238's vectors, the http source against a local
//! server, the command source through `sh`, the sms source through the in-process inbox.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use vedetta::journey::model::{OtpSource, OtpStep, Template, TemplatePart, Variables};
use vedetta::otp::{OtpError, OtpSources, totp};

/// RFC 6238 appendix B's SHA-1 seed, "12345678901234567890", in base32.
const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

fn six_digits() -> regex::Regex {
    regex::Regex::new(r"\b(\d{6})\b").unwrap()
}

fn step(source: OtpSource) -> OtpStep {
    OtpStep {
        source,
        save_as: "CODE".into(),
    }
}

async fn fetch(source: OtpSource, vars: &Variables, timeout: Duration) -> Result<String, OtpError> {
    OtpSources::default()
        .fetch(&step(source), vars, SystemTime::now(), timeout)
        .await
}

#[test]
fn totp_matches_the_rfc_6238_vectors() {
    // RFC 6238 appendix B (SHA-1, 8 digits); six digits are the last six.
    for (time, eight_digits) in [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
    ] {
        assert_eq!(
            totp::code_at(RFC_SECRET, time).unwrap(),
            &eight_digits[2..],
            "at t={time}"
        );
    }
}

#[test]
fn totp_matches_totp_rs_and_tolerates_how_people_write_secrets() {
    let reference = totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        totp_rs::Secret::Encoded(RFC_SECRET.into())
            .to_bytes()
            .unwrap(),
    );
    let t = 1_700_000_000;
    assert_eq!(totp::code_at(RFC_SECRET, t).unwrap(), reference.generate(t));
    assert_eq!(
        totp::code_at("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", t).unwrap(),
        reference.generate(t)
    );
}

#[tokio::test]
async fn a_totp_step_renders_its_secret_and_gives_a_live_code() {
    let mut vars = Variables::default();
    vars.set_secret("MFA", RFC_SECRET);
    let source = OtpSource::Totp {
        secret: Template {
            parts: vec![TemplatePart::Var("MFA".into())],
        },
    };
    let code = fetch(source, &vars, Duration::from_secs(10)).await.unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // The code is the current window's (fetching may have waited into it at a boundary).
    let live = [
        totp::code_at(RFC_SECRET, now).unwrap(),
        totp::code_at(RFC_SECRET, now.saturating_sub(30)).unwrap(),
    ];
    assert!(live.contains(&code));
}

#[tokio::test]
async fn a_bad_totp_secret_is_unavailable_and_masked() {
    let mut vars = Variables::default();
    vars.set_secret("MFA", "not*base32");
    let source = OtpSource::Totp {
        secret: Template {
            parts: vec![TemplatePart::Var("MFA".into())],
        },
    };
    let err = fetch(source, &vars, Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(matches!(err, OtpError::Unavailable(_)), "{err:?}");
    assert!(!err.to_string().contains("not*base32"));
}

/// A mail-catcher stand-in: answers "nothing yet" (once with a 503) until the `ready_after`th
/// poll, then the code.
async fn code_server(
    ready_after: usize,
) -> (String, Arc<AtomicUsize>, tokio::task::JoinHandle<()>) {
    let polls = Arc::new(AtomicUsize::new(0));
    let counter = polls.clone();
    let app = axum::Router::new().route(
        "/latest",
        axum::routing::get(move || {
            let counter = counter.clone();
            async move {
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                if n == 1 {
                    (
                        axum::http::StatusCode::SERVICE_UNAVAILABLE,
                        "warming up".to_string(),
                    )
                } else if n < ready_after {
                    (axum::http::StatusCode::OK, "{\"messages\": []}".to_string())
                } else {
                    (
                        axum::http::StatusCode::OK,
                        "{\"messages\": [\"Your code: 987654\"]}".to_string(),
                    )
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let url = format!("http://{}/latest", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, polls, task)
}

#[tokio::test]
async fn the_http_source_polls_until_the_code_is_there() {
    let (url, polls, server) = code_server(4).await;
    let source = OtpSource::Http {
        url: Template::literal(url),
        pattern: six_digits(),
    };
    let code = fetch(source, &Variables::default(), Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(code, "987654");
    assert_eq!(
        polls.load(Ordering::SeqCst),
        4,
        "it stops polling once it has the code"
    );
    server.abort();
}

#[tokio::test]
async fn the_http_source_times_out_as_not_received_and_masks_secrets_in_the_url() {
    let (url, _polls, server) = code_server(usize::MAX).await;
    let mut vars = Variables::default();
    vars.set_secret("API_KEY", "s3cr3t-key");
    let template = Template {
        parts: vec![
            TemplatePart::Literal(format!("{url}?key=")),
            TemplatePart::Var("API_KEY".into()),
        ],
    };
    let source = OtpSource::Http {
        url: template,
        pattern: six_digits(),
    };
    let err = fetch(source, &vars, Duration::from_millis(800))
        .await
        .unwrap_err();
    let OtpError::NotReceived(msg) = &err else {
        panic!("expected NotReceived, got {err:?}")
    };
    assert!(msg.contains(r"/\b(\d{6})\b/"), "{msg}");
    assert!(msg.contains("within 800ms"), "{msg}");
    assert!(!msg.contains("s3cr3t-key"), "secret leaked: {msg}");
    assert!(msg.contains("key=••••••"), "{msg}");
    server.abort();
}

#[tokio::test]
async fn an_unreachable_http_source_is_unavailable() {
    // A port that was free a moment ago and now has nobody listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let source = OtpSource::Http {
        url: Template::literal(format!("http://127.0.0.1:{port}/code")),
        pattern: six_digits(),
    };
    let err = fetch(source, &Variables::default(), Duration::from_millis(600))
        .await
        .unwrap_err();
    assert!(matches!(err, OtpError::Unavailable(_)), "{err:?}");
}

fn command(run: &str) -> OtpSource {
    OtpSource::Command {
        run: Template::literal(run),
        pattern: six_digits(),
    }
}

#[tokio::test]
async fn the_command_source_takes_the_code_from_stdout() {
    let code = fetch(
        command("echo 'code 123456'"),
        &Variables::default(),
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert_eq!(code, "123456");
}

#[tokio::test]
async fn the_command_source_runs_again_until_the_code_shows() {
    let dir = tempfile::tempdir().unwrap();
    let counter = dir.path().join("runs");
    let run = format!(
        "n=$(cat '{c}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '{c}'; [ $n -ge 3 ] && echo 'code 424242'",
        c = counter.display()
    );
    let code = fetch(
        command(&run),
        &Variables::default(),
        Duration::from_secs(20),
    )
    .await
    .unwrap();
    assert_eq!(code, "424242");
    assert_eq!(std::fs::read_to_string(&counter).unwrap().trim(), "3");
}

#[tokio::test]
async fn a_command_that_does_not_exist_is_unavailable() {
    let err = fetch(
        command("vedetta-no-such-command-xyz"),
        &Variables::default(),
        Duration::from_secs(10),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, OtpError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn a_command_still_running_at_the_timeout_is_killed_with_its_children() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let mut vars = Variables::default();
    vars.set_secret("TOKEN", "hunter2-token");
    let run = Template {
        parts: vec![
            TemplatePart::Literal(format!(
                "sleep 60 & echo $! > '{}'; wait; echo ",
                pid_file.display()
            )),
            TemplatePart::Var("TOKEN".into()),
        ],
    };
    let timeout = Duration::from_millis(800);
    let started = Instant::now();
    let err = fetch(
        OtpSource::Command {
            run,
            pattern: six_digits(),
        },
        &vars,
        timeout,
    )
    .await
    .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "it must not wait for the command to end"
    );
    let OtpError::NotReceived(msg) = &err else {
        panic!("expected NotReceived, got {err:?}")
    };
    assert!(!msg.contains("hunter2-token"), "secret leaked: {msg}");

    // The background `sleep` was in the command's process group: it went with it.
    let pid: u32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_gone(pid).await;
}

#[tokio::test]
async fn the_sms_source_needs_an_inbox() {
    let source = OtpSource::Sms {
        to: Template::literal("+393330000001"),
        pattern: six_digits(),
    };
    let err = fetch(source, &Variables::default(), Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(matches!(err, OtpError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn the_sms_source_takes_only_a_code_sent_since_the_attempt_began_and_only_once() {
    let inbox = Arc::new(vedetta::inbox::Inbox::new());
    let sources = OtpSources::with_sms(inbox.clone());
    let source = OtpSource::Sms {
        to: Template::literal("+39 333 0000001"),
        pattern: six_digits(),
    };
    // A code left over from an earlier attempt (its SMS arrived before this attempt began)…
    inbox
        .deliver("+393330000001", "BANK", "Your code is 111111", None)
        .unwrap();
    std::thread::sleep(Duration::from_millis(20));
    let attempt_began = SystemTime::now();
    // …and the one this attempt's login click made the bank send, before the otp step starts.
    inbox
        .deliver("+393330000001", "BANK", "Your code is 555123", None)
        .unwrap();
    let code = sources
        .fetch(
            &step(source.clone()),
            &Variables::default(),
            attempt_began,
            Duration::from_secs(5),
        )
        .await;
    assert_eq!(code.unwrap(), "555123");
    // Taken: a second journey does not get it again, nor the stale code from before.
    let again = sources
        .fetch(
            &step(source),
            &Variables::default(),
            attempt_began,
            Duration::from_millis(200),
        )
        .await;
    assert!(matches!(again, Err(OtpError::NotReceived(_))), "{again:?}");
}

#[tokio::test]
async fn the_command_source_takes_the_code_as_it_is_printed_and_ends_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    // A follower: prints the code, then would go on for a minute.
    let run = format!(
        "sleep 60 & echo $! > '{}'; echo 'code 515151'; wait",
        pid_file.display()
    );
    let timeout = Duration::from_secs(30);
    let started = Instant::now();
    let code = fetch(command(&run), &Variables::default(), timeout)
        .await
        .unwrap();
    assert_eq!(code, "515151");
    assert!(
        started.elapsed() < timeout / 2,
        "it did not wait for the command to end"
    );
    let pid: u32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_gone(pid).await;
}

/// `pid` (a `sleep`) is gone, or a zombie waiting for init, within a few seconds.
async fn assert_gone(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat
            .rsplit(") ")
            .next()
            .and_then(|rest| rest.chars().next());
        if stat.is_empty() || state == Some('Z') || !stat.contains("(sleep)") {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "sleep {pid} outlived the step: {stat}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Issue 14, defect 6: a pattern that can match nothing at all would hand out "" as the code.
#[tokio::test]
async fn a_pattern_that_can_match_an_empty_code_is_refused_by_every_source_and_takes_nothing() {
    let inbox = Arc::new(vedetta::inbox::Inbox::new());
    let sources = OtpSources::with_sms(inbox.clone());
    let since = SystemTime::now();
    inbox
        .deliver("+393330000001", "BANK", "Your code is 555123", None)
        .unwrap();
    for pattern in [r"(z)?", r"\d*", r"code(\d*)", r"\b", "^"] {
        let empty = regex::Regex::new(pattern).unwrap();
        let sources_and_steps = [
            OtpSource::Sms {
                to: Template::literal("+393330000001"),
                pattern: empty.clone(),
            },
            OtpSource::Command {
                run: Template::literal("echo 'code 123456'"),
                pattern: empty.clone(),
            },
            OtpSource::Http {
                url: Template::literal("http://127.0.0.1:9/code"),
                pattern: empty.clone(),
            },
        ];
        for source in sources_and_steps {
            let err = sources
                .fetch(
                    &step(source),
                    &Variables::default(),
                    since,
                    Duration::from_millis(300),
                )
                .await
                .unwrap_err();
            assert!(
                matches!(err, OtpError::Unavailable(_)),
                "{pattern}: {err:?}"
            );
            assert!(err.to_string().contains("empty"), "{pattern}: {err}");
        }
    }
    // The message was not used up by any of them.
    let code = sources
        .fetch(
            &step(OtpSource::Sms {
                to: Template::literal("+393330000001"),
                pattern: six_digits(),
            }),
            &Variables::default(),
            since,
            Duration::from_secs(5),
        )
        .await;
    assert_eq!(code.unwrap(), "555123");
}
