"""Uploads: a post over the upload budget shows the form again with what was typed; photos chosen before a
form error are kept as pending uploads and attached when the form succeeds; `concours media clean` removes
files no record refers to."""

from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.cli import main
from concours.db import Entry, VehiclePhoto
from concours.services import pending_uploads
from concours.settings import Settings
from concours.web.uploads import UPLOAD_BUDGET
from tests.conftest import run_db
from tests.helpers import csrf
from tests.scenes import APPLICATION, set_up_event

TOKEN_RE = re.compile(r'name="pending_photos" value="([0-9a-f]{32})"')


def jpeg(size: tuple[int, int] = (640, 480), colour: tuple[int, int, int] = (150, 20, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG")
    return out.getvalue()


def send(client: TestClient[Any], url: str, data: dict[str, Any], files: list[tuple[str, bytes]] | None = None) -> Any:
    payload = dict(data, _csrf_token=csrf(client))
    multipart = [("photos", (name, body, "image/jpeg")) for name, body in files or []]
    if not multipart:
        multipart = [("photos", ("", b"", "application/octet-stream"))]  # what a browser sends for no file
    return client.post(url, data=payload, files=multipart, follow_redirects=False)


def counts(db_url: str) -> tuple[int, int]:
    async def go(session: AsyncSession) -> tuple[int, int]:
        entries = await session.scalar(select(func.count()).select_from(Entry))
        photos = await session.scalar(select(func.count()).select_from(VehiclePhoto))
        return int(entries or 0), int(photos or 0)

    return run_db(db_url, go)


def test_a_post_over_the_budget_keeps_the_typed_fields(client: TestClient[Any], db_url: str) -> None:
    ev = set_up_event(client, db_url)
    url = f"/events/{ev['slug']}/apply"
    huge = os.urandom(UPLOAD_BUDGET + 1024)  # more than one sending may carry
    r = send(
        client, url, dict(APPLICATION, history="Kept: typed on a phone"), [("small.jpg", jpeg()), ("huge.jpg", huge)]
    )
    assert r.status_code == 400, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    assert "These photos did not arrive: huge.jpg" in r.text and 'id="e-photos"' in r.text
    assert 'value="Talbot-Lago"' in r.text and "Kept: typed on a phone" in r.text and 'value="90034"' in r.text
    token = TOKEN_RE.search(r.text)
    assert token, "the photo that did arrive is kept"
    assert counts(db_url) == (0, 0)  # nothing saved
    # The application goes through once sent again, with the kept photo attached.
    r = send(client, url, dict(APPLICATION, pending_photos=token.group(1)))
    assert r.status_code == 200, r.text[:500]
    assert counts(db_url) == (1, 1)


def test_photos_chosen_before_a_form_error_are_kept_and_attached(
    client: TestClient[Any], db_url: str, settings: Settings
) -> None:
    ev = set_up_event(client, db_url)
    url = f"/events/{ev['slug']}/apply"
    bad = dict(APPLICATION, make="")
    r = send(client, url, bad, [("front.jpg", jpeg()), ("side.jpg", jpeg(colour=(0, 90, 20))), ("note.txt", b"hello")])
    assert r.status_code == 400
    assert 'id="e-make"' in r.text  # the field's own error
    assert "note.txt is not a JPEG, PNG or WebP photo" in r.text
    match = TOKEN_RE.search(r.text)
    assert match
    token = match.group(1)
    assert "Kept from your last try: 2 photos" in r.text
    thumbs = re.findall(rf'src="(/pending-photos/{token}/[0-9a-f]{{16}})"', r.text)
    assert len(thumbs) == 2
    img = client.get(thumbs[0])
    assert img.status_code == 200 and img.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(img.content)).format == "JPEG"
    assert client.get(f"/pending-photos/{'0' * 32}/{'0' * 16}").status_code == 404
    assert client.get("/pending-photos/..%2F..%2Fetc/passwd").status_code == 404
    assert counts(db_url) == (0, 0)

    # Second try: still an error elsewhere, one kept photo left out, a new one added.
    keys = [t.rsplit("/", 1)[1] for t in thumbs]
    r = send(client, url, dict(bad, pending_photos=token, drop_pending=keys[0]), [("rear.jpg", jpeg(colour=(9, 9, 9)))])
    assert r.status_code == 400 and "Kept from your last try: 2 photos" in r.text
    assert TOKEN_RE.search(r.text).group(1) == token  # type: ignore[union-attr]

    r = send(client, url, dict(APPLICATION, pending_photos=token))
    assert r.status_code == 200, r.text[:500]
    assert counts(db_url) == (1, 2)
    assert pending_uploads.items(settings, token) == []  # attached, so no longer pending
    assert not (pending_uploads.pending_root(settings) / token).exists()


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_media_clean_removes_orphans_and_stale_pending_uploads(
    client: TestClient[Any], db_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    ev = set_up_event(client, db_url)
    r = send(client, f"/events/{ev['slug']}/apply", APPLICATION, [("front.jpg", jpeg())])
    assert r.status_code == 200
    photo_dir = settings.media_dir / "photos"
    kept = sorted(p.name for p in photo_dir.iterdir())
    assert len(kept) == 2  # the photo and its thumbnail
    orphan, fresh_orphan = photo_dir / f"{'a' * 32}.jpg", photo_dir / f"{'b' * 32}.jpg"
    orphan.write_bytes(b"x" * 100)
    fresh_orphan.write_bytes(b"x" * 100)
    _age(orphan, 2 * 3600)
    for p in photo_dir.iterdir():
        if p != fresh_orphan:
            _age(p, 2 * 3600)
    stale = pending_uploads.pending_root(settings) / ("c" * 32)
    recent = pending_uploads.pending_root(settings) / ("d" * 32)
    for folder in (stale, recent):
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text("[]")
    _age(stale, 2 * 86400)

    monkeypatch.setenv("CONCOURS_DATABASE_URL", db_url)
    monkeypatch.setenv("CONCOURS_MEDIA_DIR", str(settings.media_dir))
    assert main(["media", "clean", "--dry-run"]) == 0
    assert "would remove 1 orphan photo files and 1 stale pending uploads" in capsys.readouterr().out
    assert orphan.exists() and stale.exists()
    assert main(["media", "clean"]) == 0
    assert "removed 1 orphan photo files and 1 stale pending uploads" in capsys.readouterr().out
    assert not orphan.exists() and not stale.exists()
    assert fresh_orphan.exists() and recent.exists()  # too recent: maybe a request still committing
    assert sorted(p.name for p in photo_dir.iterdir() if p != fresh_orphan) == kept
    assert client.get(f"/events/{ev['slug']}").status_code == 200
