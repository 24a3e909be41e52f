"""The application factory: ``create_app(settings) -> Litestar``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.config.csrf import CSRFConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from concours.db.engine import Database
from concours.domain.rubric import format_units
from concours.domain.states import EVENT_STATUS_LABELS
from concours.resources import resource_dir
from concours.services import backups, outbox, pending_uploads
from concours.settings import Settings
from concours.web.auth import AuthController
from concours.web.chief import ChiefController
from concours.web.common import MAX_ID, provide_db, provide_optional_viewer, provide_settings, provide_viewer
from concours.web.entrant import EntrantController
from concours.web.errors import EXCEPTION_HANDLERS
from concours.web.judge_profile import JudgeProfileController
from concours.web.judging import JudgingController
from concours.web.judging_ballots import JudgingBallotsController
from concours.web.organizer import OrganizerController
from concours.web.organizer_awards import OrganizerAwardsController
from concours.web.organizer_entries import OrganizerEntriesController
from concours.web.organizer_judges import OrganizerJudgesController
from concours.web.organizer_roster_removal import OrganizerRosterRemovalController
from concours.web.organizer_setup import OrganizerSetupController
from concours.web.password import PasswordController
from concours.web.public import PublicController
from concours.web.public_awards import PublicAwardsController
from concours.web.request import ConcoursRequest

log = logging.getLogger("concours")
OUTBOX_INTERVAL_SECONDS = 5.0
BACKUP_CHECK_SECONDS = 30.0
MEDIA_CLEAN_SECONDS = 3600.0


@get("/healthz", sync_to_thread=False, include_in_schema=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _template_engine(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.globals["status_labels"] = EVENT_STATUS_LABELS
    env.filters["points"] = format_units
    env.trim_blocks = True
    env.lstrip_blocks = True


def create_app(settings: Settings | None = None, *, run_outbox: bool = True) -> Litestar:
    settings = settings or Settings.from_env()
    db = Database.connect(settings.database_url, echo=settings.sql_echo)

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        tasks = [asyncio.create_task(_outbox_loop(settings, db))] if run_outbox else []
        if run_outbox:
            tasks.append(asyncio.create_task(_media_clean_loop(settings, db)))
        if settings.backup_dir is not None:
            tasks.append(asyncio.create_task(_backup_loop(settings, db)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await db.dispose()

    static = create_static_files_router(path="/static", directories=[resource_dir("static")], name="static")
    return Litestar(
        route_handlers=[
            PublicController,
            AuthController,
            PasswordController,
            OrganizerController,
            OrganizerEntriesController,
            OrganizerJudgesController,
            OrganizerSetupController,
            OrganizerRosterRemovalController,
            JudgingController,
            ChiefController,
            JudgeProfileController,
            EntrantController,
            OrganizerAwardsController,
            JudgingBallotsController,
            PublicAwardsController,
            healthz,
            static,
        ],
        dependencies={
            "db": Provide(provide_db),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "viewer": Provide(provide_viewer),
            "optional_viewer": Provide(provide_optional_viewer),
        },
        template_config=TemplateConfig(
            directory=resource_dir("templates"), engine=JinjaTemplateEngine, engine_callback=_template_engine
        ),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.secure_cookies,
            cookie_name="concours_csrf",
            header_name="x-csrftoken",
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        state=State({"settings": settings, "db": db}),
        lifespan=[lifespan],
        before_request=_check_ids,
        after_request=_security_headers,
        request_max_body_size=30 * 1024 * 1024,
        request_class=ConcoursRequest,
        debug=False,
    )


async def _check_ids(request: Request[Any, Any, Any]) -> None:
    """Ids beyond what the database holds, or text with NUL bytes, name nothing: 404, not a database error."""
    for value in request.path_params.values():
        if (isinstance(value, int) and not 0 < value <= MAX_ID) or (isinstance(value, str) and "\x00" in value):
            raise NotFoundException()
    if any("\x00" in value for _, value in request.query_params.multi_items()):
        raise NotFoundException()


async def _security_headers(response: Response[Any]) -> Response[Any]:
    response.headers.setdefault("x-content-type-options", "nosniff")
    response.headers.setdefault("x-frame-options", "DENY")
    response.headers.setdefault("referrer-policy", "same-origin")
    media_type = getattr(response, "media_type", None)
    if isinstance(response, Template) or str(getattr(media_type, "value", media_type) or "").startswith("text/html"):
        # Pages show live state (statuses, scores): never from the browser's cache, e.g. on Back.
        response.headers.setdefault("cache-control", "no-store")
    return response


async def _outbox_loop(settings: Settings, db: Database) -> None:
    while True:
        try:
            await outbox.deliver_pending(settings, db.write)
        except Exception:  # keep delivering after a database hiccup
            log.exception("outbox delivery failed")
        await asyncio.sleep(OUTBOX_INTERVAL_SECONDS)


async def _backup_loop(settings: Settings, db: Database) -> None:
    while True:
        try:
            await backups.backup_if_due(settings, db.read)
        except Exception:  # a full or missing USB stick must not stop the show: try again next turn
            log.exception("automatic backup failed")
        await asyncio.sleep(BACKUP_CHECK_SECONDS)


async def _media_clean_loop(settings: Settings, db: Database) -> None:
    while True:
        await asyncio.sleep(MEDIA_CLEAN_SECONDS)
        try:
            async with db.read() as session:
                await pending_uploads.clean_media(session, settings)
        except Exception:
            log.exception("media clean-up failed")
