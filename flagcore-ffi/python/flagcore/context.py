"""``Context``: who a flag is evaluated for."""

from __future__ import annotations

import json
from typing import Any, Mapping, Optional, Sequence, Union

from ._native import ffi, lib
from ._common import (  # noqa: F401
    _OK,
)
from .errors import (  # noqa: F401
    ContextError,
    StoreClosedError,
    _last_error,
)


# ---------------------------------------------------------------------------------------
# Context
# ---------------------------------------------------------------------------------------

#: The most items a list attribute may hold (``FLAGCORE_MAX_LIST_ITEMS``).
MAX_LIST_ITEMS = 1024

AttributeValue = Union[str, int, float, bool, Sequence[Union[str, int, float]]]


class Context:
    """Who a flag is evaluated for: a targeting key and attributes (str, int, float, bool,
    or a list or tuple of str or of numbers: ``groups``, ``roles``, ``tags``). The
    evaluation time is not part of it: each call takes ``at``.

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
        elif isinstance(value, (list, tuple)):
            self._set_list(h, n, name, value)
        else:
            raise ContextError(
                f"context attribute {name!r} is {type(value).__name__}; "
                "attributes are str, int, float, bool, or a list or tuple of str and numbers"
            )

    def _set_list(self, h: Any, n: bytes, name: str, value: Sequence[Any]) -> None:
        if len(value) > MAX_LIST_ITEMS:
            raise ContextError(
                f"context attribute {name!r} is a list of {len(value)} items, "
                f"more than the limit of {MAX_LIST_ITEMS}"
            )
        if all(isinstance(v, str) for v in value):
            encoded = [v.encode("utf-8", "surrogatepass") for v in value]
            items = ffi.new("flagcore_str[]", max(len(encoded), 1))
            keep = []
            for i, b in enumerate(encoded):
                buf = ffi.from_buffer(b)
                keep.append(buf)
                items[i].ptr = buf
                items[i].len = len(b)
            self._check(lib.flagcore_context_set_string_list(h, n, len(n), items, len(encoded)))
            return
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            try:
                numbers = [float(v) for v in value]
            except OverflowError:
                raise ContextError(
                    f"context attribute {name!r} holds a number too large for a 64-bit float"
                ) from None
            items = ffi.new("double[]", numbers or [0.0])
            self._check(lib.flagcore_context_set_number_list(h, n, len(n), items, len(numbers)))
            return
        bad = [v for v in value if not isinstance(v, (str, int, float)) or isinstance(v, bool)]
        if bad:
            raise ContextError(
                f"context attribute {name!r} is a list holding {type(bad[0]).__name__}; "
                "lists hold str and numbers"
            )
        # Strings and numbers mixed: no typed setter; the core checks it as JSON.
        try:
            text = json.dumps(list(value), allow_nan=False)
        except ValueError:
            raise ContextError(f"context attribute {name!r} holds a number JSON cannot carry") from None
        t = text.encode("utf-8", "surrogatepass")
        self._check(lib.flagcore_context_set_json_value(h, n, len(n), t, len(t)))

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
