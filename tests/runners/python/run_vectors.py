#!/usr/bin/env python3
"""Replays tests/vectors/ through the Python package ``flagcore`` (flagcore-ffi/python).

    python tests/runners/python/run_vectors.py [VECTORS_DIR]

Prints ``python: N vectors replayed, M mismatches`` (and what was skipped: cases that need
"no evaluation time" or a byte limit, which the Python API does not offer) and exits 1 on
any mismatch. The format is described in tests/vectors/README.md.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Dict, List

import flagcore

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "vectors"))


def same(a: Any, b: Any) -> bool:
    """JSON equality with numbers as doubles (250 == 250.0) and booleans kept apart."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def details(e: "flagcore.Evaluation") -> Dict[str, Any]:
    return {
        "flagKey": e.flag_key,
        "value": e.value,
        "variant": e.variant,
        "reason": e.reason.value,
        "errorCode": e.error_code.value if e.error_code is not None else None,
        "ruleIndex": e.rule_index,
        "ruleId": e.rule_id,
        "bucket": e.bucket,
        "prerequisite": e.prerequisite,
    }


class Run:
    def __init__(self) -> None:
        self.replayed = 0
        self.skipped: Dict[str, int] = {}
        self.mismatches: List[str] = []

    def check(self, case_id: str, expected: Any, actual: Any) -> None:
        if not same(expected, actual):
            self.mismatches.append(f"{case_id}: expected {json.dumps(expected, ensure_ascii=False)}, "
                                   f"got {json.dumps(actual, ensure_ascii=False, default=str)}")

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1


def buckets(run: Run, name: str, doc: Dict[str, Any]) -> None:
    bucket = flagcore.bucket
    for i, (salt, value, expected) in enumerate(doc["cases"]):
        run.replayed += 1
        got = bucket(salt, value)
        if got != expected:
            run.mismatches.append(f"{name}[{i}]: bucket({salt!r}, {value!r}) expected {expected}, got {got}")


def evaluations(run: Run, name: str, doc: Dict[str, Any]) -> None:
    for group in doc["groups"]:
        store = flagcore.Store(group["config"])
        for o in group["overrides"]:
            if o.get("kill"):
                store.set_override(o["flag"], kill=True)
            else:
                store.set_override(o["flag"], variant=o["variant"])
        handles: Dict[str, flagcore.FlagHandle] = {}  # one per flag: later cases reuse its resolution
        for case in group["cases"]:
            cid = case["id"]
            run.replayed += 1
            # noTime cases ask for no evaluation time (flagcore.UNSET); without "at" the
            # answer is the same at any time, so "now" (at omitted) is used.
            if case.get("noTime"):
                kw = {"at": flagcore.UNSET}
            else:
                kw = {"at": case["at"]} if "at" in case else {}
            ctx = case["context"]
            expect = case["expect"]
            call = case["call"]
            flag = case.get("flag")
            try:
                if call == "evaluate":
                    run.check(cid, expect, details(store.evaluate(flag, ctx, **kw)))
                    enabled = expect["reason"] != "ERROR" and expect["value"] is True
                    run.check(cid + " (is_enabled)", enabled, store.is_enabled(flag, ctx, **kw))
                    run.check(cid + " (variant)", expect["variant"], store.variant(flag, ctx, **kw))
                    handle = handles.get(flag) or handles.setdefault(flag, store.flag(flag))
                    run.check(cid + " (handle is_enabled)", enabled, handle.is_enabled(ctx, **kw))
                    run.check(cid + " (handle variant)", expect["variant"], handle.variant(ctx, **kw))
                elif call == "evaluateAll":
                    got = store.evaluate_all(ctx, **kw)
                    want = {e["flagKey"]: e for e in expect}
                    run.check(cid, want, {k: details(v) for k, v in got.items()})
                elif call == "getBoolean":
                    run.check(cid, expect["value"], store.get_bool(flag, ctx, case["default"], **kw))
                elif call == "getString":
                    run.check(cid, expect["value"], store.get_str(flag, ctx, case["default"], **kw))
                elif call == "getNumber":
                    run.check(cid, expect["value"], store.get_number(flag, ctx, case["default"], **kw))
                elif call == "getJson":
                    run.check(cid, expect["value"], store.get_json(flag, ctx, case["default"], **kw))
                else:
                    run.mismatches.append(f"{cid}: unknown call {call!r}")
            except Exception as e:  # a binding error is a mismatch, not a crash of the runner
                run.mismatches.append(f"{cid}: raised {type(e).__name__}: {e}")
        store.close()


def validations(run: Run, name: str, doc: Dict[str, Any]) -> None:
    for case in doc["cases"]:
        cid = case["id"]
        if "maxBytes" in case:
            run.skip("need a byte limit")
            continue
        run.replayed += 1
        strip = lambda ps: [{"code": p["code"], "path": p["path"]} for p in ps]  # noqa: E731
        expected = {"valid": case["valid"], "problems": strip(case["errors"] + case["warnings"])}
        if case["valid"]:
            with flagcore.Store('{"schemaVersion": 1, "flags": {}}') as store:
                try:
                    result = store.update(case["config"])
                    actual = {"valid": True, "problems": [{"code": p.code, "path": p.path} for p in result.warnings]}
                except flagcore.ConfigError as e:
                    actual = {"valid": False, "problems": [{"code": p.code, "path": p.path} for p in e.problems]}
        else:
            try:
                flagcore.Store(case["config"]).close()
                actual = {"valid": True, "problems": []}
            except flagcore.ConfigError as e:
                actual = {"valid": False, "problems": [{"code": p.code, "path": p.path} for p in e.problems]}
        run.check(cid, expected, actual)


def main() -> int:
    directory = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DIR
    run = Run()
    files = sorted(f for f in os.listdir(directory) if f.endswith(".json"))
    if not files:
        print(f"python: no vectors in {directory}", file=sys.stderr)
        return 1
    for f in files:
        with open(os.path.join(directory, f), encoding="utf-8") as fh:
            doc = json.load(fh)
        fmt = doc["format"]
        before = run.replayed + sum(run.skipped.values())
        if fmt == "flagcore-vectors/bucket/1":
            buckets(run, f, doc)
        elif fmt == "flagcore-vectors/evaluation/1":
            evaluations(run, f, doc)
        elif fmt == "flagcore-vectors/validation/1":
            validations(run, f, doc)
        else:
            run.mismatches.append(f"{f}: unknown format {fmt!r}")
            continue
        counted = run.replayed + sum(run.skipped.values()) - before
        if counted != doc["count"]:
            run.mismatches.append(f"{f}: {counted} cases, but count says {doc['count']}")
    for m in run.mismatches[:30]:
        print("  mismatch:", m)
    skipped = ", ".join(f"{n} skipped ({why})" for why, n in sorted(run.skipped.items()))
    print(f"python: {run.replayed} vectors replayed, {len(run.mismatches)} mismatches"
          + (f"; {skipped}" if skipped else ""))
    return 1 if run.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
