//! How the command line reads its settings. Each setting is a clap argument with an environment
//! variable behind it (`#[arg(long, env = "FPS_...", hide_env_values = true)]`); secrets are not
//! arguments at all and come from [`load_secret`], the one loader (the environment or a file, never
//! argv). A missing or invalid setting is a [`ConfigError`]: one line that names it. The library's
//! modules (`fps`, `merchant`, `sandbox`) get the typed settings built here and never read the
//! environment themselves.
//!
//! clap collects each setting as the text given (flag, else environment variable) and a typed
//! parse after clap checks it and applies its default, rather than clap `value_parser`s, because:
//! clap's own errors are several lines long, name the flag rather than the environment variable
//! most deployments use, and quote the rejected value (a `DATABASE_URL` may hold a password);
//! a missing required setting is reported the same way as an invalid one; and tests build the
//! arguments without a process environment ([`args_from_env`]).

use std::collections::HashMap;
use std::path::Path;

use clap::{Args, Command, FromArgMatches};

use fps_wire::signer::SecretKey;

/// Largest secret file read.
const MAX_SECRET_FILE: u64 = 4096;

/// Where secrets are read from: the process environment, or a fixed one in tests.
pub trait Environment {
    /// A variable's value, if set and valid UTF-8.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

impl Environment for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

/// A fixed environment of name/value pairs, used in place of the process environment: for
/// clap's `env` lookups through [`args_from_env`] and for secrets through [`load_secret`].
#[derive(Debug, Clone, Default)]
pub struct FixedEnv(HashMap<String, String>);

impl FixedEnv {
    /// An environment holding exactly `pairs` (a later pair replaces an earlier one).
    pub fn new<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        FixedEnv(pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

impl Environment for FixedEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

/// Parses the arguments `T` as clap would with `env` as the whole environment and no flags: each
/// pair whose name is an argument's `env` becomes that argument's value; other pairs (secrets)
/// are left to [`load_secret`]. The process environment is not read.
pub fn args_from_env<T: Args + FromArgMatches>(env: &FixedEnv) -> Result<T, clap::Error> {
    let command = T::augment_args(Command::new("fps-checkout").no_binary_name(true));
    let mut argv = Vec::new();
    for arg in command.get_arguments() {
        let (Some(name), Some(long)) = (arg.get_env(), arg.get_long()) else {
            continue;
        };
        if let Some(value) = name.to_str().and_then(|name| env.var(name)) {
            argv.push(format!("--{long}={value}"));
        }
    }
    // `Arg::env` read the process environment when the command was built: forget those values.
    let command = command.mut_args(|arg| arg.env(None::<&'static str>));
    T::from_arg_matches(&command.try_get_matches_from(argv)?)
}

/// A setting that stops a command: its name and what is wrong, as one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {reason}")]
pub struct ConfigError {
    /// The environment variable (and flag) at fault.
    pub setting: &'static str,
    /// What is wrong.
    pub reason: String,
}

/// A [`ConfigError`] for `setting`.
pub fn bad(setting: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        reason: reason.into(),
    }
}

/// A setting's text, `None` when not given or blank (an empty environment variable is unset).
pub fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A whole number within `range`, or an error naming `setting` and the range.
pub fn number_in<T>(
    text: &str,
    setting: &'static str,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    text.trim()
        .parse::<T>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            bad(
                setting,
                format!(
                    "{text:?} is not a whole number from {} to {}",
                    range.start(),
                    range.end()
                ),
            )
        })
}

/// The one secret loader. With `file` (the setting that named it and its path) the secret is the
/// file's content, and a file others may read is warned about (once logging is on); otherwise
/// it is the environment variable `var`. `Ok(None)` when neither is set; the secret itself is
/// never put in an error.
pub fn load_secret(
    var: &'static str,
    file: Option<(&'static str, &Path)>,
    env: &dyn Environment,
) -> Result<Option<SecretKey>, ConfigError> {
    use std::io::Read as _;
    let Some((setting, path)) = file else {
        return Ok(env.var(var).and_then(|text| SecretKey::new(&text)));
    };
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_SECRET_FILE).read_to_string(&mut text))
        .map_err(|e| {
            bad(
                setting,
                format!("cannot read secret file {}: {e}", path.display()),
            )
        })?;
    fps_wire::private_files::warn_if_shared(path, setting);
    SecretKey::new(&text)
        .map(Some)
        .ok_or_else(|| bad(setting, format!("the secret file {} is empty", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, clap::Args)]
    struct Two {
        #[arg(long, env = "FPS_TEST_ONE", hide_env_values = true)]
        one: Option<String>,
        #[arg(long, env = "FPS_TEST_TWO", hide_env_values = true)]
        two: Option<String>,
    }

    #[test]
    fn args_come_from_the_fixed_environment_only() {
        let env = FixedEnv::new([("FPS_TEST_ONE", "-starts-with-a-dash"), ("FPS_SECRET", "x")]);
        let args: Two = args_from_env(&env).unwrap();
        assert_eq!(args.one.as_deref(), Some("-starts-with-a-dash"));
        assert_eq!(args.two, None);
    }

    #[test]
    fn secrets_come_from_the_environment_or_a_file() {
        let env = FixedEnv::new([("FPS_TEST_SECRET", " from-env \n")]);
        let secret = load_secret("FPS_TEST_SECRET", None, &env).unwrap().unwrap();
        assert_eq!(secret.expose(), b"from-env");
        assert!(load_secret("FPS_TEST_UNSET", None, &env).unwrap().is_none());

        let dir = std::env::temp_dir().join(format!("fps-secret-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("key");
        std::fs::write(&file, "from-file\n").unwrap();
        let secret = load_secret("FPS_TEST_SECRET", Some(("FPS_TEST_FILE", &file)), &env)
            .unwrap()
            .unwrap();
        assert_eq!(secret.expose(), b"from-file", "the file wins");
        std::fs::write(&file, "  \n").unwrap();
        let empty = load_secret("FPS_TEST_SECRET", Some(("FPS_TEST_FILE", &file)), &env).unwrap_err();
        assert_eq!(empty.setting, "FPS_TEST_FILE");
        let missing = dir.join("absent");
        let error = load_secret("FPS_TEST_SECRET", Some(("FPS_TEST_FILE", &missing)), &env).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("FPS_TEST_FILE: cannot read secret file"),
            "{error}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn numbers_are_checked_against_their_range() {
        assert_eq!(number_in::<u64>(" 7 ", "N", 1..=10), Ok(7));
        assert_eq!(number_in::<u64>("0", "N", 1..=10).unwrap_err().setting, "N");
        assert!(number_in::<u64>("ten", "N", 1..=10).is_err());
    }
}
