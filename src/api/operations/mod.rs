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
    (@with $method:literal, $path:literal, $name:literal, $summary:literal, $body:expr) => {
        Operation {
            method: $method,
            path: $path,
            name: $name,
            summary: $summary,
            body: $body,
        }
    };
    ($method:literal, $path:literal, $name:literal, $summary:literal) => {
        op!(@with $method, $path, $name, $summary, None)
    };
    ($method:literal, $path:literal, $name:literal, $summary:literal, required $body:ty) => {
        op!(@with $method, $path, $name, $summary, Some(RequestBody {
            schema: schema_of::<$body>,
            required: true,
        }))
    };
    ($method:literal, $path:literal, $name:literal, $summary:literal, optional $body:ty) => {
        op!(@with $method, $path, $name, $summary, Some(RequestBody {
            schema: schema_of::<$body>,
            required: false,
        }))
    };
}

mod table;
pub use table::OPERATIONS;

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
