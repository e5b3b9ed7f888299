//! The fixture file: the JSON document `--seed` loads, `POST /_emulator/seed` takes and
//! `GET /_emulator/export` writes, the files a `--seed` path names, and parsing one into
//! domain records. Export → seed is lossless (with values). Hand-written fixtures may
//! leave out ids, times, keys and stages, and may give times relative to now (`"now"`,
//! `"now-2d"`, `"now+1h"`); parsing fills them in. Checking every rule the API enforces and
//! loading into the store is `service/fixtures.rs`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::clock::{Millis, parse_duration};
use crate::domain::event::Event;
use crate::domain::names::{KmsKeyId, ProjectId};
use crate::domain::rotation::SecretType;
use crate::domain::secret::SecretRecord;

/// The format version of fixture documents.
pub const FIXTURE_FORMAT: u32 = 1;

/// A whole document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Fixture {
    pub format: u32,
    pub projects: Vec<ProjectFixture>,
}

/// One project's secrets and events.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProjectFixture {
    pub id: String,
    #[serde(default)]
    pub secrets: Vec<SecretRecord>,
    #[serde(default)]
    pub events: Vec<Event>,
}

const TIME_KEYS: [&str; 6] = [
    "create_time",
    "update_time",
    "scheduled_delete_time",
    "rotation_time",
    "next_rotation_time",
    "expire_time",
];

fn relative_time(raw: &str, now: Millis) -> Option<Millis> {
    let rest = raw.strip_prefix("now")?;
    if rest.is_empty() {
        return Some(now);
    }
    if let Some(duration) = rest.strip_prefix('+') {
        now.checked_add(parse_duration(duration)?)
    } else {
        now.checked_sub(parse_duration(rest.strip_prefix('-')?)?)
    }
}

/// Replaces `"now±N"` strings under time keys, anywhere in the document.
fn resolve_times(value: &mut Value, now: Millis, path: &str) -> Result<(), String> {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let here = format!("{path}.{key}");
                if TIME_KEYS.contains(&key.as_str()) {
                    if let Value::String(s) = v {
                        let at = relative_time(s, now).ok_or_else(|| {
                            format!(
                                "{here}: {s:?} is not a time (ms, \"now\", \"now-2d\", \"now+1h\")"
                            )
                        })?;
                        *v = Value::from(at);
                    }
                }
                resolve_times(v, now, &here)?;
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                resolve_times(v, now, &format!("{path}[{i}]"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn set_default(map: &mut Map<String, Value>, key: &str, value: Value) {
    map.entry(key.to_owned()).or_insert(value);
}

/// Fills in what a hand-written secret may leave out.
fn complete_secret(secret: &mut Map<String, Value>, project: &ProjectId, now: Millis) {
    set_default(secret, "id", Value::from(uuid::Uuid::new_v4().to_string()));
    set_default(secret, "state", Value::from("ENABLED"));
    set_default(secret, "create_time", Value::from(now));
    let created = secret
        .get("create_time")
        .cloned()
        .unwrap_or(Value::from(now));
    set_default(secret, "update_time", created.clone());
    let default_key = KmsKeyId::project_default(project).to_owned_string();
    set_default(secret, "kms_key_id", Value::from(default_key));
    let key = secret.get("kms_key_id").cloned().unwrap_or(Value::Null);
    for (field, default) in [
        ("description", Value::from("")),
        ("secret_type", Value::from(SecretType::Common.as_str())),
        ("auto_rotation", Value::from(false)),
        ("event_subscriptions", Value::Array(Vec::new())),
        (
            "enterprise_project_id",
            Value::from(crate::domain::secret::DEFAULT_ENTERPRISE_PROJECT),
        ),
        ("tags", Value::Object(Map::new())),
        ("scheduled_delete_time", Value::Null),
        ("rotation_time", Value::Null),
        ("next_rotation_time", Value::Null),
        ("rotation_period", Value::Null),
        ("rotation_config", Value::Null),
        ("rotation_func_urn", Value::Null),
    ] {
        set_default(secret, field, default);
    }
    let mut last = 0;
    if let Some(Value::Array(versions)) = secret.get_mut("versions") {
        for (i, v) in versions.iter_mut().enumerate() {
            if let Value::Object(v) = v {
                set_default(v, "number", Value::from(i + 1));
                set_default(v, "create_time", created.clone());
                set_default(v, "kms_key_id", key.clone());
                set_default(v, "expire_time", Value::Null);
                set_default(v, "secret_string", Value::Null);
                set_default(v, "secret_binary", Value::Null);
                set_default(v, "expiry_notified", Value::from(false));
                last = last.max(v.get("number").and_then(Value::as_u64).unwrap_or(0));
            }
        }
    }
    // Saturating: a number past u32 is refused when the record is read, not wrapped here.
    set_default(secret, "next_version", Value::from(last.saturating_add(1)));
    if !secret.contains_key("stages") {
        secret.insert(
            "stages".to_owned(),
            serde_json::json!([{ "name": "SYSCURRENT", "version": last, "update_time": created }]),
        );
    }
}

/// Parses one fixture document; errors name the file and the place.
pub fn parse(text: &str, file: &Path, now: Millis) -> Result<Fixture, String> {
    let label = format!("seed {}", file.display());
    let doc: Value =
        serde_json::from_str(text).map_err(|e| format!("{label}: not valid JSON: {e}"))?;
    parse_value(doc, &label, now)
}

/// A fixture sent to a running emulator (`POST /_emulator/seed`): it must hold exactly one
/// project, which loads as one transaction. With `target`, that project is loaded under
/// the target's id instead of its own, before defaults (such as the project's default key)
/// are filled in. Errors begin with `label`.
pub fn parse_one_project(
    mut doc: Value,
    target: Option<&ProjectId>,
    label: &str,
    now: Millis,
) -> Result<Fixture, String> {
    let count = match doc.get_mut("projects") {
        Some(Value::Array(projects)) => {
            if let (Some(target), [Value::Object(project)]) = (target, projects.as_mut_slice()) {
                project.insert("id".to_owned(), Value::from(target.to_string()));
            }
            projects.len()
        }
        _ => return Err(format!("{label}: projects: a list of projects is required")),
    };
    if count != 1 {
        return Err(format!(
            "{label}: projects: holds {count} projects; a fixture loaded at run time holds \
             exactly one (send one request per project)"
        ));
    }
    parse_value(doc, label, now)
}

/// Completes and reads a fixture document: relative times resolved, what a hand-written
/// secret may leave out filled in, every field of the right type. Secrets are completed
/// and read one at a time, each dropped from the document as it is read, so a large
/// fixture never holds a second, completed copy of itself.
fn parse_value(mut doc: Value, label: &str, now: Millis) -> Result<Fixture, String> {
    resolve_times(&mut doc, now, "").map_err(|e| format!("{label}: {e}"))?;
    let mut secrets_of = Vec::new();
    if let Some(Value::Array(projects)) = doc.get_mut("projects") {
        for (i, project) in projects.iter_mut().enumerate() {
            let id = project
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let project_id = ProjectId::parse(&id)
                .map_err(|e| format!("{label}: projects[{i}] ({id:?}): {e}"))?;
            let secrets = match project.get_mut("secrets") {
                Some(Value::Array(secrets)) => std::mem::take(secrets),
                _ => Vec::new(),
            };
            let mut records = Vec::with_capacity(secrets.len());
            for (j, mut secret) in secrets.into_iter().enumerate() {
                if let Value::Object(secret) = &mut secret {
                    complete_secret(secret, &project_id, now);
                }
                // The error names the field: `projects[0].secrets[2].next_version: …`.
                let record: SecretRecord =
                    serde_path_to_error::deserialize(secret).map_err(|e| {
                        let at = format!("projects[{i}].secrets[{j}]");
                        match e.path().to_string().as_str() {
                            "." => format!("{label}: {at}: {}", e.inner()),
                            path => format!("{label}: {at}.{path}: {}", e.inner()),
                        }
                    })?;
                records.push(record);
            }
            secrets_of.push(records);
        }
    }
    if let Value::Object(map) = &mut doc {
        set_default(map, "format", Value::from(FIXTURE_FORMAT));
    }
    let mut fixture: Fixture = serde_path_to_error::deserialize(doc)
        .map_err(|e| format!("{label}: {}: {}", e.path(), e.inner()))?;
    if fixture.format > FIXTURE_FORMAT {
        return Err(format!(
            "{label}: format {} is newer than {FIXTURE_FORMAT}",
            fixture.format
        ));
    }
    for (project, secrets) in fixture.projects.iter_mut().zip(secrets_of) {
        project.secrets = secrets;
    }
    Ok(fixture)
}

/// The fixture files a `--seed` path names: the file, or every `*.json` in the directory
/// in name order.
pub fn files(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("seed {}: {e}", path.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        Ok(files)
    } else {
        Ok(vec![path.to_path_buf()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_resolve_against_now() {
        assert_eq!(relative_time("now", 1_000), Some(1_000));
        assert_eq!(relative_time("now-1s", 1_000), Some(0));
        assert_eq!(relative_time("now+2m", 0), Some(120_000));
        assert_eq!(relative_time("yesterday", 0), None);
        assert_eq!(relative_time("now*2d", 0), None);
        for multibyte in ["nowé", "now-é", "now+1é", "nowé1d"] {
            assert_eq!(relative_time(multibyte, 0), None, "{multibyte}");
        }
    }

    #[test]
    fn a_minimal_secret_is_completed() {
        let text = r#"{"projects":[{"id":"p","secrets":[{"name":"db","create_time":"now-1d","versions":[{"secret_string":"a"},{"secret_string":"b"}]}]}]}"#;
        let fixture = parse(text, Path::new("f.json"), 10 * 86_400_000).unwrap();
        let secret = &fixture.projects[0].secrets[0];
        assert_eq!(secret.create_time, 9 * 86_400_000);
        assert_eq!(secret.next_version, 3);
        assert_eq!(secret.stages[0].version, 2);
        assert_eq!(secret.versions[1].kms_key_id, secret.kms_key_id);
    }

    #[test]
    fn errors_name_the_file_and_the_place() {
        let err = parse(r#"{"projects":[{"id":"bad id"}]}"#, Path::new("x.json"), 0).unwrap_err();
        assert!(
            err.contains("x.json") && err.contains("projects[0]"),
            "{err}"
        );
        let err = parse(r#"{"projects":[{"id":"p","secrets":[{"name":"s","create_time":"soon","versions":[]}]}]}"#, Path::new("y.json"), 0).unwrap_err();
        assert!(
            err.contains("y.json") && err.contains("create_time"),
            "{err}"
        );
    }
}
