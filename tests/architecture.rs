//! The shape of `src/`, checked: no import circle between files, no arrow that points up
//! the layers `src/lib.rs` names, the edge's own layers kept apart, facade `mod.rs` files
//! that only declare and re-export, no wire bodies past the edge. The import graph is read
//! from the sources: `use` trees, inline `crate::`/`super::`/`self::` paths, and a file's
//! references to the child modules it declares. Test-only modules are left out.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

type Module = Vec<String>;

/// One source file: its module path (`["api", "wire", "secrets"]`) and its code, with
/// comment lines and the trailing `#[cfg(test)] mod tests { … }` removed.
struct Source {
    module: Module,
    code: String,
    /// The child modules it declares, test-only ones excepted.
    children: BTreeSet<String>,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src/") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

static MOD_DECL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^(#\[cfg\(test\)\]\s*)?(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+);")
        .expect("a valid pattern")
});

/// Every module of the crate but the crate roots, by module path.
fn sources() -> BTreeMap<Module, Source> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut test_only = BTreeSet::new();
    let mut all = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src/");
        let mut module: Module = relative
            .with_extension("")
            .iter()
            .map(|part| part.to_string_lossy().into_owned())
            .collect();
        if module.last().is_some_and(|last| last == "mod") {
            module.pop();
        }
        let text = std::fs::read_to_string(&file).expect("readable source");
        let text = match text.find("#[cfg(test)]\nmod tests {") {
            Some(at) => &text[..at],
            None => &text[..],
        };
        let code = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut children = BTreeSet::new();
        for declared in MOD_DECL.captures_iter(&code) {
            let mut child = module.clone();
            child.push(declared[2].to_owned());
            if declared.get(1).is_some() {
                test_only.insert(child);
            } else {
                children.insert(declared[2].to_owned());
            }
        }
        if module == ["lib"] || module == ["main"] {
            continue;
        }
        all.insert(
            module.clone(),
            Source {
                module,
                code,
                children,
            },
        );
    }
    all.retain(|module, _| !test_only.iter().any(|t| module.starts_with(t)));
    all
}

/// `a::{b, c::{d, e}}` as `a::b`, `a::c::d`, `a::c::e`.
fn expand_use_tree(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let plain = tree.split(" as ").next().unwrap_or(tree).trim();
        return vec![plain.to_owned()];
    };
    let prefix = tree[..open].trim_end_matches("::").trim();
    let close = tree
        .rfind('}')
        .filter(|close| *close > open)
        .unwrap_or(tree.len());
    let inner = &tree[open + 1..close];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (at, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(expand_use_tree)
        .map(|rest| match (prefix.is_empty(), rest.as_str()) {
            (true, _) => rest,
            (false, "self") => prefix.to_owned(),
            (false, _) => format!("{prefix}::{rest}"),
        })
        .collect()
}

static USE_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*(?:pub(?:\([^)]*\))?\s+)?use\s+([^;]+);").expect("a valid pattern")
});
static INLINE_PATH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:crate|super|self)(?:::\w+)+").expect("a valid pattern"));

/// The module a path names, as the longest module prefix of it, seen from `from`.
fn resolve(from: &Source, path: &str, modules: &BTreeMap<Module, Source>) -> Option<Module> {
    let segments: Vec<&str> = path.split("::").map(str::trim).collect();
    let mut absolute: Module = match segments.first()? {
        &"crate" => Vec::new(),
        &"super" => from.module[..from.module.len().saturating_sub(1)].to_vec(),
        &"self" => from.module.clone(),
        first if from.children.contains(*first) => {
            let mut here = from.module.clone();
            here.push((*first).to_owned());
            here
        }
        _ => return None,
    };
    let mut rest = &segments[1..];
    if segments[0] == "super" {
        while rest.first() == Some(&"super") {
            absolute.pop();
            rest = &rest[1..];
        }
    }
    absolute.extend(rest.iter().map(|s| (*s).to_owned()));
    (1..=absolute.len())
        .rev()
        .map(|n| absolute[..n].to_vec())
        .find(|candidate| modules.contains_key(candidate))
        .filter(|found| *found != from.module)
}

/// Every file's imports of other files.
fn import_graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let modules = sources();
    let mut graph = BTreeMap::new();
    for source in modules.values() {
        let mut imports = BTreeSet::new();
        for item in USE_ITEM.captures_iter(&source.code) {
            for path in expand_use_tree(&item[1]) {
                imports.extend(resolve(source, &path, &modules));
            }
        }
        for path in INLINE_PATH.find_iter(&source.code) {
            imports.extend(resolve(source, path.as_str(), &modules));
        }
        for child in &source.children {
            let used = Regex::new(&format!(r"(?:^|[^:\w]){child}::"))
                .expect("a valid pattern")
                .is_match(&source.code);
            if used {
                imports.extend(resolve(source, child, &modules));
            }
        }
        graph.insert(source.module.clone(), imports);
    }
    graph
}

fn name(module: &Module) -> String {
    module.join("::")
}

/// The strongly connected components of more than one file (Tarjan).
fn circles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a Module) {
            let at = self.index.len();
            self.index.insert(v, at);
            self.low.insert(v, at);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in &self.graph[v] {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(name(w));
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v) {
            walk.visit(v);
        }
    }
    walk.found
}

#[test]
fn no_files_of_src_import_each_other_in_a_circle() {
    let graph = import_graph();
    // The reader must see the arrows it is meant to see, or an empty graph would pass.
    let wire = graph[&vec![
        "api".to_owned(),
        "handlers".to_owned(),
        "secrets".to_owned(),
    ]]
        .iter()
        .map(name)
        .collect::<Vec<_>>();
    assert!(wire.contains(&"api::wire::secrets".to_owned()), "{wire:?}");
    assert!(wire.contains(&"api::extract".to_owned()), "{wire:?}");
    assert_eq!(circles(&graph), Vec::<Vec<String>>::new());
}

#[test]
fn the_cycle_finder_finds_a_circle_when_there_is_one() {
    let module = |n: &str| vec![n.to_owned()];
    let graph = BTreeMap::from([
        (module("a"), BTreeSet::from([module("b")])),
        (module("b"), BTreeSet::from([module("c")])),
        (module("c"), BTreeSet::from([module("a")])),
        (module("d"), BTreeSet::from([module("a")])),
    ]);
    assert_eq!(circles(&graph), vec![vec!["a", "b", "c"]]);
}

#[test]
fn use_trees_expand_to_every_path_they_name() {
    assert_eq!(
        expand_use_tree("crate::api::{wire::{secrets::X, page}, self, json::Json as J}"),
        vec![
            "crate::api::wire::secrets::X",
            "crate::api::wire::page",
            "crate::api",
            "crate::api::json::Json",
        ]
    );
}

/// Where each top-level module sits, top first: a file may import its own layer or a
/// lower one, never a higher one. A new top-level module must be given a place here.
const LAYERS: &[&[&str]] = &[
    &["app", "server", "config"],
    &["api", "smn"],
    &["auth", "control", "telemetry", "tls", "healthcheck"],
    &["service"],
    &["store"],
    &["domain", "fixture_file"],
    &["http_client", "clock", "error"],
];

/// The edge's own layers, top first: the router and the start-up answer, the handlers
/// and the middleware, the extractors and the OpenAPI writer, the operation table, the
/// wire types, and the leaves every file of the edge may use.
const EDGE_LAYERS: &[&[&str]] = &[
    &["", "starting"],
    &["handlers", "middleware", "auth"],
    &["extract", "paths", "openapi"],
    &["operations"],
    &["wire"],
    &["body", "json", "error"],
];

fn rank(layers: &[&[&str]], part: &str) -> usize {
    layers
        .iter()
        .position(|layer| layer.contains(&part))
        .unwrap_or_else(|| panic!("`{part}` has no layer in tests/architecture.rs"))
}

#[test]
fn no_import_points_up_the_layers() {
    let mut upward = Vec::new();
    for (from, imports) in import_graph() {
        for to in imports {
            let (a, b) = (rank(LAYERS, &from[0]), rank(LAYERS, &to[0]));
            let edge_up = from[0] == "api"
                && to[0] == "api"
                && rank(EDGE_LAYERS, from.get(1).map_or("", String::as_str))
                    > rank(EDGE_LAYERS, to.get(1).map_or("", String::as_str));
            if a > b || edge_up {
                upward.push(format!("{} -> {}", name(&from), name(&to)));
            }
        }
    }
    assert_eq!(upward, Vec::<String>::new());
}

#[test]
fn the_error_module_is_a_leaf() {
    // Every layer imports `error`; it imports none of them, so no arrow can point up.
    for (from, imports) in import_graph() {
        if from[0] == "error" {
            let outside: Vec<_> = imports.iter().filter(|m| m[0] != "error").collect();
            assert!(outside.is_empty(), "{} imports {outside:?}", name(&from));
        }
    }
}

#[test]
fn the_wire_types_import_nothing_of_the_edge_above_them() {
    // The operation table and the handlers both name these types; a wire file that
    // imported either would close a loop.
    for (from, imports) in import_graph() {
        if from.starts_with(&["api".to_owned(), "wire".to_owned()]) {
            let above: Vec<_> = imports
                .iter()
                .filter(|m| m[0] == "api" && m.get(1).is_none_or(|part| part != "wire"))
                .map(name)
                .collect();
            assert!(above.is_empty(), "{} imports {above:?}", name(&from));
        }
    }
}

/// The Rust files under `src/<dir>`, with their text.
fn sources_in(dir: &str) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(
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

#[test]
fn service_methods_take_parsed_values_not_raw_input() {
    // The edge parses; an operation gets domain types. What stays raw, and why:
    // `show_user_detail` compares an id no definition constrains with the one user;
    // `upload_secret_blob` gets a blob only the service's key opens; the settings are
    // internal keys; `parse` is a command's own constructor, which the edge calls;
    // `check_fixture`'s text is the label its messages name the fixture by.
    let allowed = [
        "check_fixture",
        "show_user_detail",
        "upload_secret_blob",
        "save_setting",
        "load_setting",
        "parse",
    ];
    let raw = [
        ": &str",
        ": String",
        "Option<&str>",
        "Option<String>",
        "Option<i64>",
        "Option<bool>",
        "serde_json::Value",
    ];
    let signature =
        Regex::new(r"(?s)pub fn (\w+)(?:<[^>]*>)?\(([^)]*)\)").expect("a valid pattern");
    let mut seen = 0;
    let mut offenders = Vec::new();
    for (file, text) in sources_in("service") {
        if file.ends_with("tests.rs") {
            continue;
        }
        let code = text
            .split("#[cfg(test)]\nmod tests {")
            .next()
            .unwrap_or_default();
        for found in signature.captures_iter(code) {
            seen += 1;
            let (name, params) = (&found[1], &found[2]);
            if !allowed.contains(&name) && raw.iter().any(|r| params.contains(r)) {
                offenders.push(format!("{}: {name}({params})", file.display()));
            }
        }
    }
    assert!(seen > 50, "read only {seen} service signatures");
    assert_eq!(offenders, Vec::<String>::new());
}

#[test]
fn automatic_rotations_rule_is_checked_in_the_domain_only() {
    // On create and on update alike (`SecretSettings::checked`, `update_settings`).
    let mut callers = Vec::new();
    for dir in ["api", "service", "store"] {
        for (file, text) in sources_in(dir) {
            if text.contains("check_auto_rotation") {
                callers.push(file.display().to_string());
            }
        }
    }
    assert_eq!(callers, Vec::<String>::new());
    let domain: String = sources_in("domain").into_iter().map(|(_, t)| t).collect();
    assert!(
        domain.matches("check_auto_rotation(").count() >= 3,
        "defined and called twice"
    );
}
