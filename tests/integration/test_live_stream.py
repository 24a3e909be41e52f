"""The live page's event stream on a real server (uvicorn; the test client cannot stream): each connection
starts with what has been presented and nothing more; a reveal arrives at once; a dropped connection re-syncs.
On PostgreSQL, two app workers in separate processes on one database: a reveal made through one reaches an
event-stream client of the other (LISTEN/NOTIFY)."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from concours.app import create_app
from concours.settings import Settings
from tests.conftest import TEST_SECRET, run_db
from tests.scenes import Show, seed_show

SESSION_COOKIE = "concours_session"


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def _wait_healthy(base: str, alive: Any, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:  # noqa: S310 - local URL
                if r.status == 200:
                    return
        except OSError:
            pass
        if not alive():
            break
        time.sleep(0.1)
    raise RuntimeError(f"the server at {base} did not start")


@pytest.fixture
def server(settings: Settings) -> Iterator[tuple[str, Settings]]:
    sock = _free_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    live_settings = replace(settings, base_url=base)
    uv = uvicorn.Server(uvicorn.Config(app=create_app(live_settings, run_outbox=False), log_level="warning"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        _wait_healthy(base, thread.is_alive)
        yield base, live_settings
    finally:
        uv.should_exit = True
        thread.join(timeout=20)
        sock.close()


class Listener:
    """An event-stream client in a thread: (event, data) pairs land in ``events``."""

    def __init__(self, url: str) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._client = httpx.Client(timeout=httpx.Timeout(60.0, connect=10.0))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(url,), daemon=True)
        self._thread.start()

    def _run(self, url: str) -> None:
        try:
            with self._client.stream("GET", url, headers={"accept": "text/event-stream"}) as r:
                self.events.put(("status", r.status_code))
                kind, data = "message", ""
                for line in r.iter_lines():
                    if self._stop.is_set():
                        return
                    if line.startswith("event:"):
                        kind = line[6:].strip()
                    elif line.startswith("data:"):
                        data += line[5:].strip()
                    elif line == "":
                        if data:
                            self.events.put((kind, json.loads(data)))
                        kind, data = "message", ""
        except (httpx.HTTPError, RuntimeError):
            return

    def next(self, kind: str, timeout: float = 15.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            got_kind, data = self.events.get(timeout=max(deadline - time.monotonic(), 0.01))
            if got_kind == kind:
                return data

    def close(self) -> None:
        self._stop.set()
        self._client.close()


def _show(db_url: str, settings: Settings) -> Show:
    return run_db(db_url, lambda s: seed_show(s, settings, private_owner=102))


def _organizer(base: str, show: Show) -> httpx.Client:
    c = httpx.Client(base_url=base, cookies={SESSION_COOKIE: show.organizer_token}, follow_redirects=False)
    c.get("/login")
    return c


def _post(c: httpx.Client, path: str, data: dict[str, str] | None = None) -> httpx.Response:
    token = c.cookies.get("concours_csrf")
    return c.post(path, data={**(data or {}), "_csrf_token": token or ""})


def _line_ids(c: httpx.Client, show: Show) -> list[int]:
    import re

    page = c.get(f"/organizer/events/{show.event_id}/ceremony").text
    return [int(x) for x in re.findall(r'<tr id="line-(\d+)"', page)]


def test_stream_starts_with_the_presented_state_and_reveals_at_once(server: tuple[str, Settings], db_url: str) -> None:
    base, settings = server
    show = _show(db_url, settings)
    org = _organizer(base, show)
    assert _post(org, f"/organizer/events/{show.event_id}/ceremony/build").status_code == 303
    ids = _line_ids(org, show)
    listener = Listener(f"{base}/events/{show.slug}/live/stream")
    try:
        assert listener.next("status") == 200
        state = listener.next("state")
        assert state == {"count": 0, "lines": []}  # nothing before the first "presented"
        assert _post(org, f"/organizer/ceremony/lines/{ids[0]}/present").status_code == 303
        reveal = listener.next("reveal", timeout=5)
        assert reveal["count"] == 1 and reveal["line"]["award"].endswith("3rd in class")
        assert reveal["line"]["car_number"] == 103 and reveal["line"]["car_url"].endswith("/cars/103")
        # The whole message, not just the award: nothing about the lines still to come.
        raw = json.dumps(reveal)
        assert "2nd in class" not in raw and "Best of Show" not in raw and "Sponsor" not in raw
        _post(org, f"/organizer/ceremony/lines/{ids[1]}/present")
        second = listener.next("reveal", timeout=5)
        assert second["count"] == 2 and second["line"]["owner"] == ""  # car 102's owner is private
    finally:
        listener.close()
    # A dropped connection: a new one starts with both presented lines.
    again = Listener(f"{base}/events/{show.slug}/live/stream")
    try:
        state = again.next("state")
        assert [ln["car_number"] for ln in state["lines"]] == [103, 102] and state["count"] == 2
        assert "1st in class" not in json.dumps(state)
    finally:
        again.close()
        org.close()


def _worker(base_url: str, database_url: str, sock: socket.socket, media: Path) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        CONCOURS_DATABASE_URL=database_url,
        CONCOURS_SECRET_KEY=TEST_SECRET,
        CONCOURS_ENV="test",
        CONCOURS_BASE_URL=base_url,
        CONCOURS_MEDIA_DIR=str(media),
    )
    port = sock.getsockname()[1]
    sock.close()  # the worker binds it; a race with another process taking it is unlikely on loopback
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "concours.app:create_app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )


def test_two_workers_on_postgresql_share_reveals(db_url: str, settings: Settings, tmp_path: Path) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("several workers share reveals through PostgreSQL LISTEN/NOTIFY; run with a PostgreSQL URL")
    socks = [_free_socket(), _free_socket()]
    bases = [f"http://127.0.0.1:{s.getsockname()[1]}" for s in socks]
    show = _show(db_url, replace(settings, base_url=bases[0]))
    workers = [_worker(base, db_url, sock, tmp_path / "media") for base, sock in zip(bases, socks, strict=True)]
    listener: Listener | None = None
    try:
        for base, proc in zip(bases, workers, strict=True):
            _wait_healthy(base, lambda p=proc: p.poll() is None)
        assert {w.pid for w in workers} and workers[0].pid != workers[1].pid
        listener = Listener(f"{bases[1]}/events/{show.slug}/live/stream")  # a spectator on worker 2
        assert listener.next("state")["count"] == 0
        org = _organizer(bases[0], show)  # the organizer on worker 1
        assert _post(org, f"/organizer/events/{show.event_id}/ceremony/build").status_code == 303
        ids = _line_ids(org, show)
        assert _post(org, f"/organizer/ceremony/lines/{ids[0]}/present").status_code == 303
        reveal = listener.next("reveal", timeout=10)
        assert reveal["count"] == 1 and reveal["line"]["car_number"] == 103
        org.close()
    finally:
        if listener is not None:
            listener.close()
        for proc in workers:
            proc.terminate()
        for proc in workers:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_chief_board_is_told_when_a_sheet_is_saved_or_submitted(server: tuple[str, Settings], db_url: str) -> None:
    """The board's notices are gathered: a burst of saves on two cars arrives as a notice (or two) naming the cars."""
    import re

    from tests.scenes import seed_scoring

    base, settings = server
    seeded = run_db(db_url, lambda s: seed_scoring(s, settings, judges=1, cars=2))
    entry, other_entry = seeded.entries[0], seeded.entries[1]
    judge = httpx.Client(base_url=base, cookies={SESSION_COOKIE: seeded.judge_tokens[0]}, follow_redirects=False)
    with httpx.Client(base_url=base, cookies={SESSION_COOKIE: seeded.judge_tokens[0]}) as other:
        # A judge is not the chief judge: no stream for them.
        assert other.get(f"/chief/events/{seeded.event_id}/stream").status_code == 403
    with httpx.Client(base_url=base) as anonymous:
        assert anonymous.get(f"/chief/events/{seeded.event_id}/stream").status_code in (303, 401)  # sign in first
    chief_url = f"{base}/chief/events/{seeded.event_id}/stream"
    board = httpx.Client(cookies={SESSION_COOKIE: seeded.organizer_token})
    page = board.get(chief_url.replace("/stream", ""))
    assert page.status_code == 200 and f'data-board-stream="/chief/events/{seeded.event_id}/stream"' in page.text
    assert "every 20s" not in page.text
    events: queue.Queue[str] = queue.Queue()

    def listen() -> None:
        try:
            with board.stream("GET", chief_url, headers={"accept": "text/event-stream"}) as r:
                events.put(f"status {r.status_code}")
                name = ""
                for line in r.iter_lines():
                    if line.startswith("event:"):
                        name = line[6:].strip()
                    elif line.startswith("data:") and name:
                        events.put(f"{name} {line[5:].strip()}")
                        name = ""
        except httpx.HTTPError:
            return

    threading.Thread(target=listen, daemon=True).start()
    try:
        assert events.get(timeout=15) == "status 200"
        sheet = judge.get(f"/judging/entries/{entry}").text
        cats = [int(x) for x in re.findall(r'/lines/(\d+)"', sheet)]
        token = judge.cookies.get("concours_csrf") or ""
        headers = {"x-csrftoken": token, "hx-request": "true"}
        burst = [entry, other_entry] * 3
        for n, car in enumerate(burst):
            r = judge.post(
                f"/judging/entries/{car}/lines/{cats[0]}", data={"value": str(n), "change_id": f"x{n}"}, headers=headers
            )
            assert r.status_code == 200, r.text
        notices = [events.get(timeout=5)]
        with contextlib.suppress(queue.Empty):
            while True:
                notices.append(events.get(timeout=1.5))
        named: set[int] = set()
        for notice in notices:
            name, data = notice.split(" ", 1)
            assert name == "changed"
            named |= set(json.loads(data)["entry_ids"])
        assert named == {entry, other_entry}
        assert len(notices) < len(burst), notices  # gathered: not one notice a save
    finally:
        board.close()
        judge.close()
