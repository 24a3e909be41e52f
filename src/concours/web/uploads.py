"""Forms with photos: an upload budget that keeps the typed fields, and pending photos kept across errors.

:class:`UploadBudget` sits in front of a form route (before CSRF and form parsing). It reads the
multipart body as it streams in, keeps every text field, keeps files while their total fits the budget,
and drops the rest, naming them in a ``_upload_dropped`` field; the handler then shows the form again,
with what was typed, and says which photos did not arrive. So a post over the limit is a page, never a
bare 413. The browser checks sizes before sending (static/js/concours.js); this is the server's line.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any, cast

import anyio
from litestar import Response
from litestar.datastructures import UploadFile
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPDisconnectEvent, HTTPRequestEvent, Receive, ReceiveMessage, Scope, Send
from multipart import MultipartSegment, ParserError, ParserLimitReached, PushMultipartParser  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import VehiclePhoto
from concours.i18n import gettext
from concours.services import pending_uploads, photos
from concours.services.errors import NotFound
from concours.settings import Settings
from concours.web.common import Form, FormPage, S, T, form_list, submit
from concours.web.dependencies import Req

MB = 1024 * 1024
UPLOAD_BUDGET = 24 * MB  # the photos one form post may carry (the app's body limit is 30 MB)
MAX_TEXT = 1 * MB  # all text fields together
DRAIN_LIMIT = 200 * MB  # beyond this the body is not read to its end: a bare 413
DROPPED_FIELD = "_upload_dropped"
TOTAL_FIELD = "_upload_total"
# The fields of a photo form that may come more than once (for ``form_data(multi=...)``).
PHOTO_FORM_LISTS = ("photos", "drop_pending", DROPPED_FIELD)


def _part(boundary: bytes, headers: list[tuple[str, str]], data: bytes) -> bytes:
    head = b"".join(f"{k}: {v}\r\n".encode("utf-8", "surrogateescape") for k, v in headers)
    return b"--" + boundary + b"\r\n" + head + b"\r\n" + data + b"\r\n"


def _text_part(boundary: bytes, name: str, value: str) -> bytes:
    return _part(boundary, [("Content-Disposition", f'form-data; name="{name}"')], value.encode())


class UploadBudget:
    """ASGI middleware for one route: see the module's docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict((k.lower(), v) for k, v in scope.get("headers", []))
        ctype = headers.get(b"content-type", b"").decode("latin-1")
        if (
            scope["type"] != ScopeType.HTTP
            or scope.get("method") != "POST"
            or not ctype.startswith("multipart/form-data")
        ):
            await self.app(scope, receive, send)
            return
        boundary = next(
            (p.split("=", 1)[1].strip().strip('"') for p in ctype.split(";")[1:] if p.strip().startswith("boundary=")),
            "",
        ).encode("latin-1")
        if not boundary:
            await self.app(scope, receive, send)
            return
        body = await self._filtered(boundary, receive)
        if body is None:  # not multipart we can read, or far too large: let the app answer as usual
            await self.app(scope, _replay(b"", more=False), send)
            return
        new_headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        new_headers.append((b"content-length", str(len(body)).encode()))
        await self.app(cast(Scope, {**scope, "headers": new_headers}), _replay(body), send)

    async def _filtered(self, boundary: bytes, receive: Receive) -> bytes | None:
        out: list[bytes] = []
        dropped: list[str] = []
        file_bytes = text_bytes = received = 0
        segment: MultipartSegment | None = None
        data = bytearray()
        keep = True
        total_files = 0
        try:
            with PushMultipartParser(boundary, max_segment_count=1000) as parser:
                more = True
                while more and not parser.closed:
                    message = cast(dict[str, Any], await receive())
                    if message["type"] == "http.disconnect":
                        return None
                    chunk = message.get("body", b"")
                    more = message.get("more_body", False)
                    received += len(chunk)
                    if received > DRAIN_LIMIT:
                        return None
                    for event in [*parser.parse(chunk), *(parser.parse(b"") if not more else [])]:
                        if isinstance(event, MultipartSegment):
                            segment, data, keep = event, bytearray(), True
                        elif event:
                            if segment is not None and segment.filename:
                                total_files += len(event)
                                if keep and file_bytes + len(data) + len(event) <= UPLOAD_BUDGET:
                                    data.extend(event)
                                else:
                                    keep, data = False, bytearray()
                            else:
                                text_bytes += len(event)
                                if text_bytes <= MAX_TEXT:
                                    data.extend(event)
                        elif segment is not None:
                            if segment.filename and not keep:
                                dropped.append(segment.filename)
                            else:
                                file_bytes += len(data) if segment.filename else 0
                                out.append(_part(boundary, list(segment.headerlist), bytes(data)))
                            segment, data = None, bytearray()
        except (ParserError, ParserLimitReached):
            return None
        for name in dropped:
            out.append(_text_part(boundary, DROPPED_FIELD, name[:100]))
        if dropped:
            out.append(_text_part(boundary, TOTAL_FIELD, str(total_files)))
        return b"".join(out) + b"--" + boundary + b"--\r\n"


def _replay(body: bytes, *, more: bool = False) -> Receive:
    sent = False

    async def receive() -> ReceiveMessage:
        nonlocal sent
        if not sent:
            sent = True
            return HTTPRequestEvent(type="http.request", body=body, more_body=more)
        return HTTPDisconnectEvent(type="http.disconnect")

    return receive


@dataclass
class PhotoIntake:
    """The photos of one form post: all kept as pending under ``token`` until the form succeeds."""

    token: str
    uploads: list[photos.Upload]  # every pending photo, those kept from earlier tries first
    problem: str | None  # photos that were refused or did not arrive, for the ``photos`` field
    pending: list[pending_uploads.PendingPhoto]


async def _files(request: Req, name: str) -> list[photos.Upload]:
    form = await request.form()
    out: list[photos.Upload] = []
    for value in form.getall(name) if name in form else []:
        if isinstance(value, UploadFile) and value.filename:  # an empty file input sends a nameless, empty part
            out.append(photos.Upload(filename=value.filename[:100], data=await value.read()))
    return out


async def take_photos(request: Req, settings: Settings, field: str = "photos") -> PhotoIntake:
    """Keep the newly sent photos as pending (with those kept from earlier tries), and say what went wrong."""
    form = await request.form()
    token = str(form.get("pending_photos") or "")
    unticked = await form_list(request, "drop_pending")
    pending_uploads.remove(settings, token, unticked)
    token, problems = await pending_uploads.add(settings, token, await _files(request, field))
    dropped = await form_list(request, DROPPED_FIELD)
    if dropped:
        total = str(form.get(TOTAL_FIELD) or "0")
        size = int(total) / MB if total.isdecimal() else 0
        values = {"names": ", ".join(dropped), "size": f"{size:.0f}", "limit": UPLOAD_BUDGET // MB}
        if token:
            message = gettext(
                "These photos did not arrive: %(names)s. The photos sent together came to %(size)s MB; one sending "
                "carries at most %(limit)s MB. Everything you typed is kept and the photos that did arrive are kept "
                "below; choose the others again, fewer at a time or smaller.",
                **values,
            )
        else:
            message = gettext(
                "These photos did not arrive: %(names)s. The photos sent together came to %(size)s MB; one sending "
                "carries at most %(limit)s MB. Everything you typed is kept; choose the others again, fewer at a "
                "time or smaller.",
                **values,
            )
        problems.insert(0, message)
    if problems:
        problems.append(gettext("Nothing was saved yet."))
    return PhotoIntake(
        token=token,
        uploads=pending_uploads.as_uploads(settings, token),
        problem=" ".join(problems) if problems else None,
        pending=pending_uploads.items(settings, token),
    )


async def submit_with_photos(
    request: Req,
    db: AsyncSession,
    settings: Settings,
    page: FormPage[S],
    subject: S,
    act: Callable[[Form, PhotoIntake], Awaitable[T]],
    success: str | Callable[[T], str],
    *,
    multi: Collection[str] = (),
) -> Response[Any]:
    """:func:`submit` for a form that sends photos: they are kept as pending whatever else is wrong with the form,
    shown again on a refusal (``pending``, ``pending_token``), and forgotten once ``act`` has stored them."""
    intake = await take_photos(request, settings)

    async def with_photos(form: Form) -> T:
        result = await act(form, intake)
        pending_uploads.discard(settings, intake.token)
        return result

    multi = (*multi, *PHOTO_FORM_LISTS)
    return await submit(
        request,
        db,
        page,
        subject,
        with_photos,
        success,
        multi=multi,
        pending=intake.pending,
        pending_token=intake.token,
    )


async def photo_file(settings: Settings, photo: VehiclePhoto, *, thumb: bool, cache: str) -> Response[bytes]:
    """A stored photo (or its thumbnail) for the browser, with ``cache`` as its Cache-Control; 404 when its file is
    missing. Who may see it is the caller's business."""
    try:
        data = await anyio.Path(photos.photo_path(settings, photo, thumb=thumb)).read_bytes()
    except OSError as exc:
        raise NotFound("This photo's file is missing.") from exc
    return Response(
        data, media_type=photo.content_type, headers={"cache-control": cache, "content-disposition": "inline"}
    )
