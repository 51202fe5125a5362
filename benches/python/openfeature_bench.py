"""What the OpenFeature layer costs in Python: flagcore's own API against the
openfeature-sdk client with flagcore.openfeature.FlagcoreProvider, same flags, same user.

    target/py-ffi/bin/python benches/python/openfeature_bench.py [--quick]
"""

import json
import sys
import timeit

from openfeature import api
from openfeature.evaluation_context import EvaluationContext

import flagcore
from flagcore.openfeature import FlagcoreProvider

QUICK = "--quick" in sys.argv
CONFIG = {"schemaVersion": 1, "flags": {
    "bool-on": {"enabled": True, "default": {"variant": "on"}},
    "split-70-30": {"enabled": True, "variants": {"control": "modal", "treatment": "speechmatics"},
                    "offVariant": "control",
                    "default": {"split": [{"variant": "control", "weight": 70}, {"variant": "treatment", "weight": 30}]}},
}}
AT = 1_795_435_200_000
store = flagcore.Store(json.dumps(CONFIG))
user = flagcore.Context("user-42", {"country": "DE", "appVersion": "2.4.0"})
provider = FlagcoreProvider(CONFIG, now=lambda: AT)
api.set_provider(provider, "bench")
client = api.get_client("bench")
ctx = EvaluationContext("user-42", {"country": "DE", "appVersion": "2.4.0"})


def ns(fn, n=200 if QUICK else 20_000, repeat=2 if QUICK else 7):
    return sorted(t / n * 1e9 for t in timeit.repeat(fn, number=n, repeat=repeat))[repeat // 2]


print(f"python {sys.version.split()[0]}{' (quick: not a measurement)' if QUICK else ''}")
for flag, get, default in (("bool-on", "boolean", False), ("split-70-30", "string", "control")):
    rows = [
        ("flagcore Store.evaluate (own API, reused Context)", lambda: store.evaluate(flag, user, at=AT)),
        (f"flagcore Store.get_{'bool' if get == 'boolean' else 'str'} (own API, value only)",
         lambda: getattr(store, "get_bool" if get == "boolean" else "get_str")(flag, user, default, at=AT)),
        (f"openfeature-sdk client.get_{get}_details", lambda: getattr(client, f"get_{get}_details")(flag, default, ctx)),
    ]
    for what, fn in rows:
        print(f"{flag:<12} {what:<60} {ns(fn):>10.1f} ns")
