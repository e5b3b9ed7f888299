//! The OpenAPI 3 description, generated from the same operation table the router and the
//! request classifier use, so a route cannot be served without being described.

use serde_json::{Map, Value, json};

use super::operations::OPERATIONS;

fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            json!({
                "name": name,
                "in": "path",
                "required": true,
                "schema": {"type": "string"}
            })
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

/// The whole document.
#[must_use]
pub fn document() -> Value {
    let mut paths = Map::new();
    for op in OPERATIONS {
        let mut operation = json!({
            "operationId": op.name,
            "summary": op.summary,
            "tags": [tag(op.path)],
            "parameters": path_parameters(op.path),
            "responses": {
                "200": {"description": "Success", "content": {"application/json": {"schema": {"type": "object"}}}},
                "204": {"description": "Success without a body"},
                "default": {
                    "description": "A CSMS error",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
                }
            }
        });
        if matches!(op.method, "POST" | "PUT") {
            operation["requestBody"] = json!({
                "required": false,
                "content": {"application/json": {"schema": {"type": "object"}}}
            });
        }
        let entry = paths
            .entry(op.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(methods) = entry {
            methods.insert(op.method.to_ascii_lowercase(), operation);
        }
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "csms-emulator",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "A local emulator of Huawei Cloud's Cloud Secret Management Service, with its own control API under /_emulator/."
        },
        "paths": paths,
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error_code", "error_msg"],
                    "properties": {
                        "error_code": {"type": "string"},
                        "error_msg": {"type": "string"},
                        "request_id": {"type": "string"}
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_described_once_with_its_path_parameters() {
        let doc = document();
        let mut count = 0;
        for op in OPERATIONS {
            let described = &doc["paths"][op.path][op.method.to_ascii_lowercase()];
            assert_eq!(
                described["operationId"], op.name,
                "{} {}",
                op.method, op.path
            );
            let params = described["parameters"].as_array().unwrap();
            assert_eq!(params.len(), op.path.matches('{').count());
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
}
