//! The data directory's files: the directory is created private (0700) and the database
//! file 0600 before SQLite opens it, so its `-wal` and `-shm` files, which SQLite creates
//! with the database file's mode, are private too. Files from older builds are tightened.

use std::path::Path;

use crate::error::StoreError;

/// The database file inside the data directory.
pub const DB_FILE: &str = "csms.db";

/// Files that mean the directory already holds a database.
const DB_FILES: [&str; 2] = [DB_FILE, "csms.db-wal"];

/// Creates `dir` (mode 0700) if missing; answers whether it already holds a database.
pub(super) fn prepare_dir(dir: &Path) -> Result<bool, StoreError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(StoreError::file("create", dir))?;
    Ok(DB_FILES
        .iter()
        .any(|file| std::fs::metadata(dir.join(file)).is_ok_and(|m| m.is_file() && m.len() > 0)))
}

/// Creates the database file with mode 0600 when missing, and makes every database file
/// that exists 0600.
pub(super) fn make_db_private(dir: &Path) -> Result<(), StoreError> {
    let path = dir.join(DB_FILE);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(&path)
        .map_err(StoreError::file("create", &path))?;
    #[cfg(unix)]
    for file in [DB_FILE, "csms.db-wal", "csms.db-shm"] {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(file);
        if path.exists() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(StoreError::file("make private", &path))?;
        }
    }
    Ok(())
}
