//! Entry points: a journey file (or its text) and the values for its variables in, a
//! validated [`Journey`] or every problem found out.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use super::diagnostic::Diagnostic;
use super::journey_file;
use super::model::{Journey, Location};
use super::source::{MAX_FILE_BYTES, Pos, SourceFile};

/// Looks an environment variable up by name.
pub type EnvLookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Where variable and secret values come from.
pub struct LoadOptions {
    /// `--var NAME=VALUE`: above the journey's `vars:`.
    pub cli_vars: Vec<(String, String)>,
    /// From `--secrets FILE`: looked at before the environment for `secrets:` names.
    pub secrets: BTreeMap<String, String>,
    /// The environment (`std::env::var` by default; tests inject their own).
    pub env: EnvLookup,
    /// `--timeout`: the step timeout when the journey sets none (else 15s).
    pub default_timeout: Option<Duration>,
    /// `validate --no-secrets`: a secret with no value is not an error (a lint job has no
    /// credentials). Never set for a run.
    pub secrets_optional: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            cli_vars: Vec::new(),
            secrets: BTreeMap::new(),
            env: Box::new(|name| std::env::var(name).ok()),
            default_timeout: None,
            secrets_optional: false,
        }
    }
}

impl LoadOptions {
    /// Options whose environment is exactly `vars` (for tests and embedding).
    pub fn with_env(vars: impl IntoIterator<Item = (String, String)>) -> LoadOptions {
        let vars: BTreeMap<String, String> = vars.into_iter().collect();
        LoadOptions {
            env: Box::new(move |name| vars.get(name).cloned()),
            ..LoadOptions::default()
        }
    }
}

/// Values are left out: they may be secrets.
impl fmt::Debug for LoadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadOptions")
            .field(
                "cli_vars",
                &self.cli_vars.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .field("default_timeout", &self.default_timeout)
            .finish_non_exhaustive()
    }
}

/// Reads and validates a journey file (and the files it includes).
pub fn load_journey(path: &Path, opts: &LoadOptions) -> Result<Journey, Vec<Diagnostic>> {
    let text = read_source(path).map_err(|d| vec![d])?;
    parse_journey(&text, path, opts)
}

/// Validates a journey's text; `path` names it in diagnostics and is where includes are read
/// relative to.
pub fn parse_journey(
    source: &str,
    path: &Path,
    opts: &LoadOptions,
) -> Result<Journey, Vec<Diagnostic>> {
    if source.len() > MAX_FILE_BYTES {
        return Err(vec![too_big(path)]);
    }
    journey_file::read(&SourceFile::new(path, source), opts)
}

/// A file's text: at most [`MAX_FILE_BYTES`], UTF-8 (else an error at the first bad byte).
#[allow(clippy::result_large_err)] // one per file read; the brief fixes the type
pub fn read_source(path: &Path) -> Result<String, Diagnostic> {
    let file = std::fs::File::open(path).map_err(|e| {
        Diagnostic::file_level(
            path,
            format!("cannot read {}: {}", path.display(), io_reason(&e)),
        )
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            Diagnostic::file_level(
                path,
                format!("cannot read {}: {}", path.display(), io_reason(&e)),
            )
        })?;
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

fn too_big(path: &Path) -> Diagnostic {
    Diagnostic::file_level(
        path,
        format!("file larger than {} KiB", MAX_FILE_BYTES / 1024),
    )
    .with_help("a journey file is small; split it with `include:`")
}

/// The reason without the OS error number, so messages read the same everywhere.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "it is a folder".into(),
        _ => {
            let s = e.to_string();
            s.split(" (os error").next().unwrap_or(&s).to_lowercase()
        }
    }
}
