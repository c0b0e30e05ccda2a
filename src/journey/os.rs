//! The only part of `journey/` that touches the machine: the file system as a
//! [`SourceLoader`], and the process environment as the default [`EnvLookup`]. Everything
//! else in `journey/` is pure and gets these through [`super::LoadOptions`].

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::loader::{SourceError, SourceLoader};
use super::options::EnvLookup;

/// Journey, include and secrets files on disk.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileSystem;

impl SourceLoader for FileSystem {
    fn resolve(&self, path: &Path) -> Result<PathBuf, SourceError> {
        Ok(std::fs::canonicalize(path)?)
    }

    fn read(&self, path: &Path, limit: usize) -> Result<Vec<u8>, SourceError> {
        // Opening a FIFO for reading waits for a writer: look before opening.
        regular_file(&std::fs::metadata(path)?)?;
        // Should it be swapped for a FIFO in between, the open does not wait (O_NONBLOCK)
        // and the second look refuses it.
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(nix::libc::O_NONBLOCK)
            .open(path)?;
        regular_file(&file.metadata()?)?;
        let mut bytes = Vec::new();
        file.take(limit as u64).read_to_end(&mut bytes)?;
        Ok(bytes)
    }
}

fn regular_file(m: &std::fs::Metadata) -> Result<(), SourceError> {
    let t = m.file_type();
    if t.is_file() {
        Ok(())
    } else if t.is_dir() {
        Err(SourceError::IsAFolder)
    } else if t.is_fifo() {
        Err(SourceError::NotARegularFile("a FIFO"))
    } else if t.is_socket() {
        Err(SourceError::NotARegularFile("a socket"))
    } else if t.is_char_device() || t.is_block_device() {
        Err(SourceError::NotARegularFile("a device"))
    } else {
        Err(SourceError::NotARegularFile("not a file"))
    }
}

/// `std::env::var`, the environment a journey's `${NAME}` falls back to.
pub fn process_env() -> EnvLookup {
    Box::new(|name| std::env::var(name).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_through_symlinks_and_refuses_the_rest_unopened() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("j.yaml");
        std::fs::write(&file, "name: j\n").unwrap();
        let link = dir.path().join("link.yaml");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert_eq!(FileSystem.read(&link, 100).unwrap(), b"name: j\n");
        assert_eq!(FileSystem.read(&file, 4).unwrap(), b"name");
        assert_eq!(
            FileSystem.resolve(&link).unwrap(),
            FileSystem.resolve(&file).unwrap()
        );

        // A FIFO with no writer: opening it for reading would wait forever.
        let fifo = dir.path().join("pipe.yaml");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let fifo_link = dir.path().join("pipe-link.yaml");
        std::os::unix::fs::symlink(&fifo, &fifo_link).unwrap();
        for p in [&fifo, &fifo_link] {
            assert_eq!(
                FileSystem.read(p, 100),
                Err(SourceError::NotARegularFile("a FIFO"))
            );
        }
        assert_eq!(
            FileSystem.read(Path::new("/dev/null"), 100),
            Err(SourceError::NotARegularFile("a device"))
        );
        assert_eq!(
            FileSystem.read(dir.path(), 100),
            Err(SourceError::IsAFolder)
        );
        assert_eq!(
            FileSystem.read(&dir.path().join("none"), 100),
            Err(SourceError::NotFound)
        );
    }
}
