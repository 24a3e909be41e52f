"""People's Choice for spectators (phone first, no account): a card's QR code opens the ballot with the code
filled in; a code votes once. Also the public photos of cars on the ballot and in the published results."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event
from concours.domain.awards import format_code, normalize_code
from concours.domain.states import results_public
from concours.i18n import gettext
from concours.services import export, peoples_choice, throttle
from concours.services.errors import FormErrors, NotFound
from concours.services.permissions import event_for_public
from concours.web.common import BadForm, client_address, form_data, render
from concours.web.dependencies import AppSettings, Db, Req
from concours.web.uploads import photo_file

REFUSAL_STATUS = {"unknown": 400, "spent": 409, "closed": 409}
THROTTLE_SCOPE = "voting-code"
PUBLIC = "public, max-age=3600"  # the ballot's and the published results' photos are for everyone


def _throttle_keys(request: Req) -> list[str]:
    """Wrong codes are counted per client address: codes are ~49 bits, so a short lock after a few wrong ones
    makes guessing hopeless while a whole show's Wi-Fi (one address) still has room for typos."""
    return [f"address:{client_address(request)}"]


async def _public_event(db: AsyncSession, slug: str) -> Event:
    """The ballot and results pages are for the public: a draft event is not there, even for its organizers."""
    return await event_for_public(db, None, slug)


def _shown_code(text: str) -> str:
    code = normalize_code(text)
    return format_code(code) if code else text.strip()[:40]


class PublicAwardsController(Controller):
    @get("/events/{slug:str}/vote")
    async def ballot(
        self,
        request: Req,
        db: Db,
        settings: AppSettings,
        slug: FromPath[str],
        code: FromQuery[str] = "",
        q: FromQuery[str] = "",
    ) -> Template:
        event = await _public_event(db, slug)
        ballot = await peoples_choice.public_ballot(db, event)
        if ballot is None:
            raise NotFound(gettext("This event has no People's Choice vote."))
        error, status = "", 200
        if code and ballot.open:
            keys = _throttle_keys(request)
            await throttle.check(db, THROTTLE_SCOPE, keys)
            try:
                await peoples_choice.check_code(db, settings.secret_key, event, code)
            except peoples_choice.CodeRefused as exc:
                if exc.reason == "unknown":
                    await throttle.failed(db, THROTTLE_SCOPE, keys)
                error, status = exc.message, REFUSAL_STATUS[exc.reason]
        return self._page(request, event, ballot, code, q, status_code=status, errors={"code": error} if error else {})

    def _page(
        self,
        request: Req,
        event: Event,
        ballot: peoples_choice.PublicBallot,
        code: str,
        q: str,
        *,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        chosen: str = "",
    ) -> Template:
        query = "".join(ch for ch in q if ch.isdecimal() and ch.isascii())[:6]
        cars = [c for c in ballot.cars if not query or str(c.car_number or "").startswith(query)]
        return render(
            request,
            "public/vote.html",
            status_code=status_code,
            event=event,
            ballot=ballot,
            cars=cars,
            q=query,
            code=_shown_code(code),
            errors=errors or {},
            chosen=chosen,
        )

    @post("/events/{slug:str}/vote")
    async def vote(self, request: Req, db: Db, settings: AppSettings, slug: FromPath[str]) -> Template:
        event = await _public_event(db, slug)
        ballot = await peoples_choice.public_ballot(db, event)
        if ballot is None:
            raise NotFound(gettext("This event has no People's Choice vote."))
        try:
            form = await form_data(request)
        except BadForm as exc:
            code, entry = exc.form.get("code", "")[:40], exc.form.get("entry_id", "")[:12]
            return self._page(request, event, ballot, code, "", status_code=400, errors=exc.errors, chosen=entry)
        code, entry = form.get("code", "")[:40], form.get("entry_id", "")[:12]
        keys = _throttle_keys(request)
        await throttle.check(db, THROTTLE_SCOPE, keys)
        try:
            car = await peoples_choice.cast_public_vote(db, settings.secret_key, event, code, entry)
        except peoples_choice.CodeRefused as exc:
            if exc.reason == "unknown":
                await throttle.failed(db, THROTTLE_SCOPE, keys)
            return self._page(
                request,
                event,
                ballot,
                code,
                "",
                status_code=REFUSAL_STATUS[exc.reason],
                errors={"code": exc.message},
                chosen=entry,
            )
        except FormErrors as exc:
            return self._page(request, event, ballot, code, "", status_code=400, errors=exc.errors, chosen=entry)
        return render(request, "public/voted.html", event=event, ballot=ballot, car=car)

    @get("/events/{slug:str}/vote/cars/{entry_id:int}/photo")
    async def ballot_photo(
        self, db: Db, settings: AppSettings, slug: FromPath[str], entry_id: FromPath[int]
    ) -> Response[bytes]:
        event = await _public_event(db, slug)
        return await photo_file(
            settings, await peoples_choice.ballot_photo(db, event, entry_id), thumb=True, cache=PUBLIC
        )

    @get("/events/{slug:str}/results/photos/{photo_id:int}")
    async def results_photo(
        self, db: Db, settings: AppSettings, slug: FromPath[str], photo_id: FromPath[int]
    ) -> Response[bytes]:
        event = await _public_event(db, slug)
        if not results_public(event.status):
            raise NotFound(gettext("There is no such photo."))
        return await photo_file(settings, await export.results_photo(db, event, photo_id), thumb=False, cache=PUBLIC)
