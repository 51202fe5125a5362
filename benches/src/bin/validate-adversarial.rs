//! Validation time of hostile configs: each shape that once made validation quadratic (or
//! worse), generated at growing sizes, validated once, timed. Linear validation shows as
//! time growing with the size (8x the bytes, about 8x the time); a quadratic path as 64x.
//!
//! `cargo run --profile bench -p flagcore-benches --bin validate-adversarial -- [--sizes 1,8,64] [--shape NAME]`
//!
//! Sizes are in MiB (64 MiB is the default `Limits::max_bytes`). Prints a markdown table:
//! shape, size, problems reported, time. `--quick` is `--sizes 1`. Not part of
//! `scripts/bench` (the 64 MiB cases take a while and half a gigabyte); BENCHMARKS.md
//! records a run (section "Validation of hostile configs").

use std::fmt::Write as _;
use std::time::Instant;

use flagcore::Config;

const MIB: usize = 1024 * 1024;

/// A shape: its name, what it attacks, and a generator of a config of `n` repeated parts
/// (see [`sized`] for the `n` that makes a given size).
struct Shape {
    name: &'static str,
    what: &'static str,
    generate: fn(usize) -> String,
}

const SHAPES: &[Shape] = &[
    Shape {
        name: "misspelt-long-variant",
        what: "one misspelt variant name as long as the config (\"did you mean\")",
        generate: misspelt_long_variant,
    },
    Shape {
        name: "many-prerequisites",
        what: "one flag with a prerequisite on every other flag (the prerequisite graph)",
        generate: many_prerequisites,
    },
    Shape {
        name: "unknown-prerequisites",
        what: "every flag requires an unknown flag (suggestions against every key)",
        generate: unknown_prerequisites,
    },
    Shape {
        name: "split-over-all-variants",
        what: "a valid split over every variant of a huge flag (variant lookup, duplicates)",
        generate: split_over_all_variants,
    },
    Shape {
        name: "rules-over-variants",
        what: "one rule per variant, each serving it by name (variant lookup)",
        generate: rules_over_variants,
    },
    Shape {
        name: "unknown-segments",
        what: "many segments, many rules naming unknown segments (suggestions)",
        generate: unknown_segments,
    },
    Shape {
        name: "cycle-through-all",
        what: "a chain through every flag, each also requiring the first (cycle reports)",
        generate: cycle_through_all,
    },
    Shape {
        name: "duplicate-segment-keys",
        what: "a segment listing one key a million times (warnings kept)",
        generate: duplicate_segment_keys,
    },
    Shape {
        name: "duplicate-rule-ids",
        what: "rules sharing ids, and unknown fields (duplicate checks)",
        generate: duplicate_rule_ids,
    },
];

fn head() -> String {
    String::from("{\"schemaVersion\": 1, ")
}

fn misspelt_long_variant(n: usize) -> String {
    let long = "a".repeat(n);
    format!(
        "{{\"schemaVersion\": 1, \"flags\": {{\"f\": {{\"enabled\": true, \"variants\": {{\"{long}\": 1, \"off\": 2}}, \"default\": {{\"variant\": \"{long}b\"}}}}}}}}"
    )
}

fn many_prerequisites(n: usize) -> String {
    let mut s = head();
    s.push_str("\"flags\": {");
    for i in 0..n {
        let _ = write!(
            s,
            "\"p{i}\": {{\"enabled\": true, \"default\": {{\"variant\": \"on\"}}}}, "
        );
    }
    s.push_str(
        "\"top\": {\"enabled\": true, \"default\": {\"variant\": \"on\"}, \"prerequisites\": [",
    );
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{{\"flag\": \"p{i}\", \"variant\": \"on\"}}");
    }
    s.push_str("]}}}");
    s
}

fn unknown_prerequisites(n: usize) -> String {
    let mut s = head();
    s.push_str("\"flags\": {");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            "\"flag-{i:08}\": {{\"enabled\": true, \"default\": {{\"variant\": \"on\"}}, \"prerequisites\": [{{\"flag\": \"flag-{i:08}x\", \"variant\": \"on\"}}]}}"
        );
    }
    s.push_str("}}");
    s
}

/// `"v0": 0, "v1": 1, ...`: `n` variants of a number flag.
fn variants(s: &mut String, n: usize) {
    s.push_str("\"variants\": {");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "\"v{i}\": {i}");
    }
    s.push('}');
}

fn split_over_all_variants(n: usize) -> String {
    let mut s = head();
    s.push_str("\"flags\": {\"f\": {\"enabled\": true, \"offVariant\": \"v0\", ");
    variants(&mut s, n);
    s.push_str(", \"default\": {\"split\": [");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let weight = if i == 0 { 100 } else { 0 };
        let _ = write!(s, "{{\"variant\": \"v{i}\", \"weight\": {weight}}}");
    }
    s.push_str("]}}}}");
    s
}

fn rules_over_variants(n: usize) -> String {
    let mut s = head();
    s.push_str("\"flags\": {\"f\": {\"enabled\": true, \"offVariant\": \"v0\", ");
    variants(&mut s, n);
    s.push_str(", \"rules\": [");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            "{{\"conditions\": [{{\"attribute\": \"a\", \"op\": \"equals\", \"value\": {i}}}], \"serve\": {{\"variant\": \"v{i}\"}}}}"
        );
    }
    s.push_str("], \"default\": {\"variant\": \"v0\"}}}}");
    s
}

fn unknown_segments(n: usize) -> String {
    let mut s = head();
    s.push_str("\"segments\": {");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "\"segment-{i:08}\": {{\"keys\": [\"k\"]}}");
    }
    s.push_str("}, \"flags\": {\"f\": {\"enabled\": true, \"rules\": [");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            "{{\"conditions\": [{{\"op\": \"inSegment\", \"value\": \"segment-{i:08}x\"}}], \"serve\": {{\"variant\": \"on\"}}}}"
        );
    }
    s.push_str("], \"default\": {\"variant\": \"off\"}}}}");
    s
}

fn cycle_through_all(n: usize) -> String {
    let mut s = head();
    s.push_str("\"flags\": {");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let next = (i + 1) % n;
        let _ = write!(
            s,
            "\"f{i}\": {{\"enabled\": true, \"default\": {{\"variant\": \"on\"}}, \"prerequisites\": [{{\"flag\": \"f{next}\", \"variant\": \"on\"}}, {{\"flag\": \"f0\", \"variant\": \"on\"}}]}}"
        );
    }
    s.push_str("}}");
    s
}

fn duplicate_segment_keys(n: usize) -> String {
    let mut s = head();
    s.push_str("\"segments\": {\"s\": {\"keys\": [");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push_str("\"k\"");
    }
    s.push_str("]}}, \"flags\": {\"f\": {\"enabled\": true, \"rules\": [{\"conditions\": [{\"op\": \"inSegment\", \"value\": \"s\"}], \"serve\": {\"variant\": \"on\"}}], \"default\": {\"variant\": \"off\"}}}}");
    s
}

fn duplicate_rule_ids(n: usize) -> String {
    let mut s = head();
    s.push_str("\"flags\": {\"f\": {\"enabled\": true, \"rules\": [");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            "{{\"id\": \"r{}\", \"serev\": 1, \"serve\": {{\"variant\": \"on\"}}}}",
            i % 2
        );
    }
    s.push_str("], \"default\": {\"variant\": \"off\"}}}}");
    s
}

/// The config of `generate` closest to `bytes` without going over: the size grows
/// linearly with `n` (a fixed part and a part per item), measured at two counts.
fn sized(generate: fn(usize) -> String, bytes: usize) -> String {
    let a = generate(1_000).len();
    let b = generate(2_000).len();
    let per_item = (b - a) / 1_000;
    let fixed = a.saturating_sub(1_000 * per_item);
    let mut n = bytes.saturating_sub(fixed) / per_item.max(1);
    let mut text = generate(n);
    while text.len() > bytes && n > 0 {
        n -= n / 100 + 1;
        text = generate(n);
    }
    text
}

fn main() {
    let mut sizes: Vec<usize> = vec![1, 8, 64];
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => sizes = vec![1],
            "--sizes" => {
                let list = args.next().unwrap_or_default();
                sizes = list
                    .split(',')
                    .filter_map(|s| s.trim().parse().ok())
                    .collect();
            }
            "--shape" => only = args.next(),
            "--bench" => {} // cargo bench passes it
            other => {
                eprintln!("unknown argument {other}; use --sizes 1,8,64, --shape NAME or --quick");
                std::process::exit(2);
            }
        }
    }
    println!("| shape | size | bytes | errors | warnings | time |");
    println!("|---|---:|---:|---:|---:|---:|");
    for shape in SHAPES {
        if only.as_deref().is_some_and(|o| o != shape.name) {
            continue;
        }
        eprintln!("{}: {}", shape.name, shape.what);
        for &mib in &sizes {
            // Just under the limit: the 64 MiB case must be validated, not refused.
            let text = sized(shape.generate, mib * MIB - MIB / 16);
            let started = Instant::now();
            let report = Config::validate(&text);
            let elapsed = started.elapsed();
            println!(
                "| {} | {mib} MiB | {} | {} | {} | {:.3} s |",
                shape.name,
                text.len(),
                report.errors.len(),
                report.warnings.len(),
                elapsed.as_secs_f64()
            );
            assert!(text.len() <= 64 * MIB, "{}: generated too much", shape.name);
        }
    }
}
