use std::fs::File;
use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};

use nix::fcntl::{Flock, FlockArg};

/// The file in each temp dir its owning process holds an exclusive `flock` on for as long as it
/// lives: the kernel lets go of it when the process dies, however it dies.
const OWNER_LOCK: &str = "owner.lock";

/// A fresh directory under the system temp dir, removed on drop (the browser profile). Only
/// its owner may enter it: it holds the driver's log and the profile of a browser signed in to
/// the site under test (its cookies), and the system temp dir is everyone's.
///
/// A process killed outright (SIGKILL, the OOM killer) cannot remove its dirs: the next
/// vedetta to make one removes every dir of the same prefix and user whose owner is gone —
/// known by its [`OWNER_LOCK`], which a live owner holds (the lock works across PID
/// namespaces sharing the temp dir, where a PID would not tell).
#[derive(Debug)]
pub(crate) struct TempDir {
    path: PathBuf,
    _owner: Flock<File>,
}

impl TempDir {
    pub(crate) fn new(prefix: &str) -> std::io::Result<TempDir> {
        static SWEPT: std::sync::Once = std::sync::Once::new();
        SWEPT.call_once(|| remove_orphans(&std::env::temp_dir(), prefix));
        for _ in 0..8 {
            let path = std::env::temp_dir().join(format!(
                "{prefix}-{}-{:016x}",
                std::process::id(),
                rand::random::<u64>()
            ));
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => {
                    let lock = std::fs::OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .mode(0o600)
                        .open(path.join(OWNER_LOCK))
                        .and_then(|f| {
                            Flock::lock(f, FlockArg::LockExclusiveNonblock)
                                .map_err(|(_, e)| std::io::Error::from(e))
                        });
                    return match lock {
                        Ok(owner) => Ok(TempDir {
                            path,
                            _owner: owner,
                        }),
                        Err(e) => {
                            let _ = std::fs::remove_dir_all(&path);
                            Err(e)
                        }
                    };
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(std::io::Error::other("could not create a unique temp dir"))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // A browser that is still exiting may write a last file: try a few times.
        for _ in 0..5 {
            match std::fs::remove_dir_all(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    std::thread::sleep(std::time::Duration::from_millis(50))
                }
                _ => return,
            }
        }
    }
}

/// Removes the dirs under `parent` named `{prefix}-{pid}-{16 hex digits}`, owned by this user,
/// whose owner lock nobody holds: what a killed vedetta left (a signed-in browser profile).
/// Anything else — another user's dir, a live owner's, one without an owner lock — is left.
fn remove_orphans(parent: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let me = nix::unistd::geteuid().as_raw();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
            continue;
        };
        let ours = rest
            .strip_prefix('-')
            .and_then(|r| r.split_once('-'))
            .is_some_and(|(pid, id)| {
                !pid.is_empty()
                    && pid.bytes().all(|b| b.is_ascii_digit())
                    && id.len() == 16
                    && id.bytes().all(|b| b.is_ascii_hexdigit())
            });
        if !ours {
            continue;
        }
        let path = entry.path();
        // `symlink_metadata`: a link planted in the temp dir is not followed.
        let mine = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir() && m.uid() == me);
        if !mine {
            continue;
        }
        let Ok(lock) = File::open(path.join(OWNER_LOCK)) else {
            continue;
        };
        if let Ok(unheld) = Flock::lock(lock, FlockArg::LockExclusiveNonblock) {
            tracing::debug!(dir = %path.display(), "removing what a killed vedetta left");
            let _ = std::fs::remove_dir_all(&path);
            drop(unheld);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn only_its_owner_may_enter_it_and_it_goes_when_dropped() {
        let dir = TempDir::new("vedetta-test").unwrap();
        let path = dir.path().to_path_buf();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{mode:o}");
        std::fs::write(path.join("driver.log"), "x").unwrap();
        drop(dir);
        assert!(!path.exists());
    }

    #[test]
    fn what_a_killed_owner_left_is_removed_and_nothing_else() {
        let parent = tempfile::tempdir().unwrap();
        let dir = |name: &str, lock: bool| {
            let path = parent.path().join(name);
            std::fs::create_dir(&path).unwrap();
            std::fs::write(path.join("Cookies"), "signed in").unwrap();
            if lock {
                std::fs::write(path.join(OWNER_LOCK), "").unwrap();
            }
            path
        };
        // Its owner died: the lock file is there, nobody holds it.
        let orphan = dir("vedetta-4242-00112233aabbccdd", true);
        // Alive: its owner holds the lock (a TempDir of this process, moved under `parent`).
        let live = TempDir::new("vedetta-sweep-test").unwrap();
        let live_here = parent.path().join("vedetta-4243-0123456789abcdef");
        std::fs::rename(live.path(), &live_here).unwrap();
        // Not vedetta's way of naming, or no owner lock: never touched.
        let other = dir("vedetta-soak-n8g2k35d", true);
        let unlocked = dir("vedetta-4244-ffffffffffffffff", false);

        remove_orphans(parent.path(), "vedetta");

        assert!(!orphan.exists());
        assert!(live_here.join(OWNER_LOCK).exists());
        assert!(other.exists());
        assert!(unlocked.exists());
        // Put back where its drop removes it.
        std::fs::rename(&live_here, live.path()).unwrap();
    }
}
