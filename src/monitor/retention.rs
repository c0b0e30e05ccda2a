//! Retention: runs older than the configured age go, with their incidents (once closed) and
//! their evidence folders — now and every hour while the daemon runs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::Timestamp;
use tokio_util::sync::CancellationToken;

use super::store::{Store, StoreError};

/// How often old runs are swept.
const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// Sweeps now, then every hour until `cancel` fires.
pub async fn sweep(store: Store, retention: Duration, cancel: CancellationToken) {
    loop {
        let cutoff = Timestamp::now().as_millisecond() - retention.as_millis() as i64;
        let s = store.clone();
        match tokio::task::spawn_blocking(move || sweep_once(&s, cutoff)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => eprintln!("vedetta monitor: retention sweep failed: {e}"),
            Err(_) => {}
        }
        tokio::select! {
            _ = tokio::time::sleep(SWEEP_EVERY) => {}
            _ = cancel.cancelled() => return,
        }
    }
}

/// Deletes the runs that finished before `cutoff_ms` and their evidence folders; returns how
/// many runs went. Blocking.
pub fn sweep_once(store: &Store, cutoff_ms: i64) -> Result<usize, StoreError> {
    let keys = store.prune(cutoff_ms)?;
    for key in &keys {
        if let Some(folder) = run_folder(store.evidence_root(), key) {
            // Already gone (removed by hand, or a run that left nothing) is fine.
            let _ = std::fs::remove_dir_all(folder);
        }
    }
    Ok(keys.len())
}

/// The folder of a run's evidence key (`journey/folder`) under the evidence root; `None` for a
/// key that could lead anywhere else (keys are ours, but the database is a file on disk).
fn run_folder(root: &Path, key: &str) -> Option<PathBuf> {
    let own = key
        .split('/')
        .all(|part| !part.is_empty() && part != "." && part != "..");
    own.then(|| root.join(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::record::tests::{finished, result, step};
    use crate::monitor::record::{Finished, new_run};
    use crate::monitor::store::{NewRun, RunStatus};
    use crate::runner::result::{JourneyStatus, StepStatus};

    #[test]
    fn keys_never_lead_out_of_the_evidence_root() {
        let root = Path::new("/data/evidence");
        assert_eq!(
            run_folder(root, "card/20261125T113000-000"),
            Some(PathBuf::from("/data/evidence/card/20261125T113000-000"))
        );
        for bad in ["", "/etc", "card/..", "../x", "card//x", "./card", "card/"] {
            assert_eq!(run_folder(root, bad), None, "{bad:?}");
        }
    }

    /// The folder the runner leaves for a run of `key`'s journey, sealed: a manifest and a
    /// screenshot, as a passing run with a named `screenshot:` step leaves it.
    fn sealed_folder(store: &Store, key: &str) -> PathBuf {
        let journey = key.split('/').next().unwrap();
        let dir = store.evidence_root().join(key).join(journey);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("03-balance.png"), b"\x89PNG").unwrap();
        std::fs::write(dir.join("manifest.json"), b"{}").unwrap();
        dir
    }

    fn passing_run(store: &Store, started_ms: i64) -> (NewRun, PathBuf) {
        let key = format!("card/{started_ms}");
        let folder = sealed_folder(store, &key);
        let mut shot = step(3, StepStatus::Passed);
        shot.screenshot = Some(folder.join("03-balance.png").display().to_string());
        let run = new_run(
            Finished {
                evidence_key: key,
                started_ms,
                finished_ms: started_ms + 1_000,
                sealed_evidence: Some(folder.display().to_string()),
                ..finished(None)
            },
            Some(&result(JourneyStatus::Passed, vec![shot])),
        );
        (run, folder)
    }

    /// Issue 14, defect 7: a passing run's sealed evidence folder was not recorded with its
    /// run, so nothing in the history named it.
    #[test]
    fn a_passing_runs_sealed_folder_is_recorded_and_pruned_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (old, old_folder) = passing_run(&store, 1_000);
        let (new, new_folder) = passing_run(&store, 9_000);
        let old_id = store.record(&old, &[]).unwrap().run_id;
        store.record(&new, &[]).unwrap();

        let row = store.run(old_id).unwrap().expect("the run");
        assert_eq!(row.status, RunStatus::Passed);
        assert!(row.failure.is_none());
        assert_eq!(
            row.evidence.as_deref(),
            Some(old_folder.to_str().unwrap()),
            "the history names the passing run's evidence folder"
        );
        let served = row.steps.unwrap()[0].screenshot.clone().unwrap();
        assert!(
            store.evidence_file(&served).is_some(),
            "its screenshot is inside the evidence root"
        );

        assert_eq!(sweep_once(&store, 5_000).unwrap(), 1);
        assert!(!old_folder.exists(), "the old run's evidence is gone");
        assert!(
            !old_folder.parent().unwrap().exists(),
            "with its run folder"
        );
        assert!(store.run(old_id).unwrap().is_none());
        assert!(
            new_folder.join("manifest.json").is_file(),
            "the new run's stays"
        );
        assert_eq!(store.runs("card", 10, None).unwrap().len(), 1);
    }

    #[test]
    fn a_run_whose_folder_is_already_gone_is_pruned_all_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (run, folder) = passing_run(&store, 1_000);
        store.record(&run, &[]).unwrap();
        std::fs::remove_dir_all(folder.parent().unwrap()).unwrap();
        assert_eq!(sweep_once(&store, 5_000).unwrap(), 1);
        assert!(store.runs("card", 10, None).unwrap().is_empty());
    }
}
