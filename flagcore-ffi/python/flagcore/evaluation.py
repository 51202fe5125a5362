"""What an evaluation returns: reasons, error codes, ``Evaluation``, problems, and ``evaluate_all``'s mapping."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

from ._native import ffi, lib
from ._common import (  # noqa: F401
    _NONE,
    _OK,
    _number,
    _text,
    bucket,
)


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
