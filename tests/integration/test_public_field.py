"""The public event page shows the field: every accepted, numbered car class by class, with its photo (small) and
a link to its public page; nothing of an application not accepted."""

from __future__ import annotations

import re

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Entry
from concours.services import photos
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import image_bytes
from tests.scenes import Scene


def test_the_field_on_the_public_page(scene: Scene, db_url: str, settings: Settings) -> None:
    async def prepare(session: AsyncSession) -> list[int]:
        rows = (
            await session.execute(
                select(Entry.id, Entry.vehicle_id, Entry.car_number).where(Entry.event_id == scene.event_id)
            )
        ).all()
        first = next(r for r in rows if r.id == scene.entries[0])
        await photos.store(session, settings, first.vehicle_id, [photos.process(image_bytes("JPEG", (1200, 800)))])
        # The second car goes back to "applied": it is no longer on the field.
        await session.execute(update(Entry).where(Entry.id == scene.entries[1]).values(status="applied"))
        await session.commit()
        return [r.car_number for r in rows if r.id == scene.entries[0]]

    (number,) = run_db(db_url, prepare)
    with new_client(settings) as public:
        page = public.get(f"/events/{scene.slug}")
        assert page.status_code == 200
        field = re.search(r'<section class="card" id="field">(.*?)</section>', page.text, re.S)
        assert field is not None
        assert "The field (1 car)" in field.group(1)
        links = re.findall(rf'href="/events/{scene.slug}/cars/(\d+)"', field.group(1))
        assert links == [str(number)]
        thumb = public.get(f"/events/{scene.slug}/cars/{number}/thumb")
        full = public.get(f"/events/{scene.slug}/cars/{number}/photo")
        assert thumb.status_code == 200 and thumb.headers["content-type"].startswith("image/")
        assert len(thumb.content) < len(full.content)
        assert public.get(f"/events/{scene.slug}/cars/{number}").status_code == 200
        # The car that is not accepted has no public page and no photo.
        assert public.get(f"/events/{scene.slug}/cars/999/thumb").status_code == 404
