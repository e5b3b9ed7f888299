//! The operation table's rows: every CSMS and control operation the emulator serves, with
//! its method, path template, summary and request body. The row's name is the variant of
//! [`Operation`] and the SDK's operation name.

use super::spec::{OperationSpec, RequestBody, WireType};
use crate::api::wire::queries as q;

// Literal paths come before the templates they collide with: the classifier takes the
// first row that fits.
operation_table! {
    CreateSecret => (
        "POST",
        "/v1/{project_id}/secrets",
        "Create a secret",
        required crate::api::wire::secrets::CreateSecretBody
    ),
    ListSecrets => (
        "GET",
        "/v1/{project_id}/secrets",
        "List secrets",
        query q::ListSecretsQuery
    ),
    BatchImportSecrets => (
        "POST",
        "/v1/{project_id}/secrets/batch-import",
        "Import secrets in batches",
        required crate::api::wire::secrets::BatchImportBody
    ),
    BatchDeleteSecrets => (
        "POST",
        "/v1/{project_id}/secrets/batch-delete",
        "Delete secrets in batches",
        required crate::api::wire::secrets::BatchDeleteBody
    ),
    UploadSecretBlob => (
        "POST",
        "/v1/{project_id}/secrets/restore",
        "Restore a secret from a backup blob",
        required crate::api::wire::secrets::BlobBody
    ),
    ShowSecretsConfig => (
        "GET",
        "/v1/{project_id}/secrets/checker/config",
        "Show the secrets checker configuration"
    ),
    UpdateSecretsConfig => (
        "POST",
        "/v1/{project_id}/secrets/checker/config",
        "Update the secrets checker configuration",
        required crate::api::wire::checker::ConfigBody
    ),
    CheckSecrets => (
        "POST",
        "/v1/{project_id}/secrets/checker/check",
        "Check secrets",
        required crate::api::wire::checker::CheckBody
    ),
    ShowSecret => (
        "GET",
        "/v1/{project_id}/secrets/{secret_name}",
        "Show a secret"
    ),
    UpdateSecret => (
        "PUT",
        "/v1/{project_id}/secrets/{secret_name}",
        "Update a secret",
        required crate::api::wire::secrets::UpdateSecretBody
    ),
    DeleteSecret => (
        "DELETE",
        "/v1/{project_id}/secrets/{secret_name}",
        "Delete a secret immediately"
    ),
    CreateSecretVersion => (
        "POST",
        "/v1/{project_id}/secrets/{secret_name}/versions",
        "Create a secret version",
        required crate::api::wire::versions::CreateVersionBody
    ),
    ListSecretVersions => (
        "GET",
        "/v1/{project_id}/secrets/{secret_name}/versions",
        "List secret versions",
        query q::ListVersionsQuery
    ),
    ShowSecretVersion => (
        "GET",
        "/v1/{project_id}/secrets/{secret_name}/versions/{version_id}",
        "Show a version and its value"
    ),
    UpdateVersion => (
        "PUT",
        "/v1/{project_id}/secrets/{secret_name}/versions/{version_id}",
        "Update a version's expiry",
        required crate::api::wire::versions::UpdateVersionBody
    ),
    ShowSecretStage => (
        "GET",
        "/v1/{project_id}/secrets/{secret_name}/stages/{stage_name}",
        "Show a stage"
    ),
    UpdateSecretStage => (
        "PUT",
        "/v1/{project_id}/secrets/{secret_name}/stages/{stage_name}",
        "Create or move a stage",
        required crate::api::wire::versions::UpdateStageBody
    ),
    DeleteSecretStage => (
        "DELETE",
        "/v1/{project_id}/secrets/{secret_name}/stages/{stage_name}",
        "Delete a stage"
    ),
    DeleteSecretForSchedule => (
        "POST",
        "/v1/{project_id}/secrets/{secret_name}/scheduled-deleted-tasks/create",
        "Schedule a secret's deletion",
        optional crate::api::wire::secrets::ScheduleDeletionBody
    ),
    RestoreSecret => (
        "POST",
        "/v1/{project_id}/secrets/{secret_name}/scheduled-deleted-tasks/cancel",
        "Cancel a scheduled deletion"
    ),
    DownloadSecretBlob => (
        "POST",
        "/v1/{project_id}/secrets/{secret_name}/backup",
        "Back up a secret"
    ),
    RotateSecret => (
        "POST",
        "/v1/{project_id}/secrets/{secret_name}/rotate",
        "Rotate a secret"
    ),
    GenerateRandomPassword => (
        "POST",
        "/v1/{project_id}/csms/generate-password",
        "Generate a random password",
        optional crate::api::wire::password::PasswordBody
    ),
    ListProjectSecretsTags => (
        "GET",
        "/v1/{project_id}/csms/tags",
        "List the project's tags"
    ),
    ListSecretTask => (
        "GET",
        "/v1/{project_id}/csms/tasks",
        "List rotation tasks",
        query q::ListTasksQuery
    ),
    ListNotificationRecords => (
        "GET",
        "/v1/{project_id}/csms/notification-records",
        "List notification records",
        query q::RecordsQuery
    ),
    CreateSecretEvent => (
        "POST",
        "/v1/{project_id}/csms/events",
        "Create an event",
        required crate::api::wire::events::CreateEventBody
    ),
    ListSecretEvents => (
        "GET",
        "/v1/{project_id}/csms/events",
        "List events",
        query q::NamedPageQuery
    ),
    ShowSecretEvent => (
        "GET",
        "/v1/{project_id}/csms/events/{event_name}",
        "Show an event"
    ),
    UpdateSecretEvent => (
        "PUT",
        "/v1/{project_id}/csms/events/{event_name}",
        "Update an event",
        required crate::api::wire::events::UpdateEventBody
    ),
    DeleteSecretEvent => (
        "DELETE",
        "/v1/{project_id}/csms/events/{event_name}",
        "Delete an event"
    ),
    CreateGrants => (
        "POST",
        "/v1/{project_id}/csms/grants",
        "Create a grant",
        required crate::api::wire::grants::GrantBody
    ),
    ListGrants => (
        "GET",
        "/v1/{project_id}/csms/grants",
        "List grants",
        query q::GrantQuery
    ),
    UpdateGrant => (
        "PUT",
        "/v1/{project_id}/csms/grants",
        "Update a grant",
        required crate::api::wire::grants::GrantBody,
        query q::GrantQuery
    ),
    DeleteGrant => (
        "DELETE",
        "/v1/{project_id}/csms/grants",
        "Delete grants",
        query q::DeleteGrantQuery
    ),
    ListResourceInstances => (
        "POST",
        "/v1/{project_id}/csms/resource_instances/action",
        "Search secrets by tags",
        required crate::api::wire::tags::ResourceFilterBody
    ),
    CreateSecretTag => (
        "POST",
        "/v1/{project_id}/csms/{secret_id}/tags",
        "Add a tag",
        required crate::api::wire::tags::CreateTagBody
    ),
    ListSecretTags => (
        "GET",
        "/v1/{project_id}/csms/{secret_id}/tags",
        "List a secret's tags"
    ),
    BatchCreateOrDeleteTags => (
        "POST",
        "/v1/{project_id}/csms/{secret_id}/tags/action",
        "Add or remove tags in batches",
        required crate::api::wire::tags::TagActionBody
    ),
    DeleteSecretTag => (
        "DELETE",
        "/v1/{project_id}/csms/{secret_id}/tags/{key}",
        "Remove a tag"
    ),
    CreateAgency => (
        "POST",
        "/v1/csms/agencies",
        "Create an agency",
        required crate::api::wire::functions::SecretTypeBody
    ),
    ShowAgency => (
        "GET",
        "/v1/csms/agencies",
        "Show whether an agency was granted",
        query q::AgencyQuery
    ),
    ListUsers => (
        "GET",
        "/v1/csms/users",
        "List users",
        query q::ListUsersQuery
    ),
    UpdateUserPassword => (
        "POST",
        "/v1/csms/users/change-password",
        "Change the user's password",
        required crate::api::wire::users::PasswordChangeBody
    ),
    ShowUserDetail => (
        "GET",
        "/v1/csms/users/{user_id}",
        "Show a user"
    ),
    ShowSecretFunctionTemplates => (
        "GET",
        "/v1/csms/function-templates",
        "Show rotation function templates",
        query q::FunctionTemplatesQuery
    ),
    KeystoneListProjects => (
        "GET",
        "/v3/projects",
        "IAM project lookup",
        query q::KeystoneProjectsQuery
    ),
    EmulatorHealth => (
        "GET",
        "/_emulator/health",
        "Liveness"
    ),
    EmulatorReady => (
        "GET",
        "/_emulator/ready",
        "Readiness"
    ),
    EmulatorShowClock => (
        "GET",
        "/_emulator/clock",
        "Show the emulator's clock"
    ),
    EmulatorSetClock => (
        "POST",
        "/_emulator/clock",
        "Advance, set, freeze or release the clock",
        required crate::api::wire::control::ClockBody
    ),
    EmulatorSetSecretState => (
        "POST",
        "/_emulator/projects/{project_id}/secrets/{secret_name}/state",
        "Set a secret's state",
        required crate::api::wire::control::StateBody
    ),
    EmulatorListFaults => (
        "GET",
        "/_emulator/faults",
        "List fault rules"
    ),
    EmulatorAddFault => (
        "POST",
        "/_emulator/faults",
        "Add a fault rule",
        required crate::control::faults::FaultSpec
    ),
    EmulatorClearFaults => (
        "DELETE",
        "/_emulator/faults",
        "Remove every fault rule"
    ),
    EmulatorDeleteFault => (
        "DELETE",
        "/_emulator/faults/{fault_id}",
        "Remove one fault rule"
    ),
    EmulatorJournal => (
        "GET",
        "/_emulator/journal",
        "The last requests received",
        query q::JournalQuery
    ),
    EmulatorClearJournal => (
        "DELETE",
        "/_emulator/journal",
        "Empty the journal"
    ),
    EmulatorMetrics => (
        "GET",
        "/_emulator/metrics",
        "Prometheus metrics"
    ),
    EmulatorExport => (
        "GET",
        "/_emulator/export",
        "Export the state as a fixture",
        query q::ExportQuery
    ),
    EmulatorReset => (
        "POST",
        "/_emulator/reset",
        "Empty one project or everything",
        query q::ProjectQuery
    ),
    EmulatorSeed => (
        "POST",
        "/_emulator/seed",
        "Load a one-project fixture into the running emulator",
        required crate::api::wire::control::SeedBody,
        query q::ProjectQuery
    ),
    EmulatorOpenApi => (
        "GET",
        "/_emulator/openapi.json",
        "This OpenAPI description"
    ),
    EmulatorSmnSigningCert => (
        "GET",
        "/_emulator/smn/signing-cert.pem",
        "The certificate SMN messages are signed with (PEM)"
    ),
    EmulatorListSmnSubscriptions => (
        "GET",
        "/_emulator/smn/subscriptions",
        "List SMN subscriptions"
    ),
    EmulatorAddSmnSubscription => (
        "POST",
        "/_emulator/smn/subscriptions",
        "Subscribe an HTTP endpoint to an SMN topic",
        required crate::api::wire::smn::SubscriptionBody
    ),
    EmulatorDeleteSmnSubscription => (
        "DELETE",
        "/_emulator/smn/subscriptions/{subscription_urn}",
        "Remove an SMN subscription"
    ),
    EmulatorListSmnDeliveries => (
        "GET",
        "/_emulator/smn/deliveries",
        "The latest SMN delivery attempts"
    ),
    EmulatorListProjects => (
        "GET",
        "/_emulator/projects",
        "Projects and how many secrets each holds"
    ),
    EmulatorBrowseSecrets => (
        "GET",
        "/_emulator/projects/{project_id}/secrets",
        "A page of a project's secrets, filtered by name, state, type and tag",
        query q::BrowseQuery
    ),
    EmulatorConsoleRedirect => (
        "GET",
        "/_emulator/ui",
        "To the web console"
    ),
    EmulatorConsole => (
        "GET",
        "/_emulator/ui/",
        "The web console"
    ),
    EmulatorConsoleAsset => (
        "GET",
        "/_emulator/ui/{asset}",
        "The web console's script and style"
    ),
}
