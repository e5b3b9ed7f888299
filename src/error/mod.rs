//! The one table of CSMS error codes and the error type every layer returns.
//!
//! Call sites name an [`ErrorCode`] variant (through a [`CsmsError`] variant), never a code
//! string: this file is the only place where `CSMS.` and `APIGW.` codes are spelled.
//! A leaf: it imports no module of the crate; storage failures ([`StoreError`]) are
//! defined beside it, in `error/store.rs`, for the store to raise.

use std::fmt;

mod store;
pub use store::StoreError;

/// Every error code csms-emulator can answer with, with its HTTP status
/// (docs/behaviour.md §2–§5, §14, §17, §19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `CSMS.0001`, 500: internal error.
    Internal,
    /// `CSMS.0002`, 400: a parameter value is invalid.
    InvalidParameter,
    /// `CSMS.0004`, 400: the request body cannot be parsed.
    MalformedBody,
    /// `CSMS.0005`, 404 (docs/behaviour.md §2): the resource does not exist.
    NotFound,
    /// `CSMS.0101`, 409: the secret name already exists.
    NameExists,
    /// `CSMS.0102`, 409: the version id already exists (here: the secret has used every
    /// version id, so the next one would repeat one).
    VersionExists,
    /// `CSMS.0103`, 400: the secret is pending deletion and cannot be used.
    PendingDelete,
    /// `CSMS.0105`, 400: a built-in stage cannot be deleted.
    BuiltinStage,
    /// `CSMS.0107`, 400: the secret is already pending deletion.
    AlreadyPendingDelete,
    /// `CSMS.0108`, 400: the secret is not pending deletion.
    NotPendingDelete,
    /// `CSMS.0109`, 403: the secret is not enabled.
    NotEnabled,
    /// `CSMS.0203`, 400: the secret's stage count reached its limit.
    StageLimitReached,
    /// `CSMS.0204`, 400: one request asks for more stages than the quota.
    StageQuotaExceeded,
    /// `APIGW.0101`, 404 (docs/behaviour.md §5): no API at this path and method.
    RouteNotFound,
    /// `APIGW.0201`, 413: the request body is larger than the gateway accepts.
    BodyTooLarge,
    /// `APIGW.0201`, 408: the request body did not arrive in time (the gateway's
    /// bad-request code; no CSMS code covers it).
    RequestTimeout,
    /// `APIGW.0301`, 401: authentication failed (docs/behaviour.md §23).
    AuthFailed,
    /// `APIGW.0302`, 403: the credential may not use this project.
    Forbidden,
    /// `APIGW.0201` with the status HTTP's parser chose (400, 414, 431): a request that
    /// is not valid HTTP/1.1 (docs/behaviour.md §53).
    Unreadable,
    /// `APIGW.0202`, 503: the emulator is still loading its state (docs/behaviour.md §52;
    /// the gateway's "Backend unavailable").
    Loading,
}

impl ErrorCode {
    /// The code string as the real service spells it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Internal => "CSMS.0001",
            Self::InvalidParameter => "CSMS.0002",
            Self::MalformedBody => "CSMS.0004",
            Self::NotFound => "CSMS.0005",
            Self::NameExists => "CSMS.0101",
            Self::VersionExists => "CSMS.0102",
            Self::PendingDelete => "CSMS.0103",
            Self::BuiltinStage => "CSMS.0105",
            Self::AlreadyPendingDelete => "CSMS.0107",
            Self::NotPendingDelete => "CSMS.0108",
            Self::NotEnabled => "CSMS.0109",
            Self::StageLimitReached => "CSMS.0203",
            Self::StageQuotaExceeded => "CSMS.0204",
            Self::RouteNotFound => "APIGW.0101",
            Self::BodyTooLarge | Self::RequestTimeout | Self::Unreadable => "APIGW.0201",
            Self::AuthFailed => "APIGW.0301",
            Self::Forbidden => "APIGW.0302",
            Self::Loading => "APIGW.0202",
        }
    }

    /// The HTTP status the code is answered with.
    #[must_use]
    pub const fn status(self) -> u16 {
        match self {
            Self::Internal => 500,
            Self::InvalidParameter
            | Self::MalformedBody
            | Self::PendingDelete
            | Self::BuiltinStage
            | Self::AlreadyPendingDelete
            | Self::NotPendingDelete
            | Self::StageLimitReached
            | Self::StageQuotaExceeded
            | Self::Unreadable => 400,
            Self::AuthFailed => 401,
            Self::NotEnabled | Self::Forbidden => 403,
            Self::NotFound | Self::RouteNotFound => 404,
            Self::NameExists | Self::VersionExists => 409,
            Self::RequestTimeout => 408,
            Self::Loading => 503,
            Self::BodyTooLarge => 413,
        }
    }

    /// Gateway errors carry a `request_id` in their body.
    #[must_use]
    pub const fn is_gateway(self) -> bool {
        matches!(
            self,
            Self::RouteNotFound
                | Self::BodyTooLarge
                | Self::RequestTimeout
                | Self::AuthFailed
                | Self::Forbidden
                | Self::Loading
                | Self::Unreadable
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error any layer can return; [`CsmsError::code`] decides how the client sees it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CsmsError {
    #[error("invalid parameter {param}: {rule}")]
    InvalidParameter { param: &'static str, rule: String },
    #[error("the request body is malformed: {0}")]
    MalformedBody(String),
    #[error("{kind} {name} does not exist")]
    NotFound { kind: &'static str, name: String },
    #[error("a secret named {0} already exists")]
    NameExists(String),
    #[error("secret {0} has used every version id up to v4294967294; it takes no new version")]
    VersionIdsExhausted(String),
    #[error("secret {0} is pending deletion and cannot be used")]
    PendingDelete(String),
    #[error("stage {0} is a built-in stage and cannot be deleted")]
    BuiltinStage(String),
    #[error("secret {0} is already in the pending deletion state")]
    AlreadyPendingDelete(String),
    #[error("secret {0} is not in the pending deletion state")]
    NotPendingDelete(String),
    #[error("the state of secret {0} is not ENABLED")]
    NotEnabled(String),
    #[error("secret {secret} already holds {limit} stages, the upper limit")]
    StageLimitReached { secret: String, limit: usize },
    #[error("{requested} stages requested, more than the quota of {limit}")]
    StageQuotaExceeded { requested: usize, limit: usize },
    #[error("no API matches {method} {path}")]
    RouteNotFound { method: String, path: String },
    #[error("the request body is larger than {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("the request body did not arrive within {secs} s")]
    BodyTimeout { secs: u64 },
    #[error("{0}")]
    AuthFailed(String),
    #[error("this credential may not use project {0}")]
    Forbidden(String),
    /// A project-bound credential on the control API (`/_emulator/…`).
    #[error("the control API needs an unbound credential or the --control-token")]
    ControlForbidden,
    /// A failure inside the emulator; the client sees a generic message.
    #[error("internal error: {0}")]
    Internal(String),
    /// A failure of the storage layer; the client sees a generic message.
    #[error("internal error: {0}")]
    Store(#[from] StoreError),
}

impl CsmsError {
    /// Shorthand for the most common rejection: a parameter that breaks a documented rule.
    pub fn invalid(param: &'static str, rule: impl Into<String>) -> Self {
        Self::InvalidParameter {
            param,
            rule: rule.into(),
        }
    }

    /// Shorthand for a missing secret.
    pub fn secret_not_found(name: impl Into<String>) -> Self {
        Self::NotFound {
            kind: "secret",
            name: name.into(),
        }
    }

    /// The code this error is answered with. Exhaustive on purpose: a new variant must
    /// choose its code here.
    #[must_use]
    pub const fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidParameter { .. } => ErrorCode::InvalidParameter,
            Self::MalformedBody(_) => ErrorCode::MalformedBody,
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::NameExists(_) => ErrorCode::NameExists,
            Self::VersionIdsExhausted(_) => ErrorCode::VersionExists,
            Self::PendingDelete(_) => ErrorCode::PendingDelete,
            Self::BuiltinStage(_) => ErrorCode::BuiltinStage,
            Self::AlreadyPendingDelete(_) => ErrorCode::AlreadyPendingDelete,
            Self::NotPendingDelete(_) => ErrorCode::NotPendingDelete,
            Self::NotEnabled(_) => ErrorCode::NotEnabled,
            Self::StageLimitReached { .. } => ErrorCode::StageLimitReached,
            Self::StageQuotaExceeded { .. } => ErrorCode::StageQuotaExceeded,
            Self::RouteNotFound { .. } => ErrorCode::RouteNotFound,
            Self::BodyTooLarge { .. } => ErrorCode::BodyTooLarge,
            Self::BodyTimeout { .. } => ErrorCode::RequestTimeout,
            Self::AuthFailed(_) => ErrorCode::AuthFailed,
            Self::Forbidden(_) | Self::ControlForbidden => ErrorCode::Forbidden,
            Self::Internal(_) | Self::Store(_) => ErrorCode::Internal,
        }
    }

    /// The `error_msg` a client sees: the display text, except for internal failures,
    /// whose cause stays in the log.
    #[must_use]
    pub fn client_message(&self) -> String {
        match self {
            Self::Internal(_) => "internal error".to_owned(),
            Self::Store(cause) => cause.client_message().to_owned(),
            other => other.to_string(),
        }
    }

    /// The text batch-delete puts in `failed_secrets[].error_msg`: `CODE: message` ("Deleting Secrets in Batches" page).
    #[must_use]
    pub fn prefixed_message(&self) -> String {
        format!("{}: {}", self.code(), self.client_message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_the_documented_status() {
        let table = [
            (ErrorCode::Internal, "CSMS.0001", 500),
            (ErrorCode::InvalidParameter, "CSMS.0002", 400),
            (ErrorCode::MalformedBody, "CSMS.0004", 400),
            (ErrorCode::NotFound, "CSMS.0005", 404),
            (ErrorCode::NameExists, "CSMS.0101", 409),
            (ErrorCode::VersionExists, "CSMS.0102", 409),
            (ErrorCode::PendingDelete, "CSMS.0103", 400),
            (ErrorCode::BuiltinStage, "CSMS.0105", 400),
            (ErrorCode::AlreadyPendingDelete, "CSMS.0107", 400),
            (ErrorCode::NotPendingDelete, "CSMS.0108", 400),
            (ErrorCode::NotEnabled, "CSMS.0109", 403),
            (ErrorCode::StageLimitReached, "CSMS.0203", 400),
            (ErrorCode::StageQuotaExceeded, "CSMS.0204", 400),
            (ErrorCode::RouteNotFound, "APIGW.0101", 404),
            (ErrorCode::BodyTooLarge, "APIGW.0201", 413),
            (ErrorCode::RequestTimeout, "APIGW.0201", 408),
            (ErrorCode::AuthFailed, "APIGW.0301", 401),
            (ErrorCode::Forbidden, "APIGW.0302", 403),
            (ErrorCode::Loading, "APIGW.0202", 503),
            (ErrorCode::Unreadable, "APIGW.0201", 400),
        ];
        for (code, text, status) in table {
            assert_eq!(code.as_str(), text);
            assert_eq!(code.status(), status, "{text}");
        }
    }

    #[test]
    fn internal_errors_hide_their_cause_from_clients() {
        let err = CsmsError::Internal("lock poisoned at store.rs:12".into());
        assert_eq!(err.client_message(), "internal error");
        assert_eq!(err.code(), ErrorCode::Internal);
    }

    #[test]
    fn prefixed_message_starts_with_the_code() {
        let err = CsmsError::AlreadyPendingDelete("db".into());
        assert!(err.prefixed_message().starts_with("CSMS.0107: "));
    }
}
