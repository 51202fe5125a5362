#!/usr/bin/env python3
"""Python benchmark: flagcore against yggdrasil-engine (Unleash), growthbook and
flipt-client, per call and evaluate-all, with equivalent configs per engine.

Scenarios (ids as in every flagcore bench):
  1-bool-on            a boolean flag that is on for everyone
  2-rollout-25         a boolean flag on for 25% of users (bucketed by user id)
  3-split-70-30        a string flag, 70% control / 30% treatment
  6-evaluate-all-100   every flag of a 100-flag config (25% rollouts) for one user

Each engine is measured the way an application calls it: a prebuilt context/attributes
object where the engine has one (flagcore.Context, a GrowthBook instance with attributes),
a dict per call where that is the API (yggdrasil, flipt). The median of several batches is
reported per call. Writes target/bench-results/python.json (see notes/common.md).

    python benches/python/bench.py [--quick]
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "target" / "bench-results" / "python.json"
USER = "user-42"
NOW = 1_795_435_200_000


def measure(fn: Callable[[], Any], calls: int, repeats: int) -> float:
    """Median nanoseconds per call over `repeats` batches of `calls` calls."""
    for _ in range(min(calls, 2000)):
        fn()
    samples = []
    gc.disable()
    try:
        for _ in range(repeats):
            t0 = time.perf_counter_ns()
            for _ in range(calls):
                fn()
            samples.append((time.perf_counter_ns() - t0) / calls)
    finally:
        gc.enable()
    return statistics.median(samples)


# ---------------------------------------------------------------------------------------
# Configs: one scenario, four engines
# ---------------------------------------------------------------------------------------

FLAGS100 = [f"flag-{i:03d}" for i in range(100)]


def flagcore_config() -> str:
    flags: Dict[str, Any] = {
        "bool-on": {"enabled": True, "default": {"variant": "on"}},
        "rollout-25": {
            "enabled": True,
            "default": {"split": [{"variant": "on", "weight": 25}, {"variant": "off", "weight": 75}]},
        },
        "split-70-30": {
            "variants": {"control": "control", "treatment": "treatment"},
            "enabled": True,
            "offVariant": "control",
            "default": {"split": [{"variant": "control", "weight": 70}, {"variant": "treatment", "weight": 30}]},
        },
    }
    return json.dumps({"schemaVersion": 1, "flags": flags})


def flagcore_config100() -> str:
    flags = {
        k: {"enabled": True, "default": {"split": [{"variant": "on", "weight": 25}, {"variant": "off", "weight": 75}]}}
        for k in FLAGS100
    }
    return json.dumps({"schemaVersion": 1, "flags": flags})


def unleash_config(keys: Optional[List[str]] = None) -> str:
    def rollout(name: str, pct: int) -> Dict[str, Any]:
        return {
            "name": name,
            "enabled": True,
            "strategies": [
                {"name": "flexibleRollout", "parameters": {"rollout": str(pct), "stickiness": "userId", "groupId": name}}
            ],
        }

    if keys is not None:
        features = [rollout(k, 25) for k in keys]
    else:
        features = [
            {"name": "bool-on", "enabled": True, "strategies": [{"name": "default"}]},
            rollout("rollout-25", 25),
            {
                "name": "split-70-30",
                "enabled": True,
                "strategies": [{"name": "default"}],
                "variants": [
                    {"name": "control", "weight": 700, "stickiness": "userId", "weightType": "variable"},
                    {"name": "treatment", "weight": 300, "stickiness": "userId", "weightType": "variable"},
                ],
            },
        ]
    return json.dumps({"version": 1, "features": features})


def growthbook_features(keys: Optional[List[str]] = None) -> Dict[str, Any]:
    if keys is not None:
        return {k: {"defaultValue": False, "rules": [{"force": True, "coverage": 0.25, "hashAttribute": "id"}]} for k in keys}
    return {
        "bool-on": {"defaultValue": True},
        "rollout-25": {"defaultValue": False, "rules": [{"force": True, "coverage": 0.25, "hashAttribute": "id"}]},
        "split-70-30": {
            "defaultValue": "control",
            "rules": [
                {
                    "key": "split-70-30",
                    "variations": ["control", "treatment"],
                    "weights": [0.7, 0.3],
                    "coverage": 1.0,
                    "hashAttribute": "id",
                }
            ],
        },
    }


def flipt_snapshot(keys: Optional[List[str]] = None) -> str:
    stamp = "2026-01-01T00:00:00Z"

    def boolean(key: str, pct: float) -> Dict[str, Any]:
        # A boolean flag's `enabled` is its value when no rollout matches: false, so that
        # the threshold rollout alone decides who gets true.
        return {
            "key": key,
            "name": key,
            "description": "",
            "enabled": pct >= 100.0,
            "type": "BOOLEAN_FLAG_TYPE",
            "createdAt": stamp,
            "updatedAt": stamp,
            "rules": [],
            "rollouts": [{"type": "THRESHOLD_ROLLOUT_TYPE", "rank": 1, "threshold": {"percentage": pct, "value": True}}],
        }

    segment = {"key": "all", "name": "all", "matchType": "ALL_MATCH_TYPE", "constraints": [], "createdAt": stamp, "updatedAt": stamp}
    if keys is not None:
        flags = [boolean(k, 25.0) for k in keys]
    else:
        flags = [
            boolean("bool-on", 100.0),
            boolean("rollout-25", 25.0),
            {
                "key": "split-70-30",
                "name": "split-70-30",
                "description": "",
                "enabled": True,
                "type": "VARIANT_FLAG_TYPE",
                "createdAt": stamp,
                "updatedAt": stamp,
                "rules": [
                    {
                        "id": "r1",
                        "rank": 1,
                        "segments": [segment],
                        "segmentOperator": "OR_SEGMENT_OPERATOR",
                        "distributions": [
                            {"ruleId": "r1", "rollout": 70.0, "variantKey": "control", "variantAttachment": ""},
                            {"ruleId": "r1", "rollout": 30.0, "variantKey": "treatment", "variantAttachment": ""},
                        ],
                    }
                ],
                "rollouts": [],
            },
        ]
    doc = {"namespace": {"key": "default"}, "flags": flags}
    return base64.b64encode(json.dumps(doc).encode()).decode()


# ---------------------------------------------------------------------------------------
# Engines
# ---------------------------------------------------------------------------------------


def bench_flagcore(calls: int, repeats: int) -> List[Dict[str, Any]]:
    import flagcore
    from flagcore._native import ffi, lib

    store = flagcore.Store(flagcore_config())
    user = flagcore.Context(USER)
    rows = []

    def row(scenario: str, ns: float, note: str, engine: str = "flagcore (python)") -> None:
        rows.append({"scenario": scenario, "engine": engine, "median_ns": round(ns, 1), "allocs": None, "note": note})

    assert store.is_enabled("bool-on", user)
    row("1-bool-on", measure(lambda: store.is_enabled("bool-on", user), calls, repeats),
        "Store.is_enabled, prebuilt Context, at=now")
    row("1-bool-on", measure(lambda: store.is_enabled("bool-on", user, at=NOW), calls, repeats),
        "Store.is_enabled, prebuilt Context, explicit at", "flagcore (python, at given)")
    row("2-rollout-25", measure(lambda: store.is_enabled("rollout-25", user), calls, repeats),
        "Store.is_enabled, prebuilt Context, at=now")
    row("2-rollout-25-dict-context", measure(lambda: store.is_enabled("rollout-25", {"key": USER}), calls // 4, repeats),
        "Store.is_enabled with a plain dict context (converted per call)")
    assert store.variant("split-70-30", user) in ("control", "treatment")
    row("3-split-70-30", measure(lambda: store.variant("split-70-30", user), calls, repeats),
        "Store.variant (the variant's position; names kept per revision)")
    bool_on, rollout, split = store.flag("bool-on"), store.flag("rollout-25"), store.flag("split-70-30")
    assert bool_on.is_enabled(user) and split.variant(user) == store.variant("split-70-30", user)
    row("1-bool-on-handle", measure(lambda: bool_on.is_enabled(user), calls, repeats),
        'store.flag("bool-on").is_enabled: a Flag handle resolved once, prebuilt Context, at=now')
    row("2-rollout-25-handle", measure(lambda: rollout.is_enabled(user), calls, repeats),
        'store.flag("rollout-25").is_enabled, prebuilt Context, at=now')
    row("3-split-70-30-handle", measure(lambda: split.variant(user), calls, repeats),
        'store.flag("split-70-30").variant, prebuilt Context, at=now')
    row("3-split-70-30-evaluate", measure(lambda: store.evaluate("split-70-30", user), calls // 4, repeats),
        "Store.evaluate: full frozen Evaluation dataclass")

    # Native cost of the same call without Python's argument handling, for scale.
    h, ch = store._h, user._h
    f = lib.flagcore_store_is_enabled
    row("1-bool-on", measure(lambda: f(h, b"bool-on", 7, ch, True, NOW), calls, repeats),
        "one raw cffi (API mode) call to flagcore_store_is_enabled (no wrapper)", "flagcore (raw cffi call)")
    v = lib.flagcore_version
    row("0-cffi-call-baseline", measure(v, calls, repeats),
        "a cffi (API mode) call of flagcore_version(): the cost of crossing into the library", "flagcore (raw cffi call)")

    big = flagcore.Store(flagcore_config100())
    res = big.evaluate_all(user)
    assert len(res) == 100 and sum(e.value is True for e in res.values()) > 5
    row("6-evaluate-all-100", measure(lambda: big.evaluate_all(user), max(calls // 20, 500), repeats),
        "Store.evaluate_all: one native call fills 100 answers; a read-only mapping builds each "
        "Evaluation on access (per call of 100 flags, not per flag)")
    row("6-evaluate-all-100-materialized",
        measure(lambda: dict(big.evaluate_all(user)), max(calls // 200, 50), repeats),
        "dict(Store.evaluate_all(...)): all 100 Evaluation dataclasses built (per call)")
    snap = ffi.new("flagcore_snapshot **")
    lib.flagcore_store_snapshot(big._h, snap)
    evs = ffi.new("flagcore_evaluation[]", 100)
    n = ffi.new("size_t *")
    s = snap[0]
    fa = lib.flagcore_snapshot_evaluate_all
    row("6-evaluate-all-100", measure(lambda: fa(s, ch, True, NOW, evs, 100, n), max(calls // 20, 500), repeats),
        "native flagcore_snapshot_evaluate_all into a C array (no Python objects)", "flagcore (raw cffi call)")
    lib.flagcore_snapshot_free(s)

    def baseline() -> None:
        pass

    row("0-python-call-baseline", measure(baseline, calls, repeats), "an empty Python function call, for scale", "python")
    return rows


def bench_yggdrasil(calls: int, repeats: int) -> List[Dict[str, Any]]:
    from yggdrasil_engine.engine import UnleashEngine

    engine = UnleashEngine()
    engine.take_state(unleash_config())
    ctx = {"userId": USER}
    assert engine.check_enabled("bool-on", ctx).is_enabled
    rows = []
    note = "UnleashEngine.check_enabled(name, dict) (no metrics); JSON per call through its FFI"

    def row(scenario: str, ns: float, n: str) -> None:
        rows.append({"scenario": scenario, "engine": "yggdrasil-engine (python)", "median_ns": round(ns, 1), "allocs": None, "note": n})

    row("1-bool-on", measure(lambda: engine.check_enabled("bool-on", ctx), calls // 4, repeats), note)
    row("2-rollout-25", measure(lambda: engine.check_enabled("rollout-25", ctx), calls // 4, repeats), note)
    row("3-split-70-30", measure(lambda: engine.check_variant("split-70-30", ctx), calls // 4, repeats),
        "UnleashEngine.check_variant(name, dict)")
    big = UnleashEngine()
    big.take_state(unleash_config(FLAGS100))

    def all100() -> Dict[str, bool]:
        return {k: big.check_enabled(k, ctx).is_enabled for k in FLAGS100}

    row("6-evaluate-all-100", measure(all100, max(calls // 2000, 10), repeats),
        "no evaluate-all in the Python API: 100 check_enabled calls")
    return rows


def bench_growthbook(calls: int, repeats: int) -> List[Dict[str, Any]]:
    from growthbook import GrowthBook

    gb = GrowthBook(features=growthbook_features(), attributes={"id": USER})
    assert gb.is_on("bool-on")
    rows = []

    def row(scenario: str, ns: float, n: str) -> None:
        rows.append({"scenario": scenario, "engine": "growthbook (python)", "median_ns": round(ns, 1), "allocs": None, "note": n})

    note = "GrowthBook(attributes=...) built once; is_on(key) (pure Python)"
    row("1-bool-on", measure(lambda: gb.is_on("bool-on"), calls // 4, repeats), note)
    row("2-rollout-25", measure(lambda: gb.is_on("rollout-25"), calls // 4, repeats), note)
    row("3-split-70-30", measure(lambda: gb.get_feature_value("split-70-30", "control"), calls // 4, repeats),
        "get_feature_value of an experiment rule (tracking callback unset)")
    big = GrowthBook(features=growthbook_features(FLAGS100), attributes={"id": USER})

    def all100() -> Dict[str, bool]:
        return {k: big.is_on(k) for k in FLAGS100}

    row("6-evaluate-all-100", measure(all100, max(calls // 2000, 10), repeats),
        "no evaluate-all: 100 is_on calls")
    return rows


def bench_flipt(calls: int, repeats: int) -> List[Dict[str, Any]]:
    import http.server
    import threading

    from flipt_client import FliptClient
    from flipt_client.models import ClientOptions

    # flipt-client fetches its flags from a Flipt server when it starts (its `snapshot`
    # option does not skip that fetch, and 1.4.5 ignores a snapshot it cannot read): serve
    # the namespace's evaluation snapshot from a local server, fetched once, then
    # evaluate offline. (The earlier abort: RUST_BACKTRACE=1 made its error path capture a
    # backtrace, and its bundled unwinder aborts; main() clears RUST_LIB_BACKTRACE for it.)
    class Snapshots(http.server.BaseHTTPRequestHandler):
        docs: Dict[str, bytes] = {}

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.docs.get(self.path.rsplit("/", 1)[-1])
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: Any) -> None:
            pass

    Snapshots.docs = {
        "default": base64.b64decode(flipt_snapshot()),
        "big": base64.b64decode(flipt_snapshot(FLAGS100)).replace(b'"key": "default"', b'"key": "big"', 1),
    }
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Snapshots)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"

    def client(namespace: str) -> Any:
        return FliptClient(opts=ClientOptions(url=url, namespace=namespace,
                                              update_interval=dt.timedelta(seconds=3600)))

    c = client("default")
    r = c.evaluate_boolean("bool-on", USER, {})
    assert r.enabled, r
    rows = []

    def row(scenario: str, ns: float, n: str) -> None:
        rows.append({"scenario": scenario, "engine": "flipt-client (python)", "median_ns": round(ns, 1), "allocs": None, "note": n})

    note = "FliptClient.evaluate_boolean(flag, entity, {}), flags fetched once from a local server; JSON + pydantic per call"
    row("1-bool-on", measure(lambda: c.evaluate_boolean("bool-on", USER, {}), calls // 10, repeats), note)
    row("2-rollout-25", measure(lambda: c.evaluate_boolean("rollout-25", USER, {}), calls // 10, repeats), note)
    row("3-split-70-30", measure(lambda: c.evaluate_variant("split-70-30", USER, {}), calls // 10, repeats),
        "FliptClient.evaluate_variant")
    big = client("big")
    from flipt_client.models import EvaluationRequest

    reqs = [EvaluationRequest(flag_key=k, entity_id=USER, context={}) for k in FLAGS100]
    got = big.evaluate_batch(reqs).responses
    assert len(got) == 100 and all(r.boolean_evaluation_response is not None for r in got), got[:2]
    row("6-evaluate-all-100", measure(lambda: big.evaluate_batch(reqs), max(calls // 2000, 10), repeats),
        "FliptClient.evaluate_batch of 100 requests")
    c.close()
    big.close()
    server.shutdown()
    return rows


ENGINES: Dict[str, Callable[[int, int], List[Dict[str, Any]]]] = {
    "flagcore": bench_flagcore,
    "yggdrasil-engine": bench_yggdrasil,
    "growthbook": bench_growthbook,
    "flipt-client": bench_flipt,
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer calls (a smoke run)")
    ap.add_argument("--only", help="run one engine and print its rows as JSON (used internally)")
    args = ap.parse_args()
    calls, repeats = (20_000, 3) if args.quick else (200_000, 7)

    if args.only:
        print(json.dumps(ENGINES[args.only](calls, repeats)))
        return

    rows: List[Dict[str, Any]] = []
    for name in ENGINES:
        # Each engine in its own process: a peer that crashes (its FFI aborting) or
        # cannot run here is reported as unavailable instead of ending the bench.
        cmd = [sys.executable, __file__, "--only", name] + (["--quick"] if args.quick else [])
        # RUST_LIB_BACKTRACE=0: a peer's Rust error path must not walk the stack (flipt's
        # bundled unwinder aborts the process when RUST_BACKTRACE=1 asks it to).
        env = dict(os.environ, RUST_LIB_BACKTRACE="0")
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if proc.returncode == 0:
            got = json.loads(proc.stdout.strip().splitlines()[-1])
        else:
            if name == "flagcore":
                sys.stderr.write(proc.stderr)
                raise SystemExit(f"flagcore bench failed (exit {proc.returncode})")
            why = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
            got = [{"scenario": "unavailable", "engine": f"{name} (python)", "median_ns": None, "allocs": None,
                    "note": f"could not run (exit {proc.returncode}): {why}"[:300]}]
        rows += got
        for r in got:
            ns = "-" if r["median_ns"] is None else f"{r['median_ns']:>10.1f} ns"
            print(f"{r['scenario']:<28} {r['engine']:<28} {ns}  {r['note']}", flush=True)

    env = f"python {platform.python_version()}, {platform.machine()}, {sys.platform}"
    for r in rows:
        r["note"] = f"{r['note']} [{env}]"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
