//! `gen-vectors [OUT_DIR]`: writes the golden vectors (default: `tests/vectors/`).
//!
//! Every expected value comes from the Rust core. Each file is rendered deterministically
//! (same core, same bytes), one case per line so that a diff shows which case changed.
//! The format is described in `tests/vectors/README.md`; `scripts/test-vectors` regenerates
//! into a temporary directory and fails on any byte difference with the committed files.

mod bucketing;
mod evaluation;
mod validation;

use serde_json::Value;

/// One vector file: its name in `tests/vectors/` and its full text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VectorFile {
    /// The file name (no directory).
    pub name: String,
    /// The file's contents (JSON, ending in a newline).
    pub text: String,
}

/// Every vector file, in a fixed order.
fn all() -> Vec<VectorFile> {
    let mut files = bucketing::files();
    files.extend(evaluation::files());
    files.extend(validation::files());
    files
}

/// Compact JSON for one value (serde_json sorts object keys: deterministic).
pub(crate) fn compact(value: &Value) -> String {
    value.to_string()
}

/// A file whose header fields come first and whose `key` array holds one item per line.
pub(crate) fn render(header: &[(&str, Value)], key: &str, items: &[String]) -> String {
    let mut out = String::from("{\n");
    for (name, value) in header {
        out.push_str(&format!("  {}: {},\n", Value::from(*name), compact(value)));
    }
    out.push_str(&format!("  {}: [\n", Value::from(key)));
    for (i, item) in items.iter().enumerate() {
        out.push_str("    ");
        out.push_str(item);
        if i + 1 < items.len() {
            out.push(',');
        }
        out.push('\n');
    }
    out.push_str("  ]\n}\n");
    out
}

fn main() -> std::process::ExitCode {
    let out: std::path::PathBuf = match std::env::args_os().nth(1) {
        Some(dir) => dir.into(),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors"),
    };
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("gen-vectors: cannot create {}: {e}", out.display());
        return std::process::ExitCode::FAILURE;
    }
    for file in all() {
        let path = out.join(&file.name);
        if let Err(e) = std::fs::write(&path, &file.text) {
            eprintln!("gen-vectors: cannot write {}: {e}", path.display());
            return std::process::ExitCode::FAILURE;
        }
        println!("{} ({} bytes)", path.display(), file.text.len());
    }
    std::process::ExitCode::SUCCESS
}
