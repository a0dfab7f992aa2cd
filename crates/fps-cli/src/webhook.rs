//! The fulfilment webhook's settings for `serve` (`FPS_FULFILMENT_WEBHOOK_URL`, its secret from
//! `FPS_FULFILMENT_WEBHOOK_SECRET` or the file `FPS_FULFILMENT_WEBHOOK_SECRET_FILE` names) and
//! the `webhook-replay` command, which makes stored events due again.

use std::path::Path;

use super::settings::{bad, given, load_secret, number_in, ConfigError, Environment};
use fps_core::Endpoint;
use fps_merchant::store::{now, Replay, Store, StoreError};
use fps_merchant::webhook::{WebhookConfig, WebhookSecret};

/// Environment variable holding the webhook's signing secret (a secret: never a flag).
pub const WEBHOOK_SECRET_ENV: &str = "FPS_FULFILMENT_WEBHOOK_SECRET";
/// Environment variable naming a file that holds the webhook's signing secret.
pub const WEBHOOK_SECRET_FILE_ENV: &str = "FPS_FULFILMENT_WEBHOOK_SECRET_FILE";
/// Shortest webhook secret accepted.
pub const MIN_WEBHOOK_SECRET: usize = 16;
/// Longest event id `--event` accepts (ids are `evt_` and 32 hex digits).
const MAX_EVENT_ID: usize = 64;

/// `serve`'s webhook arguments (flattened into [`super::ServeArgs`]).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct WebhookArgs {
    /// Where order events are posted, signed (http or https) [default: no webhook].
    #[arg(
        long,
        env = "FPS_FULFILMENT_WEBHOOK_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub fulfilment_webhook_url: Option<String>,
    /// Read the webhook's signing secret from this file; without it the secret comes from
    /// FPS_FULFILMENT_WEBHOOK_SECRET (never from the command line).
    #[arg(
        long,
        env = "FPS_FULFILMENT_WEBHOOK_SECRET_FILE",
        hide_env_values = true,
        value_name = "PATH"
    )]
    pub fulfilment_webhook_secret_file: Option<String>,
}

impl WebhookArgs {
    /// The webhook, when a URL is set: the URL must be http(s) and the secret set (at least
    /// [`MIN_WEBHOOK_SECRET`] characters). A secret without a URL is refused too (a webhook
    /// half configured would otherwise be silently off).
    pub fn config(&self, env: &dyn Environment) -> Result<Option<WebhookConfig>, ConfigError> {
        let file =
            given(&self.fulfilment_webhook_secret_file).map(|p| (WEBHOOK_SECRET_FILE_ENV, Path::new(p)));
        let secret = load_secret(WEBHOOK_SECRET_ENV, file, env)?;
        let Some(url) = given(&self.fulfilment_webhook_url) else {
            return match secret {
                Some(_) => Err(bad(
                    "FPS_FULFILMENT_WEBHOOK_URL",
                    "not set, but a webhook secret is: set both or neither",
                )),
                None => Ok(None),
            };
        };
        let url = Endpoint::parse(url).map_err(|e| bad("FPS_FULFILMENT_WEBHOOK_URL", e.to_string()))?;
        let secret = secret
            .filter(|s| s.expose().len() >= MIN_WEBHOOK_SECRET)
            .ok_or_else(|| {
                bad(
                    WEBHOOK_SECRET_ENV,
                    format!(
                        "not set or shorter than {MIN_WEBHOOK_SECRET} characters (or name a file with \
                         {WEBHOOK_SECRET_FILE_ENV})"
                    ),
                )
            })?;
        Ok(Some(WebhookConfig::new(url, WebhookSecret::from(secret))))
    }
}

/// Arguments of `fps-checkout webhook-replay`.
#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["since", "event"])))]
pub struct ReplayArgs {
    /// `sqlite:PATH`, a file path, or `postgres://...` [default: sqlite:fps-checkout.db].
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Replay every event created at or after this Unix second.
    #[arg(long, value_name = "UNIX")]
    pub since: Option<String>,
    /// Replay the one event with this id (`evt_...`).
    #[arg(long, value_name = "ID")]
    pub event: Option<String>,
}

/// Why `webhook-replay` failed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// A setting is missing or invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database could not be opened or updated.
    #[error("DATABASE_URL: {0}")]
    Store(#[from] StoreError),
    /// The runtime could not start.
    #[error("webhook-replay: {0}")]
    Io(#[from] std::io::Error),
    /// `--event` named no stored event.
    #[error("--event: no event {0:?} is stored")]
    UnknownEvent(String),
}

impl ReplayArgs {
    /// Which events to replay.
    pub fn replay(&self) -> Result<Replay, ConfigError> {
        if let Some(id) = given(&self.event) {
            let valid =
                id.len() <= MAX_EVENT_ID && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !valid {
                return Err(bad("--event", "is not an event id like evt_0123..."));
            }
            return Ok(Replay::Event(id.to_owned()));
        }
        let since = given(&self.since).ok_or_else(|| bad("--since", "give --since UNIX or --event ID"))?;
        Ok(Replay::Since(number_in(
            since,
            "--since",
            0..=253_402_300_799_i64,
        )?))
    }
}

/// `fps-checkout webhook-replay`: makes the named events due now (the running backends deliver
/// them on their next poll) and says how many.
pub fn run_replay(args: &ReplayArgs) -> Result<String, ReplayError> {
    let replay = args.replay()?;
    let database_url = given(&args.database_url)
        .unwrap_or("sqlite:fps-checkout.db")
        .to_owned();
    let runtime = fps_wire::service::runtime()?;
    let count = runtime.block_on(async {
        let store = Store::connect(&database_url).await?;
        store.replay_webhook_events(&replay, now()).await
    })?;
    if let (Replay::Event(id), 0) = (&replay, count) {
        return Err(ReplayError::UnknownEvent(id.clone()));
    }
    Ok(format!("{count} webhook event(s) due again"))
}

#[cfg(test)]
mod tests {
    use super::super::settings::{args_from_env, FixedEnv};
    use super::*;

    fn load(vars: &[(&str, &str)]) -> Result<Option<WebhookConfig>, ConfigError> {
        let env = FixedEnv::new(vars.iter().copied());
        let args: WebhookArgs = args_from_env(&env).expect("arguments");
        args.config(&env)
    }

    #[test]
    fn no_url_no_webhook() {
        assert!(load(&[]).unwrap().is_none());
    }

    #[test]
    fn url_and_secret_make_a_webhook_that_never_prints_its_secret() {
        let config = load(&[
            ("FPS_FULFILMENT_WEBHOOK_URL", "https://hooks.example/fps"),
            (WEBHOOK_SECRET_ENV, "whsec-0123456789abcdef"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(config.url.as_str(), "https://hooks.example/fps");
        assert_eq!(config.secret.expose(), b"whsec-0123456789abcdef");
        assert!(!format!("{config:?}").contains("whsec-0123"));
    }

    #[test]
    fn the_secret_may_come_from_a_file() {
        let dir = std::env::temp_dir().join(format!("fps-whsec-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("secret");
        std::fs::write(&file, "whsec-from-the-file-0123\n").unwrap();
        let path = file.display().to_string();
        let config = load(&[
            ("FPS_FULFILMENT_WEBHOOK_URL", "http://127.0.0.1:9/hook"),
            (WEBHOOK_SECRET_FILE_ENV, &path),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(config.secret.expose(), b"whsec-from-the-file-0123");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn each_bad_setting_is_named() {
        let secret = (WEBHOOK_SECRET_ENV, "whsec-0123456789abcdef");
        let cases: [(&[(&str, &str)], &str); 4] = [
            (
                &[("FPS_FULFILMENT_WEBHOOK_URL", "ftp://hooks.example/")],
                "FPS_FULFILMENT_WEBHOOK_URL",
            ),
            (
                &[("FPS_FULFILMENT_WEBHOOK_URL", "https://hooks.example/")],
                WEBHOOK_SECRET_ENV,
            ),
            (
                &[
                    ("FPS_FULFILMENT_WEBHOOK_URL", "https://hooks.example/"),
                    (WEBHOOK_SECRET_ENV, "short"),
                ],
                WEBHOOK_SECRET_ENV,
            ),
            (&[secret], "FPS_FULFILMENT_WEBHOOK_URL"),
        ];
        for (vars, setting) in cases {
            let error = load(vars).unwrap_err();
            assert_eq!(error.setting, setting, "{error}");
            assert!(!error.to_string().contains("whsec"), "{error}");
        }
    }

    #[test]
    fn replay_takes_a_time_or_an_event_id() {
        let args = |since: Option<&str>, event: Option<&str>| ReplayArgs {
            database_url: None,
            since: since.map(str::to_owned),
            event: event.map(str::to_owned),
        };
        assert_eq!(
            args(Some("1700000000"), None).replay().unwrap(),
            Replay::Since(1_700_000_000)
        );
        assert_eq!(
            args(None, Some("evt_0123abcd")).replay().unwrap(),
            Replay::Event("evt_0123abcd".into())
        );
        assert_eq!(
            args(Some("yesterday"), None).replay().unwrap_err().setting,
            "--since"
        );
        assert_eq!(
            args(None, Some("evt_1' OR 1=1")).replay().unwrap_err().setting,
            "--event"
        );
    }
}
