//! The simulated users, and evaluating them in parallel with a progress bar.

use std::io::IsTerminal;
use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use flagcore::Context;
use rayon::prelude::*;

use crate::args::PopulationArgs;
use crate::error::CliError;
use crate::input::read_text;

/// Who is evaluated.
#[derive(Debug)]
pub enum Population {
    /// `user-1` … `user-<count>`.
    Generated {
        /// How many.
        count: usize,
    },
    /// Keys read from a file, in file order.
    Ids {
        /// The file.
        file: String,
        /// Its text.
        text: String,
        /// Where each key is in `text` (start, end): 8 bytes a key instead of a `String`
        /// each, so a file of short lines costs about twice its size, not 20 times.
        ids: Vec<(u32, u32)>,
    },
}

/// Chunks are multiples of this many users, so per-chunk bitsets concatenate.
const ALIGN: usize = 64;
/// Below this many users one thread is quicker than several.
const PARALLEL_MIN: usize = 8_192;
/// Show a progress bar once a run has taken this long (and stderr is a terminal).
const PROGRESS_AFTER: Duration = Duration::from_millis(400);

impl Population {
    /// From `--users` / `--ids`.
    pub fn from_args(args: &PopulationArgs) -> Result<Population, CliError> {
        match &args.ids {
            Some(file) => {
                let text = read_text(file)?;
                let ids = key_spans(&text)?;
                if ids.is_empty() {
                    return Err(CliError::Usage(format!(
                        "{file} has no user IDs (one per line)"
                    )));
                }
                Ok(Population::Ids {
                    file: file.clone(),
                    text,
                    ids,
                })
            }
            None => Ok(Population::Generated {
                count: usize::try_from(args.users).unwrap_or(usize::MAX),
            }),
        }
    }

    /// The number of users.
    pub fn len(&self) -> usize {
        match self {
            Population::Generated { count } => *count,
            Population::Ids { ids, .. } => ids.len(),
        }
    }

    /// Sets user `i`'s key on `ctx`.
    #[inline]
    fn set_key(&self, i: usize, ctx: &mut Context, buf: &mut String) {
        match self {
            Population::Generated { .. } => {
                use std::fmt::Write;
                buf.clear();
                let _ = write!(buf, "user-{}", i + 1);
                ctx.set_key(buf.as_str());
            }
            Population::Ids { text, ids, .. } => {
                let (start, end) = ids[i];
                ctx.set_key(&text[start as usize..end as usize]);
            }
        }
    }

    /// `100,000 generated users (user-1 … user-100000)` or `1,234 users from ids.txt`.
    pub fn describe(&self) -> String {
        match self {
            Population::Generated { count } => format!(
                "{} generated user{} (user-1 … user-{count})",
                crate::output::count(*count as u64),
                if *count == 1 { "" } else { "s" }
            ),
            Population::Ids { file, ids, .. } => format!(
                "{} from {file}",
                crate::output::plural(ids.len() as u64, "user")
            ),
        }
    }

    /// As JSON.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Population::Generated { count } => serde_json::json!({
                "kind": "generated", "users": count, "keys": format!("user-1 … user-{count}"),
            }),
            Population::Ids { file, ids, .. } => serde_json::json!({
                "kind": "file", "users": ids.len(), "file": file,
            }),
        }
    }
}

/// The non-blank lines of `text`, trimmed, as (start, end) byte offsets.
fn key_spans(text: &str) -> Result<Vec<(u32, u32)>, CliError> {
    // read_text stops at the 64 MiB limit; a limit raised past 4 GiB would need u64 here.
    if u32::try_from(text.len()).is_err() {
        return Err(CliError::Internal("an --ids file over 4 GiB".into()));
    }
    let mut spans = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let key = line.trim();
        if !key.is_empty() {
            let start = line_start + (line.len() - line.trim_start().len());
            spans.push((start as u32, (start + key.len()) as u32));
        }
        line_start += line.len();
    }
    Ok(spans)
}

/// How a run went.
#[derive(Debug, Clone, Copy)]
pub struct RunStats {
    /// Wall time.
    pub elapsed: Duration,
    /// Threads used.
    pub threads: usize,
}

/// Evaluates every user of `population` on rayon's thread pool (one thread per core, or
/// `RAYON_NUM_THREADS`).
///
/// Users are split into contiguous chunks (multiples of 64 users, in order), one per
/// thread; each chunk gets an accumulator from `make(range)` and `each(acc, user_index,
/// ctx)` per user, with a context reused for the whole chunk (`base` plus the user's key).
/// The accumulators are returned in chunk order, so the result does not depend on which
/// thread ran which chunk. A progress bar labelled `label` is drawn on stderr when it is a
/// terminal and the run takes longer than a moment.
pub fn evaluate_users<A, M, E>(
    population: &Population,
    base: &Context,
    label: &str,
    make: M,
    each: E,
) -> Result<(Vec<A>, RunStats), CliError>
where
    A: Send,
    M: Fn(Range<usize>) -> A + Sync,
    E: Fn(&mut A, usize, &Context) + Sync,
{
    let started = Instant::now();
    let n = population.len();
    let threads = if n < PARALLEL_MIN {
        1
    } else {
        rayon::current_num_threads().clamp(1, 64)
    };
    let per = n.div_ceil(threads).div_ceil(ALIGN) * ALIGN;
    let ranges: Vec<Range<usize>> = (0..threads)
        .map(|t| (t * per).min(n)..((t + 1) * per).min(n))
        .filter(|r| !r.is_empty() || n == 0)
        .collect();
    let progress = Progress::new(n as u64, label, started);
    let work = |range: Range<usize>| -> A {
        let mut acc = make(range.clone());
        let mut ctx = base.clone();
        let mut buf = String::with_capacity(32);
        let mut since = 0u64;
        for i in range {
            population.set_key(i, &mut ctx, &mut buf);
            each(&mut acc, i, &ctx);
            since += 1;
            if since == 4096 {
                progress.add(since);
                since = 0;
            }
        }
        progress.add(since);
        acc
    };
    // `collect` keeps the chunks in order; a panic in one becomes an internal error.
    let results: Vec<std::thread::Result<A>> = ranges
        .par_iter()
        .map(|r| std::panic::catch_unwind(AssertUnwindSafe(|| work(r.clone()))))
        .collect();
    progress.finish();
    let mut accs = Vec::with_capacity(results.len());
    for r in results {
        accs.push(r.map_err(|_| CliError::Internal("an evaluation thread panicked".into()))?);
    }
    Ok((
        accs,
        RunStats {
            elapsed: started.elapsed(),
            threads: ranges.len().max(1),
        },
    ))
}

/// Users done so far, and the progress bar once the run has taken [`PROGRESS_AFTER`] (on
/// a terminal). The evaluating threads report to it; no thread waits for it.
struct Progress<'a> {
    done: AtomicU64,
    total: u64,
    label: &'a str,
    started: Instant,
    terminal: bool,
    bar: OnceLock<indicatif::ProgressBar>,
}

impl<'a> Progress<'a> {
    fn new(total: u64, label: &'a str, started: Instant) -> Progress<'a> {
        Progress {
            done: AtomicU64::new(0),
            total,
            label,
            started,
            terminal: std::io::stderr().is_terminal(),
            bar: OnceLock::new(),
        }
    }

    /// `users` more are done.
    fn add(&self, users: u64) {
        let done = self.done.fetch_add(users, Ordering::Relaxed) + users;
        if !self.terminal {
            return;
        }
        let bar = match self.bar.get() {
            Some(bar) => bar,
            None if self.started.elapsed() > PROGRESS_AFTER => self
                .bar
                .get_or_init(|| progress_bar(self.total, self.label)),
            None => return,
        };
        // indicatif redraws at most 20 times a second, whoever calls.
        bar.set_position(done.max(bar.position()));
    }

    /// Clears the bar, if one was drawn.
    fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}

fn progress_bar(total: u64, label: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    let style = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:32}] {human_pos}/{human_len} users ({eta} left)",
    )
    .map(|s| s.progress_chars("=> "))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(label.to_owned());
    bar
}

/// A set of users as a bitset over user indices (a chunk's, or the whole population's).
#[derive(Debug, Clone, Default)]
pub struct UserSet {
    words: Vec<u64>,
}

impl UserSet {
    /// An empty set for `len` users.
    pub fn new(len: usize) -> UserSet {
        UserSet {
            words: vec![0; len.div_ceil(64)],
        }
    }
    /// Adds the user at `offset` within the chunk.
    #[inline]
    pub fn insert(&mut self, offset: usize) {
        self.words[offset / 64] |= 1 << (offset % 64);
    }
    /// Appends the next chunk (this set's length must be a multiple of 64 users).
    pub fn append(&mut self, other: &UserSet) {
        self.words.extend_from_slice(&other.words);
    }
    /// How many users are in the set.
    pub fn len(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }
    /// How many users are in both sets.
    pub fn intersection_len(&self, other: &UserSet) -> u64 {
        self.words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| u64::from((a & b).count_ones()))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_user_once_in_order() {
        for n in [1usize, 63, 64, 65, 10_000, 100_001] {
            let pop = Population::Generated { count: n };
            let (accs, _) = evaluate_users(
                &pop,
                &Context::anonymous(),
                "t",
                |r| (r, Vec::new()),
                |acc, i, ctx| {
                    acc.1.push((i, ctx.key().map(str::to_owned)));
                },
            )
            .unwrap();
            let all: Vec<_> = accs.into_iter().flat_map(|(_, v)| v).collect();
            assert_eq!(all.len(), n);
            assert_eq!(all[0], (0, Some("user-1".to_owned())));
            assert_eq!(all[n - 1], (n - 1, Some(format!("user-{n}"))));
            assert!(all.windows(2).all(|w| w[0].0 + 1 == w[1].0));
        }
    }

    #[test]
    fn the_same_users_in_the_same_order_on_any_number_of_threads() {
        let pop = Population::Generated { count: 50_000 };
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let (accs, stats) = pool.install(|| {
                evaluate_users(
                    &pop,
                    &Context::anonymous(),
                    "t",
                    |_| Vec::new(),
                    |acc, i, ctx| acc.push((i, ctx.key().map(str::to_owned))),
                )
                .unwrap()
            });
            assert_eq!(stats.threads, threads);
            accs.concat()
        };
        let one = run(1);
        assert_eq!(one.len(), 50_000);
        assert_eq!(run(3), one);
        assert_eq!(run(7), one);
    }

    #[test]
    fn a_panic_in_a_chunk_is_an_internal_error() {
        let pop = Population::Generated { count: 20_000 };
        let result = evaluate_users(
            &pop,
            &Context::anonymous(),
            "t",
            |_| (),
            |_, i, _| assert_ne!(i, 19_999, "the last user"),
        );
        assert!(matches!(result, Err(CliError::Internal(_))));
    }

    #[test]
    fn ids_are_the_trimmed_non_blank_lines() {
        let text = "  a \r\n\n\t\nbé c\r\n   \nlast";
        let ids: Vec<&str> = key_spans(text)
            .unwrap()
            .into_iter()
            .map(|(s, e)| &text[s as usize..e as usize])
            .collect();
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(ids, ["a", "bé c", "last"]);
        assert_eq!(ids, lines);
    }

    #[test]
    fn user_sets() {
        let mut a = UserSet::new(128);
        let mut b = UserSet::new(70);
        a.insert(0);
        a.insert(127);
        b.insert(5);
        b.insert(69);
        let mut all = a.clone();
        all.append(&b);
        assert_eq!(all.len(), 4);
        let mut c = UserSet::new(198);
        c.insert(127);
        c.insert(128 + 69);
        assert_eq!(all.intersection_len(&c), 2);
    }
}
