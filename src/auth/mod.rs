//! Request authentication (decision D23, csms-spec §5): `SDK-HMAC-SHA256` signatures
//! verified against configured AK/SK pairs, `X-Auth-Token` against configured tokens, and
//! credentials bound to a project. Knows nothing of axum; the API layer feeds it requests.

pub mod signature;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use axum::http::HeaderMap;
use chrono::NaiveDateTime;

use crate::clock::{Clock, Millis};

use self::signature::{
    CanonicalInput, EMPTY_HASH, canonical_query, canonical_request, canonical_uri,
};

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
}

/// Who a request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The AK, or `token`.
    pub principal: String,
    pub project: Option<String>,
}

/// A request as authentication sees it.
#[derive(Debug)]
pub struct RequestParts<'a> {
    pub method: &'a str,
    pub raw_path: &'a str,
    pub raw_query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// The configured credentials and mode.
pub struct Authenticator {
    pub mode: AuthMode,
    credentials: HashMap<String, Credential>,
    tokens: HashMap<String, TokenGrant>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("mode", &self.mode)
            .field("credentials", &self.credentials.len())
            .field("tokens", &self.tokens.len())
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
            clock,
        }
    }

    /// Whether requests need looking at: always in `enforce`, and in `off` only when
    /// there is something to check signatures against.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.mode == AuthMode::Enforce || !self.credentials.is_empty() || !self.tokens.is_empty()
    }

    /// Authenticates one request.
    pub fn authenticate(&self, request: &RequestParts<'_>) -> Result<Identity, AuthFailure> {
        if let Some(value) = header(request.headers, "authorization") {
            return self.verify_signature(value, request);
        }
        if let Some(token) = header(request.headers, "x-auth-token") {
            return self
                .tokens
                .get(token)
                .map(|grant| Identity {
                    principal: "token".to_owned(),
                    project: grant.project.clone(),
                })
                .ok_or(AuthFailure::UnknownToken);
        }
        Err(AuthFailure::Missing)
    }

    fn verify_signature(
        &self,
        value: &str,
        request: &RequestParts<'_>,
    ) -> Result<Identity, AuthFailure> {
        let auth =
            signature::parse_authorization(value).ok_or(AuthFailure::MalformedAuthorization)?;
        let credential = self
            .credentials
            .get(&auth.access)
            .ok_or_else(|| AuthFailure::UnknownAk(auth.access.clone()))?;
        let sdk_date = header(request.headers, "x-sdk-date").ok_or(AuthFailure::BadDate)?;
        let signed_at = NaiveDateTime::parse_from_str(sdk_date, SDK_DATE_FORMAT)
            .map_err(|_| AuthFailure::BadDate)?
            .and_utc()
            .timestamp_millis();
        if (self.clock.now_ms() - signed_at).abs() > MAX_SKEW_MS {
            return Err(AuthFailure::StaleDate(sdk_date.to_owned()));
        }
        let mut headers = Vec::with_capacity(auth.signed_headers.len());
        for name in &auth.signed_headers {
            let value = header(request.headers, name)
                .ok_or_else(|| AuthFailure::MissingSignedHeader(name.clone()))?;
            headers.push((name.as_str(), value.to_owned()));
        }
        let payload_hash = if request.body.is_empty() {
            EMPTY_HASH.to_owned()
        } else if let Some(declared) = header(request.headers, "x-sdk-content-sha256") {
            declared.to_owned()
        } else {
            signature::sha256_hex(request.body)
        };
        let query = canonical_query(request.raw_query);
        // Python and Go decode each path segment before encoding it; Java re-encodes what
        // it sent. Either canonical URI is accepted (csms-spec §5.3).
        for decode in [true, false] {
            let canonical = canonical_request(&CanonicalInput {
                method: request.method,
                uri: canonical_uri(request.raw_path, decode),
                query: query.clone(),
                headers: headers.clone(),
                payload_hash: payload_hash.clone(),
            });
            let to_sign = signature::string_to_sign(sdk_date, &canonical);
            if signature::verify(&credential.sk, &to_sign, &auth.signature) {
                return Ok(Identity {
                    principal: credential.ak.clone(),
                    project: credential.project.clone(),
                });
            }
        }
        Err(AuthFailure::BadSignature)
    }
}

#[cfg(test)]
mod tests;
