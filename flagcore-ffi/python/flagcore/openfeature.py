"""flagcore behind OpenFeature: a provider for the ``openfeature-sdk`` package.

Install with ``pip install "flagcore[openfeature]"`` (or ``openfeature-sdk`` next to
``flagcore``)::

    from openfeature import api
    from flagcore.openfeature import FlagcoreProvider

    api.set_provider(FlagcoreProvider.from_file("flags.json"))
    client = api.get_client()
    ctx = EvaluationContext("user-42", {"appVersion": "2.4.0"})
    backend = client.get_string_value("speech-backend-ab", "modal", ctx)

The mapping is the same as in Rust (crate ``flagcore-openfeature``) and JS
(``flagcore-wasm/openfeature``); the README's "OpenFeature" section has the table:

* ``targeting_key`` is flagcore's ``key`` (an attribute ``key`` is used when there is no
  targeting key); str, int, float and bool attributes stay; a ``datetime`` becomes RFC 3339
  text; None is absent; lists of str and numbers are list attributes. Other nested values
  (dict, lists of other things) are refused with ``INVALID_CONTEXT``; a
  value JSON cannot carry (NaN, infinity, an int beyond a double) with ``PARSE_ERROR``.
* Reasons: ``OFF`` and ``PREREQUISITE_FAILED`` → ``DISABLED``; ``DEFAULT`` → ``STATIC`` when
  the flag can serve only that variant (no rules, no prerequisites, a fixed default), else
  ``DEFAULT``; ``OVERRIDE`` → the custom reason ``"OVERRIDE"``; ``TARGETING_MATCH``,
  ``SPLIT`` and ``ERROR`` as they are.
* Flag metadata: ``flagcoreReason`` and, when known, ``ruleIndex``, ``ruleId``, ``bucket``,
  ``variantIndex``, ``prerequisite``.

Events: change the config through the provider (``update``, ``rollback``,
``set_override``, ``clear_override``): ``PROVIDER_CONFIGURATION_CHANGED`` with the changed
flag keys, ``PROVIDER_ERROR`` when a config is refused (the last good one keeps serving;
``PROVIDER_READY`` again on the next accepted change).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections import OrderedDict
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

from openfeature.evaluation_context import EvaluationContext
from openfeature.event import ProviderEventDetails
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import FlagResolutionDetails, Reason
from openfeature.hook import Hook, HookContext, HookHints
from openfeature.provider import AbstractProvider, Metadata

from . import ConfigError, Context, ContextError, Store

__all__ = ["FlagcoreProvider", "ExposureHook", "Exposure", "PROVIDER_NAME", "OVERRIDE_REASON"]

#: The provider's name (OpenFeature metadata, OpenTelemetry's ``feature_flag.provider.name``).
PROVIDER_NAME = "flagcore"
#: The custom OpenFeature reason of an evaluation decided by a store override.
OVERRIDE_REASON = "OVERRIDE"

_REASONS = {
    "OFF": Reason.DISABLED,
    "PREREQUISITE_FAILED": Reason.DISABLED,
    "TARGETING_MATCH": Reason.TARGETING_MATCH,
    "SPLIT": Reason.SPLIT,
    "OVERRIDE": OVERRIDE_REASON,
    "ERROR": Reason.ERROR,
}
_TYPES = {"bool": "boolean", "boolean": "boolean", "string": "string", "number": "number",
          "json": "json", "object": "json"}
#: How many configs' descriptions are kept for rollback (the store keeps 16 by default).
_KEPT = 64


class _Refused(Exception):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


def to_flagcore_context(ctx: Optional[EvaluationContext]) -> Context:
    """An OpenFeature context as a :class:`flagcore.Context` (see the module docs)."""
    if ctx is None:
        return Context()
    attrs = ctx.attributes or {}
    key = ctx.targeting_key if ctx.targeting_key is not None else attrs.get("key")
    if key is not None and not isinstance(key, str):
        raise _Refused(ErrorCode.INVALID_CONTEXT, "the targeting key must be a string")
    out: Dict[str, Any] = {}
    for name, value in attrs.items():
        if name == "key" or value is None:
            continue
        if isinstance(value, (bool, str)):
            out[name] = value
        elif isinstance(value, (int, float)):
            try:
                number = float(value)
            except OverflowError:
                number = math.inf
            if not math.isfinite(number):
                raise _Refused(ErrorCode.PARSE_ERROR, f"context attribute {name!r} is {value}, which JSON cannot carry")
            out[name] = value
        elif isinstance(value, (list, tuple)):
            out[name] = list(value)  # a list attribute: the Context checks its items
        elif isinstance(value, _dt.datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=_dt.timezone.utc)
            out[name] = value.astimezone(_dt.timezone.utc).isoformat().replace("+00:00", "Z")
        else:
            raise _Refused(
                ErrorCode.INVALID_CONTEXT,
                f"context attribute {name!r} is {type(value).__name__}; flagcore attributes are "
                "str, int, float, bool or datetime (flatten it)",
            )
    try:
        return Context(key or "", out)
    except ContextError as e:
        raise _Refused(ErrorCode.INVALID_CONTEXT, str(e)) from None


# ---- what the provider knows of each config: static flags, types, variant order, dependencies


class _Flag:
    __slots__ = ("json", "type", "static", "variants", "segments", "prerequisites")

    def __init__(self, flag: Mapping[str, Any]) -> None:
        self.json = json.dumps(flag, sort_keys=True)
        variants = flag.get("variants") or {"on": True, "off": False}
        self.variants = list(variants)
        declared = flag.get("type")
        if isinstance(declared, str):
            self.type = _TYPES.get(declared)
        else:
            first = next(iter(variants.values()), True)
            self.type = ("boolean" if isinstance(first, bool) else "string" if isinstance(first, str)
                         else "number" if isinstance(first, (int, float)) else "json")
        default = flag.get("default")
        self.static = (not flag.get("rules") and not flag.get("prerequisites")
                       and isinstance(default, dict) and "variant" in default)
        self.segments = set()
        for rule in flag.get("rules") or []:
            for c in rule.get("conditions") or []:
                if isinstance(c, dict) and c.get("op") == "inSegment":
                    names = c.get("values", c.get("value", []))
                    self.segments.update(names if isinstance(names, list) else [names])
        self.prerequisites = [p.get("flag") for p in flag.get("prerequisites") or []]


class _Described:
    def __init__(self, text: str) -> None:
        config = json.loads(text)
        self.flags = {k: _Flag(f) for k, f in (config.get("flags") or {}).items()}
        self.segments = {k: json.dumps(s, sort_keys=True) for k, s in (config.get("segments") or {}).items()}
        rest = {k: v for k, v in config.items() if k not in ("flags", "segments", "$schema", "description")}
        self.rest = json.dumps(rest, sort_keys=True)


def _dependents(config: _Described, changed: set, order: List[str]) -> List[str]:
    grew = True
    while grew:
        grew = False
        for k, f in config.flags.items():
            if k not in changed and any(p in changed for p in f.prerequisites):
                changed.add(k)
                grew = True
    return [k for k in order if k in changed]


def _changed_flags(a: Optional[_Described], b: Optional[_Described]) -> Optional[List[str]]:
    if a is None or b is None:
        return None  # unknown: every flag may have changed
    order = list(dict.fromkeys([*b.flags, *a.flags]))
    if a.rest != b.rest:
        return order
    segments = {k for k in {*a.segments, *b.segments} if a.segments.get(k) != b.segments.get(k)}
    changed = set()
    for k in order:
        x, y = a.flags.get(k), b.flags.get(k)
        if x is None or y is None or x.json != y.json or y.segments & segments:
            changed.add(k)
    return _dependents(b, changed, order)


def _text(config: Union[str, bytes, Mapping[str, Any]]) -> str:
    if isinstance(config, bytes):
        return config.decode("utf-8")
    if isinstance(config, str):
        return config
    return json.dumps(config)


class FlagcoreProvider(AbstractProvider):
    """An OpenFeature provider answering from a :class:`flagcore.Store`.

    ``now``: a function returning the evaluation time of each evaluation (Unix ms, an aware
    datetime, or :data:`flagcore.UNSET` for none); default: the current time.
    """

    def __init__(self, config: Union[str, bytes, Mapping[str, Any]], *,
                 now: Optional[Callable[[], Any]] = None) -> None:
        super().__init__()
        text = _text(config)
        self._store = Store(text)
        self._now = now
        self._configs: "OrderedDict[int, _Described]" = OrderedDict()
        self._remember(self._store.revision, text)
        self._refused = False

    @classmethod
    def from_file(cls, path: str, **options: Any) -> "FlagcoreProvider":
        with open(path, encoding="utf-8") as f:
            return cls(f.read(), **options)

    @property
    def store(self) -> Store:
        """The store answering (flagcore's own, faster API)."""
        return self._store

    def _remember(self, revision: int, text: str) -> None:
        self._configs[revision] = _Described(text)
        while len(self._configs) > _KEPT:
            self._configs.popitem(last=False)

    def get_metadata(self) -> Metadata:
        return Metadata(name=PROVIDER_NAME)

    def shutdown(self) -> None:
        self._store.close()

    # ---- changes, with events

    def _emit_change(self, before: int, after: int, flags: Optional[List[str]]) -> None:
        if self._refused:
            self._refused = False
            self.emit_provider_ready(ProviderEventDetails(message="an accepted config serves again"))
        self.emit_provider_configuration_changed(ProviderEventDetails(
            flags_changed=flags, message=f"flagcore revision {after}",
            metadata={"revisionBefore": before, "revision": after}))

    def update(self, config: Union[str, bytes, Mapping[str, Any]]) -> Any:
        """Swaps in a new config: CONFIGURATION_CHANGED with the changed flag keys; a refused
        config emits PROVIDER_ERROR and raises :class:`flagcore.ConfigError`."""
        text = _text(config)
        before = self._store.revision
        try:
            result = self._store.update(text)
        except ConfigError as e:
            self._refused = True
            self.emit_provider_error(ProviderEventDetails(
                message=f"config refused, the last good config (revision {before}) keeps serving: {e}",
                error_code=ErrorCode.PARSE_ERROR, metadata={"revision": before, "problems": len(e.problems)}))
            raise
        old = self._configs.get(before)
        self._remember(result.revision, text)
        self._emit_change(before, result.revision, _changed_flags(old, self._configs[result.revision]))
        return result

    def rollback(self) -> int:
        """Goes back to the previous config (CONFIGURATION_CHANGED); returns the revision."""
        before = self._store.revision
        revision = self._store.rollback()
        self._emit_change(before, revision, _changed_flags(self._configs.get(before), self._configs.get(revision)))
        return revision

    def set_override(self, flag: str, *, kill: bool = False, variant: Optional[str] = None) -> None:
        """Forces a flag (CONFIGURATION_CHANGED for it and the flags requiring it)."""
        self._store.set_override(flag, kill=kill, variant=variant)
        self._emit_override(flag)

    def clear_override(self, flag: str) -> bool:
        had = self._store.clear_override(flag)
        if had:
            self._emit_override(flag)
        return had

    def _emit_override(self, flag: str) -> None:
        revision = self._store.revision
        config = self._configs.get(revision)
        flags = [flag] if config is None else _dependents(config, {flag}, list(config.flags))
        self._emit_change(revision, revision, flags)

    # ---- resolution

    def _resolve(self, flag_key: str, want: str, default: Any,
                 ctx: Optional[EvaluationContext]) -> FlagResolutionDetails[Any]:
        try:
            user = to_flagcore_context(ctx)
        except _Refused as e:
            return FlagResolutionDetails(default, error_code=e.code, error_message=str(e), reason=Reason.ERROR)
        at = None if self._now is None else self._now()
        e = self._store.evaluate(flag_key, user, at=at)
        flag = None
        config = self._configs.get(self._store.revision)
        if config is not None:
            flag = config.flags.get(flag_key)
        meta: Dict[str, Union[str, int, float, bool]] = {"flagcoreReason": e.reason.value}
        if e.rule_index is not None:
            meta["ruleIndex"] = e.rule_index
        if e.rule_id is not None:
            meta["ruleId"] = e.rule_id
        if e.bucket is not None:
            meta["bucket"] = e.bucket
        if e.prerequisite is not None:
            meta["prerequisite"] = e.prerequisite
        if flag is not None and e.variant in flag.variants:
            meta["variantIndex"] = flag.variants.index(e.variant)
        if e.error_code is not None:
            return FlagResolutionDetails(default, error_code=ErrorCode(e.error_code.value),
                                         error_message=f"flagcore: {e.error_code.value} for flag {flag_key!r}",
                                         reason=Reason.ERROR, flag_metadata=meta)
        value = e.value
        kind = flag.type if flag is not None else None
        if want == "integer":
            ok = kind == "number" and float(value).is_integer()
            value = int(value) if ok else value
        elif want == "float":
            ok = kind == "number"
            value = float(value) if ok else value
        elif want == "json":
            ok = kind == "json" and isinstance(value, (dict, list))
        else:
            ok = kind == want
        if not ok:
            return FlagResolutionDetails(default, error_code=ErrorCode.TYPE_MISMATCH,
                                         error_message=f"flagcore: flag {flag_key!r} serves {kind}, not {want}",
                                         reason=Reason.ERROR, flag_metadata=meta)
        reason: Union[str, Reason] = (Reason.STATIC if flag is not None and flag.static else Reason.DEFAULT) \
            if e.reason.value == "DEFAULT" else _REASONS.get(e.reason.value, e.reason.value)
        return FlagResolutionDetails(value, reason=reason, variant=e.variant, flag_metadata=meta)

    def resolve_boolean_details(self, flag_key: str, default_value: bool,
                                evaluation_context: Optional[EvaluationContext] = None) -> FlagResolutionDetails[bool]:
        return self._resolve(flag_key, "boolean", default_value, evaluation_context)

    def resolve_string_details(self, flag_key: str, default_value: str,
                               evaluation_context: Optional[EvaluationContext] = None) -> FlagResolutionDetails[str]:
        return self._resolve(flag_key, "string", default_value, evaluation_context)

    def resolve_integer_details(self, flag_key: str, default_value: int,
                                evaluation_context: Optional[EvaluationContext] = None) -> FlagResolutionDetails[int]:
        return self._resolve(flag_key, "integer", default_value, evaluation_context)

    def resolve_float_details(self, flag_key: str, default_value: float,
                              evaluation_context: Optional[EvaluationContext] = None) -> FlagResolutionDetails[float]:
        return self._resolve(flag_key, "float", default_value, evaluation_context)

    def resolve_object_details(self, flag_key: str, default_value: Union[Sequence[Any], Mapping[str, Any]],
                               evaluation_context: Optional[EvaluationContext] = None) -> FlagResolutionDetails[Any]:
        return self._resolve(flag_key, "json", default_value, evaluation_context)


class Exposure(dict):
    """One evaluation: ``flag_key``, ``variant`` (None: the default served), ``reason``,
    ``targeting_key``."""


class ExposureHook(Hook):
    """Calls ``record(Exposure)`` after every evaluation, errors included."""

    def __init__(self, record: Callable[[Exposure], None]) -> None:
        self._record = record

    def finally_after(self, hook_context: HookContext, details: Any, hints: HookHints) -> None:
        reason = details.reason
        self._record(Exposure(
            flag_key=hook_context.flag_key,
            variant=details.variant,
            reason=str(reason.value if isinstance(reason, Reason) else reason or "UNKNOWN"),
            targeting_key=hook_context.evaluation_context.targeting_key if hook_context.evaluation_context else None,
        ))

