"""Special awards: Best of Show, People's Choice and designated awards (Chairman's, sponsors), each
recorded with who chose it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import ClassResult, Entrant, Entry, Event, SpecialAward, User, Vehicle
from concours.services import audit
from concours.services.errors import FormErrors, NotFound
from concours.services.permissions import Viewer

KINDS = {
    "designated": "Designated award (Chairman's, sponsor …)",
    "best_of_show": "Best of Show",
    "peoples_choice": "People's Choice",
}


@dataclass(frozen=True)
class AwardView:
    id: int
    name: str
    kind: str
    chosen_by: str
    reason: str
    car_number: int | None
    title: str
    owner: str


async def list_awards(session: AsyncSession, event: Event) -> list[AwardView]:
    rows = (
        await session.execute(
            select(SpecialAward, Entry.car_number, Vehicle.year, Vehicle.make, Vehicle.model, User.name)
            .join(Entry, Entry.id == SpecialAward.entry_id)
            .join(Vehicle, Vehicle.id == Entry.vehicle_id)
            .join(Entrant, Entrant.id == Entry.entrant_id)
            .join(User, User.id == Entrant.user_id)
            .where(SpecialAward.event_id == event.id)
            .order_by(SpecialAward.position, SpecialAward.id)
        )
    ).all()
    return [
        AwardView(a.id, a.name, a.kind, a.chosen_by, a.reason, n, f"{y} {mk} {md}", owner)
        for a, n, y, mk, md, owner in rows
    ]


async def record_award(session: AsyncSession, viewer: Viewer, event: Event, form: dict[str, str]) -> SpecialAward:
    name, kind = form.get("award_name", "").strip(), form.get("kind", "designated")
    chosen_by, reason = form.get("chosen_by", "").strip(), form.get("reason", "").strip()
    errors: dict[str, str] = {}
    if not name or len(name) > 200:
        errors["award_name"] = "Name the award, e.g. “Chairman's Award” or “Best of Show”."
    if kind not in KINDS:
        errors["kind"] = "Choose the kind of award."
    if not chosen_by or len(chosen_by) > 200:
        errors["chosen_by"] = "Say who chose it (the chairman, the sponsor, the honorary judges …)."
    entry: Entry | None = None
    number = form.get("car_number", "").strip()
    if not number.isdecimal() or len(number) > 9:
        errors["car_number"] = "Enter the car number of the winning car."
    else:
        entry = await session.scalar(
            select(Entry).where(Entry.event_id == event.id, Entry.car_number == int(number), Entry.status == "accepted")
        )
        if entry is None:
            errors["car_number"] = f"No accepted car has number {number} at this event."
    if entry is not None and kind == "best_of_show":
        # Best of Show is chosen only among the class winners (certified first in class).
        winner = await session.scalar(
            select(ClassResult.id).where(ClassResult.entry_id == entry.id, ClassResult.rank == 1)
        )
        if winner is None:
            errors["car_number"] = f"Car {number} did not win its class: Best of Show is chosen among class winners."
    if errors:
        raise FormErrors(errors)
    assert entry is not None
    award = SpecialAward(
        event_id=event.id,
        name=name,
        kind=kind,
        entry_id=entry.id,
        chosen_by=chosen_by,
        reason=reason[:2000],
        decided_by_id=viewer.user_id,
    )
    session.add(award)
    await session.flush()
    audit.record(
        session,
        entity_type="special_award",
        entity_id=award.id,
        action="record",
        user_id=viewer.user_id,
        event_id=event.id,
        after={"name": name, "entry_id": entry.id, "chosen_by": chosen_by},
    )
    return award


async def remove_award(session: AsyncSession, viewer: Viewer, award_id: int) -> SpecialAward:
    award = await session.get(SpecialAward, award_id)
    if award is None or not viewer.organizes(award.event_id):
        raise NotFound("There is no such award.")
    audit.record(
        session,
        entity_type="special_award",
        entity_id=award.id,
        action="remove",
        user_id=viewer.user_id,
        event_id=award.event_id,
        before={"name": award.name, "entry_id": award.entry_id},
    )
    await session.delete(award)
    return award
