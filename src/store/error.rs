//! What can fail below the [`super::Store`] trait: the data directory's files, SQLite, the
//! vault, and stored data that does not read back. Callers of the trait see a
//! [`StoreError`] as an internal error (`CsmsError::Store`): the client gets a generic
//! message, the log gets this text. Start-up prints it as the reason the store did not
//! open.

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
    #[error("an earlier write to the data directory failed; restart csms-emulator")]
    Failed,
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

impl StoreError {
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
