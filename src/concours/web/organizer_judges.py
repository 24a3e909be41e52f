"""The organizer's judges: teams per class, the roster (invitations, CSV import, profiles, chief judge),
conflicts of interest, the assignment board and judge packets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Controller, MediaType, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Event, EventClass, Judge, JudgingSystem, Team, TeamMember, User
from concours.i18n import gettext, ngettext
from concours.reports import report_pdf
from concours.reports.judge_packet import JUDGE_PACKETS, judge_packet
from concours.services import assignment, conflict_declarations, conflict_suggestions, conflicts, roster, teams
from concours.services.errors import FormErrors
from concours.services.events import classes_of, load_rubric
from concours.services.permissions import event_for_organizer, roster_judge_ids
from concours.web.common import (
    Form,
    FormPage,
    device_of,
    form_data,
    form_list,
    notice_url,
    pdf_response,
    redirect,
    submit,
    typed_form,
)
from concours.web.dependencies import (
    ORGANIZED,
    RUN_CLASS,
    RUN_EVENT,
    AppSettings,
    Db,
    OrganizedEvent,
    Req,
    RunClass,
    RunEvent,
    SignedIn,
)
from concours.web.jobs import start_job_redirect

MAX_CSV_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Board:
    """The assignment board of an event, with the automatic plan proposed or not."""

    event: Event
    propose: bool = False


async def _judges_context(db: AsyncSession, event: Event, form: Form | None) -> dict[str, Any]:
    classes = await classes_of(db, event.id)
    members = (
        await db.execute(
            select(
                Team.class_id,
                User.name,
                User.email,
                TeamMember.is_captain,
                Judge.rank,
                Judge.id.label("judge_id"),
                TeamMember.sections,
            )
            .join(TeamMember, TeamMember.team_id == Team.id)
            .join(Judge, Judge.id == TeamMember.judge_id)
            .join(User, User.id == Judge.user_id)
            .where(Team.event_id == event.id)
            .order_by(TeamMember.is_captain.desc(), User.name)
        )
    ).all()
    system = await db.scalar(select(JudgingSystem).where(JudgingSystem.event_id == event.id))
    sections: list[str] = []
    if system is not None and system.sheet_mode == "section" and event.rubric_id:
        rubric = await load_rubric(db, event.rubric_id)
        sections = list(dict.fromkeys(c.section for c in rubric.categories if c.section))
    return {
        "event": event,
        "classes": classes,
        "members": members,
        "sections": sections,
        "rank_labels": roster.RANK_LABELS,
    }


async def _roster_context(db: AsyncSession, event: Event, form: Form | None) -> dict[str, Any]:
    return {
        "event": event,
        "judges": await roster.roster(db, event),
        "chief": await roster.chief_judge(db, event),
        "ranks": list(roster.RANK_LABELS.items()),
        "form": form if form is not None else {"rank": "judge"},
        "import_errors": [],
        "edit_forms": {},
    }


async def _conflicts_context(db: AsyncSession, event: Event, form: Form | None) -> dict[str, Any]:
    return {
        "event": event,
        "conflicts": await conflicts.list_conflicts(db, event),
        "judges": await roster.roster(db, event),
        "choices": await conflicts.conflict_choices(db, event),
        "kinds": conflicts.kind_labels(),
        "types": conflicts.type_labels(),
        "years": conflicts.JUDGED_BEFORE_YEARS,
        "dismiss_form": {},
    }


async def _board_context(db: AsyncSession, subject: Board, form: Form | None) -> dict[str, Any]:
    board, loaded = await assignment.board(db, subject.event)
    proposal = (await assignment.propose(db, subject.event))[0] if subject.propose else None
    return {
        "event": subject.event,
        "board": board,
        "proposal": proposal,
        "names": loaded.judge_names,
        "codes": loaded.class_codes,
        "ranks": {j.id: j.rank for j in loaded.inputs.judges},
        "rank_labels": roster.RANK_LABELS,
        "humanize": lambda text: assignment.humanize(text, loaded),
    }


JUDGES = FormPage("organizer/judges.html", _judges_context)
ROSTER = FormPage("organizer/judges_roster.html", _roster_context)
CONFLICTS = FormPage("organizer/conflicts.html", _conflicts_context)
BOARD = FormPage("organizer/assignment.html", _board_context)


async def provide_on_roster(
    db: Db, viewer: SignedIn, event_id: FromPath[int], judge_id: FromPath[int]
) -> tuple[Event, Judge]:
    """A judge of the roster of an event the viewer organizes, with the event (a route's ``on_roster``)."""
    event = await event_for_organizer(db, viewer, event_id)
    return event, await roster.judge_on_roster(db, event, judge_id)


OnRoster = NamedDependency[tuple[Event, Judge]]  # the route's judge, of an event the viewer organizes
ON_ROSTER = Provide(provide_on_roster)


def _roster_url(event: Event, notice: str) -> str:
    return notice_url(f"/organizer/events/{event.id}/roster", notice)


def _conflicts_url(event_id: int, notice: str, anchor: str = "") -> str:
    return notice_url(f"/organizer/events/{event_id}/conflicts", notice, anchor)


async def _on_team(
    request: Req,
    db: AsyncSession,
    event: Event,
    cls: EventClass,
    act: Callable[[Form], Awaitable[None]],
    form_name: str,
    **options: Any,
) -> Response[Any]:
    """Submit one of a class's team forms on the judges page: back to the class, or its refusal beside that form."""
    done = f"/organizer/events/{event.id}/judges#class-{cls.id}"
    return await submit(request, db, JUDGES, event, act, done, field=f"{form_name}-{cls.id}", **options)


class OrganizerJudgesController(Controller):
    path = "/organizer"
    # The routes an organizer runs take ``event`` (or ``on_roster``); those the chief judge runs too, ``run_event`` or
    # ``run_class``.
    dependencies = {"event": ORGANIZED, "on_roster": ON_ROSTER, "run_event": RUN_EVENT, "run_class": RUN_CLASS}

    # -- teams per class (the quick way: put a judge straight on a class) ----------------------------

    @get("/events/{event_id:int}/judges")
    async def judges(self, request: Req, db: Db, event: OrganizedEvent) -> Template:
        return await JUDGES.render(request, db, event)

    @post("/events/{event_id:int}/judges", media_type=MediaType.HTML)
    async def add_judge(
        self, request: Req, db: Db, viewer: SignedIn, settings: AppSettings, event: OrganizedEvent
    ) -> Any:
        async def act(form: Form) -> None:
            cls = None
            if form.get("class_id", "").isdecimal() and len(form["class_id"]) < 10:
                cls = await db.get(EventClass, int(form["class_id"]))
            if cls is None or cls.event_id != event.id:
                raise FormErrors({"class_id": gettext("Choose the class this judge will judge.")})
            await teams.add_judge_to_class(
                db,
                settings,
                viewer,
                cls,
                name=form.get("name", ""),
                email=form.get("email", ""),
                captain=form.get("captain") == "on",
            )

        return await submit(request, db, JUDGES, event, act, f"/organizer/events/{event.id}/judges")

    @post("/classes/{class_id:int}/sections", media_type=MediaType.HTML)
    async def sections(self, request: Req, db: Db, viewer: SignedIn, run_class: RunClass) -> Any:
        cls, event = run_class
        # A judge's sections come as one ``sections-<judge id>`` field per ticked box.
        judges = [k for k in await request.form() if k.startswith("sections-") and k[9:].isdecimal() and len(k) < 20]

        async def act(form: Form) -> None:
            if form.get("share") == "evenly":
                await teams.share_sections(db, viewer, cls)
                return
            chosen = {int(key[9:]): await form_list(request, key) for key in judges}
            await teams.set_sections(db, viewer, cls, chosen)

        return await _on_team(request, db, event, cls, act, "sections", multi=judges)

    @post("/classes/{class_id:int}/team-size", media_type=MediaType.HTML)
    async def team_size(self, request: Req, db: Db, viewer: SignedIn, run_class: RunClass) -> Any:
        cls, event = run_class

        async def act(form: Form) -> None:
            await teams.set_team_size(db, viewer, cls, form.get("team_min", ""), form.get("team_max", ""))

        return await _on_team(
            request, db, event, cls, act, "team", keep_form=False, keep=lambda form: {"team_forms": {cls.id: form}}
        )

    # -- the roster ------------------------------------------------------------------------------------

    @get("/events/{event_id:int}/roster")
    async def roster_page(self, request: Req, db: Db, event: OrganizedEvent) -> Template:
        return await ROSTER.render(request, db, event)

    @post("/events/{event_id:int}/roster", media_type=MediaType.HTML)
    async def invite(self, request: Req, db: Db, viewer: SignedIn, settings: AppSettings, event: OrganizedEvent) -> Any:
        async def act(form: Form) -> None:
            await roster.invite_judge(db, settings, viewer, event, form)

        return await submit(request, db, ROSTER, event, act, _roster_url(event, gettext("invited")))

    @post("/events/{event_id:int}/roster/import", media_type=MediaType.HTML)
    async def import_roster(
        self, request: Req, db: Db, viewer: SignedIn, settings: AppSettings, event: OrganizedEvent
    ) -> Any:
        form = await request.form()
        upload = form.get("csv")
        text = ""
        try:
            if isinstance(upload, UploadFile):
                raw = await upload.read(MAX_CSV_BYTES + 1)
                if len(raw) > MAX_CSV_BYTES:
                    raise roster.ImportErrors([gettext("The file is larger than 2 MB; split it.")])
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError as exc:
                    raise roster.ImportErrors([gettext("The file is not UTF-8 text; save it as CSV (UTF-8).")]) from exc
            else:
                text = (await form_data(request)).get("csv_text", "")  # checked like any text field
            result = await roster.import_csv(db, settings, viewer, event, text.replace("\x00", ""))
        except roster.ImportErrors as exc:
            return await ROSTER.render(request, db, event, status_code=400, import_errors=exc.rows)
        said = gettext(
            "imported %(invited)s invited %(updated)s updated", invited=result.invited, updated=result.updated
        )
        return redirect(_roster_url(event, said))

    @post("/events/{event_id:int}/roster/{judge_id:int}", media_type=MediaType.HTML)
    async def update_judge(self, request: Req, db: Db, viewer: SignedIn, on_roster: OnRoster) -> Any:
        event, judge = on_roster

        async def act(form: Form) -> None:
            await roster.update_judge(db, viewer, event, judge, form)

        return await submit(
            request,
            db,
            ROSTER,
            event,
            act,
            f"/organizer/events/{event.id}/roster#judge-{judge.id}",
            keep_form=False,
            keep=lambda form: {"edit_forms": {judge.id: form}},  # the typed values belong to this judge's row
        )

    @post("/events/{event_id:int}/chief-judge", media_type=MediaType.HTML)
    async def chief_judge(
        self, request: Req, db: Db, viewer: SignedIn, settings: AppSettings, event: OrganizedEvent
    ) -> Any:
        async def act(form: Form) -> None:
            await roster.set_chief_judge(db, settings, viewer, event, form.get("chief_judge", ""))

        done = _roster_url(event, gettext("chief judge chosen"))
        return await submit(request, db, ROSTER, event, act, done, keep_form=False)

    # -- conflicts -------------------------------------------------------------------------------------

    @get("/events/{event_id:int}/conflicts")
    async def conflicts(self, request: Req, db: Db, run_event: RunEvent) -> Template:
        return await CONFLICTS.render(request, db, run_event)

    @post("/events/{event_id:int}/conflicts", media_type=MediaType.HTML)
    async def add_conflict(self, request: Req, db: Db, viewer: SignedIn, run_event: RunEvent) -> Any:

        async def act(form: Form) -> None:
            judge_text = form.get("judge_id", "")
            judge_id = int(judge_text) if judge_text.isdecimal() and len(judge_text) < 10 else 0
            if judge_id not in await roster_judge_ids(db, run_event.id):
                raise FormErrors({"judge_id": gettext("Choose a judge of the roster.")})
            await conflicts.add_conflict(db, viewer, run_event, judge_id, form, source="organizer")

        return await submit(request, db, CONFLICTS, run_event, act, f"/organizer/events/{run_event.id}/conflicts")

    @post("/events/{event_id:int}/conflicts/roster-setting", media_type=MediaType.HTML)
    async def roster_setting(self, request: Req, db: Db, viewer: SignedIn, run_event: RunEvent) -> Any:

        async def act(form: Form) -> None:
            await conflict_declarations.set_roster_public(db, viewer, run_event, form.get("roster_public", "") == "on")

        done = _conflicts_url(run_event.id, gettext("setting saved"), "declared")
        return await submit(request, db, CONFLICTS, run_event, act, done, keep_form=False)

    @post("/conflicts/{conflict_id:int}/delete", media_type=MediaType.HTML)
    async def remove_conflict(self, request: Req, db: Db, viewer: SignedIn, conflict_id: FromPath[int]) -> Any:
        conflict = await conflicts.remove_conflict(db, viewer, conflict_id, own_only=False)
        return redirect(f"/organizer/events/{conflict.event_id}/conflicts")

    @post("/events/{event_id:int}/conflicts/suggest", media_type=MediaType.HTML)
    async def suggest_conflicts(self, db: Db, viewer: SignedIn, run_event: RunEvent) -> Any:
        found = await conflict_suggestions.suggest_conflicts(db, viewer, run_event)
        done = (
            ngettext("%(num)s new suggestion", "%(num)s new suggestions", len(found))
            if found
            else gettext("nothing new to suggest")
        )
        return redirect(_conflicts_url(run_event.id, done, "suggested"))

    @post("/conflicts/{conflict_id:int}/confirm", media_type=MediaType.HTML)
    async def confirm_conflict(self, request: Req, db: Db, viewer: SignedIn, conflict_id: FromPath[int]) -> Any:
        _, event = await conflicts.conflict_for_chief_judge(db, viewer, conflict_id)

        async def act(form: Form) -> None:
            await conflicts.confirm_conflict(db, viewer, conflict_id)

        done = _conflicts_url(event.id, gettext("conflict confirmed"))
        return await submit(request, db, CONFLICTS, event, act, done, keep_form=False)

    @post("/conflicts/{conflict_id:int}/dismiss", media_type=MediaType.HTML)
    async def dismiss_conflict(self, request: Req, db: Db, viewer: SignedIn, conflict_id: FromPath[int]) -> Any:
        _, event = await conflicts.conflict_for_chief_judge(db, viewer, conflict_id)

        async def act(form: Form) -> None:
            await conflicts.dismiss_conflict(db, viewer, conflict_id, form.get(f"dismissed_reason_{conflict_id}", ""))

        done = _conflicts_url(event.id, gettext("suggestion dismissed"))
        return await submit(
            request, db, CONFLICTS, event, act, done, keep_form=False, keep=lambda form: {"dismiss_form": form}
        )

    # -- the assignment board --------------------------------------------------------------------------

    @get("/events/{event_id:int}/assignment")
    async def board(self, request: Req, db: Db, run_event: RunEvent) -> Template:
        return await BOARD.render(request, db, Board(run_event, propose=request.query_params.get("propose") == "1"))

    @post("/events/{event_id:int}/assignment/apply", media_type=MediaType.HTML)
    async def apply(self, request: Req, db: Db, viewer: SignedIn, run_event: RunEvent) -> Any:

        async def act(form: Form) -> None:
            await assignment.apply_plan(db, viewer, run_event, form.get("token", ""))

        done = notice_url(f"/organizer/events/{run_event.id}/assignment", gettext("The automatic plan is in place."))
        return await submit(request, db, BOARD, Board(run_event, propose=True), act, done)

    @post("/events/{event_id:int}/assignment/change", media_type=MediaType.HTML)
    async def change(self, request: Req, db: Db, viewer: SignedIn, run_event: RunEvent) -> Any:
        form = await typed_form(request)
        judge_text, class_text = form.get("judge_id", ""), form.get("class_id", "")
        judge_id = int(judge_text) if judge_text.isdecimal() and len(judge_text) < 10 else 0
        class_id = int(class_text) if class_text.isdecimal() and len(class_text) < 10 else None

        async def act(form: Form) -> str:
            return await assignment.change_team(
                db,
                viewer,
                run_event,
                judge_id=judge_id,
                class_id=class_id,
                captain=form.get("action") == "captain",
                device=device_of(request),
            )

        return await submit(
            request,
            db,
            BOARD,
            Board(run_event),
            act,
            lambda done: notice_url(f"/organizer/events/{run_event.id}/assignment", done, f"judge-{judge_id}"),
            field=f"judge-{judge_id}",
        )

    # -- judge packets -----------------------------------------------------------------------------

    @post("/events/{event_id:int}/packets", media_type=MediaType.HTML)
    async def all_packets(
        self, request: Req, db: Db, viewer: SignedIn, settings: AppSettings, event_id: FromPath[int]
    ) -> Redirect:
        """Every judge's packet, rendered as a job (a progress page, then the download)."""
        return await start_job_redirect(request, db, settings, viewer, event_id, JUDGE_PACKETS.name)

    @get("/events/{event_id:int}/judges/{judge_id:int}/packet.pdf")
    async def one_packet(
        self, db: Db, settings: AppSettings, run_event: RunEvent, judge_id: FromPath[int]
    ) -> Response[bytes]:
        packet = await judge_packet(db, settings, run_event, judge_id)
        return pdf_response(await report_pdf(packet), packet.filename())
