//! Settings, in order of precedence: command-line flags > `HUIJI_*` environment variables
//! > an optional TOML file > defaults.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use huiji_core::case::CaseDeadlines;
use serde::{Deserialize, Serialize};

use crate::cli::{Cli, Command};

/// A database URL. It may hold a password, so `Debug` shows it with the password hidden.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Wraps a URL.
    pub fn new(url: impl Into<String>) -> Self {
        DatabaseUrl(url.into())
    }

    /// The full URL, for connecting. Never log this.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with any password replaced by `***`, safe for logs and output.
    pub fn redacted(&self) -> String {
        let Some((scheme, rest)) = self.0.split_once("://") else {
            return self.0.clone();
        };
        let Some((credentials, host)) = rest.rsplit_once('@') else {
            return self.0.clone();
        };
        match credentials.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
            None => self.0.clone(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DatabaseUrl").field(&self.redacted()).finish()
    }
}

/// A secret setting (a token): usable, never shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// The value, for use. Never log this.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Everything the binary can be configured with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The database; each command has its own default when unset.
    pub database_url: Option<DatabaseUrl>,
    /// Where `serve` and `demo` listen.
    pub listen: SocketAddr,
    /// A tracing filter, e.g. `info,sqlx=warn`.
    pub log: String,
    /// Text or JSON logs.
    pub log_format: LogFormat,
    /// The key file (secret; each command has its own default when unset).
    pub key_file: Option<PathBuf>,
    /// The public base URL that QR codes and card links point at (default: the listen
    /// address over http).
    pub public_url: Option<String>,
    /// An HTTP SMS gateway; unset, messages wait in the outbox (`huiji sms outbox`).
    pub sms_gateway_url: Option<String>,
    /// The gateway's bearer token.
    pub sms_gateway_token: Option<Secret>,
    /// An HTTP real-name check (运营商三要素); unset, a proven mobile is all
    /// `all_verified` asks (the demo uses an offline register instead).
    pub real_name_url: Option<String>,
    /// The real-name service's bearer token.
    pub real_name_token: Option<Secret>,
    /// Whether cookies are `Secure` and HSTS is sent (default: when the public URL is
    /// https). Set it when TLS ends at a proxy in front of a plain-http public URL.
    pub secure_cookies: Option<bool>,
    /// Behind a reverse proxy that appends the client to `X-Forwarded-For`: take the
    /// client address from there (rate limits, audit log). Never set it without one.
    pub trust_proxy: bool,
    /// Days personal data of rejected applications and withdrawn members is kept.
    pub retention_days: u32,
    /// Requests a second each platform API key may make (bursts of twice that).
    pub api_rate_per_second: u32,
    /// Working days until an officer must first respond to a legal-aid case.
    pub case_response_working_days: u32,
    /// Calendar days until a legal-aid case should be resolved.
    pub case_resolution_days: u32,
    /// A file in `crates/core/data/holidays.txt`'s format whose years replace the
    /// compiled-in ones: next year's State Council notice, the day it is published.
    pub holidays_file: Option<PathBuf>,
    // Outreach: campaigns.
    /// Campaign SMS signatures (without 【】) by federation id, e.g.
    /// `campaign_signatures = { "1" = "安徽省总工会" }`; a federation without one signs
    /// with its name.
    pub campaign_signatures: BTreeMap<String, String>,
    /// The opt-out note appended to campaign messages.
    pub campaign_opt_out_text: String,
    /// When campaign messages wait (China time), e.g. `21:00-08:00`.
    pub campaign_quiet_hours: String,
    /// Campaign messages one mobile may get per `campaign_cap_days`.
    pub campaign_cap_messages: u32,
    /// The cap's window in days.
    pub campaign_cap_days: u32,
    /// Campaign messages handed to the SMS provider per second.
    pub campaign_rate_per_second: u32,
    /// Days a campaign's invite links work.
    pub campaign_invite_days: u32,
    /// The bearer token the SMS provider presents on its callbacks (delivery receipts,
    /// replies); unset, the callbacks answer 401.
    pub sms_callback_token: Option<Secret>,
    // Two instances, one database: shared rate limits.
    /// A Redis server (`redis://host:6379/0`) holding the API and public-form rate limits'
    /// buckets, so every instance spends from the same ones; unset, each instance keeps
    /// its own. It may hold a password: kept as a secret.
    pub redis_url: Option<Secret>,
    /// The start of every key huiji keeps in that Redis: the instances of one deployment
    /// share it; deployments sharing one Redis each need their own.
    pub redis_prefix: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: None,
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            log: "info,sqlx=warn".to_owned(),
            log_format: LogFormat::Text,
            key_file: None,
            public_url: None,
            sms_gateway_url: None,
            sms_gateway_token: None,
            real_name_url: None,
            real_name_token: None,
            secure_cookies: None,
            trust_proxy: false,
            retention_days: huiji_app::privacy::DEFAULT_RETENTION_DAYS,
            api_rate_per_second: 50,
            case_response_working_days: CaseDeadlines::default().first_response_working_days,
            case_resolution_days: CaseDeadlines::default().resolution_days,
            holidays_file: None,
            campaign_signatures: BTreeMap::new(),
            campaign_opt_out_text: huiji_core::campaign::text::DEFAULT_OPT_OUT_TEXT.to_owned(),
            campaign_quiet_hours: huiji_core::campaign::QuietHours::DEFAULT.to_string(),
            campaign_cap_messages: huiji_core::campaign::FrequencyCap::DEFAULT.max_messages(),
            campaign_cap_days: huiji_core::campaign::FrequencyCap::DEFAULT.window_days(),
            campaign_rate_per_second: 20,
            campaign_invite_days: huiji_core::campaign::invite::DEFAULT_INVITE_DAYS,
            sms_callback_token: None,
            redis_url: None,
            redis_prefix: "huiji".to_owned(),
        }
    }
}

impl Settings {
    /// The deadlines new legal-aid cases get.
    pub fn case_deadlines(&self) -> CaseDeadlines {
        CaseDeadlines {
            first_response_working_days: self.case_response_working_days,
            resolution_days: self.case_resolution_days,
        }
    }
}

/// The flags that override everything else; absent flags are left out so they override
/// nothing.
#[derive(Serialize)]
struct FlagOverrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_file: Option<PathBuf>,
}

/// The configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `--config` names a file that does not exist.
    #[error("config file {0} does not exist")]
    MissingFile(PathBuf),
    /// A value has the wrong form.
    #[error("{0}")]
    Invalid(Box<figment::Error>),
}

impl Settings {
    /// Reads the settings for this command line.
    pub fn load(cli: &Cli) -> Result<Settings, ConfigError> {
        let explicit = cli.config.clone().or_else(|| std::env::var_os("HUIJI_CONFIG").map(PathBuf::from));
        let file = match explicit {
            Some(path) if !path.exists() => return Err(ConfigError::MissingFile(path)),
            Some(path) => path,
            None => PathBuf::from("huiji.toml"),
        };
        let listen = match &cli.command {
            Command::Serve(args) => args.listen,
            Command::Demo(args) => args.serve.listen,
            _ => None,
        };
        let flags =
            FlagOverrides { key_file: cli.key_file.clone(), database_url: cli.database_url.clone(), listen };
        Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("HUIJI_").ignore(&["config"]))
            .merge(Serialized::globals(flags))
            .extract()
            .map_err(|e| ConfigError::Invalid(Box::new(e)))
    }

    /// The public URL: configured, or http on the listen address.
    pub fn public_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.listen))
    }

    /// Whether the app is served over TLS: the explicit setting, else an https public URL.
    pub fn tls(&self) -> bool {
        self.secure_cookies.unwrap_or_else(|| self.public_url().starts_with("https://"))
    }

    /// The database URL, or `default` when none is configured.
    pub fn database_url_or(&self, default: &str) -> DatabaseUrl {
        self.database_url.clone().unwrap_or_else(|| DatabaseUrl::new(default))
    }
}

/// Installs the global tracing subscriber. An invalid filter falls back to `info` rather
/// than leaving the operator blind.
pub fn init_logging(settings: &Settings) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&settings.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match settings.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

#[cfg(test)]
mod tests {
    // figment::Jail fixes the closure's error type; it is test-only.
    #![allow(clippy::unwrap_used, clippy::result_large_err)]
    use super::*;

    #[test]
    fn debug_hides_the_password() {
        let url = DatabaseUrl::new("postgres://huiji:s3cret@db.internal:5432/huiji");
        let token = Some(Secret("t0ken".to_owned()));
        let settings = Settings {
            database_url: Some(url.clone()),
            sms_gateway_token: token,
            real_name_token: Some(Secret("r3alname".to_owned())),
            ..Settings::default()
        };
        let shown = format!("{settings:?}");
        assert!(!shown.contains("t0ken") && !shown.contains("r3alname"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("postgres://huiji:***@db.internal:5432/huiji"));
        assert_eq!(url.expose(), "postgres://huiji:s3cret@db.internal:5432/huiji");
        assert_eq!(DatabaseUrl::new("sqlite:data/x.db").redacted(), "sqlite:data/x.db");
        assert_eq!(DatabaseUrl::new("postgres://postgres@h/db").redacted(), "postgres://postgres@h/db");
    }

    #[test]
    fn flags_beat_environment_beats_file_beats_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "huiji.toml",
                "listen = \"127.0.0.1:9000\"\nlog = \"debug\"\ndatabase_url = \"sqlite:file.db\"",
            )?;
            let parse = |args: &[&str]| {
                let cli = <Cli as clap::Parser>::try_parse_from(args).unwrap();
                Settings::load(&cli).unwrap()
            };
            let from_file = parse(&["huiji", "serve"]);
            assert_eq!(from_file.listen, "127.0.0.1:9000".parse().unwrap());
            assert_eq!(from_file.log, "debug");
            assert_eq!(from_file.database_url, Some(DatabaseUrl::new("sqlite:file.db")));
            assert_eq!(from_file.log_format, LogFormat::Text);

            jail.set_env("HUIJI_DATABASE_URL", "sqlite:env.db");
            jail.set_env("HUIJI_LISTEN", "127.0.0.1:9001");
            let from_env = parse(&["huiji", "serve"]);
            assert_eq!(from_env.database_url, Some(DatabaseUrl::new("sqlite:env.db")));
            assert_eq!(from_env.listen, "127.0.0.1:9001".parse().unwrap());
            assert_eq!(from_env.log, "debug");

            let from_flags =
                parse(&["huiji", "serve", "--database-url", "sqlite:flag.db", "--listen", "127.0.0.1:9002"]);
            assert_eq!(from_flags.database_url, Some(DatabaseUrl::new("sqlite:flag.db")));
            assert_eq!(from_flags.listen, "127.0.0.1:9002".parse().unwrap());
            Ok(())
        });
    }

    #[test]
    fn redis_is_optional_from_the_file_or_the_environment() {
        figment::Jail::expect_with(|jail| {
            let cli = <Cli as clap::Parser>::try_parse_from(["huiji", "serve"]).unwrap();
            assert_eq!(Settings::load(&cli).unwrap().redis_url, None, "per-process limits unless configured");
            jail.create_file("huiji.toml", "redis_url = \"redis://file:6379/0\"")?;
            let from_file = Settings::load(&cli).unwrap().redis_url;
            assert_eq!(from_file.as_ref().map(Secret::expose), Some("redis://file:6379/0"));
            jail.set_env("HUIJI_REDIS_URL", "redis://:pw@env:6379/1");
            let settings = Settings::load(&cli).unwrap();
            assert_eq!(settings.redis_url.as_ref().map(Secret::expose), Some("redis://:pw@env:6379/1"));
            assert!(!format!("{settings:?}").contains("pw@"), "the URL may hold a password");
            Ok(())
        });
    }

    #[test]
    fn the_real_name_service_is_configured_like_the_sms_gateway() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("huiji.toml", "real_name_url = \"https://rn.internal/check\"")?;
            jail.set_env("HUIJI_REAL_NAME_TOKEN", "tok");
            let cli = <Cli as clap::Parser>::try_parse_from(["huiji", "serve"]).unwrap();
            let settings = Settings::load(&cli).unwrap();
            assert_eq!(settings.real_name_url.as_deref(), Some("https://rn.internal/check"));
            assert_eq!(settings.real_name_token.as_ref().map(Secret::expose), Some("tok"));
            assert_eq!(Settings::default().real_name_url, None, "no check unless configured");
            Ok(())
        });
    }

    #[test]
    fn case_deadlines_default_to_one_working_day_and_thirty_days() {
        figment::Jail::expect_with(|jail| {
            let cli = <Cli as clap::Parser>::try_parse_from(["huiji", "serve"]).unwrap();
            assert_eq!(Settings::load(&cli).unwrap().case_deadlines(), CaseDeadlines::default());
            jail.create_file("huiji.toml", "case_resolution_days = 20")?;
            jail.set_env("HUIJI_CASE_RESPONSE_WORKING_DAYS", "2");
            let deadlines = Settings::load(&cli).unwrap().case_deadlines();
            assert_eq!((deadlines.first_response_working_days, deadlines.resolution_days), (2, 20));
            Ok(())
        });
    }

    #[test]
    fn a_missing_explicit_config_file_is_an_error() {
        let cli = <Cli as clap::Parser>::try_parse_from([
            "huiji",
            "--config",
            "/nonexistent/huiji.toml",
            "migrate",
        ])
        .unwrap();
        assert!(matches!(Settings::load(&cli), Err(ConfigError::MissingFile(_))));
    }

    #[test]
    fn bad_values_are_reported() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("HUIJI_LISTEN", "not an address");
            let cli = <Cli as clap::Parser>::try_parse_from(["huiji", "serve"]).unwrap();
            assert!(matches!(Settings::load(&cli), Err(ConfigError::Invalid(_))));
            Ok(())
        });
    }
}
