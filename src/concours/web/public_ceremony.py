"""Public show-day pages: the live page of the ceremony (projector mode) and its event stream, the public page
of each car (what a placard's QR code opens) with its photos; and the chief judge's board stream."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator

import anyio
from litestar import Controller, Response, get
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import ServerSentEvent, ServerSentEventMessage, Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours import live
from concours.db import Event
from concours.db.engine import Database
from concours.services import car_pages, ceremony, events, photos
from concours.services.errors import NotFound
from concours.services.permissions import event_for_chief_judge
from concours.settings import Settings
from concours.web.common import render
from concours.web.dependencies import AppSettings, Db, Req, SignedIn

Channels = NamedDependency[ChannelsPlugin]  # the channels plugin's own dependency

STREAM_HEADERS = {"cache-control": "no-store", "x-accel-buffering": "no"}


def wants_stream(request: Req) -> bool:
    """Only an EventSource (which asks for ``text/event-stream``) is kept on a stream that stays open."""
    return "text/event-stream" in request.headers.get("accept", "")


async def live_state(db: Database, event_id: int) -> str:
    """Everything presented so far, as the first message of every (re)connection."""
    async with db.read() as session:
        event = await session.get(Event, event_id)
        if event is None:
            return json.dumps({"count": 0, "lines": []})
        lines = await ceremony.presented_lines(session, event)
    return json.dumps({"count": len(lines), "lines": [ln.to_json() for ln in lines]})


async def _live_event(db: AsyncSession, slug: str) -> Event:
    event = await events.get_event_by_slug(db, slug)
    if not ceremony.live_visible(event):
        raise NotFound("The ceremony of this event has not begun.")
    return event


class ShowDayController(Controller):
    @get("/events/{slug:str}/live")
    async def live_page(self, request: Req, db: Db, slug: FromPath[str]) -> Template:
        event = await _live_event(db, slug)
        lines = await ceremony.presented_lines(db, event)
        return render(
            request,
            "public/live.html",
            event=event,
            current=lines[-1] if lines else None,
            earlier=list(reversed(lines[:-1])),
            count=len(lines),
        )

    @get("/events/{slug:str}/live/stream")
    async def live_stream(self, request: Req, db: Db, slug: FromPath[str], channels: Channels) -> ServerSentEvent:
        event = await _live_event(db, slug)
        event_id, database = event.id, request.app.state.db
        if not wants_stream(request):
            # Not an EventSource (a crawler, a link checker): the current state once, then the answer ends.
            state = await live_state(database, event_id)

            async def once() -> AsyncGenerator[ServerSentEventMessage, None]:
                yield ServerSentEventMessage(event="state", data=state, retry=2000)

            return ServerSentEvent(once(), headers=STREAM_HEADERS)

        async def messages() -> AsyncGenerator[ServerSentEventMessage, None]:
            first = True
            async for item in live.stream(channels, live.reveal_channel(event_id)):
                if item is None and first:
                    first = False  # subscribed: now the state, so no reveal falls between the two
                    yield ServerSentEventMessage(event="state", data=await live_state(database, event_id), retry=2000)
                elif item is None:
                    yield ServerSentEventMessage(comment="keep-alive")
                else:
                    kind = json.loads(item).get("kind", "resync")
                    yield ServerSentEventMessage(event=kind, data=item.decode())

        return ServerSentEvent(messages(), headers=STREAM_HEADERS)

    @get("/events/{slug:str}/cars/{number:int}")
    async def car_page(self, request: Req, db: Db, slug: FromPath[str], number: FromPath[int]) -> Template:
        event = await events.get_event_by_slug(db, slug)
        car = await car_pages.public_car(db, event, number)
        return render(request, "public/car.html", event=event, car=car)

    @get("/events/{slug:str}/cars/{number:int}/photo")
    async def car_photo(
        self, db: Db, settings: AppSettings, slug: FromPath[str], number: FromPath[int]
    ) -> Response[bytes]:
        return await self._photo(db, settings, slug, number, 0)

    @get("/events/{slug:str}/cars/{number:int}/thumb")
    async def car_thumb(
        self, db: Db, settings: AppSettings, slug: FromPath[str], number: FromPath[int]
    ) -> Response[bytes]:
        """The car's first photo, small: for the list of the cars on the field."""
        return await self._photo(db, settings, slug, number, 0, thumb=True)

    @get("/events/{slug:str}/cars/{number:int}/photos/{index:int}")
    async def car_photo_n(
        self, db: Db, settings: AppSettings, slug: FromPath[str], number: FromPath[int], index: FromPath[int]
    ) -> Response[bytes]:
        return await self._photo(db, settings, slug, number, index)

    async def _photo(
        self, db: AsyncSession, settings: Settings, slug: str, number: int, index: int, *, thumb: bool = False
    ) -> Response[bytes]:
        event = await events.get_event_by_slug(db, slug)
        entry = await car_pages.public_entry(db, event, number)
        shown = await car_pages.public_photos(db, entry)
        if not 0 <= index < len(shown):
            raise NotFound("This car has no such photo.")
        try:
            data = await anyio.Path(photos.photo_path(settings, shown[index], thumb=thumb)).read_bytes()
        except OSError as exc:
            raise NotFound("This photo's file is missing.") from exc
        return Response(data, media_type=shown[index].content_type, headers={"cache-control": "public, max-age=300"})


class BoardStreamController(Controller):
    """The chief judge's board is told when a sheet is saved or submitted, and reloads itself."""

    @get("/chief/events/{event_id:int}/stream")
    async def board_stream(
        self, request: Req, db: Db, viewer: SignedIn, event_id: FromPath[int], channels: Channels
    ) -> ServerSentEvent:
        event = await event_for_chief_judge(db, viewer, event_id)
        channel = live.board_channel(event.id)
        if not wants_stream(request):

            async def nothing() -> AsyncGenerator[ServerSentEventMessage, None]:
                yield ServerSentEventMessage(comment="connect with an EventSource to follow the board")

            return ServerSentEvent(nothing(), headers=STREAM_HEADERS)

        async def messages() -> AsyncGenerator[ServerSentEventMessage, None]:
            async for item in live.stream(channels, channel):
                if item is None:
                    yield ServerSentEventMessage(comment="keep-alive")
                else:
                    yield ServerSentEventMessage(event="changed", data=item.decode())

        return ServerSentEvent(messages(), headers=STREAM_HEADERS)
