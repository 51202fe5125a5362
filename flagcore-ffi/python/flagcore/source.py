"""Config sources for agents: keep a :class:`flagcore.Store` up to date from a URL or a file.

The polling and watching run in the Rust library (the ``flagcore-source`` crate), on a
thread of its own: no Python thread polls, the GIL is not held while waiting or fetching,
and the behaviour is the one every flagcore binding has (conditional requests with ETag and
Last-Modified, jitter, timeouts, exponential backoff, an on-disk copy of the last good
config, a half-written file never loaded). Example::

    from flagcore.source import HttpSource

    with HttpSource("https://flags.example.com/prod.json", interval=15,
                    cache_path="/var/cache/agent/flags.json",
                    on_event=lambda e: log.info("flags: %s", e)) as source:
        store = source.wait_ready(timeout=5)     # a flagcore.Store, kept up to date
        if store.is_enabled("speechmatics-direct", user): ...

Guarantees: the store always serves the last config that validated. A config that does not
validate is refused (an event with every problem; :attr:`Source.status` keeps them) and the
last good one serves on. A source that fails for ``stale_after`` seconds reports ``stale``
(and ``recovered`` when it answers again); the store keeps serving. ``close()`` (or leaving
the ``with`` block) stops the native thread and the event thread and waits for both; sources
still open at interpreter exit are closed then.

Threads and ``fork()``: a source owns one native thread (and, with ``on_event``, one Python
thread that calls it). Threads do not survive ``fork()``: start sources in the child.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import threading
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

from ._common import _OK
from .errors import StoreClosedError, _error, _last_error
from .evaluation import Problem
from .store import Store
from ._native import ffi, lib

__all__ = ["Source", "HttpSource", "FileSource", "SourceEvent", "SourceStatus"]

_log = logging.getLogger("flagcore.source")


@dataclass(frozen=True)
class SourceEvent:
    """Something that happened to a source. ``type`` is one of:

    - ``"ready"``: a config serves for the first time (``revision``; ``origin`` is
      ``"cache"`` for the on-disk copy, served until the source answers, or ``"source"``);
    - ``"updated"``: a new config serves (``revision``; ``changed``: the flag keys added,
      changed or removed; ``warnings``);
    - ``"refused"``: a config did not validate and was not loaded (``message``,
      ``problems`` with their JSON paths); the last good config serves on;
    - ``"stale"``: the source has failed for ``stale_after`` seconds (``error``,
      ``last_success``);
    - ``"recovered"``: it answers again (``revision``).
    """

    type: str
    revision: Optional[int] = None
    origin: Optional[str] = None
    changed: Tuple[str, ...] = ()
    warnings: Tuple[Problem, ...] = ()
    message: Optional[str] = None
    problems: Tuple[Problem, ...] = ()
    #: Unix seconds (float) of the last answer, for ``stale``.
    last_success: Optional[float] = None
    error: Optional[str] = None


@dataclass(frozen=True)
class SourceStatus:
    """A source's state at one moment."""

    ready: bool
    revision: Optional[int]
    #: ``"cache"``, ``"source"`` or ``"store"`` (the store it was attached to).
    origin: Optional[str]
    #: Unix seconds of the last answer (a config or "not modified"), if any.
    last_success: Optional[float]
    last_error: Optional[str]
    failures: int
    stale: bool
    #: The problems of the last refused config, until a good one is accepted.
    refused: Optional[Tuple[Problem, ...]]
    cache_error: Optional[str]
    dropped_events: int


def _problems(items: Optional[List[Mapping[str, Any]]]) -> Tuple[Problem, ...]:
    return tuple(
        Problem(severity=p["severity"], code=p["code"], path=p["path"], message=p["message"])
        for p in items or ()
    )


def _seconds(ms: Optional[int]) -> Optional[float]:
    return None if ms is None else ms / 1000.0


def _event(d: Mapping[str, Any]) -> SourceEvent:
    return SourceEvent(
        type=d["type"],
        revision=d.get("revision"),
        origin=d.get("origin"),
        changed=tuple(d.get("changed") or ()),
        warnings=_problems(d.get("warnings")),
        message=d.get("message"),
        problems=_problems(d.get("problems")),
        last_success=_seconds(d.get("lastSuccess")),
        error=d.get("error"),
    )


def _status(d: Mapping[str, Any]) -> SourceStatus:
    refused = d.get("refused")
    return SourceStatus(
        ready=d["ready"],
        revision=d.get("revision"),
        origin=d.get("origin"),
        last_success=_seconds(d.get("lastSuccess")),
        last_error=d.get("lastError"),
        failures=d.get("failures", 0),
        stale=d.get("stale", False),
        refused=None if refused is None else _problems(refused),
        cache_error=d.get("cacheError"),
        dropped_events=d.get("droppedEvents", 0),
    )


def _take_string(ptr: Any) -> Optional[str]:
    """The text of a ``flagcore_string`` (then freed); None for NULL."""
    if ptr == ffi.NULL:
        return None
    try:
        s = lib.flagcore_string_get(ptr)
        return ffi.unpack(s.ptr, s.len).decode("utf-8")
    finally:
        lib.flagcore_string_free(ptr)


class _LiveStore(Store):
    """A store that a source updates from its own thread. :class:`Store` reuses one
    snapshot until a call on the object changes the store; here the native store can
    change at any time, so a snapshot is reused only while it has the revision serving."""

    __slots__ = ()

    def _snapshot(self, h: Any) -> Any:
        rev = ffi.new("uint64_t[2]")
        lib.flagcore_store_revision(h, rev)
        view = Store._snapshot(self, h)
        lib.flagcore_snapshot_revision(view.snap, rev + 1)
        if rev[0] != rev[1]:
            self._changed()
            view = Store._snapshot(self, h)
        return view


def _ms(seconds: float, what: str) -> float:
    if seconds is None or seconds < 0:
        raise ValueError(f"{what} must be a number of seconds >= 0")
    return float(seconds) * 1000.0


_open: "weakref.WeakSet[Source]" = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for source in list(_open):
        source.close()


class Source:
    """A running config source (see :class:`HttpSource` and :class:`FileSource`)."""

    def __init__(
        self,
        kind: str,
        location: str,
        options: Dict[str, Any],
        store: Optional[Store],
        on_event: Optional[Callable[[SourceEvent], None]],
    ) -> None:
        self._lock = threading.Lock()
        self._store: Optional[Store] = None
        self._closed = False
        self._final_status: Optional[SourceStatus] = None
        self._on_event = on_event
        self._thread: Optional[threading.Thread] = None
        loc = location.encode("utf-8")
        opts = json.dumps(options).encode("utf-8")
        out = ffi.new("flagcore_source **")
        native = lib.flagcore_source_new_http if kind == "http" else lib.flagcore_source_new_file
        store_h = ffi.NULL
        if store is not None:
            store_h = store._handle()
            if type(store) is Store:
                # The native store now changes under the object: reuse snapshots only while
                # they serve the current revision (same layout, so the class can change).
                store.__class__ = _LiveStore
            self._store = store
        rc = native(loc, len(loc), opts, len(opts), store_h, out)
        if rc != _OK:
            raise _error(rc, _last_error())
        self._h: Any = ffi.gc(out[0], lib.flagcore_source_free)
        _open.add(self)
        if on_event is not None:
            self._thread = threading.Thread(
                target=self._dispatch, name=f"flagcore-source-events ({location})", daemon=True
            )
            self._thread.start()

    # -- the store --------------------------------------------------------------------

    @property
    def store(self) -> Optional[Store]:
        """The store the source keeps up to date, or None while no config serves yet.
        Always the same object."""
        with self._lock:
            if self._store is not None:
                return self._store
            h = self._handle()
            out = ffi.new("flagcore_store **")
            rc = lib.flagcore_source_store(h, out)
            if rc != _OK:
                raise _error(rc, _last_error())
            if out[0] == ffi.NULL:
                return None
            store = Store.__new__(_LiveStore)
            store._h = ffi.gc(out[0], lib.flagcore_store_free)
            store._gen = 0
            store._view = None
            self._store = store
            return store

    def wait_ready(self, timeout: Optional[float] = None) -> Store:
        """Waits up to ``timeout`` seconds (None: forever) for a config to serve and returns
        the store. Raises :class:`TimeoutError` with the reason (no answer, a failure, a
        refused config) when none does."""
        h = self._handle()
        ready = ffi.new("bool *")
        remaining = float("inf") if timeout is None else max(0.0, timeout)
        while True:
            step = min(remaining, 3600.0)
            lib.flagcore_source_wait_ready(h, int(step * 1000), ready)
            remaining -= step
            if ready[0] or remaining <= 0:
                break
        store = self.store
        if store is None:
            status = self.status
            why = (
                "its config was refused: " + "; ".join(f"{p.path}: {p.message}" for p in status.refused)
                if status.refused
                else status.last_error or "no answer yet"
            )
            raise TimeoutError(f"flagcore source: no config serves after {timeout} s ({why})")
        return store

    # -- state and events -------------------------------------------------------------

    @property
    def status(self) -> SourceStatus:
        """The source's state now (after ``close()``: its state when it closed)."""
        final = self._final_status
        if final is not None:
            return final
        return self._read_status(self._handle())

    @staticmethod
    def _read_status(h: Any) -> SourceStatus:
        out = ffi.new("flagcore_string **")
        rc = lib.flagcore_source_status(h, out)
        if rc != _OK:
            raise _error(rc, _last_error())
        return _status(json.loads(_take_string(out[0]) or "{}"))

    def next_event(self, timeout: float = 0.0) -> Optional[SourceEvent]:
        """The next event, waiting up to ``timeout`` seconds; None if there is none. Not
        available when ``on_event`` was given (the callback receives every event)."""
        if self._on_event is not None:
            raise RuntimeError("this source delivers its events to on_event")
        return self._next(self._handle(), timeout)

    @staticmethod
    def _next(h: Any, timeout: float) -> Optional[SourceEvent]:
        out = ffi.new("flagcore_string **")
        rc = lib.flagcore_source_next_event(h, int(max(0.0, timeout) * 1000), out)
        if rc != _OK:
            raise _error(rc, _last_error())
        text = _take_string(out[0])
        return None if text is None else _event(json.loads(text))

    def _dispatch(self) -> None:
        h = self._h
        callback = self._on_event
        assert callback is not None
        while True:
            event = self._next(h, 0.5)
            if event is None:
                if self._closed:
                    return
                continue
            try:
                callback(event)
            except Exception:  # a failing callback must not stop the events
                _log.exception("flagcore source: on_event raised")

    def refresh(self) -> None:
        """Checks the source now instead of at the next interval."""
        lib.flagcore_source_refresh(self._handle())

    # -- lifecycle --------------------------------------------------------------------

    def _handle(self) -> Any:
        h = getattr(self, "_h", None)
        if h is None or self._closed:
            raise StoreClosedError("source is closed")
        return h

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Stops the native thread and the event thread and waits for both (a request in
        flight ends within its timeout). Idempotent. The store keeps serving its last
        config."""
        with self._lock:
            if self._closed or getattr(self, "_h", None) is None:
                return
            h = self._h
            lib.flagcore_source_close(h)  # the GIL is released while it waits
            self._final_status = self._read_status(h)
            self._closed = True
        _open.discard(self)
        self._h = None
        thread = self._thread
        if thread is threading.current_thread():
            return  # close() from on_event: the event thread frees the handle as it ends
        if thread is not None:
            thread.join()
        ffi.release(h)

    def __enter__(self) -> "Source":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<{type(self).__name__} {state}>"


class HttpSource(Source):
    """Polls ``url`` (http or https) for the config, on a thread inside the library.

    ``interval`` seconds between requests (spread by ``jitter``, a fraction), ``timeout``
    per request, retries backing off exponentially up to ``max_backoff`` while it fails,
    ``stale`` reported after ``stale_after`` seconds of failures. Requests are conditional
    (If-None-Match / If-Modified-Since): an unchanged config costs a 304. ``headers`` are
    sent with every request (an auth token). ``cache_path`` keeps a copy of the last good
    config (written atomically) and serves it at start while the server is down.

    ``store``: update this store (it serves its own config until the source delivers;
    the on-disk copy is not read). Without it, :attr:`store` is created from the on-disk
    copy or the first good config. ``on_event`` is called with every :class:`SourceEvent`
    on a thread of the source's own.
    """

    def __init__(
        self,
        url: str,
        *,
        interval: float = 30.0,
        jitter: float = 0.1,
        timeout: float = 10.0,
        max_backoff: float = 120.0,
        stale_after: float = 120.0,
        headers: Optional[Mapping[str, str]] = None,
        cache_path: Optional[Union[str, "os.PathLike[str]"]] = None,
        store: Optional[Store] = None,
        on_event: Optional[Callable[[SourceEvent], None]] = None,
    ) -> None:
        options: Dict[str, Any] = {
            "intervalMs": _ms(interval, "interval"),
            "jitter": float(jitter),
            "timeoutMs": _ms(timeout, "timeout"),
            "maxBackoffMs": _ms(max_backoff, "max_backoff"),
            "staleAfterMs": _ms(stale_after, "stale_after"),
        }
        if headers:
            options["headers"] = {str(k): str(v) for k, v in headers.items()}
        if cache_path is not None:
            options["cachePath"] = os.fspath(cache_path)
        super().__init__("http", url, options, store, on_event)


class FileSource(Source):
    """Watches the config file at ``path`` (its directory, so editors' renames and
    Kubernetes ConfigMap updates are seen) on a thread inside the library. A change is read
    once the file has not changed for ``debounce`` seconds and two reads agree, so a
    half-written file is never loaded; the file is also re-read every ``poll`` seconds. A
    good file serves when the constructor returns. Other arguments as for
    :class:`HttpSource`."""

    def __init__(
        self,
        path: Union[str, "os.PathLike[str]"],
        *,
        debounce: float = 0.1,
        poll: float = 5.0,
        stale_after: float = 120.0,
        cache_path: Optional[Union[str, "os.PathLike[str]"]] = None,
        store: Optional[Store] = None,
        on_event: Optional[Callable[[SourceEvent], None]] = None,
    ) -> None:
        options: Dict[str, Any] = {
            "debounceMs": _ms(debounce, "debounce"),
            "pollMs": _ms(poll, "poll"),
            "staleAfterMs": _ms(stale_after, "stale_after"),
        }
        if cache_path is not None:
            options["cachePath"] = os.fspath(cache_path)
        super().__init__("file", os.fspath(path), options, store, on_event)
