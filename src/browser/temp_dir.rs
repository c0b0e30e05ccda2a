use std::os::unix::fs::DirBuilderExt as _;
use std::path::{Path, PathBuf};

/// A fresh directory under the system temp dir, removed on drop (the browser profile). Only
/// its owner may enter it: it holds the driver's log and the profile of a browser signed in to
/// the site under test (its cookies), and the system temp dir is everyone's.
#[derive(Debug)]
pub(crate) struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub(crate) fn new(prefix: &str) -> std::io::Result<TempDir> {
        for _ in 0..8 {
            let path = std::env::temp_dir().join(format!(
                "{prefix}-{}-{:016x}",
                std::process::id(),
                rand::random::<u64>()
            ));
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => return Ok(TempDir { path }),
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
}
