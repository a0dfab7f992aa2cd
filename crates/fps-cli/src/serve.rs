//! `serve`'s settings: its arguments, each with its environment variable, and the typed
//! [`Config`] built from them. A missing or invalid setting stops start-up with one line naming
//! it; the secrets (`FPS_SECRET_KEY` or its file, `FPS_ADMIN_TOKEN`) come only from the
//! environment or a file and print as `[redacted]`.

use std::path::PathBuf;
use std::time::Duration;

use super::fps::FpsArgs;
use super::settings::{bad, given, load_secret, number_in, ConfigError, Environment};
use super::webhook::WebhookArgs;
use fps_core::params::CbuiEndpoint;
use fps_core::Endpoint;
use fps_merchant::config::{
    Descriptions, DEFAULT_MAX_IN_FLIGHT, DEFAULT_RECONCILE_INTERVAL, MIN_ADMIN_TOKEN,
};
use fps_merchant::Config;

/// Environment variable holding the admin bearer token (a secret: never a flag).
pub const ADMIN_TOKEN_ENV: &str = "FPS_ADMIN_TOKEN";

/// Arguments of `fps-checkout serve`; each falls back to the environment variable shown in
/// `--help`. Defaults and checks are applied by [`serve_config`].
#[derive(Debug, Clone, Default, clap::Args)]
#[command(
    after_help = "Secrets are read only from the environment or a file: FPS_SECRET_KEY (or the file named by \
                  --secret-file / FPS_SECRET_KEY_FILE), FPS_ADMIN_TOKEN (the admin bearer token, at least 16 \
                  characters) and, with a webhook URL, FPS_FULFILMENT_WEBHOOK_SECRET (or the file named by \
                  --fulfilment-webhook-secret-file / FPS_FULFILMENT_WEBHOOK_SECRET_FILE)."
)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "FPS_LISTEN", hide_env_values = true, value_name = "ADDR:PORT")]
    pub listen: Option<String>,
    /// `sqlite:PATH`, a file path, or `postgres://...` [default: sqlite:fps-checkout.db].
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Products and prices [default: www/catalog.json].
    #[arg(long, env = "FPS_CATALOG", hide_env_values = true, value_name = "PATH")]
    pub catalog: Option<String>,
    /// CBUI start: sandbox, production or a URL [default: sandbox].
    #[arg(long, env = "FPS_CBUI_ENDPOINT", hide_env_values = true, value_name = "URL")]
    pub cbui_endpoint: Option<String>,
    /// Comma-separated returnURLs the server signs for [required].
    #[arg(long, env = "FPS_RETURN_URLS", hide_env_values = true, value_name = "URLS")]
    pub return_urls: Option<String>,
    /// The IPN URL FPS posts to, exactly [default: first return URL's origin + /fps/ipn].
    #[arg(long, env = "FPS_IPN_URL", hide_env_values = true, value_name = "URL")]
    pub ipn_url: Option<String>,
    /// Comma-separated browser origins allowed by CORS [default: none].
    #[arg(
        long,
        env = "FPS_CORS_ORIGINS",
        hide_env_values = true,
        value_name = "ORIGINS"
    )]
    pub cors_origins: Option<String>,
    /// Requests handled at once, 1 to 65536; more are refused with 503 [default: 512].
    #[arg(long, env = "FPS_MAX_IN_FLIGHT", hide_env_values = true, value_name = "N")]
    pub max_in_flight: Option<String>,
    /// Seconds between two reconciler ticks, 0 (off) to 86400 [default: 60].
    #[arg(
        long,
        env = "FPS_RECONCILE_INTERVAL_SECS",
        hide_env_values = true,
        value_name = "SECONDS"
    )]
    pub reconcile_interval_secs: Option<String>,
    /// `SenderDescription` of Pay and Reserve: what the buyer sees in their Amazon Payments
    /// account, 1 to 160 characters [default: none].
    #[arg(
        long,
        env = "FPS_SENDER_DESCRIPTION",
        hide_env_values = true,
        value_name = "TEXT"
    )]
    pub sender_description: Option<String>,
    /// `CallerDescription` of Pay and Reserve: the shop's own records at Amazon, 1 to 160
    /// characters [default: the order's description].
    #[arg(
        long,
        env = "FPS_CALLER_DESCRIPTION",
        hide_env_values = true,
        value_name = "TEXT"
    )]
    pub caller_description: Option<String>,
    /// How to reach FPS: `--fps-endpoint`, `--access-key-id`, `--secret-file`, `--fps-timeout`.
    #[command(flatten)]
    pub fps: FpsArgs,
    /// The fulfilment webhook: `--fulfilment-webhook-url`, `--fulfilment-webhook-secret-file`.
    #[command(flatten)]
    pub webhook: WebhookArgs,
}

/// `serve`'s typed configuration from its arguments; the secrets from `env` (or the file).
pub fn serve_config(args: &ServeArgs, env: &dyn Environment) -> Result<Config, ConfigError> {
    let listen_text = given(&args.listen).unwrap_or("127.0.0.1:8080");
    let listen = listen_text.parse().map_err(|_| {
        bad(
            "FPS_LISTEN",
            format!("{listen_text:?} is not an address like 127.0.0.1:8080"),
        )
    })?;

    let database_url = given(&args.database_url)
        .unwrap_or("sqlite:fps-checkout.db")
        .to_owned();
    let known = ["sqlite:", "postgres://", "postgresql://"];
    if database_url.contains("://") && !known.iter().any(|k| database_url.starts_with(k)) {
        return Err(bad(
            "DATABASE_URL",
            "must be sqlite:PATH, a file path, or postgres://...",
        ));
    }

    let catalog = PathBuf::from(given(&args.catalog).unwrap_or("www/catalog.json"));

    let fps = args.fps.settings(env)?;
    let cbui_text = given(&args.cbui_endpoint).unwrap_or("sandbox");
    let cbui_endpoint =
        CbuiEndpoint::parse(cbui_text).map_err(|e| bad("FPS_CBUI_ENDPOINT", e.to_string()))?;

    let return_text = given(&args.return_urls).ok_or_else(|| {
        bad(
            "FPS_RETURN_URLS",
            "not set: list the thank-you page URL(s), comma-separated",
        )
    })?;
    let mut return_urls = Vec::new();
    for url in return_text.split(',').map(str::trim).filter(|u| !u.is_empty()) {
        return_urls.push(Endpoint::parse(url).map_err(|e| bad("FPS_RETURN_URLS", e.to_string()))?);
    }
    let first = return_urls
        .first()
        .ok_or_else(|| bad("FPS_RETURN_URLS", "lists no URL"))?;
    let ipn_text = match given(&args.ipn_url) {
        Some(url) => url.to_owned(),
        None => format!("{}/fps/ipn", first.origin()),
    };
    let ipn_url = Endpoint::parse_without_query(&ipn_text).map_err(|e| bad("FPS_IPN_URL", e.to_string()))?;

    let mut cors_origins = Vec::new();
    let cors_text = given(&args.cors_origins).unwrap_or("");
    for origin in cors_text.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        let endpoint =
            Endpoint::parse_without_query(origin).map_err(|e| bad("FPS_CORS_ORIGINS", e.to_string()))?;
        if endpoint.path() != "/" || origin.ends_with('/') {
            return Err(bad(
                "FPS_CORS_ORIGINS",
                format!("{origin:?} must be an origin like https://shop.example (no path)"),
            ));
        }
        cors_origins.push(origin.to_owned());
    }

    let admin_token = load_secret(ADMIN_TOKEN_ENV, None, env)?
        .filter(|t| t.expose().len() >= MIN_ADMIN_TOKEN)
        .ok_or_else(|| {
            bad(
                ADMIN_TOKEN_ENV,
                format!("not set or shorter than {MIN_ADMIN_TOKEN} characters"),
            )
        })?;

    let max_in_flight = match given(&args.max_in_flight) {
        Some(text) => number_in(text, "FPS_MAX_IN_FLIGHT", 1..=65_536)?,
        None => DEFAULT_MAX_IN_FLIGHT,
    };
    let reconcile_interval = match given(&args.reconcile_interval_secs) {
        Some(text) => {
            let seconds = number_in(text, "FPS_RECONCILE_INTERVAL_SECS", 0..=86_400)?;
            (seconds > 0).then(|| Duration::from_secs(seconds))
        }
        None => Some(DEFAULT_RECONCILE_INTERVAL),
    };

    let descriptions = Descriptions::new(given(&args.sender_description), given(&args.caller_description))
        .map_err(|(which, why)| {
            let name = if which == "SenderDescription" {
                "FPS_SENDER_DESCRIPTION"
            } else {
                "FPS_CALLER_DESCRIPTION"
            };
            bad(name, why)
        })?;

    Ok(Config {
        descriptions,
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

#[cfg(test)]
mod tests {
    use super::super::settings::{args_from_env, FixedEnv};
    use super::*;
    use std::collections::HashMap;

    fn full() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("FPS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
            ("FPS_SECRET_KEY", "very-secret-key-material"),
            ("FPS_RETURN_URLS", "https://shop.example/thanks"),
            ("FPS_ADMIN_TOKEN", "admin-token-0123456789"),
        ])
    }

    fn load(vars: HashMap<&'static str, &'static str>) -> Result<Config, ConfigError> {
        let env = FixedEnv::new(vars);
        let args: ServeArgs = args_from_env(&env).expect("arguments");
        serve_config(&args, &env)
    }

    #[test]
    fn defaults_and_derived_values() {
        let config = load(full()).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.ipn_url.as_str(), "https://shop.example/fps/ipn");
        assert_eq!(config.database_url, "sqlite:fps-checkout.db");
        assert_eq!(config.catalog, PathBuf::from("www/catalog.json"));
        assert_eq!(config.max_in_flight, DEFAULT_MAX_IN_FLIGHT);
        assert_eq!(config.reconcile_interval, Some(DEFAULT_RECONCILE_INTERVAL));
        assert_eq!(config.fps_timeout, Duration::from_secs(10));
        let debug = format!("{config:?}");
        assert!(!debug.contains("very-secret"), "{debug}");
        assert!(!debug.contains("admin-token-0123"), "{debug}");
    }

    #[test]
    fn each_environment_variable_reaches_its_setting() {
        let mut vars = full();
        vars.extend([
            ("FPS_LISTEN", "127.0.0.1:9999"),
            ("DATABASE_URL", "postgres://db.example/shop"),
            ("FPS_CATALOG", "/srv/catalog.json"),
            ("FPS_IPN_URL", "https://ipn.example/fps/ipn"),
            ("FPS_CORS_ORIGINS", "https://a.example, https://b.example"),
            ("FPS_MAX_IN_FLIGHT", "7"),
            ("FPS_RECONCILE_INTERVAL_SECS", "0"),
            ("FPS_TIMEOUT_SECS", "3"),
            ("FPS_ENDPOINT", "http://127.0.0.1:8090/"),
            (
                "FPS_CBUI_ENDPOINT",
                "http://127.0.0.1:8090/cobranded-ui/actions/start",
            ),
            // Empty is unset.
            ("FPS_SECRET_KEY_FILE", ""),
        ]);
        let mut empty = full();
        empty.extend([("FPS_LISTEN", " "), ("FPS_MAX_IN_FLIGHT", "")]);
        let config = load(empty).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.max_in_flight, DEFAULT_MAX_IN_FLIGHT);
        let config = load(vars).unwrap();
        assert_eq!(config.listen.port(), 9999);
        assert_eq!(config.database_url, "postgres://db.example/shop");
        assert_eq!(config.catalog, PathBuf::from("/srv/catalog.json"));
        assert_eq!(config.ipn_url.as_str(), "https://ipn.example/fps/ipn");
        assert_eq!(config.cors_origins, ["https://a.example", "https://b.example"]);
        assert_eq!(config.max_in_flight, 7);
        assert_eq!(config.reconcile_interval, None);
        assert_eq!(config.fps_timeout, Duration::from_secs(3));
        assert_eq!(config.fps_endpoint.as_str(), "http://127.0.0.1:8090/");
        assert_eq!(config.secret.expose(), b"very-secret-key-material");
    }

    #[test]
    fn each_missing_or_bad_setting_is_named() {
        let cases: [(&str, &'static str, Option<&'static str>); 16] = [
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
            ("FPS_TIMEOUT_SECS", "FPS_TIMEOUT_SECS", Some("121")),
            ("FPS_MAX_IN_FLIGHT", "FPS_MAX_IN_FLIGHT", Some("0")),
            (
                "FPS_RECONCILE_INTERVAL_SECS",
                "FPS_RECONCILE_INTERVAL_SECS",
                Some("-1"),
            ),
            (
                "FPS_CORS_ORIGINS",
                "FPS_CORS_ORIGINS",
                Some("https://a.example/path"),
            ),
        ];
        for (setting, var, value) in cases {
            let mut vars = full();
            match value {
                Some(value) => {
                    vars.insert(var, value);
                }
                None => {
                    vars.remove(var);
                }
            }
            let error = load(vars).unwrap_err();
            assert_eq!(error.setting, setting, "{error}");
            let line = error.to_string();
            assert!(line.starts_with(setting) && !line.contains('\n'), "{line}");
            assert!(!line.contains("very-secret"), "{line}");
        }
    }
}
