//! Optional HTTPS (rustls with the ring provider): a certificate and key from files, or a
//! self-signed certificate generated at start and written where clients can trust it. The
//! Go SDK insists on https for its IAM lookup.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Where the certificate and key come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSource {
    Files {
        cert: PathBuf,
        key: PathBuf,
    },
    /// Generate one for `localhost`, `127.0.0.1`, `::1` and `hosts`, and write the
    /// certificate (not the key) to `cert_out`.
    SelfSigned {
        cert_out: PathBuf,
        hosts: Vec<String>,
    },
}

/// A failure to set up TLS, with what to fix.
#[derive(Debug, thiserror::Error)]
#[error("TLS setup failed: {0}")]
pub struct TlsError(String);

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e| TlsError(format!("cannot read {}: {e}", path.display())))
}

/// PEM certificate chain and key for `source`; a self-signed certificate is written out.
pub fn load_pem(source: &TlsSource) -> Result<(Vec<u8>, Vec<u8>), TlsError> {
    match source {
        TlsSource::Files { cert, key } => Ok((read(cert)?, read(key)?)),
        TlsSource::SelfSigned { cert_out, hosts } => {
            let mut names = vec![
                "localhost".to_owned(),
                "127.0.0.1".to_owned(),
                "::1".to_owned(),
            ];
            names.extend(hosts.iter().cloned());
            names.dedup();
            let generated = rcgen::generate_simple_self_signed(names)
                .map_err(|e| TlsError(format!("cannot generate a certificate: {e}")))?;
            let cert_pem = generated.cert.pem();
            std::fs::write(cert_out, &cert_pem).map_err(|e| {
                TlsError(format!(
                    "cannot write the certificate to {}: {e}",
                    cert_out.display()
                ))
            })?;
            Ok((
                cert_pem.into_bytes(),
                generated.signing_key.serialize_pem().into_bytes(),
            ))
        }
    }
}

/// A rustls server configuration from PEM, HTTP/1.1 only.
pub fn server_config(
    cert_pem: &[u8],
    key_pem: &[u8],
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let certs = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError(format!("the certificate is not valid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(TlsError("the certificate file holds no certificate".into()));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|e| TlsError(format!("the key is not valid PEM: {e}")))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| TlsError(format!("the certificate and key do not fit: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_self_signed_certificate_is_written_and_loads() {
        let dir = std::env::temp_dir().join(format!("csms-tls-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let cert_out = dir.join("cert.pem");
        let (cert, key) = load_pem(&TlsSource::SelfSigned {
            cert_out: cert_out.clone(),
            hosts: vec!["emulator".into()],
        })
        .unwrap();
        assert_eq!(std::fs::read(&cert_out).unwrap(), cert);
        assert!(
            String::from_utf8(cert.clone())
                .unwrap()
                .starts_with("-----BEGIN CERTIFICATE-----")
        );
        assert!(server_config(&cert, &key).is_ok());
        assert!(server_config(b"junk", &key).is_err());
        assert!(server_config(&cert, b"junk").is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn missing_files_name_the_path() {
        let err = load_pem(&TlsSource::Files {
            cert: "/nonexistent/cert.pem".into(),
            key: "/nonexistent/key.pem".into(),
        })
        .unwrap_err();
        assert!(err.to_string().contains("/nonexistent/cert.pem"));
    }
}
