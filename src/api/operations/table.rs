//! The operation table: every CSMS and control operation the emulator serves, with its
//! method, path template, SDK name, summary and request body.

use super::Operation;
use super::{RequestBody, schema_of};

/// Every route, literal paths before the templates they collide with.
pub const OPERATIONS: &[Operation] = &[
    op!(
        "POST",
        "/v1/{project_id}/secrets",
        "CreateSecret",
        "Create a secret",
        required crate::service::CreateSecretInput
    ),
    op!(
        "GET",
        "/v1/{project_id}/secrets",
        "ListSecrets",
        "List secrets"
    ),
    op!(
        "POST",
        "/v1/{project_id}/secrets/batch-import",
        "BatchImportSecrets",
        "Import secrets in batches",
        required crate::api::dto::BatchImportBody
    ),
    op!(
        "POST",
        "/v1/{project_id}/secrets/batch-delete",
        "BatchDeleteSecrets",
        "Delete secrets in batches",
        required crate::service::BatchDeleteInput
    ),
    op!(
        "POST",
        "/v1/{project_id}/secrets/restore",
        "UploadSecretBlob",
        "Restore a secret from a backup blob",
        required crate::api::dto_extra::BlobBody
    ),
    op!(
        "GET",
        "/v1/{project_id}/secrets/checker/config",
        "ShowSecretsConfig",
        "Show the secrets checker configuration"
    ),
    op!(
        "POST",
        "/v1/{project_id}/secrets/checker/config",
        "UpdateSecretsConfig",
        "Update the secrets checker configuration",
        required crate::api::peripheral::ConfigBody
    ),
    op!(
        "POST",
        "/v1/{project_id}/secrets/checker/check",
        "CheckSecrets",
        "Check secrets",
        required crate::api::peripheral::CheckBody
    ),
    op!(
        "GET",
        "/v1/{project_id}/secrets/{secret_name}",
        "ShowSecret",
        "Show a secret"
    ),
    op!(
        "PUT",
        "/v1/{project_id}/secrets/{secret_name}",
        "UpdateSecret",
        "Update a secret",
        required crate::service::UpdateSecretInput
    ),
    op!(
        "DELETE",
        "/v1/{project_id}/secrets/{secret_name}",
        "DeleteSecret",
        "Delete a secret immediately"
    ),
    op!(
        "POST",
        "/v1/{project_id}/secrets/{secret_name}/versions",
        "CreateSecretVersion",
        "Create a secret version",
        required crate::service::CreateVersionInput
    ),
    op!(
        "GET",
        "/v1/{project_id}/secrets/{secret_name}/versions",
        "ListSecretVersions",
        "List secret versions"
    ),
    op!(
        "GET",
        "/v1/{project_id}/secrets/{secret_name}/versions/{version_id}",
        "ShowSecretVersion",
        "Show a version and its value"
    ),
    op!(
        "PUT",
        "/v1/{project_id}/secrets/{secret_name}/versions/{version_id}",
        "UpdateVersion",
        "Update a version's expiry",
        required crate::api::versions::UpdateVersionBody
    ),
    op!(
        "GET",
        "/v1/{project_id}/secrets/{secret_name}/stages/{stage_name}",
        "ShowSecretStage",
        "Show a stage"
    ),
    op!(
        "PUT",
        "/v1/{project_id}/secrets/{secret_name}/stages/{stage_name}",
        "UpdateSecretStage",
        "Create or move a stage",
        required crate::api::versions::UpdateStageBody
    ),
    op!(
        "DELETE",
        "/v1/{project_id}/secrets/{secret_name}/stages/{stage_name}",
        "DeleteSecretStage",
        "Delete a stage"
    ),
    op!(
        "POST",
        "/v1/{project_id}/secrets/{secret_name}/scheduled-deleted-tasks/create",
        "DeleteSecretForSchedule",
        "Schedule a secret's deletion",
        optional crate::service::ScheduleDeletionInput
    ),
    op!(
        "POST",
        "/v1/{project_id}/secrets/{secret_name}/scheduled-deleted-tasks/cancel",
        "RestoreSecret",
        "Cancel a scheduled deletion"
    ),
    op!(
        "POST",
        "/v1/{project_id}/secrets/{secret_name}/backup",
        "DownloadSecretBlob",
        "Back up a secret"
    ),
    op!(
        "POST",
        "/v1/{project_id}/secrets/{secret_name}/rotate",
        "RotateSecret",
        "Rotate a secret"
    ),
    op!(
        "POST",
        "/v1/{project_id}/csms/generate-password",
        "GenerateRandomPassword",
        "Generate a random password",
        optional crate::api::dto_extra::PasswordBody
    ),
    op!(
        "GET",
        "/v1/{project_id}/csms/tags",
        "ListProjectSecretsTags",
        "List the project's tags"
    ),
    op!(
        "GET",
        "/v1/{project_id}/csms/tasks",
        "ListSecretTask",
        "List rotation tasks"
    ),
    op!(
        "GET",
        "/v1/{project_id}/csms/notification-records",
        "ListNotificationRecords",
        "List notification records"
    ),
    op!(
        "POST",
        "/v1/{project_id}/csms/events",
        "CreateSecretEvent",
        "Create an event",
        required crate::service::CreateEventInput
    ),
    op!(
        "GET",
        "/v1/{project_id}/csms/events",
        "ListSecretEvents",
        "List events"
    ),
    op!(
        "GET",
        "/v1/{project_id}/csms/events/{event_name}",
        "ShowSecretEvent",
        "Show an event"
    ),
    op!(
        "PUT",
        "/v1/{project_id}/csms/events/{event_name}",
        "UpdateSecretEvent",
        "Update an event",
        required crate::service::UpdateEventInput
    ),
    op!(
        "DELETE",
        "/v1/{project_id}/csms/events/{event_name}",
        "DeleteSecretEvent",
        "Delete an event"
    ),
    op!(
        "POST",
        "/v1/{project_id}/csms/grants",
        "CreateGrants",
        "Create a grant",
        required crate::service::GrantInput
    ),
    op!(
        "GET",
        "/v1/{project_id}/csms/grants",
        "ListGrants",
        "List grants"
    ),
    op!(
        "PUT",
        "/v1/{project_id}/csms/grants",
        "UpdateGrant",
        "Update a grant",
        required crate::service::GrantInput
    ),
    op!(
        "DELETE",
        "/v1/{project_id}/csms/grants",
        "DeleteGrant",
        "Delete grants"
    ),
    op!(
        "POST",
        "/v1/{project_id}/csms/resource_instances/action",
        "ListResourceInstances",
        "Search secrets by tags",
        required crate::service::ResourceFilterInput
    ),
    op!(
        "POST",
        "/v1/{project_id}/csms/{secret_id}/tags",
        "CreateSecretTag",
        "Add a tag",
        required crate::service::TagInput
    ),
    op!(
        "GET",
        "/v1/{project_id}/csms/{secret_id}/tags",
        "ListSecretTags",
        "List a secret's tags"
    ),
    op!(
        "POST",
        "/v1/{project_id}/csms/{secret_id}/tags/action",
        "BatchCreateOrDeleteTags",
        "Add or remove tags in batches",
        required crate::service::TagActionInput
    ),
    op!(
        "DELETE",
        "/v1/{project_id}/csms/{secret_id}/tags/{key}",
        "DeleteSecretTag",
        "Remove a tag"
    ),
    op!(
        "POST",
        "/v1/csms/agencies",
        "CreateAgency",
        "Create an agency",
        required crate::api::peripheral::SecretTypeBody
    ),
    op!(
        "GET",
        "/v1/csms/agencies",
        "ShowAgency",
        "Show whether an agency was granted"
    ),
    op!("GET", "/v1/csms/users", "ListUsers", "List users"),
    op!(
        "POST",
        "/v1/csms/users/change-password",
        "UpdateUserPassword",
        "Change the user's password",
        required crate::api::peripheral::PasswordChangeBody
    ),
    op!(
        "GET",
        "/v1/csms/users/{user_id}",
        "ShowUserDetail",
        "Show a user"
    ),
    op!(
        "GET",
        "/v1/csms/function-templates",
        "ShowSecretFunctionTemplates",
        "Show rotation function templates"
    ),
    op!(
        "GET",
        "/v3/projects",
        "KeystoneListProjects",
        "IAM project lookup"
    ),
    op!("GET", "/_emulator/health", "EmulatorHealth", "Liveness"),
    op!("GET", "/_emulator/ready", "EmulatorReady", "Readiness"),
    op!(
        "GET",
        "/_emulator/clock",
        "EmulatorShowClock",
        "Show the emulator's clock"
    ),
    op!(
        "POST",
        "/_emulator/clock",
        "EmulatorSetClock",
        "Advance, set, freeze or release the clock",
        required crate::api::admin::ClockBody
    ),
    op!(
        "POST",
        "/_emulator/projects/{project_id}/secrets/{secret_name}/state",
        "EmulatorSetSecretState",
        "Set a secret's state",
        required crate::api::admin::StateBody
    ),
    op!(
        "GET",
        "/_emulator/faults",
        "EmulatorListFaults",
        "List fault rules"
    ),
    op!(
        "POST",
        "/_emulator/faults",
        "EmulatorAddFault",
        "Add a fault rule",
        required crate::control::faults::FaultSpec
    ),
    op!(
        "DELETE",
        "/_emulator/faults",
        "EmulatorClearFaults",
        "Remove every fault rule"
    ),
    op!(
        "DELETE",
        "/_emulator/faults/{fault_id}",
        "EmulatorDeleteFault",
        "Remove one fault rule"
    ),
    op!(
        "GET",
        "/_emulator/journal",
        "EmulatorJournal",
        "The last requests received"
    ),
    op!(
        "DELETE",
        "/_emulator/journal",
        "EmulatorClearJournal",
        "Empty the journal"
    ),
    op!(
        "GET",
        "/_emulator/metrics",
        "EmulatorMetrics",
        "Prometheus metrics"
    ),
    op!(
        "GET",
        "/_emulator/export",
        "EmulatorExport",
        "Export the state as a fixture"
    ),
    op!(
        "POST",
        "/_emulator/reset",
        "EmulatorReset",
        "Empty one project or everything"
    ),
    op!(
        "GET",
        "/_emulator/openapi.json",
        "EmulatorOpenApi",
        "This OpenAPI description"
    ),
    op!(
        "GET",
        "/_emulator/projects",
        "EmulatorListProjects",
        "Projects and how many secrets each holds"
    ),
    op!(
        "GET",
        "/_emulator/projects/{project_id}/secrets",
        "EmulatorBrowseSecrets",
        "A page of a project's secrets, filtered by name, state, type and tag"
    ),
    op!(
        "GET",
        "/_emulator/ui",
        "EmulatorConsoleRedirect",
        "To the web console"
    ),
    op!(
        "GET",
        "/_emulator/ui/",
        "EmulatorConsole",
        "The web console"
    ),
    op!(
        "GET",
        "/_emulator/ui/{asset}",
        "EmulatorConsoleAsset",
        "The web console's script and style"
    ),
];
