//! `flagcore diff OLD NEW`: per flag, which users change value or variant, and which way.

use std::io::Write;

use flagcore::{Config, Context};
use serde::Serialize;

use crate::args::{ContextArgs, EvalTime, PopulationArgs};
use crate::error::{CmdResult, Exit};
use crate::input::load_config;
use crate::output::{count, paint, percent, plural, style, Align, Cell, Output, Table};
use crate::population::{evaluate_users, Population};

/// The name used for "the evaluation failed" in transitions.
const ERROR_NAME: &str = "(error)";

/// Compare two configs over a population: the blast radius of a deploy.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Both configs are evaluated for the same users at the same time.
Exit code 0 whatever changed, unless --exit-code: then 1 when any user changes or a flag is added or removed.

Examples:
  flagcore diff old.json new.json
  flagcore diff old.json new.json --users 1000000 --at 2026-12-07T09:00:00Z
  flagcore diff old.json new.json --ids user-ids.txt --json")]
pub struct Args {
    /// The config deployed now.
    #[arg(value_name = "OLD")]
    pub old: String,

    /// The config about to be deployed.
    #[arg(value_name = "NEW")]
    pub new: String,

    #[command(flatten)]
    pub population: PopulationArgs,

    #[command(flatten)]
    pub context: ContextArgs,

    /// Exit with 1 when anything changes (like `git diff --exit-code`).
    #[arg(long)]
    pub exit_code: bool,
}

/// A flag's variants, as names and JSON values, with its off variant.
struct Side<'c> {
    names: Vec<&'c str>,
    values: Vec<String>,
    off: usize,
    enabled: bool,
}

impl<'c> Side<'c> {
    fn of(config: &'c Config, index: usize) -> Side<'c> {
        let Some(flag) = config.flags().nth(index) else {
            return Side {
                names: Vec::new(),
                values: Vec::new(),
                off: 0,
                enabled: false,
            };
        };
        let names: Vec<&str> = flag.variants().map(|(n, _)| n).collect();
        let values = flag
            .variants()
            .map(|(_, v)| v.to_json().to_string())
            .collect();
        let off = names
            .iter()
            .position(|n| *n == flag.off_variant())
            .unwrap_or(0);
        Side {
            names,
            values,
            off,
            enabled: flag.enabled(),
        }
    }
    /// Slots: one per variant, then one for errors.
    fn slots(&self) -> usize {
        self.names.len() + 1
    }
    fn name(&self, slot: usize) -> &'c str {
        self.names.get(slot).copied().unwrap_or(ERROR_NAME)
    }
    fn in_audience(&self, slot: usize) -> bool {
        slot < self.names.len() && slot != self.off
    }
}

/// A flag in the union of both configs.
struct Entry<'c> {
    key: &'c str,
    old: Option<(usize, Side<'c>)>,
    new: Option<(usize, Side<'c>)>,
}

impl Entry<'_> {
    fn rows(&self) -> usize {
        self.old.as_ref().map(|(_, s)| s.slots()).unwrap_or(1)
    }
    fn cols(&self) -> usize {
        self.new.as_ref().map(|(_, s)| s.slots()).unwrap_or(1)
    }
    /// Whether a user moving from `o` to `n` sees a different variant or value.
    fn changes(&self, o: usize, n: usize) -> bool {
        match (&self.old, &self.new) {
            (Some((_, a)), Some((_, b))) => {
                let (ae, be) = (o >= a.names.len(), n >= b.names.len());
                match (ae, be) {
                    (true, true) => false,
                    (false, false) => a.names[o] != b.names[n] || a.values[o] != b.values[n],
                    _ => true,
                }
            }
            _ => false,
        }
    }
}

fn entries<'c>(old: &'c Config, new: &'c Config) -> Vec<Entry<'c>> {
    let index_in = |config: &Config, key: &str| config.flags().position(|f| f.key() == key);
    let mut out: Vec<Entry<'c>> = old
        .flags()
        .enumerate()
        .map(|(i, f)| Entry {
            key: f.key(),
            old: Some((i, Side::of(old, i))),
            new: index_in(new, f.key()).map(|j| (j, Side::of(new, j))),
        })
        .collect();
    for (j, f) in new.flags().enumerate() {
        if old.flag(f.key()).is_none() {
            out.push(Entry {
                key: f.key(),
                old: None,
                new: Some((j, Side::of(new, j))),
            });
        }
    }
    out
}

/// One chunk's counts: per entry a (rows × cols) matrix of old slot × new slot.
struct Tally {
    matrices: Vec<Vec<u64>>,
    changed_users: u64,
    old_slots: Vec<usize>,
    new_slots: Vec<usize>,
}

fn slot(e: &flagcore::Evaluation<'_>, variants: usize) -> usize {
    match (e.error, e.variant_index) {
        (None, Some(v)) => v as usize,
        _ => variants,
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Transition<'c> {
    from: &'c str,
    to: &'c str,
    users: u64,
    share: f64,
    /// The variant keeps its name but serves a different value.
    value_changed: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VariantChange<'c> {
    variant: &'c str,
    old_share: f64,
    new_share: f64,
    gained: u64,
    lost: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct FlagDiff<'c> {
    key: &'c str,
    /// `changed`, `unchanged`, `added` or `removed`.
    status: &'static str,
    summary: String,
    changed_users: u64,
    changed_share: f64,
    enabled: [Option<bool>; 2],
    /// Users with a non-off variant, before and after; who gained and lost that.
    audience: Audience,
    transitions: Vec<Transition<'c>>,
    variants: Vec<VariantChange<'c>>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Audience {
    old_share: Option<f64>,
    new_share: Option<f64>,
    gained: u64,
    lost: u64,
}

/// "50.0% of users" / "none" / "<0.1% of users".
fn users_phrase(users: u64, n: u64) -> String {
    if users == 0 {
        "none".to_owned()
    } else {
        format!("{} of users", percent(users as f64 / n.max(1) as f64, 1))
    }
}

fn share_or_dash(s: Option<f64>) -> String {
    s.map(|s| percent(s, 1)).unwrap_or_else(|| "-".into())
}

/// What changed for one flag, in numbers and in words.
fn analyse<'c>(e: &Entry<'c>, m: &[u64], n: u64) -> FlagDiff<'c> {
    let nf = n.max(1) as f64;
    let (rows, cols) = (e.rows(), e.cols());
    let cell = |o: usize, c: usize| m[o * cols + c];
    let mut diff = FlagDiff {
        key: e.key,
        status: "unchanged",
        summary: String::new(),
        changed_users: 0,
        changed_share: 0.0,
        enabled: [
            e.old.as_ref().map(|(_, s)| s.enabled),
            e.new.as_ref().map(|(_, s)| s.enabled),
        ],
        audience: Audience::default(),
        transitions: Vec::new(),
        variants: Vec::new(),
    };
    let shares = |side: &Side<'c>, sums: &[u64]| -> String {
        side.names
            .iter()
            .enumerate()
            .map(|(i, name)| format!("{name} {}", percent(sums[i] as f64 / nf, 1)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (&e.old, &e.new) {
        (None, Some((_, b))) => {
            let sums: Vec<u64> = (0..cols).map(|c| cell(0, c)).collect();
            diff.status = "added";
            diff.summary = format!("added: {}", shares(b, &sums));
            diff.audience.new_share = Some(
                (0..cols)
                    .filter(|&c| b.in_audience(c))
                    .map(|c| sums[c])
                    .sum::<u64>() as f64
                    / nf,
            );
        }
        (Some((_, a)), None) => {
            let sums: Vec<u64> = (0..rows).map(|o| cell(o, 0)).collect();
            diff.status = "removed";
            diff.summary = format!(
                "removed (served {}); callers now get their code default",
                shares(a, &sums)
            );
            diff.audience.old_share = Some(
                (0..rows)
                    .filter(|&o| a.in_audience(o))
                    .map(|o| sums[o])
                    .sum::<u64>() as f64
                    / nf,
            );
        }
        (Some((_, a)), Some((_, b))) => {
            let mut audience = Audience::default();
            let (mut old_in, mut new_in) = (0u64, 0u64);
            for o in 0..rows {
                for c in 0..cols {
                    let users = cell(o, c);
                    if users == 0 {
                        continue;
                    }
                    let (ai, bi) = (a.in_audience(o), b.in_audience(c));
                    old_in += u64::from(ai) * users;
                    new_in += u64::from(bi) * users;
                    if !ai && bi {
                        audience.gained += users;
                    }
                    if ai && !bi {
                        audience.lost += users;
                    }
                    if e.changes(o, c) {
                        diff.changed_users += users;
                        diff.transitions.push(Transition {
                            from: a.name(o),
                            to: b.name(c),
                            users,
                            share: users as f64 / nf,
                            value_changed: a.name(o) == b.name(c),
                        });
                    }
                }
            }
            audience.old_share = Some(old_in as f64 / nf);
            audience.new_share = Some(new_in as f64 / nf);
            diff.transitions.sort_by_key(|t| std::cmp::Reverse(t.users));
            diff.changed_share = diff.changed_users as f64 / nf;

            // Per variant name (both configs' names, then errors): shares, gains, losses.
            let mut names: Vec<&'c str> = a.names.clone();
            names.extend(b.names.iter().filter(|n| !a.names.contains(n)));
            let errors = (0..cols).any(|c| cell(rows - 1, c) > 0)
                || (0..rows).any(|o| cell(o, cols - 1) > 0);
            if errors {
                names.push(ERROR_NAME);
            }
            for v in names {
                let mut change = VariantChange {
                    variant: v,
                    old_share: 0.0,
                    new_share: 0.0,
                    gained: 0,
                    lost: 0,
                };
                for o in 0..rows {
                    for c in 0..cols {
                        let users = cell(o, c);
                        let (was, is) = (a.name(o) == v, b.name(c) == v);
                        change.old_share += if was { users as f64 / nf } else { 0.0 };
                        change.new_share += if is { users as f64 / nf } else { 0.0 };
                        if !was && is {
                            change.gained += users;
                        }
                        if was && !is {
                            change.lost += users;
                        }
                    }
                }
                diff.variants.push(change);
            }

            let mut parts = Vec::new();
            match (a.enabled, b.enabled) {
                (true, false) => parts.push("switched off".to_owned()),
                (false, true) => parts.push("switched on".to_owned()),
                _ => {}
            }
            let on_names = |s: &Side<'c>| -> Vec<&'c str> {
                s.names
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != s.off)
                    .map(|(_, n)| *n)
                    .collect()
            };
            let single = on_names(a).len() == 1
                && on_names(a) == on_names(b)
                && a.names[a.off] == b.names[b.off];
            if single && (audience.gained > 0 || audience.lost > 0) {
                let thing = if a.names.len() == 2 && a.names.contains(&"on") {
                    e.key.to_owned()
                } else {
                    on_names(a).join("")
                };
                parts.push(format!(
                    "{} -> {}: {} gain `{thing}`, {} lose it",
                    share_or_dash(audience.old_share),
                    share_or_dash(audience.new_share),
                    users_phrase(audience.gained, n),
                    users_phrase(audience.lost, n),
                ));
            } else if !single {
                for v in &diff.variants {
                    if v.gained > 0 || v.lost > 0 {
                        parts.push(format!(
                            "`{}` {} -> {}: {} gain it, {} lose it",
                            v.variant,
                            percent(v.old_share, 1),
                            percent(v.new_share, 1),
                            users_phrase(v.gained, n),
                            users_phrase(v.lost, n),
                        ));
                    }
                }
            }
            for t in diff.transitions.iter().filter(|t| t.value_changed) {
                let (o, c) = (
                    a.names.iter().position(|x| *x == t.from).unwrap_or(0),
                    b.names.iter().position(|x| *x == t.to).unwrap_or(0),
                );
                parts.push(format!(
                    "`{}` serves {} instead of {} for {}",
                    t.from,
                    b.values.get(c).map(String::as_str).unwrap_or("?"),
                    a.values.get(o).map(String::as_str).unwrap_or("?"),
                    users_phrase(t.users, n)
                ));
            }
            if diff.changed_users > 0 {
                diff.status = "changed";
            } else {
                parts.retain(|p| !p.starts_with("switched"));
                parts.push(match (a.enabled, b.enabled) {
                    (_, false) => "unchanged (switched off)".to_owned(),
                    _ => "unchanged".to_owned(),
                });
            }
            diff.summary = parts.join("; ");
            diff.audience = audience;
        }
        (None, None) => {}
    }
    diff
}

/// Runs `diff`.
pub fn run(args: &Args, out: &mut Output) -> CmdResult {
    let old = load_config(&args.old, out.json)?;
    let new = load_config(&args.new, out.json)?;
    let population = Population::from_args(&args.population)?;
    let time = EvalTime::resolve(args.context.at);
    let base: Context = args.context.base_context()?;
    if !out.json {
        if let Some(hint) = time.seconds_hint() {
            anstream::eprintln!("{}: {hint}", paint(style::WARN, "warning"));
        }
    }
    let entries = entries(&old, &new);
    let changes: Vec<Vec<bool>> = entries
        .iter()
        .map(|e| {
            let cols = e.cols();
            (0..e.rows() * cols)
                .map(|k| e.changes(k / cols, k % cols))
                .collect()
        })
        .collect();
    let (old_variants, new_variants): (Vec<usize>, Vec<usize>) = (
        old.flags().map(|f| f.variants().len()).collect(),
        new.flags().map(|f| f.variants().len()).collect(),
    );
    let (chunks, stats) = evaluate_users(
        &population,
        &base,
        "comparing",
        |_| Tally {
            matrices: entries
                .iter()
                .map(|e| vec![0; e.rows() * e.cols()])
                .collect(),
            changed_users: 0,
            old_slots: vec![0; old.len()],
            new_slots: vec![0; new.len()],
        },
        |t, _, ctx| {
            for (i, e) in old.at(time.millis).evaluate_all(ctx).enumerate() {
                t.old_slots[i] = slot(&e, old_variants[i]);
            }
            for (i, e) in new.at(time.millis).evaluate_all(ctx).enumerate() {
                t.new_slots[i] = slot(&e, new_variants[i]);
            }
            let mut changed = false;
            for (k, e) in entries.iter().enumerate() {
                let o = e.old.as_ref().map(|(i, _)| t.old_slots[*i]).unwrap_or(0);
                let c = e.new.as_ref().map(|(i, _)| t.new_slots[*i]).unwrap_or(0);
                let at = o * e.cols() + c;
                t.matrices[k][at] += 1;
                changed |= changes[k][at];
            }
            t.changed_users += u64::from(changed);
        },
    )?;
    let mut matrices: Vec<Vec<u64>> = entries
        .iter()
        .map(|e| vec![0; e.rows() * e.cols()])
        .collect();
    let mut changed_users = 0;
    for chunk in chunks {
        changed_users += chunk.changed_users;
        for (m, c) in matrices.iter_mut().zip(&chunk.matrices) {
            for (a, b) in m.iter_mut().zip(c) {
                *a += b;
            }
        }
    }
    let n = population.len() as u64;
    let diffs: Vec<FlagDiff<'_>> = entries
        .iter()
        .zip(&matrices)
        .map(|(e, m)| analyse(e, m, n))
        .collect();
    let flags_changed = diffs.iter().filter(|d| d.status != "unchanged").count();
    let exit = if args.exit_code && flags_changed > 0 {
        Exit::Findings
    } else {
        Exit::Ok
    };

    if out.json {
        out.json_value(&serde_json::json!({
            "old": args.old,
            "new": args.new,
            "time": time.to_json(),
            "population": population.to_json(),
            "attributes": args.context.attrs_json(),
            "elapsedMs": stats.elapsed.as_secs_f64() * 1000.0,
            "flags": diffs,
            "warnings": { "old": old.warnings(), "new": new.warnings() },
            "flagsChanged": flags_changed,
            "usersChanged": changed_users,
            "usersChangedShare": changed_users as f64 / n.max(1) as f64,
            "exitCode": exit.code(),
        }))?;
        return Ok(exit);
    }

    let attrs = args.context.attrs_text();
    writeln!(
        out,
        "{} {} -> {}",
        paint(style::HEADER, "Diff"),
        args.old,
        args.new
    )?;
    writeln!(out, "  users       {}", population.describe())?;
    writeln!(out, "  time        {}", time.describe())?;
    if !attrs.is_empty() {
        writeln!(out, "  attributes  {attrs} (every user)")?;
    }
    writeln!(out)?;
    for d in &diffs {
        let summary = match d.status {
            "unchanged" => paint(style::DIM, &d.summary),
            "added" => paint(style::OK, &d.summary),
            "removed" => paint(style::WARN, &d.summary),
            _ => d.summary.clone(),
        };
        writeln!(out, "{}  {summary}", paint(style::FLAG, d.key))?;
        if d.transitions.is_empty() {
            continue;
        }
        let mut table = Table::new(&[
            ("FROM", Align::Left),
            ("", Align::Left),
            ("TO", Align::Left),
            ("USERS", Align::Right),
            ("SHARE", Align::Right),
        ]);
        for t in &d.transitions {
            table.row(vec![
                Cell::styled(t.from, style::VARIANT),
                Cell::new("->"),
                Cell::styled(
                    if t.value_changed {
                        format!("{} (new value)", t.to)
                    } else {
                        t.to.to_owned()
                    },
                    style::VARIANT,
                ),
                Cell::new(count(t.users)),
                Cell::new(percent(t.share, 2)),
            ]);
        }
        let mut buf = Vec::new();
        table.write(&mut buf, 4)?;
        out.write_all(&buf)?;
    }
    writeln!(out)?;
    let users = if changed_users == 0 {
        "no user sees a different value".to_owned()
    } else {
        format!(
            "{} ({}) see at least one different value",
            users_phrase(changed_users, n),
            count(changed_users)
        )
    };
    let line = format!(
        "{} of {} change; {users}",
        flags_changed,
        plural(entries.len() as u64, "flag")
    );
    writeln!(out, "{} {line}", paint(style::HEADER, "Blast radius:"))?;
    Ok(exit)
}
