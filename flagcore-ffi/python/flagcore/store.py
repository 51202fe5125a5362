"""``Store``: the live flag store."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from ._native import ffi, lib
from ._common import (  # noqa: F401
    _BUFFER_TOO_SMALL,
    _INVALID_CONFIG,
    _INVALID_UTF8,
    _KEY_CACHE,
    _OK,
    _TIME_NOW,
    _UNKNOWN_FLAG,
    _is_enabled,
    _key,
    _number,
    _text,
    _time_args,
    _unpack,
    _utf8,
)
from .errors import (  # noqa: F401
    ConfigError,
    InvalidInputError,
    PlanError,
    StoreClosedError,
    _error,
    _last_error,
)
from .evaluation import (  # noqa: F401
    ErrorCode,
    Evaluation,
    Evaluations,
    Problem,
    Reason,
    UpdateResult,
    _FlagTable,
    _View,
    _evaluate_all,
    _evaluation,
    _flag_count,
    _new_uncleared,
    _problems,
    _snapshot_free,
    _store_snapshot,
)
from .plans import (  # noqa: F401
    PlanDecision,
    _json_default,
)
from .context import (  # noqa: F401
    Context,
    ContextLike,
    _context,
)
from .flag import FlagHandle, Names, _buffers, _index_out, _name, _store_variant_index


# ---------------------------------------------------------------------------------------
# Store
# ---------------------------------------------------------------------------------------


#: The largest config accepted (the core's default limit, 64 MiB).
_MAX_CONFIG_BYTES = 64 * 1024 * 1024


class Store:
    """A live flag store: the config serving now, history for rollback, overrides.

    Thread-safe. ``close()`` (or leaving a ``with`` block) releases it; calls made after
    that raise :class:`StoreClosedError`, and calls already running finish safely.
    """

    __slots__ = ("_h", "_gen", "_view", "_names", "__weakref__")

    def __init__(self, config_json: Union[str, bytes, Mapping[str, Any]]) -> None:
        self._h: Any = None
        #: Counts the changes made through this object (update, rollback, overrides, plan
        #: decisions): a snapshot taken at a generation serves until the next change.
        self._gen = 0
        self._view: Optional[_View] = None
        #: Variant names by flag, with the revision they are of (see ``variant``).
        self._names: Dict[str, Names] = {}
        if isinstance(config_json, Mapping):
            config_json = json.dumps(config_json)
        data = _utf8(config_json, "config_json")
        report = ffi.gc(lib.flagcore_report_new(), lib.flagcore_report_free)
        out = ffi.new("flagcore_store **")
        rc = lib.flagcore_store_new(data, len(data), report, out)
        if rc != _OK:
            problems = _problems(report)
            raise ConfigError(_config_message(problems), problems)
        self._h = ffi.gc(out[0], lib.flagcore_store_free)

    @classmethod
    def from_file(cls, path: Union[str, "os.PathLike[str]"]) -> "Store":
        """A store serving the config in a JSON file."""
        # Read at most the limit + 1 bytes: an endless or huge file (/dev/zero, a FIFO) is
        # refused as too_large without reading it all into memory.
        with open(path, "rb") as f:
            data = f.read(_MAX_CONFIG_BYTES + 1)
        if len(data) > _MAX_CONFIG_BYTES:
            problem = Problem(
                severity="error",
                code="too_large",
                path="$",
                message=f"config is over the limit of {_MAX_CONFIG_BYTES} bytes (reading stopped there)",
            )
            raise ConfigError(_config_message([problem]), [problem])
        return cls(data)

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
        One native call that answers with the variant's position and the revision; the
        names stay here, per flag and revision: no string crosses per call, no JSON."""
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
            i, r = _buffers.index
        except AttributeError:
            i, r = _index_out()
        while True:
            rc = _store_variant_index(h, k, len(k), ch, has, t, i, r)
            if rc != _OK:
                if rc in (_UNKNOWN_FLAG, _INVALID_UTF8):
                    return None
                self._raise(h, rc)
            names = self._names.get(flag)
            if names is not None and names[0] == r[0]:
                return names[1][i[0]]
            name = _name(self._names, flag, h, k, i[0], r[0])
            if name is not None:
                return name
            # The store moved on between the two calls: ask again.

    def flag(self, key: str) -> FlagHandle:
        """A handle on the flag ``key``, resolved once and valid across updates and
        rollbacks (see :class:`FlagHandle`): ``store.flag("key").is_enabled(ctx)``. The key need
        not exist yet."""
        return FlagHandle(self, key)

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
