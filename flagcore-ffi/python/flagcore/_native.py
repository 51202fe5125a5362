"""Loads the flagcore shared library from this package's directory (cffi, ABI mode).

The declarations in ``_cdef.h`` are ``include/flagcore.h`` run through the C
preprocessor; ``scripts/test-ffi`` regenerates them and fails when they drift. cffi
releases the GIL for the duration of every call into the library.
"""

from __future__ import annotations

import os
import sys

from cffi import FFI

_HERE = os.path.dirname(os.path.abspath(__file__))


def _library_path() -> str:
    """The shared library installed next to this file (never copied elsewhere)."""
    if sys.platform == "win32":
        suffixes = (".pyd", ".dll")
    elif sys.platform == "darwin":
        suffixes = (".so", ".dylib")
    else:
        suffixes = (".so",)
    for name in sorted(os.listdir(_HERE)):
        if name.startswith("_flagcore_ffi") and name.endswith(suffixes):
            return os.path.join(_HERE, name)
    raise ImportError(
        f"flagcore: no shared library _flagcore_ffi* in {_HERE}; "
        "install the package with pip so that it is built"
    )


ffi = FFI()
with open(os.path.join(_HERE, "_cdef.h"), encoding="utf-8") as _f:
    ffi.cdef(_f.read())
lib = ffi.dlopen(_library_path())

__all__ = ["ffi", "lib"]
