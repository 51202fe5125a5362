//! The fuzz targets driven by proptest: random bytes and mutated corpus seeds. Runs on
//! every `cargo test` (256 cases each, `PROPTEST_CASES` to change), and is what
//! `scripts/fuzz` falls back to where libFuzzer cannot be built.

use std::path::Path;

use proptest::prelude::*;

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn mutate(mut data: Vec<u8>, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    for &(at, byte, kind) in edits {
        let at = if data.is_empty() { 0 } else { at % data.len() };
        match kind % 4 {
            0 if !data.is_empty() => data[at] = byte,
            1 => data.insert(at, byte),
            2 if !data.is_empty() => {
                data.remove(at);
            }
            _ => data.truncate(at),
        }
    }
    data
}

proptest! {
    #[test]
    fn config_random_bytes(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        flagcore_conformance::fuzz::config(&data);
    }

    #[test]
    fn config_mutated_seeds(i in any::<usize>(), edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6)) {
        let all = seeds("config");
        flagcore_conformance::fuzz::config(&mutate(all[i % all.len()].clone(), &edits));
    }

    #[test]
    fn evaluate_random_bytes(data in proptest::collection::vec(any::<u8>(), 0..256)) {
        flagcore_conformance::fuzz::evaluate(&data);
    }

    #[test]
    fn evaluate_mutated_seeds(i in any::<usize>(), edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6)) {
        let all = seeds("evaluate");
        flagcore_conformance::fuzz::evaluate(&mutate(all[i % all.len()].clone(), &edits));
    }
}
