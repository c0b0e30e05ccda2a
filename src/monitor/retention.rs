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
}
