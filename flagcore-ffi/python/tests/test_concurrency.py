"""Threads share one Context without a lock; fork() while threads evaluate never hangs;
every failure code of the C ABI maps to an exception with the same code name."""

import os
import signal
import threading
import time

import flagcore
from flagcore import Context, Store
from flagcore._native import ffi, lib

STAGED = {
    "schemaVersion": 1,
    "flags": {
        "f": {"enabled": True, "default": {"stages": [{"variant": "off"}, {"from": 1000, "variant": "on"}]}},
        "g": {"enabled": True, "default": {"split": [{"variant": "on", "weight": 50}, {"variant": "off", "weight": 50}]}},
    },
}


def test_threads_share_one_context_at_different_times():
    store = Store(STAGED)
    ctx = Context("user-1", {"plan": "pro"})
    wrong = []
    start = threading.Barrier(4)

    def reader(at, want):
        start.wait()
        for _ in range(20_000):
            if store.is_enabled("f", ctx, at=at) is not want:
                wrong.append(at)

    threads = [threading.Thread(target=reader, args=(at, at >= 1000)) for at in (0, 999, 1000, 5000)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_fork_while_threads_evaluate_never_hangs():
    store = Store(STAGED)
    ctx = Context("user-1", {"plan": "pro"})
    stop = threading.Event()

    def busy():
        while not stop.is_set():
            store.is_enabled("f", ctx, at=2000)
            store.evaluate("g", ctx)
            ctx.set("n", 1)

    threads = [threading.Thread(target=busy) for _ in range(4)]
    for t in threads:
        t.start()
    hung = 0
    wrong = 0
    try:
        for _ in range(50):
            pid = os.fork()
            if pid == 0:  # the child: evaluate with the shared context, then leave at once
                ok = store.is_enabled("f", ctx, at=2000) and store.evaluate("g", ctx).variant in ("on", "off")
                os._exit(0 if ok else 3)
            deadline = time.monotonic() + 10
            while True:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    wrong += os.waitstatus_to_exitcode(status) != 0
                    break
                if time.monotonic() > deadline:
                    hung += 1
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    break
                time.sleep(0.001)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert (hung, wrong) == (0, 0)


def _c_codes():
    """Every failure code the C ABI names: (number, name without the prefix)."""
    codes = []
    n = 1
    while True:
        name = ffi.string(lib.flagcore_result_name(n)).decode()
        if name == "FLAGCORE_RESULT_UNKNOWN":
            return codes
        codes.append((n, name[len("FLAGCORE_RESULT_"):]))
        n += 1


def test_every_failure_code_has_an_exception_with_its_name():
    codes = _c_codes()
    assert len(codes) >= 20
    for number, name in codes:
        assert getattr(lib, "FLAGCORE_RESULT_" + name) == number
        assert number in flagcore._ERROR_CLASSES, name
        e = flagcore._error(number, "message")
        assert isinstance(e, flagcore.FlagcoreError)
        assert e.code == name, (e.code, name)
    assert set(flagcore._ERROR_CLASSES) == {n for n, _ in codes}


def test_overridden_and_stale_have_the_same_code_as_every_binding():
    store = Store(STAGED | {"flags": {**STAGED["flags"], "p": {
        "enabled": True, "default": {"split": [{"variant": "on", "weight": 5}, {"variant": "off", "weight": 95}]},
        "plan": {"stages": [{"percentage": 5}, {"percentage": 50}, {"percentage": 100}]}}}})
    advance = {"decision": "ADVANCE", "fromStage": 0, "stage": 1, "percentage": 50}
    assert store.apply_decision("p", advance) == 2
    try:
        store.apply_decision("p", advance)  # replayed
        raise AssertionError("a replayed ADVANCE was applied")
    except flagcore.PlanError as e:
        assert e.code == "STALE_DECISION"
    store.set_override("p", kill=True)
    try:
        store.apply_decision("p", {"decision": "ADVANCE", "fromStage": 1, "stage": 2, "percentage": 100})
        raise AssertionError("an ADVANCE of a killed flag was applied")
    except flagcore.PlanError as e:
        assert e.code == "OVERRIDDEN"
    assert store.revision == 2
