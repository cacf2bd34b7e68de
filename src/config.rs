//! Settings from flags or the environment (service spec, "Configuration"), checked once at start
//! so that a bad value stops the start with one clear line instead of failing later.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

/// Where the database lives, parsed from `--database-url` / `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An SQLite file, created on first start.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://` or `postgresql://`).
    Postgres(String),
}

impl DatabaseUrl {
    /// The default: `kartskola.db` in the working directory.
    pub fn default_sqlite() -> Self {
        Self::Sqlite(PathBuf::from("kartskola.db"))
    }

    /// Accepts `postgres://…`, `postgresql://…`, `sqlite://path`, `sqlite:path` or a bare file path.
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(ConfigError::new("DATABASE_URL", raw, "is empty"));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_owned()));
        }
        if let Some(path) = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(ConfigError::new(
                    "DATABASE_URL",
                    raw,
                    "names no SQLite file",
                ));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if raw.contains("://") {
            return Err(ConfigError::new(
                "DATABASE_URL",
                raw,
                "is neither postgres://… nor an SQLite file path",
            ));
        }
        Ok(Self::Sqlite(PathBuf::from(raw)))
    }

    /// A form safe for logs: the PostgreSQL password is masked.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite:{}", path.display()),
            Self::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(scheme_end), Some(at)) if at > scheme_end => {
                    let userinfo = &url[scheme_end + 3..at];
                    let user = userinfo.split(':').next().unwrap_or_default();
                    format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
                }
                _ => url.clone(),
            },
        }
    }
}

/// Options every command shares.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Database: a PostgreSQL URL, or an SQLite file [default: kartskola.db]
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Folder holding courses/, exercises/ and static/layers/ [default: the working directory]
    #[arg(long, env = "KARTSKOLA_CONTENT", global = true)]
    pub content_dir: Option<PathBuf>,
}

impl CommonArgs {
    pub fn database(&self) -> Result<DatabaseUrl, ConfigError> {
        self.database_url
            .as_deref()
            .map_or_else(|| Ok(DatabaseUrl::default_sqlite()), DatabaseUrl::parse)
    }

    pub fn content_root(&self) -> PathBuf {
        self.content_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("."))
    }
}

/// Options of `kartskola serve`, as typed by the operator (checked by [`ServeArgs::resolve`]).
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "KARTSKOLA_BIND", global = true)]
    pub bind: Option<String>,

    /// The URL people use to reach the server [default: http:// + bind address]
    #[arg(long, env = "KARTSKOLA_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Comma-separated proxy addresses whose X-Forwarded-For is believed [default: none]
    #[arg(long, env = "KARTSKOLA_TRUSTED_PROXIES", global = true)]
    pub trusted_proxies: Option<String>,

    /// Idle time after which a session ends, e.g. 30m [default: 30m]
    #[arg(long, env = "KARTSKOLA_SESSION_IDLE", global = true)]
    pub session_idle: Option<String>,

    /// Absolute session lifetime, e.g. 10h [default: 10h]
    #[arg(long, env = "KARTSKOLA_SESSION_MAX", global = true)]
    pub session_max: Option<String>,

    /// An online tile basemap URL template; off by default (offline basemap only)
    #[arg(long, env = "KARTSKOLA_TILE_URL", global = true)]
    pub tile_url: Option<String>,

    /// How long a graceful shutdown waits for requests in flight, e.g. 30s [default: 30s]
    #[arg(long, env = "KARTSKOLA_DRAIN", global = true)]
    pub drain: Option<String>,

    /// Failed logins one client address may make per 15 minutes [default: 100]
    #[arg(long, env = "KARTSKOLA_LOGIN_ADDR_LIMIT", global = true)]
    pub login_addr_limit: Option<String>,
}

/// Failed logins per client address per 15 minutes: high, because a meeting room of 40 people
/// sits behind one address.
pub const DEFAULT_LOGIN_ADDR_LIMIT: u32 = 100;

/// The checked settings the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub database: DatabaseUrl,
    pub content_root: PathBuf,
    /// Without a trailing slash, e.g. `http://127.0.0.1:8080`.
    pub public_url: String,
    pub trusted_proxies: Vec<IpAddr>,
    pub session_idle: Duration,
    pub session_max: Duration,
    pub tile_url: Option<String>,
    pub drain: Duration,
    /// Failed logins one client address may make per 15 minutes (a meeting room shares one).
    pub login_addr_limit: u32,
}

impl Config {
    /// Settings for tests and tools: everything at its default but the database and content.
    pub fn for_tests(database: DatabaseUrl, content_root: PathBuf) -> Self {
        let bind = SocketAddr::from(([127, 0, 0, 1], 0));
        Self {
            bind,
            database,
            content_root,
            public_url: "http://127.0.0.1:8080".to_owned(),
            trusted_proxies: Vec::new(),
            session_idle: Duration::from_secs(30 * 60),
            session_max: Duration::from_secs(10 * 3600),
            tile_url: None,
            drain: Duration::from_secs(30),
            login_addr_limit: DEFAULT_LOGIN_ADDR_LIMIT,
        }
    }

    /// Whether the public URL is https (Secure and `__Host-` cookies).
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

impl ServeArgs {
    pub fn resolve(&self, common: &CommonArgs) -> Result<Config, ConfigError> {
        let bind = match &self.bind {
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
            Some(raw) => raw.trim().parse().map_err(|_| {
                ConfigError::new(
                    "KARTSKOLA_BIND",
                    raw,
                    "is not an address such as 127.0.0.1:8080",
                )
            })?,
        };
        let public_url = match &self.public_url {
            None => format!("http://{bind}"),
            Some(raw) => parse_public_url(raw)?,
        };
        let trusted_proxies = match &self.trusted_proxies {
            None => Vec::new(),
            Some(raw) => raw
                .split(',')
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .map(|part| {
                    part.parse::<IpAddr>().map_err(|_| {
                        ConfigError::new(
                            "KARTSKOLA_TRUSTED_PROXIES",
                            raw,
                            &format!("holds '{part}', which is not an IP address"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let session_idle = duration_or(
            "KARTSKOLA_SESSION_IDLE",
            self.session_idle.as_deref(),
            30 * 60,
        )?;
        let session_max = duration_or(
            "KARTSKOLA_SESSION_MAX",
            self.session_max.as_deref(),
            10 * 3600,
        )?;
        if session_idle > session_max {
            return Err(ConfigError::new(
                "KARTSKOLA_SESSION_IDLE",
                self.session_idle.as_deref().unwrap_or("30m"),
                "is longer than KARTSKOLA_SESSION_MAX",
            ));
        }
        let tile_url = match &self.tile_url {
            None => None,
            Some(raw) if raw.trim().is_empty() => None,
            Some(raw) => {
                if !raw.starts_with("https://") || !raw.contains("{z}") {
                    return Err(ConfigError::new(
                        "KARTSKOLA_TILE_URL",
                        raw,
                        "must be an https:// URL template with {z}, {x} and {y}",
                    ));
                }
                Some(raw.clone())
            }
        };
        let login_addr_limit = match &self.login_addr_limit {
            None => DEFAULT_LOGIN_ADDR_LIMIT,
            Some(raw) => raw
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n >= 10)
                .ok_or_else(|| {
                    ConfigError::new(
                        "KARTSKOLA_LOGIN_ADDR_LIMIT",
                        raw,
                        "is not a whole number of at least 10",
                    )
                })?,
        };
        Ok(Config {
            bind,
            database: common.database()?,
            content_root: common.content_root(),
            public_url,
            trusted_proxies,
            session_idle,
            session_max,
            tile_url,
            drain: duration_or("KARTSKOLA_DRAIN", self.drain.as_deref(), 30)?,
            login_addr_limit,
        })
    }
}

fn parse_public_url(raw: &str) -> Result<String, ConfigError> {
    let trimmed = raw.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| {
            ConfigError::new(
                "KARTSKOLA_PUBLIC_URL",
                raw,
                "must start with http:// or https://",
            )
        })?;
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(ConfigError::new(
            "KARTSKOLA_PUBLIC_URL",
            raw,
            "must be a plain origin or path such as https://kartskola.example.se",
        ));
    }
    Ok(trimmed.to_owned())
}

fn duration_or(name: &str, raw: Option<&str>, default_secs: u64) -> Result<Duration, ConfigError> {
    raw.map_or(Ok(Duration::from_secs(default_secs)), |raw| {
        parse_duration(raw)
            .ok_or_else(|| ConfigError::new(name, raw, "is not a duration such as 90s, 30m or 10h"))
    })
}

/// `90`, `90s`, `30m`, `10h`: a positive whole number with an optional unit.
pub fn parse_duration(raw: &str) -> Option<Duration> {
    let raw = raw.trim();
    let (digits, unit) = raw.split_at(raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len()));
    let n: u64 = digits.parse().ok()?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        _ => return None,
    };
    (secs > 0).then(|| Duration::from_secs(secs))
}

/// A setting that cannot be used; its `Display` is the one line the operator sees.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {name}={value:?} {problem}")]
pub struct ConfigError {
    name: String,
    value: String,
    problem: String,
}

impl ConfigError {
    fn new(name: &str, value: &str, problem: &str) -> Self {
        Self {
            name: name.to_owned(),
            value: value.to_owned(),
            problem: problem.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_select_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("x.db").ok(),
            Some(DatabaseUrl::Sqlite("x.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/k.db?mode=rwc").ok(),
            Some(DatabaseUrl::Sqlite("data/k.db".into()))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://a@b/c"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(DatabaseUrl::parse("mysql://a/b").is_err());
        assert!(DatabaseUrl::parse("").is_err());
    }

    #[test]
    fn redacted_urls_hide_the_password() {
        let url = DatabaseUrl::Postgres("postgres://kart:secret@db:5432/k".into());
        assert_eq!(url.redacted(), "postgres://kart:***@db:5432/k");
    }

    #[test]
    fn durations_take_units() {
        assert_eq!(parse_duration("90"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_duration("10h"), Some(Duration::from_secs(36000)));
        assert_eq!(parse_duration("0"), None);
        assert_eq!(parse_duration("ten"), None);
        assert_eq!(parse_duration("5d"), None);
    }

    #[test]
    fn a_bad_setting_is_one_line_naming_it() {
        let args = ServeArgs {
            bind: Some("localhost".into()),
            ..ServeArgs::default()
        };
        let common = CommonArgs {
            database_url: None,
            content_dir: None,
        };
        let err = args
            .resolve(&common)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("KARTSKOLA_BIND=\"localhost\""), "{err}");
        assert!(!err.contains('\n'));
    }

    #[test]
    fn defaults_follow_the_service_spec() {
        let common = CommonArgs {
            database_url: None,
            content_dir: None,
        };
        let config = ServeArgs::default().resolve(&common).ok();
        let config = config.as_ref();
        assert_eq!(
            config.map(|c| c.bind.to_string()),
            Some("127.0.0.1:8080".to_owned())
        );
        assert_eq!(
            config.map(|c| c.public_url.as_str()),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            config.map(|c| c.session_idle),
            Some(Duration::from_secs(1800))
        );
        assert_eq!(config.map(|c| c.drain), Some(Duration::from_secs(30)));
        assert_eq!(
            config.map(|c| c.database.clone()),
            Some(DatabaseUrl::default_sqlite())
        );
    }
}
