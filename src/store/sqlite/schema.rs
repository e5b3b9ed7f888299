//! The database's layout and its versions: creates the current format in a new directory,
//! migrates older ones, refuses a newer format, and checks the master key, all in one
//! transaction that changes nothing when any step fails.
//!
//! Format 1 kept each secret's image with every version's metadata in one row, and values
//! as base64 JSON. Format 2 keeps each version's metadata and raw sealed value in its own
//! row (see `rows.rs`), and both tables are clustered on their key (`WITHOUT ROWID`).
//! Format 3 keeps the emulated user's password as a hash (format 2 kept it in plaintext).
//! Format 4 leaves out of a secret's and a version's row the fields that hold their
//! default (docs/behaviour.md §60): it reads format 3's full rows as they are, so nothing
//! is migrated, but the directory is marked format 4 when it opens, whatever it holds, so
//! that an older build, which needs every field, refuses it instead of failing on a row.
//! Format 5 writes a secret's row and a version's metadata as binary blobs instead of JSON
//! (`codec.rs`, docs/behaviour.md §62); it reads the JSON rows of earlier formats (and of
//! the format-1 migration below) as they are and is marked on open in the same way, so
//! nothing is migrated.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::domain::secret::SecretRecord;
use crate::error::StoreError;
use crate::store::ProjectSettings;
use crate::store::vault::Vault;

/// The format this build writes; older formats are migrated, newer ones refused.
pub const FORMAT: u32 = 5;
/// Plaintext sealed into `meta` to check the master key at start.
const KEY_CHECK: &[u8] = b"csms-emulator master key check";

const FORMAT_2_TABLES: &str = "
    CREATE TABLE secrets (project TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (project, name)) WITHOUT ROWID;
    CREATE TABLE versions (project TEXT NOT NULL, name TEXT NOT NULL, number INTEGER NOT NULL,
        meta TEXT NOT NULL, binary INTEGER NOT NULL, value BLOB NOT NULL,
        PRIMARY KEY (project, name, number)) WITHOUT ROWID;";

const SHARED_TABLES: &str = "
    CREATE TABLE project_state (project TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (project, kind));
    CREATE TABLE log (seq INTEGER PRIMARY KEY AUTOINCREMENT, project TEXT NOT NULL,
        kind TEXT NOT NULL, body TEXT NOT NULL);
    CREATE INDEX log_project ON log (project, kind, seq);";

/// Brings the database to [`FORMAT`]; refuses a newer format or another master key.
pub(super) fn migrate(conn: &mut Connection, vault: &Vault) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    )?;
    let format: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| {
            r.get(0)
        })
        .optional()?;
    let format: u32 = match format {
        Some(f) => f
            .parse()
            .map_err(|_| StoreError::Format(format!("unreadable format version {f:?}")))?,
        None => 0,
    };
    if format > FORMAT {
        return Err(StoreError::Format(format!(
            "the data directory was written by a newer csms-emulator (format {format}; this build reads up to {FORMAT}); upgrade csms-emulator or use another --data-dir"
        )));
    }
    if format == 0 {
        tx.execute_batch(FORMAT_2_TABLES)?;
        tx.execute_batch(SHARED_TABLES)?;
        let check = vault.seal("*meta*", "check", "check", KEY_CHECK)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('key_check', ?1)",
            params![check],
        )?;
    } else {
        check_key(&tx, vault)?;
        if format == 1 {
            format_1_to_2(&tx).map_err(|e| StoreError::Migration {
                from: 1,
                to: 2,
                source: Box::new(e),
            })?;
        }
        if format <= 2 {
            hash_user_passwords(&tx).map_err(|e| StoreError::Migration {
                from: 2,
                to: 3,
                source: Box::new(e),
            })?;
        }
    }
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('format', ?1)",
        params![FORMAT.to_string()],
    )?;
    tx.commit().map_err(StoreError::from)
}

fn check_key(tx: &Transaction<'_>, vault: &Vault) -> Result<(), StoreError> {
    let check: String = tx
        .query_row("SELECT value FROM meta WHERE key = 'key_check'", [], |r| {
            r.get(0)
        })
        .map_err(StoreError::statement("read the key check"))?;
    if vault
        .open_sealed("*meta*", "check", "check", &check)
        .ok()
        .as_deref()
        != Some(KEY_CHECK)
    {
        return Err(StoreError::Key("the master key does not open this data directory (wrong CSMS_MASTER_KEY or master.key); nothing was changed".into()));
    }
    Ok(())
}

/// Rewrites every project's settings row (kind `extras`, see `rows.rs`): reading it
/// hashes a password kept in plaintext (see
/// [`crate::domain::password::PasswordDigest`]), and writing keeps the hash.
fn hash_user_passwords(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let rows: Vec<(String, String)> = tx
        .prepare("SELECT project, body FROM project_state WHERE kind = 'extras'")
        .and_then(|mut st| {
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()
        })?;
    for (project, body) in rows {
        let settings: ProjectSettings = serde_json::from_str(&body)?;
        let body = serde_json::to_string(&settings)?;
        tx.execute(
            "UPDATE project_state SET body = ?2 WHERE project = ?1 AND kind = 'extras'",
            params![project, body],
        )?;
    }
    Ok(())
}

/// A format-1 value row: `{"binary": bool, "data": base64(nonce + ciphertext)}`.
#[derive(serde::Deserialize)]
struct SealedValueV1 {
    binary: bool,
    data: String,
}

/// Splits each format-1 secret row into a secret row and one row per version. Sealed
/// values move as they are (same key, same binding), so nothing is decrypted.
fn format_1_to_2(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute_batch(
        "ALTER TABLE secrets RENAME TO secrets_v1; ALTER TABLE versions RENAME TO versions_v1;",
    )?;
    tx.execute_batch(FORMAT_2_TABLES)?;
    copy_format_1_rows(tx)?;
    tx.execute_batch("DROP TABLE secrets_v1; DROP TABLE versions_v1;")
        .map_err(StoreError::from)
}

fn copy_format_1_rows(tx: &Transaction<'_>) -> Result<(), StoreError> {
    use base64::Engine as _;
    let mut old_secrets = tx.prepare("SELECT project, name, body FROM secrets_v1")?;
    let mut old_value = tx
        .prepare("SELECT body FROM versions_v1 WHERE project = ?1 AND name = ?2 AND number = ?3")?;
    let mut put_version = tx
        .prepare(
            "INSERT INTO versions (project, name, number, meta, binary, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        ?;
    let mut put_secret =
        tx.prepare("INSERT INTO secrets (project, name, body) VALUES (?1, ?2, ?3)")?;
    let rows = old_secrets.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (project, name, body) = row?;
        let mut record: SecretRecord =
            serde_json::from_str(&body).map_err(|e| StoreError::Damaged {
                what: format!("secret {name}"),
                detail: e.to_string(),
            })?;
        for version in std::mem::take(&mut record.versions) {
            let sealed: String = old_value
                .query_row(params![project, name, version.number], |r| r.get(0))
                .map_err(|e| StoreError::Damaged {
                    what: format!("secret {name} version {}", version.number),
                    detail: e.to_string(),
                })?;
            let sealed: SealedValueV1 = serde_json::from_str(&sealed)?;
            let value = base64::engine::general_purpose::STANDARD
                .decode(sealed.data)
                .map_err(|e| StoreError::Damaged {
                    what: format!("secret {name} version {}", version.number),
                    detail: e.to_string(),
                })?;
            let meta = serde_json::to_string(&version)?;
            put_version.execute(params![
                project,
                name,
                version.number,
                meta,
                sealed.binary,
                value
            ])?;
        }
        let body = serde_json::to_string(&record)?;
        put_secret.execute(params![project, name, body])?;
    }
    Ok(())
}
