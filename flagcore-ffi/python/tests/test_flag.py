"""FlagHandle handles (``Store.flag``): the by-key answers, across updates, rollbacks and overrides."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

import flagcore
from flagcore import Context, Store

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "speech-migration.json"
WEEK1 = 1_795_435_200_000


def config(**flags: object) -> str:
    """Flags by key: True/False (a boolean flag serving on/off) or a list of variant names
    (a string flag serving the first)."""
    out = {}
    for key, spec in flags.items():
        if isinstance(spec, list):
            out[key] = {
                "type": "string",
                "variants": {v: v.upper() for v in spec},
                "enabled": True,
                "offVariant": spec[0],
                "default": {"variant": spec[0]},
            }
        else:
            out[key] = {"enabled": True, "default": {"variant": "on" if spec else "off"}}
    return json.dumps({"schemaVersion": 1, "flags": out})


def test_a_handle_answers_as_the_key_does():
    with Store.from_file(EXAMPLE) as store:
        keys = ["speechmatics-direct", "speech-backend-ab", "modal-fallback", "live-captions-ui", "nope"]
        handles = [store.flag(k) for k in keys]
        assert [h.key for h in handles] == keys
        seen = set()
        for u in range(300):
            ctx = Context(f"user-{u}", {"appVersion": "2.4.0" if u % 2 else "2.2.0"})
            at = WEEK1 + u * 86_400_000
            for key, h in zip(keys, handles):
                assert h.is_enabled(ctx, at=at) == store.is_enabled(key, ctx, at=at)
                assert h.variant(ctx, at=at) == store.variant(key, ctx, at=at)
                assert h.variant(ctx, at=at) == store.evaluate(key, ctx, at=at).variant
                seen.add(h.variant(ctx, at=at))
        assert None in seen and len(seen) >= 4  # the missing flag, and several variants
        # Plain dict contexts and no time work as for the key.
        assert handles[1].variant({"key": "u"}) == store.variant("speech-backend-ab", {"key": "u"})


def test_a_handle_follows_updates_rollbacks_and_overrides():
    with Store(config(a=True, b=["x", "y"])) as store:
        a, b, c = store.flag("a"), store.flag("b"), store.flag("c")
        u = Context("u")
        assert (a.is_enabled(u), b.variant(u), c.is_enabled(u), c.variant(u)) == (True, "x", False, None)
        # c added, a removed, b moved and given other variants.
        store.update(config(c=True, x=False, b=["z", "x"]))
        assert (a.is_enabled(u), a.variant(u), b.variant(u), c.is_enabled(u)) == (False, None, "z", True)
        assert store.variant("b", u) == "z"
        store.set_override("b", variant="x")
        assert b.variant(u) == "x" and store.variant("b", u) == "x"
        store.clear_override("b")
        assert store.rollback() == 1
        assert (a.is_enabled(u), b.variant(u), c.is_enabled(u)) == (True, "x", False)
        assert store.variant("b", u) == "x"
        store.close()
        with pytest.raises(flagcore.StoreClosedError):
            a.is_enabled(u)
        with pytest.raises(flagcore.StoreClosedError):
            b.variant(u)


def serving_last(names: list) -> str:
    """A string flag whose variants are ``names`` and which serves the last of them."""
    return json.dumps({"schemaVersion": 1, "flags": {"f": {
        "type": "string", "variants": {v: v for v in names}, "enabled": True, "offVariant": names[0],
        "default": {"variant": names[-1]}}}})


def test_handles_on_threads_while_the_config_changes():
    # Two configs whose served variant sits at different positions: a name looked up with
    # one revision's position in the other's names would be "p" or raise, never "r" / "s".
    configs = [serving_last(["p", "q", "r"]), serving_last(["s"])]
    with Store(configs[0]) as store:
        f = store.flag("f")
        errors = []
        stop = threading.Event()

        def read() -> None:
            u = Context("u")
            try:
                while not stop.is_set():
                    for v in (f.variant(u), store.variant("f", u)):
                        if v not in ("r", "s"):
                            errors.append(v)
            except Exception as e:  # noqa: BLE001 - reported by the assertion below
                errors.append(e)

        threads = [threading.Thread(target=read) for _ in range(3)]
        for t in threads:
            t.start()
        for i in range(300):
            store.update(configs[(i + 1) % 2])
        stop.set()
        for t in threads:
            t.join()
        assert errors == []
        assert f.variant(Context("u")) == "r"  # i = 299: configs[0]
