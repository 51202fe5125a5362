//! The Rust runner: replays every golden vector through the core, and checks that the
//! vectors are frozen (regenerating them gives the same bytes).

use std::path::{Path, PathBuf};

use flagcore_conformance::replay::{replay_dir, replay_text};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

#[test]
fn rust_replays_every_vector() {
    let outcome = replay_dir(&vectors_dir()).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "rust: {} vectors replayed, {} mismatches",
        outcome.replayed,
        outcome.mismatches.len()
    );
    for m in outcome.mismatches.iter().take(20) {
        println!("  mismatch: {m}");
    }
    assert!(
        outcome.mismatches.is_empty(),
        "{} mismatches",
        outcome.mismatches.len()
    );
    assert!(
        outcome.replayed > 100_000 + 500,
        "only {} vectors",
        outcome.replayed
    );
}

#[test]
fn a_changed_vector_is_a_mismatch() {
    let text = std::fs::read_to_string(vectors_dir().join("bucket-v1-edge.json")).unwrap();
    // Change the first case's bucket: the runner must notice.
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with('['))
        .unwrap();
    let (head, bucket) = line.trim_end_matches(',').rsplit_once(',').unwrap();
    let bucket: u32 = bucket.trim_end_matches(']').parse().unwrap();
    let changed_line = format!("{head},{}]", (bucket + 1) % 100_000);
    let changed = text.replacen(line.trim_end_matches(','), &changed_line, 1);
    let outcome = replay_text("edge", &changed).unwrap();
    assert_eq!(outcome.mismatches.len(), 1, "{:?}", outcome.mismatches);

    let text = std::fs::read_to_string(vectors_dir().join("eval-store.json")).unwrap();
    let changed = text.replacen("\"reason\":\"OVERRIDE\"", "\"reason\":\"DEFAULT\"", 1);
    assert_ne!(changed, text);
    let outcome = replay_text("eval-store", &changed).unwrap();
    assert!(!outcome.mismatches.is_empty());
}

#[test]
fn vectors_are_frozen() {
    let out = std::env::temp_dir().join(format!("flagcore-vectors-{}", std::process::id()));
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_gen-vectors"))
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let list = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
        names.sort();
        names
    };
    let committed = list(&vectors_dir());
    let regenerated = list(&out);
    assert_eq!(committed, regenerated, "the set of vector files changed");
    let mut changed = Vec::new();
    for name in &committed {
        let a = std::fs::read(vectors_dir().join(name)).unwrap();
        let b = std::fs::read(out.join(name)).unwrap();
        if a != b {
            changed.push(name.clone());
        }
    }
    std::fs::remove_dir_all(&out).ok();
    assert!(
        changed.is_empty(),
        "regenerating the vectors changed {changed:?}: the core's answers changed. \
         If that is intended, bump the hash version (bucketing) or regenerate with \
         `cargo run -p flagcore-conformance --bin gen-vectors` and review the diff."
    );
}

/// Regression: prerequisites shared by several paths used to be evaluated once per path
/// with no limit, so a valid 33-level "diamond" took 2^32 evaluations (minutes). Validation
/// now refuses configs needing more than 1,000 prerequisite evaluations per flag; the
/// largest accepted fan-out must evaluate quickly.
#[test]
fn prerequisite_fan_out_is_bounded() {
    let diamond = |levels: usize| {
        let flags: Vec<String> = (0..levels)
            .map(|i| {
                let p = if i + 1 < levels {
                    format!(r#", "prerequisites": [{{"flag": "d{0}", "variant": "on"}}, {{"flag": "d{0}", "variant": "on"}}]"#, i + 1)
                } else {
                    String::new()
                };
                format!(r#""d{i}": {{"enabled": true{p}, "default": {{"variant": "on"}}}}"#)
            })
            .collect();
        format!(
            r#"{{"schemaVersion": 1, "flags": {{{}}}}}"#,
            flags.join(",")
        )
    };
    // 2^10 - 2 = 1022 evaluations: over the limit. 2^9 - 2 = 510: accepted.
    assert!(flagcore::Config::from_json(&diamond(10)).is_err());
    assert!(flagcore::Config::from_json(&diamond(33)).is_err());
    let config = flagcore::Config::from_json(&diamond(9)).unwrap();
    let start = std::time::Instant::now();
    let ctx = flagcore::Context::new("user-1");
    for _ in 0..100 {
        assert_eq!(
            config.evaluate("d0", &ctx).reason,
            flagcore::Reason::Default
        );
    }
    assert!(
        start.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

/// Every problem code the core defines is produced by at least one validation vector, so a
/// new code cannot land without a case that pins its path in every binding.
#[test]
fn every_problem_code_has_a_validation_vector() {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../flagcore/src/error.rs"),
    )
    .unwrap();
    let body = source
        .split("pub fn as_str(self) -> &'static str {")
        .nth(1)
        .unwrap();
    let body = body.split("\n    }\n").next().unwrap();
    let codes: Vec<&str> = body
        .split("=> \"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert!(codes.len() >= 28, "found only {codes:?}");
    let vectors = std::fs::read_to_string(vectors_dir().join("validation.json")).unwrap();
    // A vector's config is a JSON string, which cannot hold bytes that are not UTF-8:
    // invalid_utf8 is tested in flagcore/tests/hardening.rs (Config::from_slice).
    const NOT_EXPRESSIBLE: &[&str] = &["invalid_utf8"];
    let missing: Vec<&&str> = codes
        .iter()
        .filter(|c| !NOT_EXPRESSIBLE.contains(c))
        .filter(|c| !vectors.contains(&format!("\"code\":\"{c}\"")))
        .collect();
    assert!(missing.is_empty(), "no validation vector produces {missing:?}: add a case to tests/src/bin/gen-vectors/validation.rs");
}
