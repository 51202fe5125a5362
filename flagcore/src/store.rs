//! The live store: a compiled config behind `arc-swap` (a mutex in WebAssembly builds:
//! `crate::state_cell`), lock-free reads, atomic updates, bounded history with rollback, and
//! per-flag overrides.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::context::Context;
use crate::error::{ConfigError, Problem, StoreError};
use crate::eval::{Evaluation, Forced};
use crate::evaluator::{At, Evaluator, FlagRef, Resolved};
use crate::json::q;
use crate::message::msg;
use crate::model::plan::Plan;
use crate::model::{Config, Flag, Limits};
#[cfg(feature = "serde_json")]
use crate::plan::PlanError;
use crate::plan::{self, Decision};
use crate::read_cache;
use crate::state_cell::{Guard, StateCell};
use crate::units::format_thousandths;

/// The default number of configs kept for [`Store::rollback`] (the current one included).
pub const DEFAULT_HISTORY: usize = 16;

/// A per-flag decision that takes effect at once, without a config push, and survives
/// config updates until cleared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Override {
    /// Serve the flag's `offVariant` to everyone (the kill switch of an incident).
    Kill,
    /// Serve this variant to everyone.
    Variant(String),
}

/// What an accepted update did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Update {
    /// The revision now serving.
    pub revision: u64,
    /// Warnings about the new config (it loaded despite them).
    pub warnings: Vec<Problem>,
}

/// Options for a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// Limits applied to every config loaded.
    pub limits: Limits,
    /// How many configs to keep for rollback, the current one included (at least 1).
    pub history: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            limits: Limits::default(),
            history: DEFAULT_HISTORY,
        }
    }
}

/// What readers load: the config serving, its overrides as per-flag slots, its revision.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) config: Arc<Config>,
    pub(crate) overrides: Box<[Option<Forced>]>,
    pub(crate) revision: u64,
}

#[derive(Debug)]
struct Control {
    /// Oldest first; the last entry is the config serving now.
    history: Vec<(u64, Arc<Config>)>,
    last_revision: u64,
    overrides: Overrides,
}

/// The overrides in force, sorted by flag key: a sorted vector rather than a `BTreeMap`
/// (a handful of entries, written rarely; the map's node code is 6 KB of the `.wasm`).
#[derive(Debug, Default)]
struct Overrides(Vec<(String, Override)>);

impl Overrides {
    fn find(&self, flag: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(flag))
    }

    fn contains_key(&self, flag: &str) -> bool {
        self.find(flag).is_ok()
    }

    fn insert(&mut self, flag: &str, value: Override) {
        match self.find(flag) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (flag.to_owned(), value)),
        }
    }

    fn remove(&mut self, flag: &str) -> Option<Override> {
        self.find(flag).ok().map(|i| self.0.remove(i).1)
    }

    fn clear(&mut self) {
        self.0.clear();
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A live, thread-safe flag store.
///
/// Reads ([`Store::snapshot`], [`Store::is_enabled`]) are lock-free and wait-free in the
/// common case; [`Store::update`] parses and compiles outside the read path and swaps the
/// new config in atomically. An invalid update changes nothing.
///
/// # Example
/// ```
/// use flagcore::{Context, Override, Store};
/// let store = Store::from_json(r#"{"schemaVersion": 1, "flags": {
///     "speechmatics-direct": {"enabled": true,
///         "default": {"split": [{"variant": "on", "weight": 25}, {"variant": "off", "weight": 75}]}}}}"#).unwrap();
/// let user = Context::new("user-42");
/// let before = store.is_enabled("speechmatics-direct", &user);
///
/// // A bad push is refused, with every problem and its JSON path; the old config serves on.
/// let err = store.update(r#"{"schemaVersion": 1, "flags": {"x": {"enabled": "yes"}}}"#).unwrap_err();
/// assert!(err.to_string().contains("$.flags.x.enabled"));
/// assert_eq!(store.is_enabled("speechmatics-direct", &user), before);
///
/// // Kill it in an incident; clear the override when it is over.
/// store.set_override("speechmatics-direct", Override::Kill).unwrap();
/// assert!(!store.is_enabled("speechmatics-direct", &user));
/// store.clear_override("speechmatics-direct");
/// ```
#[derive(Debug)]
pub struct Store {
    state: StateCell<State>,
    /// This store's id in each thread's read cache (see `crate::read_cache`): unique for
    /// the process, never reused.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    id: u64,
    /// Incremented after each new read state is published: a thread's cached state is
    /// current while the generation it was loaded at is.
    generation: AtomicU64,
    control: Mutex<Control>,
    options: StoreOptions,
}

/// Refuses an ADVANCE that was not made from the stage serving now (stale or replayed), or
/// whose target is not the plan's next stage: applying decisions is a compare-and-swap.
fn check_advance(
    flag: &str,
    current: &Flag,
    plan: &Plan,
    at: Option<i64>,
    (from_stage, stage, percentage): (usize, usize, u32),
) -> Result<(), StoreError> {
    if percentage > crate::bucket::BUCKETS {
        return Err(StoreError::InvalidPercentage(percentage));
    }
    // A time-staged default serves a share that depends on the time: the decision's time
    // (decide() records it), else now, as everywhere a time is not given (the clock is read
    // only for a time-staged default).
    let share = current
        .default
        .share_at(plan.variant, at.map_or(At::Now, At::Millis));
    let serving = share.and_then(|s| plan.stage_of(s));
    if serving != Some(from_stage) {
        let now = match (serving, share) {
            (Some(s), Some(share)) => msg!("stage ", s, " (", format_thousandths(share), "%)"),
            (None, Some(share)) => {
                msg!(format_thousandths(share), "%, below the plan's first stage")
            }
            _ => "a time-staged default".to_owned(),
        };
        return Err(StoreError::StaleDecision {
            flag: flag.to_owned(),
            message: msg!(
                "stale decision: ADVANCE was decided from stage ",
                from_stage,
                ", but flag ",
                q(flag),
                " serves ",
                now,
                "; decide again"
            ),
        });
    }
    let expected = plan.stages.get(stage).map(|s| s.percentage);
    if stage != from_stage + 1 || expected != Some(percentage) {
        let plan_says = match plan.stages.get(from_stage + 1) {
            Some(next) => msg!(
                "the stage after ",
                from_stage,
                " is stage ",
                from_stage + 1,
                " at ",
                format_thousandths(next.percentage),
                "%"
            ),
            None => msg!("stage ", from_stage, " is the plan's last"),
        };
        return Err(StoreError::StaleDecision {
            flag: flag.to_owned(),
            message: msg!(
                "ADVANCE to stage ",
                stage,
                " at ",
                format_thousandths(percentage),
                "% does not match the plan of flag ",
                q(flag),
                ": ",
                plan_says
            ),
        });
    }
    Ok(())
}

impl Store {
    /// A store serving `config` as revision 1.
    pub fn new(config: Config) -> Store {
        Store::with_options(config, StoreOptions::default())
    }

    /// A store serving `config` as revision 1, with options.
    pub fn with_options(config: Config, options: StoreOptions) -> Store {
        let config = Arc::new(config);
        let state = State {
            overrides: Box::default(),
            config: Arc::clone(&config),
            revision: 1,
        };
        Store {
            state: StateCell::from_pointee(state),
            id: read_cache::store_id(),
            generation: AtomicU64::new(0),
            control: Mutex::new(Control {
                history: vec![(1, config)],
                last_revision: 1,
                overrides: Overrides::default(),
            }),
            options: StoreOptions {
                history: options.history.max(1),
                ..options
            },
        }
    }

    /// Parses a config and creates a store serving it.
    pub fn from_json(text: &str) -> Result<Store, ConfigError> {
        Store::from_json_with_options(text, StoreOptions::default())
    }

    /// Parses a config with options and creates a store serving it.
    pub fn from_json_with_options(text: &str, options: StoreOptions) -> Result<Store, ConfigError> {
        let config = Config::from_json_with_limits(text, options.limits)?;
        Ok(Store::with_options(config, options))
    }

    /// Like [`Store::from_json_with_options`] from bytes: text that is not UTF-8 is refused
    /// with an `invalid_utf8` problem (byte offset, line and column), as every other problem.
    pub fn from_slice_with_options(
        bytes: &[u8],
        options: StoreOptions,
    ) -> Result<Store, ConfigError> {
        let config = Config::from_slice_with_limits(bytes, options.limits)?;
        Ok(Store::with_options(config, options))
    }

    fn control(&self) -> MutexGuard<'_, Control> {
        // A panic while holding the lock cannot leave Control inconsistent (every
        // mutation is a single push/pop/insert), so a poisoned lock is still usable.
        self.control.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Parses, validates and compiles `text`, then swaps it in. On error nothing changes
    /// and every problem is returned.
    pub fn update(&self, text: &str) -> Result<Update, ConfigError> {
        self.swap_in(Config::from_json_with_limits(text, self.options.limits)?)
    }

    /// [`Store::update`] from bytes: text that is not UTF-8 is refused with an
    /// `invalid_utf8` problem, and the last good config keeps serving.
    pub fn update_slice(&self, bytes: &[u8]) -> Result<Update, ConfigError> {
        self.swap_in(Config::from_slice_with_limits(bytes, self.options.limits)?)
    }

    fn swap_in(&self, config: Config) -> Result<Update, ConfigError> {
        let warnings = config.warnings().to_vec();
        let revision = self.replace(config);
        Ok(Update { revision, warnings })
    }

    /// Swaps in an already compiled config (a [`Config`], or an `Arc<Config>` shared with
    /// other stores or kept to swap in again: no copy); returns its revision.
    pub fn replace(&self, config: impl Into<Arc<Config>>) -> u64 {
        let mut control = self.control();
        control.last_revision += 1;
        let revision = control.last_revision;
        control.history.push((revision, config.into()));
        let excess = control.history.len().saturating_sub(self.options.history);
        control.history.drain(..excess);
        self.publish(&control);
        revision
    }

    /// Applies a plan decision (see [`crate::plan`]) to `flag` in one call, and returns the
    /// revision serving afterwards:
    ///
    /// - `ADVANCE`: a new config revision whose default for `flag` serves the plan's
    ///   variant to the decision's percentage and the control variant to the rest (the
    ///   previous config stays in history, so [`Store::rollback`] undoes it). Refused with
    ///   [`StoreError::Overridden`] while an override controls the flag.
    /// - `ROLL_BACK`: kills the flag with an [`Override::Kill`], at once and surviving
    ///   config pushes; the config and its history are left as they were, so clearing the
    ///   override resumes the stage it was at.
    /// - `HOLD`: changes nothing.
    ///
    /// # Example
    /// ```
    /// use flagcore::{plan::Decision, Context, Store};
    /// let store = Store::from_json(r#"{"schemaVersion": 1, "flags": {"f": {"enabled": true,
    ///   "default": {"split": [{"variant": "on", "weight": 5}, {"variant": "off", "weight": 95}]},
    ///   "plan": {"stages": [{"percentage": 5}, {"percentage": 100}]}}}}"#).unwrap();
    /// let advance = Decision::from_json(r#"{"decision": "ADVANCE", "fromStage": 0, "stage": 1, "percentage": 100}"#).unwrap();
    /// assert_eq!(store.apply_decision("f", &advance).unwrap(), 2);
    /// assert!(store.is_enabled("f", &Context::new("anyone")));
    /// ```
    pub fn apply_decision(&self, flag: &str, decision: &Decision) -> Result<u64, StoreError> {
        match decision {
            Decision::Hold { .. } => Ok(self.revision()),
            Decision::RollBack { .. } => {
                self.set_override(flag, Override::Kill)?;
                Ok(self.revision())
            }
            Decision::Advance {
                from_stage,
                stage,
                percentage,
                at,
            } => {
                let mut control = self.control();
                if control.overrides.contains_key(flag) {
                    return Err(StoreError::Overridden(flag.to_owned()));
                }
                let current = control
                    .history
                    .last()
                    .map(|(_, c)| Arc::clone(c))
                    .ok_or(StoreError::NoHistory)?;
                let index = current
                    .flag_index(flag)
                    .ok_or_else(|| StoreError::UnknownFlag(flag.to_owned()))?
                    as usize;
                let old = &current.flags[index];
                let plan = old
                    .plan
                    .as_deref()
                    .ok_or_else(|| StoreError::NoPlan(flag.to_owned()))?;
                check_advance(flag, old, plan, *at, (*from_stage, *stage, *percentage))?;
                let serve = plan::serve_at(&old.default, plan, *percentage)?;
                let mut next = Config::clone(&current);
                next.flags[index].default = serve;
                control.last_revision += 1;
                let revision = control.last_revision;
                control.history.push((revision, Arc::new(next)));
                let excess = control.history.len().saturating_sub(self.options.history);
                control.history.drain(..excess);
                self.publish(&control);
                Ok(revision)
            }
        }
    }

    /// [`Store::apply_decision`] with the decision as JSON (a [`Decision`] or the whole
    /// [`crate::plan::Outcome`] that [`crate::plan::decide_json`] returns), for the skins.
    #[cfg(feature = "serde_json")]
    pub fn apply_decision_json(&self, flag: &str, decision_json: &str) -> Result<u64, PlanError> {
        let decision = Decision::from_json(decision_json)?;
        Ok(self.apply_decision(flag, &decision)?)
    }

    /// Goes back to the previous config (the current one is dropped from history).
    /// Returns the revision now serving, that config's original revision.
    pub fn rollback(&self) -> Result<u64, StoreError> {
        let mut control = self.control();
        if control.history.len() < 2 {
            return Err(StoreError::NoHistory);
        }
        control.history.pop();
        self.publish(&control);
        Ok(control.history.last().map(|(r, _)| *r).unwrap_or(0))
    }

    /// The revision serving now (1 for the first config; each update takes a new number,
    /// never reused; a rollback returns to the earlier config's number).
    pub fn revision(&self) -> u64 {
        self.state.load().revision
    }

    /// The revisions kept for rollback, oldest first (the last is serving).
    pub fn history(&self) -> Vec<u64> {
        self.control().history.iter().map(|(r, _)| *r).collect()
    }

    /// The config serving now.
    pub fn config(&self) -> Arc<Config> {
        Arc::clone(&self.state.load().config)
    }

    /// Sets an override for `flag`; it takes effect for the next evaluation.
    pub fn set_override(&self, flag: &str, value: Override) -> Result<(), StoreError> {
        let mut control = self.control();
        let config = control
            .history
            .last()
            .map(|(_, c)| Arc::clone(c))
            .ok_or(StoreError::NoHistory)?;
        let Some(info) = config.flag(flag) else {
            return Err(StoreError::UnknownFlag(flag.to_owned()));
        };
        if let Override::Variant(v) = &value {
            if !info.variants().any(|(name, _)| name == v) {
                return Err(StoreError::UnknownVariant {
                    flag: flag.to_owned(),
                    variant: v.clone(),
                });
            }
        }
        control.overrides.insert(flag, value);
        self.publish(&control);
        Ok(())
    }

    /// Clears the override of `flag`; returns whether there was one.
    pub fn clear_override(&self, flag: &str) -> bool {
        let mut control = self.control();
        let had = control.overrides.remove(flag).is_some();
        if had {
            self.publish(&control);
        }
        had
    }

    /// Clears every override.
    pub fn clear_overrides(&self) {
        let mut control = self.control();
        control.overrides.clear();
        self.publish(&control);
    }

    /// The overrides in force, by flag key. An override whose flag or variant the current
    /// config lacks is kept but has no effect until a config defines it again.
    pub fn overrides(&self) -> Vec<(String, Override)> {
        self.control().overrides.0.clone()
    }

    /// Builds and swaps in the read state from `control` (called with the lock held, so
    /// writers are serialised; readers never take the lock).
    fn publish(&self, control: &Control) {
        let Some((revision, config)) = control.history.last() else {
            return;
        };
        let overrides: Box<[Option<Forced>]> = if control.overrides.is_empty() {
            Box::default()
        } else {
            let mut slots = vec![None; config.len()];
            for (key, o) in &control.overrides.0 {
                let Some(i) = config.flag_index(key) else {
                    continue;
                };
                slots[i as usize] = match o {
                    Override::Kill => Some(Forced::Kill),
                    Override::Variant(name) => config.flags[i as usize]
                        .variants
                        .iter()
                        .position(|v| *v.name == **name)
                        .map(|v| Forced::Variant(v as u32)),
                };
            }
            slots.into_boxed_slice()
        };
        self.state.store(Arc::new(State {
            config: Arc::clone(config),
            overrides,
            revision: *revision,
        }));
        // After the store: a reader that sees the new generation loads the new state.
        self.generation.fetch_add(1, Ordering::Release);
    }

    /// A consistent view of the current config and overrides, for any number of
    /// evaluations. Cheap (no reference count contention); drop it promptly, since it
    /// keeps its config alive.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            state: Held::Guard(self.state.load()),
        }
    }

    /// A snapshot meant to live long (a binding's handle, a request that spans I/O): it
    /// holds a reference count rather than an arc-swap guard, at the cost of one atomic
    /// increment.
    pub fn snapshot_owned(&self) -> Snapshot {
        Snapshot {
            state: Held::Arc(self.state.load_full()),
        }
    }

    /// Whether `flag` serves `true` for `ctx` now (false on any error or for non-boolean
    /// flags): [`Store::read`] of [`Evaluator::is_enabled`].
    pub fn is_enabled(&self, flag: &str, ctx: &Context) -> bool {
        self.read(|now| now.is_enabled(flag, ctx))
    }

    /// Calls `f` once with evaluations of the current config and overrides now
    /// ([`At::Now`]), and returns what it returns: the fastest way to evaluate by key when
    /// the answer is a value (a bool, a variant's position, a comparison), not something
    /// borrowed from the config.
    ///
    /// The current state is read through a per-thread cache, so while the store is
    /// unchanged a read does no atomic read-modify-write (a [`Store::snapshot`] does two);
    /// each thread keeps the state of the last few stores it read this way alive until it
    /// reads others or exits. `f` sees one consistent revision.
    ///
    /// ```
    /// # use flagcore::{Context, Store};
    /// let store = Store::from_json(r#"{"schemaVersion": 1, "flags": {"f": {"enabled": true,
    ///     "variants": {"a": "x", "b": "y"}, "offVariant": "a", "default": {"variant": "b"}}}}"#).unwrap();
    /// let user = Context::new("u");
    /// assert!(store.read(|now| now.evaluate("f", &user).variant == Some("b")));
    /// ```
    #[inline]
    pub fn read<R>(&self, mut f: impl FnMut(Evaluator<'_>) -> R) -> R {
        self.with_state(|state| f(Evaluator::new(&state.config, &state.overrides, At::Now)))
    }

    /// Calls `read` once with the state serving now, through this thread's read cache
    /// (`crate::read_cache`; WebAssembly builds, one thread and size first, load it from
    /// the `StateCell`). [`Store::read`] and flag handles read through it.
    #[inline]
    pub(crate) fn with_state<R>(&self, read: impl FnMut(&State) -> R) -> R {
        #[cfg(not(target_arch = "wasm32"))]
        {
            let generation = self.generation.load(Ordering::Acquire);
            read_cache::with_state(self.id, generation, || self.state.load_full(), read)
        }
        #[cfg(target_arch = "wasm32")]
        {
            let mut read = read;
            read(&self.state.load())
        }
    }
}

/// A consistent view of a [`Store`] at one revision: every evaluation through it sees the
/// same config and overrides.
pub struct Snapshot {
    state: Held,
}

/// What a snapshot holds: an arc-swap guard (cheap, for short views) or a reference count
/// (for views that live long, such as a binding's snapshot handle: guards are meant to be
/// short).
enum Held {
    Guard(Guard<Arc<State>>),
    Arc(Arc<State>),
}

impl std::ops::Deref for Held {
    type Target = State;
    #[inline]
    fn deref(&self) -> &State {
        match self {
            Held::Guard(g) => g,
            Held::Arc(a) => a,
        }
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("revision", &self.state.revision)
            .finish_non_exhaustive()
    }
}

impl Snapshot {
    /// The revision of this view.
    pub fn revision(&self) -> u64 {
        self.state.revision
    }

    /// The config of this view.
    pub fn config(&self) -> &Config {
        &self.state.config
    }

    /// Evaluations at `at` (a time in Unix ms, [`At::Now`] or [`At::Unset`]): the same
    /// methods as here, with an explicit evaluation time.
    ///
    /// ```
    /// # use flagcore::{At, Context, Store};
    /// let store = Store::from_json(r#"{"schemaVersion": 1, "flags": {"f": {"enabled": true,
    ///     "default": {"stages": [{"variant": "off"}, {"from": "2026-12-01T00:00:00Z", "variant": "on"}]}}}}"#).unwrap();
    /// let user = Context::new("u");
    /// let snapshot = store.snapshot();
    /// assert!(!snapshot.at(1_764_547_200_000).is_enabled("f", &user)); // 2025-12-01
    /// assert!(snapshot.at(1_796_083_200_000).is_enabled("f", &user)); // 2026-12-01
    /// assert!(snapshot.at(At::Unset).evaluate("f", &user).is_error()); // no time: an error
    /// ```
    pub fn at(&self, at: impl Into<At>) -> Evaluator<'_> {
        Evaluator::new(&self.state.config, &self.state.overrides, at.into())
    }

    /// One flag resolved once, evaluated now: see [`Evaluator::flag`]; `snapshot.at(t).flag(key)`
    /// for another time.
    pub fn flag(&self, key: &str) -> Option<FlagRef<'_>> {
        self.at(At::Now).flag(key)
    }

    /// Evaluates one flag now (see [`At::Now`]), with value, variant, reason and details.
    /// Does not allocate.
    pub fn evaluate<'a>(&'a self, flag: &'a str, ctx: &Context) -> Evaluation<'a> {
        self.at(At::Now).evaluate(flag, ctx)
    }

    /// Evaluates every flag for one context now, in config order. Does not allocate.
    pub fn evaluate_all<'a>(
        &'a self,
        ctx: &'a Context,
    ) -> impl ExactSizeIterator<Item = Evaluation<'a>> + 'a {
        self.at(At::Now).evaluate_all(ctx)
    }

    /// Whether `flag` serves `true` for `ctx` now.
    pub fn is_enabled(&self, flag: &str, ctx: &Context) -> bool {
        self.at(At::Now).is_enabled(flag, ctx)
    }

    /// The position of the variant `flag` serves for `ctx` now: see
    /// [`Evaluator::variant_index`].
    pub fn variant_index(&self, flag: &str, ctx: &Context) -> Option<usize> {
        self.at(At::Now).variant_index(flag, ctx)
    }

    /// A boolean flag's value now, or `default` (with the reason) on error or type mismatch.
    pub fn bool_value<'a>(
        &'a self,
        flag: &'a str,
        ctx: &Context,
        default: bool,
    ) -> Resolved<'a, bool> {
        self.at(At::Now).bool_value(flag, ctx, default)
    }

    /// A string flag's value now, or `default`.
    pub fn string_value<'a>(
        &'a self,
        flag: &'a str,
        ctx: &Context,
        default: &'a str,
    ) -> Resolved<'a, &'a str> {
        self.at(At::Now).string_value(flag, ctx, default)
    }

    /// A number flag's value now, or `default`.
    pub fn number_value<'a>(
        &'a self,
        flag: &'a str,
        ctx: &Context,
        default: f64,
    ) -> Resolved<'a, f64> {
        self.at(At::Now).number_value(flag, ctx, default)
    }

    /// A JSON flag's value now, or `default`.
    #[cfg(feature = "serde_json")]
    pub fn json_value<'a>(
        &'a self,
        flag: &'a str,
        ctx: &Context,
        default: &'a serde_json::Value,
    ) -> Resolved<'a, &'a serde_json::Value> {
        self.at(At::Now).json_value(flag, ctx, default)
    }
}

impl Config {
    /// Evaluations against this config (no overrides) at `at`.
    pub fn at(&self, at: impl Into<At>) -> Evaluator<'_> {
        Evaluator::new(self, &[], at.into())
    }

    /// Evaluates one flag against this config (no overrides) now. Does not allocate.
    pub fn evaluate<'a>(&'a self, flag: &'a str, ctx: &Context) -> Evaluation<'a> {
        self.at(At::Now).evaluate(flag, ctx)
    }

    /// Evaluates every flag for one context now, in config order (no overrides).
    pub fn evaluate_all<'a>(
        &'a self,
        ctx: &'a Context,
    ) -> impl ExactSizeIterator<Item = Evaluation<'a>> + 'a {
        self.at(At::Now).evaluate_all(ctx)
    }
}
