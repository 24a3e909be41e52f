"""``concours serve`` keeps a tablet's idle connection open between saves (uvicorn's own default closed it after 5 s:
nearly every save then opened a new connection, and one sent as the server closed it failed)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from concours.cli import KEEP_ALIVE_SECONDS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_idle_connection_outlives_uvicorns_five_seconds(tmp_path: Path) -> None:
    assert KEEP_ALIVE_SECONDS > 60
    port = _free_port()
    env = dict(
        os.environ,
        CONCOURS_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'k.db'}",
        CONCOURS_MEDIA_DIR=str(tmp_path / "media"),
    )
    server = subprocess.Popen(
        [sys.executable, "-c", "import sys; from concours.cli import main; sys.exit(main(sys.argv[1:]))"]
        + ["serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        connection = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                break
            except OSError:
                connection = None
                time.sleep(0.2)
        assert connection is not None, "the server did not start"
        first = connection.getresponse()
        first.read()
        assert first.status == 200
        local = connection.sock.getsockname()
        time.sleep(6.5)  # longer than uvicorn's default keep-alive
        connection.request("GET", "/healthz")  # on the same socket: http.client would not reconnect silently
        second = connection.getresponse()
        second.read()
        assert second.status == 200 and connection.sock.getsockname() == local
        connection.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
