//! Command-line flags and their environment variables, with documented defaults.

use std::net::SocketAddr;

use clap::Parser;

/// csms-emulator: a local emulator of Huawei Cloud's Cloud Secret Management Service.
///
/// Point an official Huawei SDK at it (for example `with_endpoint("http://127.0.0.1:8080")`
/// or `HUAWEICLOUD_SDK_REGION_CSMS_<REGION>=http://127.0.0.1:8080`). Log level is set by
/// `RUST_LOG` (default `info`; one line per request).
#[derive(Debug, Clone, Parser)]
#[command(name = "csms-emulator", version, about, long_about)]
pub struct Config {
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
}
