//! `flagcore_flag`: one flag of a store, resolved once and valid across updates.

use std::ffi::c_char;
use std::sync::Arc;

use flagcore::{FlagHandle, Store, StoreError};

use crate::boundary::{boundary, boundary_value, handle, out, text, write, Failure};
use crate::flagcore_result;
#[allow(unused_imports)]
use crate::handles::*;
use crate::store::{copy_name, write_variant_index};
#[allow(unused_imports)]
use crate::types::*;

/// One flag of a store, by key, resolved once: its calls skip the key lookup of the
/// `flagcore_store_*` calls while the store serves the same config, and resolve the key
/// again after an update or a rollback (a flag added later is found; a removed one answers
/// as an unknown flag does by key). Holds its store (freeing the store first is allowed).
/// Thread-safe: any number of threads may evaluate through one flag at once.
#[derive(Debug)]
pub struct flagcore_flag {
    pub(crate) flag: FlagHandle<Arc<Store>>,
}

/// A handle on the flag `key` of `store` (which need not have the flag yet). On success
/// `*out_flag` receives it; free it with `flagcore_flag_free`.
///
/// # Safety
/// `store` is live; `key` is valid for `key_len` bytes; `out_flag` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_store_flag(
    store: *const flagcore_store,
    key: *const c_char,
    key_len: usize,
    out_flag: *mut *mut flagcore_flag,
) -> flagcore_result {
    boundary(|| {
        let out_flag = out(out_flag, "out_flag")?;
        let store = from_caller!(handle(store, "store"))?;
        let key = from_caller!(text(key, key_len, "key"))?;
        let flag = into_handle(flagcore_flag {
            flag: FlagHandle::new(Arc::clone(&store.store), key),
        });
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_flag, flag) };
        Ok(())
    })
}

/// Frees a flag handle. NULL is a no-op.
///
/// # Safety
/// `flag` is NULL or from `flagcore_store_flag`, not freed before, and not in use by
/// another thread.
#[no_mangle]
pub unsafe extern "C" fn flagcore_flag_free(flag: *mut flagcore_flag) {
    from_caller!(free_handle(flag))
}

/// `flagcore_store_is_enabled` through a handle: whether the flag serves `true` for
/// `context` (`false` for anything but a boolean flag serving true, including a flag the
/// serving config lacks and every error). No allocation.
///
/// # Safety
/// `flag` and `context` are NULL or live.
#[no_mangle]
pub unsafe extern "C" fn flagcore_flag_is_enabled(
    flag: *const flagcore_flag,
    context: *const flagcore_context,
    time: u32,
    at_millis: i64,
) -> bool {
    boundary_value(false, || {
        let flag = from_caller!(handle(flag, "flag"))?;
        let context = from_caller!(handle(context, "context"))?;
        let at = at_of(time, at_millis)?;
        Ok(flag.flag.is_enabled_at(&context.current(), at))
    })
}

/// `flagcore_store_variant_index` through a handle: the position of the variant served
/// into `*out_index`, the revision that served it into `*out_revision` (may be NULL).
/// `FLAGCORE_RESULT_UNKNOWN_FLAG` when the serving config lacks the flag.
///
/// # Safety
/// `flag` and `context` are live; `out_index` is valid for one write; `out_revision` is
/// NULL or valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_flag_variant_index(
    flag: *const flagcore_flag,
    context: *const flagcore_context,
    time: u32,
    at_millis: i64,
    out_index: *mut usize,
    out_revision: *mut u64,
) -> flagcore_result {
    boundary(|| {
        let out_index = out(out_index, "out_index")?;
        let flag = from_caller!(handle(flag, "flag"))?;
        let context = from_caller!(handle(context, "context"))?;
        let at = at_of(time, at_millis)?;
        let Some((index, revision)) = flag.flag.variant_index_at(&context.current(), at) else {
            return Err(unknown(&flag.flag));
        };
        // SAFETY: `out_index` checked non-null; valid by the caller's contract.
        unsafe { write_variant_index(out_index, out_revision, index, revision) };
        Ok(())
    })
}

/// `flagcore_store_variant` through a handle: copies the name of the variant served into
/// `buf` (a NUL follows when `buf_len` exceeds its length) and its length into `*out_len`.
/// `FLAGCORE_RESULT_UNKNOWN_FLAG` when the serving config lacks the flag;
/// `FLAGCORE_RESULT_BUFFER_TOO_SMALL` (the needed length in `*out_len`, `buf` untouched)
/// when `buf_len` is less than the name's length.
///
/// # Safety
/// `flag` and `context` are live; `buf` is valid for `buf_len` bytes of writes (NULL when
/// 0); `out_len` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_flag_variant(
    flag: *const flagcore_flag,
    context: *const flagcore_context,
    time: u32,
    at_millis: i64,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> flagcore_result {
    boundary(|| {
        let out_len = out(out_len, "out_len")?;
        let flag = from_caller!(handle(flag, "flag"))?;
        let context = from_caller!(handle(context, "context"))?;
        let at = at_of(time, at_millis)?;
        flag.flag
            .evaluate_at(&context.current(), at, |e| match e.variant {
                // SAFETY: forwarded from the caller.
                Some(name) => unsafe { copy_name(name, buf, buf_len, out_len) },
                None => Err(unknown(&flag.flag)),
            })
    })
}

fn unknown(flag: &FlagHandle<Arc<Store>>) -> Failure {
    Failure::Store(StoreError::UnknownFlag(flag.key().to_owned()))
}
