//! `vedetta evidence verify DIR`: is this evidence folder as vedetta left it?

use std::io::Write;
use std::path::Path;

use super::{CommandError, Outcome};
use crate::evidence::manifest::{self, VerifyReport};

/// Intact: [`Outcome::Success`] (exit 0); tampered — a file changed, missing or added:
/// [`Outcome::Failed`] (1); not an evidence folder — no or an invalid manifest, an unreadable
/// folder: [`CommandError::Invalid`] (2).
pub fn verify(dir: &Path) -> Result<Outcome, CommandError> {
    let report = manifest::verify(dir).map_err(|e| {
        CommandError::invalid(format!(
            "{} is not a vedetta evidence folder: {e}",
            dir.display()
        ))
    })?;
    let _ = std::io::stdout()
        .lock()
        .write_all(render(&report).as_bytes());
    Ok(if report.is_intact() {
        Outcome::Success
    } else {
        Outcome::Failed
    })
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

    fn exit_code(verified: Result<Outcome, CommandError>) -> i32 {
        verified.map_or_else(|e| e.exit_code(), Outcome::exit_code)
    }

    #[test]
    fn exit_codes_say_intact_tampered_or_not_evidence() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(exit_code(verify(dir.path())), 2);
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
        assert_eq!(exit_code(verify(dir.path())), 0);
        std::fs::write(dir.path().join("a.png"), b"b").unwrap();
        assert_eq!(exit_code(verify(dir.path())), 1);
    }
}
