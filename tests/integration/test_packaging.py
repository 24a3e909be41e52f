"""A plain (non-editable) install of the wheel into a fresh venv migrates, serves pages and renders PDFs."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed")
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([uv, "build", "--wheel", "-o", str(work / "dist"), "-q", str(ROOT)], check=True)
    wheel = next((work / "dist").glob("concours-*.whl"))
    venv = work / "venv"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    subprocess.run([uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"), str(wheel)], check=True)
    return venv


def test_installed_wheel_migrates_serves_and_renders_pdf(installed: Path, tmp_path: Path) -> None:
    env = dict(os.environ, CONCOURS_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    env.pop("PYTHONPATH", None)
    bin_dir = installed / "bin"
    out = subprocess.run(
        [str(bin_dir / "concours"), "db", "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True, text=True
    )
    assert "up to date" in out.stdout
    # The installed package finds its own resources, not the repository's.
    where = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "from concours.resources import resource_dir as r; print(r('templates'), r('static'), r('migrations'))",
        ],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert str(ROOT) not in where and "site-packages/concours/templates" in where
    # The demo's data files ship in the wheel and load from it.
    demo = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "import concours.demo as d; print(d.__file__, len(d.CARS), len(d.MAIN_CLASSES), d.MAIN_SLUG)",
        ],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "site-packages/concours/demo.py 12 12 lakeside-concours-d-elegance-2026" in demo
    pdf = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "import asyncio, sys; from concours.reports import report_pdf; "
            "from concours.reports.entrant_score import EntrantScoreReport; "
            "sys.stdout.buffer.write(asyncio.run(report_pdf(EntrantScoreReport.sample())))",
        ],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
    ).stdout
    assert pdf.startswith(b"%PDF")
    port = _free_port()
    server = subprocess.Popen(
        [str(bin_dir / "concours"), "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = ""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    body = r.read().decode()
                break
            except OSError:
                time.sleep(0.3)
        if "Concours" not in body:
            server.terminate()
            output = server.communicate(timeout=10)[0].decode(errors="replace")
            raise AssertionError(f"the installed app did not serve its home page:\n{output}")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/js/htmx.min.js", timeout=5) as r:
            assert r.status == 200 and b"htmx" in r.read(200)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
            assert "Organizers" in r.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)
