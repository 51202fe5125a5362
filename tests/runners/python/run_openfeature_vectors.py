#!/usr/bin/env python3
"""Replays tests/vectors/eval-*.json through the openfeature-sdk client with
``flagcore.openfeature.FlagcoreProvider``: every case's expected flagcore answer, mapped as
the README's "OpenFeature" section documents, must come back from the client.

    python tests/runners/python/run_openfeature_vectors.py [VECTORS_DIR]

Prints ``python (OpenFeature): N vectors replayed, M mismatches, S skipped`` and exits 1 on
any mismatch. Skipped, and counted: JSON values the Python SDK's object resolution does not
accept (a scalar or null where it wants a dict or list).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Dict

from openfeature import api
from openfeature.evaluation_context import EvaluationContext

import flagcore
from flagcore.openfeature import FlagcoreProvider

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_vectors import DEFAULT_DIR, same  # noqa: E402

TYPES = {"bool": "boolean", "boolean": "boolean", "string": "string", "number": "number",
         "json": "json", "object": "json"}
METHODS = {"boolean": ("get_boolean_details", False), "string": ("get_string_details", "\0default"),
           "number": ("get_float_details", -0.5), "json": ("get_object_details", {"\0default": True})}


def flag_type(config: Dict[str, Any], flag: str) -> str:
    f = config.get("flags", {}).get(flag)
    if f is None:
        return "boolean"
    if isinstance(f.get("type"), str):
        return TYPES[f["type"]]
    first = next(iter((f.get("variants") or {"on": True}).values()))
    return ("boolean" if isinstance(first, bool) else "string" if isinstance(first, str)
            else "number" if isinstance(first, (int, float)) else "json")


def is_static(config: Dict[str, Any], flag: str) -> bool:
    f = config.get("flags", {}).get(flag, {})
    d = f.get("default")
    return not f.get("rules") and not f.get("prerequisites") and isinstance(d, dict) and "variant" in d


def mapped(config: Dict[str, Any], flag: str, expect: Dict[str, Any]) -> Dict[str, Any]:
    if expect["reason"] == "ERROR":
        return {"errorCode": expect["errorCode"]}
    reason = {"OFF": "DISABLED", "PREREQUISITE_FAILED": "DISABLED"}.get(expect["reason"], expect["reason"])
    if reason == "DEFAULT" and is_static(config, flag):
        reason = "STATIC"
    return {"value": expect["value"], "variant": expect["variant"], "reason": reason,
            **{k: expect[k] for k in ("ruleIndex", "ruleId", "bucket", "prerequisite")}}


def answer(d: Any) -> Dict[str, Any]:
    if d.error_code is not None:
        return {"errorCode": str(d.error_code.value)}
    m = d.flag_metadata or {}
    reason = getattr(d.reason, "value", d.reason)
    return {"value": d.value, "variant": d.variant, "reason": reason,
            **{k: m.get(k) for k in ("ruleIndex", "ruleId", "bucket", "prerequisite")}}


def context(ctx: Dict[str, Any]) -> EvaluationContext:
    attrs = {k: v for k, v in ctx.items() if k != "key"}
    return EvaluationContext(ctx.get("key"), attrs)


def main() -> int:
    directory = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DIR
    replayed = skipped = 0
    mismatches = []
    groups = 0
    for name in sorted(os.listdir(directory)):
        if not (name.startswith("eval-") and name.endswith(".json")):
            continue
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            doc = json.load(f)
        for group in doc["groups"]:
            config = json.loads(group["config"])
            now: Dict[str, Any] = {"at": flagcore.UNSET}
            provider = FlagcoreProvider(group["config"], now=lambda now=now: now["at"])
            for o in group["overrides"]:
                provider.set_override(o["flag"], kill=bool(o.get("kill")), variant=o.get("variant"))
            groups += 1
            domain = f"vectors-{groups}"
            api.set_provider(provider, domain)
            client = api.get_client(domain)
            for case in group["cases"]:
                now["at"] = case["at"] if "at" in case else flagcore.UNSET
                ctx = context(case["context"])
                call = case["call"]
                if call == "evaluateAll":
                    checks = [(e["flagKey"], flag_type(config, e["flagKey"]), e) for e in case["expect"]]
                elif call == "evaluate":
                    checks = [(case["flag"], flag_type(config, case["flag"]), case["expect"])]
                else:
                    kind = {"getBoolean": "boolean", "getString": "string", "getNumber": "number"}.get(call, "json")
                    checks = [(case["flag"], kind, case["expect"])]
                skip = False
                for flag, kind, expect in checks:
                    want = mapped(config, flag, expect)
                    if kind == "json" and "value" in want and not isinstance(want["value"], (dict, list)):
                        skip = True
                        continue
                    method, default = METHODS[kind]
                    got = answer(getattr(client, method)(flag, default, ctx))
                    if not same(want, got):
                        mismatches.append(f"{case['id']} ({flag} as {kind}): expected {json.dumps(want)}, got {json.dumps(got)}")
                if skip:
                    skipped += 1
                else:
                    replayed += 1
    print(f"python (OpenFeature): {replayed} vectors replayed, {len(mismatches)} mismatches, "
          f"{skipped} skipped (JSON values the SDK's object resolution does not accept)")
    for m in mismatches[:20]:
        print(f"  {m}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
