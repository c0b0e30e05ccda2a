//! Signed evidence through the binary: `evidence keygen`, `run --sign-key`, and `evidence
//! verify --key` — which accepts the untouched folder, and rejects a folder whose file was
//! changed and manifest re-hashed, one re-signed with another key, and one not signed at all.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::Digest;

use crate::common::{browser_slot, serve, vedetta_run};

fn vedetta(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vedetta"))
        .args(args)
        .output()
        .expect("the vedetta binary runs")
}

fn verify(dir: &Path, key: Option<&Path>) -> (i32, String) {
    let mut args = vec!["evidence", "verify", dir.to_str().unwrap()];
    if let Some(key) = key {
        args.extend(["--key", key.to_str().unwrap()]);
    }
    let out = vedetta(&args);
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The evidence folder a run left under `out`.
fn evidence_folder(out: &Path) -> PathBuf {
    let run = std::fs::read_dir(out)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::read_dir(run)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
}

/// What someone who can write the folder does: changes a file and writes the manifest anew
/// with the new hash, so that the hashes alone say "intact".
fn forge(dir: &Path) {
    let manifest_path = dir.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    let entry = manifest["files"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|f| f["path"].as_str().unwrap().ends_with(".html"))
        .expect("the page source is sealed");
    let file = dir.join(entry["path"].as_str().unwrap());
    let forged = b"<html>all was fine</html>";
    std::fs::write(&file, forged).unwrap();
    let sha: String = sha2::Sha256::digest(forged)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    entry["sha256"] = sha.into();
    entry["size"] = forged.len().into();
    std::fs::write(
        &manifest_path,
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_evidence_verifies_only_untouched_and_by_the_key_given() {
    let site = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let stem = dir.path().join("monitor");
    let keygen = vedetta(&["evidence", "keygen", stem.to_str().unwrap()]);
    assert!(keygen.status.success(), "{keygen:?}");
    let said = String::from_utf8_lossy(&keygen.stdout);
    assert!(said.contains("key ed25519:"), "{said}");
    let (private, public) = (stem.with_extension("key"), stem.with_extension("pub"));
    assert!(private.is_file() && public.is_file());

    let journey = dir.path().join("fails.yaml");
    std::fs::write(
        &journey,
        "name: signed\nbase_url: ${BASE}\ntimeout: 2s\nsteps:\n  - open: /actions.html\n  - assert_title: never this title\n",
    )
    .unwrap();
    let run = {
        let _slot = browser_slot().await;
        vedetta_run(&journey, &site.base, dir.path())
            .arg("--sign-key")
            .arg(&private)
            .output()
            .await
            .unwrap()
    };
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    let folder = evidence_folder(&dir.path().join("out"));
    assert!(folder.join("manifest.sig").is_file());

    // Untouched: intact and signed by the key given.
    let (code, said) = verify(&folder, Some(&public));
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("signed: by ed25519:"), "{said}");

    // A changed file under a re-hashed manifest: the hashes agree, the signature does not.
    let pristine = tempfile::tempdir().unwrap();
    copy_dir(&folder, pristine.path());
    forge(&folder);
    let (code, said) = verify(&folder, None);
    assert_eq!(
        code, 1,
        "a broken signature fails even without --key: {said}"
    );
    let (code, said) = verify(&folder, Some(&public));
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("bad signature"), "{said}");

    // The forger signs with their own key: a valid signature, but not by the key given.
    let forger = dir.path().join("forger");
    assert!(
        vedetta(&["evidence", "keygen", forger.to_str().unwrap()])
            .status
            .success()
    );
    let forger_key =
        vedetta::evidence::signature::SealKey::load(&forger.with_extension("key")).unwrap();
    vedetta::evidence::signature::sign(&folder, &forger_key).unwrap();
    let (code, said) = verify(&folder, Some(&public));
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("wrong key"), "{said}");

    // Unsigned, when a signature is asked for.
    std::fs::remove_file(pristine.path().join("manifest.sig")).unwrap();
    let (code, said) = verify(pristine.path(), Some(&public));
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("unsigned"), "{said}");
    let (code, said) = verify(pristine.path(), None);
    assert_eq!(code, 0, "no key asked for, hashes intact: {said}");
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
