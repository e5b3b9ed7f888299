//! Request authentication (docs/behaviour.md §23): `SDK-HMAC-SHA256` signatures
//! verified against configured AK/SK pairs, `X-Auth-Token` against configured tokens, and
//! credentials bound to a project. Knows nothing of axum; the API layer feeds it requests.

pub mod signature;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use axum::http::HeaderMap;
use chrono::NaiveDateTime;

use crate::clock::{Clock, Millis};

use self::signature::{CanonicalInput, canonical_query, canonical_request, canonical_uri};

/// How far `X-Sdk-Date` may be from the emulator's clock: 15 minutes (API signing guide).
pub const MAX_SKEW_MS: Millis = 15 * 60 * 1000;
/// The `X-Sdk-Date` format.
const SDK_DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";

/// `off` serves every request (and warns about signatures that would fail); `enforce`
/// refuses requests without valid credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum AuthMode {
    #[default]
    Off,
    Enforce,
}

/// An AK/SK pair, optionally bound to one project. `Debug` never shows the SK.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    pub ak: String,
    pub sk: String,
    pub project: Option<String>,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("ak", &self.ak)
            .field("sk", &"<redacted>")
            .field("project", &self.project)
            .finish()
    }
}

impl Credential {
    /// `AK:SK[:PROJECT_ID]`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut parts = raw.splitn(3, ':');
        let ak = parts.next().unwrap_or_default();
        let sk = parts.next().unwrap_or_default();
        let project = parts.next().filter(|p| !p.is_empty()).map(str::to_owned);
        if ak.is_empty() || sk.is_empty() {
            return Err("a credential is AK:SK or AK:SK:PROJECT_ID".to_owned());
        }
        Ok(Self {
            ak: ak.to_owned(),
            sk: sk.to_owned(),
            project,
        })
    }
}

/// An accepted `X-Auth-Token`, optionally bound to one project. `Debug` hides the token.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenGrant {
    pub token: String,
    pub project: Option<String>,
}

impl fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenGrant")
            .field("token", &"<redacted>")
            .field("project", &self.project)
            .finish()
    }
}

impl TokenGrant {
    /// `TOKEN[:PROJECT_ID]`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let (token, project) = match raw.rsplit_once(':') {
            Some((t, p)) if !t.is_empty() => (t, Some(p.to_owned()).filter(|p| !p.is_empty())),
            _ => (raw, None),
        };
        if token.is_empty() {
            return Err("a token is TOKEN or TOKEN:PROJECT_ID".to_owned());
        }
        Ok(Self {
            token: token.to_owned(),
            project,
        })
    }
}

/// Why a request could not be authenticated; the text goes to the client and the log,
/// never a secret key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    #[error("no authentication: sign the request (SDK-HMAC-SHA256) or send X-Auth-Token")]
    Missing,
    #[error("the Authorization header is not a valid SDK-HMAC-SHA256 header")]
    MalformedAuthorization,
    #[error("Get secretKey failed, ak:{0}, err:ak not exist")]
    UnknownAk(String),
    #[error("X-Sdk-Date is missing or not in the form YYYYMMDDTHHMMSSZ")]
    BadDate,
    #[error("X-Sdk-Date {0} is more than 15 minutes away from the server time")]
    StaleDate(String),
    #[error("signed header {0} is not in the request")]
    MissingSignedHeader(String),
    #[error("verify aksk signature fail")]
    BadSignature,
    #[error("the X-Auth-Token is not valid")]
    UnknownToken,
    #[error("the signed X-Sdk-Content-Sha256 does not match the body")]
    BodyHashMismatch,
}

/// Who a request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The AK, `token`, or `control token`.
    pub principal: String,
    /// The one project the credential may use; `None` for any.
    pub project: Option<String>,
    /// The `--control-token`: valid on the emulator's control routes only.
    pub control_only: bool,
}

/// A request's head (everything but its body) as authentication sees it.
#[derive(Debug)]
pub struct RequestHead<'a> {
    pub method: &'a str,
    pub raw_path: &'a str,
    pub raw_query: &'a str,
    pub headers: &'a HeaderMap,
}

/// What the head alone decides: a token is settled at once; a signature covers the body,
/// so it is finished once the body has arrived ([`SignedRequest::verify`]).
#[derive(Debug)]
pub enum HeadCheck {
    Known(Identity),
    NeedsBody(SignedRequest),
}

/// The payload hash the canonical request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PayloadHash {
    /// The SHA-256 of the body as received.
    OfBody,
    /// A signed `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`: the client opted the body out
    /// of the signature, as the signing protocol allows.
    Unsigned,
    /// A signed `X-Sdk-Content-Sha256` hash: it is what was signed, and the body must
    /// match it.
    Declared(String),
}

/// A signed request whose head checked out (known AK, fresh date, every signed header
/// present), waiting for its body.
pub struct SignedRequest {
    credential: Credential,
    signature: String,
    sdk_date: String,
    method: String,
    raw_path: String,
    query: String,
    headers: Vec<(String, String)>,
    payload: PayloadHash,
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("ak", &self.credential.ak)
            .field("method", &self.method)
            .field("raw_path", &self.raw_path)
            .finish_non_exhaustive()
    }
}

impl SignedRequest {
    /// Verifies the signature over the head and `body`.
    pub fn verify(&self, body: &[u8]) -> Result<Identity, AuthFailure> {
        let body_hash = signature::sha256_hex(body);
        let payload_hash = match &self.payload {
            PayloadHash::OfBody => body_hash,
            PayloadHash::Unsigned => UNSIGNED_PAYLOAD.to_owned(),
            PayloadHash::Declared(declared) => {
                if !declared.eq_ignore_ascii_case(&body_hash) {
                    return Err(AuthFailure::BodyHashMismatch);
                }
                declared.clone()
            }
        };
        let headers: Vec<(&str, String)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.clone()))
            .collect();
        // Python and Go decode each path segment before encoding it; Java re-encodes what
        // it sent. Either canonical URI is accepted.
        for decode in [true, false] {
            let canonical = canonical_request(&CanonicalInput {
                method: &self.method,
                uri: canonical_uri(&self.raw_path, decode),
                query: self.query.clone(),
                headers: headers.clone(),
                payload_hash: payload_hash.clone(),
            });
            let to_sign = signature::string_to_sign(&self.sdk_date, &canonical);
            if signature::verify(&self.credential.sk, &to_sign, &self.signature) {
                return Ok(Identity {
                    principal: self.credential.ak.clone(),
                    project: self.credential.project.clone(),
                    control_only: false,
                });
            }
        }
        Err(AuthFailure::BadSignature)
    }
}

/// The declared payload hash that opts the body out of the signature.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The header a client declares its payload hash in.
const CONTENT_SHA256: &str = "x-sdk-content-sha256";

/// The configured credentials and mode.
pub struct Authenticator {
    pub mode: AuthMode,
    credentials: HashMap<String, Credential>,
    tokens: HashMap<String, TokenGrant>,
    control_token: Option<String>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("mode", &self.mode)
            .field("credentials", &self.credentials.len())
            .field("tokens", &self.tokens.len())
            .field("control_token", &self.control_token.is_some())
            .finish_non_exhaustive()
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

impl Authenticator {
    #[must_use]
    pub fn new(
        mode: AuthMode,
        credentials: Vec<Credential>,
        tokens: Vec<TokenGrant>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            mode,
            credentials: credentials.into_iter().map(|c| (c.ak.clone(), c)).collect(),
            tokens: tokens.into_iter().map(|t| (t.token.clone(), t)).collect(),
            control_token: None,
            clock,
        }
    }

    /// Also accepts `token` as `X-Auth-Token` on the control routes (and only there).
    #[must_use]
    pub fn with_control_token(mut self, token: Option<String>) -> Self {
        self.control_token = token.filter(|t| !t.is_empty());
        self
    }

    /// Whether requests need looking at: always in `enforce`, and in `off` only when
    /// there is something to check signatures against.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.mode == AuthMode::Enforce || !self.credentials.is_empty() || !self.tokens.is_empty()
    }

    /// Authenticates one whole request: its head, then its body.
    pub fn authenticate(
        &self,
        head: &RequestHead<'_>,
        body: &[u8],
    ) -> Result<Identity, AuthFailure> {
        match self.check_head(head)? {
            HeadCheck::Known(identity) => Ok(identity),
            HeadCheck::NeedsBody(signed) => signed.verify(body),
        }
    }

    /// Checks everything the head tells: a token completely; a signature as far as it can
    /// without the body. A request that fails here is refused before its body is read.
    pub fn check_head(&self, head: &RequestHead<'_>) -> Result<HeadCheck, AuthFailure> {
        if let Some(value) = header(head.headers, "authorization") {
            return self
                .check_signature_head(value, head)
                .map(HeadCheck::NeedsBody);
        }
        if let Some(token) = header(head.headers, "x-auth-token") {
            if self.control_token.as_deref() == Some(token) {
                return Ok(HeadCheck::Known(Identity {
                    principal: "control token".to_owned(),
                    project: None,
                    control_only: true,
                }));
            }
            return self
                .tokens
                .get(token)
                .map(|grant| {
                    HeadCheck::Known(Identity {
                        principal: "token".to_owned(),
                        project: grant.project.clone(),
                        control_only: false,
                    })
                })
                .ok_or(AuthFailure::UnknownToken);
        }
        Err(AuthFailure::Missing)
    }

    fn check_signature_head(
        &self,
        value: &str,
        head: &RequestHead<'_>,
    ) -> Result<SignedRequest, AuthFailure> {
        let auth =
            signature::parse_authorization(value).ok_or(AuthFailure::MalformedAuthorization)?;
        let credential = self
            .credentials
            .get(&auth.access)
            .ok_or_else(|| AuthFailure::UnknownAk(auth.access.clone()))?;
        let sdk_date = header(head.headers, "x-sdk-date").ok_or(AuthFailure::BadDate)?;
        let signed_at = NaiveDateTime::parse_from_str(sdk_date, SDK_DATE_FORMAT)
            .map_err(|_| AuthFailure::BadDate)?
            .and_utc()
            .timestamp_millis();
        if self
            .clock
            .now_ms()
            .saturating_sub(signed_at)
            .saturating_abs()
            > MAX_SKEW_MS
        {
            return Err(AuthFailure::StaleDate(sdk_date.to_owned()));
        }
        let mut headers = Vec::with_capacity(auth.signed_headers.len());
        for name in &auth.signed_headers {
            let value = header(head.headers, name)
                .ok_or_else(|| AuthFailure::MissingSignedHeader(name.clone()))?;
            headers.push((name.clone(), value.to_owned()));
        }
        // An unsigned declared hash is never trusted: anyone could have set it.
        let payload = match headers.iter().find(|(name, _)| name == CONTENT_SHA256) {
            Some((_, declared)) if declared.trim() == UNSIGNED_PAYLOAD => PayloadHash::Unsigned,
            Some((_, declared)) => PayloadHash::Declared(declared.trim().to_owned()),
            None => PayloadHash::OfBody,
        };
        Ok(SignedRequest {
            credential: credential.clone(),
            signature: auth.signature,
            sdk_date: sdk_date.to_owned(),
            method: head.method.to_owned(),
            raw_path: head.raw_path.to_owned(),
            query: canonical_query(head.raw_query),
            headers,
            payload,
        })
    }
}

#[cfg(test)]
mod tests;
