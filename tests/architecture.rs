//! The library's layers only look down: a module may use the modules of lower layers, never
//! one of its own layer or above. The order is the README's "Architecture" section.

use std::fs;
use std::path::{Path, PathBuf};

/// The library's top-level modules, bottom layer first. Modules of one layer do not use each
/// other.
const LAYERS: &[&[&str]] = &[
    &["error", "kind", "time"],
    &["io", "flat"],
    &["normalize"],
    &["gazetteer"],
    &["index"],
    &["resolve"],
    &["clean", "extract", "export", "serve"],
    &["import"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a source file names as `crate::NAME`, outside comments.
fn crate_uses(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let before = rest[..i].chars().next_back();
            rest = &rest[i + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push(name);
            }
        }
    }
    found
}

#[test]
fn no_module_uses_one_of_its_layer_or_above() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut violations = Vec::new();
    let mut checked = 0;
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src");
        let first = rel.components().next().expect("a component");
        let module = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        // the binary (main.rs, cli/) sits above the library and may use all of it
        if module == "main" || module == "cli" || module == "lib" {
            continue;
        }
        let own = layer_of(&module)
            .unwrap_or_else(|| panic!("{}: module {module} has no layer in LAYERS", rel.display()));
        let text = fs::read_to_string(file).expect("read source");
        for used in crate_uses(&text) {
            if used == module || matches!(used.as_str(), "Error" | "Result") {
                continue;
            }
            let Some(theirs) = layer_of(&used) else {
                violations.push(format!("{}: crate::{used} has no layer", rel.display()));
                continue;
            };
            checked += 1;
            if theirs >= own {
                violations.push(format!(
                    "{}: {module} (layer {own}) uses crate::{used} (layer {theirs})",
                    rel.display()
                ));
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} uses found: is the scan broken?"
    );
    assert!(
        violations.is_empty(),
        "imports that look up:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_scan_sees_what_a_file_uses() {
    let text = "use crate::gazetteer::Kind; // crate::resolve\nlet x = crate::index::Index::new();";
    assert_eq!(crate_uses(text), ["gazetteer", "index"]);
}

#[test]
fn the_library_exports_no_cli() {
    let lib = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("read lib.rs");
    assert!(!lib.contains("mod cli"), "src/lib.rs declares the CLI");
    let manifest = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .expect("read Cargo.toml");
    assert!(manifest.contains("[dependencies]"));
}
