//! `SDK-HMAC-SHA256` request signatures: the canonical request is rebuilt
//! from the headers the client lists in `SignedHeaders`, never from a fixed list, because
//! every client (Python, Go, Java SDKs, terraform's golangsdk) signs a different set.

use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

/// The algorithm name in `Authorization` and the string to sign.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// The hash of an empty payload.
pub const EMPTY_HASH: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Everything but `A-Z a-z 0-9 - _. ~` is percent-encoded (Python's `quote(s, safe='~')`).
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The parts of an `Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`
/// header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub access: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// Parses an `Authorization` header value; `None` when it is not an SDK-HMAC-SHA256 one.
#[must_use]
pub fn parse_authorization(value: &str) -> Option<Authorization> {
    let rest = value.trim().strip_prefix(ALGORITHM)?.trim_start();
    let (mut access, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (key, val) = part.trim().split_once('=')?;
        match key.trim() {
            "Access" => access = Some(val.trim().to_owned()),
            "SignedHeaders" => {
                signed = Some(
                    val.trim()
                        .split(';')
                        .filter(|h| !h.is_empty())
                        .map(str::to_ascii_lowercase)
                        .collect(),
                );
            }
            "Signature" => signature = Some(val.trim().to_owned()),
            _ => {}
        }
    }
    Some(Authorization {
        access: access?,
        signed_headers: signed?,
        signature: signature?,
    })
}

fn encode(s: &str) -> String {
    utf8_percent_encode(s, ENCODE).to_string()
}

/// The canonical URI: each segment decoded then encoded again (`decode = true`, as Python
/// and Go do), or encoded as received (`decode = false`, as the Java SDK does); always
/// ending in `/`.
#[must_use]
pub fn canonical_uri(raw_path: &str, decode: bool) -> String {
    let joined = if decode {
        let decoded = percent_decode_str(raw_path).decode_utf8_lossy();
        decoded.split('/').map(encode).collect::<Vec<_>>().join("/")
    } else {
        raw_path
            .split('/')
            .map(encode)
            .collect::<Vec<_>>()
            .join("/")
    };
    if joined.ends_with('/') {
        joined
    } else {
        format!("{joined}/")
    }
}

/// The canonical query: pairs decoded, sorted by key then value, encoded, `k=v` joined
/// with `&` (an empty value still gives `k=`).
#[must_use]
pub fn canonical_query(raw_query: &str) -> String {
    let mut pairs: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                percent_decode_str(k).decode_utf8_lossy().into_owned(),
                percent_decode_str(v).decode_utf8_lossy().into_owned(),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Lowercase hex SHA-256.
#[must_use]
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The inputs of a canonical request.
#[derive(Debug)]
pub struct CanonicalInput<'a> {
    pub method: &'a str,
    pub uri: String,
    pub query: String,
    /// `(name, value)` for each signed header, in `SignedHeaders` order.
    pub headers: Vec<(&'a str, String)>,
    pub payload_hash: String,
}

/// `METHOD\nURI\nQUERY\nheaders (each line ending in \n)\nSIGNEDHEADERS\nPAYLOADHASH`.
#[must_use]
pub fn canonical_request(input: &CanonicalInput<'_>) -> String {
    let mut headers = String::new();
    for (name, value) in &input.headers {
        headers.push_str(name);
        headers.push(':');
        headers.push_str(value.trim());
        headers.push('\n');
    }
    let names: Vec<&str> = input.headers.iter().map(|(n, _)| *n).collect();
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        input.method.to_ascii_uppercase(),
        input.uri,
        input.query,
        headers,
        names.join(";"),
        input.payload_hash
    )
}

/// `SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex sha256(canonical request)>`.
#[must_use]
pub fn string_to_sign(sdk_date: &str, canonical: &str) -> String {
    format!(
        "{ALGORITHM}\n{sdk_date}\n{}",
        sha256_hex(canonical.as_bytes())
    )
}

fn mac(sk: &str) -> Option<Hmac<Sha256>> {
    Hmac::<Sha256>::new_from_slice(sk.as_bytes()).ok()
}

/// The hex signature of a string to sign.
#[must_use]
pub fn sign(sk: &str, string_to_sign: &str) -> String {
    mac(sk).map_or_else(String::new, |mut m| {
        m.update(string_to_sign.as_bytes());
        hex::encode(m.finalize().into_bytes())
    })
}

/// Whether `signature_hex` signs `string_to_sign` under `sk`, compared in constant time.
#[must_use]
pub fn verify(sk: &str, string_to_sign: &str, signature_hex: &str) -> bool {
    let Ok(given) = hex::decode(signature_hex) else {
        return false;
    };
    mac(sk).is_some_and(|mut m| {
        m.update(string_to_sign.as_bytes());
        m.verify_slice(&given).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PID: &str = "0123456789abcdef0123456789abcdef";

    fn vector_headers(content_type: &str) -> Vec<(&'static str, String)> {
        vec![
            ("content-type", content_type.to_owned()),
            ("host", "127.0.0.1:8080".to_owned()),
            ("user-agent", "test-agent".to_owned()),
            ("x-project-id", PID.to_owned()),
            ("x-sdk-date", "20250101T000000Z".to_owned()),
        ]
    }

    #[test]
    fn vector_one_post_with_a_body() {
        let body = br#"{"name": "demo", "secret_string": "hello"}"#;
        assert_eq!(
            sha256_hex(body),
            "7342df36e6bd0c699674072e98d24c4eb38a1207cf19d43e86fe5ca7a331939f"
        );
        let canonical = canonical_request(&CanonicalInput {
            method: "POST",
            uri: canonical_uri(&format!("/v1/{PID}/secrets"), true),
            query: canonical_query(""),
            headers: vector_headers("application/json;charset=utf-8"),
            payload_hash: sha256_hex(body),
        });
        let expected = format!(
            "POST\n/v1/{PID}/secrets/\n\ncontent-type:application/json;charset=utf-8\nhost:127.0.0.1:8080\nuser-agent:test-agent\nx-project-id:{PID}\nx-sdk-date:20250101T000000Z\n\ncontent-type;host;user-agent;x-project-id;x-sdk-date\n7342df36e6bd0c699674072e98d24c4eb38a1207cf19d43e86fe5ca7a331939f"
        );
        assert_eq!(canonical, expected);
        let to_sign = string_to_sign("20250101T000000Z", &canonical);
        assert!(
            to_sign.ends_with("558954b0a1840d90baad100345483491082f84b7654e7c12c4d87f03e8715a8e")
        );
        let signature = sign("SKEXAMPLE", &to_sign);
        assert_eq!(
            signature,
            "0d7be64e0fc5e25c3b8471da66c0f01b795f7806f5fa55894e5e7fca1aa6057e"
        );
        assert!(verify("SKEXAMPLE", &to_sign, &signature));
        assert!(!verify("SKWRONG", &to_sign, &signature));
    }

    #[test]
    fn vector_two_get_with_a_query() {
        let canonical = canonical_request(&CanonicalInput {
            method: "GET",
            uri: canonical_uri(&format!("/v1/{PID}/secrets"), true),
            query: canonical_query("marker=abc&limit=10"),
            headers: vector_headers("application/json"),
            payload_hash: EMPTY_HASH.to_owned(),
        });
        let to_sign = string_to_sign("20250101T000000Z", &canonical);
        assert!(
            to_sign.ends_with("4bd49227ba99417ee024e101812a1f911c6b53a887de2515e2a156b7bf6cb6b6")
        );
        assert_eq!(
            sign("SKEXAMPLE", &to_sign),
            "654339089d4ed7b4a1369ee5b8eea8ea7c36be6eb6f19565d2b3c7fa7515909d"
        );
    }

    #[test]
    fn canonical_uris_decode_then_encode_each_segment() {
        assert_eq!(canonical_uri("/v1/p/secrets", true), "/v1/p/secrets/");
        assert_eq!(canonical_uri("/v1/p/secrets/", true), "/v1/p/secrets/");
        assert_eq!(canonical_uri("/a%20b/k%3Dv", true), "/a%20b/k%3Dv/");
        // a %2F is decoded into a real separator, as the SDKs do
        assert_eq!(canonical_uri("/x/k%3Dv%2F%C3%BC", true), "/x/k%3Dv/%C3%BC/");
        // the Java SDK's variant re-encodes what it received
        assert_eq!(canonical_uri("/a%20b", false), "/a%2520b/");
    }

    #[test]
    fn canonical_queries_sort_and_keep_empty_values() {
        assert_eq!(canonical_query("b=2&a=1&a=0"), "a=0&a=1&b=2");
        assert_eq!(canonical_query("flag&x="), "flag=&x=");
        assert_eq!(
            canonical_query("marker=a%2Fb&name=x%20y"),
            "marker=a%2Fb&name=x%20y"
        );
        assert_eq!(canonical_query(""), "");
    }

    #[test]
    fn authorization_headers_parse_with_any_spacing() {
        let parsed = parse_authorization(
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=Host;X-Sdk-Date, Signature=ab12",
        )
        .unwrap();
        assert_eq!(parsed.access, "AK");
        assert_eq!(parsed.signed_headers, ["host", "x-sdk-date"]);
        assert_eq!(parsed.signature, "ab12");
        assert!(parse_authorization("Bearer x").is_none());
        assert!(parse_authorization("SDK-HMAC-SHA256 Access=AK, Signature=x").is_none());
    }
}
