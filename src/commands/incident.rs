//! `vedetta incident open|update|resolve|publish|list`: a running monitor's public incidents,
//! through its authenticated API (`/api/incidents`, bearer `api_token`). The token is sent,
//! never printed.

use super::monitor_api::{MonitorTarget, answer, client, text};
use super::{CommandError, Outcome};

/// What `vedetta incident` was asked to do.
pub enum IncidentCommand {
    Open {
        components: Vec<String>,
        message: String,
        title: Option<String>,
        state: Option<String>,
        /// Keep it off the public page until `publish`.
        draft: bool,
    },
    Update {
        id: i64,
        message: String,
        state: Option<String>,
    },
    Resolve {
        id: i64,
        /// Default: the monitor's resolved template.
        message: Option<String>,
    },
    Publish {
        id: i64,
    },
    List,
}

pub fn execute(target: MonitorTarget, command: IncidentCommand) -> Result<Outcome, CommandError> {
    let token = target.token("changing an incident")?;
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let client = client()?;
        let base = target.base();
        let post = |path: String, body: serde_json::Value| {
            client
                .post(format!("{base}{path}"))
                .bearer_auth(&token)
                .json(&body)
        };
        match command {
            IncidentCommand::Open {
                components,
                message,
                title,
                state,
                draft,
            } => {
                let mut body = serde_json::json!({
                    "components": components,
                    "text": message,
                    "publish": !draft,
                });
                if let Some(title) = title {
                    body["title"] = title.into();
                }
                if let Some(state) = state {
                    body["state"] = state.into();
                }
                let incident = answer(post("/api/incidents".into(), body), &base).await?;
                println!(
                    "incident {} opened: {}",
                    incident["id"],
                    describe(&incident)
                );
            }
            IncidentCommand::Update { id, message, state } => {
                let mut body = serde_json::json!({ "text": message });
                if let Some(state) = state {
                    body["state"] = state.into();
                }
                let path = format!("/api/incidents/{id}/notices");
                let incident = answer(post(path, body), &base).await?;
                println!("incident {id} updated: {}", describe(&incident));
            }
            IncidentCommand::Resolve { id, message } => {
                let body = match message {
                    Some(m) => serde_json::json!({ "text": m }),
                    None => serde_json::json!({}),
                };
                let path = format!("/api/incidents/{id}/resolve");
                let incident = answer(post(path, body), &base).await?;
                println!("incident {id} resolved: {}", describe(&incident));
            }
            IncidentCommand::Publish { id } => {
                let path = format!("/api/incidents/{id}/publish");
                let incident = answer(post(path, serde_json::json!({})), &base).await?;
                println!("incident {id} published: {}", describe(&incident));
            }
            IncidentCommand::List => {
                let request = client
                    .get(format!("{base}/api/incidents"))
                    .bearer_auth(&token);
                let list = answer(request, &base).await?;
                let list = list.as_array().cloned().unwrap_or_default();
                if list.is_empty() {
                    println!("no incidents");
                }
                for i in &list {
                    println!("{:<6} {}", i["id"], describe(i));
                    if let Some(last) = i["notices"].as_array().and_then(|n| n.last()) {
                        println!("       {}  {}", text(&last["at"]), text(&last["text"]));
                    }
                }
            }
        }
        Ok(Outcome::Success)
    })
}

/// `investigating, public: SMS verification — SMS verification: some customers are affected`.
fn describe(i: &serde_json::Value) -> String {
    let components = i["components"]
        .as_array()
        .map(|c| c.iter().map(text).collect::<Vec<_>>().join(", "))
        .unwrap_or_default();
    let shown = if i["published"].as_bool() == Some(true) {
        "public"
    } else {
        "draft"
    };
    format!(
        "{}, {shown}: {components} — {}",
        text(&i["state"]),
        text(&i["title"])
    )
}
