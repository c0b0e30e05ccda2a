//! `otp: {from: command}`: runs a command and takes the code from its output.
//!
//! Contract: `sh -c <run>` in its own process group, again every [`RUN_EVERY`], until a run that
//! exits 0 prints a match on stdout (first capture group, else the whole match) or the timeout
//! passes (`NotReceived`). A run still going at the timeout is killed with its whole group.
//! Exit status 126/127 (the shell could not find or execute the command) is `Unavailable` at
//! once: waiting will not fix it. Output is never quoted in errors (it may hold codes).

use std::process::Stdio;
use std::time::Duration;

use super::OtpError;
use super::http::extract;
use crate::journey::model::format_duration;

pub const RUN_EVERY: Duration = Duration::from_millis(500);

/// What one run ended as.
enum Run {
    Matched(String),
    /// Exited (with this description) without a match.
    NoMatch(String),
    TimedOut,
}

pub async fn fetch(
    command: &str,
    pattern: &regex::Regex,
    timeout: Duration,
) -> Result<String, OtpError> {
    let deadline = tokio::time::Instant::now() + timeout;
    let last = loop {
        let how = match run_once(command, pattern, deadline).await? {
            Run::Matched(code) => return Ok(code),
            Run::NoMatch(how) => how,
            Run::TimedOut => break "still running at the timeout, killed".to_string(),
        };
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            break how;
        }
        tokio::time::sleep(RUN_EVERY.min(left)).await;
        if tokio::time::Instant::now() >= deadline {
            break how;
        }
    };
    Err(OtpError::NotReceived(format!(
        "no code matching /{}/ in the output of `{command}` within {} (last run: {last})",
        pattern.as_str(),
        format_duration(timeout)
    )))
}

async fn run_once(
    command: &str,
    pattern: &regex::Regex,
    deadline: tokio::time::Instant,
) -> Result<Run, OtpError> {
    let child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        // Its own group, so a timeout kills what the shell started too, not only the shell.
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            OtpError::Unavailable(format!("could not start `sh` to run `{command}`: {e}"))
        })?;
    let pgid = child.id();
    let output = match tokio::time::timeout_at(deadline, child.wait_with_output()).await {
        Ok(Ok(output)) => output,
        Ok(Err(e)) => {
            return Err(OtpError::Unavailable(format!(
                "could not read the output of `{command}`: {e}"
            )));
        }
        Err(_) => {
            if let Some(pgid) = pgid.and_then(|p| i32::try_from(p).ok()) {
                let _ = nix::sys::signal::killpg(
                    nix::unistd::Pid::from_raw(pgid),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
            return Ok(Run::TimedOut);
        }
    };
    match output.status.code() {
        Some(126) | Some(127) => Err(OtpError::Unavailable(format!(
            "could not run `{command}`: the shell could not find or execute it (exit status {})",
            output.status.code().unwrap_or_default()
        ))),
        Some(0) => {
            let stdout = String::from_utf8_lossy(&output.stdout);
            Ok(match extract(pattern, &stdout) {
                Some(code) => Run::Matched(code),
                None => Run::NoMatch("exit status 0, no match on stdout".into()),
            })
        }
        Some(code) => Ok(Run::NoMatch(format!("exit status {code}"))),
        None => Ok(Run::NoMatch("killed by a signal".into())),
    }
}
