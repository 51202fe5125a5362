//! Config sources (the `flagcore-source` crate) run inside the library: a thread per
//! source keeps a store up to date, so a binding (Python) gets a poller that needs none
//! of its own threads, its lock (the GIL) or its clock.

use std::ffi::c_char;
use std::sync::Arc;
use std::time::Duration;

use ::flagcore_source::{FileSource, HttpSource, Source, SourceError};
use serde_json::{Map, Value};

use crate::boundary::{boundary, handle, out, text, write, Failure};
use crate::flagcore_result;
use crate::handles::{flagcore_store, free_handle, into_handle};
use crate::snapshot::flagcore_string;

/// A running config source: a thread inside the library that polls a URL or watches a
/// file and updates a store. Create it with `flagcore_source_new_http` or
/// `flagcore_source_new_file`; stop it with `flagcore_source_close`, free it with
/// `flagcore_source_free`. Thread-safe: one thread may wait for events while another
/// closes the source.
#[derive(Debug)]
pub struct flagcore_source {
    source: Source,
}

fn options(json: &str) -> Result<Map<String, Value>, Failure> {
    if json.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str(json) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Failure::Argument(
            "source options must be a JSON object".into(),
        )),
        Err(e) => Err(Failure::Argument(format!("source options: {e}"))),
    }
}

fn millis(value: &Value, key: &str) -> Result<Duration, Failure> {
    value
        .as_f64()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| Duration::from_secs_f64(v / 1000.0))
        .ok_or_else(|| {
            Failure::Argument(format!("source option {key}: expected milliseconds >= 0"))
        })
}

fn string<'a>(value: &'a Value, key: &str) -> Result<&'a str, Failure> {
    value
        .as_str()
        .ok_or_else(|| Failure::Argument(format!("source option {key}: expected a string")))
}

fn unknown(key: &str, allowed: &str) -> Failure {
    Failure::Argument(format!("unknown source option {key:?} (known: {allowed})"))
}

fn http_source(url: &str, options: &Map<String, Value>) -> Result<HttpSource, Failure> {
    let mut source = HttpSource::new(url);
    for (key, value) in options {
        source =
            match key.as_str() {
                "intervalMs" => source.interval(millis(value, key)?),
                "jitter" => source.jitter(value.as_f64().ok_or_else(|| {
                    Failure::Argument("source option jitter: expected a number".into())
                })?),
                "timeoutMs" => source.timeout(millis(value, key)?),
                "maxBackoffMs" => source.max_backoff(millis(value, key)?),
                "staleAfterMs" => source.stale_after(millis(value, key)?),
                "cachePath" => source.cache_file(string(value, key)?),
                "headers" => {
                    let headers = value.as_object().ok_or_else(|| {
                        Failure::Argument("source option headers: expected an object".into())
                    })?;
                    let mut source = source;
                    for (name, v) in headers {
                        source = source.header(name.as_str(), string(v, name)?);
                    }
                    source
                }
                _ => return Err(unknown(
                    key,
                    "intervalMs, jitter, timeoutMs, maxBackoffMs, staleAfterMs, cachePath, headers",
                )),
            };
    }
    Ok(source)
}

fn file_source(path: &str, options: &Map<String, Value>) -> Result<FileSource, Failure> {
    let mut source = FileSource::new(path);
    for (key, value) in options {
        source = match key.as_str() {
            "debounceMs" => source.debounce(millis(value, key)?),
            "pollMs" => source.poll(millis(value, key)?),
            "staleAfterMs" => source.stale_after(millis(value, key)?),
            "cachePath" => source.cache_file(string(value, key)?),
            _ => return Err(unknown(key, "debounceMs, pollMs, staleAfterMs, cachePath")),
        };
    }
    Ok(source)
}

/// # Safety
/// As for the exports that call it.
unsafe fn start(
    location: *const c_char,
    location_len: usize,
    options_json: *const c_char,
    options_len: usize,
    store: *const flagcore_store,
    out_source: *mut *mut flagcore_source,
    build: impl FnOnce(
        &str,
        &Map<String, Value>,
        Option<Arc<flagcore::Store>>,
    ) -> Result<Source, Failure>,
) -> flagcore_result {
    boundary(|| {
        let out_source = out(out_source, "out_source")?;
        // SAFETY: forwarded from the caller.
        let location = unsafe { text(location, location_len, "location") }?;
        // SAFETY: forwarded from the caller.
        let options = options(unsafe { text(options_json, options_len, "options_json") }?)?;
        // SAFETY: forwarded from the caller.
        let store = unsafe { store.as_ref() }.map(|s| Arc::clone(&s.store));
        let source = build(location, &options, store)?;
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_source, into_handle(flagcore_source { source })) };
        Ok(())
    })
}

fn started(result: Result<Source, SourceError>) -> Result<Source, Failure> {
    result.map_err(|e| Failure::Argument(e.to_string()))
}

/// Starts polling `url` (`http://` or `https://`) on a thread inside the library.
///
/// `options_json` (may be empty) is a JSON object: `intervalMs` (default 30000), `jitter`
/// (a fraction of the interval, 0 to 0.5; default 0.1), `timeoutMs` (per request; 10000),
/// `maxBackoffMs` (the longest delay between retries while failing; 120000),
/// `staleAfterMs` (report stale after failing this long; 120000), `cachePath` (keep the
/// last good config there, written atomically, and serve it at start while the server is
/// down), `headers` (an object of header names and values sent with every request).
///
/// `store` may be NULL: the source then creates its store from the on-disk copy (at once)
/// or the first good config (see `flagcore_source_store`). Given a store, the source
/// updates it (and does not read the on-disk copy); the store may be freed before the
/// source (the source keeps what it needs alive).
///
/// `FLAGCORE_RESULT_INVALID_ARGUMENT` for a URL that is not http(s) or bad options.
///
/// # Safety
/// `url` and `options_json` are valid for their lengths; `store` is NULL or live;
/// `out_source` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_source_new_http(
    url: *const c_char,
    url_len: usize,
    options_json: *const c_char,
    options_len: usize,
    store: *const flagcore_store,
    out_source: *mut *mut flagcore_source,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        start(
            url,
            url_len,
            options_json,
            options_len,
            store,
            out_source,
            |url, o, store| {
                let source = http_source(url, o)?;
                started(match store {
                    Some(store) => source.start_with(store),
                    None => source.start(),
                })
            },
        )
    }
}

/// Starts watching the config file at `path` on a thread inside the library (its
/// directory is watched, so atomic renames and Kubernetes ConfigMap updates are seen; a
/// half-written file is never loaded). A good file serves when this returns.
///
/// `options_json` (may be empty): `debounceMs` (how long the file must stay unchanged
/// before it is read; 100), `pollMs` (re-read this often regardless; 5000),
/// `staleAfterMs`, `cachePath`. `store`: as for `flagcore_source_new_http`.
///
/// `FLAGCORE_RESULT_INVALID_ARGUMENT` when the directory cannot be watched or for bad
/// options.
///
/// # Safety
/// As for `flagcore_source_new_http`.
#[no_mangle]
pub unsafe extern "C" fn flagcore_source_new_file(
    path: *const c_char,
    path_len: usize,
    options_json: *const c_char,
    options_len: usize,
    store: *const flagcore_store,
    out_source: *mut *mut flagcore_source,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        start(
            path,
            path_len,
            options_json,
            options_len,
            store,
            out_source,
            |path, o, store| {
                let source = file_source(path, o)?;
                started(match store {
                    Some(store) => source.start_with(store),
                    None => source.start(),
                })
            },
        )
    }
}

/// The store the source updates: `*out_store` receives a new store handle (free it with
/// `flagcore_store_free`; it shares the config with the source and every other handle of
/// the same store), or NULL while no config serves yet.
///
/// # Safety
/// `source` is live; `out_store` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_source_store(
    source: *const flagcore_source,
    out_store: *mut *mut flagcore_store,
) -> flagcore_result {
    boundary(|| {
        let out_store = out(out_store, "out_store")?;
        // SAFETY: forwarded from the caller.
        let source = unsafe { handle(source, "source") }?;
        let handle = source.source.store().map_or(std::ptr::null_mut(), |store| {
            into_handle(flagcore_store { store })
        });
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_store, handle) };
        Ok(())
    })
}

/// Waits up to `timeout_ms` for a config to serve; `*out_ready` receives whether one does.
/// Blocks the calling thread only.
///
/// # Safety
/// `source` is live; `out_ready` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_source_wait_ready(
    source: *const flagcore_source,
    timeout_ms: u64,
    out_ready: *mut bool,
) -> flagcore_result {
    boundary(|| {
        let out_ready = out(out_ready, "out_ready")?;
        // SAFETY: forwarded from the caller.
        let source = unsafe { handle(source, "source") }?;
        let ready = source
            .source
            .wait_ready(Duration::from_millis(timeout_ms))
            .is_ok();
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_ready, ready) };
        Ok(())
    })
}

/// The next event as JSON, waiting up to `timeout_ms`: `{"type": "ready", "revision": 1,
/// "origin": "cache"}`, `{"type": "updated", "revision": 4, "changed": ["flag-key"],
/// "warnings": [...]}`, `{"type": "refused", "message": "...", "problems": [{"severity",
/// "code", "path", "message"}]}`, `{"type": "stale", "lastSuccess": <Unix ms or null>,
/// "error": "..."}`, `{"type": "recovered", "revision": 4}`. `*out_event` receives a string
/// to free with `flagcore_string_free`, or NULL on timeout and once the source is closed
/// and its events are read. The latest 1024 unread events are kept.
///
/// # Safety
/// `source` is live; `out_event` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_source_next_event(
    source: *const flagcore_source,
    timeout_ms: u64,
    out_event: *mut *mut flagcore_string,
) -> flagcore_result {
    boundary(|| {
        let out_event = out(out_event, "out_event")?;
        // SAFETY: forwarded from the caller.
        let source = unsafe { handle(source, "source") }?;
        let event = source.source.next_event(Duration::from_millis(timeout_ms));
        let ptr = event.map_or(std::ptr::null_mut(), |e| {
            into_handle(flagcore_string::new(e.to_json().to_string()))
        });
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_event, ptr) };
        Ok(())
    })
}

/// The source's status as JSON: `{"ready", "revision", "origin", "lastSuccess",
/// "lastError", "failures", "stale", "refused", "cacheError", "droppedEvents"}` (times in
/// Unix milliseconds). `*out_status` receives a string to free with `flagcore_string_free`.
///
/// # Safety
/// `source` is live; `out_status` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_source_status(
    source: *const flagcore_source,
    out_status: *mut *mut flagcore_string,
) -> flagcore_result {
    boundary(|| {
        let out_status = out(out_status, "out_status")?;
        // SAFETY: forwarded from the caller.
        let source = unsafe { handle(source, "source") }?;
        let json = source.source.status().to_json().to_string();
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_status, into_handle(flagcore_string::new(json))) };
        Ok(())
    })
}

/// Asks the source to check now rather than at its next interval. Returns at once.
///
/// # Safety
/// `source` is live.
#[no_mangle]
pub unsafe extern "C" fn flagcore_source_refresh(
    source: *const flagcore_source,
) -> flagcore_result {
    boundary(|| {
        // SAFETY: forwarded from the caller.
        unsafe { handle(source, "source") }?.source.refresh();
        Ok(())
    })
}

/// Stops the source's thread and waits for it (a request in flight ends within its
/// timeout). Idempotent; wakes `flagcore_source_next_event` callers. The store keeps
/// serving its last config; the handle stays valid until `flagcore_source_free`.
///
/// # Safety
/// `source` is live.
#[no_mangle]
pub unsafe extern "C" fn flagcore_source_close(source: *const flagcore_source) -> flagcore_result {
    boundary(|| {
        // SAFETY: forwarded from the caller.
        unsafe { handle(source, "source") }?.source.close();
        Ok(())
    })
}

/// Closes (as `flagcore_source_close`) and frees a source. NULL is a no-op.
///
/// # Safety
/// `source` is NULL or from `flagcore_source_new_*`, not freed before, and not in use by
/// another thread.
#[no_mangle]
pub unsafe extern "C" fn flagcore_source_free(source: *mut flagcore_source) {
    // SAFETY: forwarded from the caller.
    unsafe { free_handle(source) }
}
