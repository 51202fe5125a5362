#!/usr/bin/env python3
"""A voice agent's provider choice, per call, with the speech-backend migration config.

Each simulated call picks the speech provider the way a real agent would: the
`speech-backend-ab` experiment decides Modal or Speechmatics, `speechmatics-direct`
decides whether to open the Speechmatics socket directly, `transcription-chunk-ms` sets the
audio chunk size. Calls come from several worker threads sharing one store, and the agent
prints the split it observed next to the configured one.

    pip install ./flagcore-ffi/python
    python examples/agent.py [--calls 20000] [--threads 4] [--at 2026-11-30T12:00:00Z]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import threading
from pathlib import Path

import flagcore

CONFIG = Path(__file__).resolve().parent / "speech-migration.json"


def parse_time(text: str) -> int:
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=20_000, help="number of simulated calls")
    ap.add_argument("--threads", type=int, default=4, help="worker threads")
    ap.add_argument("--at", default=None, help="evaluation time (RFC 3339); default: now")
    args = ap.parse_args()
    at = parse_time(args.at) if args.at else None

    store = flagcore.Store.from_file(CONFIG)
    seen: collections.Counter = collections.Counter()
    lock = threading.Lock()
    failures: list = []

    def worker(first: int, step: int) -> None:
        local: collections.Counter = collections.Counter()
        try:
            for i in range(first, args.calls, step):
                # One context per user, built once per call and reused for every flag; the
                # time goes with each call (a context holds none).
                platform = ("ios-web", "android-web", "desktop", "ios-app")[i % 4]
                app = "2.2.0" if i % 10 == 0 else "2.4.1"
                user = flagcore.Context(f"user-{i}", {"platform": platform, "appVersion": app})
                provider = store.get_str("speech-backend-ab", user, "modal", at=at)
                direct = store.is_enabled("speechmatics-direct", user, at=at)
                chunk = store.get_number("transcription-chunk-ms", user, 250, at=at)
                local[f"provider={provider}"] += 1
                local[f"speechmatics-direct={'on' if direct else 'off'}"] += 1
                local[f"chunk={chunk}ms"] += 1
        except Exception as e:  # reported after join: a worker's failure fails the agent
            with lock:
                failures.append(e)
            raise
        with lock:
            seen.update(local)

    threads = [threading.Thread(target=worker, args=(t, args.threads)) for t in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit(f"agent: {len(failures)} worker(s) failed: {failures[0]!r}")

    when = args.at or "now"
    print(f"flagcore {flagcore.__version__}: {args.calls} calls on {args.threads} threads, at {when}")
    for name in sorted(seen):
        print(f"  {name:<28} {seen[name]:>7}  {100 * seen[name] / args.calls:6.2f}%")
    # Users on app builds before 2.3.0 (10% here) always get control; the rest split 70/30.
    expected = 0.9 * 30.0
    observed = 100 * seen["provider=speechmatics"] / args.calls
    print(f"  expected speechmatics share: {expected:.1f}% (90% of users x 30%), observed {observed:.2f}%")
    store.close()


if __name__ == "__main__":
    main()
