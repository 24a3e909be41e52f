"""A judge's ballots for special awards (Best of Show and the like), on their own tablet or phone: one secret
vote per round; a car the judge has a conflict with cannot be chosen."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Template

from concours.services import ballots
from concours.services.errors import FormErrors, ServiceError
from concours.services.permissions import judge_id_of
from concours.web.common import form_data, redirect, render
from concours.web.dependencies import Db, Req, SignedIn


class JudgingBallotsController(Controller):
    path = "/judging/ballots"

    @get("/")
    async def ballots(self, request: Req, db: Db, viewer: SignedIn) -> Template:
        judge_id_of(viewer)
        return render(request, "judging/ballots.html", ballots=await ballots.ballots_for_judge(db, viewer))

    @get("/{award_id:int}")
    async def ballot(self, request: Req, db: Db, viewer: SignedIn, award_id: FromPath[int]) -> Any:
        try:
            ballot = await ballots.ballot_for_judge(db, viewer, award_id)
        except ServiceError as exc:
            if exc.status_code != 400:
                raise
            return render(request, "judging/ballot.html", ballot=None, message=exc.message, errors={})
        return render(request, "judging/ballot.html", ballot=ballot, errors={}, message="")

    @post("/{award_id:int}")
    async def vote(self, request: Req, db: Db, viewer: SignedIn, award_id: FromPath[int]) -> Any:
        form = await form_data(request)
        try:
            await ballots.cast_ballot_vote(db, viewer, award_id, form.get("entry_id", ""))
        except FormErrors as exc:
            ballot = await ballots.ballot_for_judge(db, viewer, award_id)
            return render(request, "judging/ballot.html", status_code=400, ballot=ballot, errors=exc.errors, message="")
        except ServiceError as exc:
            if exc.status_code == 404:
                raise
            return render(
                request, "judging/ballot.html", status_code=exc.status_code, ballot=None, message=exc.message, errors={}
            )
        return redirect(f"/judging/ballots/{award_id}")
