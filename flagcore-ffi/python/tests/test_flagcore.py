"""pytest suite of the flagcore Python package (run by scripts/test-ffi)."""

from __future__ import annotations

import gc
import json
import os
import re
import sys
import threading
import time
from pathlib import Path
from typing import Mapping

import pytest

import flagcore
from flagcore import Context, ErrorCode, Reason, Store

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "speech-migration.json"
WEEK1 = 1_795_435_200_000  # 2026-11-23T12:00:00Z: 5% of speechmatics-direct
WEEK2 = 1_796_040_000_000  # 2026-11-30T12:00:00Z: 25%
WEEK4 = 1_797_336_000_000  # 2026-12-15T12:00:00Z: 100%


def simple(variant: str = "on", flag: str = "f") -> str:
    return json.dumps(
        {"schemaVersion": 1, "flags": {flag: {"enabled": True, "default": {"variant": variant}}}}
    )


@pytest.fixture()
def store():
    with Store.from_file(EXAMPLE) as s:
        yield s


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# -- package --------------------------------------------------------------------------


def test_version_matches_cargo_and_pyproject():
    cargo = (REPO / "Cargo.toml").read_text()
    m = re.search(r'\[workspace\.package\][^\[]*?version\s*=\s*"([^"]+)"', cargo, re.S)
    assert m, "workspace version not found"
    assert flagcore.__version__ == m.group(1)
    pyproject = (REPO / "flagcore-ffi" / "python" / "pyproject.toml").read_text()
    assert f'version = "{m.group(1)}"' in pyproject


def test_library_loads_from_package_dir():
    from flagcore import _native

    pkg = Path(flagcore.__file__).resolve().parent
    path = Path(_native._library_path()).resolve()
    assert path.parent == pkg
    assert pkg.joinpath("py.typed").exists()


# -- correctness on the shipped example -----------------------------------------------


def test_bucket_is_deterministic_and_in_range():
    b = flagcore.bucket("speech-backend-ab", "user-42")
    assert b == flagcore.bucket("speech-backend-ab", "user-42")
    assert 0 <= b < flagcore.BUCKETS
    assert flagcore.bucket("ab", "c") != flagcore.bucket("a", "bc")
    assert 0 <= flagcore.bucket("", "") < flagcore.BUCKETS


def test_internal_testers_and_legacy_app(store):
    qa = Context("user-qa-001", {"appVersion": "2.4.0"})
    assert store.is_enabled("speechmatics-direct", qa, at=WEEK1)
    assert store.variant("speech-backend-ab", qa) == "treatment"
    e = store.evaluate("speech-backend-ab", qa)
    assert e.reason is Reason.TARGETING_MATCH
    assert e.rule_index == 1 and e.rule_id == "internal-treatment"
    assert e.value == "speechmatics"

    staff = Context("user-1", {"email": "ana@company.example", "appVersion": "2.4.0"})
    assert store.is_enabled("speechmatics-direct", staff, at=WEEK1)

    legacy = Context("user-qa-001", {"appVersion": "2.2.9"})
    assert not store.is_enabled("speechmatics-direct", legacy, at=WEEK4)
    e = store.evaluate("speechmatics-direct", legacy, at=WEEK4)
    assert e.reason is Reason.TARGETING_MATCH and e.rule_id == "legacy-app-never"
    assert e.value is False and e.variant == "off"


def test_split_uses_the_bucket(store):
    for i in range(200):
        key = f"user-{i}"
        e = store.evaluate("speech-backend-ab", {"key": key, "appVersion": "2.4.0"})
        assert e.reason is Reason.SPLIT
        assert e.bucket == flagcore.bucket("speech-backend-ab", key)
        assert e.variant == ("control" if e.bucket < 70_000 else "treatment")
        assert e.value == ("modal" if e.variant == "control" else "speechmatics")
        assert store.get_str("speech-backend-ab", Context(key), "x") == e.value


def test_staged_rollout_follows_time(store):
    users = [Context(f"user-{i}", {"appVersion": "2.4.0"}) for i in range(2000)]
    week1 = sum(store.is_enabled("speechmatics-direct", u, at=WEEK1) for u in users)
    week2 = sum(store.is_enabled("speechmatics-direct", u, at=WEEK2) for u in users)
    week4 = sum(store.is_enabled("speechmatics-direct", u, at=WEEK4) for u in users)
    assert 40 <= week1 <= 170  # 5% of 2000 = 100
    assert 400 <= week2 <= 600  # 25%
    assert week4 == 2000
    # Monotonic: everyone on in week 1 is still on in week 2.
    for u in users:
        if store.is_enabled("speechmatics-direct", u, at=WEEK1):
            assert store.is_enabled("speechmatics-direct", u, at=WEEK2)


def test_time_per_call_and_default_now(store):
    u = Context("user-5", {"appVersion": "2.4.0"})
    assert store.is_enabled("speechmatics-direct", u, at=WEEK4)
    assert store.evaluate("speechmatics-direct", u, at=WEEK4).reason is Reason.DEFAULT
    # No time given means now (the clock): never an INVALID_CONTEXT error.
    e = store.evaluate("speechmatics-direct", u)
    assert e.error_code is not ErrorCode.INVALID_CONTEXT
    # An explicit "no time": a staged rollout answers an error and the caller's default.
    e = store.evaluate("speechmatics-direct", u, at=flagcore.UNSET)
    assert (e.reason, e.error_code) == (Reason.ERROR, ErrorCode.INVALID_CONTEXT)
    assert store.get_bool("speechmatics-direct", u, True, at=flagcore.UNSET) is True
    # Times the library cannot take get its own error, naming the value.
    for bad in (2**63, 1.5, "now"):
        with pytest.raises(flagcore.InvalidInputError, match="at"):
            store.is_enabled("speechmatics-direct", u, at=bad)
    # A context holds no time any more.
    with pytest.raises(TypeError):
        Context("user-5", at=WEEK4)  # type: ignore[call-arg]


def test_numbers_too_large_for_a_context_get_a_context_error():
    with pytest.raises(flagcore.ContextError, match="too large"):
        Context("u", {"n": 10**400})


def test_typed_getters(store):
    mobile = Context("user-7", {"platform": "ios-web"})
    assert store.get_number("transcription-chunk-ms", mobile, 1) == 100
    assert store.get_number("transcription-chunk-ms", Context("user-7"), 1) == 250
    assert store.get_number("speech-backend-ab", mobile, 1.5) == 1.5  # a string flag
    assert store.get_bool("live-captions-ui", mobile, True) is False  # off in the config
    assert store.get_bool("no-such-flag", mobile, True) is True
    assert store.get_str("transcription-chunk-ms", mobile, "d") == "d"
    assert store.get_json("no-such-flag", mobile, {"a": 1}) == {"a": 1}


def test_json_flag():
    cfg = {
        "schemaVersion": 1,
        "flags": {
            "limits": {
                "type": "json",
                "enabled": True,
                "variants": {"small": {"max": 10, "tags": ["a"]}, "big": {"max": 1000}},
                "offVariant": "small",
                "default": {"variant": "big"},
            }
        },
    }
    with Store(cfg) as s:
        assert s.get_json("limits", Context("u"), None) == {"max": 1000}
        assert s.evaluate("limits", Context("u")).value == {"max": 1000}
        assert s.get_bool("limits", Context("u"), True) is True


def test_prerequisite_failed(store):
    legacy = {"key": "user-9", "appVersion": "2.0.0"}
    e = store.evaluate("modal-fallback", legacy, at=WEEK4)
    assert e.reason is Reason.PREREQUISITE_FAILED
    assert e.prerequisite == "speechmatics-direct"
    assert e.value is False


def test_evaluate_all(store):
    res = store.evaluate_all(Context("user-qa-001", {"appVersion": "2.4.0"}), at=WEEK4)
    assert isinstance(res, Mapping)
    assert list(res)[:5] == [
        "speechmatics-direct",
        "modal-fallback",
        "speech-backend-ab",
        "transcription-chunk-ms",
        "live-captions-ui",
    ]
    assert res["live-captions-ui"].reason is Reason.OFF
    assert res["speechmatics-direct"].value is True
    for key, e in res.items():
        assert e == store.evaluate(key, Context("user-qa-001", {"appVersion": "2.4.0"}), at=WEEK4)


def test_evaluate_all_is_a_lazy_read_only_mapping():
    import copy
    import pickle

    flags = {
        "a": {"enabled": True, "default": {"variant": "on"}},
        "b": {"variants": {"x": "ex", "y": "why"}, "enabled": True, "offVariant": "x",
              "default": {"split": [{"variant": "x", "weight": 50}, {"variant": "y", "weight": 50}]}},
        "c": {"variants": {"n": 3}, "enabled": False, "offVariant": "n", "default": {"variant": "n"}},
    }
    s = Store({"schemaVersion": 1, "flags": flags})
    u = Context("user-7")
    res = s.evaluate_all(u)
    assert len(res) == 3 and list(res) == ["a", "b", "c"] and list(res.keys()) == ["a", "b", "c"]
    assert "b" in res and "zz" not in res and 3 not in res
    with pytest.raises(KeyError):
        res["zz"]
    assert res.get("zz") is None
    # Built on first access, then the same object.
    assert res["b"] is res["b"]
    assert res["b"] == s.evaluate("b", u)
    # Built without __init__, but the same as a dataclass built the ordinary way.
    fields = {f: getattr(res["b"], f) for f in flagcore.Evaluation.__dataclass_fields__}
    assert flagcore.Evaluation(**fields) == res["b"] and hash(flagcore.Evaluation(**fields)) == hash(res["b"])
    assert res["b"].variant in ("x", "y") and res["b"].reason is Reason.SPLIT
    assert res["c"].value == 3 and res["c"].reason is Reason.OFF
    plain = dict(res)
    assert type(plain) is dict and plain == {k: s.evaluate(k, u) for k in ("a", "b", "c")}
    assert res == plain and plain == res
    assert [k for k, _ in res.items()] == ["a", "b", "c"]
    assert list(res.values()) == list(plain.values())
    assert pickle.loads(pickle.dumps(res)) == plain
    assert copy.copy(res) == plain
    assert "Evaluation(" in repr(res)
    # A result outlives updates and the store itself (it keeps its config alive) ...
    old = s.evaluate_all(u)
    s.update({"schemaVersion": 1, "flags": {"z": {"enabled": True, "default": {"variant": "off"}}}})
    new = s.evaluate_all(u)
    assert list(new) == ["z"] and new["z"].variant == "off"
    s.close()
    assert list(old) == ["a", "b", "c"] and old["c"].value == 3 and old["a"].value is True
    # ... and the flag keys follow the revision (rollback included).
    s2 = Store({"schemaVersion": 1, "flags": flags})
    s2.evaluate_all(u)
    s2.update(simple(flag="only"))
    assert list(s2.evaluate_all(u)) == ["only"]
    s2.rollback()
    assert list(s2.evaluate_all(u)) == ["a", "b", "c"]
    # Overrides show up without a new revision.
    s2.set_override("b", variant="y")
    r = s2.evaluate_all(u)["b"]
    assert (r.variant, r.value, r.reason) == ("y", "why", Reason.OVERRIDE)
    s2.close()


def test_evaluate_all_with_no_flags_and_growing_configs():
    s = Store({"schemaVersion": 1, "flags": {}})
    assert dict(s.evaluate_all(Context("u"))) == {}
    many = {f"f{i}": {"enabled": True, "default": {"variant": "on"}} for i in range(300)}
    s.update({"schemaVersion": 1, "flags": many})  # more flags than the cached capacity
    res = s.evaluate_all(Context("u"))
    assert len(res) == 300 and all(e.value is True for e in res.values())
    s.close()


def test_evaluation_is_frozen(store):
    e = store.evaluate("speech-backend-ab", Context("u"))
    with pytest.raises(Exception):
        e.variant = "x"  # type: ignore[misc]


def test_update_rollback_and_warnings():
    with Store(simple("on")) as s:
        u = Context("u")
        assert s.revision == 1 and s.is_enabled("f", u)
        r = s.update(simple("off"))
        assert r.revision == 2 and r.warnings == []
        assert not s.is_enabled("f", u)
        assert s.rollback() == 1
        assert s.is_enabled("f", u)
        with pytest.raises(flagcore.NoHistoryError):
            s.rollback()


def test_overrides(store):
    u = Context("user-qa-001", {"appVersion": "2.4.0"})
    store.set_override("speechmatics-direct", kill=True)
    assert not store.is_enabled("speechmatics-direct", u, at=WEEK1)
    assert store.evaluate("speechmatics-direct", u, at=WEEK1).reason is Reason.OVERRIDE
    assert store.clear_override("speechmatics-direct") is True
    assert store.clear_override("speechmatics-direct") is False
    assert store.is_enabled("speechmatics-direct", u, at=WEEK1)
    store.set_override("speech-backend-ab", variant="control")
    assert store.variant("speech-backend-ab", u) == "control"
    with pytest.raises(flagcore.UnknownFlagError):
        store.set_override("nope", kill=True)
    with pytest.raises(flagcore.UnknownVariantError):
        store.set_override("speech-backend-ab", variant="nope")
    with pytest.raises(ValueError):
        store.set_override("speech-backend-ab")


# -- bad input ------------------------------------------------------------------------


def test_invalid_json_is_a_config_error():
    with pytest.raises(flagcore.ConfigError) as info:
        Store("{not json")
    assert isinstance(info.value, flagcore.FlagcoreError)
    [p] = info.value.problems
    assert p.code == "json_syntax" and p.path == "$" and p.severity == "error"


def test_invalid_config_reports_every_problem_with_paths():
    bad = {
        "schemaVersion": 1,
        "flags": {
            "a": {"enabled": "yes", "default": {"variant": "on"}},
            "b": {
                "enabled": True,
                "default": {"split": [{"variant": "on", "weight": 60}, {"variant": "off", "weight": 60}]},
            },
        },
    }
    with pytest.raises(flagcore.ConfigError) as info:
        Store(bad)
    paths = [p.path for p in info.value.problems]
    assert any(p.startswith("$.flags.a.enabled") for p in paths)
    assert any(p.startswith("$.flags.b") for p in paths)
    assert "$.flags.a.enabled" in str(info.value)


def test_bad_update_keeps_last_good(store):
    u = Context("user-qa-001", {"appVersion": "2.4.0"})
    with pytest.raises(flagcore.ConfigError) as info:
        store.update('{"schemaVersion": 1, "flags": {"x": {"enabled": 3}}}')
    assert info.value.problems
    assert store.revision == 1
    assert store.is_enabled("speechmatics-direct", u, at=WEEK1)
    with pytest.raises(flagcore.ConfigError):
        store.update(b"\xff\xfe")


def test_non_utf8_and_empty_keys(store):
    u = Context("user-qa-001", {"appVersion": "2.4.0"})
    # A flag key that is not valid UTF-8 (a lone surrogate) is an unknown flag.
    assert store.is_enabled("\udcff", u) is False
    assert store.variant("\udcff", u) is None
    assert store.evaluate("\udcff", u).error_code is ErrorCode.FLAG_NOT_FOUND
    # An empty flag key is an unknown flag.
    assert store.is_enabled("", u) is False
    e = store.evaluate("", u)
    assert e.reason is Reason.ERROR and e.error_code is ErrorCode.FLAG_NOT_FOUND
    assert e.value is None and e.variant is None
    # An empty context key means no key: splits cannot bucket.
    e = store.evaluate("speech-backend-ab", Context(""))
    assert e.error_code is ErrorCode.TARGETING_KEY_MISSING
    assert store.get_str("speech-backend-ab", Context(""), "fallback") == "fallback"
    # Context values that are not valid UTF-8, or of unsupported types, are refused.
    with pytest.raises(flagcore.ContextError):
        Context("\udcff")
    with pytest.raises(flagcore.ContextError):
        Context("u", {"email": "\udc80@x"})
    with pytest.raises(flagcore.ContextError):
        Context("u", {"nested": {"a": 1}})  # type: ignore[dict-item]
    with pytest.raises(flagcore.ContextError):
        Context(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        store.is_enabled("speechmatics-direct", 42)  # type: ignore[arg-type]
    with pytest.raises(flagcore.ConfigError):
        Store(b"\xc3\x28")


def test_very_large_inputs():
    # A 20,000-flag config loads; a huge key and a huge attribute value evaluate.
    flags = {f"flag-{i}": {"enabled": True, "default": {"variant": "on"}} for i in range(20_000)}
    with Store({"schemaVersion": 1, "flags": flags}) as s:
        big = Context("k" * 1_000_000, {"blob": "x" * 5_000_000})
        assert s.is_enabled("flag-19999", big)
        assert s.is_enabled("a" * 1_000_000, big) is False
        assert len(s.evaluate_all(Context("u"))) == 20_000
    # Deep nesting is refused as a config error, not a crash.
    with pytest.raises(flagcore.ConfigError):
        Store("[" * 100_000 + "]" * 100_000)


def test_use_after_close():
    s = Store(simple())
    u = Context("u")
    with s:
        assert s.is_enabled("f", u)
    assert s.closed
    for call in (
        lambda: s.is_enabled("f", u),
        lambda: s.evaluate("f", u),
        lambda: s.evaluate_all(u),
        lambda: s.update(simple()),
        lambda: s.rollback(),
        lambda: s.revision,
        lambda: s.set_override("f", kill=True),
        lambda: s.variant("f", u),
    ):
        with pytest.raises(flagcore.StoreClosedError):
            call()
    s.close()  # twice is fine
    u.close()
    with pytest.raises(flagcore.StoreClosedError):
        Store(simple()).is_enabled("f", u)
    with pytest.raises(flagcore.StoreClosedError):
        u.set("a", 1)


# -- threads, memory, GIL, fork -------------------------------------------------------


def test_eight_threads_evaluate_while_another_updates():
    on = simple("on")
    off = simple("off")
    two = json.dumps(
        {
            "schemaVersion": 1,
            "flags": {
                "f": {"enabled": True, "default": {"variant": "on"}},
                "g": {"enabled": True, "default": {"variant": "on"}},
            },
        }
    )
    two_off = two.replace('"on"}', '"off"}')
    store = Store(two)
    shared = Context("user-1", {"country": "DE"})
    stop = threading.Event()
    errors: list = []
    counts = [0] * 8

    def reader(i: int) -> None:
        own = Context(f"user-{i}")
        try:
            while not stop.is_set():
                a = store.is_enabled("f", shared)
                b = store.is_enabled("g", own)
                assert isinstance(a, bool) and isinstance(b, bool)
                res = store.evaluate_all(own)
                # Every evaluate_all sees one whole config: f and g agree.
                assert res["f"].value == res["g"].value, res
                counts[i] += 1
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    revisions = []
    for i in range(300):
        revisions.append(store.update(two_off if i % 2 == 0 else two).revision)
        if i % 50 == 0:
            with pytest.raises(flagcore.ConfigError):
                store.update('{"schemaVersion": 1, "flags": {"f": {"enabled": 1}}}')
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors
    assert all(c > 0 for c in counts), counts
    assert revisions == list(range(2, 302))
    assert on and off
    store.close()


def test_million_evaluations_memory_growth_under_1mb(store):
    user = Context("user-42", {"appVersion": "2.4.0", "platform": "ios-web"})
    for _ in range(20_000):  # warm up caches and allocator pools
        store.is_enabled("speechmatics-direct", user)
        store.variant("speech-backend-ab", user)
    gc.collect()
    before = rss_bytes()
    enabled = 0
    for i in range(1_000_000):
        if i % 4 == 0:
            enabled += store.variant("speech-backend-ab", user) == "treatment"
        else:
            enabled += store.is_enabled("speechmatics-direct", user)
    gc.collect()
    growth = rss_bytes() - before
    assert growth < 1_000_000, f"RSS grew by {growth} bytes"
    assert enabled >= 0


def test_snapshots_and_contexts_do_not_leak():
    with Store(simple()) as s:
        for _ in range(2000):
            s.evaluate_all(Context("u", {"a": 1}))
        gc.collect()
        before = rss_bytes()
        for _ in range(50_000):
            s.evaluate("f", {"key": "u", "a": "b"})
        gc.collect()
        assert rss_bytes() - before < 1_000_000


def test_gil_released_during_native_calls():
    # Parsing a large config takes a while in native code; a Python thread must make
    # progress meanwhile, which it cannot if the call holds the GIL.
    flags = {
        f"flag-{i}": {
            "enabled": True,
            "rules": [{"conditions": [{"attribute": "email", "op": "endsWith", "value": f"@c{i}.example"}],
                       "serve": {"variant": "on"}}],
            "default": {"split": [{"variant": "on", "weight": 50}, {"variant": "off", "weight": 50}]},
        }
        for i in range(60_000)
    }
    text = json.dumps({"schemaVersion": 1, "flags": flags})
    ticks: list = []
    stop = threading.Event()

    def ticker() -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter())

    old = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    t = threading.Thread(target=ticker)
    t.start()
    try:
        time.sleep(0.01)
        start = time.perf_counter()
        store = Store(text)  # one native call
        end = time.perf_counter()
    finally:
        stop.set()
        t.join()
        sys.setswitchinterval(old)
    inside = [x for x in ticks if start < x < end]
    assert end - start > 0.05, "the native call was too short to tell"
    # With the GIL held the ticker could not run at all between start and end.
    assert len(inside) > 1000, (len(inside), end - start)
    store.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_usable_after_fork(store):
    u = Context("user-qa-001", {"appVersion": "2.4.0"})
    expected = store.variant("speech-backend-ab", u)
    pid = os.fork()
    if pid == 0:  # child
        ok = store.variant("speech-backend-ab", u) == expected and store.update(simple()).revision == 2
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert store.revision == 1


def test_header_and_cdef_agree():
    # The cdef the module was built from declares every function of the committed header,
    # and the compiled module exposes each of them.
    from flagcore._native import lib

    header = (REPO / "flagcore-ffi" / "include" / "flagcore.h").read_text()
    cdef = (REPO / "flagcore-ffi" / "python" / "flagcore" / "_cdef.h").read_text()
    names = set(re.findall(r"\b(flagcore_\w+)\s*\(", header))
    assert names and names == set(re.findall(r"\b(flagcore_\w+)\s*\(", cdef))
    assert "flagcore_store_plan_decide" in names
    assert [n for n in sorted(names) if not hasattr(lib, n)] == []


def test_variant_names_of_any_length_and_from_many_threads():
    # Names longer than the per-thread buffer take the retry path; names differ per
    # variant so a buffer shared between threads would show up as a wrong answer.
    names = ["v" * 300, "w" * 127, "x" * 128, "short", "ünïcödé-ß"]
    config = {
        "schemaVersion": 1,
        "flags": {
            "many": {
                "enabled": True,
                "variants": {n: n for n in names},
                "offVariant": "short",
                "default": {"split": [{"variant": n, "weight": 20} for n in names]},
            }
        },
    }
    with Store(config) as s:
        users = [Context(f"user-{i}") for i in range(400)]
        expected = [s.evaluate("many", u).variant for u in users]
        assert set(expected) == set(names)
        assert [s.variant("many", u) for u in users] == expected
        errors = []

        def work() -> None:
            for _ in range(20):
                got = [s.variant("many", u) for u in users]
                if got != expected:
                    errors.append(got)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert s.variant("missing", users[0]) is None
        closed = Context("user-1")
        closed.close()
        with pytest.raises(flagcore.StoreClosedError):
            s.variant("many", closed)


def test_from_file_reads_a_bounded_amount(tmp_path):
    # /dev/zero never ends: refused as too_large after the limit + 1 bytes, in bounded memory.
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(flagcore.ConfigError) as e:
        Store.from_file("/dev/zero")
    assert [p.code for p in e.value.problems] == ["too_large"]
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 200 * 1024, grown_kib  # the limit is 64 MiB: nothing near /dev/zero's size


def test_the_agent_example_runs():
    # examples/agent.py is what the README shows Python users: it must keep working.
    import subprocess

    for at in ([], ["--at", "2026-12-15T12:00:00Z"]):
        out = subprocess.run(
            [sys.executable, str(REPO / "examples" / "agent.py"), "--calls", "400", "--threads", "2", *at],
            capture_output=True, text=True, timeout=120,
        )
        assert out.returncode == 0, out.stderr
        assert "speechmatics-direct=" in out.stdout
    # At week 4 the rollout is at 100%: every call that is not a legacy build gets it.
    assert "speechmatics-direct=off" in out.stdout and "90.00%" in out.stdout


def test_invalid_utf8_is_a_config_problem_with_where():
    bad = b'{\n  "a": "\xc3\x28"}'
    with pytest.raises(flagcore.ConfigError) as e:
        Store(bad)
    assert [(p.code, p.path) for p in e.value.problems] == [("invalid_utf8", "$")]
    assert e.value.problems[0].message.startswith("byte 10 (line 2, column 9)")
    with Store.from_file(EXAMPLE) as store:
        with pytest.raises(flagcore.ConfigError) as e:
            store.update(bad)
        assert e.value.problems[0].code == "invalid_utf8"
        assert store.revision == 1  # the last good config keeps serving


def test_the_package_ships_the_config_schema():
    text = flagcore.schema()
    doc = json.loads(text)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert text == (REPO / "schema" / "flagcore.schema.json").read_text(encoding="utf-8")
