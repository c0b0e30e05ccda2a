//! Loading journeys for a command: `--var`s and the secrets file as load options, each file's
//! problems collected in order, and what about the loaded journeys deserves a warning.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{CommandError, Problem};
use crate::browser::{BrowserConfig, BrowserKind};
use crate::journey::model::Journey;
use crate::journey::{self, LoadOptions};

/// Where values for `${NAME}` and secrets come from, besides the environment.
#[derive(Debug, Clone, Default)]
pub struct VarSources {
    /// `--var NAME=VALUE`, in the order given.
    pub vars: Vec<(String, String)>,
    /// `--secrets FILE`: a YAML map of `NAME: value`.
    pub secrets_file: Option<PathBuf>,
    /// `--allow-include-outside`: `include:` may leave the journey's folder.
    pub allow_include_outside: bool,
}

/// The load options for `sources`, with `default_timeout` for journeys that set none. Err: the
/// secrets file's problem.
pub fn load_options(
    sources: &VarSources,
    default_timeout: Option<Duration>,
) -> Result<LoadOptions, CommandError> {
    let secrets = match &sources.secrets_file {
        Some(path) => journey::load_secrets_file(path)
            .map_err(|d| CommandError::Invalid(vec![Problem::from(d)]))?,
        None => Default::default(),
    };
    Ok(LoadOptions {
        cli_vars: sources.vars.clone(),
        secrets,
        default_timeout,
        allow_include_outside: sources.allow_include_outside,
        ..LoadOptions::default()
    })
}

/// Loads one journey file; when it is invalid, its diagnostics are added to `problems`.
pub fn load_journey(
    file: &Path,
    opts: &LoadOptions,
    problems: &mut Vec<Problem>,
) -> Option<Journey> {
    match journey::load_journey(file, opts) {
        Ok(j) => Some(j),
        Err(diagnostics) => {
            problems.extend(diagnostics.into_iter().map(Problem::from));
            None
        }
    }
}

/// Every journey named as one before it: (the one before, this one). Names identify journeys
/// in reports, folders and history, so two may not share one.
pub fn same_names<'a>(
    journeys: impl IntoIterator<Item = &'a Journey>,
) -> Vec<(&'a Journey, &'a Journey)> {
    let mut seen = HashMap::new();
    journeys
        .into_iter()
        .filter_map(|j| seen.insert(j.name.as_str(), j).map(|earlier| (earlier, j)))
        .collect()
}

/// A `--var` whose name is one letter off a name the journey knows (`BANK_ULR` for
/// `BANK_URL`) most likely meant it: the run would silently use the journey's default instead —
/// against production, say, rather than staging. A warning; the command goes on.
pub fn misspelt_vars(journeys: &[Journey], cli_vars: &[(String, String)]) -> Vec<Problem> {
    let given: HashSet<&str> = cli_vars.iter().map(|(k, _)| k.as_str()).collect();
    let mut warnings = Vec::new();
    for (name, _) in cli_vars {
        let known = journeys
            .iter()
            .flat_map(|j| j.variables.names())
            .filter(|k| !given.contains(k))
            .find(|k| strsim::levenshtein(k, name) <= 2 && k.len() > 2);
        if let Some(meant) = known {
            warnings.push(Problem::Warning(format!(
                "--var {name} is not a variable of the journey; did you mean {meant}? ({meant} keeps its value)"
            )));
        }
    }
    warnings
}

/// Secrets shorter than this are warned about.
const SHORT_SECRET: usize = 4;

/// A secret of a few characters is masked wherever those characters occur — in URLs, messages,
/// page text — which makes reports hard to read; it is likely a placeholder. Said once per
/// secret, without its value; masking goes on regardless.
pub fn short_secrets(journeys: &[Journey]) -> Vec<Problem> {
    let mut said = BTreeSet::new();
    let mut warnings = Vec::new();
    for j in journeys {
        for name in j.variables.names() {
            let len = j.variables.get(name).map_or(0, |v| v.chars().count());
            if j.variables.is_secret(name) && (1..SHORT_SECRET).contains(&len) && said.insert(name)
            {
                warnings.push(Problem::Warning(format!(
                    "secret {name} is only {len} character{} long: every occurrence of it in any output is masked, which can garble reports",
                    if len == 1 { "" } else { "s" }
                )));
            }
        }
    }
    warnings
}

/// A step's `slow:` at or above its timeout could never show: the step would fail first. A
/// warning at the step's place; the command goes on. Blocks (`include`, `when`) are left out:
/// their `slow:` covers their inner steps too, each with its own timeout.
pub fn unreachable_slow(journeys: &[Journey]) -> Vec<Problem> {
    use crate::journey::model::{Step, format_duration};
    let mut warnings = Vec::new();
    for j in journeys {
        for step in Step::all(&j.steps) {
            let Some(slow) = step.slow else { continue };
            if !step.inner_steps().is_empty() {
                continue;
            }
            let timeout = step.timeout.unwrap_or(j.timeout);
            if slow >= timeout {
                warnings.push(Problem::Warning(format!(
                    "{}: step `{}` has slow: {} at or above its timeout {}: it could never show (the step fails first)",
                    step.location,
                    step.display_name(),
                    format_duration(slow),
                    format_duration(timeout)
                )));
            }
        }
    }
    warnings
}

/// What the browser configuration cannot do for a journey, as errors before anything starts:
/// a `browserName` capability naming another browser than `--browser`, and a device Firefox
/// cannot emulate (never run as a desktop instead).
pub fn browser_mismatches(journeys: &[Journey], browser: &BrowserConfig) -> Vec<Problem> {
    let ours = match browser.kind {
        BrowserKind::Chromium => "chrome",
        BrowserKind::Firefox => "firefox",
    };
    let mut problems = Vec::new();
    let named = |value: &serde_json::Value| {
        format!(
            "`browserName: {value}` names another browser than --browser {} (`{ours}`)",
            browser.kind
        )
    };
    for (key, value) in &browser.capabilities {
        if key == "browserName" && value.as_str() != Some(ours) {
            problems.push(Problem::Error {
                message: format!("--capability {}", named(value)),
                help: Some("leave browserName out: --browser chooses the browser".into()),
            });
        }
    }
    for j in journeys {
        for c in j.capabilities.iter().filter(|c| c.key == "browserName") {
            if c.value.as_str() != Some(ours) {
                problems.push(Problem::Error {
                    message: format!("{}: capability {}", c.location, named(&c.value)),
                    help: Some("leave browserName out: --browser chooses the browser".into()),
                });
            }
        }
        let device = browser.device.as_ref().or(j.device.as_ref());
        if browser.kind == BrowserKind::Firefox
            && let Some(refusal) = device.and_then(crate::browser::firefox_refusal)
        {
            let from = match &browser.device {
                Some(_) => "--device".to_string(),
                None => format!("{}", j.file.display()),
            };
            problems.push(Problem::error(format!(
                "journey `{}` ({from}): {refusal}",
                j.name
            )));
        }
    }
    problems
}

/// The credentials of `--webdriver`'s URL become secrets of every journey: masked in whatever
/// a journey's run writes (console, reports, evidence), like the journey's own secrets.
pub fn hide_webdriver_credentials(journeys: &mut [Journey], browser: &BrowserConfig) {
    let credentials = browser.webdriver_credentials();
    for j in journeys {
        for c in &credentials {
            // Not a variable name, so no template can use it; named by a hash of the value so
            // that several grids' credentials (the monitor's locations) all stay secrets.
            let name = format!("--webdriver credential {:016x}", name_hash(c));
            j.variables.set_secret(name, c.clone());
        }
    }
}

/// A stable, non-cryptographic name for a credential (never printed: secrets are masked by value).
fn name_hash(s: &str) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journey(text: &str, env: &[(&str, &str)]) -> Journey {
        let opts = LoadOptions::with_env(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        journey::parse_journey(text, Path::new("j.yaml"), &opts).expect("a valid journey")
    }

    fn rendered(problems: &[Problem]) -> Vec<String> {
        problems.iter().map(|p| p.render(false)).collect()
    }

    #[test]
    fn a_var_one_letter_off_a_known_name_is_warned_about_once() {
        let j = journey(
            "name: j\nvars:\n  BANK_URL: http://127.0.0.1\nsteps:\n  - open: ${BANK_URL}\n",
            &[],
        );
        let given = vec![("BANK_ULR".to_string(), "http://staging".to_string())];
        assert_eq!(
            rendered(&misspelt_vars(std::slice::from_ref(&j), &given)),
            [
                "warning: --var BANK_ULR is not a variable of the journey; did you mean BANK_URL? (BANK_URL keeps its value)"
            ]
        );
        let right = vec![("BANK_URL".to_string(), "http://staging".to_string())];
        assert!(misspelt_vars(std::slice::from_ref(&j), &right).is_empty());
    }

    #[test]
    fn a_short_secret_is_warned_about_by_name_never_by_value() {
        let text = "name: j\nsecrets: [PIN]\nsteps:\n  - open: http://127.0.0.1/${PIN}\n";
        let short = journey(text, &[("PIN", "12")]);
        let warnings = rendered(&short_secrets(&[short.clone(), short]));
        assert_eq!(
            warnings,
            [
                "warning: secret PIN is only 2 characters long: every occurrence of it in any output is masked, which can garble reports"
            ]
        );
        let long = journey(text, &[("PIN", "123456")]);
        assert!(short_secrets(&[long]).is_empty());
    }

    #[test]
    fn a_slow_threshold_the_timeout_would_cut_short_is_warned_about_at_its_step() {
        let j = journey(
            "name: j\ntimeout: 5s\nsteps:\n  - open: http://127.0.0.1/\n    slow: 5s\n  - click: '#a'\n    timeout: 20s\n    slow: 10s\n  - click: '#b'\n    slow: 6s\n",
            &[],
        );
        assert_eq!(
            rendered(&unreachable_slow(&[j])),
            [
                "warning: j.yaml:4:5: step `open http://127.0.0.1/` has slow: 5s at or above its timeout 5s: it could never show (the step fails first)",
                "warning: j.yaml:9:5: step `click #b` has slow: 6s at or above its timeout 5s: it could never show (the step fails first)",
            ]
        );
    }

    #[test]
    fn another_browser_name_and_a_phone_in_firefox_are_errors_before_anything_runs() {
        let j = journey(
            "name: j\ndevice: Pixel 7\ncapabilities: {browserName: firefox}\nsteps:\n  - open: http://127.0.0.1/\n",
            &[],
        );
        let chromium = BrowserConfig::default();
        assert_eq!(
            rendered(&browser_mismatches(std::slice::from_ref(&j), &chromium)),
            [
                "error: j.yaml:3:16: capability `browserName: \"firefox\"` names another browser than --browser chromium (`chrome`)\nhelp: leave browserName out: --browser chooses the browser"
            ]
        );
        let firefox = BrowserConfig {
            kind: BrowserKind::Firefox,
            ..BrowserConfig::default()
        };
        let said = rendered(&browser_mismatches(std::slice::from_ref(&j), &firefox));
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(
            said[0].starts_with(
                "error: journey `j` (j.yaml): Firefox cannot emulate a pixel ratio of 2.625"
            ),
            "{said:?}"
        );
    }

    #[test]
    fn the_webdriver_urls_credentials_become_every_journeys_secrets() {
        let mut js = vec![journey(
            "name: j\nsteps:\n  - open: http://127.0.0.1/\n",
            &[],
        )];
        let grid = BrowserConfig {
            webdriver_url: Some(
                "https://alice:K3y-K3y@hub.example.com/wd/hub?access_key=AK-99".into(),
            ),
            ..BrowserConfig::default()
        };
        hide_webdriver_credentials(&mut js, &grid);
        assert_eq!(
            js[0]
                .variables
                .mask("alice used K3y-K3y and AK-99 at hub.example.com"),
            "•••••• used •••••• and •••••• at hub.example.com"
        );
    }

    #[test]
    fn several_grids_credentials_all_stay_secrets() {
        // The monitor hides `--webdriver`'s and every location's credentials in turn.
        let mut js = vec![journey(
            "name: j\nsteps:\n  - open: http://127.0.0.1/\n",
            &[],
        )];
        for url in ["https://milan:M1-key@hub-a/", "https://paris:P4-key@hub-b/"] {
            let grid = BrowserConfig {
                webdriver_url: Some(url.into()),
                ..BrowserConfig::default()
            };
            hide_webdriver_credentials(&mut js, &grid);
        }
        assert_eq!(js[0].variables.mask("M1-key P4-key"), "•••••• ••••••");
    }

    #[test]
    fn journeys_sharing_a_name_are_paired_with_the_one_before() {
        let a = journey("name: same\nsteps:\n  - open: http://127.0.0.1/a\n", &[]);
        let b = journey("name: other\nsteps:\n  - open: http://127.0.0.1/b\n", &[]);
        let c = journey("name: same\nsteps:\n  - open: http://127.0.0.1/c\n", &[]);
        let d = journey("name: same\nsteps:\n  - open: http://127.0.0.1/d\n", &[]);
        let all = [a, b, c, d];
        let pairs = same_names(&all);
        assert_eq!(pairs.len(), 2);
        assert!(std::ptr::eq(pairs[0].0, &all[0]) && std::ptr::eq(pairs[0].1, &all[2]));
        assert!(std::ptr::eq(pairs[1].0, &all[2]) && std::ptr::eq(pairs[1].1, &all[3]));
    }

    #[test]
    fn an_unreadable_journey_adds_its_diagnostic_and_loads_nothing() {
        let mut problems = Vec::new();
        let missing = Path::new("no/such/journey.yaml");
        assert!(load_journey(missing, &LoadOptions::default(), &mut problems).is_none());
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0]
                .render(false)
                .contains("cannot read no/such/journey.yaml")
        );
    }
}
