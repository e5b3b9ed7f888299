//! The project's documents stay true to its code: every test `docs/behaviour.md` names as
//! pinning a behaviour exists, no file cites sources outside the repository, and the
//! layering the crate map describes holds (no wire bodies in `service`, `error` a leaf,
//! no import circle through a facade `mod.rs`).
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

/// The Rust files under `src/<dir>`, with their text.
fn sources_in(dir: &str) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    files_under(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir),
        &mut files,
    );
    files
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
        .map(|f| {
            let text = std::fs::read_to_string(&f).expect("readable source");
            (f, text)
        })
        .collect()
}

#[test]
fn the_service_layer_reads_no_wire_bodies() {
    // Request bodies are deserialized in `api/` and reach the service as validated
    // commands; the backup blob's and the saved clock's own formats are the serde types
    // the service keeps, and neither is read from a request.
    for (file, text) in sources_in("service") {
        if file.ends_with("backup_blob.rs") || file.ends_with("clock.rs") {
            continue;
        }
        assert!(
            !text.contains("Deserialize") && !text.contains("JsonSchema"),
            "{} deserializes a wire type",
            file.display()
        );
    }
}

#[test]
fn answers_are_written_with_the_projects_json_type() {
    // `api::json::Json` answers a body it cannot serialize with the CSMS-shaped internal
    // error; axum's answers with plain text. Only the error body itself, which is where
    // that internal error is written, uses axum's.
    for (file, text) in sources_in("api") {
        if file.ends_with("api/error.rs") || file.ends_with("api/json.rs") {
            continue;
        }
        assert!(
            !text.contains("axum::Json") && !text.contains("axum::{Json"),
            "{} answers with axum::Json",
            file.display()
        );
    }
}

#[test]
fn only_the_middleware_and_the_fallbacks_read_the_request_path() {
    // Handlers get their parameters from the request's one classification.
    let allowed = [
        "middleware.rs",  // classifies, logs
        "auth.rs",        // the signature covers the raw path
        "mod.rs",         // the 404 fallback names the path
        "console/mod.rs", // a browser's `GET /`, an unknown asset's 404
        "starting.rs",    // answers while the state loads, before anything is classified
    ];
    for (file, text) in sources_in("api") {
        if allowed.iter().any(|a| file.ends_with(a)) {
            continue;
        }
        assert!(
            !text.contains("uri().path()") && !text.contains("uri.path()"),
            "{} reads the request path",
            file.display()
        );
    }
}

/// The lines of a source that are code, not comments.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
}

#[test]
fn the_error_module_is_a_leaf() {
    // Every layer imports `error`; it imports none of them, so no arrow can point up.
    for (file, text) in sources_in("error") {
        for line in code_lines(&text) {
            assert!(
                !line.contains("crate::"),
                "{} imports a crate module: {line}",
                file.display()
            );
        }
    }
}

#[test]
fn the_wire_types_import_no_handler_the_table_or_an_extractor() {
    // The operation table and the handlers both name these types; a wire file that
    // imported either would close a loop.
    for (file, text) in sources_in("api/wire") {
        for line in code_lines(&text) {
            let upward = line.contains("crate::api::") && !line.contains("crate::api::wire");
            assert!(
                !upward && !line.contains("super::super"),
                "{} reaches above the wire types: {line}",
                file.display()
            );
        }
    }
}

/// The module names a facade `mod.rs` declares (`mod x;`, `pub mod x;`).
fn declared_modules(facade: &str) -> Vec<String> {
    code_lines(facade)
        .filter_map(|line| {
            let line = line.trim();
            let rest = line
                .strip_prefix("pub mod ")
                .or_else(|| line.strip_prefix("mod "))?;
            rest.strip_suffix(';').map(str::to_owned)
        })
        .collect()
}

/// The first segment of every path a `super::` or `prefix` reaches in `code`: `super::a::B`
/// gives `a`, `super::{a, B}` gives `a` and `B`.
fn segments_after(code: &str, prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, _) in code.match_indices(prefix) {
        let rest = &code[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or_default();
            for item in inner.split(',') {
                let first = item.trim().split("::").next().unwrap_or_default();
                if !first.is_empty() {
                    found.push(first.to_owned());
                }
            }
        } else {
            let first: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.push(first);
        }
    }
    found
}

#[test]
fn facade_folders_hold_no_import_circle() {
    // In these folders `mod.rs` only declares the parts and re-exports them for outside
    // users; a part that imported from `mod.rs` (`super::CsmsService`) would close a
    // loop through it, so parts name the file that defines what they use.
    let folders = [
        ("service", "crate::service::"),
        ("domain/secret", "crate::domain::secret::"),
        ("domain/password", "crate::domain::password::"),
        ("store/sqlite", "crate::store::sqlite::"),
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for (folder, crate_path) in folders {
        let facade = std::fs::read_to_string(root.join(folder).join("mod.rs")).expect("mod.rs");
        for line in code_lines(&facade) {
            let line = line.trim();
            let declares = line.is_empty()
                || line.starts_with("mod ")
                || line.starts_with("pub mod ")
                || line.starts_with("pub use ")
                || line.starts_with("#[cfg(test)]")
                || !line.contains(|c: char| c.is_alphanumeric());
            let continues_a_use = line.ends_with(',') || line.ends_with("};");
            assert!(
                declares || continues_a_use,
                "src/{folder}/mod.rs defines something: {line}"
            );
        }
        let parts = declared_modules(&facade);
        for (file, text) in sources_in(folder) {
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            // The facade itself, and test modules, which may import what they like.
            if matches!(name, "mod.rs" | "tests.rs" | "proptests.rs") {
                continue;
            }
            let code: String = text
                .split("#[cfg(test)]\nmod tests {")
                .next()
                .unwrap_or_default()
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for prefix in ["super::", crate_path] {
                for first in segments_after(&code, prefix) {
                    assert!(
                        first == "super" || parts.contains(&first),
                        "{} imports `{prefix}{first}` from src/{folder}/mod.rs; name the file that defines it",
                        file.display()
                    );
                }
            }
        }
    }
}
