//! The OpenAPI 3 description, generated from the same operation table the router and the
//! request classifier use, so a route cannot be served without being described. Request
//! bodies are described from the Rust types the handlers deserialize (fields, types,
//! patterns, lengths and ranges, through `schemars`), so they cannot drift either.

use schemars::generate::SchemaSettings;
use schemars::transform::{Transform, transform_subschemas};
use serde_json::{Map, Value, json};

use super::operations::Operation;

/// The media type `GET /_emulator/metrics` answers with.
pub const OPENMETRICS_TEXT: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Operations that succeed with 204 and no body (their Huawei definitions say 204; the
/// control API's clearing routes do the same).
const NO_CONTENT: &[Operation] = &[
    Operation::BatchCreateOrDeleteTags,
    Operation::CreateSecretTag,
    Operation::DeleteGrant,
    Operation::DeleteSecretEvent,
    Operation::DeleteSecretStage,
    Operation::DeleteSecretTag,
    Operation::EmulatorClearFaults,
    Operation::EmulatorDeleteFault,
    Operation::EmulatorClearJournal,
    Operation::EmulatorReset,
    Operation::EmulatorDeleteSmnSubscription,
];

/// The success answers of an operation, by status.
fn success(op: Operation) -> Value {
    match op {
        op if NO_CONTENT.contains(&op) => {
            json!({"204": {"description": "Success, without a body"}})
        }
        // DeleteSecret.json: 200 with no body.
        Operation::DeleteSecret => json!({"200": {"description": "Success, without a body"}}),
        Operation::EmulatorConsole => json!({"200": {
            "description": "The web console",
            "content": {"text/html; charset=utf-8": {"schema": {"type": "string"}}}
        }}),
        Operation::EmulatorConsoleAsset => json!({"200": {
            "description": "The console's script or style",
            "content": {
                "text/javascript; charset=utf-8": {"schema": {"type": "string"}},
                "text/css; charset=utf-8": {"schema": {"type": "string"}}
            }
        }}),
        Operation::EmulatorConsoleRedirect => json!({"308": {"description": "To /_emulator/ui/"}}),
        Operation::EmulatorSmnSigningCert => json!({"200": {
            "description": "The signing certificate, PEM",
            "content": {"application/x-pem-file": {"schema": {"type": "string"}}}
        }}),
        Operation::EmulatorAddSmnSubscription => json!({"201": {
            "description": "The subscription, confirmed",
            "content": {"application/json": {"schema": {"type": "object"}}}
        }}),
        Operation::EmulatorMetrics => json!({"200": {
            "description": "OpenMetrics text",
            "content": {OPENMETRICS_TEXT: {"schema": {"type": "string"}}}
        }}),
        _ => json!({"200": {
            "description": "Success",
            "content": {"application/json": {"schema": {"type": "object"}}}
        }}),
    }
}

/// The schema of a path parameter: the pattern the emulator checks it against.
fn path_parameter_schema(name: &str) -> Value {
    use crate::api::wire::queries::VERSION_ID_PATTERN;
    use crate::domain::names::{DOTTED_NAME_PATTERN, NAME_PATTERN};
    match name {
        "project_id" | "stage_name" => json!({"type": "string", "pattern": NAME_PATTERN}),
        "secret_name" | "event_name" => json!({"type": "string", "pattern": DOTTED_NAME_PATTERN}),
        "version_id" => json!({"type": "string", "pattern": VERSION_ID_PATTERN}),
        "secret_id" => json!({"type": "string", "format": "uuid"}),
        // a rule's number as the fault list gives it: 19 digits always fit a u64
        "fault_id" => json!({"type": "string", "pattern": "^[0-9]{1,19}$"}),
        _ => json!({"type": "string"}),
    }
}

fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            json!({
                "name": name,
                "in": "path",
                "required": true,
                "schema": path_parameter_schema(name)
            })
        })
        .collect()
}

/// A query type's fields as OpenAPI query parameters: each property with its schema
/// (less the `nullable` an `Option` adds: a parameter left out is how a query says
/// nothing), required where the type says so.
fn query_parameters(schema: schemars::Schema) -> Vec<Value> {
    let schema = schema.to_value();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = schema["properties"].as_object() else {
        return Vec::new();
    };
    properties
        .iter()
        .map(|(name, property)| {
            let mut property = property.clone();
            let mut parameter = json!({
                "name": name,
                "in": "query",
                "required": required.contains(&name.as_str()),
            });
            if let Value::Object(fields) = &mut property {
                fields.remove("nullable");
                if let Some(description) = fields.remove("description") {
                    parameter["description"] = description;
                }
            }
            parameter["schema"] = property;
            parameter
        })
        .collect()
}

fn tag(path: &str) -> &'static str {
    if path.starts_with("/_emulator") {
        "emulator"
    } else if path.starts_with("/v3") {
        "iam"
    } else {
        "csms"
    }
}

/// Drops the `null` an `Option` adds to a schema (`type: [T, "null"]`, or an `anyOf`
/// with a null branch), so a request field is optional without being nullable.
#[derive(Debug, Clone)]
struct NotNullable;

impl Transform for NotNullable {
    fn transform(&mut self, schema: &mut schemars::Schema) {
        transform_subschemas(self, schema);
        if let Some(Value::Array(types)) = schema.get_mut("type") {
            types.retain(|t| t != "null");
            if let [only] = types.as_slice() {
                let only = only.clone();
                schema.insert("type".to_owned(), only);
            }
        }
        let Some(Value::Array(branches)) = schema.get_mut("anyOf") else {
            return;
        };
        branches.retain(|branch| branch.get("type").is_none_or(|t| t != "null"));
        if let [only] = branches.as_slice() {
            let only = only.clone();
            schema.remove("anyOf");
            if let (Some(fields), Value::Object(branch)) = (schema.as_object_mut(), only) {
                fields.extend(branch);
            }
        }
    }
}

/// The whole document.
#[must_use]
pub fn document() -> Value {
    // An optional field is one a request may leave out; Huawei's definitions never mark
    // one nullable, so neither does this document (a null is still read as absent).
    let settings = SchemaSettings::openapi3().with(|settings| {
        settings.transforms.insert(0, Box::new(NotNullable));
    });
    let mut generator = settings.clone().into_generator();
    // Query parameters are listed one by one, so their type is read whole, not by reference.
    let mut inline = settings
        .with(|settings| settings.inline_subschemas = true)
        .into_generator();
    let mut paths = Map::new();
    for &op in Operation::ALL {
        let spec = op.spec();
        let mut operation = json!({
            "operationId": spec.name,
            "summary": spec.summary,
            "tags": [tag(spec.path)],
            "parameters": path_parameters(spec.path),
        });
        if let Some(query) = spec.query {
            if let Value::Array(parameters) = &mut operation["parameters"] {
                let mut schema = (query.schema)(&mut inline);
                for transform in inline.transforms_mut() {
                    transform.transform(&mut schema);
                }
                parameters.extend(query_parameters(schema));
            }
        }
        let mut responses = success(op);
        responses["default"] = json!({
            "description": "A CSMS error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        });
        operation["responses"] = responses;
        if let Some(body) = spec.body {
            let schema = (body.wire.schema)(&mut generator);
            operation["requestBody"] = json!({
                "required": body.required,
                "content": {"application/json": {"schema": schema}}
            });
        }
        let entry = paths
            .entry(spec.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(methods) = entry {
            methods.insert(spec.method.to_ascii_lowercase(), operation);
        }
    }
    let mut schemas: Map<String, Value> = generator.take_definitions(true);
    schemas.insert(
        "Error".to_owned(),
        json!({
            "type": "object",
            "required": ["error_code", "error_msg"],
            "properties": {
                "error_code": {"type": "string"},
                "error_msg": {"type": "string"},
                "request_id": {"type": "string"}
            }
        }),
    );
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "csms-emulator",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "A local emulator of Huawei Cloud's Cloud Secret Management Service, with its own control API under /_emulator/."
        },
        "paths": paths,
        "components": {"schemas": schemas}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_described_once_with_its_path_parameters() {
        let doc = document();
        let mut count = 0;
        for &op in Operation::ALL {
            let described = &doc["paths"][op.path()][op.method().to_ascii_lowercase()];
            assert_eq!(described["operationId"], op.name(), "{op:?}");
            let params = described["parameters"].as_array().unwrap();
            let in_path = params.iter().filter(|p| p["in"] == "path").count();
            assert_eq!(in_path, op.path().matches('{').count());
            let in_query = params.iter().filter(|p| p["in"] == "query").count();
            assert_eq!(in_query > 0, op.spec().query.is_some(), "{op:?}");
            count += 1;
        }
        let described: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|m| m.as_object().unwrap().len())
            .sum();
        assert_eq!(described, count);
        assert_eq!(doc["openapi"], "3.0.3");
    }

    #[test]
    fn request_bodies_are_described_from_the_types_the_handlers_read() {
        let doc = document();
        let body = |path: &str, method: &str| doc["paths"][path][method]["requestBody"].clone();
        let create = body("/v1/{project_id}/secrets", "post");
        assert_eq!(create["required"], true);
        let reference = create["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap();
        let name = reference.rsplit('/').next().unwrap();
        let schema = &doc["components"]["schemas"][name];
        assert_eq!(
            schema["properties"]["name"]["pattern"],
            crate::domain::names::NAME_PATTERN
        );
        assert_eq!(
            schema["properties"]["secret_string"]["maxLength"],
            crate::domain::limits::VALUE_MAX_BYTES
        );
        assert_eq!(schema["required"], json!(["name"]));
        let bodiless = [
            "/v1/{project_id}/secrets/{secret_name}/backup",
            "/v1/{project_id}/secrets/{secret_name}/rotate",
            "/_emulator/reset",
        ];
        for path in bodiless {
            assert!(body(path, "post").is_null(), "{path}");
        }
        let optional = body("/v1/{project_id}/csms/generate-password", "post");
        assert_eq!(optional["required"], false);
        let clock = body("/_emulator/clock", "post");
        assert!(clock["content"]["application/json"]["schema"]["$ref"].is_string());
    }

    /// The query parameters of one operation, by name.
    fn query_of(doc: &Value, path: &str, method: &str) -> Map<String, Value> {
        doc["paths"][path][method]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["in"] == "query")
            .map(|p| (p["name"].as_str().unwrap().to_owned(), p.clone()))
            .collect()
    }

    #[test]
    fn query_parameters_are_described_from_the_types_the_handlers_read() {
        let doc = document();
        let users = query_of(&doc, "/v1/csms/users", "get");
        assert_eq!(users["offset"]["required"], true);
        assert_eq!(users["offset"]["schema"]["type"], "integer");
        assert_eq!(users["limit"]["schema"]["minimum"], 10);
        assert_eq!(users["limit"]["schema"]["maximum"], 100);
        assert_eq!(users["user_info"]["required"], false);
        let agency = query_of(&doc, "/v1/csms/agencies", "get");
        assert_eq!(agency["secret_type"]["required"], true);
        assert_eq!(
            agency["secret_type"]["schema"]["enum"],
            json!(["RDS-FG", "GaussDB-FG"])
        );
        for method in ["get", "put", "delete"] {
            let grants = query_of(&doc, "/v1/{project_id}/csms/grants", method);
            assert_eq!(grants["resource_id"]["required"], true, "{method}");
        }
        assert!(query_of(&doc, "/v1/{project_id}/csms/grants", "post").is_empty());
        let secrets = query_of(&doc, "/v1/{project_id}/secrets", "get");
        let names: Vec<&String> = secrets.keys().collect();
        assert_eq!(names, ["event_name", "limit", "marker"]);
        assert_eq!(
            secrets["marker"]["schema"],
            json!({"type": "string", "pattern": crate::domain::names::NAME_PATTERN})
        );
        let browse = query_of(&doc, "/_emulator/projects/{project_id}/secrets", "get");
        assert!(browse.contains_key("type") && !browse.contains_key("secret_type"));
    }

    #[test]
    fn answers_are_described_with_their_status_and_media_type() {
        let doc = document();
        let responses = |path: &str, method: &str| doc["paths"][path][method]["responses"].clone();
        let metrics = responses("/_emulator/metrics", "get");
        assert!(metrics["200"]["content"][OPENMETRICS_TEXT].is_object());
        assert!(metrics["200"]["content"]["application/json"].is_null());
        let delete_stage = responses(
            "/v1/{project_id}/secrets/{secret_name}/stages/{stage_name}",
            "delete",
        );
        assert!(delete_stage["204"].is_object() && delete_stage["200"].is_null());
        let delete_secret = responses("/v1/{project_id}/secrets/{secret_name}", "delete");
        assert!(delete_secret["200"]["content"].is_null());
        for op in NO_CONTENT {
            let described = &doc["paths"][op.path()][op.method().to_ascii_lowercase()];
            assert!(described["responses"]["204"].is_object(), "{op:?}");
        }
    }
}
