"""Special awards for the organizer and the chief judge: definitions, the event's award rules, designated
choices, ballots (voters, nominations, rounds), People's Choice (codes, the code sheet) and the results export."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, SpecialAward
from concours.domain import awards as rules
from concours.domain.states import EVENT_STATUS_LABELS
from concours.reports import report_pdf
from concours.reports.voting_codes import voting_code_sheet
from concours.services import awards, ballots, export, peoples_choice
from concours.services.events import classes_of
from concours.services.permissions import Viewer, can_organize
from concours.services.roster import roster
from concours.web.common import Form, FormPage, form_list, pdf_response, redirect, submit
from concours.web.dependencies import ORGANIZED, RUN_EVENT, AppSettings, Db, OrganizedEvent, Req, RunEvent, SignedIn


def _award_form(award: SpecialAward) -> dict[str, str]:
    return {
        "name": award.name,
        "sponsor": award.sponsor,
        "kind": award.kind,
        "position": str(award.position),
        "eligibility": award.eligibility,
        "chosen_by": award.chosen_by,
        "exclude_conflicted": "on" if award.exclude_conflicted else "",
    }


async def _index_context(db: AsyncSession, subject: tuple[Viewer, Event], form: Form | None) -> dict[str, Any]:
    viewer, event = subject
    return {
        "is_organizer": can_organize(viewer, event.id),
        "event": event,
        "status_label": EVENT_STATUS_LABELS[event.status],
        "lines": await awards.award_lines(db, event),
        "kinds": rules.KINDS,
        "eligibility": rules.ELIGIBILITY,
        "status_labels": rules.STATUS_LABELS,
        "classes": await classes_of(db, event.id),
        "form": form or {"kind": "designated", "eligibility": "judged"},
        "picked": set(),
    }


async def _award_context(
    db: AsyncSession, subject: tuple[Viewer, SpecialAward, Event], form: Form | None
) -> dict[str, Any]:
    viewer, award, event = subject
    roll = await ballots.ballot_roll(db, event, award) if award.kind == "ballot" else []
    winner = None
    if award.entry_id:
        winner = (await awards.awards_for_entries(db, event, [award.entry_id])).get(award.entry_id, [None])[0]
    return {
        "event": event,
        "award": award,
        "is_organizer": can_organize(viewer, event.id),
        "kinds": rules.KINDS,
        "eligibility": rules.ELIGIBILITY,
        "status_labels": rules.STATUS_LABELS,
        "classes": await classes_of(db, event.id),
        "picked": {str(c) for c in award.class_ids},
        "cars": await awards.eligible_cars(db, event, award),
        "winner": winner,
        "winner_car": await awards.winner_car(db, award),
        "roll": roll,
        "judges": await roster(db, event) if award.kind == "ballot" and award.status == "setup" else [],
        "voter_ids": {r.judge_id for r in roll},
        "rounds": await ballots.rounds(db, award),
        "tied": await ballots.tied_cars(db, award),
        "batches": await peoples_choice.code_batches(db, award) if award.kind == "peoples_choice" else [],
        # The award's own fields, or what was typed into them; the action forms (decide, tie, codes ...) keep theirs.
        "form": form if form is not None and "name" in form else _award_form(award),
        "action_form": form or {},
        "message": "",
    }


INDEX = FormPage("organizer/awards.html", _index_context)
AWARD = FormPage("organizer/award.html", _award_context)


async def _award_event(db: Db, viewer: SignedIn, award_id: FromPath[int]) -> tuple[SpecialAward, Event]:
    return await awards.award_for_chief_judge(db, viewer, award_id)


AwardEvent = NamedDependency[tuple[SpecialAward, Event]]  # the route's award and its event, for its chief judge


async def _organized_award(db: Db, viewer: SignedIn, award_id: FromPath[int]) -> tuple[SpecialAward, Event]:
    return await awards.award_for_organizer(db, viewer, award_id)


OrganizedAward = NamedDependency[tuple[SpecialAward, Event]]  # the route's award and its event, for its organizers


async def _on_award(
    request: Req,
    db: AsyncSession,
    viewer: Viewer,
    award_event: tuple[SpecialAward, Event],
    act: Callable[[SpecialAward, Event, Form], Awaitable[str | None]],
) -> Response[Any]:
    """Run one of the award's actions, then back to the award; a refusal shows the award page with the reason and
    the typed values, and an action that has something to say (``act`` returns a message) says it on that page."""
    award, event = award_event

    async def done(message: str | None) -> Response[Any]:
        if not message:
            return redirect(f"/organizer/awards/{award.id}")
        return await AWARD.render(request, db, (viewer, award, event), message=message)

    return await submit(
        request, db, AWARD, (viewer, award, event), lambda form: act(award, event, form), done, multi=("judge_ids",)
    )


class OrganizerAwardsController(Controller):
    path = "/organizer"
    dependencies = {
        "event": ORGANIZED,
        "run_event": RUN_EVENT,  # the chief judge runs the ballots from the awards page
        "award_event": Provide(_award_event),
        "organized_award": Provide(_organized_award),
    }

    # -- the event's awards ---------------------------------------------------------------------

    @get("/events/{event_id:int}/awards")
    async def index(self, request: Req, db: Db, viewer: SignedIn, run_event: RunEvent) -> Template:
        return await INDEX.render(request, db, (viewer, run_event))

    @post("/events/{event_id:int}/awards")
    async def create(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Any:
        class_ids = await form_list(request, "class_ids")

        async def act(form: Form) -> SpecialAward:
            return await awards.create_award(db, viewer, event, form, class_ids)

        return await submit(
            request,
            db,
            INDEX,
            (viewer, event),
            act,
            lambda award: f"/organizer/awards/{award.id}",
            multi=("class_ids",),
            picked=set(class_ids),
        )

    @post("/events/{event_id:int}/awards/rules")
    async def set_rules(self, request: Req, db: Db, viewer: SignedIn, event: OrganizedEvent) -> Any:
        async def act(form: Form) -> None:
            await awards.set_rules(db, viewer, event, form)

        success = f"/organizer/events/{event.id}/awards"
        return await submit(request, db, INDEX, (viewer, event), act, success, field="rules", keep_form=False)

    # -- one award ------------------------------------------------------------------------------

    @get("/awards/{award_id:int}")
    async def detail(self, request: Req, db: Db, viewer: SignedIn, award_event: AwardEvent) -> Template:
        return await AWARD.render(request, db, (viewer, *award_event))

    @post("/awards/{award_id:int}")
    async def update(self, request: Req, db: Db, viewer: SignedIn, organized_award: OrganizedAward) -> Any:
        award, event = organized_award
        class_ids = await form_list(request, "class_ids")

        async def act(form: Form) -> None:
            await awards.update_award(db, viewer, award, event, form, class_ids)

        success = f"/organizer/awards/{award.id}"
        return await submit(
            request, db, AWARD, (viewer, award, event), act, success, multi=("class_ids",), picked=set(class_ids)
        )

    @post("/awards/{award_id:int}/remove")
    async def remove(self, db: Db, viewer: SignedIn, award_id: FromPath[int]) -> Redirect:
        award = await awards.remove_award(db, viewer, award_id)
        return redirect(f"/organizer/events/{award.event_id}/awards")

    @post("/awards/{award_id:int}/decide")
    async def decide(self, request: Req, db: Db, viewer: SignedIn, award_event: AwardEvent) -> Any:
        return await _on_award(
            request,
            db,
            viewer,
            award_event,
            lambda award, event, form: awards.decide_designated(db, viewer, award, event, form),
        )

    @post("/awards/{award_id:int}/undo")
    async def undo(self, request: Req, db: Db, viewer: SignedIn, award_event: AwardEvent) -> Any:
        return await _on_award(
            request, db, viewer, award_event, lambda award, event, form: awards.undo_decision(db, viewer, award, event)
        )

    @post("/awards/{award_id:int}/voters")
    async def voters(self, request: Req, db: Db, viewer: SignedIn, award_event: AwardEvent) -> Any:
        async def act(award: SpecialAward, event: Event, form: Form) -> None:
            await ballots.set_voters(db, viewer, award, event, await form_list(request, "judge_ids"))

        return await _on_award(request, db, viewer, award_event, act)

    @post("/awards/{award_id:int}/nominate")
    async def nominate(self, request: Req, db: Db, viewer: SignedIn, award_event: AwardEvent) -> Any:
        return await _on_award(
            request,
            db,
            viewer,
            award_event,
            lambda award, event, form: awards.nominate(db, viewer, award, event, form.get("nominated", "")),
        )

    @post("/awards/{award_id:int}/open")
    async def open_voting(self, request: Req, db: Db, viewer: SignedIn, award_event: AwardEvent) -> Any:
        return await _on_award(
            request, db, viewer, award_event, lambda award, event, form: ballots.open_voting(db, viewer, award, event)
        )

    @post("/awards/{award_id:int}/close")
    async def close_voting(self, request: Req, db: Db, viewer: SignedIn, award_event: AwardEvent) -> Any:
        return await _on_award(  # closing a round says what the count found
            request, db, viewer, award_event, lambda award, event, form: ballots.close_voting(db, viewer, award, event)
        )

    @post("/awards/{award_id:int}/run-off")
    async def run_off(self, request: Req, db: Db, viewer: SignedIn, award_event: AwardEvent) -> Any:
        return await _on_award(
            request, db, viewer, award_event, lambda award, event, form: ballots.run_off(db, viewer, award, event)
        )

    @post("/awards/{award_id:int}/tie")
    async def decide_tie(self, request: Req, db: Db, viewer: SignedIn, award_event: AwardEvent) -> Any:
        return await _on_award(
            request,
            db,
            viewer,
            award_event,
            lambda award, event, form: ballots.decide_tie(db, viewer, award, event, form),
        )

    @post("/awards/{award_id:int}/codes")
    async def codes(
        self, request: Req, db: Db, settings: AppSettings, viewer: SignedIn, organized_award: OrganizedAward
    ) -> Any:
        async def act(award: SpecialAward, event: Event, form: Form) -> None:
            await peoples_choice.generate_codes(db, settings.secret_key, viewer, award, event, form.get("count", ""))

        return await _on_award(request, db, viewer, organized_award, act)  # organizers only

    @get("/code-batches/{batch_id:int}/sheet.pdf")
    async def code_sheet(
        self, db: Db, settings: AppSettings, viewer: SignedIn, batch_id: FromPath[int]
    ) -> Response[bytes]:
        batch, award, event = await peoples_choice.batch_for_organizer(db, viewer, batch_id)
        sheet = await voting_code_sheet(db, settings, event, award, batch)
        return pdf_response(await report_pdf(sheet), sheet.filename(), download=True)

    # -- the results export -----------------------------------------------------------------------

    @get("/events/{event_id:int}/results.csv")
    async def export_csv(self, db: Db, settings: AppSettings, event: OrganizedEvent) -> Response[bytes]:
        data = export.to_csv(await export.results_rows(db, settings, event))
        return Response(
            data.encode("utf-8-sig"),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="results-{event.slug}.csv"'},
        )

    @get("/events/{event_id:int}/results.json")
    async def export_json(self, db: Db, settings: AppSettings, event: OrganizedEvent) -> Response[bytes]:
        data = export.to_json(event, await export.results_rows(db, settings, event))
        return Response(
            data.encode(),
            media_type="application/json",
            headers={"content-disposition": f'attachment; filename="results-{event.slug}.json"'},
        )
