//! `vedetta evidence verify DIR [--key PUB]`: is this evidence folder as vedetta left it, and
//! sealed by whom? `vedetta evidence keygen`: a key pair to sign evidence with.

use std::io::Write;
use std::path::Path;

use super::{CommandError, Outcome};
use crate::evidence::manifest::{self, VerifyReport};
use crate::evidence::signature::{self, SignatureCheck, TrustedKey};

/// Intact (and, with `key`, validly signed by it): [`Outcome::Success`] (exit 0); tampered — a
/// file changed, missing, added or listed twice, a signature broken, missing or by another
/// key: [`Outcome::Failed`] (1); not an evidence folder — no or an invalid manifest, an
/// unreadable folder — or an unusable key: [`CommandError::Invalid`] (2).
pub fn verify(dir: &Path, key: Option<&Path>) -> Result<Outcome, CommandError> {
    let trusted = key
        .map(TrustedKey::load)
        .transpose()
        .map_err(|e| CommandError::invalid(e.to_string()))?;
    let report = manifest::verify(dir).map_err(|e| {
        CommandError::invalid(format!(
            "{} is not a vedetta evidence folder: {e}",
            dir.display()
        ))
    })?;
    let sealed = signature::check(dir, trusted.as_ref());
    let mut text = render(&report);
    text.push_str(&render_signature(&sealed, trusted.as_ref()));
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(if report.is_intact() && sealed.passes(trusted.is_some()) {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}

/// Writes `STEM.key` and `STEM.pub` and says what each is for.
pub fn keygen(stem: &Path) -> Result<Outcome, CommandError> {
    let (private, public, id) = signature::generate(stem).map_err(|e| match e {
        signature::KeyError::Write { .. } => CommandError::harness(e.to_string()),
        _ => CommandError::invalid(e.to_string()),
    })?;
    println!(
        "key {id}\n  private {} (keep it secret: run --sign-key, the monitor's sign_key:)\n  public  {} (give it to whoever checks: evidence verify --key)",
        private.display(),
        public.display()
    );
    Ok(Outcome::Success)
}

/// One line on the signature: unsigned folders say so only when a key was asked for.
fn render_signature(check: &SignatureCheck, trusted: Option<&TrustedKey>) -> String {
    match (check, trusted) {
        (SignatureCheck::Unsigned, None) => String::new(),
        (SignatureCheck::Unsigned, Some(t)) => {
            format!(
                "unsigned: no manifest.sig, expected a signature by {}\n",
                t.key_id()
            )
        }
        (
            SignatureCheck::Valid {
                key_id,
                trusted: true,
            },
            _,
        ) => {
            format!("signed: by {key_id}, the key given\n")
        }
        (SignatureCheck::Valid { key_id, .. }, _) => {
            format!("signed: by {key_id} (not checked against a trusted key: pass --key PUB)\n")
        }
        (SignatureCheck::OtherKey { key_id, expected }, _) => {
            format!("wrong key: signed by {key_id}, not by {expected}\n")
        }
        (SignatureCheck::Invalid { reason }, _) => format!("bad signature: {reason}\n"),
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
        ("listed twice", &report.listed_twice),
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
            listed_twice: vec!["b.png".into()],
        };
        assert_eq!(
            render(&bad),
            "changed: 01-open.png\nmissing: page.html\nadded: x/forged.png\nlisted twice: b.png\n"
        );
    }

    fn exit_code(verified: Result<Outcome, CommandError>) -> i32 {
        verified.map_or_else(|e| e.exit_code(), Outcome::exit_code)
    }

    #[test]
    fn exit_codes_say_intact_tampered_or_not_evidence() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(exit_code(verify(dir.path(), None)), 2);
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
        assert_eq!(exit_code(verify(dir.path(), None)), 0);
        std::fs::write(dir.path().join("a.png"), b"b").unwrap();
        assert_eq!(exit_code(verify(dir.path(), None)), 1);
    }
}
