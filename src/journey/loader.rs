//! Where journey and included texts come from: the [`SourceLoader`] seam. The parser asks it
//! for a file's identity and its bytes and does no I/O of its own; the file system is one
//! loader ([`super::os::FileSystem`], at the edge), [`MemorySources`] another (tests,
//! embedding).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use super::diagnostic::Diagnostic;
use super::model::Location;
use super::source::{MAX_FILE_BYTES, Pos, SourceFile};

/// Reads journey and include files by path.
pub trait SourceLoader: Send + Sync {
    /// The one path of the file or folder `path` names, with symlinks and `..` resolved: two
    /// paths to the same file resolve the same (include cycles, the journey's folder tree).
    fn resolve(&self, path: &Path) -> Result<PathBuf, SourceError>;

    /// At most the first `limit` bytes of the regular file at `path`. Anything else (a folder,
    /// a FIFO, a device) is refused before it is opened: reading one could block or never end.
    fn read(&self, path: &Path, limit: usize) -> Result<Vec<u8>, SourceError>;
}

/// Why a source could not be read, in words that read the same on every system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceError {
    NotFound,
    PermissionDenied,
    IsAFolder,
    /// A FIFO, a socket or a device (named).
    NotARegularFile(&'static str),
    /// Anything else, already worded.
    Other(String),
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::NotFound => f.write_str("no such file"),
            SourceError::PermissionDenied => f.write_str("permission denied"),
            SourceError::IsAFolder => f.write_str("it is a folder"),
            SourceError::NotARegularFile(kind) => write!(f, "not a regular file ({kind})"),
            SourceError::Other(reason) => f.write_str(reason),
        }
    }
}

impl From<std::io::Error> for SourceError {
    /// The reason without the OS error number.
    fn from(e: std::io::Error) -> SourceError {
        match e.kind() {
            std::io::ErrorKind::NotFound => SourceError::NotFound,
            std::io::ErrorKind::PermissionDenied => SourceError::PermissionDenied,
            std::io::ErrorKind::IsADirectory => SourceError::IsAFolder,
            _ => {
                let s = e.to_string();
                SourceError::Other(s.split(" (os error").next().unwrap_or(&s).to_lowercase())
            }
        }
    }
}

/// A journey's (or secrets file's) text through `loader`: at most [`MAX_FILE_BYTES`], UTF-8
/// (else an error at the first bad byte, showing the line only up to it).
#[allow(clippy::result_large_err)] // one per file read
pub fn read_text(loader: &dyn SourceLoader, path: &Path) -> Result<String, Diagnostic> {
    let bytes = loader.read(path, MAX_FILE_BYTES + 1).map_err(|e| {
        let d = Diagnostic::file_level(path, format!("cannot read {}: {e}", path.display()));
        match e {
            SourceError::NotARegularFile(_) => d.with_help(NOT_REGULAR_HELP),
            _ => d,
        }
    })?;
    decode(path, bytes)
}

pub const NOT_REGULAR_HELP: &str =
    "only regular files are read: a FIFO or a device could block the read forever";

#[allow(clippy::result_large_err)]
fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_big(path));
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let good = std::str::from_utf8(good).expect("valid up to here");
        let file = SourceFile::new(path, good);
        let (line, column) = file.line_col(good.chars().count());
        let mut d = file.diagnostic(
            Pos {
                line,
                column,
                length: 1,
            },
            "not UTF-8 text",
            "invalid byte here",
        );
        d.location = Location {
            file: d.location.file.clone(),
            line,
            column,
        };
        d.help = Some("a journey is a YAML text file in UTF-8".into());
        d
    })
}

pub fn too_big(path: &Path) -> Diagnostic {
    Diagnostic::file_level(
        path,
        format!("file larger than {} KiB", MAX_FILE_BYTES / 1024),
    )
    .with_help("a journey file is small; split it with `include:`")
}

/// Files held in memory, by absolute path; a relative path is taken from `/`. Paths resolve
/// by their words alone (`a/../b` is `b`); a folder is any prefix of a file's path.
#[derive(Debug, Clone, Default)]
pub struct MemorySources {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MemorySources {
    pub fn new() -> MemorySources {
        MemorySources::default()
    }

    /// Adds (or replaces) a file.
    pub fn with(mut self, path: impl AsRef<Path>, text: impl Into<Vec<u8>>) -> MemorySources {
        self.files.insert(normalize(path.as_ref()), text.into());
        self
    }

    fn is_folder(&self, path: &Path) -> bool {
        self.files
            .keys()
            .any(|f| f.starts_with(path) && f.as_path() != path)
    }
}

impl SourceLoader for MemorySources {
    fn resolve(&self, path: &Path) -> Result<PathBuf, SourceError> {
        let path = normalize(path);
        if self.files.contains_key(&path) || self.is_folder(&path) {
            Ok(path)
        } else {
            Err(SourceError::NotFound)
        }
    }

    fn read(&self, path: &Path, limit: usize) -> Result<Vec<u8>, SourceError> {
        let path = normalize(path);
        match self.files.get(&path) {
            Some(bytes) => Ok(bytes[..bytes.len().min(limit)].to_vec()),
            None if self.is_folder(&path) => Err(SourceError::IsAFolder),
            None => Err(SourceError::NotFound),
        }
    }
}

/// `/` joined with `path`, `.` and `..` taken away by their words.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for c in path.components() {
        match c {
            Component::RootDir | Component::Prefix(_) => out = PathBuf::from("/"),
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(part) => out.push(part),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_paths_resolve_by_their_words() {
        let m = MemorySources::new()
            .with("j/a.yaml", "a")
            .with("/j/parts/b.yaml", "b");
        assert_eq!(
            m.resolve(Path::new("j/parts/../a.yaml")),
            Ok(PathBuf::from("/j/a.yaml"))
        );
        assert_eq!(m.resolve(Path::new("./j")), Ok(PathBuf::from("/j")));
        assert_eq!(m.resolve(Path::new("j/c.yaml")), Err(SourceError::NotFound));
        assert_eq!(m.read(Path::new("/j/parts/b.yaml"), 10), Ok(b"b".to_vec()));
        assert_eq!(
            m.read(Path::new("j/parts"), 10),
            Err(SourceError::IsAFolder)
        );
        assert_eq!(
            m.read(Path::new("j/a.yaml"), 0),
            Ok(Vec::new()),
            "no more than asked"
        );
    }

    #[test]
    fn reasons_read_the_same_everywhere() {
        let e = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(SourceError::from(e).to_string(), "no such file");
        assert_eq!(
            SourceError::NotARegularFile("a FIFO").to_string(),
            "not a regular file (a FIFO)"
        );
    }

    #[test]
    fn text_is_bounded_and_utf8() {
        let m = MemorySources::new()
            .with("big.yaml", vec![b'x'; MAX_FILE_BYTES + 10])
            .with("latin1.yaml", b"name: caf\xe9\n".to_vec());
        let d = read_text(&m, Path::new("big.yaml")).unwrap_err();
        assert_eq!(d.message, "file larger than 1024 KiB");
        let d = read_text(&m, Path::new("latin1.yaml")).unwrap_err();
        assert_eq!(d.message, "not UTF-8 text");
        assert_eq!((d.location.line, d.location.column), (1, 10));
        let d = read_text(&m, Path::new("none.yaml")).unwrap_err();
        assert_eq!(d.message, "cannot read none.yaml: no such file");
    }
}
