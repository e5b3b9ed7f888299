//! The table of every route the emulator serves: method, path template, the CSMS operation
//! name and a summary. The router's paths, the request classifier (journal, metrics, fault
//! rules name operations through it) and the OpenAPI description all come from this table.

use std::sync::LazyLock;

/// One served route.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    pub method: &'static str,
    /// Path template; `{name}` segments match any one segment, literals take precedence.
    pub path: &'static str,
    /// The SDK's operation name (`CreateSecret`, …), or `Emulator…` for the admin API.
    pub name: &'static str,
    pub summary: &'static str,
    /// The JSON body the handler reads, described from the very type it deserializes.
    pub body: Option<RequestBody>,
}

/// Operations are the same when their method and path are: the table holds each pair once.
impl PartialEq for Operation {
    fn eq(&self, other: &Self) -> bool {
        self.method == other.method && self.path == other.path
    }
}

impl Eq for Operation {}

/// A request body: its JSON Schema, from the Rust type the handler reads, and whether a
/// request may leave it out.
#[derive(Debug, Clone, Copy)]
pub struct RequestBody {
    pub schema: fn(&mut schemars::SchemaGenerator) -> schemars::Schema,
    pub required: bool,
}

/// The schema of `T`, as a function the table can hold.
fn schema_of<T: schemars::JsonSchema>(
    generator: &mut schemars::SchemaGenerator,
) -> schemars::Schema {
    generator.subschema_for::<T>()
}

macro_rules! op {
    ($method:literal, $path:literal, $name:literal, $summary:literal) => {
        Operation {
            method: $method,
            path: $path,
            name: $name,
            summary: $summary,
            body: None,
        }
    };
    ($method:literal, $path:literal, $name:literal, $summary:literal, required $body:ty) => {
        Operation {
            method: $method,
            path: $path,
            name: $name,
            summary: $summary,
            body: Some(RequestBody {
                schema: schema_of::<$body>,
                required: true,
            }),
        }
    };
    ($method:literal, $path:literal, $name:literal, $summary:literal, optional $body:ty) => {
        Operation {
            method: $method,
            path: $path,
            name: $name,
            summary: $summary,
            body: Some(RequestBody {
                schema: schema_of::<$body>,
                required: false,
            }),
        }
    };
}

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

/// What a request is, as far as its method and path tell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Classified {
    pub operation: Option<&'static Operation>,
    pub project: Option<String>,
    pub secret: Option<String>,
    /// Under `/_emulator/`, whether or not an operation matched.
    pub control_path: bool,
}

/// Which part of the emulator a request reaches, as authentication sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Liveness and readiness probes: always open.
    Probe,
    /// The emulator's control API (every project at once).
    Control,
    /// The CSMS API (and the IAM lookup), in `project` when the path names one.
    Csms { project: Option<String> },
}

impl Classified {
    #[must_use]
    pub fn reach(&self) -> Reach {
        match self.operation {
            // Probes, and the console's page and assets, which hold no data: every datum
            // the console shows comes through routes that need their own credentials.
            Some(op)
                if matches!(
                    op.name,
                    "EmulatorHealth"
                        | "EmulatorReady"
                        | "EmulatorConsole"
                        | "EmulatorConsoleAsset"
                        | "EmulatorConsoleRedirect"
                ) =>
            {
                Reach::Probe
            }
            _ if self.control_path => Reach::Control,
            _ => Reach::Csms {
                project: self.project.clone(),
            },
        }
    }
}

fn decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// Each operation with its template split into segments, computed once.
static SPLIT: LazyLock<Vec<(&'static Operation, Vec<&'static str>)>> = LazyLock::new(|| {
    OPERATIONS
        .iter()
        .map(|op| (op, op.path.trim_start_matches('/').split('/').collect()))
        .collect()
});

/// Matches a request against the table: the first operation whose method and template fit,
/// with literal segments preferred (the table lists literals first).
#[must_use]
pub fn classify(method: &str, path: &str) -> Classified {
    let control_path = path == "/_emulator" || path.starts_with("/_emulator/");
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    for (op, template) in SPLIT.iter().filter(|(op, _)| op.method == method) {
        if template.len() != segments.len() {
            continue;
        }
        if !template.iter().zip(&segments).all(|(t, s)| {
            if t.starts_with('{') {
                !s.is_empty()
            } else {
                t == s
            }
        }) {
            continue;
        }
        let mut project = None;
        let mut secret = None;
        let fits = template.iter().zip(&segments).all(|(t, s)| {
            match *t {
                "{project_id}" => project = Some(decode(s)),
                "{secret_name}" => secret = Some(decode(s)),
                _ => {}
            }
            if t.starts_with('{') {
                !s.is_empty()
            } else {
                t == s
            }
        });
        if fits {
            return Classified {
                operation: Some(*op),
                project,
                secret,
                control_path,
            };
        }
    }
    Classified {
        control_path,
        ..Classified::default()
    }
}

/// The operation name for logs, journal and metrics: `Unknown` when no route matches.
#[must_use]
pub fn operation_name(classified: &Classified) -> &'static str {
    classified.operation.map_or("Unknown", |op| op.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_win_over_templates_and_names_are_extracted() {
        let c = classify("POST", "/v1/p1/secrets/batch-import");
        assert_eq!(c.operation.unwrap().name, "BatchImportSecrets");
        let c = classify("GET", "/v1/p1/secrets/batch-import");
        assert_eq!(c.operation.unwrap().name, "ShowSecret");
        assert_eq!(c.secret.as_deref(), Some("batch-import"));
        assert_eq!(c.project.as_deref(), Some("p1"));
        let c = classify("GET", "/v1/p1/secrets/s/versions/v1");
        assert_eq!(c.operation.unwrap().name, "ShowSecretVersion");
        assert_eq!(
            classify("GET", "/v1/p1/csms/events/tags")
                .operation
                .unwrap()
                .name,
            "ShowSecretEvent"
        );
        assert_eq!(
            classify("GET", "/v1/p1/csms/abc/tags")
                .operation
                .unwrap()
                .name,
            "ListSecretTags"
        );
        assert_eq!(
            classify("DELETE", "/v1/p1/csms/abc/tags/action")
                .operation
                .unwrap()
                .name,
            "DeleteSecretTag"
        );
        assert!(classify("PATCH", "/v1/p1/secrets").operation.is_none());
        assert!(classify("GET", "/nothing").operation.is_none());
    }

    #[test]
    fn every_operation_name_is_unique_per_method_and_path() {
        let mut seen = std::collections::BTreeSet::new();
        for op in OPERATIONS {
            assert!(
                seen.insert((op.method, op.path)),
                "{} {}",
                op.method,
                op.path
            );
        }
        // the 46 CSMS operations are all there
        let csms = OPERATIONS
            .iter()
            .filter(|op| op.path.starts_with("/v1/"))
            .count();
        assert_eq!(csms, 46);
    }
}
