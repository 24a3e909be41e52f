"""SQLite's writer thread with group commit.

Every autosave on SQLite runs its whole transaction on one thread with a synchronous connection (see
:mod:`concours.db.engine`). With ``synchronous=FULL`` a commit waits for the disk (the WAL is synced), and that
wait was most of a save's time on the thread: under 200 judges the thread spent about 60 % of its time in
``COMMIT``. So the thread commits **groups** of saves: it takes every call waiting in its queue (up to
:data:`MAX_GROUP`), runs them one after the other in one ``BEGIN IMMEDIATE`` transaction, then commits once.

- Each call has a session of its own (its own identity map) on the group's connection and transaction. A call
  that raises gets its exception back; if it had written anything before it raised (SQLite's ``total_changes``
  moved), the group's transaction is rolled back and the other calls run again in a new one, so a failed call
  never leaves half its writes behind. (Savepoints would do the same at two more statements per save; a refusal
  raises before any write, so the rollback is rare.)
- No call's caller hears that it is done before the group's ``COMMIT`` returns: an acknowledged save is on disk.
  If the commit itself fails, every call of the group gets that error (none of their writes stayed), and the
  group's connection is discarded (the next group opens a new one).
- Work meant for after the commit (live updates) is collected per call in ``info[AFTER_COMMIT_KEY]`` and run
  once the group has committed, on the caller's event loop: each loop is woken once per group, to answer its
  calls and run their after-commit work (a wake-up is a write to the loop's pipe and a thread switch).
- A call runs in a copy of its caller's context (the request's language, for one).
- A call made with :meth:`GroupCommitWriter.run_early` gets its result as soon as the whole group has run, just
  before the ``COMMIT`` (its loop is woken then too), and the commit's outcome after it: its caller prepares its
  answer while the disk syncs, and answers once the commit is on disk. Only a group that will be committed hands out
  results early (a rollback and a run again come before), so an early result is the one committed, unless the
  commit itself fails.
- When the queue is empty a group is one call: no wait is added to a quiet show.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

T = TypeVar("T")

log = logging.getLogger("concours.db")

MAX_GROUP = 64  # calls committed together at most: bounds how long the first of a group waits for the others
AFTER_COMMIT_KEY = "concours_after_group_commit"  # in a call's session info: run on its loop after the commit


@dataclass
class _Call(Generic[T]):
    work: Callable[[Session], T]
    info: dict[str, Any]
    context: contextvars.Context
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[T]
    result: Any = None
    error: BaseException | None = None
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    # run_early: the result before the COMMIT (``future`` is then the commit's outcome)
    early: asyncio.Future[T] | None = None


class GroupCommitWriter:
    """One thread that runs write calls in groups, one transaction and one commit per group."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._queue: queue.SimpleQueue[_Call[Any] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        # The thread's connection, kept open from group to group (a checkout and a check-in of the pool, with their
        # events and the reset, cost about a tenth of a quiet show's save); only the thread touches it.
        self._connection: Connection | None = None

    async def run(self, work: Callable[[Session], T], info: dict[str, Any]) -> T:
        """Run ``work`` with a session in the next group's transaction; its result once the group committed."""
        loop = asyncio.get_running_loop()
        call: _Call[T] = _Call(work, info, contextvars.copy_context(), loop, loop.create_future())
        self._start()
        self._queue.put(call)
        return await call.future

    async def run_early(self, work: Callable[[Session], T], info: dict[str, Any]) -> tuple[T, asyncio.Future[None]]:
        """As :meth:`run`, but the result as soon as the group it ran in is about to commit, with a future for the
        commit (None once it is on disk; its error if it failed, and then nothing of the call stayed)."""
        loop = asyncio.get_running_loop()
        committed: asyncio.Future[None] = loop.create_future()
        call: _Call[T] = _Call(work, info, contextvars.copy_context(), loop, committed)  # type: ignore[arg-type]
        call.early = loop.create_future()
        self._start()
        self._queue.put(call)
        return await call.early, committed

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="concours-sqlite-writer", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        """Finish the calls already queued, then end the thread (waits for it)."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _serve(self) -> None:
        try:
            self._serve_calls()
        finally:
            self._close()

    def _serve_calls(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group: list[_Call[Any]] = [first]
            stop = False
            while len(group) < MAX_GROUP:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                group.append(more)
            self._commit_group(group)
            if stop:
                return

    def _commit_group(self, group: list[_Call[Any]]) -> None:
        while group:
            group = self._try_group(group)

    def _try_group(self, group: list[_Call[Any]]) -> list[_Call[Any]]:
        """Run the group's calls in one transaction and commit; settle every call. When a call raises after it
        wrote, the transaction is rolled back instead and the others are returned, to be run again."""
        try:
            connection = self._open()
            with connection.begin():  # BEGIN IMMEDIATE (engine option)
                sqlite = connection.connection.driver_connection
                for index, call in enumerate(group):
                    changes = sqlite.total_changes  # type: ignore[union-attr]
                    call.context.run(self._run_call, connection, call)
                    if call.error is not None and sqlite.total_changes != changes:  # type: ignore[union-attr]
                        raise _Undo(index)
                self._hand_out_early(group)
        except _Undo as undo:  # rolled back: the call that wrote and failed is settled, the others run again
            failed = group[undo.index]
            failed.loop.call_soon_threadsafe(_settle_all, [failed])
            again = group[: undo.index] + group[undo.index + 1 :]
            for call in again:
                call.result, call.error = None, None
                call.after_commit.clear()
            return again
        except BaseException as exc:  # the commit (or BEGIN) failed: nothing of the group stayed
            self._close(discard=True)  # the next group starts on a fresh connection
            for call in group:
                if call.error is None:
                    call.error = exc
                    call.after_commit.clear()
        # One wake-up of each event loop for the whole group (not one per call and one per live update).
        by_loop: dict[asyncio.AbstractEventLoop, list[_Call[Any]]] = {}
        for call in group:
            by_loop.setdefault(call.loop, []).append(call)
        for loop, calls in by_loop.items():
            loop.call_soon_threadsafe(_settle_all, calls)
        return []

    @staticmethod
    def _hand_out_early(group: list[_Call[Any]]) -> None:
        """Before the COMMIT: the results of the group's :meth:`run_early` calls, one wake-up per event loop."""
        by_loop: dict[asyncio.AbstractEventLoop, list[_Call[Any]]] = {}
        for call in group:
            if call.early is not None and call.error is None:
                by_loop.setdefault(call.loop, []).append(call)
        for loop, calls in by_loop.items():
            loop.call_soon_threadsafe(_answer_early, calls)

    def _open(self) -> Connection:
        if self._connection is None or self._connection.closed or self._connection.invalidated:
            self._close()
            self._connection = self._engine.connect()
        return self._connection

    def _close(self, *, discard: bool = False) -> None:
        """Give the connection back; ``discard``: not to be handed out again (after a failed group: its errors come
        straight from ``sqlite3``, so SQLAlchemy may not have seen that the connection is broken)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                if discard:
                    connection.invalidate()
                connection.close()
            except Exception:  # a connection that failed may fail to close: it is gone either way
                log.exception("closing the writer's connection failed")

    @staticmethod
    def _run_call(connection: Any, call: _Call[Any]) -> None:
        """Run one call with a session of its own on the group's connection. Its ``commit()`` (if the call used the
        session) flushes and runs the session's after-commit hooks but leaves the group's transaction open
        (``rollback_only``); a call that raises is only closed here: :meth:`_try_group` rolls the group back if it
        had written anything."""
        info = {**call.info, AFTER_COMMIT_KEY: call.after_commit}
        with Session(bind=connection, join_transaction_mode="rollback_only", expire_on_commit=False, info=info) as s:
            try:
                call.result = call.work(s)
                # A call that wrote through the connection alone (the autosave) left its session unused: its commit
                # would begin and end a session transaction for nothing (a tenth of a save's work on the thread).
                if s.in_transaction() or s.new or s.dirty or s.deleted:
                    s.commit()
            except BaseException as exc:
                call.error = exc
                call.after_commit.clear()


class _Undo(Exception):
    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def _answer_early(calls: list[_Call[Any]]) -> None:
    """On the calls' event loop, before their group's COMMIT: the results of :meth:`GroupCommitWriter.run_early`."""
    for call in calls:
        if call.early is not None and not call.early.done():
            call.early.set_result(call.result)


def _settle_all(calls: list[_Call[Any]]) -> None:
    """On the calls' event loop: answer each call, then run its after-commit actions (live updates)."""
    for call in calls:
        if call.early is not None and not call.early.done():  # not handed out early: the call failed, or its group
            if call.error is not None:  # (then the caller never waits for the commit)
                call.early.set_exception(call.error)
            else:
                call.early.set_result(call.result)
            if not call.future.done():
                call.future.set_result(None)
        elif call.early is not None:  # handed out early: now the commit's outcome (unless nobody waits any more)
            if not call.future.done() and not call.early.cancelled():
                if call.error is not None:
                    call.future.set_exception(call.error)
                else:
                    call.future.set_result(None)
        elif not call.future.cancelled():
            if call.error is not None:
                call.future.set_exception(call.error)
            else:
                call.future.set_result(call.result)
        for action in call.after_commit:
            try:
                action()
            except Exception:  # an after-commit action (a live update) must not lose the others
                log.exception("after-commit action failed")
