//! Random requests over the whole operation table, from a fixed seed: every operation,
//! its own method or another, hostile path segments and queries, and bodies of random
//! JSON under the field names its schema declares, or not JSON at all. Whatever arrives,
//! the answer is never a 5xx, and every 4xx is CSMS-shaped. The same app takes every
//! request, so later ones meet the state earlier ones left.

use axum::body::Body;
use axum::http::Request;
use csms_emulator::api::operations::{Operation, WireType};
use proptest::prelude::Rng;
use proptest::test_runner::{RngAlgorithm, TestRng};
use serde_json::{Value, json};

use crate::helpers::{PROJECT, TestApp};

/// Requests sent: about a second and a half in all.
const REQUESTS: usize = 3_000;

/// The operations left out: each would make later answers 5xx on purpose (fault rules),
/// reach out of the process (SMN subscriptions deliver over HTTP), or tie the clock to
/// the system's, so that the same seed would not give the same run.
const LEFT_OUT: [Operation; 3] = [
    Operation::EmulatorAddFault,
    Operation::EmulatorAddSmnSubscription,
    Operation::EmulatorSetClock,
];

/// Path segments: names that exist, names that do not, and names no rule takes.
const SEGMENTS: &[&str] = &[
    "s1",
    "s2",
    "e1",
    "v1",
    "v2",
    "latest",
    "SYSCURRENT",
    "SYSPREVIOUS",
    "env",
    "missing",
    "%2e%2e",
    ".",
    "a%2Fb",
    "%00",
    "%C3%BC",
    "%FF",
    "a%20b",
    "-",
    "_",
    "v0",
    "v-1",
    "v99999999999999999999",
    "null",
    "0",
    "-1",
];

/// Strings a field may get: plausible ones first, then hostile ones.
const STRINGS: &[&str] = &[
    "s1",
    "s2",
    "e1",
    "new1",
    "v1",
    "v2",
    "SYSCURRENT",
    "SYSPREVIOUS",
    "custom",
    "env",
    "prod",
    "30d",
    "6h",
    "367d",
    "COMMON",
    "RDS-FG",
    "ENABLED",
    "DISABLED",
    "FROZEN",
    "SECRET_VERSION_CREATED",
    "SMN",
    "create",
    "delete",
    "dmFsdWU=",
    "2030-01-01",
    "1796584112602",
    "{\"InstanceId\":\"i-1\",\"SecretSubType\":\"SingleUser\"}",
    "",
    " ",
    "\u{0}",
    "../..",
    "ü",
    "%00",
    "a/b",
    "_sys_key",
    "\u{202e}",
    "-1",
    "1e309",
];

fn pick<'a, T>(rng: &mut TestRng, from: &'a [T]) -> &'a T {
    &from[rng.random_range(0..from.len())]
}

/// Every property name a schema names, nested ones and those of its definitions included.
fn field_names(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get("properties") {
                out.extend(properties.keys().cloned());
            }
            map.values().for_each(|v| field_names(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| field_names(v, out)),
        _ => {}
    }
}

fn schema_fields(wire: WireType) -> Vec<String> {
    let schema = (wire.schema)(&mut schemars::SchemaGenerator::default());
    let mut names = Vec::new();
    field_names(schema.as_value(), &mut names);
    names.sort();
    names.dedup();
    names
}

/// A random JSON value, `depth` levels deep at most.
fn value(rng: &mut TestRng, fields: &[String], depth: u32) -> Value {
    match rng.random_range(0..if depth == 0 { 6 } else { 9 }) {
        0 => Value::Null,
        1 => json!(rng.random_bool(0.5)),
        2 => json!(*pick(
            rng,
            &[
                0_i64,
                1,
                -1,
                7,
                30,
                200,
                4_102_444_800_000,
                i64::MAX,
                i64::MIN
            ]
        )),
        3 => json!(*pick(rng, &[0.5_f64, -0.0, 1e300])),
        4 | 5 => json!(pick(rng, STRINGS)),
        6 => json!("x".repeat(*pick(rng, &[65, 2049, 70_000]))),
        7 => Value::Array(
            (0..rng.random_range(0..4))
                .map(|_| value(rng, fields, depth - 1))
                .collect(),
        ),
        _ => object(rng, fields, depth - 1),
    }
}

/// An object under some of `fields`, now and then one the schema does not name.
fn object(rng: &mut TestRng, fields: &[String], depth: u32) -> Value {
    let mut map = serde_json::Map::new();
    for name in fields {
        if rng.random_bool(0.5) {
            map.insert(name.clone(), value(rng, fields, depth));
        }
    }
    if rng.random_bool(0.1) {
        map.insert("unknown".into(), value(rng, fields, depth));
    }
    Value::Object(map)
}

/// A path from `template`, each `{…}` segment filled at random.
fn path(rng: &mut TestRng, template: &str) -> String {
    template
        .split('/')
        .map(|segment| {
            if segment == "{project_id}" && rng.random_bool(0.9) {
                PROJECT.to_owned()
            } else if segment.starts_with('{') {
                if rng.random_bool(0.05) {
                    "x".repeat(300)
                } else {
                    (*pick(rng, SEGMENTS)).to_owned()
                }
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A query string under some of `fields`, each value percent-encoded or not.
fn query(rng: &mut TestRng, fields: &[String]) -> String {
    let mut pairs = Vec::new();
    for name in fields {
        if rng.random_bool(0.5) {
            let raw = match value(rng, &[], 0) {
                Value::String(s) => s,
                other => other.to_string(),
            };
            let text =
                percent_encoding::utf8_percent_encode(&raw, percent_encoding::NON_ALPHANUMERIC);
            pairs.push(format!("{name}={text}"));
        }
    }
    match rng.random_range(0..20) {
        0 => "?limit=%ff&&==&".to_owned(),
        _ if pairs.is_empty() => String::new(),
        _ => format!("?{}", pairs.join("&")),
    }
}

/// One random request to `operation`, and how to tell it in a failure.
fn request(rng: &mut TestRng, operation: Operation) -> (Request<Body>, String) {
    let spec = operation.spec();
    let method = if rng.random_bool(0.9) {
        spec.method
    } else {
        *pick(rng, &["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
    };
    let query_fields = spec.query.map(schema_fields).unwrap_or_default();
    let uri = format!("{}{}", path(rng, spec.path), query(rng, &query_fields));
    let body_fields = spec.body.map(|b| schema_fields(b.wire)).unwrap_or_default();
    let body: Vec<u8> = match rng.random_range(0..20) {
        0 => b"{".to_vec(),
        1 => (0..rng.random_range(0..64)).map(|_| rng.random()).collect(),
        2 => b"[]".to_vec(),
        3 => Vec::new(),
        4 => format!("{}{}", "{\"a\":".repeat(300), "}".repeat(300)).into_bytes(),
        _ => object(rng, &body_fields, 3).to_string().into_bytes(),
    };
    let content_type = *pick(
        rng,
        &[
            "application/json",
            "application/json;charset=utf-8",
            "text/plain",
            "",
        ],
    );
    let mut builder = Request::builder().method(method).uri(&uri);
    if !content_type.is_empty() {
        builder = builder.header("content-type", content_type);
    }
    let shown = format!(
        "{method} {uri} ({content_type}) {}",
        String::from_utf8_lossy(&body)
    );
    (builder.body(Body::from(body)).unwrap(), shown)
}

#[test]
fn random_requests_to_every_operation_never_get_a_5xx_and_every_4xx_is_csms_shaped() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let app = runtime.block_on(async { TestApp::new() });
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let operations: Vec<Operation> = Operation::ALL
        .iter()
        .copied()
        .filter(|op| !LEFT_OUT.contains(op))
        .collect();
    let mut answered = std::collections::BTreeMap::<u16, usize>::new();
    for n in 0..REQUESTS {
        let operation = *pick(&mut rng, &operations);
        let (request, shown) = request(&mut rng, operation);
        let answer = runtime.block_on(app.send(request));
        let status = answer.status.as_u16();
        *answered.entry(status).or_default() += 1;
        assert!(
            status < 500,
            "request {n}: {shown}\n  got {status}: {}",
            answer.raw
        );
        if status >= 400 {
            assert!(
                answer.body["error_code"].is_string() && answer.body["error_msg"].is_string(),
                "request {n}: {shown}\n  got {status}: {}",
                answer.raw
            );
        }
    }
    // The requests reached past the checks: some were served, some refused.
    assert!(
        answered.get(&200).copied().unwrap_or(0) > REQUESTS / 20,
        "{answered:?}"
    );
    assert!(
        answered.get(&400).copied().unwrap_or(0) > REQUESTS / 20,
        "{answered:?}"
    );
    let health = runtime.block_on(app.get("/_emulator/health"));
    assert_eq!(health.status.as_u16(), 200, "{}", health.raw);
}
