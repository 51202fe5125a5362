"""Config sources from Python (flagcore.source): the Rust sources running inside the
library, against a 127.0.0.1 server with ETags."""

from __future__ import annotations

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, List

import pytest

import flagcore
from flagcore import Context, Store
from flagcore.source import FileSource, HttpSource, SourceEvent


def config(enabled: bool = True, extra: str = "off") -> str:
    return json.dumps({"schemaVersion": 1, "flags": {
        "kill-me": {"enabled": enabled, "default": {"variant": "on"}},
        "other": {"enabled": True, "variants": {"on": "on", "off": "off"}, "default": {"variant": extra}},
    }})


BAD = '{"schemaVersion": 1, "flags": {"kill-me": {"enabled": "no"}}}'
USER = Context("u")


class ConfigServer:
    """Serves one config with an ETag; can be told to fail."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.version = 1
        self.failing = False
        self.requests: List[Dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                etag = f'"v{server.version}"'
                inm = self.headers.get("If-None-Match")
                server.requests.append({"inm": inm, "auth": self.headers.get("Authorization")})
                if server.failing:
                    self.send_response(503)
                    self.end_headers()
                    return
                if inm == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                data = server.body.encode()
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/flags.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def publish(self, body: str) -> None:
        self.body = body
        self.version += 1

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def server():
    s = ConfigServer(config())
    yield s
    s.stop()


def fast(url: str, **kw: Any) -> HttpSource:
    return HttpSource(url, interval=0.05, max_backoff=0.1, timeout=2, stale_after=0.3, **kw)


def until(source: HttpSource, kind: str, timeout: float = 5.0) -> SourceEvent:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        e = source.next_event(0.1)
        if e is not None and e.type == kind:
            return e
    raise AssertionError(f"no {kind} event; status {source.status}")


def native_threads() -> int:
    """The source threads of this process (named flagcore-http-source, cut to 15 bytes)."""
    names = []
    for tid in os.listdir("/proc/self/task"):
        try:
            names.append(Path(f"/proc/self/task/{tid}/comm").read_text().strip())
        except OSError:
            pass
    return sum(1 for n in names if n.startswith("flagcore-"))


def threads_settle_at(expected: int, timeout: float = 3.0) -> int:
    """Waits until the count is `expected` and returns the last count seen.

    ureq resolves host names on a short-lived thread of its own when a timeout is
    set; that thread inherits the source thread's name, so a single sample may
    count it. The source's own thread is the one that stays.
    """
    deadline = time.monotonic() + timeout
    seen = native_threads()
    while seen != expected and time.monotonic() < deadline:
        time.sleep(0.01)
        seen = native_threads()
    return seen


def test_http_source_updates_refuses_goes_stale_and_recovers(server: ConfigServer) -> None:
    threads = native_threads()
    with fast(server.url, headers={"Authorization": "Bearer t"}) as source:
        assert threads_settle_at(threads + 1) == threads + 1
        store = source.wait_ready(timeout=5)
        assert until(source, "ready").origin == "source"
        assert store.is_enabled("kill-me", USER)
        assert store.evaluate("other", USER).variant == "off"
        assert source.store is store

        server.publish(config(enabled=False, extra="on"))
        e = until(source, "updated")
        assert e.revision == 2 and set(e.changed) == {"kill-me", "other"}
        assert not store.is_enabled("kill-me", USER)
        # The cached snapshot of evaluate() follows the native updates too.
        assert store.evaluate("other", USER).variant == "on"

        server.publish(BAD)
        e = until(source, "refused")
        assert any("enabled" in p.path for p in e.problems), e
        assert "keeps serving" in (e.message or "")
        assert source.status.refused and store.revision == 2
        assert not store.is_enabled("kill-me", USER)

        server.failing = True
        e = until(source, "stale")
        assert e.last_success is not None and e.error
        assert source.status.stale
        server.publish(config())
        server.failing = False
        until(source, "recovered")
        until(source, "updated")
        assert store.is_enabled("kill-me", USER)
        assert all(r["auth"] == "Bearer t" for r in server.requests)
        assert any(r["inm"] for r in server.requests), "conditional requests"
    assert source.closed and not source.status.stale
    # The store outlives its source and keeps serving.
    assert store.is_enabled("kill-me", USER)
    assert threads_settle_at(threads) == threads, "the source's thread is gone"
    n = len(server.requests)
    time.sleep(0.2)
    assert len(server.requests) == n


def test_on_disk_copy_serves_when_started_while_the_server_is_down(server: ConfigServer, tmp_path: Path) -> None:
    copy = tmp_path / "flags.json"
    server.publish(config(enabled=False))
    with fast(server.url, cache_path=copy) as source:
        source.wait_ready(5)
    assert json.loads(copy.read_text()) == json.loads(config(enabled=False))

    server.failing = True
    with fast(server.url, cache_path=copy) as source:
        store = source.store
        assert store is not None, "the copy serves when the source starts"
        assert not store.is_enabled("kill-me", USER)
        assert until(source, "ready").origin == "cache"
        until(source, "stale")
        assert source.status.origin == "cache"


def test_attached_store_and_callbacks(server: ConfigServer) -> None:
    store = Store(config(extra="on"))
    assert store.evaluate("other", USER).variant == "on"  # snapshot cached by the object
    seen: List[SourceEvent] = []
    got = threading.Event()

    def on_event(e: SourceEvent) -> None:
        seen.append(e)
        if e.type == "updated":
            got.set()
        raise RuntimeError("a failing callback does not stop the events")

    with fast(server.url, store=store, on_event=on_event) as source:
        assert source.store is store
        assert got.wait(5), seen
        assert store.evaluate("other", USER).variant == "off"
        with pytest.raises(RuntimeError):
            source.next_event()
    assert not any(t.name.startswith("flagcore-source-events") for t in threading.enumerate())


def test_close_from_the_callback(server: ConfigServer) -> None:
    done = threading.Event()
    holder: Dict[str, HttpSource] = {}

    def on_event(e: SourceEvent) -> None:
        holder["s"].close()
        done.set()

    holder["s"] = source = fast(server.url, on_event=on_event)
    assert done.wait(5)
    assert source.closed
    for t in threading.enumerate():
        if t.name.startswith("flagcore-source-events"):
            t.join(2)
            assert not t.is_alive()


def test_not_ready_and_bad_arguments(server: ConfigServer) -> None:
    server.publish(BAD)
    with fast(server.url) as source:
        with pytest.raises(TimeoutError, match="refused"):
            source.wait_ready(timeout=1)
        assert source.store is None
    with pytest.raises(flagcore.InvalidInputError, match="http"):
        HttpSource("ftp://example.invalid/flags.json")
    with pytest.raises(flagcore.InvalidInputError, match="directory|watch"):
        FileSource("/nonexistent-dir/flags.json")
    with pytest.raises(flagcore.StoreClosedError):
        source.refresh()


def test_file_source_follows_renames_and_refuses_bad_files(tmp_path: Path) -> None:
    path = tmp_path / "flags.json"
    path.write_text(config())
    with FileSource(path, debounce=0.03) as source:
        store = source.store
        assert store is not None and store.is_enabled("kill-me", USER)
        tmp = tmp_path / "flags.json.tmp"
        tmp.write_text(config(enabled=False))
        os.replace(tmp, path)
        assert until(source, "updated").changed == ("kill-me",)
        assert not store.is_enabled("kill-me", USER)
        path.write_text(BAD)
        until(source, "refused")
        assert not store.is_enabled("kill-me", USER)
