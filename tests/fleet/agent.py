"""A voice agent as the fleet test runs it (scripts/test-fleet): keeps its flags up to
date with flagcore.source.HttpSource and prints one JSON line per source event and one
every 200 ms with what it serves. SIGTERM closes the source and exits.

Usage: python agent.py <name> <url> <on-disk copy>
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from typing import Any, Dict, Optional

import flagcore
from flagcore.source import HttpSource, SourceEvent

name, url, copy = sys.argv[1:4]
user = flagcore.Context("user-qa-001")
lock = threading.Lock()


def rss_kb() -> Optional[int]:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def serving(source: HttpSource) -> Dict[str, Any]:
    store = source.store
    if store is None:
        return {"on": None, "seq": None, "revision": None}
    return {
        "on": store.is_enabled("speechmatics-direct", user),
        "seq": store.get_number("fleet-seq", user, -1),
        "revision": store.revision,
    }


def emit(kind: str, event: Optional[SourceEvent]) -> None:
    line: Dict[str, Any] = {"proc": name, "t": int(time.time() * 1000), "kind": kind,
                            "stale": source.status.stale if not source.closed else None,
                            "rss": rss_kb(), "event": None}
    if event is not None:
        line["event"] = {"type": event.type, "revision": event.revision, "origin": event.origin,
                         "changed": list(event.changed), "problems": [p.path for p in event.problems]}
    line.update(serving(source))
    with lock:
        print(json.dumps(line), flush=True)


def on_event(event: SourceEvent) -> None:
    constructed.wait()  # the first event (ready from the copy) can come before `source` is set
    emit("event", event)


stop = threading.Event()
constructed = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
source = HttpSource(url, interval=1.0, timeout=2.0, max_backoff=2.0, stale_after=3.0,
                    cache_path=copy, on_event=on_event)
constructed.set()
with source:
    while not stop.wait(0.2):
        emit("tick", None)
print(json.dumps({"proc": name, "kind": "closed", "t": int(time.time() * 1000)}), flush=True)
