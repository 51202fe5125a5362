//! One version everywhere: the Cargo workspace's version (this crate's, inherited) is the
//! npm package's, the Python package's, the C header's macros (and cbindgen.toml, which
//! writes them), the Cargo.toml pin other crates use to depend on `flagcore`, and
//! CHANGELOG.md has a section for it. A release bumps them together or this fails.

use std::path::Path;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn read(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The value of the first line of `text` that starts with `key` (after trimming), with the
/// quotes, the trailing comma and anything after the closing quote dropped.
fn quoted_after(text: &str, key: &str, path: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(key))
        .unwrap_or_else(|| panic!("{path}: no line starting with {key:?}"));
    let rest = &line[key.len()..];
    let start = rest
        .find('"')
        .unwrap_or_else(|| panic!("{path}: {line:?} has no quoted value"));
    let rest = &rest[start + 1..];
    let end = rest
        .find('"')
        .unwrap_or_else(|| panic!("{path}: {line:?} has no closing quote"));
    rest[..end].to_owned()
}

#[test]
fn the_npm_package_has_the_workspace_version() {
    let path = "flagcore-wasm/package.json";
    assert_eq!(
        quoted_after(&read(path), "\"version\":", path),
        VERSION,
        "{path}"
    );
}

#[test]
fn the_python_package_has_the_workspace_version() {
    let path = "flagcore-ffi/python/pyproject.toml";
    assert_eq!(
        quoted_after(&read(path), "version =", path),
        VERSION,
        "{path}"
    );
}

#[test]
fn the_c_header_macros_have_the_workspace_version() {
    for path in [
        "flagcore-ffi/include/flagcore.h",
        "flagcore-ffi/cbindgen.toml",
    ] {
        let text = read(path);
        let line = format!("#define FLAGCORE_VERSION \"{VERSION}\"");
        assert!(text.contains(&line), "{path} lacks `{line}`");
    }
    let header = read("flagcore-ffi/include/flagcore.h");
    let mut parts = VERSION.split(['.', '-', '+']);
    for name in ["MAJOR", "MINOR", "PATCH"] {
        let number = parts.next().unwrap_or("?");
        let line = format!("#define FLAGCORE_VERSION_{name} {number}");
        assert!(header.contains(&line), "flagcore.h lacks `{line}`");
    }
}

#[test]
fn the_workspace_dependency_on_flagcore_pins_the_workspace_version() {
    let path = "Cargo.toml";
    let text = read(path);
    let line = text
        .lines()
        .find(|l| l.starts_with("flagcore = {"))
        .unwrap_or_else(|| panic!("{path}: no `flagcore = {{` dependency line"));
    let pin = format!("version = \"{VERSION}\"");
    assert!(line.contains(&pin), "{path}: `{line}` lacks `{pin}`");
}

#[test]
fn the_changelog_has_a_section_for_the_version() {
    let changelog = read("CHANGELOG.md");
    let heading = format!("## {VERSION}");
    let first = changelog
        .lines()
        .find(|l| l.starts_with("## "))
        .unwrap_or("(none)");
    assert!(
        first.starts_with(&heading),
        "CHANGELOG.md: the newest section is `{first}`, not `{heading} ...`"
    );
}
