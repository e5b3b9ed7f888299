//! What can fail below the store trait (`crate::store::Store`): the data directory's
//! files, SQLite, the vault, and stored data that does not read back. Callers of the
//! trait see a [`StoreError`] as an internal error (`CsmsError::Store`): the client gets
//! a generic message, the log gets this text. Start-up prints it as the reason the store
//! did not open.

use std::path::PathBuf;
use std::sync::Arc;

/// A failure of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file or directory of the data directory could not be made, read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    File {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The database file could not be opened or configured.
    #[error("cannot {action} {}: {source}", path.display())]
    Database {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// A statement failed; `context` says what it was doing.
    #[error("{context}: {source}")]
    Statement {
        context: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    /// A statement failed while reading or migrating stored rows.
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored JSON body did not read back, or a value did not serialize.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A row did not encode (`store/sqlite/codec.rs`): a record this build cannot write.
    #[error("encoding a row: {0}")]
    Encode(#[from] postcard::Error),
    /// A key given in the wrong form, a missing key file, or a master key that does not
    /// open the directory.
    #[error("{0}")]
    Key(String),
    /// Sealing or opening a value failed.
    #[error("{0}")]
    Seal(&'static str),
    /// Stored data that does not read back: `what` names it.
    #[error("{what}: {detail}")]
    Damaged { what: String, detail: String },
    /// A data directory this build cannot use as it is (a newer or unreadable format).
    #[error("{0}")]
    Format(String),
    /// A step of a format migration failed.
    #[error("migrating format {from} to {to}: {source}")]
    Migration {
        from: u32,
        to: u32,
        #[source]
        source: Box<StoreError>,
    },
    /// A background thread of the store did not start.
    #[error("cannot start the {which} thread: {source}")]
    Thread {
        which: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// A transaction would commit a secret that loading refuses: what is committed must
    /// load again at the next start.
    #[error("refused to commit secret {secret}, which breaks a rule loading checks: {rule}")]
    Unloadable { secret: String, rule: String },
    /// A store closure did not run (a backend broke its contract).
    #[error("the store's {0} closure did not run")]
    ClosureSkipped(&'static str),
    /// The store was closed (the server is stopping).
    #[error("the store is closed")]
    Closed,
    /// The disk writer is gone.
    #[error("the store's writer stopped")]
    WriterStopped,
    /// A commit failed earlier; memory and disk may differ, so nothing more is written.
    /// `disk_full` says whether that commit found the disk full.
    #[error("{}", refusal(*disk_full))]
    Failed { disk_full: bool },
    /// A commit failed; every job of its batch gets the same cause.
    #[error("writing the data directory failed: {0}")]
    Commit(Arc<StoreError>),
}

/// Two failures are the same when they say the same (the causes inside, I/O and SQLite
/// errors, have no equality of their own); tests compare errors this way.
impl PartialEq for StoreError {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for StoreError {}

/// Why writes are refused after a failed commit, as clients and `/_emulator/ready` see it.
fn refusal(disk_full: bool) -> &'static str {
    if disk_full {
        "the data directory's disk is full; writes are refused until csms-emulator restarts"
    } else {
        "a write to the data directory failed; writes are refused until csms-emulator restarts"
    }
}

impl StoreError {
    /// Whether this failure, or a cause inside it, is a full disk (SQLite's
    /// `SQLITE_FULL`, or an I/O error of kind `StorageFull`).
    #[must_use]
    pub fn is_disk_full(&self) -> bool {
        let sqlite_full =
            |e: &rusqlite::Error| e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull);
        match self {
            Self::File { source, .. } | Self::Thread { source, .. } => {
                source.kind() == std::io::ErrorKind::StorageFull
            }
            Self::Database { source, .. }
            | Self::Statement { source, .. }
            | Self::Sqlite(source) => sqlite_full(source),
            Self::Migration { source, .. } => source.is_disk_full(),
            Self::Commit(cause) => cause.is_disk_full(),
            Self::Failed { disk_full } => *disk_full,
            _ => false,
        }
    }

    /// The `error_msg` a client sees. Only the refusal of writes after a failed commit is
    /// told (without paths or SQL); any other storage failure stays in the log.
    #[must_use]
    pub fn client_message(&self) -> &'static str {
        match self {
            Self::Failed { .. } | Self::Commit(_) => refusal(self.is_disk_full()),
            _ => "internal error",
        }
    }

    /// A constructor for `map_err` on a failed statement.
    pub fn statement(context: &'static str) -> impl Fn(rusqlite::Error) -> Self {
        move |source| Self::Statement { context, source }
    }

    /// A constructor for `map_err` on a file operation.
    pub fn file(
        action: &'static str,
        path: &std::path::Path,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.to_owned();
        move |source| Self::File {
            action,
            path,
            source,
        }
    }

    /// A constructor for `map_err` on opening or configuring the database.
    pub fn database(
        action: &'static str,
        path: &std::path::Path,
    ) -> impl FnOnce(rusqlite::Error) -> Self {
        let path = path.to_owned();
        move |source| Self::Database {
            action,
            path,
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_found_in_sqlite_and_io_causes_and_told_to_clients() {
        let full = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        );
        let commit = StoreError::Commit(Arc::new(StoreError::Sqlite(full)));
        assert!(commit.is_disk_full());
        assert_eq!(
            commit.client_message(),
            "the data directory's disk is full; writes are refused until csms-emulator restarts"
        );
        let io_full = StoreError::file("write", std::path::Path::new("/d/csms.db"))(
            std::io::Error::from(std::io::ErrorKind::StorageFull),
        );
        assert!(StoreError::Commit(Arc::new(io_full)).is_disk_full());
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        let other = StoreError::Commit(Arc::new(StoreError::Sqlite(busy)));
        assert!(!other.is_disk_full());
        assert_eq!(
            other.client_message(),
            "a write to the data directory failed; writes are refused until csms-emulator restarts"
        );
        assert!(
            StoreError::Failed { disk_full: true }
                .client_message()
                .contains("disk is full")
        );
        // Nothing else reaches a client: no path, no SQL.
        let opened = StoreError::file("open", std::path::Path::new("/secret/path"))(
            std::io::Error::other("x"),
        );
        assert_eq!(opened.client_message(), "internal error");
    }

    #[test]
    fn each_failure_says_what_it_was_doing_and_keeps_its_cause() {
        let err = StoreError::file("create", std::path::Path::new("/d/x"))(std::io::Error::other(
            "disk full",
        ));
        assert_eq!(err.to_string(), "cannot create /d/x: disk full");
        assert!(std::error::Error::source(&err).is_some());
        let commit = StoreError::Commit(Arc::new(err));
        assert!(
            commit
                .to_string()
                .starts_with("writing the data directory failed: cannot")
        );
        let migration = StoreError::Migration {
            from: 1,
            to: 2,
            source: Box::new(StoreError::Seal("encryption failed")),
        };
        assert_eq!(
            migration.to_string(),
            "migrating format 1 to 2: encryption failed"
        );
    }
}
