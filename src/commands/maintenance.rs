//! `vedetta maintenance start|end|list`: opens, ends and lists a running monitor's maintenance
//! windows through its authenticated API (`POST`/`DELETE /api/maintenance`, `GET` to list).

use std::time::Duration;

use super::monitor_api::{MonitorTarget, answer, client, text};
use super::{CommandError, Outcome};

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
    target: MonitorTarget,
    command: MaintenanceCommand,
) -> Result<Outcome, CommandError> {
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let client = client()?;
        let base = target.base();
        let token = || target.token("starting or ending a window");
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
                println!(
                    "maintenance {} started: {}",
                    text(&window["id"]),
                    describe(&window)
                );
            }
            MaintenanceCommand::End { id } => {
                let request = client
                    .delete(format!("{base}/api/maintenance/{id}"))
                    .bearer_auth(token()?);
                let window = answer(request, &base).await?;
                println!(
                    "maintenance {} ended at {}",
                    text(&window["id"]),
                    text(&window["ends_at"])
                );
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
