"""The exceptions, one per failure family, each with the ``code`` of the core's one table."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ._native import ffi, lib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: evaluation imports this module's helpers
    from .evaluation import Problem


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
    lib.FLAGCORE_RESULT_NOT_INITIALIZED: FlagcoreError,
}


def _error(rc: int, message: str, plan: bool = False) -> FlagcoreError:
    """The exception for result code ``rc``, with its table name as ``code``. Rollout-plan
    calls raise :class:`PlanError` for store codes too (``OVERRIDDEN``, ``UNKNOWN_FLAG``)."""
    cls = PlanError if plan else _ERROR_CLASSES.get(rc, FlagcoreError)
    if cls is ConfigError:
        return ConfigError(message, [])
    return cls(message, _result_name(rc))



def _last_error(fn: Any = None, handle: Any = None) -> str:
    """The message of the last failed call on this thread (the C ABI keeps it per thread:
    another thread's failure cannot overwrite it)."""
    n = lib.flagcore_last_error(ffi.NULL, 0)
    buf = ffi.new("char[]", n + 1)
    lib.flagcore_last_error(buf, n + 1)
    return ffi.string(buf).decode("utf-8", "replace")
