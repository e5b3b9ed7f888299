//! The project's documents stay true to its code: every test `docs/behaviour.md` names as
//! pinning a behaviour exists, and no file cites sources outside the repository. The
//! layering the crate map describes is checked in `tests/architecture.rs`.
#![allow(clippy::expect_used)]

use std::path::{Path, PathBuf};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files_under(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "rs" || e == "py" || e == "md" || e == "sh")
        {
            out.push(path);
        }
    }
}

fn project_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md")];
    for dir in ["src", "tests", "e2e", "docs", "scripts", "bench"] {
        if root.join(dir).is_dir() {
            files_under(&root.join(dir), &mut files);
        }
    }
    files
}

/// The snake_case names in backticks on the "Pinned by" lines of the behaviour record.
fn pinning_tests(record: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut pinned = false;
    for line in record.lines() {
        if line.starts_with("**Pinned by:**") {
            pinned = true;
        } else if line.starts_with("###") || line.starts_with("**") || line.is_empty() {
            pinned = false;
        }
        if !pinned {
            continue;
        }
        for quoted in line.split('`').skip(1).step_by(2) {
            let name = quoted.rsplit("::").next().unwrap_or(quoted);
            let is_test_name = name.matches('_').count() >= 2
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if is_test_name {
                names.push(name.to_owned());
            }
        }
    }
    names
}

#[test]
fn every_test_the_behaviour_record_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let record = std::fs::read_to_string(root.join("docs/behaviour.md")).expect("the record");
    let names = pinning_tests(&record);
    assert!(names.len() > 40, "found only {} pinning tests", names.len());
    let sources: String = project_files()
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs" || e == "py"))
        .map(|p| std::fs::read_to_string(p).expect("readable source"))
        .collect();
    let missing: Vec<_> = names
        .iter()
        .filter(|n| {
            !sources.contains(&format!("fn {n}(")) && !sources.contains(&format!("def {n}("))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "docs/behaviour.md names tests that do not exist: {missing:?}"
    );
}

#[test]
fn every_pinning_test_is_in_the_file_the_record_names() {
    // `tests/api/lifecycle.rs::name`: the file exists and defines the test.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let record = std::fs::read_to_string(root.join("docs/behaviour.md")).expect("the record");
    let mut checked = 0;
    let mut misplaced = Vec::new();
    for quoted in record.split('`').skip(1).step_by(2) {
        let Some((file, name)) = quoted.rsplit_once("::") else {
            continue;
        };
        let source = Path::new(file)
            .extension()
            .is_some_and(|e| e == "rs" || e == "py");
        if !file.contains('/') || !source {
            continue;
        }
        checked += 1;
        let text = std::fs::read_to_string(root.join(file)).unwrap_or_default();
        if !text.contains(&format!("fn {name}(")) && !text.contains(&format!("def {name}(")) {
            misplaced.push(quoted.to_owned());
        }
    }
    assert!(checked > 40, "found only {checked} file::test pins");
    assert!(
        misplaced.is_empty(),
        "not in the file named: {misplaced:#?}"
    );
}

#[test]
fn no_file_cites_a_source_outside_the_repository() {
    let outside = ["shared/spec", "decisions.md", "csms-spec"];
    let mut offenders = Vec::new();
    for path in project_files() {
        if path.ends_with("tests/docs.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable file");
        for needle in outside {
            if text.contains(needle) {
                offenders.push(format!("{} cites {needle}", path.display()));
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}
