//! The fixture file: the JSON document `--seed` loads, `POST /_emulator/seed` takes and
//! `GET /_emulator/export` writes, the files a `--seed` path names, and parsing one into
//! domain records. Export → seed is lossless (with values). Hand-written fixtures may
//! leave out ids, times, keys and stages, and may give times relative to now (`"now"`,
//! `"now-2d"`, `"now+1h"`); parsing fills them in. Checking every rule the API enforces and
//! loading into the store is `service/fixtures.rs`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::clock::Millis;
use crate::domain::event::Event;
use crate::domain::names::{KmsKeyId, ProjectId};
use crate::domain::rotation::SecretType;
use crate::domain::secret::SecretRecord;

mod draft;

use self::draft::relative_time;

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

/// Replaces `"now±N"` strings under time keys, anywhere in the document but in tags (a
/// tag's key is the user's: a tag named `create_time` keeps its value).
fn resolve_times(value: &mut Value, now: Millis, path: &str) -> Result<(), String> {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut().filter(|(key, _)| *key != "tags") {
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
/// `default_key` is the project's default key id.
fn complete_secret(secret: &mut Map<String, Value>, default_key: &Value, now: Millis) {
    set_default(secret, "id", Value::from(uuid::Uuid::new_v4().to_string()));
    set_default(secret, "state", Value::from("ENABLED"));
    set_default(secret, "create_time", Value::from(now));
    let created = secret
        .get("create_time")
        .cloned()
        .unwrap_or(Value::from(now));
    set_default(secret, "update_time", created.clone());
    set_default(secret, "kms_key_id", default_key.clone());
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
///
/// The document is first read as an outline that leaves each project's secrets as raw
/// JSON, borrowed from `text`; each secret is then read on its own. A 1M-secret file
/// (150 MB) never becomes one `Value` tree (several times its size). A document the
/// outline cannot read (a wrong type somewhere) is read the general way, so its error
/// message is the same either way.
pub fn parse(text: &str, file: &Path, now: Millis) -> Result<Fixture, String> {
    let label = format!("seed {}", file.display());
    if let Ok(outline) = serde_json::from_str::<Outline<'_>>(text) {
        let (doc, secrets) = outline.into_parts();
        return read_document(doc, secrets, &label, now);
    }
    let doc: Value =
        serde_json::from_str(text).map_err(|e| format!("{label}: not valid JSON: {e}"))?;
    parse_value(doc, &label, now)
}

/// A document with each project's secrets left as raw JSON. Keys other than `format`,
/// `projects`, `id`, `secrets` and `events` are ignored, as [`Fixture`] ignores them.
#[derive(Deserialize)]
struct Outline<'a> {
    format: Option<Value>,
    #[serde(borrow)]
    projects: Option<Vec<ProjectOutline<'a>>>,
}

#[derive(Deserialize)]
struct ProjectOutline<'a> {
    id: Option<Value>,
    /// Left out: none. Anything but a list (`null` too) fails the outline, and the
    /// general reading reports it.
    #[serde(borrow, default)]
    secrets: Vec<&'a RawValue>,
    events: Option<Value>,
}

impl<'a> Outline<'a> {
    /// The document without its secrets, as the general reading sees it, and each
    /// project's secrets.
    fn into_parts(self) -> (Value, Vec<Vec<&'a RawValue>>) {
        let mut secrets = Vec::new();
        let mut doc = Map::new();
        if let Some(format) = self.format {
            doc.insert("format".to_owned(), format);
        }
        if let Some(projects) = self.projects {
            let projects = projects
                .into_iter()
                .map(|p| {
                    secrets.push(p.secrets);
                    let mut project = Map::new();
                    if let Some(id) = p.id {
                        project.insert("id".to_owned(), id);
                    }
                    if let Some(events) = p.events {
                        project.insert("events".to_owned(), events);
                    }
                    Value::Object(project)
                })
                .collect();
            doc.insert("projects".to_owned(), Value::Array(projects));
        }
        (Value::Object(doc), secrets)
    }
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
    let mut secrets = Vec::new();
    if let Some(Value::Array(projects)) = doc.get_mut("projects") {
        for project in projects.iter_mut() {
            secrets.push(match project.get_mut("secrets") {
                Some(Value::Array(items)) => std::mem::take(items),
                _ => Vec::new(),
            });
        }
    }
    read_document(doc, secrets, label, now)
}

/// One secret of a document: raw, as the outline left it, or a `Value`, as the general
/// reading did.
trait SecretItem {
    /// The secret as a `Value`, its relative times resolved; `path` names it in errors.
    fn into_value(self, now: Millis, path: &str) -> Result<Value, String>;

    /// The completed record when the fast reading (`draft.rs`) takes it.
    fn read_fast(&self, _default_key: &str, _now: Millis) -> Option<SecretRecord> {
        None
    }
}

impl SecretItem for Value {
    fn into_value(mut self, now: Millis, path: &str) -> Result<Value, String> {
        resolve_times(&mut self, now, path)?;
        Ok(self)
    }
}

impl SecretItem for &RawValue {
    fn into_value(self, now: Millis, path: &str) -> Result<Value, String> {
        let mut value: Value =
            serde_json::from_str(self.get()).map_err(|e| format!("{path}: {e}"))?;
        resolve_times(&mut value, now, path)?;
        Ok(value)
    }

    fn read_fast(&self, default_key: &str, now: Millis) -> Option<SecretRecord> {
        draft::read_secret(self.get(), default_key, now)
    }
}

/// Completes and reads secret `j` of project `i`; errors name the place.
fn read_secret(
    item: impl SecretItem,
    default_key: &str,
    now: Millis,
    (i, j): (usize, usize),
) -> Result<SecretRecord, String> {
    if let Some(record) = item.read_fast(default_key, now) {
        return Ok(record);
    }
    let at = format!("projects[{i}].secrets[{j}]");
    let mut secret = item.into_value(now, &format!(".{at}"))?;
    if let Value::Object(secret) = &mut secret {
        complete_secret(secret, &Value::from(default_key), now);
    }
    // The error names the field: `projects[0].secrets[2].next_version: …`.
    serde_path_to_error::deserialize(secret).map_err(|e| match e.path().to_string().as_str() {
        "." => format!("{at}: {}", e.inner()),
        path => format!("{at}.{path}: {}", e.inner()),
    })
}

/// Reads a document whose secrets were taken out of it, `secrets[i]` being project `i`'s.
fn read_document<S: SecretItem>(
    mut doc: Value,
    secrets: Vec<Vec<S>>,
    label: &str,
    now: Millis,
) -> Result<Fixture, String> {
    resolve_times(&mut doc, now, "").map_err(|e| format!("{label}: {e}"))?;
    let mut secrets_of = Vec::with_capacity(secrets.len());
    let projects = match doc.get("projects") {
        Some(Value::Array(projects)) => projects.as_slice(),
        _ => &[],
    };
    for (i, (project, items)) in projects.iter().zip(secrets).enumerate() {
        let id = project
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let project_id =
            ProjectId::parse(id).map_err(|e| format!("{label}: projects[{i}] ({id:?}): {e}"))?;
        let default_key = KmsKeyId::project_default(&project_id).to_owned_string();
        let mut records = Vec::with_capacity(items.len());
        for (j, item) in items.into_iter().enumerate() {
            let record = read_secret(item, &default_key, now, (i, j))
                .map_err(|e| format!("{label}: {e}"))?;
            records.push(record);
        }
        secrets_of.push(records);
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
    fn secrets_given_as_null_are_refused_as_the_general_reading_refuses_them() {
        let text = r#"{"projects":[{"id":"p","secrets":null}]}"#;
        let err = parse(text, Path::new("n.json"), 0).unwrap_err();
        let general = parse_value(serde_json::from_str(text).unwrap(), "seed n.json", 0);
        assert_eq!(Err(err), general);
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

    const NOW: Millis = 10 * 86_400_000;
    const KEY: &str = "0716956c-b25c-51bd-b40e-d00c78dbd23c";

    /// The general reading of one secret (what `mod.rs` falls back to).
    fn general(raw: &str) -> Result<SecretRecord, String> {
        let mut value: Value = serde_json::from_str(raw).map_err(|e| e.to_string())?;
        resolve_times(&mut value, NOW, "")?;
        if let Value::Object(secret) = &mut value {
            complete_secret(secret, &Value::from(KEY), NOW);
        }
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    const ID: &str = r#""id":"1190e47c-3b1d-403b-afd7-4da180e28aa7""#;

    #[test]
    fn the_fast_reading_reads_what_the_general_one_reads_and_nothing_else() {
        let cases = [
            r#"{"name":"a"}"#.to_owned(),
            r#"{"name":"a","versions":[{"secret_string":"x"},{"secret_binary":"eA=="}]}"#.to_owned(),
            r#"{"name":"a","create_time":"now-1d","versions":[{"secret_string":"x","expire_time":"now+2h"}]}"#.to_owned(),
            r#"{"name":"a","create_time":5,"update_time":-7,"versions":[{"number":4,"create_time":"now"}]}"#.to_owned(),
            r#"{"name":"a","stages":[{"name":"SYSCURRENT","version":1,"update_time":"now"}],"next_version":9}"#.to_owned(),
            r#"{"name":"a","kms_key_id":"k","description":"d","secret_type":"RDS-FG","auto_rotation":true,"rotation_period":"30d","rotation_config":"{}","event_subscriptions":["e"],"enterprise_project_id":"p","rotation_func_urn":"u","tags":{"create_time":"now"},"state":"DISABLED","scheduled_delete_time":"now+7d","rotation_time":1,"next_rotation_time":"now","last_used_time":3,"extra":{"x":1}}"#.to_owned(),
            r#"{"name":"a","rotation_period":null,"scheduled_delete_time":null,"versions":[{"secret_string":null,"expire_time":null}]}"#.to_owned(),
            // Refused by both: explicit nulls, wrong types, bad times, numbers out of range.
            r#"{"name":"a","description":null}"#.to_owned(),
            r#"{"name":"a","versions":null}"#.to_owned(),
            r#"{"name":"a","create_time":"soon"}"#.to_owned(),
            r#"{"name":"a","create_time":1.5}"#.to_owned(),
            r#"{"name":"a","last_used_time":"now"}"#.to_owned(),
            r#"{"name":"a","versions":[{"number":4294967295}]}"#.to_owned(),
            r#"{"name":"a","next_version":4294967296}"#.to_owned(),
            r#"{"name":"a","versions":[{"number":"1"}]}"#.to_owned(),
            r#"{"name":"a","stages":[{"name":"S","version":1}]}"#.to_owned(),
            r#"{"versions":[]}"#.to_owned(),
            r#"{"name":"a","id":"not-a-uuid"}"#.to_owned(),
            r#"["name"]"#.to_owned(),
        ];
        for case in cases {
            let raw = if case.starts_with('{') && !case.contains("\"id\"") {
                case.replacen('{', &format!("{{{ID},"), 1)
            } else {
                case.clone()
            };
            let fast = draft::read_secret(&raw, KEY, NOW);
            let general = general(&raw);
            match (&fast, &general) {
                (Some(fast), Ok(general)) => assert_eq!(fast, general, "{raw}"),
                (None, _) => {}
                (Some(_), Err(e)) => {
                    panic!("the fast reading took {raw}, the general one refused it: {e}")
                }
            }
            // Only documents the general reading refuses, or duplicate keys, go the slow way.
            assert_eq!(fast.is_some(), general.is_ok(), "{raw}");
        }
    }

    #[test]
    fn a_duplicate_key_is_left_to_the_general_reading() {
        assert!(draft::read_secret(r#"{"name":"a","name":"b"}"#, KEY, NOW).is_none());
    }
}
