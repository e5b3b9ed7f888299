//! Every documented CSMS limit, named once, with the page it comes from.

/// Secret name length, on the "Creating a Secret" and "Importing Secrets in Batches" pages.
pub const NAME_MAX_CHARS: usize = 64;
/// `description` ≤ 2,048 bytes (create-secret pages, `CreateSecret.json`).
pub const DESCRIPTION_MAX_BYTES: usize = 2048;
/// Value size for create-secret and create-secret-version: 64 KB (the create-secret and create-version pages; docs/behaviour.md §9).
pub const VALUE_MAX_BYTES: usize = 64 * 1024;
/// Value size for batch-import items: 32 KB ("Importing Secrets in Batches" page; docs/behaviour.md §9).
pub const IMPORT_VALUE_MAX_BYTES: usize = 32 * 1024;
/// `rotation_config` ≤ 1,024 characters ("Creating a Secret" page; docs/behaviour.md §11).
pub const ROTATION_CONFIG_MAX_CHARS: usize = 1024;
/// The `rotation_period` pattern: a number and a unit (docs/behaviour.md §10).
pub const ROTATION_PERIOD_PATTERN: &str = "^[1-9][0-9]*[dhms]$";
/// The periods the OpenAPI document offers: whole hours from 6 to 8,760 or days from 1 to
/// 365, which every operation takes. The emulator also takes seconds and minutes, and 4–5
/// hours outside batch import; a document may be stricter than the checks, never looser.
pub const ROTATION_PERIOD_IN_RANGE_PATTERN: &str = "^(([6-9]|[1-9][0-9]{1,2}|[1-7][0-9]{3}|8[0-6][0-9]{2}|87[0-5][0-9]|8760)h|([1-9]|[1-9][0-9]|[1-2][0-9]{2}|3[0-5][0-9]|36[0-5])d)$";
/// Smallest `rotation_period` for create/update: 4 hours ("Creating a Secret" page, 2026-06; docs/behaviour.md §10).
pub const ROTATION_PERIOD_MIN_SECS: u64 = 4 * 3600;
/// Smallest `rotation_period` for batch import: 6 hours ("Importing Secrets in Batches" page; docs/behaviour.md §10).
pub const IMPORT_ROTATION_PERIOD_MIN_SECS: u64 = 6 * 3600;
/// Largest `rotation_period`: 8,760 hours (the batch-import and create-secret pages; docs/behaviour.md §10).
pub const ROTATION_PERIOD_MAX_SECS: u64 = 8760 * 3600;
/// Largest `expire_time` the API accepts (`CreateSecretVersion.json`: maximum 9999999999999).
pub const EXPIRE_TIME_MAX_MS: i64 = 9_999_999_999_999;
/// At most one subscribed event ("Creating a Secret" page, `event_subscriptions`).
pub const EVENT_SUBSCRIPTIONS_MAX: usize = 1;
/// Longest event name an `event_subscriptions` item may hold (`CreateSecret.json`).
pub const EVENT_SUBSCRIPTION_MAX_CHARS: usize = 32;
/// `enterprise_project_id` 1–36 characters (`CreateSecret.json`).
pub const ENTERPRISE_PROJECT_ID_MAX_CHARS: usize = 36;
/// At most 20 versions a secret (2026-06 CreateSecretVersion page; docs/behaviour.md §13).
pub const VERSIONS_MAX: usize = 20;
/// At most 12 stages a secret and per request (UpdateSecretStage pages; docs/behaviour.md §14).
pub const STAGES_MAX: usize = 12;
/// Stage names are 1–64 characters (`CreateSecretVersion.json`; docs/behaviour.md §14).
pub const STAGE_NAME_MAX_CHARS: usize = 64;
/// Page size bounds and default for marker paging (ListSecrets page; docs/behaviour.md §16).
pub const PAGE_LIMIT_MIN: usize = 1;
pub const PAGE_LIMIT_MAX: usize = 1000;
pub const PAGE_LIMIT_DEFAULT: usize = 50;
/// Project ids: the doc says 32 characters from IAM; the emulator accepts any
/// 1–64 characters of `[A-Za-z0-9_-]` so tests may use readable ids (docs/behaviour.md §24).
pub const PROJECT_ID_MAX_CHARS: usize = 64;
