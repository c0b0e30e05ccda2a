//! The Atom feed of published incidents (RFC 4287), written by `atom_syndication` so that the
//! XML is well-formed whatever an operator types. Each incident is an entry whose content is
//! its timeline as plain text, newest notice first; `updated` is its newest notice.

use std::str::FromStr;

use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Text};

use super::incidents::PublicIncident;

pub fn render(title: &str, incidents: &[PublicIncident], now_rfc3339: &str) -> String {
    let mut feed = Feed::default();
    feed.set_title(Text::plain(title));
    feed.set_id(format!("urn:vedetta:status:{}", slug(title)));
    let newest = incidents
        .iter()
        .filter_map(|i| i.notices.last().map(|n| n.at.as_str()))
        .max()
        .unwrap_or(now_rfc3339);
    feed.set_updated(date(newest));
    let mut page = Link::default();
    page.set_href("./");
    page.set_rel("alternate");
    feed.set_links(vec![page]);
    let entries = incidents
        .iter()
        .map(|incident| {
            let mut entry = Entry::default();
            entry.set_id(format!("urn:vedetta:incident:{}", incident.id));
            entry.set_title(Text::plain(format!(
                "{} ({})",
                incident.title,
                incident.state.label()
            )));
            let updated = incident
                .notices
                .last()
                .map(|n| n.at.as_str())
                .unwrap_or(&incident.opened_at);
            entry.set_updated(date(updated));
            entry.set_published(Some(date(&incident.opened_at)));
            let timeline: Vec<String> = incident
                .notices
                .iter()
                .rev()
                .map(|n| format!("{} — {}: {}", n.at, n.state.label(), n.text))
                .collect();
            let mut content = Content::default();
            content.set_content_type(Some("text".to_string()));
            content.set_value(Some(format!(
                "Affects: {}\n\n{}",
                incident.components.join(", "),
                timeline.join("\n\n")
            )));
            entry.set_content(Some(content));
            entry
        })
        .collect::<Vec<_>>();
    feed.set_entries(entries);
    feed.to_string()
}

fn date(rfc3339: &str) -> FixedDateTime {
    FixedDateTime::from_str(rfc3339)
        .unwrap_or_else(|_| FixedDateTime::from_str("1970-01-01T00:00:00Z").expect("a date"))
}

fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::public::incidents::{IncidentState, Notice};

    #[test]
    fn the_feed_parses_back_with_each_incident_and_its_words_escaped() {
        let incident = PublicIncident {
            id: 3,
            title: "SMS verification <b>".into(),
            components: vec!["SMS verification".into()],
            state: IncidentState::Investigating,
            published: true,
            automatic: true,
            opened_at_ms: 0,
            opened_at: "2026-11-30T11:30:00Z".into(),
            resolved_at_ms: None,
            notices: vec![Notice {
                id: 1,
                at_ms: 0,
                at: "2026-11-30T11:30:00Z".into(),
                state: IncidentState::Investigating,
                text: "We are investigating & <i>will</i> report.".into(),
            }],
        };
        let xml = render("Bank status", &[incident], "2026-11-30T12:00:00Z");
        let feed = Feed::from_str(&xml).expect("well-formed Atom");
        assert_eq!(feed.entries().len(), 1);
        let entry = &feed.entries()[0];
        assert_eq!(
            entry.title().as_str(),
            "SMS verification <b> (Investigating)"
        );
        let content = entry.content().and_then(|c| c.value()).unwrap();
        assert!(content.contains("We are investigating & <i>will</i> report."));
        assert!(!xml.contains("<i>will"), "escaped in the XML");
    }
}
