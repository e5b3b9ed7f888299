//! Extractors whose rejections are CSMS errors, never axum's plain-text ones: JSON bodies
//! (content type, size, syntax and field types), path segments and query strings.

use std::borrow::Cow;
use std::marker::PhantomData;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::{DeserializeOwned, DeserializeSeed};

use super::body::BodyRules;
use super::error::ApiError;
use super::operations::{Classified, OperationSpec, WireType};
use crate::error::CsmsError;

/// What the extractors read besides the request: its one classification (see
/// [`super::operations`]) and the rules its body is read under. The handlers' state
/// carries both, so nothing is stored in the request's extensions on the way.
pub trait RequestScope {
    fn classified(&self) -> &Classified;
    fn body_rules(&self) -> BodyRules;
}

/// Whether the operation table names `T` as what the request's operation reads (its body
/// or its query, as `declared` picks). A handler that reads another type than the table
/// describes is a bug of the emulator's own; the answer says so instead of serving a
/// request the OpenAPI document misdescribes.
fn read_as_the_table_says<T: 'static>(
    classified: &Classified,
    declared: impl Fn(&OperationSpec) -> Option<WireType>,
) -> Result<(), ApiError> {
    // Handlers run only for a request an operation fits (see `dispatch`).
    let Some(operation) = classified.operation else {
        return Ok(());
    };
    if declared(operation.spec()).is_some_and(|wire| wire.is::<T>()) {
        return Ok(());
    }
    Err(misread(operation.name(), std::any::type_name::<T>()))
}

/// The error of [`read_as_the_table_says`], written once rather than in each of its
/// instances (one per type a handler reads).
#[cold]
#[inline(never)]
fn misread(operation: &str, read: &str) -> ApiError {
    CsmsError::Internal(format!(
        "{operation} reads {read} but the operation table describes another type"
    ))
    .into()
}

fn body_of(spec: &OperationSpec) -> Option<WireType> {
    spec.body.map(|body| body.wire)
}

/// A JSON request body. Requires a JSON content type; unparsable bodies are CSMS.0004,
/// fields of the wrong type CSMS.0002 naming the field (docs/behaviour.md §4).
#[derive(Debug)]
pub struct CsmsJson<T>(pub T);

impl<S, T> FromRequest<S> for CsmsJson<T>
where
    S: RequestScope + Send + Sync,
    T: DeserializeOwned + 'static,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_json_body::<T, S>(req, state).await?;
        parse_json(&bytes).map(Self).map_err(ApiError)
    }
}

/// A JSON request body read and checked as [`CsmsJson`] reads it, but not parsed yet: for
/// a handler whose parse needs what only the handler knows (see [`parse_json_seed`]). `T`
/// is the type the operation table names for the body, and the one its parse must agree
/// with.
pub struct CsmsJsonBytes<T>(pub Bytes, pub PhantomData<fn() -> T>);

impl<T> std::fmt::Debug for CsmsJsonBytes<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The body may hold secret values: only its length is shown.
        f.debug_struct("CsmsJsonBytes")
            .field("len", &self.0.len())
            .finish_non_exhaustive()
    }
}

impl<S, T> FromRequest<S> for CsmsJsonBytes<T>
where
    S: RequestScope + Send + Sync,
    T: 'static,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        read_json_body::<T, S>(req, state)
            .await
            .map(|bytes| Self(bytes, PhantomData))
    }
}

/// The body of a request the operation table says is read as `T`, declared as JSON.
async fn read_json_body<T: 'static, S: RequestScope>(
    req: Request,
    state: &S,
) -> Result<Bytes, ApiError> {
    read_as_the_table_says::<T>(state.classified(), body_of)?;
    let (json, bytes) = read_body(req, state.body_rules()).await?;
    if !json {
        return Err(not_json());
    }
    Ok(bytes)
}

/// The body, read under `rules`, and whether it was declared as JSON.
async fn read_body(req: Request, rules: BodyRules) -> Result<(bool, Bytes), ApiError> {
    let json = has_json_content_type(&req);
    let bytes = super::body::read(req.into_body(), rules).await?;
    Ok((json, bytes))
}

fn not_json() -> ApiError {
    CsmsError::MalformedBody("the Content-Type header must be application/json".into()).into()
}

fn has_json_content_type(req: &Request) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            // Compared without case, as the lowercased text was, but without a copy.
            let mime = mime.trim().as_bytes();
            mime.eq_ignore_ascii_case(b"application/json")
                || mime
                    .len()
                    .checked_sub(5)
                    .is_some_and(|at| mime[at..].eq_ignore_ascii_case(b"+json"))
        })
}

/// Parses a JSON body, telling syntax errors (CSMS.0004) from type errors (CSMS.0002).
///
/// A body is parsed once as it is; only one that fails is parsed again with its path
/// tracked, to name the field the same failure happens at: tracking the path costs every
/// body a third of its parse.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CsmsError> {
    parse_json_seed(bytes, PhantomData::<T>)
}

/// [`parse_json`] through a seed: for a body whose parse needs what only the handler
/// knows. The seed is copied for the second parse a failed body gets.
#[inline(never)] // one copy per body type, not one in every extractor that reads it
pub fn parse_json_seed<'de, S>(bytes: &'de [u8], seed: S) -> Result<S::Value, CsmsError>
where
    S: DeserializeSeed<'de> + Clone,
{
    let mut de = serde_json::Deserializer::from_slice(bytes);
    if let Ok(value) = seed.clone().deserialize(&mut de) {
        // Anything after the JSON value makes the body unparsable too.
        de.end().map_err(|err| malformed(&err))?;
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut track = serde_path_to_error::Track::new();
    let value = seed
        .deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track))
        .map_err(|inner| {
            let path = track.path().to_string();
            match inner.classify() {
                serde_json::error::Category::Data => CsmsError::InvalidParameter {
                    param: "body",
                    rule: if path == "." {
                        format!("the body has the wrong shape: {inner}")
                    } else {
                        format!("field {path}: {inner}")
                    },
                },
                serde_json::error::Category::Syntax
                | serde_json::error::Category::Eof
                | serde_json::error::Category::Io => malformed(&inner),
            }
        })?;
    // Anything after the JSON value makes the body unparsable too.
    de.end().map_err(|err| malformed(&err))?;
    Ok(value)
}

fn malformed(err: &serde_json::Error) -> CsmsError {
    CsmsError::MalformedBody(format!("the body is not valid JSON: {err}"))
}

/// An optional JSON body: an empty body (as the SDKs send on bodiless POSTs) is `None`,
/// anything else must be JSON as for [`CsmsJson`].
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

impl<S, T> FromRequest<S> for OptionalJson<T>
where
    S: RequestScope + Send + Sync,
    T: DeserializeOwned + 'static,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        read_as_the_table_says::<T>(state.classified(), body_of)?;
        let (json, bytes) = read_body(req, state.body_rules()).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(None));
        }
        if !json {
            return Err(not_json());
        }
        parse_json(&bytes).map(|v| Self(Some(v))).map_err(ApiError)
    }
}

/// Path parameters, from the request's one classification (see [`super::operations`]):
/// each segment percent-decoded; one that is not UTF-8 once decoded is CSMS.0002.
#[derive(Debug)]
pub struct CsmsPath<T>(pub T);

/// A set of path parameters, taken in template order, each borrowed from the request
/// unless it had to be percent-decoded.
pub trait FromPathParams: Sized {
    /// `None` when the count does not fit (a handler bound to the wrong operation).
    fn from_params<'a>(params: impl Iterator<Item = Cow<'a, str>>) -> Option<Self>;
}

impl FromPathParams for String {
    fn from_params<'a>(mut params: impl Iterator<Item = Cow<'a, str>>) -> Option<Self> {
        let one = params.next()?.into_owned();
        params.next().is_none().then_some(one)
    }
}

impl FromPathParams for (String, String) {
    fn from_params<'a>(mut params: impl Iterator<Item = Cow<'a, str>>) -> Option<Self> {
        let pair = (params.next()?.into_owned(), params.next()?.into_owned());
        params.next().is_none().then_some(pair)
    }
}

impl<S, T> FromRequestParts<S> for CsmsPath<T>
where
    S: RequestScope + Send + Sync,
    T: FromPathParams + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(_parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let invalid = |why: &str| -> ApiError {
            CsmsError::invalid("path", format!("a path segment is invalid: {why}")).into()
        };
        let classified = state.classified();
        // The decoded parameters go straight into `T`, without a list in between; a
        // segment that does not decode is left out, and reported before anything else.
        let mut not_utf8 = false;
        let mut params = classified.raw_params().filter_map(|raw| {
            // Without a `%` there is nothing to decode, and the segment is UTF-8 already:
            // lent as it is instead of scanned byte by byte through the decoder.
            if !classified.is_encoded(raw) {
                return Some(Cow::Borrowed(raw));
            }
            let decoded = percent_encoding::percent_decode_str(raw).decode_utf8();
            not_utf8 |= decoded.is_err();
            decoded.ok()
        });
        let path = T::from_params(params.by_ref());
        // Parameters `T` left unread are still checked, as when all were decoded first.
        params.for_each(drop);
        if not_utf8 {
            return Err(invalid("it is not UTF-8 once percent-decoded"));
        }
        path.map(Self)
            .ok_or_else(|| invalid("the route has other parameters"))
    }
}

/// Query parameters; a query that cannot be decoded is CSMS.0002.
#[derive(Debug)]
pub struct CsmsQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for CsmsQuery<T>
where
    S: RequestScope + Send + Sync,
    T: DeserializeOwned + 'static,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        read_as_the_table_says::<T>(state.classified(), |spec| spec.query)?;
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| Self(v))
            .map_err(|rejection: QueryRejection| {
                CsmsError::invalid("query", format!("the query string is invalid: {rejection}"))
                    .into()
            })
    }
}
