//! The public status page: pure `render(&PublicPage)`. Semantic HTML, every state said in
//! words (colour only repeats it), no JavaScript, one column on a phone. It shows component
//! names and the words of published notices — nothing else the monitor knows.

use serde::Serialize;

use super::incidents::{IncidentState, PublicIncident};
use crate::monitor::components::{ComponentState, DayTally};
use crate::text::escape_html;

/// What the page (and the JSON summary) shows.
#[derive(Debug, Clone, Serialize)]
pub struct PublicPage {
    pub title: String,
    pub generated_at: String,
    pub components: Vec<ComponentRow>,
    /// Published incidents, newest first.
    pub incidents: Vec<PublicIncident>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComponentRow {
    pub name: String,
    pub state: ComponentState,
    /// Uptime over the days with runs, in percent; `None`: no run in the period.
    pub uptime: Option<f64>,
    /// One per day, oldest first, the last one today.
    pub days: Vec<Day>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Day {
    /// `2026-11-30`.
    pub date: String,
    #[serde(flatten)]
    pub tally: DayTally,
}

impl ComponentRow {
    pub fn new(name: String, state: ComponentState, days: Vec<Day>) -> ComponentRow {
        let (runs, failed) = days
            .iter()
            .fold((0, 0), |(r, f), d| (r + d.tally.runs, f + d.tally.failed));
        let uptime = DayTally { runs, failed }.uptime();
        ComponentRow {
            name,
            state,
            uptime,
            days,
        }
    }
}

impl PublicPage {
    /// The overall line at the top.
    pub fn headline(&self) -> (&'static str, &'static str) {
        let worst = self
            .components
            .iter()
            .map(|c| c.state)
            .filter(|s| *s != ComponentState::Unknown)
            .max();
        match worst {
            Some(ComponentState::Outage) => ("outage", "Some services are not working"),
            Some(ComponentState::Degraded) => ("degraded", "Some services are slow"),
            Some(ComponentState::Maintenance) => ("maintenance", "Maintenance in progress"),
            Some(_) => ("operational", "All services are working"),
            None => ("unknown", "No checks have run yet"),
        }
    }
}

const STYLE: &str = "
:root{color-scheme:light;--ok:#1a7f37;--deg:#9a6700;--out:#cf222e;--mnt:#0969da;--unk:#6e7781;--line:#d0d7de}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328;background:#f6f8fa}
main{max-width:52rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
h3{font-size:1rem;margin:0}
section,article{background:#fff;border:1px solid var(--line);border-radius:8px;padding:1rem;margin:0 0 1rem}
.headline{font-weight:600;border-left:6px solid var(--unk)}
.headline.operational{border-color:var(--ok)}.headline.degraded{border-color:var(--deg)}
.headline.outage{border-color:var(--out)}.headline.maintenance{border-color:var(--mnt)}
ul.components{list-style:none;margin:0;padding:0}
ul.components>li{padding:.75rem 0;border-top:1px solid var(--line)}
ul.components>li:first-child{border-top:0}
.row{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.25rem 1rem}
.state{font-weight:600}
.state::before{content:'';display:inline-block;width:.7em;height:.7em;border-radius:50%;margin-right:.4em;background:var(--unk)}
.operational .state::before{background:var(--ok)}.degraded .state::before{background:var(--deg)}
.outage .state::before{background:var(--out)}.maintenance .state::before{background:var(--mnt)}
ol.strip{display:flex;gap:1px;list-style:none;margin:.5rem 0 .25rem;padding:0;height:2rem}
ol.strip li{flex:1;min-width:1px;background:#eaeef2;border-radius:1px}
ol.strip li.up{background:var(--ok)}ol.strip li.some{background:var(--deg)}ol.strip li.down{background:var(--out)}
.range{display:flex;justify-content:space-between;font-size:.8rem;color:#57606a}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
ol.timeline{list-style:none;margin:.5rem 0 0;padding:0}
ol.timeline li{margin:.5rem 0;padding-left:.75rem;border-left:3px solid var(--line)}
.meta{font-size:.85rem;color:#57606a}
footer{font-size:.8rem;color:#57606a;text-align:center;margin:2rem 0 1rem}
@media (max-width:30rem){main{padding:.5rem}section,article{padding:.75rem}ol.strip{height:1.6rem}}
";

pub fn render(page: &PublicPage) -> String {
    let mut out = String::new();
    let title = escape_html(&page.title);
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n\
         <link rel=\"alternate\" type=\"application/atom+xml\" title=\"Incidents\" href=\"feed.atom\">\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n"
    ));
    let (class, words) = page.headline();
    out.push_str(&format!(
        "<section class=\"headline {class}\" aria-live=\"polite\"><p>{words}</p></section>\n"
    ));

    let current: Vec<&PublicIncident> = page
        .incidents
        .iter()
        .filter(|i| i.state != IncidentState::Resolved)
        .collect();
    if !current.is_empty() {
        out.push_str("<h2>Current incidents</h2>\n");
        for incident in current {
            incident_html(&mut out, incident);
        }
    }

    out.push_str("<h2>Components</h2>\n<section>\n<ul class=\"components\">\n");
    for c in &page.components {
        component_html(&mut out, c);
    }
    out.push_str("</ul>\n</section>\n");

    out.push_str("<h2>Past incidents</h2>\n");
    let past: Vec<&PublicIncident> = page
        .incidents
        .iter()
        .filter(|i| i.state == IncidentState::Resolved)
        .collect();
    if past.is_empty() {
        out.push_str("<section><p>No incidents reported.</p></section>\n");
    }
    for incident in past {
        incident_html(&mut out, incident);
    }
    out.push_str(&format!(
        "<footer><p>Updated {} · <a href=\"feed.atom\">Atom feed</a> · <a href=\"summary.json\">JSON</a></p></footer>\n</main>\n</body>\n</html>\n",
        escape_html(&page.generated_at)
    ));
    out
}

fn component_html(out: &mut String, c: &ComponentRow) {
    let state = c.state.as_str();
    let uptime = match c.uptime {
        Some(u) => format!("{} uptime over {} days", percent(u), c.days.len()),
        None => format!("no checks in the last {} days", c.days.len()),
    };
    out.push_str(&format!(
        "<li class=\"{state}\">\n<div class=\"row\"><h3>{}</h3><span class=\"state\">{}</span></div>\n",
        escape_html(&c.name),
        c.state.label()
    ));
    out.push_str(&format!(
        "<ol class=\"strip\" aria-label=\"{} history, one mark per day\">",
        escape_html(&c.name)
    ));
    for day in &c.days {
        let (class, said) = match day.tally.uptime() {
            None => ("none", "no checks".to_string()),
            Some(u) if day.tally.failed == 0 => ("up", format!("{} uptime", percent(u))),
            Some(u) if u >= 50.0 => ("some", format!("{} uptime, outage", percent(u))),
            Some(u) => ("down", format!("{} uptime, outage", percent(u))),
        };
        let text = format!("{}: {said}", day.date);
        // Days without a failure say so in the tooltip only; a day with an outage is said in
        // words too, so that reading the page (or a screen reader) finds it.
        if day.tally.failed > 0 {
            out.push_str(&format!(
                "<li class=\"{class}\" title=\"{t}\"><span class=\"vh\">{t}</span></li>",
                t = escape_html(&text)
            ));
        } else {
            out.push_str(&format!(
                "<li class=\"{class}\" title=\"{}\"></li>",
                escape_html(&text)
            ));
        }
    }
    out.push_str("</ol>\n");
    let first = c.days.first().map(|d| d.date.as_str()).unwrap_or_default();
    out.push_str(&format!(
        "<p class=\"range\"><span>{}</span><span>{uptime}</span><span>Today</span></p>\n</li>\n",
        escape_html(first)
    ));
}

fn incident_html(out: &mut String, incident: &PublicIncident) {
    out.push_str(&format!(
        "<article class=\"incident\">\n<h3>{}</h3>\n<p class=\"meta\">{} · Affects: {}</p>\n<ol class=\"timeline\">\n",
        escape_html(&incident.title),
        incident.state.label(),
        escape_html(&incident.components.join(", "))
    ));
    for notice in incident.notices.iter().rev() {
        out.push_str(&format!(
            "<li><p><strong>{}</strong> — {}</p><p class=\"meta\"><time datetime=\"{at}\">{}</time></p></li>\n",
            notice.state.label(),
            escape_html(&notice.text),
            escape_html(&crate::time::readable_ms(notice.at_ms)),
            at = escape_html(&notice.at),
        ));
    }
    out.push_str("</ol>\n</article>\n");
}

fn percent(p: f64) -> String {
    if p >= 100.0 {
        "100%".into()
    } else {
        // Floored: 99.999% is not 100%.
        format!("{}%", (p * 100.0).floor() / 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::public::incidents::Notice;

    fn page(notice: &str) -> PublicPage {
        PublicPage {
            title: "Vedetta Bank status".into(),
            generated_at: "2026-11-30T12:00:00Z".into(),
            components: vec![
                ComponentRow::new(
                    "Sign in".into(),
                    ComponentState::Operational,
                    vec![Day {
                        date: "2026-11-30".into(),
                        tally: DayTally { runs: 3, failed: 0 },
                    }],
                ),
                ComponentRow::new(
                    "SMS verification".into(),
                    ComponentState::Outage,
                    vec![Day {
                        date: "2026-11-30".into(),
                        tally: DayTally { runs: 4, failed: 3 },
                    }],
                ),
            ],
            incidents: vec![PublicIncident {
                id: 1,
                title: "SMS verification".into(),
                components: vec!["SMS verification".into()],
                state: IncidentState::Investigating,
                published: true,
                automatic: true,
                opened_at_ms: 0,
                opened_at: "1970-01-01T00:00:00Z".into(),
                resolved_at_ms: None,
                notices: vec![Notice {
                    id: 1,
                    at_ms: 0,
                    at: "1970-01-01T00:00:00Z".into(),
                    state: IncidentState::Investigating,
                    text: notice.into(),
                }],
            }],
        }
    }

    #[test]
    fn states_are_said_in_words_and_notices_are_escaped() {
        let html = render(&page("<script>alert(1)</script> & more"));
        assert!(html.contains("Operational"));
        assert!(html.contains("Outage"));
        assert!(html.contains("Current incidents"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
        assert!(!html.contains("<script"));
        assert!(html.contains("2026-11-30: 25% uptime, outage"));
        assert!(html.contains("name=\"viewport\""));
    }
}
