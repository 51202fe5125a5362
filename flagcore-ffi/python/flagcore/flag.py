"""``FlagHandle``: one flag of a store, resolved once (``Store.flag(key)``), and the variant names
the ``variant`` calls keep per config revision."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

from ._native import ffi, lib
from ._common import _OK, _TIME_NOW, _buffers, _key, _time_args, _unpack
from .context import Context, ContextLike, _context
from .errors import StoreClosedError

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

# Bound once: an attribute lookup on ``lib`` per call is measurable on the hot path.
_flag_is_enabled = lib.flagcore_flag_is_enabled
_flag_variant_index = lib.flagcore_flag_variant_index
_store_variant_index = lib.flagcore_store_variant_index

#: (revision, names): a flag's variant names in config order, in the config of a revision.
Names = Tuple[int, Tuple[str, ...]]

#: At most this many flags' names are kept per store (then the table starts again).
_NAMES_MAX = 4096


def _index_out() -> Tuple[Any, Any]:
    """This thread's out-parameters of the ``*_variant_index`` calls (cffi releases the GIL
    during a call, so threads must not share them), allocated once per thread."""
    try:
        return _buffers.index
    except AttributeError:
        out = _buffers.index = (ffi.new("size_t *"), ffi.new("uint64_t *"))
        return out


def _variant_names(store_h: Any, k: bytes, revision: int) -> Optional[Names]:
    """The variant names of flag ``k`` in the config of ``revision``, read from a snapshot;
    None when the store no longer serves that revision (the caller asks again)."""
    out = ffi.new("flagcore_snapshot **")
    if lib.flagcore_store_snapshot(store_h, out) != _OK:
        return None
    snap = out[0]
    try:
        rev = ffi.new("uint64_t *")
        if lib.flagcore_snapshot_revision(snap, rev) != _OK or rev[0] != revision:
            return None
        names = []
        s = ffi.new("flagcore_str *")
        while lib.flagcore_snapshot_variant_name(snap, k, len(k), len(names), s) == _OK:
            names.append(_unpack(s.ptr, s.len).decode("utf-8"))
        return revision, tuple(names)
    finally:
        lib.flagcore_snapshot_free(snap)


def _name(table: Dict[str, Names], flag: str, store_h: Any, k: bytes, index: int, revision: int) -> Optional[str]:
    """The name of variant ``index`` of ``flag`` at ``revision``: from ``table``, else read
    (and kept) from a snapshot. None when the store moved on in between."""
    names = _variant_names(store_h, k, revision)
    if names is None or index >= len(names[1]):
        return None
    if len(table) >= _NAMES_MAX:
        table.clear()
    table[flag] = names
    return names[1][index]


class FlagHandle:
    """One flag of a :class:`Store`, by key, resolved once: ``store.flag("key")``.

    Its calls skip the key lookup while the store serves the same config, and resolve the
    key again after an update or a rollback, so a handle made at startup stays right: a
    flag added later is found, one removed answers as an unknown flag does by key
    (``is_enabled`` False, ``variant`` None). Thread-safe, like the store. Calls after the
    store's ``close()`` raise :class:`StoreClosedError`.
    """

    __slots__ = ("_store", "_h", "_k", "_names", "key")

    def __init__(self, store: "Store", key: str) -> None:
        #: The flag's key.
        self.key = key
        self._store = store
        self._k = _key(key)
        #: (revision, names) of the last ``variant`` call's config.
        self._names: Optional[Names] = None
        out = ffi.new("flagcore_flag **")
        rc = lib.flagcore_store_flag(store._handle(), self._k, len(self._k), out)
        if rc != _OK:
            store._raise(store._h, rc)
        self._h = ffi.gc(out[0], lib.flagcore_flag_free)

    def __repr__(self) -> str:
        return f"FlagHandle({self.key!r})"

    def is_enabled(self, ctx: ContextLike, *, at: Any = None) -> bool:
        """Whether the flag serves ``True`` for ``ctx`` (as :meth:`Store.is_enabled`)."""
        c = ctx if type(ctx) is Context else _context(ctx)
        ch = c._h
        if ch is None or self._store._h is None:
            raise StoreClosedError("context is closed" if ch is None else "store is closed")
        if at is None:
            return _flag_is_enabled(self._h, ch, _TIME_NOW, 0)
        mode, t = _time_args(at)
        return _flag_is_enabled(self._h, ch, mode, t)

    def variant(self, ctx: ContextLike, *, at: Any = None) -> Optional[str]:
        """The variant served for ``ctx``; None when the serving config lacks the flag (as
        :meth:`Store.variant`). The native call answers with a position and the names stay
        here, per config revision: no string crosses per call."""
        c = ctx if type(ctx) is Context else _context(ctx)
        ch = c._h
        store_h = self._store._h
        if ch is None or store_h is None:
            raise StoreClosedError("context is closed" if ch is None else "store is closed")
        has, t = (_TIME_NOW, 0) if at is None else _time_args(at)
        try:
            i, r = _buffers.index
        except AttributeError:
            i, r = _index_out()
        while True:
            if _flag_variant_index(self._h, ch, has, t, i, r) != _OK:
                return None
            names = self._names
            if names is not None and names[0] == r[0]:
                return names[1][i[0]]
            table: Dict[str, Names] = {}
            name = _name(table, self.key, store_h, self._k, i[0], r[0])
            if name is not None:
                self._names = table[self.key]
                return name
            # The store moved on between the two calls: ask again.
