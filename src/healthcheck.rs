//! `csms-emulator healthcheck`: asks a running emulator's `/_emulator/ready` and reports
//! whether it answered 200, so a container needs no curl for its `HEALTHCHECK`.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// The readiness URL of an emulator listening on `listen`: a wildcard address is asked on
/// loopback, as a probe inside the same container or host does.
#[must_use]
pub fn default_url(listen: SocketAddr) -> String {
    let host = match listen {
        SocketAddr::V4(a) if a.ip().is_unspecified() => {
            SocketAddr::from((Ipv4Addr::LOCALHOST, a.port()))
        }
        SocketAddr::V6(a) if a.ip().is_unspecified() => {
            SocketAddr::from((Ipv6Addr::LOCALHOST, a.port()))
        }
        other => other,
    };
    format!("http://{host}/_emulator/ready")
}

/// Asks `url` (plain `http://`) and succeeds when it answers 200 within `timeout`.
pub async fn probe(url: &str, timeout: Duration) -> Result<(), String> {
    let answer = crate::http_client::get(url, timeout)
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    match answer.status {
        200 => Ok(()),
        status => Err(format!("{url}: answered {status}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_listen_address_is_probed_on_loopback() {
        assert_eq!(
            default_url("0.0.0.0:8080".parse().unwrap()),
            "http://127.0.0.1:8080/_emulator/ready"
        );
        assert_eq!(
            default_url("[::]:9000".parse().unwrap()),
            "http://[::1]:9000/_emulator/ready"
        );
        assert_eq!(
            default_url("10.1.2.3:81".parse().unwrap()),
            "http://10.1.2.3:81/_emulator/ready"
        );
    }

    #[tokio::test]
    async fn only_plain_http_urls_with_a_host_are_probed() {
        let refused = probe("https://127.0.0.1:1/", Duration::from_secs(1)).await;
        assert!(refused.unwrap_err().contains("only http://"));
        assert!(probe("not a url", Duration::from_secs(1)).await.is_err());
    }

    #[tokio::test]
    async fn nothing_listening_is_a_failure() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let failed = probe(&default_url(addr), Duration::from_secs(5)).await;
        assert!(failed.is_err());
    }
}
