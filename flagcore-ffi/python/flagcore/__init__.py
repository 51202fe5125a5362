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
the GIL is released while native code runs. The library starts no threads (except the
config sources of :mod:`flagcore.source`, one each), so it is safe to use in a child after
``fork()``; start sources in the child.

Time: staged rollouts depend on the evaluation time. Every call takes ``at`` (Unix
milliseconds); when it is omitted, the context's own ``at`` is used, else the current time.
"""

from __future__ import annotations

import enum
import json
import os
import threading
import time
from dataclasses import dataclass, field
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
    "Evaluations",
    "PlanDecision",
    "Breach",
    "GuardrailCheck",
    "CohortSummary",
    "PlanError",
]

__version__: str = ffi.string(lib.flagcore_version()).decode("ascii")

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
_store_variant = lib.flagcore_store_variant
_time_ns = time.time_ns
_unpack = ffi.unpack

# Per thread (cffi releases the GIL during a call, so threads must not share them): the
# buffers ``Store.variant`` reads a name into, allocated once instead of on every call.
_VARIANT_CAPACITY = 128
_buffers = threading.local()

# Variant names seen, by their UTF-8 bytes: a hit skips the decode and the new str.
_NAME_CACHE: Dict[bytes, str] = {}
_NAME_CACHE_MAX = 4096


# ---------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------


class FlagcoreError(Exception):
    """Base class of every error flagcore raises. ``code`` is the stable name from the
    one code table every binding shares (``"OVERRIDDEN"``, ``"NO_HISTORY"``, ...)."""

    code: str = "INVALID_ARGUMENT"

    def __init__(self, message: str = "", code: Optional[str] = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class ConfigError(FlagcoreError, ValueError):
    """A config was refused. ``problems`` lists every problem with its JSON path; a
    store keeps serving its last good config."""

    code = "INVALID_CONFIG"

    def __init__(self, message: str, problems: "List[Problem]") -> None:
        super().__init__(message)
        self.problems: List[Problem] = problems


class ContextError(FlagcoreError, ValueError):
    """A context was refused (an attribute of an unsupported type, invalid UTF-8, ...)."""

    code = "INVALID_CONTEXT"


class StoreClosedError(FlagcoreError, RuntimeError):
    """The store (or context) was used after ``close()``."""

    code = "FREED"


class NoHistoryError(FlagcoreError):
    """``rollback()`` with no earlier config."""

    code = "NO_HISTORY"


class UnknownFlagError(FlagcoreError, KeyError):
    """An override names a flag the serving config lacks."""

    code = "UNKNOWN_FLAG"

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class UnknownVariantError(FlagcoreError, ValueError):
    """An override names a variant the flag lacks."""

    code = "UNKNOWN_VARIANT"


class InvalidInputError(FlagcoreError, ValueError):
    """An argument the library refused (invalid UTF-8, ...)."""


class PlanError(FlagcoreError, ValueError):
    """A rollout-plan decision could not be made or applied. ``code`` says why:
    ``"UNKNOWN_FLAG"`` (no such flag), ``"NO_PLAN"`` (the flag has no ``plan``),
    ``"INVALID_PLAN_INPUT"`` (the metrics or the decision were refused: the message says
    where), ``"MISSING_TIME"``, ``"STAGE_OUT_OF_RANGE"``, ``"UNKNOWN_STAGE"``,
    ``"INVALID_OBSERVATION"``, ``"OVERRIDDEN"`` (an override controls the flag: clear it
    before advancing), ``"STALE_DECISION"`` (decided for another stage than the one serving
    now: decide again)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code)


def _result_name(rc: int) -> str:
    """``"OVERRIDDEN"`` for ``FLAGCORE_RESULT_OVERRIDDEN``."""
    return ffi.string(lib.flagcore_result_name(rc)).decode("ascii")[len("FLAGCORE_RESULT_"):]


#: The exception class of every failure code of the C ABI (the core's one table): a
#: code missing here is a test failure (tests/test_codes.py).
_ERROR_CLASSES: Dict[int, type] = {
    lib.FLAGCORE_RESULT_NULL_ARGUMENT: InvalidInputError,
    lib.FLAGCORE_RESULT_INVALID_UTF8: InvalidInputError,
    lib.FLAGCORE_RESULT_INVALID_CONFIG: ConfigError,
    lib.FLAGCORE_RESULT_INVALID_CONTEXT: ContextError,
    lib.FLAGCORE_RESULT_NO_HISTORY: NoHistoryError,
    lib.FLAGCORE_RESULT_UNKNOWN_FLAG: UnknownFlagError,
    lib.FLAGCORE_RESULT_UNKNOWN_VARIANT: UnknownVariantError,
    lib.FLAGCORE_RESULT_BUFFER_TOO_SMALL: InvalidInputError,
    lib.FLAGCORE_RESULT_PANIC: FlagcoreError,
    lib.FLAGCORE_RESULT_INVALID_ARGUMENT: InvalidInputError,
    lib.FLAGCORE_RESULT_NO_PLAN: PlanError,
    lib.FLAGCORE_RESULT_INVALID_PLAN_INPUT: PlanError,
    lib.FLAGCORE_RESULT_OVERRIDDEN: PlanError,
    lib.FLAGCORE_RESULT_STALE_DECISION: PlanError,
    lib.FLAGCORE_RESULT_MISSING_TIME: PlanError,
    lib.FLAGCORE_RESULT_STAGE_OUT_OF_RANGE: PlanError,
    lib.FLAGCORE_RESULT_UNKNOWN_STAGE: PlanError,
    lib.FLAGCORE_RESULT_INVALID_OBSERVATION: PlanError,
    lib.FLAGCORE_RESULT_FREED: StoreClosedError,
    lib.FLAGCORE_RESULT_PLANS_NOT_INCLUDED: PlanError,
}


def _error(rc: int, message: str, plan: bool = False) -> FlagcoreError:
    """The exception for result code ``rc``, with its table name as ``code``. Rollout-plan
    calls raise :class:`PlanError` for store codes too (``OVERRIDDEN``, ``UNKNOWN_FLAG``)."""
    cls = PlanError if plan else _ERROR_CLASSES.get(rc, FlagcoreError)
    if cls is ConfigError:
        return ConfigError(message, [])
    return cls(message, _result_name(rc))


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
# Rollout plans
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Breach:
    """A guardrail's breach: what the canary showed against what limit."""

    #: The guardrail's index in the plan.
    guardrail: int
    #: Its metric (``error_rate``, ``response_time``, ...).
    metric: str
    #: ``"critical"``, ``"high"``, ``"medium"`` or ``"low"``.
    severity: str
    #: ``"rollback"`` or ``"hold"``.
    action: str
    #: The canary's value over the window: a fraction, or milliseconds.
    observed: float
    #: The limit it crossed (for relative guardrails: the ratio times the control's value).
    threshold: float
    #: The control's value over the window (relative guardrails).
    control: Optional[float]
    #: Canary observations in the window.
    samples: int
    #: The test statistic (proportion guardrails).
    z: Optional[float]
    #: The guardrail's window in milliseconds.
    window_ms: int

    @classmethod
    def _of(cls, d: Mapping[str, Any]) -> "Breach":
        return cls(
            guardrail=int(d["guardrail"]),
            metric=str(d["metric"]),
            severity=str(d["severity"]),
            action=str(d["action"]),
            observed=float(d["observed"]),
            threshold=float(d["threshold"]),
            control=None if d.get("control") is None else float(d["control"]),
            samples=int(d["samples"]),
            z=None if d.get("z") is None else float(d["z"]),
            window_ms=int(d["windowMs"]),
        )


@dataclass(frozen=True)
class CohortSummary:
    """One cohort's numbers over a guardrail's window."""

    #: Observations in the window.
    samples: int
    #: Failures among them (proportion guardrails).
    failures: Optional[int]
    #: The failure rate or the latency statistic; None without observations.
    value: Optional[float]

    @classmethod
    def _of(cls, d: Optional[Mapping[str, Any]]) -> "Optional[CohortSummary]":
        if d is None:
            return None
        return cls(samples=int(d["samples"]), failures=d.get("failures"), value=d.get("value"))


@dataclass(frozen=True)
class GuardrailCheck:
    """How one guardrail looked at the decision."""

    guardrail: int
    metric: str
    #: ``"proportion"`` or ``"latency"``.
    kind: str
    #: ``"HEALTHY"``, ``"BREACHED"`` or ``"INSUFFICIENT"`` (too few observations).
    status: str
    canary: CohortSummary
    #: The control cohort (relative guardrails).
    control: Optional[CohortSummary]
    #: The limit in force (None when a relative limit lacks control data).
    threshold: Optional[float]
    #: The test statistic (proportion guardrails).
    z: Optional[float]


def _snake(name: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name)


@dataclass(frozen=True)
class PlanDecision:
    """What a rollout plan decides (see ``docs/rollouts.md``): ``kind`` is ``"ADVANCE"``
    (to ``stage`` / ``percentage``), ``"HOLD"`` (why: ``hold_reason``) or ``"ROLL_BACK"``
    (which guardrail: ``breach``). Pass it to :meth:`Store.apply_decision` to act on it.
    """

    #: ``"ADVANCE"``, ``"HOLD"`` or ``"ROLL_BACK"``.
    kind: str
    #: ADVANCE: the stage to move to; HOLD and ROLL_BACK: the current stage.
    stage: int
    #: That stage's percentage (0 to 100).
    percentage: float
    #: Why, in one sentence.
    message: str
    #: ADVANCE: the stage the rollout was at.
    from_stage: Optional[int] = None
    #: HOLD: ``"COMPLETE"``, ``"TOO_EARLY"``, ``"TOO_FEW_EXPOSED"``, ``"TOO_FEW_SAMPLES"``
    #: or ``"BREACH"`` (a guardrail whose action is hold).
    hold_reason: Optional[str] = None
    #: HOLD: the reason's numbers, snake_case (``elapsed_ms``, ``min_duration_ms``,
    #: ``exposed``, ``required``, ``metric``, ``cohort``, ``samples``, ...).
    hold_details: Mapping[str, Any] = field(default_factory=dict)
    #: ROLL_BACK, or HOLD with reason ``"BREACH"``: the breach.
    breach: Optional[Breach] = None
    #: Every guardrail, in plan order.
    checks: Tuple[GuardrailCheck, ...] = ()
    #: The decision as the engine wrote it (JSON), what :meth:`Store.apply_decision` sends.
    raw_json: str = field(default="", repr=False)

    @property
    def advance(self) -> bool:
        """Whether the plan advances."""
        return self.kind == "ADVANCE"

    @property
    def rolled_back(self) -> bool:
        """Whether the plan rolls back."""
        return self.kind == "ROLL_BACK"

    @classmethod
    def from_json(cls, text: str) -> "PlanDecision":
        """A decision from the engine's JSON (``flagcore plan --json``, the C ABI)."""
        d = json.loads(text)
        reason = d.get("reason") or {}
        breach = d.get("breach") or reason.get("breach")
        return cls(
            kind=str(d["decision"]),
            stage=int(d["stage"]),
            percentage=d["percentage"],
            message=str(d.get("message", "")),
            from_stage=d.get("fromStage"),
            hold_reason=reason.get("code"),
            hold_details={_snake(k): v for k, v in reason.items() if k not in ("code", "breach")},
            breach=None if breach is None else Breach._of(breach),
            checks=tuple(
                GuardrailCheck(
                    guardrail=int(c["guardrail"]),
                    metric=str(c["metric"]),
                    kind=str(c["kind"]),
                    status=str(c["status"]),
                    canary=CohortSummary._of(c["canary"]),  # type: ignore[arg-type]
                    control=CohortSummary._of(c.get("control")),
                    threshold=c.get("threshold"),
                    z=c.get("z"),
                )
                for c in d.get("checks", ())
            ),
            raw_json=text,
        )


def _json_default(o: Any) -> Any:
    """Times in plan inputs may be datetimes: they become Unix milliseconds."""
    import datetime as _dt

    if isinstance(o, _dt.datetime):
        if o.tzinfo is None:
            raise TypeError("plan input datetimes must be timezone-aware")
        return int(o.timestamp() * 1000)
    raise TypeError(f"{type(o).__name__} is not JSON serializable")




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


def _last_error(fn: Any = None, handle: Any = None) -> str:
    """The message of the last failed call on this thread (the C ABI keeps it per thread:
    another thread's failure cannot overwrite it)."""
    n = lib.flagcore_last_error(ffi.NULL, 0)
    buf = ffi.new("char[]", n + 1)
    lib.flagcore_last_error(buf, n + 1)
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


_new = object.__new__


def _evaluation(ev: Any, flag_key: Optional[str] = None, table: Any = None, pos: int = 0) -> Evaluation:
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
    vi = ev.variant_index
    if table is not None and vi != _NONE:
        variant = table.variants.get((pos, vi))
        if variant is None:
            variant = table.variants[(pos, vi)] = _text(ev.variant)
    else:
        variant = _text(ev.variant)
    reason = ev.reason
    error = ev.error_code
    rule_id = ev.rule_id
    prerequisite = ev.prerequisite
    # A frozen dataclass's __init__ sets each field through object.__setattr__; filling
    # __dict__ at once builds the same object several times faster.
    e = _new(Evaluation)
    e.__dict__.update(
        flag_key=flag_key if flag_key is not None else (_text(ev.flag_key) or ""),
        value=value,
        variant=variant,
        reason=_REASONS[reason] if reason < len(_REASONS) else Reason.ERROR,
        error_code=_ERROR_CODES[error] if error < len(_ERROR_CODES) else None,
        rule_index=None if ri == _NONE else ri,
        rule_id=None if rule_id.ptr == ffi.NULL else _text(rule_id),
        bucket=None if b == _NONE else b,
        prerequisite=None if prerequisite.ptr == ffi.NULL else _text(prerequisite),
    )
    return e


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
    or bool). The evaluation time is not part of it: each call takes ``at``.

    Threads may share one context: evaluations take no lock (the native context is never
    changed by evaluating it, and ``set`` swaps in a changed copy), and a ``fork()`` while
    other threads evaluate cannot leave a lock held in the child.

    Build it once and reuse it: evaluating against a ``Context`` costs no conversion.
    A plain dict ``{"key": "user-1", "email": ...}`` is accepted wherever a context is,
    but is converted on every call.
    """

    __slots__ = ("_h", "__weakref__")

    def __init__(
        self,
        key: str = "",
        attributes: Optional[Mapping[str, AttributeValue]] = None,
    ) -> None:
        self._h: Any = None
        k = self._encode(key, "key")
        out = ffi.new("flagcore_context **")
        rc = lib.flagcore_context_new(k, len(k), out)
        if rc != _OK:
            raise ContextError(f"context key refused: {ffi.string(lib.flagcore_result_name(rc)).decode()}")
        self._h = ffi.gc(out[0], lib.flagcore_context_free)
        if attributes:
            for name, value in attributes.items():
                self.set(name, value)

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
            try:
                number = float(value)
            except OverflowError:
                raise ContextError(
                    f"context attribute {name!r} is {value}, too large for a number "
                    "(numbers are 64-bit floats, as in JSON)"
                ) from None
            self._check(lib.flagcore_context_set_number(h, n, len(n), number))
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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Context":
        """A context from ``{"key": "user-1", "email": ..., ...}`` (None values skipped)."""
        key = data.get("key", "")
        if key is None:
            key = ""
        attrs = {k: v for k, v in data.items() if k != "key" and v is not None}
        return cls(key, attrs)

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
# evaluate_all's result
# ---------------------------------------------------------------------------------------

_store_snapshot = lib.flagcore_store_snapshot
_snapshot_free = lib.flagcore_snapshot_free
_evaluate_all = lib.flagcore_snapshot_evaluate_all
_flag_count = lib.flagcore_snapshot_flag_count
# The evaluation array is written whole by the library before it is read: skip zeroing it.
_new_uncleared = ffi.new_allocator(should_clear_after_alloc=False)


class _FlagTable:
    """What stays the same for every ``evaluate_all`` of one config revision: the flag
    keys in config order, their positions, and the variant names seen so far."""

    __slots__ = ("keys", "count", "index", "variants")

    def __init__(self, keys: Tuple[str, ...]) -> None:
        self.keys = keys
        self.count = len(keys)
        self.index: Dict[str, int] = {k: i for i, k in enumerate(keys)}
        #: (flag position, variant index) -> variant name
        self.variants: Dict[Tuple[int, int], str] = {}


class _View:
    """A store's snapshot at one generation, and its flag table once evaluate_all needed it."""

    __slots__ = ("gen", "snap", "table")

    def __init__(self, gen: int, snap: Any) -> None:
        self.gen = gen
        self.snap = snap
        self.table: Optional[_FlagTable] = None


class Evaluations(Mapping[str, Evaluation]):
    """Every flag's :class:`Evaluation` for one context, by flag key, in config order:
    what :meth:`Store.evaluate_all` returns.

    A read-only mapping (``result[key]``, ``in``, ``len``, iteration, ``.items()``,
    ``dict(result)``, equality with a dict). The answers were all computed by one native
    call; each ``Evaluation`` object is built on first access and then reused.
    """

    __slots__ = ("_table", "_snap", "_evs", "_done")

    def __init__(self, table: _FlagTable, snap: Any, evs: Any) -> None:
        self._table = table
        self._snap = snap  # keeps the strings the evaluations borrow alive
        self._evs = evs
        self._done: Optional[List[Optional[Evaluation]]] = None

    def _at(self, i: int) -> Evaluation:
        done = self._done
        if done is None:
            done = self._done = [None] * self._table.count
        e = done[i]
        if e is None:
            e = done[i] = _evaluation(self._evs[i], self._table.keys[i], self._table, i)
        return e

    def __getitem__(self, key: str) -> Evaluation:
        i = self._table.index.get(key)
        if i is None:
            raise KeyError(key)
        return self._at(i)

    def __contains__(self, key: object) -> bool:
        return key in self._table.index

    def __iter__(self) -> Iterator[str]:
        return iter(self._table.keys)

    def __len__(self) -> int:
        return self._table.count

    def __repr__(self) -> str:
        return f"Evaluations({dict(self.items())!r})"

    def __reduce__(self) -> Any:
        # Pickles (and copies) as a plain dict: the native arrays stay in this process.
        return (dict, (dict(self.items()),))


# ---------------------------------------------------------------------------------------
# Store
# ---------------------------------------------------------------------------------------


class Store:
    """A live flag store: the config serving now, history for rollback, overrides.

    Thread-safe. ``close()`` (or leaving a ``with`` block) releases it; calls made after
    that raise :class:`StoreClosedError`, and calls already running finish safely.
    """

    __slots__ = ("_h", "_gen", "_view", "__weakref__")

    def __init__(self, config_json: Union[str, bytes, Mapping[str, Any]]) -> None:
        self._h: Any = None
        #: Counts the changes made through this object (update, rollback, overrides, plan
        #: decisions): a snapshot taken at a generation serves until the next change.
        self._gen = 0
        self._view: Optional[_View] = None
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
        self._view = None

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
        raise _error(rc, _last_error())

    # -- evaluation -------------------------------------------------------------------

    def is_enabled(self, flag: str, ctx: ContextLike, *, at: Any = None) -> bool:
        """Whether ``flag`` serves ``True`` for ``ctx``; False for any error (unknown
        flag, not a boolean flag, ...). The fast path: one native call, no JSON."""
        h = self._h
        k = _KEY_CACHE.get(flag)
        if k is None:
            k = _key(flag)
        c = ctx if type(ctx) is Context else _context(ctx)
        ch = c._h
        if h is None or ch is None:
            raise StoreClosedError("store is closed" if h is None else "context is closed")
        if at is None:
            return _is_enabled(h, k, len(k), ch, _TIME_NOW, 0)
        mode, t = _time_args(at)
        return _is_enabled(h, k, len(k), ch, mode, t)

    def _time(self, c: Context, at: Any) -> Tuple[int, int]:
        return _time_args(at)

    def variant(self, flag: str, ctx: ContextLike, *, at: Any = None) -> Optional[str]:
        """The variant ``flag`` serves for ``ctx``; None when the flag does not exist.
        One native call into a per-thread buffer, no JSON."""
        h = self._h
        k = _KEY_CACHE.get(flag)
        if k is None:
            k = _key(flag)
        c = ctx if type(ctx) is Context else _context(ctx)
        ch = c._h
        if h is None or ch is None:
            raise StoreClosedError("store is closed" if h is None else "context is closed")
        has, t = (_TIME_NOW, 0) if at is None else _time_args(at)
        try:
            buf, n = _buffers.variant
        except AttributeError:
            buf, n = _buffers.variant = (ffi.new("char[]", _VARIANT_CAPACITY), ffi.new("size_t *"))
        rc = _store_variant(h, k, len(k), ch, has, t, buf, _VARIANT_CAPACITY, n)
        if rc == _BUFFER_TOO_SMALL:
            size = n[0]
            buf = ffi.new("char[]", size + 1)
            rc = _store_variant(h, k, len(k), ch, has, t, buf, size + 1, n)
        if rc == _OK:
            raw = _unpack(buf, n[0])
            name = _NAME_CACHE.get(raw)
            if name is None:
                name = raw.decode("utf-8")
                if len(_NAME_CACHE) < _NAME_CACHE_MAX:
                    _NAME_CACHE[raw] = name
            return name
        if rc in (_UNKNOWN_FLAG, _INVALID_UTF8):
            return None
        self._raise(h, rc)
        return None

    def get_bool(self, flag: str, ctx: ContextLike, default: bool, *, at: Any = None) -> bool:
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

    def _snapshot(self, h: Any) -> "_View":
        """The snapshot of the config and overrides serving now. Only calls on this object
        change a store, and each bumps ``_gen``: a snapshot taken at the current generation
        is reused. (The generation is read before the snapshot is taken, so a snapshot is
        never older than the generation it is filed under.)"""
        gen = self._gen
        view = self._view
        if view is not None and view.gen == gen:
            return view
        out = ffi.new("flagcore_snapshot **")
        rc = _store_snapshot(h, out)
        if rc != _OK:
            self._raise(h, rc)
        view = self._view = _View(gen, ffi.gc(out[0], _snapshot_free))
        return view

    def _changed(self) -> None:
        self._gen += 1
        self._view = None

    def _typed(self, flag: str, ctx: ContextLike, want: int, at: Optional[int]) -> Evaluation:
        h = self._handle()
        k = _key(flag)
        c = _context(ctx)
        has, t = self._time(c, at)
        snap = self._snapshot(h).snap
        ev = ffi.new("flagcore_evaluation *")
        rc = lib.flagcore_snapshot_evaluate(snap, k, len(k), c._handle(), has, t, want, ev)
        if rc == _INVALID_UTF8:
            return Evaluation(flag, None, None, Reason.ERROR, ErrorCode.FLAG_NOT_FOUND, None, None, None, None)
        if rc != _OK:
            raise InvalidInputError(_last_error(lib.flagcore_snapshot_last_error, snap))
        return _evaluation(ev[0], flag)

    def get_str(self, flag: str, ctx: ContextLike, default: str, *, at: Any = None) -> str:
        """A string flag's value, or ``default`` on any error or type mismatch."""
        e = self._typed(flag, ctx, 2, at)
        return default if e.reason is Reason.ERROR else e.value

    def get_json(self, flag: str, ctx: ContextLike, default: Any, *, at: Any = None) -> Any:
        """A JSON flag's value (parsed), or ``default`` on any error or type mismatch."""
        e = self._typed(flag, ctx, 4, at)
        return default if e.reason is Reason.ERROR else e.value

    def evaluate(self, flag: str, ctx: ContextLike, *, at: Any = None) -> Evaluation:
        """The full evaluation: value, variant, reason, rule, bucket, prerequisite. An
        unknown flag is an evaluation with ``ErrorCode.FLAG_NOT_FOUND``, not an exception."""
        return self._typed(flag, ctx, 0, at)

    def evaluate_all(self, ctx: ContextLike, *, at: Any = None) -> "Evaluations":
        """Every flag for ``ctx``, by key, in config order: a read-only mapping of flag key
        to :class:`Evaluation` (``dict(result)`` makes a plain dict).

        One native call fills an array with every flag's answer; an ``Evaluation`` is built
        only when you look a flag up (then cached), so the call itself costs about as much
        as the native evaluation. The result keeps the config it was computed from alive
        until it is dropped: keep the answers, not the result, for long."""
        h = self._h
        if h is None:
            raise StoreClosedError("store is closed")
        c = ctx if type(ctx) is Context else _context(ctx)
        ch = c._h
        if ch is None:
            raise StoreClosedError("context is closed")
        has, t = (_TIME_NOW, 0) if at is None else _time_args(at)
        view = self._snapshot(h)
        snap = view.snap
        table = view.table
        if table is None:
            count = ffi.new("size_t *")
            _flag_count(snap, count)
            cap = count[0]
        else:
            cap = table.count
        evs = _new_uncleared("flagcore_evaluation[]", cap or 1)
        n = ffi.new("size_t *")
        rc = _evaluate_all(snap, ch, has, t, evs, cap, n)
        if rc != _OK:
            raise InvalidInputError(_last_error(lib.flagcore_snapshot_last_error, snap))
        if table is None:
            table = view.table = _FlagTable(tuple(_text(evs[i].flag_key) or "" for i in range(cap)))
        return Evaluations(table, snap, evs)

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
            self._changed()
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
        self._changed()
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
        self._changed()

    def clear_override(self, flag: str) -> bool:
        """Clears the override of ``flag``; returns whether there was one."""
        h = self._handle()
        k = _utf8(flag, "flag")
        had = ffi.new("bool *")
        rc = lib.flagcore_store_clear_override(h, k, len(k), had)
        if rc != _OK:
            self._raise(h, rc)
        self._changed()
        return bool(had[0])

    # -- rollout plans ----------------------------------------------------------------

    def decide_plan(
        self,
        flag: str,
        metrics: Union[Mapping[str, Any], str, bytes],
        *,
        at: Optional[int] = None,
        stage: Optional[int] = None,
    ) -> PlanDecision:
        """Decides the next step of ``flag``'s rollout plan from metrics, against the
        config serving now (see ``docs/rollouts.md``). Changes nothing: act on the answer
        with :meth:`apply_decision`.

        ``metrics`` is the plan input, a dict or its JSON::

            {"stageStartedAt": 1795424400000,   # Unix ms, RFC 3339 or an aware datetime
             "exposed": 1200,                    # users who saw the canary this stage
             "samples": [{"at": ..., "canary": {"error_rate": {"count": 200, "failures": 3},
                                                "response_time": {"count": 200, "p95": 900}},
                          "control": {...}}]}

        ``stage`` (the current stage's index) replaces the input's; without either, the
        stage whose percentage the flag serves now is used. ``at`` (Unix ms) is the time of
        the decision; without it, the input's ``"now"``, else the current time.
        Raises :class:`PlanError`.
        """
        h = self._handle()
        if isinstance(metrics, (str, bytes, bytearray)):
            try:
                doc = json.loads(metrics)
            except ValueError as e:
                raise PlanError(f"invalid plan input: {e}", "INVALID_PLAN_INPUT") from e
            if not isinstance(doc, dict):
                raise PlanError("invalid plan input: not a JSON object", "INVALID_PLAN_INPUT")
        elif isinstance(metrics, Mapping):
            doc = dict(metrics)
        else:
            raise TypeError(f"metrics must be a dict or JSON text, not {type(metrics).__name__}")
        if stage is not None:
            doc["stage"] = int(stage)
        # Now (at omitted): the input's "now" when it has one, else the clock.
        has, t = _time_args(at)
        try:
            data = json.dumps(doc, default=_json_default).encode("utf-8", "surrogatepass")
        except (TypeError, ValueError) as e:
            raise PlanError(f"invalid plan input: {e}", "INVALID_PLAN_INPUT") from e
        k = _utf8(flag, "flag")
        out = ffi.new("flagcore_string **")
        rc = lib.flagcore_store_plan_decide(h, k, len(k), data, len(data), has, t, out)
        if rc != _OK:
            self._raise_plan(h, rc)
        text = ffi.gc(out[0], lib.flagcore_string_free)
        view = lib.flagcore_string_get(text)
        return PlanDecision.from_json(ffi.unpack(view.ptr, view.len).decode("utf-8"))

    def apply_decision(self, flag: str, decision: Union[PlanDecision, Mapping[str, Any], str]) -> int:
        """Acts on a plan decision in one call and returns the revision serving
        afterwards: ADVANCE publishes a new revision serving the plan's variant to the
        decision's percentage (:meth:`rollback` undoes it); ROLL_BACK kills the flag (an
        override: :meth:`clear_override` resumes the stage); HOLD changes nothing.
        Raises :class:`PlanError` (``code`` ``"OVERRIDDEN"`` when an override controls the
        flag, ``"NO_PLAN"``, ``"UNKNOWN_FLAG"``, ``"INVALID_PLAN_INPUT"``)."""
        h = self._handle()
        if isinstance(decision, PlanDecision):
            text = decision.raw_json
        elif isinstance(decision, Mapping):
            text = json.dumps(dict(decision))
        elif isinstance(decision, str):
            text = decision
        else:
            raise TypeError(f"decision must be a PlanDecision, dict or JSON, not {type(decision).__name__}")
        k = _utf8(flag, "flag")
        data = text.encode("utf-8", "surrogatepass")
        rev = ffi.new("uint64_t *")
        rc = lib.flagcore_store_apply_decision(h, k, len(k), data, len(data), rev)
        if rc != _OK:
            self._raise_plan(h, rc)
        self._changed()
        return int(rev[0])

    def _raise_plan(self, h: Any, rc: int) -> None:
        raise _error(rc, _last_error(), plan=True)


def _config_message(problems: List[Problem]) -> str:
    errors = [p for p in problems if p.severity == "error"]
    lines = [f"config refused: {len(errors)} error{'s' if len(errors) != 1 else ''}"]
    lines += [f"  {p.severity}[{p.code}] {p.path}: {p.message}" for p in problems]
    return "\n".join(lines)

