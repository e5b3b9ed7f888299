//! The query string of each operation that reads one, as the handler deserializes it.
//! The OpenAPI document's query parameters are generated from these types (through
//! `schemars`), so the description and what a handler reads cannot drift apart.
//!
//! Values stay strings where the emulator answers a malformed one with its own CSMS error
//! naming the parameter; the schema still says what a valid value looks like, as Huawei's
//! API definitions do.

use serde::Deserialize;

use crate::domain::names::{DOTTED_NAME_PATTERN, NAME_PATTERN};

/// A page size written as Huawei's definitions take it: a string of 1–4 digits holding
/// 1–1000 (`domain::page::PageLimit`).
pub const PAGE_LIMIT_PATTERN: &str = "^(1000|[1-9][0-9]{0,2})$";

/// A lowercase UUID, as task ids and their markers are written (ListSecretTask.json).
pub const UUID_PATTERN: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

/// A version id, as ListSecretVersions.json's `marker` is written.
pub const VERSION_ID_PATTERN: &str = "^(v[0-9]{1,10}|latest)$";

/// `GET /v1/{project_id}/secrets` (ListSecrets.json).
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct ListSecretsQuery {
    #[schemars(regex(pattern = PAGE_LIMIT_PATTERN))]
    pub limit: Option<String>,
    /// The last secret name of the previous page.
    #[schemars(regex(pattern = NAME_PATTERN))]
    pub marker: Option<String>,
    /// Only secrets subscribed to this event.
    #[schemars(regex(pattern = DOTTED_NAME_PATTERN))]
    pub event_name: Option<String>,
}

/// `GET /v1/{project_id}/secrets/{secret_name}/versions` (ListSecretVersions.json).
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct ListVersionsQuery {
    #[schemars(regex(pattern = PAGE_LIMIT_PATTERN))]
    pub limit: Option<String>,
    /// The last version id of the previous page.
    #[schemars(regex(pattern = VERSION_ID_PATTERN))]
    pub marker: Option<String>,
}

/// `GET /v1/{project_id}/csms/notification-records`, whose definition declares no query
/// but whose answer pages (docs/behaviour.md §35): the marker is a position, as the
/// previous page's `next_marker` gave it.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct RecordsQuery {
    #[schemars(regex(pattern = PAGE_LIMIT_PATTERN))]
    pub limit: Option<String>,
    /// Where the page starts: the previous page's `next_marker`.
    #[schemars(regex(pattern = "^(0|[1-9][0-9]{0,8})$"))]
    pub marker: Option<String>,
}

/// `GET /v1/{project_id}/csms/events` (ListSecretEvents.json).
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct NamedPageQuery {
    #[schemars(regex(pattern = PAGE_LIMIT_PATTERN))]
    pub limit: Option<String>,
    /// The last name of the previous page.
    #[schemars(regex(pattern = DOTTED_NAME_PATTERN))]
    pub marker: Option<String>,
}

/// `GET /v1/{project_id}/csms/tasks` (ListSecretTask.json). `task_id` cannot be combined
/// with `secret_name` or `status`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct ListTasksQuery {
    #[schemars(regex(pattern = PAGE_LIMIT_PATTERN))]
    pub limit: Option<String>,
    /// The last task id of the previous page.
    #[schemars(regex(pattern = UUID_PATTERN))]
    pub marker: Option<String>,
    #[schemars(regex(pattern = NAME_PATTERN))]
    pub secret_name: Option<String>,
    #[schemars(extend("enum" = ["SUCCESS", "FAILED"]))]
    pub status: Option<String>,
    #[schemars(regex(pattern = UUID_PATTERN))]
    pub task_id: Option<String>,
}

/// The grant a request is about: `GET` and `PUT /v1/{project_id}/csms/grants`
/// (ListGrants.json, UpdateGrant.json).
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct GrantQuery {
    /// The secret's id.
    #[schemars(required, length(min = 1, max = crate::domain::grant::GRANT_ID_MAX_CHARS))]
    pub resource_id: Option<String>,
}

/// `DELETE /v1/{project_id}/csms/grants` (DeleteGrant.json).
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct DeleteGrantQuery {
    /// The secret's id.
    #[schemars(required, length(min = 1, max = crate::domain::grant::GRANT_ID_MAX_CHARS))]
    pub resource_id: Option<String>,
    /// Only this grantee's grant; every grant of the secret when absent.
    #[schemars(length(max = crate::domain::grant::GRANT_ID_MAX_CHARS))]
    pub grantee_user: Option<String>,
}

/// `GET /v1/csms/agencies` (ShowAgency.json).
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct AgencyQuery {
    #[schemars(required, extend("enum" = ["RDS-FG", "GaussDB-FG"]))]
    pub secret_type: Option<String>,
}

/// `GET /v1/csms/users` (ListUsers.json).
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct ListUsersQuery {
    #[schemars(required, range(min = 0))]
    pub offset: Option<i64>,
    #[schemars(required, range(min = 10, max = 100))]
    pub limit: Option<i64>,
    /// A fragment of the user name.
    pub user_info: Option<String>,
}

/// `GET /v1/csms/function-templates` (ShowSecretFunctionTemplates.json). An RDS-FG
/// template also needs `engine`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct FunctionTemplatesQuery {
    #[schemars(required, extend("enum" = ["RDS-FG", "GaussDB-FG"]))]
    pub secret_type: Option<String>,
    #[schemars(required, extend("enum" = ["SingleUser", "MultiUser"]))]
    pub secret_sub_type: Option<String>,
    #[schemars(extend("enum" = ["mysql", "postgresql", "sqlserver"]))]
    pub engine: Option<String>,
}

/// `GET /v3/projects`: the IAM lookup the SDKs make to find a region's project.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct KeystoneProjectsQuery {
    /// The region name the SDK asks for; the answer's project is named after it.
    pub name: Option<String>,
}

/// `GET /_emulator/journal`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct JournalQuery {
    /// How many of the latest requests; all that are kept when absent.
    pub limit: Option<usize>,
}

/// `GET /_emulator/export`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct ExportQuery {
    /// One project; every project when absent.
    #[schemars(regex(pattern = NAME_PATTERN))]
    pub project: Option<String>,
    /// Whether to include the secrets' values.
    pub values: Option<bool>,
}

/// `POST /_emulator/reset` and `POST /_emulator/seed`: the project they act on.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct ProjectQuery {
    /// Reset: only this project, every project when absent. Seed: load into this project,
    /// whatever project the fixture names.
    #[schemars(regex(pattern = NAME_PATTERN))]
    pub project: Option<String>,
}

/// `GET /_emulator/projects/{project_id}/secrets`: what the console browses for. Every
/// field narrows the result, none is required, and an empty one counts as absent.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
pub struct BrowseQuery {
    /// A fragment of the name (case-sensitive, as names are).
    pub name: Option<String>,
    #[schemars(extend("enum" = ["ENABLED", "DISABLED", "PENDING_DELETE", "FROZEN"]))]
    pub state: Option<String>,
    #[serde(rename = "type")]
    #[schemars(extend("enum" = ["COMMON", "RDS-FG", "GaussDB-FG"]))]
    pub secret_type: Option<String>,
    /// A tag key, or `key=value`.
    pub tag: Option<String>,
    pub offset: Option<usize>,
    #[schemars(range(min = 1, max = crate::service::BROWSE_LIMIT_MAX))]
    pub limit: Option<usize>,
}
