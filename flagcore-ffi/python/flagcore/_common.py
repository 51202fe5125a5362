"""Shared constants and helpers: result codes, evaluation time arguments, key and text encoding."""

from __future__ import annotations

import threading
from typing import Any, Dict, Optional, Tuple, Union

from ._native import ffi, lib
from .errors import (  # noqa: F401
    InvalidInputError,
)


#: The number of buckets: :func:`bucket` returns ``0 .. BUCKETS - 1``.
BUCKETS: int = 100_000

# The result codes: the C enum's constants, which come from the core's one code table.
_OK = lib.FLAGCORE_RESULT_OK
_INVALID_UTF8 = lib.FLAGCORE_RESULT_INVALID_UTF8
_INVALID_CONFIG = lib.FLAGCORE_RESULT_INVALID_CONFIG
_NO_HISTORY = lib.FLAGCORE_RESULT_NO_HISTORY
_UNKNOWN_FLAG = lib.FLAGCORE_RESULT_UNKNOWN_FLAG
_UNKNOWN_VARIANT = lib.FLAGCORE_RESULT_UNKNOWN_VARIANT
_BUFFER_TOO_SMALL = lib.FLAGCORE_RESULT_BUFFER_TOO_SMALL
_NONE = 0xFFFFFFFF

# The evaluation time of a call (``flagcore_time``): ``at`` omitted means now.
_TIME_NOW = lib.FLAGCORE_TIME_NOW
_TIME_AT = lib.FLAGCORE_TIME_AT
_TIME_UNSET = lib.FLAGCORE_TIME_UNSET
_I64_MIN = -(2**63)
_I64_MAX = 2**63 - 1


class _Unset:
    """The type of :data:`UNSET`."""

    _instance: "Optional[_Unset]" = None

    def __new__(cls) -> "_Unset":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "flagcore.UNSET"


#: Pass ``at=flagcore.UNSET`` to evaluate without any time: a time-staged rollout then
#: answers an error (``INVALID_CONTEXT``) and the caller's default. ``at`` omitted (or
#: ``None``) means now, as in every flagcore binding.
UNSET: Any = _Unset()


def _time_args(at: Any) -> Tuple[int, int]:
    """(flagcore_time, at_millis) for an ``at`` argument."""
    if at is None:
        return _TIME_NOW, 0
    if at is UNSET:
        return _TIME_UNSET, 0
    if type(at) is int:
        if _I64_MIN <= at <= _I64_MAX:
            return _TIME_AT, at
        raise InvalidInputError(f"at={at} is outside the signed 64-bit range of Unix milliseconds")
    import datetime as _dt

    if isinstance(at, _dt.datetime):
        if at.tzinfo is None:
            raise InvalidInputError("at: a datetime must be timezone-aware")
        return _time_args(int(at.timestamp() * 1000))
    raise InvalidInputError(
        f"at must be Unix milliseconds (an int), a timezone-aware datetime, None (now) or "
        f"flagcore.UNSET, not {type(at).__name__} {at!r}"
    )

# Bound once: an attribute lookup on ``lib`` per call is measurable on the hot path.
_is_enabled = lib.flagcore_store_is_enabled
_unpack = ffi.unpack

# Per thread (cffi releases the GIL during a call, so threads must not share them): the
# out-parameters of the hot calls, allocated once per thread instead of on every call.
_buffers = threading.local()

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
