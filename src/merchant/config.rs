//! `serve`'s settings, from flags with environment variables behind them. A missing or invalid
//! setting stops start-up with one line naming it; secrets come only from the environment or a
//! file and print as `[redacted]`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::cli::Environment;
use crate::core::params::{CallerKey, CbuiEndpoint};
use crate::core::Endpoint;
use crate::signer::SecretKey;

/// Requests the server handles at once unless `FPS_MAX_IN_FLIGHT` says otherwise.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 512;

/// Seconds between two reconciler ticks unless `FPS_RECONCILE_INTERVAL_SECS` says otherwise.
pub const DEFAULT_RECONCILE_INTERVAL: Duration = Duration::from_secs(60);

/// Shortest admin token accepted.
pub const MIN_ADMIN_TOKEN: usize = 16;

/// Flags of `fps-checkout serve`; each falls back to the environment variable named in its help.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on [env FPS_LISTEN, default 127.0.0.1:8080].
    #[arg(long)]
    pub listen: Option<String>,
    /// `sqlite:PATH`, a file path, or `postgres://...` [env DATABASE_URL, default fps-checkout.db].
    #[arg(long)]
    pub database_url: Option<String>,
    /// Products and prices [env FPS_CATALOG, default www/catalog.json].
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// CBUI start: sandbox, production or a URL [env FPS_CBUI_ENDPOINT, default sandbox].
    #[arg(long)]
    pub cbui_endpoint: Option<String>,
    /// Comma-separated returnURLs the server signs for [env FPS_RETURN_URLS, required].
    #[arg(long)]
    pub return_urls: Option<String>,
    /// The IPN URL FPS posts to, exactly [env FPS_IPN_URL, default: first return URL's origin + /fps/ipn].
    #[arg(long)]
    pub ipn_url: Option<String>,
    /// Comma-separated browser origins allowed by CORS [env FPS_CORS_ORIGINS, default none].
    #[arg(long)]
    pub cors_origins: Option<String>,
    /// How to reach FPS: `--fps-endpoint`, `--access-key-id`, `--secret-file`, `--fps-timeout`.
    #[command(flatten)]
    pub fps: FpsFlags,
}

pub use crate::fps::settings::ConfigError;
use crate::fps::settings::{bad, FpsFlags, FpsSettings};

/// Everything `serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The store.
    pub database_url: String,
    /// The catalog file.
    pub catalog: PathBuf,
    /// The Query API.
    pub fps_endpoint: Endpoint,
    /// The CBUI start URL.
    pub cbui_endpoint: CbuiEndpoint,
    /// Return URLs signed for, compared byte for byte.
    pub return_urls: Vec<Endpoint>,
    /// The IPN URL (UrlEndPoint for notifications).
    pub ipn_url: Endpoint,
    /// CORS origins.
    pub cors_origins: Vec<String>,
    /// The access key id (callerKey / AWSAccessKeyId).
    pub access_key_id: CallerKey,
    /// The secret key.
    pub secret: SecretKey,
    /// The admin bearer token.
    pub admin_token: SecretKey,
    /// Time for one FPS call.
    pub fps_timeout: Duration,
    /// Requests handled at once; more are refused at once with 503 (`FPS_MAX_IN_FLIGHT`).
    pub max_in_flight: usize,
    /// Time between two reconciler ticks; `None` runs no reconciler
    /// (`FPS_RECONCILE_INTERVAL_SECS`, default 60, `0` = off).
    pub reconcile_interval: Option<Duration>,
}

impl Config {
    /// Reads the settings: each flag first, then its environment variable, then its default.
    pub fn load(args: &ServeArgs, env: &dyn Environment) -> Result<Self, ConfigError> {
        let pick = |flag: &Option<String>, name: &str| {
            flag.clone()
                .or_else(|| env.var(name))
                .filter(|v| !v.trim().is_empty())
        };

        let listen_text = pick(&args.listen, "FPS_LISTEN").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let listen = listen_text.parse().map_err(|_| {
            bad(
                "FPS_LISTEN",
                format!("{listen_text:?} is not an address like 127.0.0.1:8080"),
            )
        })?;

        let database_url =
            pick(&args.database_url, "DATABASE_URL").unwrap_or_else(|| "sqlite:fps-checkout.db".to_owned());
        let known = ["sqlite:", "postgres://", "postgresql://"];
        if database_url.contains("://") && !known.iter().any(|k| database_url.starts_with(k)) {
            return Err(bad(
                "DATABASE_URL",
                "must be sqlite:PATH, a file path, or postgres://...",
            ));
        }

        let catalog = args
            .catalog
            .clone()
            .or_else(|| {
                env.var("FPS_CATALOG")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .unwrap_or_else(|| PathBuf::from("www/catalog.json"));

        let fps = FpsSettings::load(&args.fps, env)?;
        let cbui_text =
            pick(&args.cbui_endpoint, "FPS_CBUI_ENDPOINT").unwrap_or_else(|| "sandbox".to_owned());
        let cbui_endpoint =
            CbuiEndpoint::parse(&cbui_text).map_err(|e| bad("FPS_CBUI_ENDPOINT", e.to_string()))?;

        let return_text = pick(&args.return_urls, "FPS_RETURN_URLS").ok_or_else(|| {
            bad(
                "FPS_RETURN_URLS",
                "not set: list the thank-you page URL(s), comma-separated",
            )
        })?;
        let mut return_urls = Vec::new();
        for url in return_text.split(',').map(str::trim).filter(|u| !u.is_empty()) {
            let endpoint = Endpoint::parse(url).map_err(|e| bad("FPS_RETURN_URLS", e.to_string()))?;
            return_urls.push(endpoint);
        }
        let first = return_urls
            .first()
            .ok_or_else(|| bad("FPS_RETURN_URLS", "lists no URL"))?
            .clone();

        let ipn_url = match pick(&args.ipn_url, "FPS_IPN_URL") {
            Some(url) => {
                Endpoint::parse_without_query(&url).map_err(|e| bad("FPS_IPN_URL", e.to_string()))?
            }
            None => Endpoint::parse_without_query(&format!("{}/fps/ipn", first.origin()))
                .map_err(|e| bad("FPS_IPN_URL", e.to_string()))?,
        };

        let cors_origins = match pick(&args.cors_origins, "FPS_CORS_ORIGINS") {
            None => Vec::new(),
            Some(list) => {
                let mut origins = Vec::new();
                for origin in list.split(',').map(str::trim).filter(|o| !o.is_empty()) {
                    let endpoint = Endpoint::parse_without_query(origin)
                        .map_err(|e| bad("FPS_CORS_ORIGINS", e.to_string()))?;
                    if endpoint.path() != "/" || origin.ends_with('/') {
                        return Err(bad(
                            "FPS_CORS_ORIGINS",
                            format!("{origin:?} must be an origin like https://shop.example (no path)"),
                        ));
                    }
                    origins.push(origin.to_owned());
                }
                origins
            }
        };

        let admin_text = env.var("FPS_ADMIN_TOKEN").unwrap_or_default();
        let admin_token = SecretKey::new(&admin_text)
            .filter(|t| t.expose().len() >= MIN_ADMIN_TOKEN)
            .ok_or_else(|| {
                bad(
                    "FPS_ADMIN_TOKEN",
                    format!("not set or shorter than {MIN_ADMIN_TOKEN} characters"),
                )
            })?;

        let max_in_flight = match env.var("FPS_MAX_IN_FLIGHT").filter(|v| !v.trim().is_empty()) {
            None => DEFAULT_MAX_IN_FLIGHT,
            Some(text) => text
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=65_536).contains(n))
                .ok_or_else(|| {
                    bad(
                        "FPS_MAX_IN_FLIGHT",
                        format!("{text:?} is not a number from 1 to 65536"),
                    )
                })?,
        };

        let reconcile_interval = match env
            .var("FPS_RECONCILE_INTERVAL_SECS")
            .filter(|v| !v.trim().is_empty())
        {
            None => Some(DEFAULT_RECONCILE_INTERVAL),
            Some(text) => {
                let seconds = text
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n <= 86_400)
                    .ok_or_else(|| {
                        bad(
                            "FPS_RECONCILE_INTERVAL_SECS",
                            format!("{text:?} is not a number of seconds from 0 (off) to 86400"),
                        )
                    })?;
                (seconds > 0).then(|| Duration::from_secs(seconds))
            }
        };

        Ok(Config {
            listen,
            database_url,
            catalog,
            fps_endpoint: fps.endpoint,
            cbui_endpoint,
            return_urls,
            ipn_url,
            cors_origins,
            access_key_id: fps.access_key_id,
            secret: fps.secret,
            admin_token,
            fps_timeout: fps.timeout,
            max_in_flight,
            reconcile_interval,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Vars(HashMap<&'static str, &'static str>);

    impl Environment for Vars {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|v| v.to_string())
        }
    }

    fn full() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("FPS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
            ("FPS_SECRET_KEY", "very-secret-key-material"),
            ("FPS_RETURN_URLS", "https://shop.example/thanks"),
            ("FPS_ADMIN_TOKEN", "admin-token-0123456789"),
        ])
    }

    fn error_with(change: impl FnOnce(&mut HashMap<&'static str, &'static str>)) -> ConfigError {
        let mut vars = full();
        change(&mut vars);
        Config::load(&ServeArgs::default(), &Vars(vars)).unwrap_err()
    }

    #[test]
    fn defaults_and_derived_values() {
        let config = Config::load(&ServeArgs::default(), &Vars(full())).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.ipn_url.as_str(), "https://shop.example/fps/ipn");
        assert_eq!(config.database_url, "sqlite:fps-checkout.db");
        let debug = format!("{config:?}");
        assert!(!debug.contains("very-secret"), "{debug}");
        assert!(!debug.contains("admin-token-0123"), "{debug}");
    }

    #[test]
    fn flags_win_over_environment() {
        let args = ServeArgs {
            listen: Some("127.0.0.1:9999".into()),
            ..ServeArgs::default()
        };
        let mut vars = full();
        vars.insert("FPS_LISTEN", "127.0.0.1:1111");
        assert_eq!(Config::load(&args, &Vars(vars)).unwrap().listen.port(), 9999);
    }

    #[test]
    fn each_missing_or_bad_setting_is_named() {
        let cases: [(&str, &'static str, Option<&'static str>); 13] = [
            ("FPS_ACCESS_KEY_ID", "FPS_ACCESS_KEY_ID", None),
            ("FPS_ACCESS_KEY_ID", "FPS_ACCESS_KEY_ID", Some("lower")),
            ("FPS_SECRET_KEY", "FPS_SECRET_KEY", None),
            (
                "FPS_SECRET_KEY_FILE",
                "FPS_SECRET_KEY_FILE",
                Some("/nonexistent/x"),
            ),
            ("FPS_RETURN_URLS", "FPS_RETURN_URLS", None),
            ("FPS_RETURN_URLS", "FPS_RETURN_URLS", Some("ftp://x/")),
            ("FPS_ADMIN_TOKEN", "FPS_ADMIN_TOKEN", Some("short")),
            ("FPS_LISTEN", "FPS_LISTEN", Some("nowhere")),
            ("FPS_ENDPOINT", "FPS_ENDPOINT", Some("staging")),
            ("FPS_CBUI_ENDPOINT", "FPS_CBUI_ENDPOINT", Some("http://x/?q=1")),
            ("DATABASE_URL", "DATABASE_URL", Some("mysql://x/db")),
            ("FPS_TIMEOUT_SECS", "FPS_TIMEOUT_SECS", Some("ten")),
            (
                "FPS_CORS_ORIGINS",
                "FPS_CORS_ORIGINS",
                Some("https://a.example/path"),
            ),
        ];
        for (setting, var, value) in cases {
            let error = error_with(|vars| match value {
                Some(value) => {
                    vars.insert(var, value);
                }
                None => {
                    vars.remove(var);
                }
            });
            assert_eq!(error.setting, setting, "{error}");
            let line = error.to_string();
            assert!(line.starts_with(setting) && !line.contains('\n'), "{line}");
            assert!(!line.contains("very-secret"), "{line}");
        }
    }
}
