//! `vedetta evidence verify DIR`: is this evidence folder as vedetta left it?

use std::io::Write;
use std::path::Path;

use crate::evidence::manifest::{self, VerifyReport};

/// Exit codes: 0 intact, 1 tampered (a file changed, missing or added), 2 not an evidence
/// folder (no or invalid manifest, unreadable folder).
pub fn verify(dir: &Path) -> i32 {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match manifest::verify(dir) {
        Ok(report) => {
            let _ = out.write_all(render(&report).as_bytes());
            if report.is_intact() { 0 } else { 1 }
        }
        Err(e) => {
            eprintln!(
                "error: {} is not a vedetta evidence folder: {e}",
                dir.display()
            );
            2
        }
    }
}

/// `ok: N files intact`, or one line per problem.
pub fn render(report: &VerifyReport) -> String {
    if report.is_intact() {
        let s = if report.intact == 1 { "" } else { "s" };
        return format!("ok: {} file{s} intact\n", report.intact);
    }
    let mut text = String::new();
    for (what, paths) in [
        ("changed", &report.changed),
        ("missing", &report.missing),
        ("added", &report.added),
    ] {
        for p in paths {
            text.push_str(&format!("{what}: {p}\n"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intact_and_tampered_render_as_promised() {
        let ok = VerifyReport {
            intact: 3,
            ..Default::default()
        };
        assert_eq!(render(&ok), "ok: 3 files intact\n");
        let bad = VerifyReport {
            intact: 1,
            changed: vec!["01-open.png".into()],
            missing: vec!["page.html".into()],
            added: vec!["x/forged.png".into()],
        };
        assert_eq!(
            render(&bad),
            "changed: 01-open.png\nmissing: page.html\nadded: x/forged.png\n"
        );
    }

    #[test]
    fn exit_codes_say_intact_tampered_or_not_evidence() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(verify(dir.path()), 2);
        std::fs::write(dir.path().join("a.png"), b"a").unwrap();
        let meta = manifest::ManifestMeta {
            vedetta_version: "0.1.0".into(),
            browser_name: "chrome".into(),
            browser_version: "1".into(),
            driver: "chromedriver".into(),
            host: "h".into(),
            started_at: "2026-01-01T00:00:00Z".into(),
            finished_at: "2026-01-01T00:00:01Z".into(),
        };
        manifest::write_manifest(dir.path(), &meta).unwrap();
        assert_eq!(verify(dir.path()), 0);
        std::fs::write(dir.path().join("a.png"), b"b").unwrap();
        assert_eq!(verify(dir.path()), 1);
    }
}
