//! `otp: {from: command}`: runs a command and takes the code from its output.
//!
//! Contract: `sh -c <run>` in its own process group. Its stdout is matched as it arrives (first
//! capture group, else the whole match): the first match is the code, and whatever the command
//! still runs is then ended — so both one-shot scripts and followers (`tail -f mail.log`) work.
//! A run that ends without a match is run again every [`RUN_EVERY`] until the timeout passes
//! (`NotReceived`); a run still going at the timeout is killed with its whole group. Exit status
//! 126/127 (the shell could not find or execute the command) is `Unavailable` at once: waiting
//! will not fix it. Output is never quoted in errors (it may hold codes).

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

/// Output kept per run for matching; a chatty command's later output is ignored.
const MAX_OUTPUT: usize = 1 << 20;

async fn run_once(
    command: &str,
    pattern: &regex::Regex,
    deadline: tokio::time::Instant,
) -> Result<Run, OtpError> {
    use tokio::io::AsyncReadExt;
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        // Its own group, so ending it ends what the shell started too, not only the shell.
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            OtpError::Unavailable(format!("could not start `sh` to run `{command}`: {e}"))
        })?;
    // The child is not reaped before `end_group` runs, so its id still names our group.
    let end_group = |child: &tokio::process::Child| {
        if let Some(pgid) = child.id().and_then(|p| i32::try_from(p).ok()) {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pgid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    };
    let Some(mut stdout) = child.stdout.take() else {
        return Err(OtpError::Unavailable(format!(
            "could not read the output of `{command}`"
        )));
    };
    let mut output = Vec::new();
    let read = tokio::time::timeout_at(deadline, async {
        let mut chunk = [0u8; 8192];
        loop {
            let n = stdout.read(&mut chunk).await.unwrap_or(0);
            if n == 0 {
                return None;
            }
            if output.len() < MAX_OUTPUT {
                output.extend_from_slice(&chunk[..n]);
                if let Some(code) = extract(pattern, &String::from_utf8_lossy(&output)) {
                    return Some(code);
                }
            }
        }
    })
    .await;
    match read {
        Err(_) => {
            end_group(&child);
            return Ok(Run::TimedOut);
        }
        Ok(Some(code)) => {
            end_group(&child);
            return Ok(Run::Matched(code));
        }
        Ok(None) => {}
    }
    // Stdout closed without a match: how did the command end?
    let status = match tokio::time::timeout_at(deadline, child.wait()).await {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => {
            return Err(OtpError::Unavailable(format!(
                "could not wait for `{command}`: {e}"
            )));
        }
        Err(_) => {
            end_group(&child);
            return Ok(Run::TimedOut);
        }
    };
    match status.code() {
        Some(code @ (126 | 127)) => Err(OtpError::Unavailable(format!(
            "could not run `{command}`: the shell could not find or execute it (exit status {code})"
        ))),
        Some(0) => Ok(Run::NoMatch("exit status 0, no match on stdout".into())),
        Some(code) => Ok(Run::NoMatch(format!("exit status {code}"))),
        None => Ok(Run::NoMatch("killed by a signal".into())),
    }
}
