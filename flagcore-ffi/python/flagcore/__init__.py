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
milliseconds, or a timezone-aware datetime). No time given means now, as in every flagcore
binding: the library reads the clock, and only when a staged rollout needs it.
``at=flagcore.UNSET`` evaluates without a time (a staged rollout then answers an error).

Modules: ``errors`` (the exceptions, one code table), ``context`` (``Context``),
``store`` (``Store``), ``evaluation`` (results), ``plans`` (rollout-plan decisions); every
public name is importable from ``flagcore`` itself.
"""

from __future__ import annotations

from ._native import ffi, lib
from ._common import (  # noqa: F401
    BUCKETS,
    UNSET,
    bucket,
)
from .errors import (  # noqa: F401
    ConfigError,
    ContextError,
    FlagcoreError,
    InvalidInputError,
    NoHistoryError,
    PlanError,
    StoreClosedError,
    UnknownFlagError,
    UnknownVariantError,
    _ERROR_CLASSES,
    _error,
)
from .evaluation import (  # noqa: F401
    ErrorCode,
    Evaluation,
    Evaluations,
    Problem,
    Reason,
    UpdateResult,
)
from .plans import (  # noqa: F401
    Breach,
    CohortSummary,
    GuardrailCheck,
    PlanDecision,
)
from .context import (  # noqa: F401
    Context,
)
from .store import (  # noqa: F401
    Store,
)
from .flag import FlagHandle  # noqa: F401

__all__ = [
    "__version__",
    "bucket",
    "BUCKETS",
    "Store",
    "FlagHandle",
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
    "UNSET",
    "schema",
]

__version__: str = ffi.string(lib.flagcore_version()).decode("ascii")


def schema() -> str:
    """The JSON Schema (2020-12) of the config format, as text: the file this package ships
    as ``flagcore/flagcore.schema.json`` (point an editor at it, or check configs with a JSON
    Schema validator; ``flagcore validate`` checks everything the schema does and more)."""
    from importlib.resources import files

    return (files(__package__) / "flagcore.schema.json").read_text(encoding="utf-8")
