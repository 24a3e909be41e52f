"""The application factory: ``create_app(settings) -> Litestar``."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncGenerator
from typing import Any

from litestar import Litestar, Request, get
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from concours import i18n, live
from concours.db.engine import Database
from concours.domain.rubric import format_units
from concours.domain.states import SHOWN_STATUS_LABELS, event_status_label
from concours.reports.certified import certified_text
from concours.reports.pool import release_pool, use_pool
from concours.resources import resource_dir
from concours.services import backups, outbox, pending_uploads
from concours.settings import Settings
from concours.web.auth import AuthController
from concours.web.calibration import CalibrationController
from concours.web.chief import ChiefController
from concours.web.common import MAX_ID
from concours.web.dependencies import provide_db, provide_optional_viewer, provide_settings, provide_viewer
from concours.web.entrant import EntrantController
from concours.web.entrant_privacy import EntrantPrivacyController
from concours.web.errors import EXCEPTION_HANDLERS
from concours.web.jobs import JobsController
from concours.web.judge_profile import JudgeProfileController
from concours.web.judging import JudgingController
from concours.web.judging_ballots import JudgingBallotsController
from concours.web.judging_placings import JudgingPlacingsController
from concours.web.locale import choose_language, locale_middleware
from concours.web.organizer import OrganizerController
from concours.web.organizer_awards import OrganizerAwardsController
from concours.web.organizer_backups import OrganizerBackupsController
from concours.web.organizer_ceremony import OrganizerCeremonyController, OrganizerDocumentsController
from concours.web.organizer_class import OrganizerClassController
from concours.web.organizer_copy import OrganizerCopyController
from concours.web.organizer_entries import OrganizerEntriesController
from concours.web.organizer_invitations import OrganizerInvitationsController
from concours.web.organizer_judges import OrganizerJudgesController
from concours.web.organizer_roster_removal import OrganizerRosterRemovalController
from concours.web.organizer_setup import OrganizerSetupController
from concours.web.password import PasswordController
from concours.web.public import PublicController
from concours.web.public_awards import PublicAwardsController
from concours.web.public_ceremony import BoardStreamController, ShowDayController
from concours.web.request import ConcoursRequest
from concours.web.static import STATIC_PREFIX, service_worker, static_file, static_url
from concours.web.verify import VerifyController

log = logging.getLogger("concours")
OUTBOX_INTERVAL_SECONDS = 5.0
BACKUP_CHECK_SECONDS = 30.0
MEDIA_CLEAN_SECONDS = 3600.0


@get("/healthz", sync_to_thread=False, include_in_schema=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _template_engine(engine: JinjaTemplateEngine, *, reload: bool) -> None:
    env = engine.engine
    # Templates ship with the app: only in development are they checked for changes (a stat per template, per
    # render, was 6 % of a busy server's time).
    env.auto_reload = reload
    env.globals["status_labels"] = SHOWN_STATUS_LABELS  # in the reader's language
    env.globals["status_label"] = event_status_label
    env.globals["static_url"] = static_url
    env.filters["points"] = points
    env.filters["certified"] = certified_text  # a certified record's English words in the reader's language
    env.trim_blocks = True
    env.lstrip_blocks = True
    i18n.install_jinja(env)


def points(units: Any, scale: int) -> str:
    """A score in the sheet's points, written the current language's way (``92.5`` / ``92,5``)."""
    return i18n.localize_decimal(format_units(units, scale))


def create_app(settings: Settings | None = None, *, run_outbox: bool = True) -> Litestar:
    settings = settings or Settings.from_env()
    db = Database.connect(settings.database_url, echo=settings.sql_echo)
    channels = live.make_plugin(settings.database_url)
    # Use cases publish live updates after commit, on every kind of session (the autosave writes on PostgreSQL in
    # the autocommit one: without it there the chief judge's board heard of no change to an existing sheet).
    for maker in (db.read, db.write, *([db.autocommit] if db.autocommit is not None else [])):
        maker.configure(info={live.SESSION_KEY: channels})

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        tasks = [asyncio.create_task(_outbox_loop(settings, db))] if run_outbox else []
        if run_outbox:
            tasks.append(asyncio.create_task(_media_clean_loop(settings, db)))
        if run_outbox or settings.backup_dir is not None:  # the folder may be named on the backups page
            tasks.append(asyncio.create_task(_backup_loop(settings, db)))
        use_pool()
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await db.dispose()
            await asyncio.to_thread(release_pool)  # the PDF worker processes, with the last app

    app = Litestar(
        route_handlers=[
            PublicController,
            AuthController,
            PasswordController,
            OrganizerController,
            OrganizerClassController,
            OrganizerCopyController,
            OrganizerEntriesController,
            OrganizerInvitationsController,
            OrganizerJudgesController,
            OrganizerSetupController,
            OrganizerRosterRemovalController,
            JudgingController,
            JudgingPlacingsController,
            ChiefController,
            CalibrationController,
            JudgeProfileController,
            EntrantController,
            OrganizerAwardsController,
            JudgingBallotsController,
            PublicAwardsController,
            JobsController,
            OrganizerCeremonyController,
            OrganizerBackupsController,
            OrganizerDocumentsController,
            ShowDayController,
            VerifyController,
            BoardStreamController,
            EntrantPrivacyController,
            healthz,
            choose_language,
            static_file,
            service_worker,
        ],
        dependencies={
            "db": Provide(provide_db),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "viewer": Provide(provide_viewer),
            "optional_viewer": Provide(provide_optional_viewer),
        },
        template_config=TemplateConfig(
            directory=resource_dir("templates"),
            engine=JinjaTemplateEngine,
            engine_callback=functools.partial(_template_engine, reload=settings.environment == "development"),
        ),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.secure_cookies,
            cookie_name="concours_csrf",
            header_name="x-csrftoken",
            exclude=[STATIC_PREFIX, "/healthz", "/judging/sw.js"],  # no cookie on static files (cached, shared)
        ),
        # HTML, CSS and JS compressed (brotli, gzip for clients without it). PDFs and photos are compressed
        # already; a handler can opt out with ``opt={"skip_compression": True}`` (e.g. event streams).
        compression_config=CompressionConfig(
            backend="brotli",
            brotli_gzip_fallback=True,
            minimum_size=500,
            exclude=[r"\.pdf$", "^/photos/"],
            exclude_opt_key="skip_compression",
        ),
        plugins=[channels],
        exception_handlers=EXCEPTION_HANDLERS,
        state=State({"settings": settings, "db": db}),
        lifespan=[lifespan],
        before_request=_check_ids,
        request_max_body_size=30 * 1024 * 1024,
        request_class=ConcoursRequest,
        debug=False,
        openapi_config=None,  # no machine-readable map of every route for visitors (this is not a JSON API)
    )
    # Outermost, so that answers the router makes itself (an unknown address: 404) carry the headers too.
    app.asgi_handler = security_headers(settings)(locale_middleware(app.asgi_handler))
    return app


async def _check_ids(request: Request[Any, Any, Any]) -> None:
    """Ids beyond what the database holds, or text with NUL bytes, name nothing: 404, not a database error. An
    ``index`` (a car's photos on its public page) counts from 0."""
    for name, value in request.path_params.items():
        low = 0 if name == "index" else 1
        if (isinstance(value, int) and not low <= value <= MAX_ID) or (isinstance(value, str) and "\x00" in value):
            raise NotFoundException()
    if any("\x00" in value for _, value in request.query_params.multi_items()):
        raise NotFoundException()


# Only this site's own files run or style pages: no inline scripts, handlers or style attributes (templates use
# data-confirm and CSS classes; htmx is configured without eval or injected styles in base.html). Photos may be
# previewed from blob: URLs before upload; data: images are for small icons in CSS.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(settings: Settings) -> Any:
    """ASGI middleware: the security headers on every answer, error pages and static files included (an
    ``after_request`` hook would miss the answers of exception handlers)."""
    fixed = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    ]
    if settings.base_url.startswith("https://"):
        fixed.append((b"strict-transport-security", HSTS.encode()))

    def middleware(app: ASGIApp) -> ASGIApp:
        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    present = {name.lower() for name, _ in headers}
                    headers += [(k, v) for k, v in fixed if k not in present]
                    content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                    if content_type.startswith(b"text/html") and b"cache-control" not in present:
                        # Pages show live state (statuses, scores): never from the browser's cache, e.g. on Back.
                        headers.append((b"cache-control", b"no-store"))
                    message = {**message, "headers": headers}
                await send(message)

            await app(scope, receive, send_with_headers)

        return wrapped

    return middleware


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
            await backups.backup_if_due(settings, db.read, db.write)
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
