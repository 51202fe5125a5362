//! `flagcore simulate FILE`: evaluate every flag for many users and report how they split.

use std::io::Write;
use std::ops::Range;

use flagcore::{Config, ErrorCode, Reason};
use serde::Serialize;

use crate::args::{ContextArgs, EvalTime, PopulationArgs};
use crate::error::{CmdResult, Exit};
use crate::input::load_config;
use crate::output::{bar, count, paint, percent, plural, style, Align, Cell, Output, Table};
use crate::population::{evaluate_users, Population, RunStats, UserSet};
use flagcore::stats::{chi_square, ChiSquare};

/// The chance of a false sample-ratio alarm for a whole config: each of the N flags
/// tested is flagged below `SRM_ALPHA / N` (Bonferroni), so a config of many flags does
/// not raise one false alarm per thousand flags.
pub const SRM_ALPHA: f64 = 0.001;
/// The chi-square test needs at least this many expected users per variant.
const SRM_MIN_EXPECTED: f64 = 5.0;
/// Human output lists at most this many flag pairs (all are in `--json`).
const MAX_PAIRS_SHOWN: usize = 15;
/// Overlap is computed for at most this many flags (pairs grow with the square).
const MAX_OVERLAP_FLAGS: usize = 100;
const BAR_CELLS: usize = 24;

/// Simulate a population and report how every flag splits it.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Every generated user has only a key (user-1 … user-N) plus the --attr attributes, the same for all.
Exit code 1 when a flag's default split shows a sample ratio mismatch (p < 0.001 / flags tested).

Examples:
  flagcore simulate examples/speech-migration.json --users 100000 --at 2026-12-01T12:00:00Z
  flagcore simulate examples/speech-migration.json --users 1000000 --attr appVersion=2.4.0
  flagcore simulate config.json --ids user-ids.txt --json")]
pub struct Args {
    /// The config file (`-` reads stdin).
    #[arg(value_name = "FILE")]
    pub file: String,

    #[command(flatten)]
    pub population: PopulationArgs,

    #[command(flatten)]
    pub context: ContextArgs,
}

/// What one chunk of users got.
struct Tally<'c> {
    start: usize,
    /// Per flag, per variant: users served it (errors excluded).
    counts: Vec<Vec<u64>>,
    /// Per flag, per variant: users served it by the default (reason SPLIT or DEFAULT).
    default_counts: Vec<Vec<u64>>,
    /// Per flag, per reason code.
    reasons: Vec<[u64; Reason::ALL.len()]>,
    /// Per flag, per error code.
    errors: Vec<[u64; ErrorCode::ALL.len()]>,
    /// Per flag, per rule: users it decided for, and the rule's id.
    rules: Vec<Vec<(u64, Option<String>)>>,
    /// Per flag, per prerequisite flag index: users for whom it failed.
    prerequisites: Vec<Vec<(&'c str, u64)>>,
    /// Per flag: users served a variant other than the off variant.
    audiences: Vec<UserSet>,
    /// Per flag: users outside the flag's range of its layer (reason DEFAULT with a bucket).
    outside_layer: Vec<u64>,
}

struct FlagShape<'c> {
    key: &'c str,
    value_type: &'static str,
    enabled: bool,
    off: usize,
    variants: Vec<(&'c str, serde_json::Value)>,
    rule_count: usize,
    requires: Vec<&'c str>,
    /// The flag's layer and range (thousandths of a percent), if it is in one.
    layer: Option<(&'c str, Range<u32>)>,
    /// Expected shares of the default at this time, per variant, if it is defined.
    expected: Option<Vec<f64>>,
}

fn shapes<'c>(config: &'c Config, at: i64) -> Vec<FlagShape<'c>> {
    let keys: Vec<&str> = config.flags().map(|f| f.key()).collect();
    config
        .flags()
        .map(|f| {
            let variants: Vec<(&str, serde_json::Value)> =
                f.variants().map(|(n, v)| (n, v.to_json())).collect();
            let off = variants
                .iter()
                .position(|(n, _)| *n == f.off_variant())
                .unwrap_or(0);
            // A switched-off flag serves its off variant: its default expects nothing.
            let expected = f
                .default_shares(Some(at))
                .filter(|_| f.enabled())
                .map(|shares| {
                    let mut e = vec![0.0; variants.len()];
                    for (name, thousandths) in shares {
                        if let Some(i) = variants.iter().position(|(n, _)| *n == name) {
                            e[i] += f64::from(thousandths) / f64::from(flagcore::BUCKETS);
                        }
                    }
                    e
                });
            FlagShape {
                key: f.key(),
                value_type: f.value_type().as_str(),
                enabled: f.enabled(),
                off,
                variants,
                rule_count: f.rule_count(),
                requires: f
                    .prerequisite_indices()
                    .filter_map(|i| keys.get(i).copied())
                    .collect(),
                layer: f.layer(),
                expected,
            }
        })
        .collect()
}

impl<'c> Tally<'c> {
    fn new(shapes: &[FlagShape<'c>], range: Range<usize>) -> Tally<'c> {
        Tally {
            start: range.start,
            counts: shapes.iter().map(|s| vec![0; s.variants.len()]).collect(),
            default_counts: shapes.iter().map(|s| vec![0; s.variants.len()]).collect(),
            reasons: vec![[0; Reason::ALL.len()]; shapes.len()],
            errors: vec![[0; ErrorCode::ALL.len()]; shapes.len()],
            rules: shapes
                .iter()
                .map(|s| vec![(0, None); s.rule_count])
                .collect(),
            prerequisites: shapes.iter().map(|_| Vec::new()).collect(),
            audiences: shapes.iter().map(|_| UserSet::new(range.len())).collect(),
            outside_layer: vec![0; shapes.len()],
        }
    }

    fn merge(&mut self, other: Tally<'c>) {
        for f in 0..self.counts.len() {
            add(&mut self.counts[f], &other.counts[f]);
            add(&mut self.default_counts[f], &other.default_counts[f]);
            add(&mut self.reasons[f], &other.reasons[f]);
            add(&mut self.errors[f], &other.errors[f]);
            for (mine, theirs) in self.rules[f].iter_mut().zip(&other.rules[f]) {
                mine.0 += theirs.0;
                if mine.1.is_none() {
                    mine.1.clone_from(&theirs.1);
                }
            }
            for &(key, n) in &other.prerequisites[f] {
                bump(&mut self.prerequisites[f], key, n);
            }
            self.audiences[f].append(&other.audiences[f]);
            self.outside_layer[f] += other.outside_layer[f];
        }
    }
}

fn add(into: &mut [u64], from: &[u64]) {
    for (a, b) in into.iter_mut().zip(from) {
        *a += b;
    }
}

fn bump<'c>(list: &mut Vec<(&'c str, u64)>, key: &'c str, n: u64) {
    match list.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 += n,
        None => list.push((key, n)),
    }
}

fn reason_index(r: Reason) -> usize {
    Reason::ALL
        .iter()
        .position(|&x| x == r)
        .unwrap_or(Reason::ALL.len() - 1)
}

fn error_index(e: ErrorCode) -> usize {
    ErrorCode::ALL.iter().position(|&x| x == e).unwrap_or(0)
}

/// Evaluates every flag of `config` for every user at `at_millis` and adds up what they got.
fn tally<'c>(
    config: &'c Config,
    at_millis: i64,
    shapes: &[FlagShape<'c>],
    population: &Population,
    base: &flagcore::Context,
) -> Result<(Tally<'c>, RunStats), crate::error::CliError> {
    let (chunks, stats) = evaluate_users(
        population,
        base,
        "simulating",
        |range| Tally::new(shapes, range),
        |t, i, ctx| {
            for (f, e) in config.at(at_millis).evaluate_all(ctx).enumerate() {
                t.reasons[f][reason_index(e.reason)] += 1;
                if let Some(code) = e.error {
                    t.errors[f][error_index(code)] += 1;
                    continue;
                }
                let Some(v) = e.variant_index.map(|v| v as usize) else {
                    continue;
                };
                t.counts[f][v] += 1;
                match e.reason {
                    // Outside its layer range: the layer decided, not the default.
                    Reason::Default if e.bucket.is_some() && shapes[f].layer.is_some() => {
                        t.outside_layer[f] += 1;
                    }
                    Reason::Split | Reason::Default => t.default_counts[f][v] += 1,
                    Reason::TargetingMatch => {
                        if let Some(slot) =
                            e.rule_index.and_then(|r| t.rules[f].get_mut(r as usize))
                        {
                            slot.0 += 1;
                            if slot.1.is_none() {
                                slot.1 = e.rule_id.map(str::to_owned);
                            }
                        }
                    }
                    Reason::PrerequisiteFailed => {
                        // The failed prerequisite is one of the flag's own: keep the
                        // config-lived key, not the evaluation's borrow.
                        if let Some(p) = e
                            .prerequisite
                            .and_then(|p| shapes[f].requires.iter().find(|k| **k == p))
                        {
                            bump(&mut t.prerequisites[f], p, 1);
                        }
                    }
                    _ => {}
                }
                if v != shapes[f].off {
                    t.audiences[f].insert(i - t.start);
                }
            }
        },
    )?;
    let mut chunks = chunks.into_iter();
    let mut total = chunks.next().unwrap_or_else(|| Tally::new(shapes, 0..0));
    for c in chunks {
        total.merge(c);
    }
    Ok((total, stats))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VariantReport<'c> {
    variant: &'c str,
    value: serde_json::Value,
    users: u64,
    share: f64,
    default_users: u64,
    default_share: Option<f64>,
    expected_share: Option<f64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SampleRatio {
    #[serde(flatten)]
    test: ChiSquare,
    users: u64,
    mismatch: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct FlagReport<'c> {
    key: &'c str,
    #[serde(rename = "type")]
    value_type: &'static str,
    enabled: bool,
    off_variant: &'c str,
    requires: Vec<&'c str>,
    /// The flag's layer and its range in percent, if it is in one.
    layer: Option<LayerReport<'c>>,
    /// Users outside the flag's range of its layer (served its off variant).
    outside_layer: u64,
    variants: Vec<VariantReport<'c>>,
    errors: serde_json::Map<String, serde_json::Value>,
    reasons: serde_json::Map<String, serde_json::Value>,
    rules: Vec<serde_json::Value>,
    prerequisites_failed: serde_json::Map<String, serde_json::Value>,
    default_users: u64,
    /// What the expectation covers, in words.
    expected_note: String,
    sample_ratio: Option<SampleRatio>,
    /// Why there is no sample-ratio test, when there is none.
    sample_ratio_note: Option<String>,
    audience_users: u64,
    audience_share: f64,
}

#[derive(Debug, Serialize)]
struct LayerReport<'c> {
    name: &'c str,
    range: [f64; 2],
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Overlap<'c> {
    a: &'c str,
    b: &'c str,
    a_share: f64,
    b_share: f64,
    both_users: u64,
    both_share: f64,
    independent_share: f64,
    ratio: f64,
    note: Option<String>,
}

fn build_reports<'c>(shapes: &[FlagShape<'c>], t: &Tally<'c>, n: u64) -> Vec<FlagReport<'c>> {
    let nf = n.max(1) as f64;
    shapes
        .iter()
        .enumerate()
        .map(|(f, s)| {
            let default_users: u64 = t.default_counts[f].iter().sum();
            let variants = s
                .variants
                .iter()
                .enumerate()
                .map(|(v, (name, value))| VariantReport {
                    variant: name,
                    value: value.clone(),
                    users: t.counts[f][v],
                    share: t.counts[f][v] as f64 / nf,
                    default_users: t.default_counts[f][v],
                    default_share: (default_users > 0).then(|| t.default_counts[f][v] as f64 / default_users as f64),
                    expected_share: s.expected.as_ref().map(|e| e[v]),
                })
                .collect();
            let (sample_ratio, note) = sample_ratio(s, &t.default_counts[f], default_users);
            let expected_note = match (&s.expected, s.enabled) {
                (_, false) => "none: the flag is switched off, everyone gets its off variant".to_owned(),
                (None, _) => "none: the default's rollout has not started at this time".to_owned(),
                (Some(_), _) => format!(
                    "the default's shares at this time; they apply to the {} of {} users who reached the default (no rule, prerequisite or error decided for them)",
                    count(default_users),
                    count(n)
                ),
            };
            let errors = ErrorCode::ALL
                .iter()
                .zip(t.errors[f])
                .filter(|(_, c)| *c > 0)
                .map(|(e, c)| (e.as_str().to_owned(), c.into()))
                .collect();
            let reasons = Reason::ALL
                .iter()
                .zip(t.reasons[f])
                .filter(|(_, c)| *c > 0)
                .map(|(r, c)| (r.as_str().to_owned(), c.into()))
                .collect();
            let rules = t.rules[f]
                .iter()
                .enumerate()
                .map(|(i, (c, id))| serde_json::json!({ "index": i, "id": id, "users": c }))
                .collect();
            let prerequisites_failed = t.prerequisites[f]
                .iter()
                .map(|(k, c)| ((*k).to_owned(), (*c).into()))
                .collect();
            let audience_users = t.audiences[f].len();
            FlagReport {
                key: s.key,
                value_type: s.value_type,
                enabled: s.enabled,
                off_variant: s.variants.get(s.off).map(|(n, _)| *n).unwrap_or(""),
                requires: s.requires.clone(),
                layer: s.layer.clone().map(|(name, r)| LayerReport {
                    name,
                    range: [f64::from(r.start) / 1000.0, f64::from(r.end) / 1000.0],
                }),
                outside_layer: t.outside_layer[f],
                variants,
                errors,
                reasons,
                rules,
                prerequisites_failed,
                default_users,
                expected_note,
                sample_ratio,
                sample_ratio_note: note,
                audience_users,
                audience_share: audience_users as f64 / nf,
            }
        })
        .collect()
}

fn sample_ratio(
    s: &FlagShape<'_>,
    observed: &[u64],
    users: u64,
) -> (Option<SampleRatio>, Option<String>) {
    if !s.enabled {
        return (None, Some("the flag is switched off".into()));
    }
    let Some(expected) = &s.expected else {
        return (
            None,
            Some("the default's rollout has not started at this time".into()),
        );
    };
    if expected.iter().filter(|&&e| e > 0.0).count() < 2 {
        return (None, Some("the default serves one variant".into()));
    }
    let min_expected = expected
        .iter()
        .filter(|&&e| e > 0.0)
        .fold(f64::INFINITY, |m, &e| m.min(e * users as f64));
    if min_expected < SRM_MIN_EXPECTED {
        return (
            None,
            Some(format!(
                "too few users reached the default split ({}) to test",
                count(users)
            )),
        );
    }
    match chi_square(observed, expected) {
        Some(test) => (
            Some(SampleRatio {
                test,
                users,
                // Decided once every flag is tested: see `flag_mismatches`.
                mismatch: false,
            }),
            None,
        ),
        None => (None, Some("nothing to test".into())),
    }
}

/// The audience overlap of every pair of flags with a partial audience (some users, not
/// all). Past [`MAX_OVERLAP_FLAGS`] such flags only the first ones (config order) are
/// paired, and the note says so.
fn overlaps<'c>(
    reports: &[FlagReport<'c>],
    t: &Tally<'c>,
    n: u64,
) -> (Vec<Overlap<'c>>, Option<String>) {
    let nf = n.max(1) as f64;
    let partial: Vec<usize> = (0..reports.len())
        .filter(|&i| reports[i].audience_users > 0 && reports[i].audience_users < n)
        .collect();
    let note = (partial.len() > MAX_OVERLAP_FLAGS).then(|| {
        format!(
            "{} flags have partial audiences; overlap is computed for the first {MAX_OVERLAP_FLAGS}",
            partial.len()
        )
    });
    let mut out = Vec::new();
    let partial = &partial[..partial.len().min(MAX_OVERLAP_FLAGS)];
    for (x, &i) in partial.iter().enumerate() {
        for &j in &partial[x + 1..] {
            let (a, b) = (&reports[i], &reports[j]);
            let both = t.audiences[i].intersection_len(&t.audiences[j]);
            let independent = a.audience_share * b.audience_share;
            let same_layer = match (&a.layer, &b.layer) {
                (Some(x), Some(y)) if x.name == y.name => Some(x.name),
                _ => None,
            };
            let note = if let Some(layer) = same_layer {
                Some(format!("same layer {layer}: mutually exclusive"))
            } else if b.requires.contains(&a.key) {
                Some(format!("{} requires {}", b.key, a.key))
            } else if a.requires.contains(&b.key) {
                Some(format!("{} requires {}", a.key, b.key))
            } else if both == a.audience_users.min(b.audience_users) {
                Some("one audience contains the other".to_owned())
            } else if both == 0 {
                Some("the audiences do not overlap".to_owned())
            } else {
                None
            };
            out.push(Overlap {
                a: a.key,
                b: b.key,
                a_share: a.audience_share,
                b_share: b.audience_share,
                both_users: both,
                both_share: both as f64 / nf,
                independent_share: independent,
                ratio: if independent > 0.0 {
                    both as f64 / nf / independent
                } else {
                    0.0
                },
                note,
            });
        }
    }
    (out, note)
}

/// Runs `simulate`.
pub fn run(args: &Args, out: &mut Output) -> CmdResult {
    let config = load_config(&args.file, out.json)?;
    let population = Population::from_args(&args.population)?;
    let time = EvalTime::resolve(args.context.at);
    let base = args.context.base_context()?;
    if !out.json {
        if let Some(hint) = time.seconds_hint() {
            anstream::eprintln!("{}: {hint}", paint(style::WARN, "warning"));
        }
    }
    let shapes = shapes(&config, time.millis);
    let (t, stats) = tally(&config, time.millis, &shapes, &population, &base)?;
    let n = population.len() as u64;
    let mut reports = build_reports(&shapes, &t, n);
    let srm_threshold = flag_mismatches(&mut reports);
    let (pairs, overlap_note) = overlaps(&reports, &t, n);
    let mismatches: Vec<&str> = reports
        .iter()
        .filter(|r| r.sample_ratio.as_ref().is_some_and(|s| s.mismatch))
        .map(|r| r.key)
        .collect();
    let exit = if mismatches.is_empty() {
        Exit::Ok
    } else {
        Exit::Findings
    };

    if out.json {
        out.json_value(&serde_json::json!({
            "file": args.file,
            "time": time.to_json(),
            "population": population.to_json(),
            "attributes": args.context.attrs_json(),
            "elapsedMs": stats.elapsed.as_secs_f64() * 1000.0,
            "threads": stats.threads,
            "srmAlpha": SRM_ALPHA,
            "srmAlphaPerFlag": srm_threshold,
            "flags": reports,
            "overlap": pairs,
            "overlapNote": overlap_note,
            "warnings": config.warnings(),
            "sampleRatioMismatches": mismatches,
            "exitCode": exit.code(),
        }))?;
        return Ok(exit);
    }
    render(
        out,
        args,
        &population,
        &time,
        stats,
        &reports,
        &pairs,
        overlap_note.as_deref(),
        &mismatches,
        srm_threshold,
    )?;
    Ok(exit)
}

/// Marks the flags whose split is a sample ratio mismatch, and returns the per-flag
/// threshold: [`SRM_ALPHA`] divided among the flags tested.
fn flag_mismatches(reports: &mut [FlagReport<'_>]) -> f64 {
    let tested = reports.iter().filter(|r| r.sample_ratio.is_some()).count();
    let threshold = SRM_ALPHA / tested.max(1) as f64;
    for s in reports.iter_mut().filter_map(|r| r.sample_ratio.as_mut()) {
        s.mismatch = s.test.p_value < threshold;
    }
    threshold
}

#[allow(clippy::too_many_arguments)]
fn render(
    out: &mut Output,
    args: &Args,
    population: &Population,
    time: &EvalTime,
    stats: RunStats,
    reports: &[FlagReport<'_>],
    pairs: &[Overlap<'_>],
    overlap_note: Option<&str>,
    mismatches: &[&str],
    srm_threshold: f64,
) -> std::io::Result<()> {
    let attrs = args.context.attrs_text();
    writeln!(
        out,
        "{} {}",
        paint(style::HEADER, "Simulated"),
        population.describe()
    )?;
    writeln!(
        out,
        "  config      {} ({})",
        args.file,
        plural(reports.len() as u64, "flag")
    )?;
    writeln!(out, "  time        {}", time.describe())?;
    if !attrs.is_empty() {
        writeln!(out, "  attributes  {attrs} (every user)")?;
    }
    writeln!(
        out,
        "  took        {:.2} s on {}",
        stats.elapsed.as_secs_f64(),
        plural(stats.threads as u64, "thread")
    )?;
    for r in reports {
        writeln!(out)?;
        let mut head = format!(
            "{}  {}",
            paint(style::FLAG, r.key),
            paint(style::DIM, r.value_type)
        );
        if !r.enabled {
            head.push_str(&format!("  {}", paint(style::WARN, "switched off")));
        }
        if !r.requires.is_empty() {
            head.push_str(&format!(
                "  {}",
                paint(style::DIM, format!("requires {}", r.requires.join(", ")))
            ));
        }
        if let Some(layer) = &r.layer {
            head.push_str(&format!(
                "  {}",
                paint(
                    style::DIM,
                    format!(
                        "layer {} [{}, {}]",
                        layer.name, layer.range[0], layer.range[1]
                    )
                )
            ));
        }
        writeln!(out, "{head}")?;
        let mut table = Table::new(&[
            ("VARIANT", Align::Left),
            ("USERS", Align::Right),
            ("SHARE", Align::Right),
            ("", Align::Left),
            ("BY DEFAULT", Align::Right),
            ("EXPECTED", Align::Right),
        ]);
        for v in &r.variants {
            let name = if v.variant == r.off_variant && v.variant != "off" {
                format!("{} (off)", v.variant)
            } else {
                v.variant.to_owned()
            };
            table.row(vec![
                Cell::styled(name, style::VARIANT),
                Cell::new(count(v.users)),
                Cell::new(percent(v.share, 2)),
                Cell::styled(bar(v.share, BAR_CELLS), style::BAR),
                Cell::new(
                    v.default_share
                        .map(|s| percent(s, 2))
                        .unwrap_or_else(|| "-".into()),
                ),
                Cell::new(
                    v.expected_share
                        .map(|s| percent(s, 2))
                        .unwrap_or_else(|| "-".into()),
                ),
            ]);
        }
        let errors: u64 = r.errors.values().filter_map(|v| v.as_u64()).sum();
        if errors > 0 {
            let share = errors as f64 / population.len().max(1) as f64;
            table.row(vec![
                Cell::styled("(error)", style::ERROR),
                Cell::new(count(errors)),
                Cell::new(percent(share, 2)),
                Cell::styled(bar(share, BAR_CELLS), style::ERROR),
            ]);
        }
        out.table(&table)?;
        writeln!(
            out,
            "  {} {}",
            paint(style::DIM, "decided by:"),
            decided_by(r)
        )?;
        let check = match (&r.sample_ratio, &r.sample_ratio_note) {
            (Some(s), _) => {
                let verdict = if s.mismatch {
                    paint(style::ERROR, "MISMATCH")
                } else {
                    paint(style::OK, "ok")
                };
                format!(
                    "{verdict}, p = {} (χ² = {:.2}, {} df, {} users of the default split)",
                    p_value(s.test.p_value),
                    s.test.statistic,
                    s.test.degrees_of_freedom,
                    count(s.users)
                )
            }
            (None, Some(note)) => paint(style::DIM, format!("not tested: {note}")),
            (None, None) => paint(style::DIM, "not tested"),
        };
        writeln!(out, "  {} {check}", paint(style::DIM, "sample ratio:"))?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        paint(
            style::DIM,
            "SHARE is of all users. BY DEFAULT is the share among users who reached the flag's default\n\
             (no rule, prerequisite, off switch or error decided); EXPECTED is what the default serves\n\
             at this time, so those two columns should agree. The sample-ratio check is a chi-square test\n\
             of BY DEFAULT against EXPECTED; p < 0.001 / (flags tested) is a mismatch: the split does not\n\
             behave as configured."
        )
    )?;

    writeln!(out)?;
    writeln!(
        out,
        "{} {}",
        paint(style::HEADER, "Audience overlap"),
        paint(style::DIM, "(users served a non-off variant of both flags)")
    )?;
    if pairs.is_empty() {
        writeln!(
            out,
            "  {}",
            paint(style::DIM, "no two flags have partial audiences to compare")
        )?;
    } else {
        let mut shown: Vec<&Overlap<'_>> = pairs.iter().collect();
        if shown.len() > MAX_PAIRS_SHOWN {
            shown.sort_by(|x, y| deviation(y).total_cmp(&deviation(x)));
            shown.truncate(MAX_PAIRS_SHOWN);
        }
        let mut table = Table::new(&[
            ("FLAG A", Align::Left),
            ("FLAG B", Align::Left),
            ("A", Align::Right),
            ("B", Align::Right),
            ("BOTH", Align::Right),
            ("IF INDEPENDENT", Align::Right),
            ("RATIO", Align::Right),
            ("", Align::Left),
        ]);
        for p in &shown {
            table.row(vec![
                Cell::styled(p.a, style::FLAG),
                Cell::styled(p.b, style::FLAG),
                Cell::new(percent(p.a_share, 2)),
                Cell::new(percent(p.b_share, 2)),
                Cell::new(percent(p.both_share, 2)),
                Cell::new(percent(p.independent_share, 2)),
                Cell::new(format!("{:.2}×", p.ratio)),
                Cell::styled(p.note.clone().unwrap_or_default(), style::DIM),
            ]);
        }
        out.table(&table)?;
        if pairs.len() > shown.len() {
            writeln!(
                out,
                "  {}",
                paint(
                    style::DIM,
                    format!(
                        "{} more pairs in --json; these deviate most from independence",
                        pairs.len() - shown.len()
                    )
                )
            )?;
        }
        writeln!(
            out,
            "  {}",
            paint(style::DIM, "RATIO = BOTH / IF INDEPENDENT: about 1.00 when the flags bucket users independently (different salts).")
        )?;
        if let Some(note) = overlap_note {
            writeln!(out, "  {}", paint(style::WARN, note))?;
        }
    }
    writeln!(out)?;
    let tested = reports.iter().filter(|r| r.sample_ratio.is_some()).count() as u64;
    if mismatches.is_empty() {
        writeln!(
            out,
            "{} no sample ratio mismatch in {} tested",
            paint(style::OK, "✓"),
            plural(tested, "flag")
        )?;
    } else {
        writeln!(
            out,
            "{} sample ratio mismatch (p < {}) in {}: {}",
            paint(style::ERROR, "✗"),
            p_value(srm_threshold),
            plural(mismatches.len() as u64, "flag"),
            mismatches.join(", ")
        )?;
    }
    Ok(())
}

fn deviation(p: &Overlap<'_>) -> f64 {
    if p.ratio > 0.0 {
        p.ratio.ln().abs()
    } else {
        f64::INFINITY
    }
}

fn p_value(p: f64) -> String {
    if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

fn decided_by(r: &FlagReport<'_>) -> String {
    let mut parts = Vec::new();
    let reason = |name: &str| r.reasons.get(name).and_then(|v| v.as_u64()).unwrap_or(0);
    if reason("OVERRIDE") > 0 {
        parts.push(format!("{} override", count(reason("OVERRIDE"))));
    }
    if reason("OFF") > 0 {
        parts.push(format!("{} off switch", count(reason("OFF"))));
    }
    for (k, c) in &r.prerequisites_failed {
        parts.push(format!(
            "{} prerequisite {k} not met",
            count(c.as_u64().unwrap_or(0))
        ));
    }
    for rule in &r.rules {
        let users = rule["users"].as_u64().unwrap_or(0);
        if users > 0 {
            let label = match rule["id"].as_str() {
                Some(id) => format!("rules[{}] {id:?}", rule["index"]),
                None => format!("rules[{}]", rule["index"]),
            };
            parts.push(format!("{} {label}", count(users)));
        }
    }
    if reason("SPLIT") > 0 {
        parts.push(format!("{} default split", count(reason("SPLIT"))));
    }
    if r.outside_layer > 0 {
        let layer = r.layer.as_ref().map_or("", |l| l.name);
        parts.push(format!(
            "{} outside its range of layer {layer}",
            count(r.outside_layer)
        ));
    }
    let by_default = reason("DEFAULT").saturating_sub(r.outside_layer);
    if by_default > 0 {
        parts.push(format!("{} default", count(by_default)));
    }
    for (code, c) in &r.errors {
        parts.push(paint(
            style::ERROR,
            format!("{} error {code}", count(c.as_u64().unwrap_or(0))),
        ));
    }
    parts.join(", ")
}
