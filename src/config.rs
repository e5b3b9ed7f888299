//! Command-line flags and their environment variables, with documented defaults.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::auth::{AuthMode, Credential, TokenGrant};
use crate::control::request_log::RequestLog;
use crate::service::BackupKey;
use crate::smn::subscriptions::{FunctionSpec, SubscriptionSpec};
use crate::tls::TlsSource;

/// What `--version` prints after the name: the version, the git commit, the target triple
/// and the build date (`build.rs` finds them).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("CSMS_BUILD_COMMIT"),
    ", ",
    env!("CSMS_BUILD_TARGET"),
    ", built ",
    env!("CSMS_BUILD_DATE"),
    ")"
);

/// The project `GET /v3/projects` answers with unless `--project-id` says otherwise.
pub const DEFAULT_PROJECT_ID: &str = "0123456789abcdef0123456789abcdef";

/// csms-emulator: a local emulator of Huawei Cloud's Cloud Secret Management Service.
///
/// Point an official Huawei SDK at it (for example `with_endpoint("http://127.0.0.1:8080")`
/// or `HUAWEICLOUD_SDK_REGION_CSMS_<REGION>=http://127.0.0.1:8080`). Log level is set by
/// `RUST_LOG` (default `info`; one line per request).
#[derive(Debug, Clone, Parser)]
#[command(name = "csms-emulator", version = VERSION, about, long_about)]
pub struct Config {
    /// What to do instead of serving.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Address to listen on.
    #[arg(long, env = "CSMS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Largest request body accepted, in bytes; larger bodies get 413 `APIGW.0201`.
    #[arg(long, env = "CSMS_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// How often, in milliseconds, work that falls due with time runs in the background
    /// (scheduled deletions, version expiry events, automatic rotation). It also runs
    /// whenever a project is written to.
    #[arg(long, env = "CSMS_SWEEP_INTERVAL_MS", default_value_t = 1000)]
    pub sweep_interval_ms: u64,

    /// Keep state in this directory (SQLite, values encrypted with the master key in
    /// `DIR/master.key` or `CSMS_MASTER_KEY`); without it state lives in memory only.
    #[arg(long, env = "CSMS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// The key backup blobs are sealed with: 32 bytes in hex or base64. Give the same key
    /// to every instance that must restore another's blobs. Without it, blobs are sealed
    /// with a key derived from the master key of `--data-dir`, or, in memory, with a key
    /// drawn at start that dies with the process.
    #[arg(long, env = "CSMS_BACKUP_KEY", hide_env_values = true, value_parser = BackupKey::parse)]
    pub backup_key: Option<BackupKey>,

    /// Load this fixture file, or every `*.json` in this directory, before serving.
    #[arg(long, env = "CSMS_SEED")]
    pub seed: Option<PathBuf>,

    /// How many of the latest requests `GET /_emulator/journal` keeps (0 turns it off).
    #[arg(long, env = "CSMS_JOURNAL_SIZE", default_value_t = 1000)]
    pub journal_size: usize,

    /// `off`: every request is served (a signature that would fail is logged at warn);
    /// `enforce`: requests need a valid SDK-HMAC-SHA256 signature or X-Auth-Token, else
    /// 401 `APIGW.0301`.
    #[arg(long, env = "CSMS_AUTH", value_enum, default_value_t = AuthMode::Off)]
    pub auth: AuthMode,

    /// An accepted AK/SK pair, `AK:SK` or `AK:SK:PROJECT_ID` (then only that project may
    /// be used). Repeatable; comma-separated in the environment variable.
    #[arg(long = "credential", env = "CSMS_CREDENTIALS", value_delimiter = ',', value_parser = Credential::parse)]
    pub credentials: Vec<Credential>,

    /// An accepted X-Auth-Token, `TOKEN` or `TOKEN:PROJECT_ID`. Repeatable;
    /// comma-separated in the environment variable.
    #[arg(long = "token", env = "CSMS_TOKENS", value_delimiter = ',', value_parser = TokenGrant::parse)]
    pub tokens: Vec<TokenGrant>,

    /// In `enforce` mode, an X-Auth-Token that opens the control API (`/_emulator/…`)
    /// and nothing else. Unbound `--credential`s and `--token`s open it too.
    #[arg(long, env = "CSMS_CONTROL_TOKEN", hide_env_values = true)]
    pub control_token: Option<String>,

    /// How long a connection may take to send a request's headers: a new connection from
    /// being accepted (so one that sends nothing is closed then), a kept-alive one from the
    /// first byte of its next request (`10s`, `500ms`, …).
    #[arg(long, env = "CSMS_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = parse_timeout)]
    pub header_read_timeout: Duration,

    /// How long a request's body may take to arrive once reading it has begun; later,
    /// 408 `APIGW.0201`.
    #[arg(long, env = "CSMS_BODY_READ_TIMEOUT", default_value = "30s", value_parser = parse_timeout)]
    pub body_read_timeout: Duration,

    /// How long a keep-alive connection may sit idle between requests before it is closed.
    #[arg(long, env = "CSMS_IDLE_TIMEOUT", default_value = "60s", value_parser = parse_timeout)]
    pub idle_timeout: Duration,

    /// The project id the IAM lookup `GET /v3/projects?name=<region>` answers with, for
    /// clients configured with a region and AK/SK but no project id.
    #[arg(long, env = "CSMS_PROJECT_ID", default_value = DEFAULT_PROJECT_ID)]
    pub project_id: String,

    /// Also serve HTTPS on `--tls-listen` with this PEM certificate (chain); needs
    /// `--tls-key`.
    #[arg(long, env = "CSMS_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The PEM private key of `--tls-cert`.
    #[arg(long, env = "CSMS_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Also serve HTTPS on `--tls-listen` with a certificate generated at start for
    /// localhost, 127.0.0.1, ::1 and every `--tls-host`; the certificate is written to
    /// `--tls-cert-out` so clients can trust it.
    #[arg(long, env = "CSMS_TLS_SELF_SIGNED", conflicts_with = "tls_cert")]
    pub tls_self_signed: bool,

    /// Where the self-signed certificate is written.
    #[arg(
        long,
        env = "CSMS_TLS_CERT_OUT",
        default_value = "csms-emulator-cert.pem"
    )]
    pub tls_cert_out: PathBuf,

    /// An extra host name or address for the self-signed certificate; repeatable.
    #[arg(long = "tls-host", env = "CSMS_TLS_HOSTS", value_delimiter = ',')]
    pub tls_hosts: Vec<String>,

    /// `all`: a log line for every request; `errors`: a line only for requests answered
    /// 400 or above, and a summary of all of them at most once a minute.
    #[arg(long, env = "CSMS_REQUEST_LOG", value_enum, default_value_t = RequestLog::All)]
    pub request_log: RequestLog,

    /// Stop gracefully when standard input reaches its end. Launchers (the Python and Node
    /// packages) keep a pipe to it open, so the emulator never outlives the process that
    /// started it, even one that was killed.
    #[arg(long, env = "CSMS_EXIT_ON_STDIN_CLOSE")]
    pub exit_on_stdin_close: bool,

    /// The HTTPS address, when TLS is on (plain HTTP stays on `--listen`).
    #[arg(long, env = "CSMS_TLS_LISTEN", default_value = "127.0.0.1:8443")]
    pub tls_listen: SocketAddr,

    /// An SMN subscription the emulator delivers to, `TOPIC_URN=URL` (plain `http://`):
    /// notifications of events whose `target_id` is the topic are POSTed there in SMN's
    /// format. Repeatable; comma-separated in the environment variable.
    #[arg(long = "smn-subscription", env = "CSMS_SMN_SUBSCRIPTIONS", value_delimiter = ',', value_parser = SubscriptionSpec::parse)]
    pub smn_subscriptions: Vec<SubscriptionSpec>,

    /// How many times one SMN message is tried on one subscription before its record
    /// says `FAIL` (waits of 200 ms, 400 ms, … between attempts).
    #[arg(long, env = "CSMS_SMN_ATTEMPTS", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub smn_attempts: u32,

    /// How long one SMN delivery attempt may take (`5s`, `500ms`, …).
    #[arg(long, env = "CSMS_SMN_TIMEOUT", default_value = "5s", value_parser = parse_timeout)]
    pub smn_timeout: Duration,

    /// A rotation function, `URN=URL` (plain `http://`): rotating an RDS-FG or GaussDB-FG
    /// secret whose `rotation_func_urn` is URN POSTs the rotation to URL, and its answer
    /// decides the task. Repeatable; comma-separated in the environment variable.
    #[arg(long = "function", env = "CSMS_FUNCTIONS", value_delimiter = ',', value_parser = FunctionSpec::parse)]
    pub functions: Vec<FunctionSpec>,

    /// How long a rotation function may take to answer before its task fails.
    #[arg(long, env = "CSMS_FUNCTION_TIMEOUT", default_value = "30s", value_parser = parse_timeout)]
    pub function_timeout: Duration,

    /// The URL the emulator is reached at, for `signing_cert_url` and `unsubscribe_url`
    /// in SMN messages; by default `http://` and the address `--listen` bound.
    #[arg(long, env = "CSMS_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Threads that serve requests; by default one per core. On a small machine shared
    /// with a busy client, fewer can serve more (see the README).
    #[arg(long, env = "CSMS_WORKERS", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub workers: Option<u16>,
}

/// The commands the binary runs instead of serving.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Ask a running emulator's `/_emulator/ready`; exit 0 when it answers 200 (its state
    /// loaded and writes taken), else 1. For container health checks, which then need no
    /// curl, and whose "healthy" then means ready to serve.
    Healthcheck {
        /// The URL to ask; by default the readiness route on `--listen` (a wildcard address
        /// is asked on loopback).
        #[arg(long)]
        url: Option<String>,
        /// How long to wait for the answer.
        #[arg(long, default_value = "3s", value_parser = parse_timeout)]
        timeout: Duration,
    },
}

/// A timeout such as `10s`, `500ms` or `2m`: more than zero, at most a day.
fn parse_timeout(raw: &str) -> Result<Duration, String> {
    match crate::clock::parse_duration(raw) {
        Some(ms) if (1..=86_400_000).contains(&ms) => Ok(Duration::from_millis(ms.unsigned_abs())),
        _ => Err("a duration from 1ms to 1d, such as 10s, 500ms or 2m".to_owned()),
    }
}

impl Config {
    /// Where the TLS certificate comes from, if HTTPS is on.
    #[must_use]
    pub fn tls_source(&self) -> Option<TlsSource> {
        match (&self.tls_cert, &self.tls_key, self.tls_self_signed) {
            (Some(cert), Some(key), _) => Some(TlsSource::Files {
                cert: cert.clone(),
                key: key.clone(),
            }),
            (_, _, true) => Some(TlsSource::SelfSigned {
                cert_out: self.tls_cert_out.clone(),
                hosts: self.tls_hosts.clone(),
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_listen_on_loopback_8080_with_a_one_mebibyte_body_limit() {
        let config = Config::try_parse_from(["csms-emulator"]).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.max_body_bytes, 1_048_576);
    }

    #[test]
    fn the_version_names_the_commit_the_target_and_the_build_date() {
        use clap::CommandFactory;
        let printed = Config::command().render_version();
        let pattern = regex::Regex::new(
            r"^csms-emulator \d+\.\d+\.\d+\S* \(commit ([0-9a-f]{7,40}|unknown), [a-z0-9_]+-[a-z0-9_]+(-[a-z0-9_]+)*, built \d{4}-\d{2}-\d{2}\)\n?$",
        )
        .unwrap();
        assert!(pattern.is_match(&printed), "{printed:?}");
        assert!(printed.contains(env!("CARGO_PKG_VERSION")));
        assert!(printed.contains(env!("CSMS_BUILD_TARGET")));
    }

    #[test]
    fn every_flag_has_an_environment_variable() {
        use clap::CommandFactory;
        let command = Config::command();
        let without: Vec<_> = command
            .get_arguments()
            .filter(|a| !a.is_positional() && a.get_env().is_none())
            .map(|a| a.get_id().to_string())
            .filter(|id| id != "help" && id != "version")
            .collect();
        assert!(
            without.is_empty(),
            "flags without an environment variable: {without:?}"
        );
    }

    #[test]
    fn the_healthcheck_command_parses_with_a_url_and_timeout() {
        let config = Config::try_parse_from([
            "csms-emulator",
            "healthcheck",
            "--url",
            "http://127.0.0.1:9/_emulator/health",
            "--timeout",
            "500ms",
        ])
        .unwrap();
        match config.command {
            Some(Command::Healthcheck { url, timeout }) => {
                assert_eq!(url.as_deref(), Some("http://127.0.0.1:9/_emulator/health"));
                assert_eq!(timeout, Duration::from_millis(500));
            }
            other => panic!("parsed {other:?}"),
        }
    }

    #[test]
    fn workers_are_left_to_the_runtime_unless_set_and_never_zero() {
        let config = Config::try_parse_from(["csms-emulator"]).unwrap();
        assert_eq!(config.workers, None);
        let config = Config::try_parse_from(["csms-emulator", "--workers", "1"]).unwrap();
        assert_eq!(config.workers, Some(1));
        assert!(Config::try_parse_from(["csms-emulator", "--workers", "0"]).is_err());
    }

    #[test]
    fn flags_override_defaults() {
        let config = Config::try_parse_from([
            "csms-emulator",
            "--listen",
            "0.0.0.0:9000",
            "--max-body-bytes",
            "10",
        ])
        .unwrap();
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.max_body_bytes, 10);
    }

    #[test]
    fn credentials_and_tokens_repeat_and_bind_projects() {
        let config = Config::try_parse_from([
            "csms-emulator",
            "--auth",
            "enforce",
            "--credential",
            "AK1:SK1",
            "--credential",
            "AK2:SK2:p2",
            "--token",
            "t:p",
        ])
        .unwrap();
        assert_eq!(config.auth, AuthMode::Enforce);
        assert_eq!(config.credentials.len(), 2);
        assert_eq!(config.credentials[1].project.as_deref(), Some("p2"));
        assert_eq!(config.tokens[0].project.as_deref(), Some("p"));
        assert!(Config::try_parse_from(["csms-emulator", "--credential", "nosk"]).is_err());
        assert!(Config::try_parse_from(["csms-emulator", "--auth", "maybe"]).is_err());
    }

    #[test]
    fn tls_needs_both_files_or_self_signed() {
        let none = Config::try_parse_from(["csms-emulator"]).unwrap();
        assert_eq!(none.tls_source(), None);
        assert!(Config::try_parse_from(["csms-emulator", "--tls-cert", "c.pem"]).is_err());
        let files =
            Config::try_parse_from(["csms-emulator", "--tls-cert", "c", "--tls-key", "k"]).unwrap();
        assert!(matches!(files.tls_source(), Some(TlsSource::Files { .. })));
        let generated = Config::try_parse_from(["csms-emulator", "--tls-self-signed"]).unwrap();
        assert!(matches!(
            generated.tls_source(),
            Some(TlsSource::SelfSigned { .. })
        ));
        assert!(
            Config::try_parse_from([
                "csms-emulator",
                "--tls-self-signed",
                "--tls-cert",
                "c",
                "--tls-key",
                "k"
            ])
            .is_err()
        );
    }
}
