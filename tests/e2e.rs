//! End to end: the official Huawei Python SDK (`e2e/`, pytest) drives the built
//! `csms-emulator` binary. The Python virtualenv is created in `.venv-e2e/` when missing
//! or when `e2e/requirements.txt` changed, so `cargo test` alone runs every test.

#![allow(clippy::expect_used, clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn run(command: &mut Command) -> (bool, String) {
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("cannot run {command:?}: {err}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// The venv's python, created and filled from `e2e/requirements.txt` when needed.
fn ensure_venv(root: &Path) -> PathBuf {
    let venv = root.join(".venv-e2e");
    let python = venv.join("bin").join("python");
    let requirements = root.join("e2e").join("requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).expect("e2e/requirements.txt");
    let stamp = venv.join("requirements.installed");
    if python.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&wanted) {
        return python;
    }
    let host_python = std::env::var("CSMS_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let (ok, out) = run(Command::new(&host_python).args(["-m", "venv"]).arg(&venv));
    assert!(ok, "creating the e2e venv failed:\n{out}");
    let (ok, out) = run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&requirements));
    assert!(ok, "installing e2e requirements failed:\n{out}");
    std::fs::write(&stamp, wanted).expect("write the venv stamp");
    python
}

#[test]
fn the_official_python_sdk_passes_the_end_to_end_suite() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = ensure_venv(root);
    let (ok, out) = run(Command::new(python)
        .args([
            "-m",
            "pytest",
            "-q",
            "-rA",
            "-p",
            "no:cacheprovider",
            "--ignore=e2e/console",
            "e2e",
        ])
        .current_dir(root)
        .env("CSMS_BIN", env!("CARGO_BIN_EXE_csms-emulator")));
    println!("{out}");
    assert!(ok, "the end-to-end suite failed:\n{out}");
    assert!(out.contains(" passed"), "pytest ran no test:\n{out}");
}
