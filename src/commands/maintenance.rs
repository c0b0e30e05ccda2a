//! `vedetta maintenance start|end|list`: opens, ends and lists a running monitor's maintenance
//! windows through its authenticated API (`POST`/`DELETE /api/maintenance`, `GET` to list).

use std::time::Duration;

use super::{CommandError, Outcome};

/// Which monitor, and with what token.
pub struct MaintenanceTarget {
    /// The monitor's base URL (`http://127.0.0.1:9090`).
    pub monitor: String,
    /// The config's `api_token` (for start and end).
    pub token: Option<String>,
}

/// What `vedetta maintenance` was asked to do.
pub enum MaintenanceCommand {
    Start {
        duration: Duration,
        /// Empty: every journey.
        journeys: Vec<String>,
        reason: Option<String>,
    },
    End {
        id: String,
    },
    List,
}

pub fn execute(
    target: MaintenanceTarget,
    command: MaintenanceCommand,
) -> Result<Outcome, CommandError> {
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| CommandError::harness(format!("no HTTP client: {e}")))?;
        let base = target.monitor.trim_end_matches('/').to_string();
        let token = || {
            target.token.clone().filter(|t| !t.trim().is_empty()).ok_or_else(|| {
                CommandError::invalid(
                    "starting or ending a window needs the monitor's api_token: pass --token or set VEDETTA_API_TOKEN",
                )
            })
        };
        match command {
            MaintenanceCommand::Start {
                duration,
                journeys,
                reason,
            } => {
                let mut body = serde_json::json!({
                    "for": format!("{}s", duration.as_secs().max(1)),
                });
                if !journeys.is_empty() {
                    body["journeys"] = journeys.into();
                }
                if let Some(reason) = reason {
                    body["reason"] = reason.into();
                }
                let request = client
                    .post(format!("{base}/api/maintenance"))
                    .bearer_auth(token()?)
                    .json(&body);
                let window = answer(request, &base).await?;
                println!("maintenance {} started: {}", text(&window["id"]), describe(&window));
            }
            MaintenanceCommand::End { id } => {
                let request = client
                    .delete(format!("{base}/api/maintenance/{id}"))
                    .bearer_auth(token()?);
                let window = answer(request, &base).await?;
                println!("maintenance {} ended at {}", text(&window["id"]), text(&window["ends_at"]));
            }
            MaintenanceCommand::List => {
                let windows = answer(client.get(format!("{base}/api/maintenance")), &base).await?;
                let windows = windows.as_array().cloned().unwrap_or_default();
                if windows.is_empty() {
                    println!("no maintenance window open or planned");
                }
                for w in &windows {
                    println!("{:<14} {}", text(&w["id"]), describe(w));
                }
            }
        }
        Ok(Outcome::Success)
    })
}

/// The monitor's JSON answer; a refusal or no answer is an error saying which.
pub(super) async fn answer(
    request: reqwest::RequestBuilder,
    base: &str,
) -> Result<serde_json::Value, CommandError> {
    let resp = request.send().await.map_err(|e| {
        CommandError::harness(format!(
            "cannot reach the monitor at {base}: {}",
            std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string())
        ))
    })?;
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    if status.is_success() {
        return serde_json::from_str(&body)
            .map_err(|e| CommandError::harness(format!("the monitor's answer is not JSON: {e}")));
    }
    let said = crate::text::escape_untrusted(body.trim());
    let message = match status.as_u16() {
        401 => format!("the monitor refused the token ({status}): {said}"),
        _ => format!("the monitor answered {status}: {said}"),
    };
    Err(if status.is_client_error() {
        CommandError::invalid(message)
    } else {
        CommandError::harness(message)
    })
}

/// `every journey, 2026-11-25T11:30:00Z → 2026-11-25T12:00:00Z (deploy)`.
fn describe(w: &serde_json::Value) -> String {
    let journeys = match w["journeys"].as_array() {
        Some(names) => names.iter().map(text).collect::<Vec<_>>().join(", "),
        None => "every journey".into(),
    };
    let reason = w["reason"]
        .as_str()
        .map(|r| format!(" ({})", crate::text::escape_untrusted(r)))
        .unwrap_or_default();
    format!(
        "{journeys}, {} → {}{reason}",
        text(&w["starts_at"]),
        text(&w["ends_at"])
    )
}

fn text(v: &serde_json::Value) -> String {
    crate::text::escape_untrusted(v.as_str().unwrap_or_default()).into_owned()
}
