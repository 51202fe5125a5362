//! Flag handles that outlive updates: [`FlagHandle`] is one flag of a [`Store`], resolved
//! once and re-resolved only when the store serves another config.
//!
//! [`crate::FlagRef`] is the fastest way to evaluate one flag, but it borrows one snapshot:
//! it answers for that config forever. A [`FlagHandle`] answers for the config serving at
//! each call: it loads the store's current state (as [`Store::is_enabled`] does), and where
//! a by-key call hashes the key and probes the flag index, it compares the state's revision
//! with the one it resolved the key for and reuses that index. A revision identifies one
//! config of a store (an update or a plan advance takes a new number, a rollback returns to
//! the earlier config's number, an override keeps it), so after an update, a rollback or an
//! advance the first call resolves the key again: a flag added later is found, one removed
//! answers as a missing flag does by key, one moved is found at its new place.

use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::context::Context;
use crate::eval::{self, Evaluation};
use crate::evaluator::At;
use crate::store::{State, Store};

/// Bits of the cached word that hold the flag's index; the revision takes the rest.
const INDEX_BITS: u32 = 24;
const INDEX_MASK: u64 = (1 << INDEX_BITS) - 1;
/// The cached index of a key the config lacks.
const MISSING: u64 = INDEX_MASK;

/// The resolution of a key in one state: the flag's index, or `None` when the config lacks it.
type Resolution = Option<usize>;

/// One flag of a [`Store`], resolved once, valid across updates and rollbacks. Made by
/// [`Store::flag`] (borrowing the store) or [`FlagHandle::new`] (owning it, for example an
/// `Arc<Store>`). Thread-safe: any number of threads may evaluate through one handle. Each
/// call answers exactly as the by-key call of the store would (for a flag the config lacks:
/// `false`, `None`, a `FLAG_NOT_FOUND` evaluation).
///
/// ```
/// use flagcore::{Context, Store};
/// let store = Store::from_json(r#"{"schemaVersion": 1, "flags": {"f": {"enabled": true,
///     "default": {"variant": "on"}}}}"#).unwrap();
/// let f = store.flag("f");
/// let g = store.flag("g");
/// let user = Context::new("user-1");
/// assert!(f.is_enabled(&user) && !g.is_enabled(&user));
/// store.update(r#"{"schemaVersion": 1, "flags": {"g": {"enabled": true,
///     "default": {"variant": "on"}}}}"#).unwrap();
/// assert!(!f.is_enabled(&user) && g.is_enabled(&user));
/// ```
pub struct FlagHandle<S: Deref<Target = Store>> {
    store: S,
    key: Box<str>,
    /// `revision << INDEX_BITS | index` (or [`MISSING`]) of the last resolution; 0 before
    /// the first (revisions start at 1). Revisions are compared modulo 2^40: an update a
    /// millisecond for 35 years before a handle is used again.
    cache: AtomicU64,
}

impl<S: Deref<Target = Store>> std::fmt::Debug for FlagHandle<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlagHandle")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl<S: Deref<Target = Store>> FlagHandle<S> {
    /// A handle on the flag `key` of `store` (which need not have the flag yet).
    pub fn new(store: S, key: &str) -> Self {
        FlagHandle {
            store,
            key: key.into(),
            cache: AtomicU64::new(0),
        }
    }

    /// The flag's key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The store this handle evaluates against.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The index of the flag in `state`'s config: the cached one when `state` is the
    /// revision last resolved.
    #[inline]
    fn resolve(&self, state: &State) -> Resolution {
        let tag = state.revision << INDEX_BITS;
        let cached = self.cache.load(Ordering::Relaxed);
        if cached & !INDEX_MASK == tag {
            let index = cached & INDEX_MASK;
            return (index != MISSING).then_some(index as usize);
        }
        self.resolve_again(state, tag)
    }

    #[cold]
    #[inline(never)]
    fn resolve_again(&self, state: &State, tag: u64) -> Resolution {
        let index = state.config.flag_index(&self.key).map(u64::from);
        match index {
            // The cache is one word, so readers on other threads see a whole resolution;
            // the word holds no pointer, so the ordering is free.
            Some(i) if i < MISSING => self.cache.store(tag | i, Ordering::Relaxed),
            None => self.cache.store(tag | MISSING, Ordering::Relaxed),
            Some(_) => {} // beyond 2^24 - 1 flags: resolved by key at every call
        }
        index.map(|i| i as usize)
    }

    /// Whether the flag serves `true` for `ctx` now ([`At::Now`]); `false` for a flag the
    /// serving config lacks, on any error, or for non-boolean flags. Does not allocate.
    #[inline]
    pub fn is_enabled(&self, ctx: &Context) -> bool {
        self.is_enabled_at(ctx, At::Now)
    }

    /// [`FlagHandle::is_enabled`] at `at`.
    #[inline]
    pub fn is_enabled_at(&self, ctx: &Context, at: impl Into<At>) -> bool {
        let at = at.into();
        self.store.with_state(|state| match self.resolve(state) {
            Some(i) => eval::decide(&state.config, &state.overrides, i, ctx, at)
                .as_bool(&state.config, i)
                .unwrap_or(false),
            None => false,
        })
    }

    /// The position of the variant served for `ctx` now, in the order of
    /// [`crate::FlagInfo::variants`] (see [`crate::Evaluator::variant_index`]), with the
    /// revision that served it (the variant names are the ones of that revision's config);
    /// `None` for a flag the serving config lacks. Does not allocate.
    #[inline]
    pub fn variant_index(&self, ctx: &Context) -> Option<(usize, u64)> {
        self.variant_index_at(ctx, At::Now)
    }

    /// [`FlagHandle::variant_index`] at `at`.
    #[inline]
    pub fn variant_index_at(&self, ctx: &Context, at: impl Into<At>) -> Option<(usize, u64)> {
        let at = at.into();
        self.store.with_state(|state| {
            let i = self.resolve(state)?;
            let variant = eval::decide(&state.config, &state.overrides, i, ctx, at).variant;
            Some((variant as usize, state.revision))
        })
    }

    /// Evaluates the flag for `ctx` at `at` and hands the evaluation to `read` (it borrows
    /// the config serving at the call, which the store may drop after it). Does not
    /// allocate.
    ///
    /// ```
    /// # use flagcore::{At, Context, Reason, Store};
    /// let store = Store::from_json(r#"{"schemaVersion": 1, "flags": {"f": {"enabled": true,
    ///     "variants": {"a": "x", "b": "y"}, "offVariant": "a", "default": {"variant": "b"}}}}"#).unwrap();
    /// let f = store.flag("f");
    /// let (variant, reason) = f.evaluate_at(&Context::new("u"), At::Now, |e| (e.variant.map(str::to_owned), e.reason));
    /// assert_eq!(variant.as_deref(), Some("b"));
    /// assert_eq!(reason, Reason::Default);
    /// ```
    pub fn evaluate_at<R>(
        &self,
        ctx: &Context,
        at: impl Into<At>,
        mut read: impl FnMut(&Evaluation<'_>) -> R,
    ) -> R {
        let at = at.into();
        self.store.with_state(|state| {
            let evaluation = match self.resolve(state) {
                Some(i) => eval::evaluate_index(&state.config, &state.overrides, i, ctx, at),
                None => Evaluation::not_found(&self.key),
            };
            read(&evaluation)
        })
    }
}

impl Store {
    /// A handle on the flag `key`: resolved once, then reused for every call while the
    /// store serves the same config, and resolved again after an update or a rollback (see
    /// [`FlagHandle`]). The key need not exist yet: until it does, the handle answers as
    /// the by-key calls do for an unknown flag.
    pub fn flag(&self, key: &str) -> FlagHandle<&Store> {
        FlagHandle::new(self, key)
    }
}
