"""Live updates through Litestar's channels plugin: the ceremony's reveals and the chief judge's board.

One process (SQLite) fans out in memory; several workers on one PostgreSQL database fan out through
LISTEN/NOTIFY, so a reveal made through any worker reaches the clients of every worker.

Use cases publish with :func:`publish_after_commit`: the message leaves only once the transaction that made
the change has committed (never for a change that was rolled back), and publishing is one non-blocking call
(the plugin's queue; a background task talks to the backend). A reveal leaves at once; the board's notices
(``{"entry_id": n}``) leave gathered, ``{"entry_ids": [...]}`` every :data:`BOARD_NOTICE_SECONDS` at most.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import weakref
from collections.abc import AsyncGenerator, Iterable
from typing import Any

import asyncpg
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db.writer import AFTER_COMMIT_KEY

log = logging.getLogger("concours.live")

SESSION_KEY = "concours_live"
_PENDING_KEY = "concours_live_pending"
KEEPALIVE_SECONDS = 15.0
STREAM_MAX_SECONDS = 600.0  # a stream ends after this; the browser reconnects and re-syncs


def reveal_channel(event_id: int) -> str:
    return f"concours_reveal_{event_id}"


_BOARD_PREFIX = "concours_board_"


def board_channel(event_id: int) -> str:
    return f"{_BOARD_PREFIX}{event_id}"


# The chief judge's board is told which cars changed at most every BOARD_NOTICE_SECONDS, one notice for all of them
# (its page reloads at most once a second anyway): 200 judges' saves are a few notices a second, not hundreds of
# NOTIFYs each sent to every worker.
BOARD_NOTICE_SECONDS = 0.5
_board_notices: weakref.WeakKeyDictionary[ChannelsPlugin, dict[str, set[int]]] = weakref.WeakKeyDictionary()


def asyncpg_dsn(database_url: str) -> str:
    """``postgresql+asyncpg://...`` as asyncpg wants it."""
    return "postgresql://" + database_url.split("://", 1)[1]


class PostgresChannelsBackend(AsyncPgChannelsBackend):
    """Litestar's LISTEN/NOTIFY backend, keeping one connection for NOTIFY instead of one per message, and
    never stopping the publishing task on a database hiccup (the message is logged and dropped)."""

    def __init__(self, dsn: str) -> None:
        super().__init__(dsn=dsn)
        self._dsn = dsn
        self._publisher: asyncpg.Connection | None = None
        self._listener_conn: asyncpg.Connection | None = None  # None until reachable

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        text = data.decode("utf-8")
        for attempt in (1, 2):
            try:
                if self._publisher is None or self._publisher.is_closed():
                    self._publisher = await asyncpg.connect(dsn=self._dsn)
                for channel in channels:
                    await self._publisher.execute("SELECT pg_notify($1, $2)", channel, text)
                return
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                self._publisher = None
                if attempt == 2:
                    log.exception("live update not published")

    async def on_startup(self) -> None:
        """Start even when PostgreSQL is briefly away (the app answers 503 meanwhile): the listening
        connection is then opened by the first subscription."""
        self._listener_lock = asyncio.Lock()
        self._queue = asyncio.Queue()
        self._listener_conn = None
        async with self._listener_lock:
            with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                self._listener_conn = await self._connect()
        if self._listener_conn is None:
            log.warning("live updates: PostgreSQL not reachable at start; listening once it is")

    async def subscribe(self, channels: Iterable[str]) -> None:
        async with self._listener_lock:
            conn = self._listener_conn
            if conn is None or conn.is_closed():
                # A new listening connection (first use, or after the database restarted) listens again
                # on every channel this worker follows.
                self._listener_conn = await self._connect()
                for channel in self._subscribed_channels:
                    await self._listener_conn.add_listener(channel, self._listener)
        await super().subscribe(channels)

    async def on_shutdown(self) -> None:
        if self._publisher is not None:
            with contextlib.suppress(Exception):
                await self._publisher.close()
            self._publisher = None
        if self._listener_conn is None:
            self._subscribed_channels.clear()
            self._queue = None
            return
        with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            await super().on_shutdown()


def make_plugin(database_url: str) -> ChannelsPlugin:
    backend = (
        PostgresChannelsBackend(asyncpg_dsn(database_url))
        if database_url.startswith("postgresql")
        else MemoryChannelsBackend()
    )
    return ChannelsPlugin(
        backend=backend,
        arbitrary_channels_allowed=True,
        subscriber_max_backlog=200,
        subscriber_backlog_strategy="dropleft",
    )


def _on_commit(session: Any) -> None:
    pending: list[tuple[str, dict[str, Any]]] = session.info.pop(_PENDING_KEY, [])
    plugin: ChannelsPlugin | None = session.info.get(SESSION_KEY)
    for channel, message in pending:
        if not _send(plugin, channel, message):
            return


def _send(plugin: ChannelsPlugin | None, channel: str, message: dict[str, Any]) -> bool:
    """Publish now, or (a board's notice) within :data:`BOARD_NOTICE_SECONDS` with the others of its channel."""
    if "entry_id" not in message or not channel.startswith(_BOARD_PREFIX):
        return _publish(plugin, json.dumps(message), channel)
    if plugin is None:
        return False
    waiting = _board_notices.setdefault(plugin, {})
    batch = waiting.get(channel)
    if batch is None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no app running (a script)
            return False
        waiting[channel] = {message["entry_id"]}
        loop.call_later(BOARD_NOTICE_SECONDS, _send_board_notices, plugin, channel)
    else:
        batch.add(message["entry_id"])
    return True


def _send_board_notices(plugin: ChannelsPlugin, channel: str) -> None:
    entry_ids = _board_notices.get(plugin, {}).pop(channel, None)
    if entry_ids:
        _publish(plugin, json.dumps({"entry_ids": sorted(entry_ids)}), channel)


def _publish(plugin: ChannelsPlugin | None, data: str, channel: str) -> bool:
    try:
        plugin.publish(data, channel)  # type: ignore[union-attr]
    except RuntimeError:  # the plugin is not running (a script, a test without the app)
        return False
    return True


def _on_rollback(session: Any) -> None:
    session.info.pop(_PENDING_KEY, None)


def publish_after_commit(session: AsyncSession, channel: str, message: dict[str, Any]) -> None:
    """Send ``message`` on ``channel`` once ``session`` commits; nothing if it rolls back or no app is running."""
    sync = session.sync_session
    plugin = sync.info.get(SESSION_KEY)
    if plugin is None:
        return
    after_group: list[Any] | None = sync.info.get(AFTER_COMMIT_KEY)
    if after_group is not None:
        # A call on SQLite's writer thread: the writer runs this once the group's commit is on disk, and drops it
        # if the call fails or the group rolls back (no session events to register on every save).
        after_group.append(functools.partial(_send, plugin, channel, message))
        return
    pending = sync.info.get(_PENDING_KEY)
    if pending is None:
        if not sa_event.contains(sync, "after_commit", _on_commit):
            sa_event.listen(sync, "after_commit", _on_commit)
            sa_event.listen(sync, "after_rollback", _on_rollback)
        pending = sync.info[_PENDING_KEY] = []
    pending.append((channel, message))


def publish_committed(info: dict[str, Any], channel: str, message: dict[str, Any]) -> None:
    """Send ``message`` on ``channel`` for a write already committed (a statement in autocommit) on a connection
    whose session factories carry ``info`` (the plugin, as :func:`publish_after_commit` finds it on a session)."""
    _send(info.get(SESSION_KEY), channel, message)


async def stream(
    plugin: ChannelsPlugin, channel: str, *, max_seconds: float = STREAM_MAX_SECONDS
) -> AsyncGenerator[bytes | None, None]:
    """The messages of ``channel`` as they arrive, and ``None`` every ``KEEPALIVE_SECONDS`` of silence (so a
    dead connection is noticed). Subscribes before returning the first item, so a caller that loads the
    current state after the first ``None`` misses nothing."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()

    async def put(data: bytes) -> None:
        await queue.put(data)

    loop = asyncio.get_running_loop()
    ends = loop.time() + max_seconds
    async with plugin.start_subscription([channel]) as subscriber, subscriber.run_in_background(put, join=False):
        yield None
        while (left := ends - loop.time()) > 0:
            try:
                yield await asyncio.wait_for(queue.get(), timeout=min(KEEPALIVE_SECONDS, left))
            except TimeoutError:
                yield None
