//! The cell a [`crate::Store`]'s readers load its read state from.
//!
//! Natively it is arc-swap's `ArcSwap`: lock-free, wait-free reads that many threads share.
//! WebAssembly builds (one thread, size first) use [`LockCell`] instead, a `Mutex<Arc<_>>`
//! whose load clones the `Arc` and releases the lock: std's mutex without threads is a
//! flag, and arc-swap's debt lists, helping slots and thread-local nodes (code for readers
//! racing a writer, which one thread cannot have) cost 1 KB of the `.wasm` gzipped. Both
//! give the same answers: a load sees the last state stored, and a state loaded before a
//! store stays valid (and unchanged) for as long as the reader holds it.

#[cfg(any(test, target_arch = "wasm32"))]
use std::sync::{Arc, Mutex, MutexGuard};

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use arc_swap::{ArcSwap as StateCell, Guard};

#[cfg(target_arch = "wasm32")]
pub(crate) use self::LockCell as StateCell;

/// What [`LockCell::load`] returns: the `Arc` itself (arc-swap's is a guard).
#[cfg(target_arch = "wasm32")]
pub(crate) type Guard<T> = T;

/// A `Mutex<Arc<T>>` with the part of `ArcSwap`'s interface the store uses.
#[cfg(any(test, target_arch = "wasm32"))]
#[derive(Debug)]
pub(crate) struct LockCell<T>(Mutex<Arc<T>>);

#[cfg(any(test, target_arch = "wasm32"))]
impl<T> LockCell<T> {
    /// A cell holding `value`.
    pub(crate) fn from_pointee(value: T) -> LockCell<T> {
        LockCell(Mutex::new(Arc::new(value)))
    }

    /// The value stored last (the lock is released before this returns).
    pub(crate) fn load(&self) -> Arc<T> {
        Arc::clone(&self.lock())
    }

    /// The value stored last, as [`LockCell::load`].
    pub(crate) fn load_full(&self) -> Arc<T> {
        self.load()
    }

    /// Replaces the value; readers holding the old one keep it. The old value is dropped
    /// after the lock is released.
    pub(crate) fn store(&self, value: Arc<T>) {
        let old = std::mem::replace(&mut *self.lock(), value);
        drop(old);
    }

    fn lock(&self) -> MutexGuard<'_, Arc<T>> {
        // Every mutation is one replace: a poisoned lock still holds a whole value.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::LockCell;
    use std::sync::Arc;

    /// The cell the WebAssembly build uses behaves as arc-swap's: loads see the last store,
    /// and a value loaded earlier is neither changed nor freed by later stores.
    #[test]
    fn lock_cell_behaves_as_arc_swap() {
        let lock = LockCell::from_pointee(String::from("one"));
        let swap = arc_swap::ArcSwap::from_pointee(String::from("one"));
        let (held_lock, held_swap) = (lock.load(), swap.load_full());
        for next in ["two", "three"] {
            lock.store(Arc::new(next.to_owned()));
            swap.store(Arc::new(next.to_owned()));
            assert_eq!(*lock.load(), **swap.load());
            assert_eq!(*lock.load_full(), *swap.load_full());
        }
        assert_eq!(*lock.load(), "three");
        assert_eq!((held_lock.as_str(), held_swap.as_str()), ("one", "one"));
        // The cell keeps one reference and the holders theirs: no leak, no early free.
        assert_eq!(Arc::strong_count(&held_lock), 1);
        let now = lock.load();
        assert_eq!(Arc::strong_count(&now), 2);
        lock.store(Arc::new(String::from("four")));
        assert_eq!(Arc::strong_count(&now), 1);
    }
}
