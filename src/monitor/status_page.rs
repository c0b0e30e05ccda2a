//! The status page (`GET /`): for people. Each journey's state, a strip of its recent runs and
//! the timeline of its incidents — when it broke, which steps failed how, when it recovered —
//! with the failure screenshot of each. One HTML document, inline CSS, no script; it reloads
//! itself every 15 seconds. [`render`] is pure: the HTTP side gathers its [`PageData`].

use super::maintenance::Window;
use super::notify::{human_secs, slow_summary};
use super::state::{JourneyInfo, JourneyState, Live};
use super::store::{Incident, IncidentKind, RunRow, RunStatus, Symptom};

/// Runs in a journey's history strip.
pub const STRIP_RUNS: usize = 60;
/// Incidents on the timeline, per journey.
pub const TIMELINE_INCIDENTS: usize = 10;

pub struct PageData {
    pub now_ms: i64,
    pub journeys: Vec<JourneyPage>,
    /// Each component's state now (`component:` in the journeys), as the public page says it.
    pub components: Vec<(String, ComponentState)>,
    /// The public page's incidents, drafts too, newest first.
    pub public_incidents: Vec<PublicIncident>,
}

pub struct JourneyPage {
    pub info: JourneyInfo,
    pub state: JourneyState,
    pub live: Live,
    /// Newest first.
    pub runs: Vec<RunRow>,
    pub incidents: Vec<(Incident, Vec<Symptom>)>,
    /// The maintenance window holding it now.
    pub maintenance: Option<Window>,
    /// With several locations: what each sees of it, in config order (empty with one).
    pub locations: Vec<(String, super::locations::Seen)>,
}

use super::components::ComponentState;
use super::public::incidents::PublicIncident;
use crate::text::{escape_html as esc, truncate_chars as truncate};

/// `2026-11-25 17:20:03 UTC`.
fn when(ms: i64) -> String {
    crate::time::readable_ms(ms)
}

fn ago(now_ms: i64, ms: i64) -> String {
    let secs = ((now_ms - ms).max(0) / 1000) as u64;
    if secs < 5 {
        "just now".into()
    } else {
        format!("{} ago", human_secs(secs))
    }
}

fn status_class(s: RunStatus) -> &'static str {
    s.as_str()
}

pub fn render(page: &PageData) -> String {
    let down = page
        .journeys
        .iter()
        .filter(|j| j.state == JourneyState::Down)
        .count();
    let blind = page
        .journeys
        .iter()
        .filter(|j| j.state == JourneyState::Blind)
        .count();
    let degraded = page
        .journeys
        .iter()
        .filter(|j| j.state == JourneyState::Degraded)
        .count();
    let (banner_class, banner) = if down > 0 {
        (
            "down",
            format!("{down} of {} journeys down", page.journeys.len()),
        )
    } else if let held @ 1.. = page
        .journeys
        .iter()
        .filter(|j| j.state == JourneyState::Maintenance)
        .count()
        && degraded == 0
    {
        (
            "maintenance",
            format!(
                "{held} of {} journeys in maintenance: alerts held",
                page.journeys.len()
            ),
        )
    } else if degraded > 0 {
        (
            "degraded",
            format!(
                "{degraded} of {} journeys degraded: working, but slow",
                page.journeys.len()
            ),
        )
    } else if blind > 0 {
        (
            "blind",
            format!("The monitor cannot run {blind} journey(s): not the site's fault"),
        )
    } else if page
        .journeys
        .iter()
        .all(|j| j.state == JourneyState::Pending)
    {
        ("pending", "Waiting for the first runs".to_string())
    } else {
        ("up", "All journeys up".to_string())
    };
    let mut html = String::with_capacity(16 * 1024);
    html.push_str(&format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8>\
         <meta name=viewport content=\"width=device-width,initial-scale=1\">\
         <meta http-equiv=refresh content=15>\
         <title>{} · vedetta status</title><style>{CSS}</style></head><body>\
         <header><h1>vedetta <span>status</span></h1><p class=updated>updated {}</p></header>\
         <main><section id=summary class=\"banner {banner_class}\">{}</section>",
        esc(&banner),
        esc(&when(page.now_ms)),
        esc(&banner),
    ));
    render_components(&mut html, page);
    for j in &page.journeys {
        render_journey(&mut html, j, page.now_ms);
    }
    html.push_str(
        "<p class=legend>Runs, oldest to newest: <span class=\"key passed\"></span>passed \
         <span class=\"key flaky\"></span>flaky <span class=\"key degraded\"></span>slow \
         <span class=\"key failed\"></span>failed \
         <span class=\"key error\"></span>monitor error <span class=\"key cancelled\"></span>cancelled</p>",
    );
    html.push_str(
        "</main><footer>vedetta monitor · <a href=/metrics>metrics</a> · \
         <a href=/api/journeys>API</a></footer></body></html>",
    );
    html
}

/// The components and the public incidents with their notices (drafts marked): what the
/// customers see, or will once a draft is published. Nothing when no journey names a
/// component other than its default and there is no incident.
fn render_components(html: &mut String, page: &PageData) {
    if page.components.is_empty() && page.public_incidents.is_empty() {
        return;
    }
    html.push_str("<section class=components id=components><h2>Components</h2><ul>");
    for (name, state) in &page.components {
        html.push_str(&format!(
            "<li data-state={}><b>{}</b>: {}</li>",
            state.as_str(),
            esc(name),
            state.label()
        ));
    }
    html.push_str("</ul>");
    if !page.public_incidents.is_empty() {
        html.push_str("<h3>Incidents on the public page</h3>");
    }
    for i in &page.public_incidents {
        let shown = if i.published {
            "public"
        } else {
            "draft, not public yet"
        };
        html.push_str(&format!(
            "<article class=incident id=\"incident-{}\"><p><b>{}</b> — {} ({shown}) · {}</p><ol>",
            i.id,
            esc(&i.title),
            i.state.label(),
            esc(&i.components.join(", "))
        ));
        for n in i.notices.iter().rev() {
            html.push_str(&format!(
                "<li>{} · {}: {}</li>",
                esc(&when(n.at_ms)),
                n.state.label(),
                esc(&n.text)
            ));
        }
        html.push_str("</ol></article>");
    }
    html.push_str("</section>");
}

fn render_journey(html: &mut String, j: &JourneyPage, now_ms: i64) {
    let name = esc(&j.info.name);
    let state = j.state.as_str();
    let label = match j.state {
        JourneyState::Up => "Up",
        JourneyState::Failing => "Failing",
        JourneyState::Degraded => "Degraded",
        JourneyState::Down => "Down",
        JourneyState::Blind => "Monitor blind",
        JourneyState::Pending => "Pending",
        JourneyState::Maintenance => "Maintenance",
    };
    html.push_str(&format!(
        "<section class=\"journey {state}\" id=\"journey-{name}\" data-state={state}>\
         <div class=head><span class=\"badge {state}\">{label}</span><h2>{name}</h2>"
    ));
    if let Some(title) = &j.info.title {
        html.push_str(&format!("<span class=title>{}</span>", esc(title)));
    }
    html.push_str("</div><p class=meta>");
    html.push_str(&format!(
        "{} · {}",
        esc(&j.info.schedule),
        esc(&j.info.file)
    ));
    if let Some(last) = j.runs.first() {
        html.push_str(&format!(
            " · last run {} ({}, {:.1}s)",
            esc(&ago(now_ms, last.finished_at_ms)),
            last.status.as_str(),
            last.duration_ms as f64 / 1000.0
        ));
    }
    if let Some(since) = j.live.running_since_ms {
        html.push_str(&format!(
            " · <b>running</b> for {}",
            esc(&human_secs(((now_ms - since).max(0) / 1000) as u64))
        ));
    } else if let Some(next) = j.live.next_run_ms {
        html.push_str(&format!(
            " · next in {}",
            esc(&human_secs(((next - now_ms).max(0) / 1000) as u64))
        ));
    }
    html.push_str("</p>");
    if let Some(w) = &j.maintenance {
        let reason = w
            .reason
            .as_deref()
            .map(|r| format!(" — {}", esc(r)))
            .unwrap_or_default();
        html.push_str(&format!(
            "<p class=maint>In maintenance until {} (window {}){reason}: runs go on and are recorded, alerts are held.</p>",
            esc(&when(w.ends_at_ms)),
            esc(&w.id)
        ));
    }
    if !j.locations.is_empty() {
        html.push_str(
            "<table class=locations aria-label=\"what each location sees\"><tr><th>Location</th><th>State</th></tr>",
        );
        for (location, seen) in &j.locations {
            html.push_str(&format!(
                "<tr><td>{}</td><td><span class=\"badge {s}\">{s}</span></td></tr>",
                esc(location),
                s = seen.as_str()
            ));
        }
        html.push_str("</table>");
    }

    // The strip: oldest on the left, like a timeline.
    html.push_str("<div class=strip aria-label=\"recent runs, oldest first\">");
    for _ in j.runs.len()..STRIP_RUNS {
        html.push_str("<span class=\"run none\"></span>");
    }
    for run in j.runs.iter().rev() {
        let mut tip = format!(
            "#{} {} · {} · {:.1}s",
            run.id,
            when(run.started_at_ms),
            run.status.as_str(),
            run.duration_ms as f64 / 1000.0
        );
        if let Some(f) = &run.failure {
            tip.push_str(&format!(
                " · step {} {}: {}",
                f.step_index, f.step_name, f.category
            ));
        } else if let Some(e) = &run.error {
            tip.push_str(&format!(" · {e}"));
        } else if let Some(s) = run.slow.first() {
            tip.push_str(&format!(" · slow: {}", slow_summary(s)));
        }
        if run.maintenance {
            tip.push_str(" · maintenance");
        }
        let class = match (run.degraded, run.maintenance) {
            (true, _) => "degraded".to_string(),
            (false, true) => format!("{} maintenance", status_class(run.status)),
            (false, false) => status_class(run.status).to_string(),
        };
        html.push_str(&format!(
            "<a class=\"run {}\" href=\"/api/runs/{}\" title=\"{}\"></a>",
            class,
            run.id,
            esc(&tip)
        ));
    }
    html.push_str("</div>");

    if let Some(f) = j
        .runs
        .first()
        .and_then(|r| r.failure.as_ref().map(|f| (r, f)))
    {
        let (run, f) = f;
        if j.state != JourneyState::Up {
            html.push_str(&format!(
                "<p class=lastfail>Last failure: step {} <b>{}</b> — <code>{}</code> {}</p>",
                f.step_index,
                esc(&f.step_name),
                esc(&f.category),
                esc(&truncate(&f.message, 300))
            ));
            let _ = run;
        }
    }

    // Slow: which step, and how long it took against its threshold, from the last run.
    if let Some(last) = j.runs.first().filter(|r| r.degraded)
        && j.state != JourneyState::Down
    {
        html.push_str("<ul class=slow>");
        for s in &last.slow {
            html.push_str(&format!("<li>Slow: {}</li>", esc(&slow_summary(s))));
        }
        html.push_str("</ul>");
    }

    html.push_str("<h3>Incidents</h3>");
    if j.incidents.is_empty() {
        html.push_str("<p class=quiet>No incidents recorded.</p>");
    } else {
        html.push_str("<ol class=timeline>");
        for (incident, symptoms) in &j.incidents {
            render_incident(html, incident, symptoms, now_ms);
        }
        html.push_str("</ol>");
    }
    html.push_str("</section>");
}

fn render_incident(html: &mut String, i: &Incident, symptoms: &[Symptom], now_ms: i64) {
    let open = i.closed_at_ms.is_none();
    let kind = i.kind.as_str();
    let class = format!("incident {kind} {}", if open { "open" } else { "closed" });
    let what = match i.kind {
        IncidentKind::Down => "Down",
        IncidentKind::Degraded => "Degraded (slow)",
        IncidentKind::Blind => "Monitor blind",
    };
    html.push_str(&format!("<li class=\"{class}\" data-incident={}>", i.id));
    html.push_str(&format!(
        "<div class=when><b>{what}</b> since {}",
        esc(&when(i.since_ms))
    ));
    match i.closed_at_ms {
        Some(closed) => html.push_str(&format!(
            " — <span class=recovered>{} {}</span> after {}",
            match i.kind {
                IncidentKind::Down | IncidentKind::Degraded => "recovered",
                IncidentKind::Blind => "sighted again",
            },
            esc(&when(closed)),
            esc(&human_secs(((closed - i.since_ms).max(0) / 1000) as u64))
        )),
        None => html.push_str(&format!(
            " — <span class=ongoing>ongoing</span> for {}",
            esc(&human_secs(((now_ms - i.since_ms).max(0) / 1000) as u64))
        )),
    }
    html.push_str("</div>");
    if let Some(message) = &i.message {
        let step = match (i.step_index, &i.step_name) {
            (Some(idx), Some(name)) => format!("step {idx} <b>{}</b> — ", esc(name)),
            _ => String::new(),
        };
        let category = i
            .category
            .as_deref()
            .map(|c| format!("<code>{}</code> ", esc(c)))
            .unwrap_or_default();
        html.push_str(&format!(
            "<p class=cause>{step}{category}{}</p>",
            esc(&truncate(message, 400))
        ));
    }
    if !symptoms.is_empty() {
        html.push_str("<ul class=symptoms>");
        for s in symptoms {
            html.push_str(&format!(
                "<li>step {} <b>{}</b> · <code>{}</code> · {} failed run{}</li>",
                s.step_index,
                esc(&s.step_name),
                esc(&s.category),
                s.runs,
                if s.runs == 1 { "" } else { "s" }
            ));
        }
        html.push_str("</ul><div class=shots>");
        for s in symptoms.iter().take(3) {
            html.push_str(&format!(
                "<a href=\"/runs/{0}/screenshot\"><img src=\"/runs/{0}/screenshot\" loading=lazy \
                 alt=\"screenshot of run {0}: step {1} {2}\"></a>",
                s.last_run,
                s.step_index,
                esc(&s.category)
            ));
        }
        html.push_str("</div>");
    }
    html.push_str("</li>");
}

const CSS: &str = "
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#f4f5f7;color:#1d2330}
header{background:#1d2330;color:#fff;padding:14px 28px;display:flex;align-items:baseline;justify-content:space-between}
header h1{margin:0;font-size:20px;letter-spacing:.02em}header h1 span{font-weight:400;opacity:.7}
.updated{margin:0;opacity:.7;font-size:13px}
main{max-width:1100px;margin:0 auto;padding:20px 24px}
.banner{border-radius:8px;padding:14px 18px;font-size:18px;font-weight:600;margin-bottom:18px;color:#fff}
.banner.degraded{background:#d97706}.journey.degraded{border-left-color:#f59e0b}.badge.degraded{background:#d97706}
.run.degraded,.key.degraded{background:#f59e0b}.incident.degraded:before{background:#f59e0b}
.slow{margin:4px 0 10px;padding-left:18px;color:#92400e}
.banner.maintenance{background:#2563eb}.journey.maintenance{border-left-color:#2563eb}.badge.maintenance{background:#2563eb}
.run.maintenance{opacity:.55}.maint{margin:4px 0 10px;color:#1e40af}
.banner.up{background:#1f9d55}.banner.down{background:#d23c3c}.banner.blind{background:#c98a0b}.banner.pending{background:#6b7280}
.journey{background:#fff;border-radius:8px;padding:16px 20px;margin-bottom:18px;box-shadow:0 1px 3px rgba(0,0,0,.08);border-left:6px solid #9ca3af}
.journey.up{border-left-color:#1f9d55}.journey.down{border-left-color:#d23c3c}.journey.failing{border-left-color:#e8793a}.journey.blind{border-left-color:#c98a0b}
.head{display:flex;align-items:center;gap:12px;flex-wrap:wrap}
.head h2{margin:0;font-size:18px}.title{color:#4b5563}
.badge{display:inline-block;border-radius:999px;padding:2px 12px;font-size:13px;font-weight:700;color:#fff;text-transform:uppercase;letter-spacing:.04em}
.badge.up{background:#1f9d55}.badge.down{background:#d23c3c}.badge.failing{background:#e8793a}.badge.blind{background:#c98a0b}.badge.pending{background:#6b7280}
.meta{color:#4b5563;font-size:13px;margin:6px 0 10px}
.strip{display:flex;gap:3px;margin:6px 0 10px}
.run{flex:1;height:30px;border-radius:3px;background:#e5e7eb;min-width:4px}
.run.passed{background:#1f9d55}.run.flaky{background:#8cc63f}.run.failed{background:#d23c3c}.run.error{background:#c98a0b}.run.cancelled{background:#9ca3af}
a.run:hover{outline:2px solid #1d2330}
.lastfail{margin:4px 0 10px;color:#7f1d1d}
h3{font-size:14px;text-transform:uppercase;letter-spacing:.06em;color:#6b7280;margin:14px 0 6px}
.quiet{color:#6b7280;margin:0}
.timeline{list-style:none;margin:0;padding:0 0 0 14px;border-left:2px solid #e5e7eb}
.incident{position:relative;padding:6px 0 12px 14px}
.incident:before{content:'';position:absolute;left:-22px;top:11px;width:12px;height:12px;border-radius:50%;background:#9ca3af}
.incident.down.open:before{background:#d23c3c}.incident.down.closed:before{background:#1f9d55}.incident.blind:before{background:#c98a0b}
.when{font-size:14px}.recovered{color:#166534;font-weight:600}.ongoing{color:#b91c1c;font-weight:700}
.cause{margin:4px 0;color:#374151}
.symptoms{margin:4px 0;padding-left:18px;font-size:14px}
code{background:#f3f4f6;border-radius:4px;padding:1px 5px;font-size:13px}
.shots{display:flex;gap:10px;flex-wrap:wrap;margin-top:6px}
.shots img{width:300px;max-width:100%;border:1px solid #d1d5db;border-radius:4px;display:block}
.legend{color:#6b7280;font-size:13px;text-align:center}
.key{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px;vertical-align:-1px}
.key.passed{background:#1f9d55}.key.flaky{background:#8cc63f}.key.failed{background:#d23c3c}.key.error{background:#c98a0b}.key.cancelled{background:#9ca3af}
footer{text-align:center;color:#6b7280;font-size:13px;padding:10px 0 24px}
footer a{color:#374151}
";

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: i64, status: RunStatus) -> RunRow {
        RunRow {
            id,
            journey: "card".into(),
            started_at: String::new(),
            started_at_ms: id * 1000,
            finished_at_ms: id * 1000 + 500,
            duration_ms: 500,
            status,
            attempts: 1,
            error: None,
            failure: None,
            evidence: None,
            steps: None,
            degraded: false,
            slow: Vec::new(),
            maintenance: false,
        }
    }

    #[test]
    fn renders_state_strip_and_timeline_escaped() {
        let page = PageData {
            components: Vec::new(),
            public_incidents: Vec::new(),
            now_ms: 100_000,
            journeys: vec![JourneyPage {
                maintenance: None,
                locations: Vec::new(),
                info: JourneyInfo {
                    name: "card".into(),
                    title: Some("<b>Card</b>".into()),
                    file: "j.yaml".into(),
                    schedule: "every 2s".into(),
                    steps: 3,
                },
                state: JourneyState::Down,
                live: Live::default(),
                runs: vec![
                    run(3, RunStatus::Failed),
                    run(2, RunStatus::Failed),
                    run(1, RunStatus::Passed),
                ],
                incidents: vec![(
                    Incident {
                        id: 1,
                        journey: "card".into(),
                        kind: IncidentKind::Down,
                        since_ms: 2000,
                        since: String::new(),
                        opened_run: 3,
                        closed_at_ms: None,
                        closed_run: None,
                        step_index: Some(1),
                        step_name: Some("open".into()),
                        category: Some("outage".into()),
                        message: Some("503 <script>".into()),
                    },
                    vec![Symptom {
                        step_index: 1,
                        step_name: "open".into(),
                        category: "outage".into(),
                        runs: 2,
                        last_run: 3,
                    }],
                )],
            }],
        };
        let html = render(&page);
        assert!(html.contains("1 of 1 journeys down"));
        assert!(html.contains("id=\"journey-card\" data-state=down"));
        assert!(html.contains("&lt;b&gt;Card&lt;/b&gt;"));
        assert!(html.contains("503 &lt;script&gt;"));
        assert!(!html.contains("<script>"));
        assert_eq!(html.matches("class=\"run failed\"").count(), 2);
        assert!(html.contains("<img src=\"/runs/3/screenshot\""));
        assert!(html.contains("ongoing"));
    }

    #[test]
    fn a_degraded_journey_is_amber_with_its_slow_step_and_time() {
        let mut slow = run(2, RunStatus::Passed);
        slow.degraded = true;
        slow.slow = vec![crate::runner::result::SlowStep {
            index: 10,
            name: "view the <balance>".into(),
            duration_ms: 4_100,
            threshold_ms: 2_000,
        }];
        let page = PageData {
            components: Vec::new(),
            public_incidents: Vec::new(),
            now_ms: 100_000,
            journeys: vec![JourneyPage {
                maintenance: None,
                locations: Vec::new(),
                info: JourneyInfo {
                    name: "card".into(),
                    title: None,
                    file: "j.yaml".into(),
                    schedule: "every 2s".into(),
                    steps: 3,
                },
                state: JourneyState::Degraded,
                live: Live::default(),
                runs: vec![slow, run(1, RunStatus::Passed)],
                incidents: vec![(
                    Incident {
                        id: 1,
                        journey: "card".into(),
                        kind: IncidentKind::Degraded,
                        since_ms: 2000,
                        since: String::new(),
                        opened_run: 2,
                        closed_at_ms: None,
                        closed_run: None,
                        step_index: Some(10),
                        step_name: Some("view the <balance>".into()),
                        category: Some("slow".into()),
                        message: Some("took 4.1 s".into()),
                    },
                    Vec::new(),
                )],
            }],
        };
        let html = render(&page);
        assert!(
            html.contains("class=\"banner degraded\">1 of 1 journeys degraded: working, but slow")
        );
        assert!(html.contains("data-state=degraded"));
        assert!(html.contains("<span class=\"badge degraded\">Degraded</span>"));
        assert!(html.contains(
            "<li>Slow: step 10 &quot;view the &lt;balance&gt;&quot; took 4.1 s, over its slow: 2.0 s</li>"
        ), "{html}");
        assert_eq!(html.matches("class=\"run degraded\"").count(), 1);
        assert!(html.contains("<b>Degraded (slow)</b> since"));
    }

    #[test]
    fn shows_the_components_and_the_incidents_with_their_notices_escaped() {
        use crate::monitor::public::incidents::{IncidentState, Notice};
        let page = PageData {
            now_ms: 100_000,
            journeys: Vec::new(),
            components: vec![
                ("Sign in".into(), ComponentState::Operational),
                ("SMS verification".into(), ComponentState::Outage),
            ],
            public_incidents: vec![PublicIncident {
                id: 4,
                title: "SMS verification".into(),
                components: vec!["SMS verification".into()],
                state: IncidentState::Investigating,
                published: false,
                automatic: true,
                opened_at_ms: 1_000,
                opened_at: String::new(),
                resolved_at_ms: None,
                notices: vec![Notice {
                    id: 1,
                    at_ms: 1_000,
                    at: String::new(),
                    state: IncidentState::Investigating,
                    text: "<i>We</i> are investigating".into(),
                }],
            }],
        };
        let html = render(&page);
        assert!(html.contains("<b>Sign in</b>: Operational"));
        assert!(html.contains("<b>SMS verification</b>: Outage"));
        assert!(html.contains("draft, not public yet"));
        assert!(html.contains("&lt;i&gt;We&lt;/i&gt; are investigating"));
    }
}
