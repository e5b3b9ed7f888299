//! SMN message signatures (docs/behaviour.md §54): a 2048-bit RSA key drawn once per
//! process, a self-signed X.509 certificate for it (SHA256withRSA, so a verifier that
//! uses the certificate's own algorithm uses SHA256withRSA), and the signing of the
//! documented string: the signed keys sorted, each key on a line and its value on the
//! next.

use base64::Engine as _;
use rcgen::SigningKey as _;
use rsa::pkcs8::EncodePrivateKey as _;

/// The key and its certificate. Never printed: `Debug` shows neither.
pub struct Signer {
    key: rcgen::KeyPair,
    cert_pem: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").finish_non_exhaustive()
    }
}

impl Signer {
    /// Draws a key and certifies it. Takes a moment of CPU (the prime search): call it off
    /// the runtime's threads.
    pub fn generate() -> Result<Self, String> {
        let mut rng = rsa::rand_core::OsRng;
        let private = rsa::RsaPrivateKey::new(&mut rng, 2048)
            .map_err(|e| format!("cannot draw an RSA key: {e}"))?;
        let der = private
            .to_pkcs8_der()
            .map_err(|e| format!("cannot encode the RSA key: {e}"))?;
        let pkcs8 = rustls::pki_types::PrivatePkcs8KeyDer::from(der.as_bytes());
        let key = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&pkcs8, &rcgen::PKCS_RSA_SHA256)
            .map_err(|e| format!("cannot load the RSA key: {e}"))?;
        let mut params = rcgen::CertificateParams::new(vec!["csms-emulator-smn".to_owned()])
            .map_err(|e| format!("cannot describe the certificate: {e}"))?;
        params.distinguished_name.push(
            rcgen::DnType::CommonName,
            "csms-emulator SMN message signing",
        );
        let cert = params
            .self_signed(&key)
            .map_err(|e| format!("cannot sign the certificate: {e}"))?;
        Ok(Self {
            key,
            cert_pem: cert.pem(),
        })
    }

    /// The certificate, PEM.
    #[must_use]
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The base64 SHA256withRSA (PKCS #1 v1.5) signature of `fields`' string to sign.
    pub fn sign(&self, fields: &[(&str, &str)]) -> Result<String, String> {
        let signature = self
            .key
            .sign(string_to_sign(fields).as_bytes())
            .map_err(|e| format!("cannot sign: {e}"))?;
        Ok(base64::engine::general_purpose::STANDARD.encode(signature))
    }
}

/// The documented string to sign: the fields sorted by key, an empty `subject` left out,
/// each key on a line and its value on the next (`key\nvalue\n…`).
#[must_use]
pub fn string_to_sign(fields: &[(&str, &str)]) -> String {
    let mut sorted: Vec<&(&str, &str)> = fields
        .iter()
        .filter(|(key, value)| !(*key == "subject" && value.is_empty()))
        .collect();
    sorted.sort_by_key(|(key, _)| *key);
    let mut out = String::new();
    for (key, value) in sorted {
        out.push_str(key);
        out.push('\n');
        out.push_str(value);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_string_to_sign_is_the_documented_sorted_lines() {
        let text = string_to_sign(&[
            ("type", "Notification"),
            (
                "topic_urn",
                "urn:smn:regionId:74dc9e44d0cc4573adfce91cdfdd3ba9:xxxx",
            ),
            ("timestamp", "2016-08-15T07:29:16Z"),
            ("subject", "demo"),
            ("message_id", "88c726942175432bac921eafd0036163"),
            ("message", "My test message"),
        ]);
        assert_eq!(
            text,
            "message\nMy test message\nmessage_id\n88c726942175432bac921eafd0036163\n\
             subject\ndemo\ntimestamp\n2016-08-15T07:29:16Z\n\
             topic_urn\nurn:smn:regionId:74dc9e44d0cc4573adfce91cdfdd3ba9:xxxx\ntype\nNotification\n"
        );
        let without = string_to_sign(&[("subject", ""), ("message", "m")]);
        assert_eq!(without, "message\nm\n");
    }
}
