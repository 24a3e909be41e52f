"""Helpers tests share: CSRF-carrying posts, accounts, sign-in, outbox reading and delivery, uploads."""

from __future__ import annotations

import asyncio
import io
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from typing import Any

from litestar.testing import TestClient
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import OutboxMessage, ReportDocument, User
from concours.db.engine import Database
from concours.services import outbox
from concours.services.accounts import hash_password
from concours.settings import Settings
from tests.conftest import LINK_RE, run_db

CSRF_COOKIE = "concours_csrf"


@contextmanager
def statements(client: TestClient[Any], *, whole: bool = False) -> Iterator[list[str]]:
    """Every SQL statement the app's engine sends while the block runs (the first word of each, or ``whole``)."""
    seen: list[str] = []
    engines = client.app.state.db.engines()  # SQLite's writer thread has an engine of its own

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement if whole else statement.split(None, 1)[0].upper())

    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)


def csrf(client: TestClient[Any]) -> str:
    token = client.cookies.get(CSRF_COOKIE)
    if token is None:
        client.get("/login")
        token = client.cookies.get(CSRF_COOKIE)
    assert token, "the app did not set a CSRF cookie"
    return token


def post(client: TestClient[Any], url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """A form post as a browser sends it: with the CSRF token in the form."""
    payload = dict(data or {})
    payload["_csrf_token"] = csrf(client)
    return client.post(url, data=payload, follow_redirects=False, **kwargs)


def htmx_post(client: TestClient[Any], url: str, data: dict[str, Any] | None = None) -> Any:
    """A post as htmx sends it: CSRF token in the header."""
    return client.post(
        url, data=data or {}, headers={"x-csrftoken": csrf(client), "hx-request": "true"}, follow_redirects=False
    )


def make_organizer(db_url: str, email: str = "org@example.com", password: str = "correct horse battery") -> int:
    async def go(session: AsyncSession) -> int:
        user = User(
            email=email, name="Olivia Organizer", password_hash=await hash_password(password), is_organizer=True
        )
        session.add(user)
        await session.flush()
        return user.id

    return run_db(db_url, go)


def login(client: TestClient[Any], email: str = "org@example.com", password: str = "correct horse battery") -> None:
    r = post(client, "/login", {"email": email, "password": password})
    assert r.status_code == 303, r.text


def mails(db_url: str, to: str) -> list[OutboxMessage]:
    """Every e-mail queued for ``to``, newest first."""

    async def go(session: AsyncSession) -> list[OutboxMessage]:
        return list(
            (
                await session.scalars(
                    select(OutboxMessage).where(OutboxMessage.to_address == to).order_by(OutboxMessage.id.desc())
                )
            ).all()
        )

    return run_db(db_url, go)


def login_link(db_url: str, to: str) -> str:
    """The newest sign-in link e-mailed to ``to``."""
    for msg in mails(db_url, to):
        match = LINK_RE.search(msg.body_text)
        if match:
            return f"/auth/link/{match.group(1)}"
    raise AssertionError(f"no sign-in link was e-mailed to {to}")


def login_by_link(client: TestClient[Any], db_url: str, email: str) -> None:
    link = login_link(db_url, email)
    assert client.get(link).status_code == 200
    r = post(client, link)
    assert r.status_code == 303, r.text


def find_id(html: str, pattern: str) -> int:
    m = re.search(pattern, html)
    assert m, f"{pattern!r} not found in page"
    return int(m.group(1))


GPS_TAG = 0x8825


def jpeg_with_location(size: tuple[int, int] = (640, 480)) -> bytes:
    img = Image.new("RGB", size, (150, 20, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_TAG] = {1: "N", 2: (51.0, 22.0, 53.0), 3: "W", 4: (2.0, 21.0, 36.0)}
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def image_bytes(fmt: str, size: tuple[int, int] = (320, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA" if fmt == "PNG" else "RGB", size, (10, 90, 160)).save(out, format=fmt)
    return out.getvalue()


def post_multipart(
    client: TestClient[Any], url: str, data: dict[str, Any], files: list[tuple[str, tuple[str, bytes, str]]]
) -> Any:
    """A multipart form as a browser sends it: the CSRF token as the ``_csrf_token`` field."""
    payload = dict(data, _csrf_token=csrf(client))
    return client.post(url, data=payload, files=files or None, follow_redirects=False)


def photo(name: str, data: bytes, content_type: str = "image/jpeg") -> tuple[str, tuple[str, bytes, str]]:
    return ("photos", (name, data, content_type))


class Inbox:
    """An SMTP handler (aiosmtpd) that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def deliver(settings: Settings) -> int:
    """Send what the outbox holds, as the app's delivery worker does; how many went."""

    async def go() -> int:
        db = Database.connect(settings.database_url)
        try:
            return await outbox.deliver_pending(settings, db.write)
        finally:
            await db.dispose()

    return asyncio.run(go())


def drawn_images(page: Any) -> list[Any]:
    """The images a PDF page (pypdf) draws (WeasyPrint shares one resource dictionary between pages)."""
    names = {n.decode() for n in re.findall(rb"/([\w.]+) Do", page.get_contents().get_data())}
    return [im for im in page.images if im.name.rsplit(".", 1)[0] in names]


def pdf_pages_text(pdf: bytes) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages]


def make_document(organizer: TestClient[Any], event_id: int, document: str) -> tuple[str, bytes]:
    """Start a document from the documents page (a job), follow it to its progress page and download it."""
    r = post(organizer, f"/organizer/events/{event_id}/documents", {"document": document})
    assert r.status_code == 303, r.text
    job = r.headers["location"]
    assert re.fullmatch(r"/jobs/\d+", job)
    page = organizer.get(job)
    assert page.status_code == 200 and f'href="{job}/document.pdf"' in page.text, page.text  # ready: its download
    pdf = organizer.get(f"{job}/document.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    return job, pdf.content


def stored_copies(db_url: str) -> int:
    async def go(session: AsyncSession) -> int:
        return await session.scalar(select(func.count()).select_from(ReportDocument)) or 0

    return run_db(db_url, go)
