"""flagcore: deterministic feature-flag evaluation for Python.

The engine is the Rust ``flagcore`` crate, reached through its C ABI
(``flagcore-ffi``); this module is a thin, typed layer over it. The same user, flag and
config give the same answer here as in the web app (WASM) and in C.

Example::

    import flagcore

    with flagcore.Store.from_file("examples/speech-migration.json") as store:
        user = flagcore.Context("user-42", {"appVersion": "2.4.0"})
        if store.is_enabled("speechmatics-direct", user):
            ...
        print(store.evaluate("speech-backend-ab", user).variant)

Thread safety: a ``Store`` and a ``Context`` may be shared by any number of threads;
the GIL is released while native code runs. The library starts no threads, so it is safe
to use in a child after ``fork()``.

Time: staged rollouts depend on the evaluation time. Every call takes ``at`` (Unix
milliseconds); when it is omitted, the context's own ``at`` is used, else the current time.
"""

from __future__ import annotations

import enum
import json
import os
import time
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple, Union

from ._native import ffi, lib

__all__ = [
    "__version__",
    "bucket",
    "BUCKETS",
    "Store",
    "Context",
    "Evaluation",
    "Reason",
    "ErrorCode",
    "Problem",
    "UpdateResult",
    "FlagcoreError",
    "ConfigError",
    "ContextError",
    "StoreClosedError",
    "NoHistoryError",
    "UnknownFlagError",
    "UnknownVariantError",
    "InvalidInputError",
]

__version__: str = ffi.string(lib.flagcore_version()).decode("ascii")

#: The number of buckets: :func:`bucket` returns ``0 .. BUCKETS - 1``.
BUCKETS: int = 100_000

_OK = 0
_NULL_ARGUMENT = 1
_INVALID_UTF8 = 2
_INVALID_CONFIG = 3
_INVALID_CONTEXT = 4
_NO_HISTORY = 5
_UNKNOWN_FLAG = 6
_UNKNOWN_VARIANT = 7
_BUFFER_TOO_SMALL = 8
_NONE = 0xFFFFFFFF


# ---------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------


class FlagcoreError(Exception):
    """Base class of every error flagcore raises."""


class ConfigError(FlagcoreError, ValueError):
    """A config was refused. ``problems`` lists every problem with its JSON path; a
    store keeps serving its last good config."""

    def __init__(self, message: str, problems: "List[Problem]") -> None:
        super().__init__(message)
        self.problems: List[Problem] = problems


class ContextError(FlagcoreError, ValueError):
    """A context was refused (an attribute of an unsupported type, invalid UTF-8, ...)."""


class StoreClosedError(FlagcoreError, RuntimeError):
    """The store (or context) was used after ``close()``."""


class NoHistoryError(FlagcoreError):
    """``rollback()`` with no earlier config."""


class UnknownFlagError(FlagcoreError, KeyError):
    """An override names a flag the serving config lacks."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class UnknownVariantError(FlagcoreError, ValueError):
    """An override names a variant the flag lacks."""


class InvalidInputError(FlagcoreError, ValueError):
    """An argument the library refused (invalid UTF-8, ...)."""


# ---------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------


class Reason(enum.Enum):
    """Why a flag served what it served (stable names, as in every flagcore binding)."""

    OFF = "OFF"
    TARGETING_MATCH = "TARGETING_MATCH"
    SPLIT = "SPLIT"
    DEFAULT = "DEFAULT"
    PREREQUISITE_FAILED = "PREREQUISITE_FAILED"
    OVERRIDE = "OVERRIDE"
    ERROR = "ERROR"


class ErrorCode(enum.Enum):
    """What went wrong when the reason is ``ERROR``."""

    FLAG_NOT_FOUND = "FLAG_NOT_FOUND"
    TYPE_MISMATCH = "TYPE_MISMATCH"
    TARGETING_KEY_MISSING = "TARGETING_KEY_MISSING"
    INVALID_CONTEXT = "INVALID_CONTEXT"


_REASONS: Tuple[Reason, ...] = (
    Reason.OFF,
    Reason.TARGETING_MATCH,
    Reason.SPLIT,
    Reason.DEFAULT,
    Reason.PREREQUISITE_FAILED,
    Reason.OVERRIDE,
    Reason.ERROR,
)
_ERROR_CODES: Tuple[Optional[ErrorCode], ...] = (
    None,
    ErrorCode.FLAG_NOT_FOUND,
    ErrorCode.TYPE_MISMATCH,
    ErrorCode.TARGETING_KEY_MISSING,
    ErrorCode.INVALID_CONTEXT,
)


@dataclass(frozen=True)
class Evaluation:
    """The answer for one flag and one context, and why."""

    flag_key: str
    #: The value served (bool, str, float/int or any JSON value); None if the flag is missing.
    value: Any
    #: The variant served; None only when the flag does not exist.
    variant: Optional[str]
    reason: Reason
    #: What went wrong when ``reason`` is ``Reason.ERROR``.
    error_code: Optional[ErrorCode]
    #: The index of the rule that matched (``TARGETING_MATCH``).
    rule_index: Optional[int]
    #: The id of the rule that matched, if it has one.
    rule_id: Optional[str]
    #: The bucket (0..99_999) when a split decided.
    bucket: Optional[int]
    #: The prerequisite flag that failed (``PREREQUISITE_FAILED``).
    prerequisite: Optional[str]


@dataclass(frozen=True)
class Problem:
    """One problem found in a config."""

    #: ``"error"`` or ``"warning"``.
    severity: str
    #: The stable problem code (``wrong_type``, ``weights_sum``, ...).
    code: str
    #: A JSONPath into the config: ``$.flags["x"].default.split[1].weight``.
    path: str
    #: What is wrong and what to do.
    message: str


@dataclass(frozen=True)
class UpdateResult:
    """What an accepted update did."""

    revision: int
    warnings: List[Problem]


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------

_KEY_CACHE: Dict[str, bytes] = {}
_KEY_CACHE_MAX = 4096


def _key(s: str) -> bytes:
    """UTF-8 bytes of a flag key, cached. Lone surrogates pass through as invalid UTF-8,
    which the library refuses (so a bad key behaves like any other unknown flag)."""
    b = _KEY_CACHE.get(s)
    if b is None:
        if not isinstance(s, str):
            raise TypeError(f"flag key must be str, not {type(s).__name__}")
        b = s.encode("utf-8", "surrogatepass")
        if len(_KEY_CACHE) < _KEY_CACHE_MAX:
            _KEY_CACHE[s] = b
    return b


def _utf8(s: Union[str, bytes], what: str) -> bytes:
    if isinstance(s, str):
        return s.encode("utf-8", "surrogatepass")
    if isinstance(s, (bytes, bytearray)):
        return bytes(s)
    raise TypeError(f"{what} must be str or bytes, not {type(s).__name__}")


def _text(s: Any) -> Optional[str]:
    """A flagcore_str as str (None when absent)."""
    if s.ptr == ffi.NULL:
        return None
    return ffi.unpack(s.ptr, s.len).decode("utf-8")


def _number(v: float) -> Union[int, float]:
    """A number as flagcore writes it in JSON: integral values within 2^53 as int."""
    return int(v) if v.is_integer() and abs(v) < 9_007_199_254_740_992 else v


def _now() -> int:
    return time.time_ns() // 1_000_000


def _last_error(fn: Any, handle: Any) -> str:
    n = fn(handle, ffi.NULL, 0)
    buf = ffi.new("char[]", n + 1)
    fn(handle, buf, n + 1)
    return ffi.string(buf).decode("utf-8", "replace")


def _problems(report: Any) -> List[Problem]:
    out: List[Problem] = []
    p = ffi.new("flagcore_problem *")
    for i in range(lib.flagcore_report_len(report)):
        if lib.flagcore_report_get(report, i, p) != _OK:
            break
        out.append(
            Problem(
                severity="error" if p.severity == 0 else "warning",
                code=_text(p.code) or "",
                path=_text(p.path) or "",
                message=_text(p.message) or "",
            )
        )
    return out


def _evaluation(ev: Any, flag_key: Optional[str] = None) -> Evaluation:
    vt = ev.value_type
    if vt == 1:
        value: Any = bool(ev.bool_value)
    elif vt == 2:
        value = _text(ev.string_value)
    elif vt == 3:
        value = _number(ev.number_value)
    elif vt == 4:
        value = json.loads(ffi.unpack(ev.value_json.ptr, ev.value_json.len))
    else:
        value = None
    ri = ev.rule_index
    b = ev.bucket
    return Evaluation(
        flag_key=flag_key if flag_key is not None else (_text(ev.flag_key) or ""),
        value=value,
        variant=_text(ev.variant),
        reason=_REASONS[ev.reason] if ev.reason < len(_REASONS) else Reason.ERROR,
        error_code=_ERROR_CODES[ev.error_code] if ev.error_code < len(_ERROR_CODES) else None,
        rule_index=None if ri == _NONE else ri,
        rule_id=_text(ev.rule_id),
        bucket=None if b == _NONE else b,
        prerequisite=_text(ev.prerequisite),
    )


def bucket(salt: str, value: str) -> int:
    """The bucket (0..99_999) of ``value`` for a flag salted with ``salt``: the same
    number in every language flagcore runs in."""
    s = _utf8(salt, "salt")
    v = _utf8(value, "value")
    out = ffi.new("uint32_t *")
    rc = lib.flagcore_bucket(s, len(s), v, len(v), out)
    if rc != _OK:
        raise InvalidInputError(ffi.string(lib.flagcore_result_name(rc)).decode())
    return int(out[0])


# ---------------------------------------------------------------------------------------
# Context
# ---------------------------------------------------------------------------------------

AttributeValue = Union[str, int, float, bool]


class Context:
    """Who a flag is evaluated for: a targeting key and flat attributes (str, int, float
    or bool), optionally with its own evaluation time ``at`` (Unix ms).

    Build it once and reuse it: evaluating against a ``Context`` costs no conversion.
    A plain dict ``{"key": "user-1", "email": ...}`` is accepted wherever a context is,
    but is converted on every call.
    """

    __slots__ = ("_h", "_at", "__weakref__")

    def __init__(
        self,
        key: str = "",
        attributes: Optional[Mapping[str, AttributeValue]] = None,
        at: Optional[int] = None,
    ) -> None:
        self._h: Any = None
        k = self._encode(key, "key")
        out = ffi.new("flagcore_context **")
        rc = lib.flagcore_context_new(k, len(k), out)
        if rc != _OK:
            raise ContextError(f"context key refused: {ffi.string(lib.flagcore_result_name(rc)).decode()}")
        self._h = ffi.gc(out[0], lib.flagcore_context_free)
        self._at: Optional[int] = None
        if attributes:
            for name, value in attributes.items():
                self.set(name, value)
        if at is not None:
            self.at = at

    @staticmethod
    def _encode(s: Any, what: str) -> bytes:
        if not isinstance(s, str):
            raise ContextError(f"context {what} must be str, not {type(s).__name__}")
        return s.encode("utf-8", "surrogatepass")

    def _handle(self) -> Any:
        h = self._h
        if h is None:
            raise StoreClosedError("context is closed")
        return h

    def _check(self, rc: int) -> None:
        if rc != _OK:
            raise ContextError(_last_error(lib.flagcore_context_last_error, self._handle()))

    def set(self, name: str, value: AttributeValue) -> None:
        """Adds or replaces an attribute (the name ``key`` sets the targeting key)."""
        h = self._handle()
        n = self._encode(name, "attribute name")
        if isinstance(value, bool):
            self._check(lib.flagcore_context_set_bool(h, n, len(n), value))
        elif isinstance(value, (int, float)):
            self._check(lib.flagcore_context_set_number(h, n, len(n), float(value)))
        elif isinstance(value, str):
            v = value.encode("utf-8", "surrogatepass")
            self._check(lib.flagcore_context_set_string(h, n, len(n), v, len(v)))
        else:
            raise ContextError(
                f"context attribute {name!r} is {type(value).__name__}; "
                "attributes are str, int, float or bool"
            )

    def remove(self, name: str) -> None:
        """Removes an attribute (no error when absent)."""
        n = self._encode(name, "attribute name")
        self._check(lib.flagcore_context_remove(self._handle(), n, len(n)))

    @property
    def at(self) -> Optional[int]:
        """The context's own evaluation time in Unix milliseconds, or None."""
        return self._at

    @at.setter
    def at(self, value: Optional[int]) -> None:
        h = self._handle()
        if value is None:
            self._check(lib.flagcore_context_set_time(h, False, 0))
        else:
            self._check(lib.flagcore_context_set_time(h, True, int(value)))
        self._at = value

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], at: Optional[int] = None) -> "Context":
        """A context from ``{"key": "user-1", "email": ..., ...}`` (None values skipped)."""
        key = data.get("key", "")
        if key is None:
            key = ""
        attrs = {k: v for k, v in data.items() if k != "key" and v is not None}
        return cls(key, attrs, at=at)

    def close(self) -> None:
        """Frees the native context now (it is also freed when garbage-collected)."""
        self._h = None

    def __enter__(self) -> "Context":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


ContextLike = Union[Context, Mapping[str, Any]]


def _context(ctx: Any) -> Context:
    if type(ctx) is Context:
        return ctx
    if isinstance(ctx, Context):
        return ctx
    if isinstance(ctx, Mapping):
        return Context.from_dict(ctx)
    raise TypeError(f"context must be flagcore.Context or a dict, not {type(ctx).__name__}")


# ---------------------------------------------------------------------------------------
# Store
# ---------------------------------------------------------------------------------------


class Store:
    """A live flag store: the config serving now, history for rollback, overrides.

    Thread-safe. ``close()`` (or leaving a ``with`` block) releases it; calls made after
    that raise :class:`StoreClosedError`, and calls already running finish safely.
    """

    __slots__ = ("_h", "__weakref__")

    def __init__(self, config_json: Union[str, bytes, Mapping[str, Any]]) -> None:
        self._h: Any = None
        if isinstance(config_json, Mapping):
            config_json = json.dumps(config_json)
        data = _utf8(config_json, "config_json")
        report = ffi.gc(lib.flagcore_report_new(), lib.flagcore_report_free)
        out = ffi.new("flagcore_store **")
        rc = lib.flagcore_store_new(data, len(data), report, out)
        if rc != _OK:
            if rc == _INVALID_UTF8:
                raise ConfigError("config is not valid UTF-8", [])
            problems = _problems(report)
            raise ConfigError(_config_message(problems), problems)
        self._h = ffi.gc(out[0], lib.flagcore_store_free)

    @classmethod
    def from_file(cls, path: Union[str, "os.PathLike[str]"]) -> "Store":
        """A store serving the config in a JSON file."""
        with open(path, "rb") as f:
            return cls(f.read())

    # -- lifecycle --------------------------------------------------------------------

    def close(self) -> None:
        """Releases the store. The native store is freed once no call is using it."""
        self._h = None

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called."""
        return self._h is None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _handle(self) -> Any:
        h = self._h
        if h is None:
            raise StoreClosedError("store is closed")
        return h

    def _raise(self, h: Any, rc: int) -> None:
        message = _last_error(lib.flagcore_store_last_error, h)
        if rc == _NO_HISTORY:
            raise NoHistoryError(message)
        if rc == _UNKNOWN_FLAG:
            raise UnknownFlagError(message)
        if rc == _UNKNOWN_VARIANT:
            raise UnknownVariantError(message)
        raise InvalidInputError(message)

    # -- evaluation -------------------------------------------------------------------

    def is_enabled(self, flag: str, ctx: ContextLike, *, at: Optional[int] = None) -> bool:
        """Whether ``flag`` serves ``True`` for ``ctx``; False for any error (unknown
        flag, not a boolean flag, ...). The fast path: one native call, no JSON."""
        h = self._h
        if h is None:
            raise StoreClosedError("store is closed")
        k = _KEY_CACHE.get(flag) or _key(flag)
        c = ctx if type(ctx) is Context else _context(ctx)
        ch = c._h
        if ch is None:
            raise StoreClosedError("context is closed")
        if at is None:
            if c._at is None:
                return lib.flagcore_store_is_enabled(h, k, len(k), ch, True, time.time_ns() // 1_000_000)
            return lib.flagcore_store_is_enabled(h, k, len(k), ch, False, 0)
        return lib.flagcore_store_is_enabled(h, k, len(k), ch, True, at)

    def _time(self, c: Context, at: Optional[int]) -> Tuple[bool, int]:
        if at is not None:
            return True, int(at)
        if c._at is not None:
            return False, 0
        return True, _now()

    def variant(self, flag: str, ctx: ContextLike, *, at: Optional[int] = None) -> Optional[str]:
        """The variant ``flag`` serves for ``ctx``; None when the flag does not exist."""
        h = self._handle()
        k = _key(flag)
        c = _context(ctx)
        has, t = self._time(c, at)
        buf = ffi.new("char[]", 128)
        n = ffi.new("size_t *")
        rc = lib.flagcore_store_variant(h, k, len(k), c._handle(), has, t, buf, 128, n)
        if rc == _BUFFER_TOO_SMALL:
            size = n[0]
            buf = ffi.new("char[]", size + 1)
            rc = lib.flagcore_store_variant(h, k, len(k), c._handle(), has, t, buf, size + 1, n)
        if rc == _OK:
            return ffi.unpack(buf, n[0]).decode("utf-8")
        if rc in (_UNKNOWN_FLAG, _INVALID_UTF8):
            return None
        self._raise(h, rc)
        return None

    def get_bool(self, flag: str, ctx: ContextLike, default: bool, *, at: Optional[int] = None) -> bool:
        """A boolean flag's value, or ``default`` on any error or type mismatch."""
        h = self._handle()
        k = _key(flag)
        c = _context(ctx)
        has, t = self._time(c, at)
        out = ffi.new("bool *")
        rc = lib.flagcore_store_get_bool(h, k, len(k), c._handle(), has, t, bool(default), out)
        return bool(out[0]) if rc == _OK else bool(default)

    def get_number(
        self, flag: str, ctx: ContextLike, default: float, *, at: Optional[int] = None
    ) -> Union[int, float]:
        """A number flag's value, or ``default`` on any error or type mismatch."""
        h = self._handle()
        k = _key(flag)
        c = _context(ctx)
        has, t = self._time(c, at)
        out = ffi.new("double *")
        rc = lib.flagcore_store_get_number(h, k, len(k), c._handle(), has, t, float(default), out)
        if rc != _OK:
            return default
        return _number(out[0])

    def _typed(self, flag: str, ctx: ContextLike, want: int, at: Optional[int]) -> Evaluation:
        h = self._handle()
        k = _key(flag)
        c = _context(ctx)
        has, t = self._time(c, at)
        snap = ffi.new("flagcore_snapshot **")
        rc = lib.flagcore_store_snapshot(h, snap)
        if rc != _OK:
            self._raise(h, rc)
        s = snap[0]
        try:
            ev = ffi.new("flagcore_evaluation *")
            rc = lib.flagcore_snapshot_evaluate(s, k, len(k), c._handle(), has, t, want, ev)
            if rc == _INVALID_UTF8:
                return Evaluation(flag, None, None, Reason.ERROR, ErrorCode.FLAG_NOT_FOUND, None, None, None, None)
            if rc != _OK:
                raise InvalidInputError(_last_error(lib.flagcore_snapshot_last_error, s))
            return _evaluation(ev[0], flag)
        finally:
            lib.flagcore_snapshot_free(s)

    def get_str(self, flag: str, ctx: ContextLike, default: str, *, at: Optional[int] = None) -> str:
        """A string flag's value, or ``default`` on any error or type mismatch."""
        e = self._typed(flag, ctx, 2, at)
        return default if e.reason is Reason.ERROR else e.value

    def get_json(self, flag: str, ctx: ContextLike, default: Any, *, at: Optional[int] = None) -> Any:
        """A JSON flag's value (parsed), or ``default`` on any error or type mismatch."""
        e = self._typed(flag, ctx, 4, at)
        return default if e.reason is Reason.ERROR else e.value

    def evaluate(self, flag: str, ctx: ContextLike, *, at: Optional[int] = None) -> Evaluation:
        """The full evaluation: value, variant, reason, rule, bucket, prerequisite. An
        unknown flag is an evaluation with ``ErrorCode.FLAG_NOT_FOUND``, not an exception."""
        return self._typed(flag, ctx, 0, at)

    def evaluate_all(self, ctx: ContextLike, *, at: Optional[int] = None) -> Dict[str, Evaluation]:
        """Every flag for ``ctx``, by key, in config order."""
        h = self._handle()
        c = _context(ctx)
        has, t = self._time(c, at)
        snap = ffi.new("flagcore_snapshot **")
        rc = lib.flagcore_store_snapshot(h, snap)
        if rc != _OK:
            self._raise(h, rc)
        s = snap[0]
        try:
            count = ffi.new("size_t *")
            lib.flagcore_snapshot_flag_count(s, count)
            n = count[0]
            evs = ffi.new("flagcore_evaluation[]", max(n, 1))
            rc = lib.flagcore_snapshot_evaluate_all(s, c._handle(), has, t, evs, n, count)
            if rc != _OK:
                raise InvalidInputError(_last_error(lib.flagcore_snapshot_last_error, s))
            out: Dict[str, Evaluation] = {}
            for i in range(count[0]):
                e = _evaluation(evs[i])
                out[e.flag_key] = e
            return out
        finally:
            lib.flagcore_snapshot_free(s)

    # -- changes ----------------------------------------------------------------------

    def update(self, config_json: Union[str, bytes, Mapping[str, Any]]) -> UpdateResult:
        """Replaces the config atomically. Raises :class:`ConfigError` with every problem
        when it is refused; the last good config keeps serving."""
        h = self._handle()
        if isinstance(config_json, Mapping):
            config_json = json.dumps(config_json)
        data = _utf8(config_json, "config_json")
        report = ffi.gc(lib.flagcore_report_new(), lib.flagcore_report_free)
        rev = ffi.new("uint64_t *")
        rc = lib.flagcore_store_update(h, data, len(data), report, rev)
        if rc == _OK:
            return UpdateResult(revision=int(rev[0]), warnings=_problems(report))
        if rc == _INVALID_CONFIG:
            problems = _problems(report)
            raise ConfigError(_config_message(problems), problems)
        if rc == _INVALID_UTF8:
            raise ConfigError("config is not valid UTF-8", [])
        self._raise(h, rc)
        raise AssertionError("unreachable")

    def rollback(self) -> int:
        """Goes back to the previous config; returns the revision now serving."""
        h = self._handle()
        rev = ffi.new("uint64_t *")
        rc = lib.flagcore_store_rollback(h, rev)
        if rc != _OK:
            self._raise(h, rc)
        return int(rev[0])

    @property
    def revision(self) -> int:
        """The revision serving now (1 for the first config)."""
        h = self._handle()
        rev = ffi.new("uint64_t *")
        lib.flagcore_store_revision(h, rev)
        return int(rev[0])

    def set_override(self, flag: str, *, kill: bool = False, variant: Optional[str] = None) -> None:
        """Kills ``flag`` (``kill=True``: its off variant for everyone) or forces
        ``variant`` for everyone, until :meth:`clear_override`."""
        if kill == (variant is not None):
            raise ValueError("set_override takes exactly one of kill=True or variant=...")
        h = self._handle()
        k = _utf8(flag, "flag")
        if kill:
            rc = lib.flagcore_store_set_override_kill(h, k, len(k))
        else:
            v = _utf8(variant, "variant")  # type: ignore[arg-type]
            rc = lib.flagcore_store_set_override_variant(h, k, len(k), v, len(v))
        if rc != _OK:
            self._raise(h, rc)

    def clear_override(self, flag: str) -> bool:
        """Clears the override of ``flag``; returns whether there was one."""
        h = self._handle()
        k = _utf8(flag, "flag")
        had = ffi.new("bool *")
        rc = lib.flagcore_store_clear_override(h, k, len(k), had)
        if rc != _OK:
            self._raise(h, rc)
        return bool(had[0])


def _config_message(problems: List[Problem]) -> str:
    errors = [p for p in problems if p.severity == "error"]
    lines = [f"config refused: {len(errors)} error{'s' if len(errors) != 1 else ''}"]
    lines += [f"  {p.severity}[{p.code}] {p.path}: {p.message}" for p in problems]
    return "\n".join(lines)

