//! The durable store's tests: the store contract, reopening, formats and migrations, file
//! modes, keys, disk failures and the WAL's bounds.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use rusqlite::{Connection, params};

use super::backend::Checkpoints;
use super::checkpoint::checkpoint_passes;
use super::writer::{Failure, Job, Reply, Writer, writer_loop};
use super::*;
use crate::domain::names::{ProjectId, VersionRef};
use crate::domain::secret::{NewVersion, Secret, SecretSettings};
use crate::domain::value::SecretValue;
use crate::error::StoreError;
use crate::store::vault::Vault;
use crate::store::{ProjectData, Store, Writes, contract, durability, read, transact};

fn new_secret(name: &str, value: &str) -> Secret {
    Secret::create(
        uuid::Uuid::new_v4(),
        SecretSettings::for_test(name),
        SecretValue::Text(value.into()),
        1,
    )
    .unwrap()
}

fn put_secret(store: &dyn Store, project: &ProjectId, name: &str, value: &str) {
    transact(store, project, |tx| {
        tx.put(new_secret(name, value));
        Ok(())
    })
    .unwrap();
}

/// Every secret of `project`, whole (values included), by name.
fn images(store: &dyn Store, project: &ProjectId) -> Vec<crate::domain::secret::SecretRecord> {
    read(store, project, |data| {
        data.secrets.values().map(|s| s.to_record()).collect()
    })
    .unwrap()
}

/// The format the directory's `meta` table names.
fn stored_format(conn: &Connection) -> String {
    conn.query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| {
        r.get(0)
    })
    .unwrap()
}

fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("csms-sqlite-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn sqlite_store_passes_the_store_contract() {
    contract::run_all(&|| Box::new(SqliteStore::open(&temp_dir(), None).unwrap()));
}

#[test]
fn only_the_durable_store_has_requests_wait_for_its_disk() {
    let dir = temp_dir();
    assert!(
        SqliteStore::open(&dir, None)
            .unwrap()
            .commits_wait_for_disk()
    );
    assert!(!crate::store::memory::MemoryStore::new().commits_wait_for_disk());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn state_survives_reopening_and_values_are_never_plaintext_on_disk() {
    let dir = temp_dir();
    let project = ProjectId::parse("p").unwrap();
    {
        let store = SqliteStore::open(&dir, None).unwrap();
        put_secret(&store, &project, "persisted", "plaintext-canary-4711");
        store.save_setting("clock", "{\"offset\":5}").unwrap();
    }
    let reopened = SqliteStore::open(&dir, None).unwrap();
    let value = read(&reopened, &project, |data| {
        let s = data.secrets.values().next().unwrap();
        s.versions()[0].value.as_text().unwrap().to_owned()
    })
    .unwrap();
    assert_eq!(value, "plaintext-canary-4711");
    assert_eq!(
        reopened.load_setting("clock").unwrap().as_deref(),
        Some("{\"offset\":5}")
    );
    drop(reopened);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("plaintext-canary-4711"));
    }
    let err = SqliteStore::open(&dir, Some(&"00".repeat(32))).unwrap_err();
    assert!(matches!(err, StoreError::Key(_)), "{err:?}");
    assert!(err.to_string().contains("master key"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_write_inside_a_durability_scope_hands_in_a_ticket_instead_of_blocking() {
    let dir = temp_dir();
    let project = ProjectId::parse("p").unwrap();
    let store = SqliteStore::open(&dir, None).unwrap();
    let ((), tickets) =
        durability::scope(async { put_secret(&store, &project, "ticketed", "v") }).await;
    assert_eq!(tickets.pending(), 1, "one ticket for one write");
    tickets.settle().await.unwrap();
    drop(store);
    let reopened = SqliteStore::open(&dir, None).unwrap();
    let names = read(&reopened, &project, |data| data.secrets.len()).unwrap();
    assert_eq!(names, 1);
    std::fs::remove_dir_all(dir).unwrap();
}

/// Frames in the WAL, as a checkpoint from another connection sees them.
fn wal_frames(conn: &Connection) -> i64 {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE);", [], |r| r.get(1))
        .unwrap()
}

#[test]
fn after_a_checkpoint_round_the_writer_starts_the_wal_over() {
    let dir = temp_dir();
    let project = ProjectId::parse("p").unwrap();
    // No checkpointer thread: a round of its own mid-way would start the WAL over early.
    let store = SqliteStore::open_with(&dir, None, Checkpoints::Manual).unwrap();
    let put = |name: &str| put_secret(&store, &project, name, &"v".repeat(500));
    for i in 0..200 {
        put(&format!("s{i}"));
    }
    let observer = Connection::open(dir.join(DB_FILE)).unwrap();
    let grown = wal_frames(&observer);
    assert!(grown > 100, "{grown} frames");
    checkpoint_passes(&observer, &store.wal);
    assert!(store.wal.rewind.load(Ordering::SeqCst));
    // The writer rewinds after this commit, before it takes the next job.
    put("rewinds-after-commit");
    put("first-in-the-new-wal");
    let frames = wal_frames(&observer);
    assert!(
        frames < 20,
        "the WAL started over: {frames} frames, was {grown}"
    );
    drop(store);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_indexes_are_rebuilt_when_the_directory_is_reopened() {
    let dir = temp_dir();
    let p = ProjectId::parse("p").unwrap();
    let mut tagged = new_secret("tagged", "v");
    let key = crate::domain::tag::TagKey::parse("env").unwrap();
    tagged.set_tags(vec![(key, "prod".to_owned())]).unwrap();
    let id = tagged.id();
    let mut leaving = new_secret("leaving", "v");
    let window = crate::domain::secret::RecoveryWindow::parse(Some(7)).unwrap();
    leaving.schedule_deletion(window, 1_000).unwrap();
    let due = leaving.scheduled_delete_time();
    {
        let store = SqliteStore::open(&dir, None).unwrap();
        transact(&store, &p, |tx| {
            tx.put(tagged);
            tx.put(new_secret("plain", "v"));
            tx.put(leaving);
            Ok(())
        })
        .unwrap();
    }
    let reopened = SqliteStore::open(&dir, None).unwrap();
    let (by_tag, by_id, next_due, names) = read(&reopened, &p, |data| {
        let by_tag: Vec<String> = data.tags()["env"]["prod"]
            .iter()
            .map(ToString::to_string)
            .collect();
        (
            by_tag,
            data.live_secret_by_id(id, 0).map(|s| s.name().to_string()),
            data.next_due(),
            data.secrets
                .keys()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
        )
    })
    .unwrap();
    assert_eq!(by_tag, ["tagged"]);
    assert_eq!(by_id.as_deref(), Some("tagged"));
    assert_eq!(next_due, due);
    assert_eq!(names, ["leaving", "plain", "tagged"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn versions_keep_metadata_values_and_removals_across_reopening() {
    let dir = temp_dir();
    let project = ProjectId::parse("p").unwrap();
    let store = SqliteStore::open(&dir, None).unwrap();
    put_secret(&store, &project, "many", "first");
    put_secret(&store, &project, "replaced", "old secret");
    // The replaced secret holds a version its successor lacks: its row must go.
    transact(&store, &project, |tx| {
        let name = crate::domain::names::SecretName::parse_lookup("name", "replaced")?;
        let mut secret = tx.get(&name).cloned().unwrap();
        secret.add_version(
            NewVersion {
                value: SecretValue::Text("old secret, v2".into()),
                stages: None,
                expire_time: None,
            },
            2,
        )?;
        tx.put(secret);
        Ok(())
    })
    .unwrap();
    put_secret(&store, &project, "removed", "gone");
    // 24 versions: the cap of 20 drops the oldest; one binary value; one version's
    // expiry changed after it was stored (a metadata-only row update).
    for n in 2..=24u32 {
        transact(&store, &project, |tx| {
            let name = crate::domain::names::SecretName::parse_lookup("name", "many")?;
            let mut secret = tx.get(&name).cloned().unwrap();
            let value = if n == 7 {
                SecretValue::Binary("AAEC".into())
            } else {
                SecretValue::Text(format!("value {n}").into())
            };
            secret.add_version(
                NewVersion {
                    value,
                    stages: None,
                    expire_time: None,
                },
                i64::from(n),
            )?;
            if n == 24 {
                secret.set_version_expiry(
                    VersionRef::Number(crate::domain::names::VersionNumber(10)),
                    99_000,
                    30,
                )?;
            }
            tx.put(secret);
            Ok(())
        })
        .unwrap();
    }
    transact(&store, &project, |tx| {
        tx.put(new_secret("replaced", "new secret, same name"));
        tx.remove(&crate::domain::names::SecretName::parse_lookup(
            "name", "removed",
        )?);
        Ok(())
    })
    .unwrap();
    let before = images(&store, &project);
    assert_eq!(before.len(), 2);
    drop(store);
    let reopened = SqliteStore::open(&dir, None).unwrap();
    assert_eq!(images(&reopened, &project), before);
    drop(reopened);
    std::fs::remove_dir_all(dir).unwrap();
}

/// Writes `secret` the way format 1 did: its image with every version's metadata, and
/// each value as base64 JSON.
fn write_format_1(conn: &Connection, vault: &Vault, project: &str, secret: &Secret) {
    let record = secret.to_record();
    let mut image = record.clone();
    for v in &mut image.versions {
        v.secret_string = None;
        v.secret_binary = None;
    }
    conn.execute(
        "INSERT INTO secrets (project, name, body) VALUES (?1, ?2, ?3)",
        params![project, record.name, serde_json::to_string(&image).unwrap()],
    )
    .unwrap();
    for v in &record.versions {
        let (binary, plain) = match (&v.secret_string, &v.secret_binary) {
            (Some(text), _) => (false, text),
            (None, Some(b64)) => (true, b64),
            (None, None) => unreachable!(),
        };
        let data = vault
            .seal(
                project,
                &v.kms_key_id,
                &rows::aad(project, &record.name, v.number),
                plain.as_bytes(),
            )
            .unwrap();
        let body = serde_json::json!({ "binary": binary, "data": data }).to_string();
        conn.execute(
            "INSERT INTO versions (project, name, number, body) VALUES (?1, ?2, ?3, ?4)",
            params![project, record.name, v.number, body],
        )
        .unwrap();
    }
}

#[test]
fn a_format_1_directory_is_migrated_and_keeps_every_value() {
    let dir = temp_dir();
    let master = "ab".repeat(32);
    let vault = Vault::open(&dir, Some(&master), false).unwrap();
    let mut secret = new_secret("old.one", "text value");
    secret
        .add_version(
            NewVersion {
                value: SecretValue::Binary("AAEC".into()),
                stages: None,
                expire_time: Some(5_000),
            },
            2,
        )
        .unwrap();
    {
        let conn = Connection::open(dir.join(DB_FILE)).unwrap();
        conn.execute_batch(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE secrets (project TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (project, name));
             CREATE TABLE versions (project TEXT NOT NULL, name TEXT NOT NULL, number INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (project, name, number));
             CREATE TABLE project_state (project TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (project, kind));
             CREATE TABLE log (seq INTEGER PRIMARY KEY AUTOINCREMENT, project TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL);
             CREATE INDEX log_project ON log (project, kind, seq);",
        )
        .unwrap();
        let check = vault
            .seal(
                "*meta*",
                "check",
                "check",
                b"csms-emulator master key check",
            )
            .unwrap();
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('key_check', ?1), ('format', '1')",
            params![check],
        )
        .unwrap();
        write_format_1(&conn, &vault, "p", &secret);
    }
    let project = ProjectId::parse("p").unwrap();
    let migrated = SqliteStore::open(&dir, Some(&master)).unwrap();
    assert_eq!(images(&migrated, &project), vec![secret.to_record()]);
    drop(migrated);
    let conn = Connection::open(dir.join(DB_FILE)).unwrap();
    assert_eq!(stored_format(&conn), FORMAT.to_string());
    let old_tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name LIKE '%_v1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(old_tables, 0);
    drop(conn);
    let reopened = SqliteStore::open(&dir, Some(&master)).unwrap();
    assert_eq!(images(&reopened, &project), vec![secret.to_record()]);
    drop(reopened);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn after_a_failed_commit_memory_and_disk_hold_exactly_what_was_acknowledged() {
    let dir = temp_dir();
    let project = ProjectId::parse("p").unwrap();
    let store = SqliteStore::open(&dir, None).unwrap();
    put_secret(&store, &project, "kept", "v");
    // A trigger stands in for a full disk: the commit holding "boom" fails.
    let saboteur = Connection::open(dir.join(DB_FILE)).unwrap();
    saboteur
        .execute_batch(
            "CREATE TRIGGER boom BEFORE INSERT ON secrets WHEN NEW.name = 'boom'
             BEGIN SELECT RAISE(ABORT, 'simulated full disk'); END;",
        )
        .unwrap();
    let write = |name: &str| {
        transact(&store, &project, |tx| {
            tx.put(new_secret(name, "v"));
            Ok(())
        })
    };
    let names = |store: &SqliteStore| {
        read(store, &project, |data| {
            data.secrets
                .keys()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        })
        .unwrap()
    };
    let failed = write("boom").unwrap_err();
    assert!(
        failed.to_string().contains("simulated full disk"),
        "{failed}"
    );
    assert_eq!(
        names(&store),
        ["kept"],
        "memory is back to what the disk holds"
    );
    assert!(store.writable().is_err(), "readiness reports the failure");
    let refused = write("after").unwrap_err();
    assert!(refused.to_string().contains("restart"), "{refused}");
    // The client is told writes are refused, not why SQLite failed (a trigger, not a
    // full disk, here).
    assert_eq!(
        refused.client_message(),
        "a write to the data directory failed; writes are refused until csms-emulator restarts"
    );
    assert_eq!(failed.client_message(), refused.client_message());
    drop(store);
    saboteur.execute_batch("DROP TRIGGER boom;").unwrap();
    let reopened = SqliteStore::open(&dir, None).unwrap();
    assert_eq!(names(&reopened), ["kept"]);
    drop(reopened);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn once_a_commit_failed_the_writer_refuses_jobs_queued_behind_it() {
    let dir = temp_dir();
    drop(SqliteStore::open(&dir, None).unwrap());
    let vault = Vault::open(&dir, None, true).unwrap();
    let secret = new_secret("queued", "v");
    let mut writes = Writes::default();
    writes
        .secrets
        .insert(secret.name().clone(), Some(Arc::new(secret)));
    let job = rows::job_for(&vault, "p", &ProjectData::default(), &writes).unwrap();
    let (jobs, queue) = std::sync::mpsc::channel();
    let (done, answer) = std::sync::mpsc::sync_channel(1);
    jobs.send(Job::Write(job, Reply::Blocking(done))).unwrap();
    drop(jobs);
    let conn = Connection::open(dir.join(DB_FILE)).unwrap();
    let after_failure = Writer {
        failed: Arc::new({
            let failure = Failure::default();
            failure.record(&StoreError::Closed);
            failure
        }),
        wal: Arc::default(),
        memory: Arc::default(),
        vault: Arc::new(vault),
    };
    writer_loop(conn, &queue, &after_failure);
    assert!(answer.recv().unwrap().is_err());
    let rows: i64 = Connection::open(dir.join(DB_FILE))
        .unwrap()
        .query_row("SELECT count(*) FROM secrets", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_newer_format_is_refused() {
    let dir = temp_dir();
    drop(SqliteStore::open(&dir, None).unwrap());
    let conn = Connection::open(dir.join(DB_FILE)).unwrap();
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'format'", [])
        .unwrap();
    drop(conn);
    let err = SqliteStore::open(&dir, None).unwrap_err();
    assert!(matches!(err, StoreError::Format(_)), "{err:?}");
    assert!(err.to_string().contains("newer"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn fields_away_from_their_defaults_survive_reopening() {
    let dir = temp_dir();
    let project = ProjectId::parse("p").unwrap();
    let mut record = new_secret("set", "v").to_record();
    record.description = "d".into();
    record.enterprise_project_id = "ep-1".into();
    record.event_subscriptions = vec!["e".into()];
    record.rotation_func_urn = Some("urn:fss:f".into());
    record.rotation_period = Some("1d".into());
    record.rotation_time = Some(3);
    record.tags.insert("k".into(), "v".into());
    record.versions[0].expiry_notified = true;
    let secret = Secret::from_record(record).unwrap();
    let store = SqliteStore::open(&dir, None).unwrap();
    transact(&store, &project, |tx| {
        tx.put(secret);
        Ok(())
    })
    .unwrap();
    let written = images(&store, &project);
    drop(store);
    let reopened = SqliteStore::open(&dir, None).unwrap();
    assert_eq!(images(&reopened, &project), written);
    let kept = &written[0];
    assert_eq!(
        (&*kept.description, &*kept.enterprise_project_id),
        ("d", "ep-1")
    );
    assert!(kept.versions[0].expiry_notified);
    drop(reopened);
    std::fs::remove_dir_all(dir).unwrap();
}

/// The storage class of every row's body in `table`'s `column`, in key order (`key` names
/// its columns after the project).
fn stored_classes(conn: &Connection, table: &str, key: &str, column: &str) -> Vec<String> {
    let mut statement = conn
        .prepare(&format!(
            "SELECT typeof({column}) FROM {table} ORDER BY project, {key}"
        ))
        .unwrap();
    statement
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn json_rows_of_formats_3_and_4_are_read_as_written_and_rewritten_as_blobs() {
    let dir = temp_dir();
    let project = ProjectId::parse("p").unwrap();
    let mut record = new_secret("full", "v").to_record();
    record.description = "d".into();
    record.tags.insert("k".into(), "v".into());
    record.versions[0].expire_time = Some(9);
    record.versions[0].expiry_notified = true;
    let full = Secret::from_record(record).unwrap();
    let store = SqliteStore::open(&dir, None).unwrap();
    transact(&store, &project, |tx| {
        tx.put(full);
        tx.put(new_secret("short", "w"));
        Ok(())
    })
    .unwrap();
    let written = images(&store, &project);
    drop(store);

    let conn = Connection::open(dir.join(DB_FILE)).unwrap();
    assert_eq!(
        stored_classes(&conn, "secrets", "name", "body"),
        ["blob", "blob"]
    );
    assert_eq!(
        stored_classes(&conn, "versions", "name, number", "meta"),
        ["blob", "blob"]
    );
    // Format 3 wrote every field as JSON ("full"); format 4 left out those at their
    // default ("short").
    let defaults = [
        "description",
        "secret_type",
        "auto_rotation",
        "event_subscriptions",
        "enterprise_project_id",
        "tags",
    ];
    for image in &written {
        let mut body = serde_json::to_value(image).unwrap();
        let mut meta = serde_json::to_value(&image.versions[0]).unwrap();
        let body_map = body.as_object_mut().unwrap();
        let meta_map = meta.as_object_mut().unwrap();
        body_map.remove("versions");
        meta_map.remove("secret_string");
        if image.name == "short" {
            for key in defaults {
                body_map.remove(key);
            }
            meta_map.remove("expiry_notified");
        }
        conn.execute(
            "UPDATE secrets SET body = ?1 WHERE name = ?2",
            params![body.to_string(), image.name],
        )
        .unwrap();
        conn.execute(
            "UPDATE versions SET meta = ?1 WHERE name = ?2",
            params![meta.to_string(), image.name],
        )
        .unwrap();
    }
    conn.execute("UPDATE meta SET value = '4' WHERE key = 'format'", [])
        .unwrap();
    drop(conn);

    let store = SqliteStore::open(&dir, None).unwrap();
    assert_eq!(images(&store, &project), written);
    let conn = Connection::open(dir.join(DB_FILE)).unwrap();
    assert_eq!(stored_format(&conn), FORMAT.to_string());
    assert_eq!(
        stored_classes(&conn, "secrets", "name", "body"),
        ["text", "text"]
    );
    // A row is written in the new form when its secret changes.
    transact(&store, &project, |tx| {
        let name = crate::domain::names::SecretName::parse_lookup("name", "short")?;
        let mut short = tx.get(&name).cloned().unwrap();
        short.add_version(
            NewVersion {
                value: SecretValue::Text("w2".into()),
                stages: None,
                expire_time: None,
            },
            2,
        )?;
        tx.put(short);
        Ok(())
    })
    .unwrap();
    let changed = images(&store, &project);
    drop(store);
    assert_eq!(
        stored_classes(&conn, "secrets", "name", "body"),
        ["text", "blob"]
    );
    assert_eq!(
        stored_classes(&conn, "versions", "name, number", "meta"),
        ["text", "text", "blob"]
    );
    drop(conn);
    let store = SqliteStore::open(&dir, None).unwrap();
    assert_eq!(images(&store, &project), changed);
    drop(store);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn reset_empties_one_project_or_all() {
    let dir = temp_dir();
    let store = SqliteStore::open(&dir, None).unwrap();
    for p in ["a", "b"] {
        let project = ProjectId::parse(p).unwrap();
        put_secret(&store, &project, "s", "v");
    }
    store.reset(Some(&ProjectId::parse("a").unwrap())).unwrap();
    assert_eq!(
        store.projects().unwrap(),
        vec![ProjectId::parse("b").unwrap()]
    );
    drop(store);
    let reopened = SqliteStore::open(&dir, None).unwrap();
    assert_eq!(
        reopened.projects().unwrap(),
        vec![ProjectId::parse("b").unwrap()]
    );
    reopened.reset(None).unwrap();
    drop(reopened);
    assert!(
        SqliteStore::open(&dir, None)
            .unwrap()
            .projects()
            .unwrap()
            .is_empty()
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_project_whose_settings_went_back_to_their_defaults_is_gone_after_reopening() {
    let dir = temp_dir();
    let store = SqliteStore::open(&dir, None).unwrap();
    let (changed, restored) = (
        ProjectId::parse("changed").unwrap(),
        ProjectId::parse("restored").unwrap(),
    );
    for project in [&changed, &restored] {
        transact(&store, project, |tx| {
            tx.settings_mut().checking_secret_strength = true;
            Ok(())
        })
        .unwrap();
    }
    transact(&store, &restored, |tx| {
        *tx.settings_mut() = crate::store::ProjectSettings::default();
        Ok(())
    })
    .unwrap();
    assert_eq!(store.projects().unwrap(), vec![changed.clone()]);
    drop(store);
    let reopened = SqliteStore::open(&dir, None).unwrap();
    assert_eq!(reopened.projects().unwrap(), vec![changed.clone()]);
    let checking = read(&reopened, &changed, |data| {
        data.settings.checking_secret_strength
    })
    .unwrap();
    assert!(checking);
    drop(reopened);
    std::fs::remove_dir_all(dir).unwrap();
}

#[cfg(unix)]
#[test]
fn the_directory_is_created_0700_and_every_database_file_0600() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir()
        .join(format!("csms-sqlite-{}", uuid::Uuid::new_v4()))
        .join("nested");
    let store = SqliteStore::open(&dir, None).unwrap();
    put_secret(&store, &ProjectId::parse("p").unwrap(), "s", "v");
    let mode = |name: &str| {
        std::fs::metadata(dir.join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    for file in [DB_FILE, "csms.db-wal", "csms.db-shm", "master.key"] {
        assert_eq!(mode(file), 0o600, "{file}");
    }
    drop(store);
    std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
}

#[test]
fn without_its_master_key_a_directory_with_data_is_refused_and_no_key_is_made() {
    let dir = temp_dir();
    let store = SqliteStore::open(&dir, None).unwrap();
    put_secret(&store, &ProjectId::parse("p").unwrap(), "s", "v");
    drop(store);
    std::fs::remove_file(dir.join("master.key")).unwrap();
    let err = SqliteStore::open(&dir, None).unwrap_err();
    assert!(matches!(err, StoreError::Key(_)), "{err:?}");
    assert!(err.to_string().contains("no master.key"), "{err}");
    assert!(!dir.join("master.key").exists());
    std::fs::remove_dir_all(dir).unwrap();
}

/// Writes secrets of `names` (value `v`, project `p`), closes the store, runs `sql` on its
/// database, and opens it again: the open must fail on damaged data, and its message is
/// returned.
fn damaged_start(names: &[&str], sql: &str) -> String {
    let dir = temp_dir();
    let store = SqliteStore::open(&dir, None).unwrap();
    for name in names {
        put_secret(&store, &ProjectId::parse("p").unwrap(), name, "v");
    }
    drop(store);
    let conn = Connection::open(dir.join(DB_FILE)).unwrap();
    conn.execute(sql, []).unwrap();
    drop(conn);
    let err = SqliteStore::open(&dir, None).unwrap_err();
    assert!(matches!(err, StoreError::Damaged { .. }), "{err:?}");
    std::fs::remove_dir_all(dir).unwrap();
    err.to_string()
}

#[test]
fn a_damaged_value_is_reported_as_damaged_not_as_a_wrong_key() {
    let err = damaged_start(
        &["s"],
        "UPDATE versions SET value = zeroblob(40) WHERE name = 's'",
    );
    assert!(err.contains("damaged") && err.contains("secret s"), "{err}");
    assert!(!err.contains("master key does not open"), "{err}");
}

#[test]
fn a_row_cut_short_stops_the_start_and_names_its_secret() {
    for (table, column, what) in [
        ("secrets", "body", "unreadable"),
        ("versions", "meta", "unreadable metadata"),
    ] {
        let sql = format!(
            "UPDATE {table} SET {column} = substr({column}, 1, length({column}) - 1) WHERE name = 'cut'"
        );
        let err = damaged_start(&["kept", "cut"], &sql);
        assert!(err.contains("secret cut") && err.contains(what), "{err}");
    }
}

#[test]
fn a_row_that_holds_another_secret_than_its_key_names_stops_the_start() {
    // The row keyed `second` now holds `first`'s body: two secrets named `first`.
    let err = damaged_start(
        &["first", "second"],
        "UPDATE secrets SET body = (SELECT body FROM secrets WHERE name = 'first') \
         WHERE name = 'second'",
    );
    assert!(
        err.contains("secret second") && err.contains("holds secret first"),
        "{err}"
    );
}

#[test]
fn a_version_of_no_stored_secret_is_skipped_even_when_it_could_not_be_rebuilt() {
    let dir = temp_dir();
    let p = ProjectId::parse("p").unwrap();
    let store = SqliteStore::open(&dir, None).unwrap();
    put_secret(&store, &p, "gone", "not base64 at all!");
    put_secret(&store, &p, "kept", "v");
    drop(store);
    let conn = Connection::open(dir.join(DB_FILE)).unwrap();
    conn.execute("DELETE FROM secrets WHERE name = 'gone'", [])
        .unwrap();
    // As a binary value its text is not base64, so the version cannot be rebuilt.
    conn.execute("UPDATE versions SET binary = 1 WHERE name = 'gone'", [])
        .unwrap();
    drop(conn);
    let reopened = SqliteStore::open(&dir, None).unwrap();
    let names: Vec<String> = images(&reopened, &p).into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["kept"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_stored_project_id_no_path_could_name_is_reported_as_damaged() {
    let dir = temp_dir();
    let store = SqliteStore::open(&dir, None).unwrap();
    put_secret(&store, &ProjectId::parse("p").unwrap(), "s", "v");
    drop(store);
    let conn = Connection::open(dir.join(DB_FILE)).unwrap();
    for table in ["secrets", "versions"] {
        conn.execute(&format!("UPDATE {table} SET project = 'p/q'"), [])
            .unwrap();
    }
    drop(conn);
    let err = SqliteStore::open(&dir, None).unwrap_err();
    assert!(matches!(err, StoreError::Damaged { .. }), "{err:?}");
    assert!(err.to_string().contains("project p/q"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_format_2_password_kept_in_plaintext_is_hashed_by_the_migration() {
    let dir = temp_dir();
    drop(SqliteStore::open(&dir, None).unwrap());
    let conn = Connection::open(dir.join(DB_FILE)).unwrap();
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'format'", [])
        .unwrap();
    conn.execute(
        "INSERT INTO project_state (project, kind, body) VALUES ('*global*', 'extras', ?1)",
        [r#"{"checking_secret_strength":false,"grants":{},"agencies":{},"user_password":"plain-canary-99"}"#],
    )
    .unwrap();
    drop(conn);
    let store = SqliteStore::open(&dir, None).unwrap();
    let conn = Connection::open(dir.join(DB_FILE)).unwrap();
    let body: String = conn
        .query_row(
            "SELECT body FROM project_state WHERE kind = 'extras'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        body.contains("$argon2id$") && !body.contains("plain-canary-99"),
        "{body}"
    );
    assert_eq!(stored_format(&conn), FORMAT.to_string());
    let global = ProjectId::global();
    let kept = read(&store, &global, |data| data.settings.user_password.clone())
        .unwrap()
        .unwrap();
    assert!(kept.matches("plain-canary-99"));
    drop(store);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_backup_key_is_the_same_after_reopening_and_differs_between_installations() {
    let dir = temp_dir();
    let first = SqliteStore::open(&dir, None).unwrap().backup_key().unwrap();
    let again = SqliteStore::open(&dir, None).unwrap().backup_key().unwrap();
    let elsewhere = SqliteStore::open(&temp_dir(), None)
        .unwrap()
        .backup_key()
        .unwrap();
    assert!(first.is_some());
    assert_eq!(first, again);
    assert_ne!(first, elsewhere);
}

#[test]
fn pending_records_and_their_outcomes_survive_reopening() {
    use crate::domain::event::NotificationStatus;
    let dir = temp_dir();
    let project = ProjectId::parse("p").unwrap();
    let (settled, pending) = (contract::pending_record("a"), contract::pending_record("b"));
    let ids = (settled.id, pending.id);
    {
        let store = SqliteStore::open(&dir, None).unwrap();
        crate::store::transact(&store, &project, |tx| {
            tx.push_record(settled);
            tx.push_record(pending);
            Ok(())
        })
        .unwrap();
        crate::store::transact(&store, &project, |tx| {
            tx.settle_record(ids.0, NotificationStatus::Success);
            Ok(())
        })
        .unwrap();
    }
    let reopened = SqliteStore::open(&dir, None).unwrap();
    let statuses = read(&reopened, &project, |d| {
        d.records
            .iter()
            .map(|r| (r.id, r.status))
            .collect::<Vec<_>>()
    })
    .unwrap();
    assert_eq!(
        statuses,
        [
            (ids.0, NotificationStatus::Success),
            (ids.1, NotificationStatus::Pending)
        ]
    );
    drop(reopened);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_rotating_task_and_its_outcome_survive_reopening() {
    use crate::domain::task::{RotationTask, TaskStatus};
    let dir = temp_dir();
    let project = ProjectId::parse("p").unwrap();
    let task = |n: u8| RotationTask {
        id: uuid::Uuid::from_bytes([n; 16]),
        secret_name: "db".into(),
        rotation_func_urn: Some("urn:fss:f".into()),
        status: TaskStatus::Rotating,
        time: 1,
        error: None,
    };
    {
        let store = SqliteStore::open(&dir, None).unwrap();
        crate::store::transact(&store, &project, |tx| {
            tx.push_task(task(1));
            tx.push_task(task(2));
            Ok(())
        })
        .unwrap();
        crate::store::transact(&store, &project, |tx| {
            tx.settle_task(
                task(1).id,
                TaskStatus::Failed,
                Some((
                    crate::error::ErrorCode::Internal.as_str().into(),
                    "no answer".into(),
                )),
            );
            Ok(())
        })
        .unwrap();
    }
    let reopened = SqliteStore::open(&dir, None).unwrap();
    let tasks = read(&reopened, &project, |d| d.tasks.clone()).unwrap();
    assert_eq!(tasks[0].status, TaskStatus::Failed);
    assert_eq!(tasks[0].error.as_ref().unwrap().1, "no answer");
    assert_eq!(tasks[1].status, TaskStatus::Rotating);
    let pending = read(&reopened, &project, |d| d.pending_tasks().count()).unwrap();
    assert_eq!(pending, 1);
    drop(reopened);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_reopened_store_joins_every_version_to_its_secret_across_projects_and_batches() {
    let dir = temp_dir();
    let projects: Vec<ProjectId> = ["a", "b", "c"]
        .iter()
        .map(|p| ProjectId::parse(*p).unwrap())
        .collect();
    // More versions than one batch of the loading thread holds, in three projects.
    let per_project = super::rows::LOAD_BATCH / 2 + 7;
    let store = SqliteStore::open(&dir, None).unwrap();
    for project in &projects {
        transact(&store, project, |tx| {
            for i in 0..per_project {
                tx.put(new_secret(&format!("s{i:04}"), &format!("{project}/{i}")));
            }
            Ok(())
        })
        .unwrap();
    }
    let before: Vec<_> = projects.iter().map(|p| images(&store, p)).collect();
    drop(store);
    let reopened = SqliteStore::open(&dir, None).unwrap();
    let after: Vec<_> = projects.iter().map(|p| images(&reopened, p)).collect();
    assert_eq!(after, before);
    assert_eq!(after[1].len(), per_project);
    assert_eq!(
        after[2][per_project - 1].versions[0]
            .secret_string
            .as_deref(),
        Some(format!("c/{}", per_project - 1).as_str())
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
