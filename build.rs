//! Build facts for `csms-emulator --version`: the git commit, the target triple and the
//! build date, passed to the crate as `CSMS_BUILD_COMMIT`, `CSMS_BUILD_TARGET` and
//! `CSMS_BUILD_DATE`.
//!
//! The commit comes from `CSMS_GIT_COMMIT` when set (release builds), else from the git
//! checkout the crate is built in, else from `.cargo_vcs_info.json` (what `cargo package`
//! records, so `cargo install csms-emulator` still knows it), else `unknown`. The date is
//! `SOURCE_DATE_EPOCH` when set (reproducible builds), else today, in UTC.

use std::path::Path;
use std::process::Command;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_owned());
    let root = Path::new(&root);
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CSMS_GIT_COMMIT");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");

    // Twelve characters, however the commit was given (CI passes all forty).
    let commit = std::env::var("CSMS_GIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .map(|c| c.chars().take(12).collect())
        .or_else(|| git_commit(root))
        .or_else(|| packaged_commit(root))
        .unwrap_or_else(|| "unknown".to_owned());
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_owned());
    let date = build_date();
    println!("cargo:rustc-env=CSMS_BUILD_COMMIT={commit}");
    println!("cargo:rustc-env=CSMS_BUILD_TARGET={target}");
    println!("cargo:rustc-env=CSMS_BUILD_DATE={date}");
}

/// The short commit of the checkout at `root`, watching the files that move with it. Only
/// a checkout of this crate itself counts: a crate unpacked inside some other repository
/// (a home directory kept in git, say) must not report that repository's commit.
fn git_commit(root: &Path) -> Option<String> {
    if !root.join(".git").exists() {
        return None;
    }
    let git = |args: &[&str]| -> Option<String> {
        let output = Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .ok()?;
        let text = String::from_utf8(output.stdout).ok()?;
        (output.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"])?;
    // HEAD changes on a checkout, logs/HEAD on every commit, merge or reset. The paths
    // git gives are relative to `root` (older git has no --path-format=absolute).
    for file in ["HEAD", "logs/HEAD"] {
        if let Some(path) = git(&["rev-parse", "--git-path", file]) {
            let path = root.join(path);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    Some(commit)
}

/// The commit `cargo package` recorded in `.cargo_vcs_info.json`.
fn packaged_commit(root: &Path) -> Option<String> {
    let path = root.join(".cargo_vcs_info.json");
    let text = std::fs::read_to_string(&path).ok()?;
    println!("cargo:rerun-if-changed={}", path.display());
    let info: serde_json::Value = serde_json::from_str(&text).ok()?;
    let sha = info.get("git")?.get("sha1")?.as_str()?;
    Some(sha.chars().take(12).collect())
}

/// `YYYY-MM-DD` of `SOURCE_DATE_EPOCH`, or of now.
fn build_date() -> String {
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| chrono::Utc::now().timestamp());
    chrono::DateTime::from_timestamp(seconds, 0).map_or_else(
        || "unknown".to_owned(),
        |t| t.format("%Y-%m-%d").to_string(),
    )
}
