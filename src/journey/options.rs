//! What a journey is loaded with besides its text: variable and secret values, where files
//! come from, and the limits the caller sets.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use super::loader::SourceLoader;
use super::model::Variables;
use super::os::{FileSystem, process_env};

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
    /// Where the journey's file and its includes are read from (the file system by default;
    /// tests inject their own).
    pub sources: Box<dyn SourceLoader>,
    /// `--timeout`: the step timeout when the journey sets none (else 15s).
    pub default_timeout: Option<Duration>,
    /// `validate --no-secrets`: a secret with no value is not an error (a lint job has no
    /// credentials). Never set for a run.
    pub secrets_optional: bool,
    /// `--allow-include-outside`: `include:` may read files outside the journey's folder tree
    /// (by default it may not: a journey could otherwise pull in any file the user can read).
    pub allow_include_outside: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            cli_vars: Vec::new(),
            secrets: BTreeMap::new(),
            env: process_env(),
            sources: Box::new(FileSystem),
            default_timeout: None,
            secrets_optional: false,
            allow_include_outside: false,
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

    /// Every value of the `--secrets` file, as secrets: masked wherever a diagnostic quotes
    /// them, whether the journey names them or not.
    pub(super) fn secrets_file_values(&self) -> Variables {
        let mut v = Variables::default();
        for (name, value) in &self.secrets {
            v.set_secret(name, value);
        }
        v
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
            .field("allow_include_outside", &self.allow_include_outside)
            .finish_non_exhaustive()
    }
}
