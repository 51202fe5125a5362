//! `flagcore_context`: who a flag is evaluated for.

use std::ffi::c_char;
use std::sync::Arc;

use arc_swap::ArcSwap;

use flagcore::{AttributeValue, Context, ContextError, MAX_LIST_ITEMS};

use crate::boundary::{boundary, boundary_value, handle, out, text, write, Failure};
use crate::flagcore_result;
#[allow(unused_imports)]
use crate::handles::*;
#[allow(unused_imports)]
use crate::types::*;

// ---------------------------------------------------------------------------------------
// Contexts
// ---------------------------------------------------------------------------------------

/// A new context whose targeting key is `key` (an empty key means no key: splits then
/// report `TARGETING_KEY_MISSING`). Free it with `flagcore_context_free`.
///
/// # Safety
/// `key` is valid for `key_len` bytes (or NULL with 0); `out_context` is valid for one
/// write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_new(
    key: *const c_char,
    key_len: usize,
    out_context: *mut *mut flagcore_context,
) -> flagcore_result {
    boundary(|| {
        let out_context = out(out_context, "out_context")?;
        let key = from_caller!(text(key, key_len, "key"))?;
        let context = into_handle(flagcore_context {
            context: ArcSwap::from_pointee(Context::new(key)),
        });
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_context, context) };
        Ok(())
    })
}

/// Frees a context. NULL is a no-op.
///
/// # Safety
/// `context` is NULL or from `flagcore_context_new`, not freed before, not in use by
/// another thread.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_free(context: *mut flagcore_context) {
    from_caller!(free_handle(context))
}

/// The message of the last failed call made on the calling thread (whatever handle it
/// was on), snprintf-style: writes at most `buf_len - 1` bytes and a NUL into `buf` and
/// returns the message's full length (0: no failure yet). Another thread's failure never
/// overwrites it.
///
/// # Safety
/// `buf` is NULL or valid for `buf_len` bytes of writes.
#[no_mangle]
pub unsafe extern "C" fn flagcore_last_error(buf: *mut c_char, buf_len: usize) -> usize {
    // SAFETY: forwarded from the caller.
    boundary_value(0, || {
        Ok(unsafe { crate::boundary::copy_last_error(buf, buf_len) })
    })
}

/// The message of the last failed call on this context (as `flagcore_store_last_error`).
///
/// # Safety
/// `context` is NULL or live; `buf` is NULL or valid for `buf_len` bytes of writes.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_last_error(
    context: *const flagcore_context,
    buf: *mut c_char,
    buf_len: usize,
) -> usize {
    boundary_value(0, || {
        from_caller!(handle(context, "context"))?; // checked: NULL is an error
        Ok(from_caller!(crate::boundary::copy_last_error(buf, buf_len)))
    })
}

/// Runs a mutation of a context inside the boundary.
///
/// # Safety
/// `context` is NULL or live.
pub(crate) unsafe fn mutate(
    context: *mut flagcore_context,
    body: impl Fn(&mut Context) -> Result<(), Failure>,
) -> flagcore_result {
    boundary(|| {
        // Shared access is enough: changes are swapped in.
        let context = from_caller!(handle(context.cast_const(), "context"))?;
        // Copy, change, swap; retried if another setter swapped in between (`rcu`), so
        // concurrent setters lose no change and evaluations never wait.
        let mut failure = None;
        context.context.rcu(|current| {
            let mut next = Context::clone(current);
            match body(&mut next) {
                Ok(()) => Arc::new(next),
                Err(e) => {
                    failure = Some(e);
                    Arc::clone(current)
                }
            }
        });
        failure.map_or(Ok(()), Err)
    })
}

/// Sets the targeting key (empty: no key).
///
/// # Safety
/// `context` is live; `key` is valid for `key_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_set_key(
    context: *mut flagcore_context,
    key: *const c_char,
    key_len: usize,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        mutate(context, |ctx| {
            let key = text(key, key_len, "key")?;
            ctx.set_key(key);
            Ok(())
        })
    }
}

/// Sets a string attribute (the name `key` sets the targeting key).
///
/// # Safety
/// `context` is live; `name` and `value` are valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_set_string(
    context: *mut flagcore_context,
    name: *const c_char,
    name_len: usize,
    value: *const c_char,
    value_len: usize,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        mutate(context, |ctx| {
            let name = text(name, name_len, "name")?;
            let value = text(value, value_len, "value")?;
            ctx.set(name, value);
            Ok(())
        })
    }
}

/// Sets a number attribute.
///
/// # Safety
/// `context` is live; `name` is valid for `name_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_set_number(
    context: *mut flagcore_context,
    name: *const c_char,
    name_len: usize,
    value: f64,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        mutate(context, |ctx| {
            let name = text(name, name_len, "name")?;
            ctx.set(name, value);
            Ok(())
        })
    }
}

/// Sets a boolean attribute.
///
/// # Safety
/// `context` is live; `name` is valid for `name_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_set_bool(
    context: *mut flagcore_context,
    name: *const c_char,
    name_len: usize,
    value: bool,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        mutate(context, |ctx| {
            let name = text(name, name_len, "name")?;
            ctx.set(name, value);
            Ok(())
        })
    }
}

/// Sets a list-of-strings attribute (`groups`, `roles`, `tags`): `count` strings, each
/// pointer + length of UTF-8 (`items` may be NULL when `count` is 0; an item's `ptr` may
/// be NULL when its `len` is 0). At most `FLAGCORE_MAX_LIST_ITEMS` (1,024) items, else
/// `FLAGCORE_RESULT_INVALID_CONTEXT`. The strings are copied: the caller keeps ownership.
///
/// # Safety
/// `context` is live; `name` is valid for `name_len` bytes; `items` is NULL or valid for
/// `count` `flagcore_str`s, each valid for its length.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_set_string_list(
    context: *mut flagcore_context,
    name: *const c_char,
    name_len: usize,
    items: *const flagcore_str,
    count: usize,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        mutate(context, |ctx| {
            let name = text(name, name_len, "name")?;
            let items = list(items, count, name)?;
            let mut list = Vec::with_capacity(items.len());
            for item in items {
                list.push(AttributeValue::from(text(item.ptr, item.len, "items")?));
            }
            ctx.set(name, AttributeValue::List(list));
            Ok(())
        })
    }
}

/// Sets a list-of-numbers attribute: `count` doubles (`items` may be NULL when `count` is
/// 0). At most `FLAGCORE_MAX_LIST_ITEMS` (1,024) items, else
/// `FLAGCORE_RESULT_INVALID_CONTEXT`. The numbers are copied.
///
/// # Safety
/// `context` is live; `name` is valid for `name_len` bytes; `items` is NULL or valid for
/// `count` doubles.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_set_number_list(
    context: *mut flagcore_context,
    name: *const c_char,
    name_len: usize,
    items: *const f64,
    count: usize,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        mutate(context, |ctx| {
            let name = text(name, name_len, "name")?;
            let items = list(items, count, name)?;
            ctx.set(name, AttributeValue::from(items));
            Ok(())
        })
    }
}

/// Sets one attribute from JSON text: a string, number, boolean, or a list of strings and
/// numbers (`["beta", 2]`: the one way to give a list mixing both); `null` removes it.
/// Checked as `flagcore_context_set_json` checks attributes (`FLAGCORE_RESULT_INVALID_CONTEXT`,
/// the context unchanged).
///
/// # Safety
/// `context` is live; `name` and `json` are valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_set_json_value(
    context: *mut flagcore_context,
    name: *const c_char,
    name_len: usize,
    json: *const c_char,
    json_len: usize,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        mutate(context, |ctx| {
            let name = text(name, name_len, "name")?;
            let json = text(json, json_len, "json")?;
            ctx.set_json_value(name, json)?;
            Ok(())
        })
    }
}

/// Borrows `count` items at `items` (NULL allowed when `count` is 0), refusing lists
/// longer than [`MAX_LIST_ITEMS`] before reading them.
///
/// # Safety
/// `items` is NULL or valid for `count` reads of `T`.
unsafe fn list<'a, T>(items: *const T, count: usize, name: &str) -> Result<&'a [T], Failure> {
    if count > MAX_LIST_ITEMS {
        return Err(Failure::Context(ContextError::ListTooLong {
            name: name.to_owned(),
            len: count,
        }));
    }
    if count == 0 {
        return Ok(&[]);
    }
    if items.is_null() {
        return Err(Failure::Null("items"));
    }
    // SAFETY: non-null and valid for `count` items by the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(items, count) })
}

/// Removes an attribute (a no-op when absent).
///
/// # Safety
/// `context` is live; `name` is valid for `name_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_remove(
    context: *mut flagcore_context,
    name: *const c_char,
    name_len: usize,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        mutate(context, |ctx| {
            let name = text(name, name_len, "name")?;
            ctx.remove(name);
            Ok(())
        })
    }
}

/// Replaces the whole context (key and attributes) with a flat JSON object:
/// `{"key": "user-1", "email": "a@b.c", "seats": 3}`. On `FLAGCORE_RESULT_INVALID_CONTEXT`
/// the context is unchanged. For configuration paths, not the hot path.
///
/// # Safety
/// `context` is live; `json` is valid for `json_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_set_json(
    context: *mut flagcore_context,
    json: *const c_char,
    json_len: usize,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        mutate(context, |ctx| {
            let json = text(json, json_len, "json")?;
            *ctx = Context::from_json(json)?;
            Ok(())
        })
    }
}
