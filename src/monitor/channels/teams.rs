//! Microsoft Teams, through a Workflows webhook ("Post to a channel when a webhook request is
//! received"): a `message` whose one attachment is an Adaptive Card (schema 1.4) — the summary
//! in the alert's colour, the facts, the failure message, and buttons to the status page and
//! the screenshot.

use serde_json::{Value, json};

use crate::monitor::notify::{Alert, AlertEvent, human_secs, slow_summary};

/// The card for `alert`, in the envelope the Workflows webhook takes.
pub fn teams_payload(alert: &Alert) -> Value {
    let colour = match alert.event {
        AlertEvent::Down => "Attention",
        AlertEvent::Degraded | AlertEvent::Blind => "Warning",
        AlertEvent::Recovered | AlertEvent::Sighted => "Good",
    };
    let mut facts = vec![fact("Journey", &alert.journey)];
    if let Some(title) = &alert.title {
        facts.push(fact("Title", title));
    }
    facts.push(fact("Event", alert.event.as_str()));
    if let Some(previous) = &alert.previous {
        facts.push(fact("Was", previous));
    }
    facts.push(fact("Since", &alert.since));
    if let Some(step) = &alert.step {
        facts.push(fact("Step", &format!("{} · {}", step.index, step.name)));
    }
    if let Some(category) = &alert.category {
        facts.push(fact("Category", category));
    }
    if let Some(secs) = alert.duration_seconds {
        facts.push(fact("Lasted", &human_secs(secs)));
    }
    let mut body = vec![
        json!({"type": "TextBlock", "text": alert.text, "weight": "Bolder", "size": "Medium",
               "color": colour, "wrap": true}),
        json!({"type": "FactSet", "facts": facts}),
    ];
    for s in &alert.slow {
        body.push(
            json!({"type": "TextBlock", "text": format!("Slow: {}", slow_summary(s)),
                         "wrap": true}),
        );
    }
    if let (AlertEvent::Down | AlertEvent::Blind, Some(message)) = (alert.event, &alert.message) {
        body.push(json!({"type": "TextBlock", "text": message, "wrap": true,
                         "fontType": "Monospace", "isSubtle": true}));
    }
    let mut actions = vec![json!({"type": "Action.OpenUrl", "title": "Status page",
                                  "url": alert.status_page})];
    if let Some(shot) = &alert.screenshot_url {
        actions.push(json!({"type": "Action.OpenUrl", "title": "Screenshot", "url": shot}));
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msteams": {"width": "Full"},
                "body": body,
                "actions": actions,
            },
        }],
    })
}

fn fact(title: &str, value: &str) -> Value {
    json!({"title": title, "value": value})
}
