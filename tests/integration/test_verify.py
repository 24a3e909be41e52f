"""Certified documents can be verified, on a real database: certifying a class stores a content hash (stable when
recomputed, changed by a changed line); the class results PDF (judges' room and posted copy), the entrant's score
report and the results book print its code and a QR code (decoded with zxing-cpp) to the public verification
page, which says the code matches (event, class, when, by whom) without results until they are published; after
a reopen and a new certification the old code says superseded; an unknown code is a 404 page; the form takes a
typed code."""

from __future__ import annotations

import io
import re
from typing import Any

import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import (
    AuditLog,
    Certification,
    ClassSystem,
    Entry,
    Event,
    EventClass,
    PlacingLine,
    PlacingSheet,
    ScoreLine,
    ScoreSheet,
    User,
)
from concours.domain.certificate import grouped
from concours.services import accounts, certificates, results
from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.helpers import drawn_images, post
from tests.scenes import Seeded, score_and_submit, seed, seed_scoring, signed_in, viewer_of

# The CCCA sheet: body & paint 25, interior 20, engine 15, chrome & trim 15, undercarriage 15, wheels & tires 10.
FIRST = ["24", "19", "14", "14", "14", "9"]  # 94
SECOND = ["22", "18", "14", "14", "14", "9"]  # 91
MATCHES = "This code matches a certified record.</strong>"  # the record stands (a superseded one says otherwise)


def judged(db_url: str, settings: Settings) -> Seeded:
    """Two judges agree on two cars (class C, CCCA sheet), every sheet submitted."""
    show = seed(db_url, settings, judges=2, cars=2, preset="ccca_100")

    async def go(session: AsyncSession) -> None:
        await score_and_submit(session, show, {(0, 0): FIRST, (1, 0): FIRST, (0, 1): SECOND, (1, 1): SECOND})

    run_db(db_url, go)
    return show


def certifications(db_url: str, class_id: int) -> list[Certification]:
    async def go(session: AsyncSession) -> list[Certification]:
        return list(
            (
                await session.scalars(
                    select(Certification).where(Certification.class_id == class_id).order_by(Certification.number)
                )
            ).all()
        )

    return run_db(db_url, go)


def recomputed(db_url: str, cert_id: int) -> str:
    async def go(session: AsyncSession) -> str:
        cert = await session.get(Certification, cert_id)
        assert cert is not None
        return await certificates.recompute(session, cert)

    return run_db(db_url, go)


def pages_text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)


def qr_texts(pdf: bytes) -> list[str]:
    """The QR codes decoded from the images the PDF's pages draw."""
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for image in drawn_images(page):
            img = Image.open(io.BytesIO(image.data)).convert("L")
            found += [r.text for r in zxingcpp.read_barcodes(img)]
    return found


def owner_token(db_url: str, settings: Settings, email: str) -> str:
    async def go(session: AsyncSession) -> str:
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        return await accounts.start_session(session, settings, user.id, "test")

    return run_db(db_url, go)


def test_certify_print_verify_reopen_supersede(db_url: str, settings: Settings) -> None:
    show = judged(db_url, settings)
    with signed_in(settings, show.organizer_token) as chief, new_client(settings) as public:
        assert post(chief, f"/organizer/classes/{show.class_id}/certify").status_code == 303
        [cert] = certifications(db_url, show.class_id)
        assert re.fullmatch(r"[0-9a-f]{64}", cert.content_hash) and cert.code == cert.content_hash[:12]
        assert cert.number == 1 and cert.certified_by_name == "Charlotte Chief" and cert.withdrawn_at is None

        async def on_class(session: AsyncSession) -> tuple[str | None, dict[str, Any] | None]:
            cls = await session.get(EventClass, show.class_id)
            log = await session.scalar(
                select(AuditLog).where(AuditLog.entity_type == "class", AuditLog.action == "certify")
            )
            assert cls is not None and log is not None
            return cls.content_hash, log.after

        stored, audit = run_db(db_url, on_class)
        assert stored == cert.content_hash and audit is not None and audit["content_hash"] == cert.content_hash
        # Stable: recomputed over the same data, the same hash.
        assert recomputed(db_url, cert.id) == cert.content_hash

        url = f"{settings.base_url}/verify/{cert.code}"
        code = grouped(cert.code)
        for public_copy in (False, True):  # the judges' room copy and the copy to post
            pdf = chief.get(f"/organizer/classes/{show.class_id}/results.pdf", params={"public": public_copy})
            assert pdf.status_code == 200
            text = pages_text(pdf.content)
            assert f"Certified record {code}" in text and url in text
            assert qr_texts(pdf.content) == [url]

        # The verification page, for anyone: it matches; results are not published, so none are shown.
        page = public.get(f"/verify/{cert.code}")
        assert page.status_code == 200, page.text
        assert MATCHES in page.text
        assert "class C — French Curves 1935-1939 at Lakeside Concours" in page.text
        assert "Charlotte Chief" in page.text and "(chief judge)" in page.text
        assert "not published yet" in page.text
        assert "T150-C SS" not in page.text and "Owner 0" not in page.text and "in class" not in page.text
        # The code as printed (grouped, any case) through the form.
        r = public.get("/verify", params={"code": code.lower()}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/verify/{cert.code}"

        # Published: the page shows the certified results, and the entrant's score report carries the stamp.
        assert post(chief, f"/organizer/events/{show.event_id}/publish").status_code == 303
        page = public.get(f"/verify/{cert.code}")
        assert MATCHES in page.text and "T150-C SS 0" in page.text
        assert "1st in class" in page.text
        with signed_in(settings, owner_token(db_url, settings, "owner0@example.com")) as owner:
            sheets = owner.get(f"/my/entries/{show.entries[0]}")
            assert f'<a href="/verify/{cert.code}">' in sheets.text
            report = owner.get(f"/my/entries/{show.entries[0]}/report.pdf")
            assert report.status_code == 200
            assert f"Certified record {code}" in pages_text(report.content)
            assert qr_texts(report.content) == [url]

        # Reopened: the old code no longer stands; certified again: a new code, the old one superseded.
        r = post(chief, f"/organizer/classes/{show.class_id}/reopen", {"reason": "Scoring error on car 11"})
        assert r.status_code == 303
        page = public.get(f"/verify/{cert.code}")
        assert page.status_code == 200 and "Superseded" in page.text and MATCHES not in page.text
        assert "T150-C SS 0" not in page.text  # no results on a record that no longer stands
        assert post(chief, f"/organizer/classes/{show.class_id}/certify").status_code == 303
        old, new = certifications(db_url, show.class_id)
        assert old.withdrawn_at is not None and new.number == 2 and new.content_hash != old.content_hash
        page = public.get(f"/verify/{old.code}")
        assert "Superseded" in page.text and "certified again" in page.text and grouped(new.code) in page.text
        page = public.get(f"/verify/{new.code}")
        assert MATCHES in page.text and "Superseded" not in page.text
        ranking = chief.get(f"/organizer/classes/{show.class_id}/results").text  # both records, the new one current
        assert ranking.index(grouped(new.code)) < ranking.index("current") < ranking.index(grouped(old.code))
        assert f'href="/verify/{old.code}"' in ranking and "superseded" in ranking
        pdf = chief.get(f"/organizer/classes/{show.class_id}/results.pdf")
        assert qr_texts(pdf.content) == [f"{settings.base_url}/verify/{new.code}"]
        assert grouped(old.code) not in pages_text(pdf.content)

        # A changed line changes the hash: the record as certified no longer matches the data.
        async def tamper(session: AsyncSession) -> None:
            line = await session.scalar(
                select(ScoreLine)
                .join(ScoreSheet, ScoreSheet.id == ScoreLine.sheet_id)
                .join(Entry, Entry.id == ScoreSheet.entry_id)
                .where(Entry.class_id == show.class_id)
                .order_by(ScoreLine.id)
                .limit(1)
            )
            assert line is not None
            line.value_units = (line.value_units or 0) - 10

        assert recomputed(db_url, new.id) == new.content_hash
        run_db(db_url, tamper)
        assert recomputed(db_url, new.id) != new.content_hash


def test_results_book_prints_each_classs_code_and_qr(db_url: str, settings: Settings) -> None:
    show = judged(db_url, settings)
    with signed_in(settings, show.organizer_token) as chief:
        assert post(chief, f"/organizer/classes/{show.class_id}/certify").status_code == 303
        [cert] = certifications(db_url, show.class_id)
        r = post(chief, f"/organizer/events/{show.event_id}/documents", {"document": "results-book"})
        assert r.status_code == 303, r.text
        job = r.headers["location"]
        page = chief.get(job)
        assert page.status_code == 200 and "Download the PDF" in page.text, page.text
        pdf = chief.get(f"{job}/document.pdf").content
        url = f"{settings.base_url}/verify/{cert.code}"
        assert f"Certified record {grouped(cert.code)}" in pages_text(pdf)
        assert url in qr_texts(pdf)


def test_unknown_and_malformed_codes(db_url: str, settings: Settings) -> None:
    with new_client(settings) as public:
        form = public.get("/verify")
        assert form.status_code == 200 and "Verify a certified document" in form.text and 'name="code"' in form.text
        page = public.get("/verify/0123456789ab")
        assert page.status_code == 404 and "No certified record with this code" in page.text
        assert 'name="code"' in page.text  # the form, to try again
        page = public.get("/verify/not-a-code<script>")
        assert page.status_code == 404 and "<script>" not in page.text
        r = public.get("/verify", params={"code": "12AB"})
        assert r.status_code == 400 and "12 letters and digits" in r.text and 'value="12AB"' in r.text


def test_a_placings_class_hashes_its_orders_and_notes(db_url: str, settings: Settings) -> None:
    """Judged by placings: the judges' orders and notes are in the record; a changed note changes the hash."""

    async def go(session: AsyncSession) -> tuple[int, str]:
        show = await seed_scoring(session, settings, judges=2, cars=3)
        session.add(ClassSystem(class_id=show.class_id, method="placings", combine="borda", places=3))
        e0, e1, e2 = show.entries
        for judge_id, order in zip(show.judge_ids, ((e0, e1, e2), (e0, e1, e2)), strict=True):
            session.add(
                PlacingSheet(
                    class_id=show.class_id,
                    judge_id=judge_id,
                    status="submitted",
                    version=1,
                    overall_comment="A fine class.",
                    lines=[
                        PlacingLine(entry_id=e, position=p, note="Superb line." if p == 1 else "")
                        for p, e in enumerate(order, start=1)
                    ],
                )
            )
        await session.flush()
        event = await session.get(Event, show.event_id)
        cls = await session.get(EventClass, show.class_id)
        chief = await session.scalar(select(User).where(User.email == "chief@example.com"))
        assert event is not None and cls is not None and chief is not None
        await results.certify_class(session, viewer_of(chief, event.id), event, cls)
        cert = await session.scalar(select(Certification).where(Certification.class_id == cls.id))
        assert cert is not None and cls.content_hash == cert.content_hash
        record = await certificates.class_record(
            session, event, cls, number=1, certified_at=cert.certified_at, by_id=chief.id
        )
        assert record["rules"]["method"] == "placings" and len(record["orders"]) == 2 and record["sheets"] == []
        assert record["orders"][0]["lines"][0] == {"entry_id": e0, "position": 1, "note": "Superb line."}
        assert [r["award"] for r in record["result"]][:1] == ["1st in class"]
        return cert.id, cert.content_hash

    cert_id, digest = run_db(db_url, go)
    assert recomputed(db_url, cert_id) == digest

    async def new_note(session: AsyncSession) -> None:
        line = await session.scalar(select(PlacingLine).where(PlacingLine.note == "Superb line.").limit(1))
        assert line is not None
        line.note = "Superb line, fine paint."

    run_db(db_url, new_note)
    assert recomputed(db_url, cert_id) != digest
