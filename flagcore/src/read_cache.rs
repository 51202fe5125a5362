//! A per-thread cache of each store's read state, for [`crate::Store::read`] (and so
//! [`crate::Store::is_enabled`]) and [`crate::FlagHandle`]'s calls: a read that finds its
//! store's current state here costs a load of the store's generation and a compare, instead
//! of arc-swap's two atomic read-modify-writes (taking and paying back a debt slot: about
//! half the cost of evaluating a simple flag by key).
//!
//! Each thread keeps the state of the last [`SLOTS`] stores it read through them, tagged
//! with the store's id (unique for the process, never reused) and the store's generation
//! when the state was loaded. Every change of a store's read
//! state (an update, a rollback, an override) publishes the new state, then increments the
//! generation; a reader that sees another generation loads the state again. The cost:
//! a thread keeps up to [`SLOTS`] states alive (their configs) until it reads other stores
//! or exits, even after the store is dropped.
//!
//! WebAssembly builds (one thread, size first) read through arc-swap as before.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::store::State;

/// How many stores a thread keeps the state of.
pub(crate) const SLOTS: usize = 4;

/// The ids of stores: one counter for the process, so an id is never reused (an address
/// could be, after a store is dropped).
static NEXT_STORE_ID: AtomicU64 = AtomicU64::new(1);

/// A new store id.
pub(crate) fn store_id() -> u64 {
    NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed)
}

struct Slot {
    store: u64,
    generation: u64,
    state: Arc<State>,
}

#[derive(Default)]
struct Slots {
    slots: [Option<Slot>; SLOTS],
    /// The slot the next miss replaces (round robin).
    next: usize,
}

thread_local! {
    static CACHE: RefCell<Slots> = RefCell::default();
}

/// Calls `read` once with the current state of the store `store` at `generation` (which
/// the caller loaded, with `Acquire`, before calling): the cached state when the thread
/// holds it at that generation, else `load()`'s, which is then cached. When the cache is
/// unavailable (the thread is exiting, or a read is already in progress on this thread),
/// `load()`'s state is read without caching it.
#[inline]
pub(crate) fn with_state<R>(
    store: u64,
    generation: u64,
    load: impl Fn() -> Arc<State>,
    mut read: impl FnMut(&State) -> R,
) -> R {
    let cached = CACHE.try_with(|cache| {
        let mut cache = cache.try_borrow_mut().ok()?;
        let position = cache
            .slots
            .iter()
            .position(|s| s.as_ref().is_some_and(|s| s.store == store));
        let at = match position {
            Some(at) if cache.slots[at].as_ref().map(|s| s.generation) == Some(generation) => at,
            found => {
                let at = found.unwrap_or(cache.next);
                if found.is_none() {
                    cache.next = (cache.next + 1) % SLOTS;
                }
                // Replacing a slot may drop the last reference to an old config: it is
                // freed here, on the reading thread, as a dropped snapshot would be.
                cache.slots[at] = Some(Slot {
                    store,
                    generation,
                    state: load(),
                });
                at
            }
        };
        let slot = cache.slots[at].as_ref()?;
        Some(read(&slot.state))
    });
    match cached {
        Ok(Some(answer)) => answer,
        _ => read(&load()),
    }
}
