"""The app's request class: form parsing that never fails on what a client sends.

Litestar decodes every multipart text field as UTF-8 and raises ``UnicodeDecodeError`` (a 500) on bytes
that are not, e.g. the start of a PNG sent in a text field. Here such bytes become U+FFFD, which
:func:`concours.web.common.form_data` then refuses with a 400 naming the field."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncGenerator
from typing import Any, cast

from litestar import Request
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException
from litestar.types import Empty
from litestar.utils.compat import async_next
from multipart import MultipartSegment, ParserError, ParserLimitReached, PushMultipartParser  # type: ignore[import-untyped]

REPLACEMENT = "\ufffd"  # what bytes that are not UTF-8 decode to


async def _close(fields: dict[str, list[Any]], data: Any) -> None:
    if isinstance(data, UploadFile):
        await data.close()
    for values in fields.values():
        for value in values:
            if isinstance(value, UploadFile):
                await value.close()


async def parse_multipart(stream: AsyncGenerator[bytes, None], boundary: bytes, part_limit: int) -> dict[str, Any]:
    """Litestar's multipart parsing, except that text fields decode leniently (always UTF-8, bad bytes → U+FFFD)."""
    fields: defaultdict[str, list[Any]] = defaultdict(list)
    chunk = await async_next(stream, b"")
    if not chunk:
        return fields
    data: UploadFile | bytearray = bytearray()
    try:
        with PushMultipartParser(boundary, max_segment_count=part_limit) as parser:
            segment: MultipartSegment | None = None
            while not parser.closed:
                for part in parser.parse(chunk):
                    if isinstance(part, MultipartSegment):
                        segment = part
                        if segment.filename:
                            data = UploadFile(
                                content_type=segment.content_type or "application/octet-stream",
                                filename=segment.filename,
                                headers=dict(segment.headerlist),
                            )
                    elif part:
                        if isinstance(data, UploadFile):
                            await data.write(part)
                        else:
                            data.extend(part)
                    else:
                        if segment is None:
                            raise ClientException("Unexpected end of multipart/form-data")
                        if isinstance(data, UploadFile):
                            await data.seek(0)
                            fields[segment.name].append(data)
                        else:
                            fields[segment.name].append(data.decode("utf-8", errors="replace"))
                        data = bytearray()
                        segment = None
                chunk = await async_next(stream, b"")
    except ParserError as exc:
        await _close(fields, data)
        raise ClientException("The form could not be read (malformed multipart/form-data).") from exc
    except ParserLimitReached:
        await _close(fields, data)
        raise ClientException("The form has too many fields or too large a part.") from None
    return {k: v if len(v) > 1 else v[0] for k, v in fields.items()}


class ConcoursRequest(Request[Any, Any, Any]):
    async def form(self) -> FormMultiDict:
        if self._form is Empty and self._connection_state.form is Empty:
            content_type, options = self.content_type
            if content_type == RequestEncodingType.MULTI_PART:
                boundary = options.get("boundary")
                if not boundary:
                    raise ClientException("The form could not be read (multipart boundary missing).")
                parsed = await parse_multipart(
                    self.stream(), boundary.encode("latin-1", "replace"), self.app.multipart_form_part_limit
                )
                self._connection_state.form = cast(Any, parsed)
        return await super().form()
