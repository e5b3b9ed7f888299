//! Verification tests: a request signed the way the SDKs sign it passes; changing any
//! signed byte fails; header order and case, and unsigned extra headers, do not matter.

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderName, HeaderValue};

use super::signature::{
    CanonicalInput, EMPTY_HASH, canonical_query, canonical_request, canonical_uri, sha256_hex,
    sign, string_to_sign,
};
use super::*;
use crate::clock::ManualClock;

/// 2025-01-01T00:00:00Z.
const VECTOR_TIME: Millis = 1_735_689_600_000;
const PID: &str = "0123456789abcdef0123456789abcdef";

struct Req {
    method: &'static str,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    fn vector_one() -> Self {
        Self {
            method: "POST",
            path: format!("/v1/{PID}/secrets"),
            query: String::new(),
            headers: vec![
                (
                    "Content-Type".into(),
                    "application/json;charset=utf-8".into(),
                ),
                ("Host".into(), "127.0.0.1:8080".into()),
                ("User-Agent".into(), "test-agent".into()),
                ("X-Project-Id".into(), PID.into()),
                ("X-Sdk-Date".into(), "20250101T000000Z".into()),
            ],
            body: br#"{"name": "demo", "secret_string": "hello"}"#.to_vec(),
        }
    }

    /// Signs with every present header, as the Python SDK does.
    fn signed(mut self, ak: &str, sk: &str) -> Self {
        let mut names: Vec<String> = self
            .headers
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        names.sort();
        let headers: Vec<(&str, String)> = names
            .iter()
            .map(|n| {
                let v = self
                    .headers
                    .iter()
                    .find(|(h, _)| h.eq_ignore_ascii_case(n))
                    .map(|(_, v)| v.clone())
                    .unwrap();
                (n.as_str(), v)
            })
            .collect();
        let date = headers
            .iter()
            .find(|(n, _)| *n == "x-sdk-date")
            .map(|(_, v)| v.clone())
            .unwrap();
        let canonical = canonical_request(&CanonicalInput {
            method: self.method,
            uri: canonical_uri(&self.path, true),
            query: canonical_query(&self.query),
            headers,
            // as the SDKs do: a declared hash is signed in place of the body's
            payload_hash: match self.header("x-sdk-content-sha256") {
                Some(declared) => declared,
                None if self.body.is_empty() => EMPTY_HASH.to_owned(),
                None => sha256_hex(&self.body),
            },
        });
        let signature = sign(sk, &string_to_sign(&date, &canonical));
        self.headers.push((
            "Authorization".into(),
            format!(
                "SDK-HMAC-SHA256 Access={ak}, SignedHeaders={}, Signature={signature}",
                names.join(";")
            ),
        ));
        self
    }

    fn header_map(&self) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (n, v) in &self.headers {
            map.append(
                HeaderName::from_bytes(n.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    fn check(&self, auth: &Authenticator) -> Result<Identity, AuthFailure> {
        let headers = self.header_map();
        let head = RequestHead {
            method: self.method,
            raw_path: &self.path,
            raw_query: &self.query,
            headers: &headers,
        };
        auth.authenticate(&head, &self.body)
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }

    fn set(&mut self, name: &str, value: &str) {
        for (n, v) in &mut self.headers {
            if n.eq_ignore_ascii_case(name) {
                *v = value.to_owned();
            }
        }
    }
}

fn authenticator() -> Authenticator {
    Authenticator::new(
        AuthMode::Enforce,
        vec![
            Credential::parse("AKEXAMPLE:SKEXAMPLE").unwrap(),
            Credential::parse(&format!("BOUND:SK2:{PID}")).unwrap(),
        ],
        vec![TokenGrant::parse("tok-1:p1").unwrap()],
        Arc::new(ManualClock::new(VECTOR_TIME + 60_000)),
    )
}

#[test]
fn the_spec_vector_verifies() {
    let req = Req::vector_one().signed("AKEXAMPLE", "SKEXAMPLE");
    let auth = req.headers.last().unwrap().1.clone();
    assert!(
        auth.ends_with(
            "Signature=0d7be64e0fc5e25c3b8471da66c0f01b795f7806f5fa55894e5e7fca1aa6057e"
        ),
        "{auth}"
    );
    let identity = req.check(&authenticator()).unwrap();
    assert_eq!(identity.principal, "AKEXAMPLE");
}

#[test]
fn a_signature_for_the_version_list_also_opens_the_latest_value() {
    // docs/behaviour.md §27: the canonical URI ends every path with `/`, so a signed
    // `GET …/versions` (metadata) verifies for `GET …/versions/` (the latest value) too.
    let mut list = Req::vector_one();
    list.method = "GET";
    list.body = Vec::new();
    list.path = format!("/v1/{PID}/secrets/db/versions");
    let list = list.signed("AKEXAMPLE", "SKEXAMPLE");
    assert!(list.check(&authenticator()).is_ok());
    let mut latest = list;
    latest.path.push('/');
    assert!(latest.check(&authenticator()).is_ok());
    latest.path.push_str("latest");
    assert!(
        latest.check(&authenticator()).is_err(),
        "another path is another signature"
    );
}

#[test]
fn vector_two_verifies_with_its_query() {
    let mut req = Req::vector_one();
    req.method = "GET";
    req.query = "limit=10&marker=abc".into();
    req.body.clear();
    req.set("Content-Type", "application/json");
    let req = req.signed("AKEXAMPLE", "SKEXAMPLE");
    assert!(
        req.headers.last().unwrap().1.ends_with(
            "Signature=654339089d4ed7b4a1369ee5b8eea8ea7c36be6eb6f19565d2b3c7fa7515909d"
        )
    );
    assert!(req.check(&authenticator()).is_ok());
}

#[test]
fn tampering_any_signed_byte_fails() {
    let auth = authenticator();
    let good = || {
        let mut r = Req::vector_one();
        r.query = "a=1".into();
        r.signed("AKEXAMPLE", "SKEXAMPLE")
    };
    assert!(good().check(&auth).is_ok());
    let mut method = good();
    method.method = "PUT";
    let mut path = good();
    path.path.push('x');
    let mut query = good();
    query.query = "a=2".into();
    let mut header = good();
    header.set("User-Agent", "other");
    let mut body = good();
    body.body[3] ^= 1;
    let mut date = good();
    date.set("X-Sdk-Date", "20250101T000001Z");
    for (what, req) in [
        ("method", method),
        ("path", path),
        ("query", query),
        ("header", header),
        ("body", body),
        ("date", date),
    ] {
        assert_eq!(req.check(&auth), Err(AuthFailure::BadSignature), "{what}");
    }
}

#[test]
fn header_order_and_case_and_unsigned_headers_do_not_matter() {
    let auth = authenticator();
    let mut req = Req::vector_one().signed("AKEXAMPLE", "SKEXAMPLE");
    req.headers.reverse();
    for (n, _) in &mut req.headers {
        *n = n.to_ascii_uppercase();
    }
    req.headers
        .push(("X-Unsigned-Extra".into(), "anything".into()));
    assert!(req.check(&auth).is_ok());
}

#[test]
fn a_subset_of_headers_may_be_signed_as_the_go_sdk_does() {
    let auth = authenticator();
    let mut req = Req::vector_one();
    req.headers
        .retain(|(n, _)| n != "Content-Type" && n != "Host");
    let mut req = req.signed("AKEXAMPLE", "SKEXAMPLE");
    req.headers
        .push(("Content-Type".into(), "application/json".into()));
    req.headers.push(("Host".into(), "elsewhere:1".into()));
    assert!(req.check(&auth).is_ok());
}

#[test]
fn each_failure_says_why() {
    let auth = authenticator();
    let wrong_sk = Req::vector_one().signed("AKEXAMPLE", "WRONG");
    assert_eq!(wrong_sk.check(&auth), Err(AuthFailure::BadSignature));
    let unknown_key = Req::vector_one().signed("NOBODY", "SKEXAMPLE");
    assert_eq!(
        unknown_key.check(&auth),
        Err(AuthFailure::UnknownAk("NOBODY".into()))
    );
    let mut stale = Req::vector_one();
    stale.set("X-Sdk-Date", "20241231T234000Z");
    assert!(matches!(
        stale.signed("AKEXAMPLE", "SKEXAMPLE").check(&auth),
        Err(AuthFailure::StaleDate(_))
    ));
    let mut bad_date = Req::vector_one();
    bad_date.set("X-Sdk-Date", "yesterday");
    assert_eq!(
        bad_date.signed("AKEXAMPLE", "SKEXAMPLE").check(&auth),
        Err(AuthFailure::BadDate)
    );
    let mut missing = Req::vector_one().signed("AKEXAMPLE", "SKEXAMPLE");
    missing.headers.retain(|(n, _)| n != "User-Agent");
    assert_eq!(
        missing.check(&auth),
        Err(AuthFailure::MissingSignedHeader("user-agent".into()))
    );
    let mut none = Req::vector_one();
    none.headers.clear();
    assert_eq!(none.check(&auth), Err(AuthFailure::Missing));
    let mut garbled = Req::vector_one();
    garbled
        .headers
        .push(("Authorization".into(), "SDK-HMAC-SHA256 nonsense".into()));
    assert_eq!(
        garbled.check(&auth),
        Err(AuthFailure::MalformedAuthorization)
    );
}

const OTHER_BODY: &[u8] = br#"{"name": "demo", "secret_string": "swapped"}"#;

#[test]
fn an_unsigned_declared_hash_is_never_trusted() {
    let auth = authenticator();
    let mut req = Req::vector_one().signed("AKEXAMPLE", "SKEXAMPLE");
    // the signature covers body1; body2 arrives with body1's hash in an unsigned header
    let body1_hash = sha256_hex(&req.body);
    req.headers
        .push(("X-Sdk-Content-Sha256".into(), body1_hash));
    assert!(
        req.check(&auth).is_ok(),
        "the unsigned header changes nothing"
    );
    req.body = OTHER_BODY.to_vec();
    assert_eq!(req.check(&auth), Err(AuthFailure::BadSignature));
}

#[test]
fn a_signed_declared_hash_must_match_the_body() {
    let auth = authenticator();
    let mut req = Req::vector_one();
    let hash = sha256_hex(&req.body);
    req.headers.push(("X-Sdk-Content-Sha256".into(), hash));
    let mut req = req.signed("AKEXAMPLE", "SKEXAMPLE");
    assert!(req.check(&auth).is_ok());
    req.body = OTHER_BODY.to_vec();
    assert_eq!(req.check(&auth), Err(AuthFailure::BodyHashMismatch));
}

#[test]
fn a_signed_unsigned_payload_opts_the_body_out() {
    let auth = authenticator();
    let mut req = Req::vector_one();
    req.headers
        .push(("X-Sdk-Content-Sha256".into(), UNSIGNED_PAYLOAD.into()));
    let mut req = req.signed("AKEXAMPLE", "SKEXAMPLE");
    assert!(req.check(&auth).is_ok());
    req.body = OTHER_BODY.to_vec();
    assert!(
        req.check(&auth).is_ok(),
        "the client chose not to sign the body"
    );
}

#[test]
fn tokens_and_bound_projects_are_reported() {
    let auth = authenticator().with_control_token(Some("ctl".into()));
    let mut req = Req::vector_one();
    req.headers = vec![("X-Auth-Token".into(), "ctl".into())];
    let control = req.check(&auth).unwrap();
    assert!(control.control_only && control.project.is_none());
    req.headers = vec![("X-Auth-Token".into(), "tok-1".into())];
    assert!(!req.check(&auth).unwrap().control_only);
    assert_eq!(req.check(&auth).unwrap().project.as_deref(), Some("p1"));
    req.headers = vec![("X-Auth-Token".into(), "nope".into())];
    assert_eq!(req.check(&auth), Err(AuthFailure::UnknownToken));
    let bound = Req::vector_one().signed("BOUND", "SK2");
    assert_eq!(bound.check(&auth).unwrap().project.as_deref(), Some(PID));
}

#[test]
fn credentials_parse_and_never_show_their_secret() {
    let c = Credential::parse("AK:S3CRET:pid").unwrap();
    assert_eq!(c.project.as_deref(), Some("pid"));
    assert!(!format!("{c:?}").contains("S3CRET"));
    assert!(Credential::parse("AKONLY").is_err());
    assert!(Credential::parse(":SK").is_err());
    let t = TokenGrant::parse("T0K3N").unwrap();
    assert_eq!(t.project, None);
    assert!(!format!("{t:?}").contains("T0K3N"));
}
