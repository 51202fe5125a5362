"""The flagcore library: a cffi API-mode (compiled) extension module in this package's
directory, with the Rust engine linked into it statically.

``setup.py`` builds it at install time: cargo builds the ``flagcore-ffi`` static library,
cffi generates a C wrapper from ``_cdef.h`` (``include/flagcore.h`` run through the C
preprocessor; ``scripts/test-ffi`` fails when it drifts) and compiles it against the
header. cffi releases the GIL for the duration of every call into the library.
"""

from __future__ import annotations

import os

try:
    from . import _flagcore_cffi as _module
except ImportError as e:  # pragma: no cover - only without a built module
    raise ImportError(
        f"flagcore: the compiled module _flagcore_cffi is missing from "
        f"{os.path.dirname(os.path.abspath(__file__))} ({e}); install the package with pip "
        "(pip install ./flagcore-ffi/python) so that it is built"
    ) from e

ffi = _module.ffi
lib = _module.lib


def _library_path() -> str:
    """The file the library was loaded from (inside this package's directory)."""
    return os.path.abspath(_module.__file__ or "")


__all__ = ["ffi", "lib"]
