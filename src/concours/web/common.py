"""What every controller shares: rendering, forms and form pages, redirects, PDFs (what a handler is given: see
``web/dependencies.py``)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from litestar import MediaType
from litestar.response import Redirect, Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event
from concours.i18n import N_, format_number, gettext
from concours.services.errors import Forbidden, FormErrors, NotFound, ServiceError
from concours.services.permissions import can_organize, can_run_judging
from concours.web.dependencies import Req
from concours.web.request import REPLACEMENT

MAX_ID = 2**31 - 1  # the largest id the database holds; larger ones name nothing


def render(request: Req, template: str, status_code: int = 200, **context: Any) -> Template:
    viewer = context.setdefault("viewer", request.state.get("viewer"))
    event = context.get("event")
    if isinstance(event, Event):
        # What the viewer may do at this event, from the same rules the services check: links and buttons agree.
        context.setdefault("can_organize", can_organize(viewer, event.id))
        context.setdefault("can_run_judging", can_run_judging(viewer, event.id))
    if status_code >= 400:
        request.state.rollback = True
    # Explicit, because a handler annotated ``-> Any`` would otherwise label the page application/json.
    return Template(template_name=template, context=context, status_code=status_code, media_type=MediaType.HTML)


def render_now(request: Req, template: str, status_code: int = 200, **context: Any) -> Response[bytes]:
    """:func:`render`'s page rendered at once instead of once the handler has returned: for an answer made while
    the database is still at work (an autosave's, while its change is being stored)."""
    page = render(request, template, status_code, **context)
    engine = request.app.template_engine
    assert engine is not None  # the app has one (app.py)
    body = engine.get_template(template).render(**page.create_template_context(request))
    return Response(body.encode(page.encoding), status_code=status_code, media_type=MediaType.HTML)


def is_htmx(request: Req) -> bool:
    return request.headers.get("hx-request") == "true"


MAX_FIELD_CHARS = 20_000  # longer than any text a form asks for (the services set tighter limits per field)
MAX_FIELD_NAME = 100
_NOT_TEXT = N_("This field contains bytes that are not text (UTF-8), e.g. part of a file. Type it again.")
_NUL = N_("This field contains a NUL character, which is not allowed in text. Type it again.")
_TOO_LONG = N_("This field is too long (at most %(max)s characters).")
_TWICE = N_("This field was sent more than once; send the form from its page.")


class BadForm(FormErrors):
    """The form itself is malformed (encoding, NUL, size, repeated fields): a 400 naming the fields.

    ``form`` holds what was sent, cleaned enough to be shown again beside the errors."""

    def __init__(self, errors: dict[str, str], form: dict[str, str]) -> None:
        super().__init__(errors)
        self.form = form


def _problem(value: str) -> str | None:
    if REPLACEMENT in value:
        return gettext(_NOT_TEXT)
    if "\x00" in value:
        return gettext(_NUL)
    if len(value) > MAX_FIELD_CHARS:
        return gettext(_TOO_LONG, max=format_number(MAX_FIELD_CHARS))
    return None


def _shown(value: str) -> str:
    return value.replace("\x00", "")[:MAX_FIELD_CHARS]


async def form_data(request: Req, *, multi: Collection[str] = ()) -> dict[str, str]:
    """The submitted form's text fields, checked: a field that is not UTF-8 text, holds a NUL character,
    exceeds :data:`MAX_FIELD_CHARS` or is sent twice (unless named in ``multi``; read those with
    :func:`form_list`) raises :class:`BadForm`, a 400 that names the field. Files are left to
    ``web.uploads.take_photos``; fields with malformed names are ignored (no handler reads them)."""
    form = await request.form()
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, value in form.multi_items():
        if not isinstance(value, str) or len(key) > MAX_FIELD_NAME or REPLACEMENT in key or "\x00" in key:
            continue
        if key in values and key not in multi:
            errors.setdefault(key, gettext(_TWICE))
            continue
        if key in values:
            continue
        problem = _problem(value)
        if problem:
            errors[key] = problem
        values[key] = _shown(value)
    if errors:
        raise BadForm(errors, values)
    return values


async def typed_form(request: Req, *, multi: Collection[str] = ()) -> dict[str, str]:
    """The submitted fields as typed, even when the form is malformed (then cleaned, as :class:`BadForm` keeps
    them): for what a handler needs before :func:`submit` checks the form (e.g. the row a form belongs to)."""
    try:
        return await form_data(request, multi=multi)
    except BadForm as exc:
        return exc.form


async def form_list(request: Req, name: str) -> list[str]:
    """Every text value sent for ``name`` (ticked boxes), checked like :func:`form_data`."""
    form = await request.form()
    out = [v for v in form.getall(name) if isinstance(v, str)] if name in form else []
    for value in out:
        problem = _problem(value)
        if problem:
            raise BadForm({name: problem}, {})
    return out


def redirect(path: str) -> Redirect:
    return Redirect(path=path, status_code=303)


NOTICE = "done"  # the query parameter of a notice the next page says once, after a success
NOTICE_CHARS = 500


def notice_url(path: str, notice: str, anchor: str = "") -> str:
    """Where to go after a success the page there should mention: ``path?done=<notice>#anchor``
    (:meth:`FormPage.render` gives the page its ``notice``)."""
    return f"{path}?{NOTICE}={quote(notice)}" + (f"#{anchor}" if anchor else "")


def client_address(request: Req) -> str:
    """The client's address as the server sees it (behind a proxy, run the server with its proxy-headers
    option so this is the visitor's address and not the proxy's)."""
    return request.client.host if request.client else "unknown"


def device_of(request: Req, form: dict[str, str] | None = None) -> str:
    device = (form or {}).get("device", "")[:80]
    agent = request.headers.get("user-agent", "")[:200]
    return f"{device} | {agent}" if device else agent


def safe_next(url: str | None, default: str = "/") -> str:
    """Only local paths: never redirect off-site from a ``next`` parameter."""
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url and len(url) <= 300:
        return url.replace("\x00", "")
    return default


def pdf_response(pdf: bytes, filename: str, *, download: bool = False) -> Response[bytes]:
    """A PDF for the browser: shown in its viewer, or saved as ``filename`` when ``download``.

    The name is reduced to letters, digits, dot, dash and underscore, so what a person typed (a class code, a
    slug) can never break the header."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-") or "report.pdf"
    disposition = "attachment" if download else "inline"
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'{disposition}; filename="{safe}"'},
    )


# -- form pages -------------------------------------------------------------------------------------------------

Form = dict[str, str]
Errors = dict[str, str]
PAGE_ERROR = "__all__"  # the key of a message about the whole form rather than one field

S = TypeVar("S")  # what a page is about: an event, a class and its event, an entry ...
T = TypeVar("T")  # what a submitted action returns (the created event, a count ...)


@dataclass(frozen=True)
class FormPage(Generic[S]):
    """A page with one or more forms: its template and the queries that fill it, given what it is about.

    GET, a refused POST and any re-render go through :meth:`render`, so a refused form shows the same page with
    the values that were typed (``form``) and each error beside its field (``errors``; ``errors["__all__"]`` for
    the whole form). ``context(db, subject, form)`` runs the page's queries; ``form`` is None on a first showing
    (the loader may then return a ``form`` of defaults) and the submitted fields after a refusal. The page's
    ``notice`` is what a success left for it to say (see :func:`notice_url`)."""

    template: str
    context: Callable[[AsyncSession, S, Form | None], Awaitable[dict[str, Any]]]

    async def render(
        self,
        request: Req,
        db: AsyncSession,
        subject: S,
        *,
        status_code: int = 200,
        form: Form | None = None,
        errors: Errors | None = None,
        **extra: Any,
    ) -> Template:
        context = await self.context(db, subject, form)
        context.setdefault("form", form if form is not None else {})
        context.setdefault("notice", request.query_params.get(NOTICE, "")[:NOTICE_CHARS])
        context.update(errors=errors or {}, **extra)
        return render(request, self.template, status_code=status_code, **context)


async def submit(
    request: Req,
    db: AsyncSession,
    page: FormPage[S],
    subject: S,
    act: Callable[[Form], Awaitable[T]],
    success: str | Callable[[T], str | Response[Any] | Awaitable[Response[Any]]],
    *,
    field: str = PAGE_ERROR,
    keep_form: bool = True,
    keep: Callable[[Form], dict[str, Any]] | None = None,
    multi: Collection[str] = (),
    **extra: Any,
) -> Response[Any]:
    """Run ``act`` on the submitted form; on success redirect to ``success`` (a path, or a function of what ``act``
    returned giving a path, a response or an awaitable response), on refusal show ``page`` again with the typed values.

    Field errors (:class:`FormErrors`) answer 400 beside their fields; any other refusal (:class:`ServiceError`)
    answers its status with its message under ``field`` (the whole form by default). Not found and not allowed
    are not the form's business: they reach the app-wide error page. A refusal answers an error status, so the
    request's transaction rolls back and nothing half-done is kept. ``extra`` goes to the page on refusal;
    ``keep_form=False`` when the typed values are not the page's main form, and then ``keep(form)`` gives the
    page what it needs to show them again where they belong (e.g. ``{"edit_forms": {row_id: form}}``); ``multi``
    names the fields that may be sent more than once (see :func:`form_data`)."""

    async def again(status: int, typed: Form, errors: Errors) -> Template:
        kept = {**extra, **(keep(typed) if keep else {})}
        return await page.render(
            request, db, subject, status_code=status, form=typed if keep_form else None, errors=errors, **kept
        )

    try:
        form = await form_data(request, multi=multi)
    except BadForm as exc:  # malformed (not text, NUL, too long, repeated): shown like any field error
        return await again(400, exc.form, exc.errors)
    try:
        result = await act(form)
    except (NotFound, Forbidden):
        raise
    except ServiceError as exc:
        status, errors = (400, exc.errors) if isinstance(exc, FormErrors) else (exc.status_code, {field: exc.message})
        return await again(status, form, errors)
    target = success if isinstance(success, str) else success(result)
    if inspect.isawaitable(target):  # a page shown on success (e.g. with what the action found)
        return await target
    return redirect(target) if isinstance(target, str) else target
