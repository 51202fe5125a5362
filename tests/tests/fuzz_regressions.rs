//! Replays the fuzz corpus and every crasher found so far (`fuzz/corpus/<target>/`,
//! `fuzz/artifacts/<target>/`, `fuzz/regressions/<target>/`) through the fuzz targets'
//! bodies, so a plain `cargo test` keeps them fixed.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut count = 0;
    for dir in ["corpus", "artifacts", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        let mut paths: Vec<_> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        for path in paths {
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{} fails", path.display());
            count += 1;
        }
    }
    count
}

#[test]
fn config_corpus_and_crashers() {
    let n = replay("config", flagcore_conformance::fuzz::config);
    println!("fuzz config: {n} inputs replayed");
    assert!(
        n > 100,
        "the committed config corpus is missing ({n} inputs)"
    );
}

#[test]
fn evaluate_corpus_and_crashers() {
    let n = replay("evaluate", flagcore_conformance::fuzz::evaluate);
    println!("fuzz evaluate: {n} inputs replayed");
    assert!(
        n > 10,
        "the committed evaluate corpus is missing ({n} inputs)"
    );
}

#[test]
fn ffi_corpus_and_crashers() {
    let n = replay("ffi", flagcore_conformance::fuzz_ffi::ffi);
    println!("fuzz ffi: {n} inputs replayed");
    assert!(n > 0, "the committed ffi corpus is missing ({n} inputs)");
}
