"""Static files under versioned URLs: ``static_url("css/concours.css")`` → ``/static/css/concours.css?v=<hash>``.

The version is a hash of the file's content, so a URL names one content forever: a response to a request
carrying the current version is cached by browsers for a year (``immutable``); any other request (no
version, or an old one) is revalidated. Static responses never carry a cookie (CSRF skips ``/static/``).
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import threading
from pathlib import Path
from typing import Any

from litestar import get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import File

from concours.resources import resource_dir

STATIC_PREFIX = "/static/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_versions: dict[str, tuple[int, str]] = {}
_lock = threading.Lock()


def _root() -> Path:
    return resource_dir("static")


def static_version(path: str) -> str:
    """The first 12 hex digits of the SHA-256 of ``static/<path>`` (re-read only when the file changes)."""
    file = _root() / path
    stamp = os.stat(file).st_mtime_ns
    with _lock:
        known = _versions.get(path)
    if known is not None and known[0] == stamp:
        return known[1]
    version = hashlib.sha256(file.read_bytes()).hexdigest()[:12]
    with _lock:
        _versions[path] = (stamp, version)
    return version


def static_url(path: str) -> str:
    path = path.lstrip("/")
    return f"{STATIC_PREFIX}{path}?v={static_version(path)}"


# A file route: no schema, no thread (the file is streamed), nothing to protect from cross-site posts.
_FILE_ROUTE: dict[str, Any] = {"include_in_schema": False, "sync_to_thread": False, "opt": {"exclude_from_csrf": True}}


def _file(path: Path, media_type: str, cache: str) -> File:
    return File(
        path=path,
        filename=path.name,
        media_type=media_type,
        content_disposition_type="inline",
        headers={"cache-control": cache},
    )


@get("/static/{path:path}", name="static", **_FILE_ROUTE)
def static_file(path: FromPath[str], v: FromQuery[str | None] = None) -> File:
    """A file under ``static/``; cached for a year when asked for by its current versioned URL."""
    root = _root().resolve()
    file = (root / path.lstrip("/")).resolve()
    if not file.is_relative_to(root) or not file.is_file():
        raise NotFoundException()
    relative = file.relative_to(root).as_posix()
    cache = IMMUTABLE if v is not None and static_version(relative) == v else REVALIDATE
    media_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if media_type.startswith("text/") or media_type == "application/javascript":
        media_type += "; charset=utf-8"
    return _file(file, media_type, cache)


@get("/judging/sw.js", name="service_worker", **_FILE_ROUTE)
def service_worker() -> File:
    """The judge's offline service worker (``static/js/sw.js``), served under /judging/ so that its scope covers
    the judge's pages; always revalidated, so a new version reaches the tablets at their next visit."""
    return _file(_root() / "js" / "sw.js", "application/javascript; charset=utf-8", REVALIDATE)
