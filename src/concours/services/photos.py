"""Vehicle photos: checked by content (JPEG, PNG or WebP), capped in size and pixels, re-encoded (which drops
EXIF and any location in it), thumbnailed, stored under ``settings.media_dir`` (never under ``static/``) and
served only to those allowed to see them. All image work runs in a worker thread."""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from PIL import Image, ImageOps
from sqlalchemy import ColumnElement, and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from concours.db import Conflict, Entry, Team, TeamMember, Vehicle, VehiclePhoto
from concours.i18n import gettext, localize_decimal
from concours.services.errors import FormErrors, NotFound
from concours.services.permissions import Viewer, conflict_binds
from concours.settings import Settings

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # beyond this a "photo" is a decompression bomb, not a car
FULL_SIZE = 1600
THUMB_SIZE = 400
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


class PhotoError(ValueError):
    """The upload is not a photo we accept; the message says why."""


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class Processed:
    full: bytes
    thumb: bytes
    width: int
    height: int


def _to_jpeg(img: Image.Image, size: int) -> tuple[bytes, int, int]:
    copy = img.copy()
    copy.thumbnail((size, size))
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=85, optimize=True)  # no exif= given: no metadata is written
    return out.getvalue(), copy.width, copy.height


def process(data: bytes, filename: str = "") -> Processed:
    """Check one upload by its content and re-encode it (blocking: call in a worker thread)."""
    name = filename or gettext("the photo")
    if len(data) > MAX_PHOTO_BYTES:
        size, limit = localize_decimal(f"{len(data) / 1048576:.1f}"), MAX_PHOTO_BYTES // 1048576
        raise PhotoError(
            gettext("%(name)s is %(size)s MB; a photo may be at most %(limit)s MB.", name=name, size=size, limit=limit)
        )
    if not data:
        raise PhotoError(gettext("%(name)s is empty.", name=name))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                if fmt not in ACCEPTED_FORMATS:
                    raise PhotoError(gettext("%(name)s is not a JPEG, PNG or WebP photo.", name=name))
                if probe.width * probe.height > MAX_PIXELS:
                    raise PhotoError(
                        gettext("%(name)s has too many pixels; send a photo of at most 40 megapixels.", name=name)
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as opened:
                opened.load()
                img: Image.Image = ImageOps.exif_transpose(opened)
                if img.mode in ("RGBA", "LA", "P"):
                    img = img.convert("RGBA")
                    background = Image.new("RGB", img.size, (255, 255, 255))
                    background.paste(img, mask=img.getchannel("A"))
                    img = background
                elif img.mode != "RGB":
                    img = img.convert("RGB")
                full, width, height = _to_jpeg(img, FULL_SIZE)
                thumb, _, _ = _to_jpeg(img, THUMB_SIZE)
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoError(gettext("%(name)s has too many pixels; send a smaller photo.", name=name)) from exc
    except Exception as exc:  # Pillow raises many kinds of errors on broken or hostile files
        raise PhotoError(gettext("%(name)s is not a JPEG, PNG or WebP photo we can read.", name=name)) from exc
    return Processed(full=full, thumb=thumb, width=width, height=height)


def _process_all(uploads: list[Upload]) -> tuple[list[Processed], list[str]]:
    done: list[Processed] = []
    problems: list[str] = []
    for up in uploads:
        try:
            done.append(process(up.data, up.filename))
        except PhotoError as exc:
            problems.append(str(exc))
    return done, problems


async def check_uploads(uploads: list[Upload], *, allowed: int, existing: int = 0) -> list[Processed]:
    """Every upload checked and re-encoded, or FormErrors on the ``photos`` field naming each problem."""
    if existing + len(uploads) > allowed:
        left = max(allowed - existing, 0)
        if existing:
            message = gettext(
                "This event takes at most %(allowed)s photos per car; you sent %(sent)s and %(existing)s are already "
                "stored. Choose at most %(left)s.",
                allowed=allowed,
                sent=len(uploads),
                existing=existing,
                left=left,
            )
        else:
            message = gettext(
                "This event takes at most %(allowed)s photos per car; you sent %(sent)s. Choose at most %(left)s.",
                allowed=allowed,
                sent=len(uploads),
                left=left,
            )
        raise FormErrors({"photos": message})
    if not uploads:
        return []
    done, problems = await anyio.to_thread.run_sync(_process_all, uploads)
    if problems:
        raise FormErrors({"photos": " ".join([*problems, gettext("Nothing was stored; choose the photos again.")])})
    return done


def photo_dir(settings: Settings) -> Path:
    return Path(settings.media_dir) / "photos"


def _write(directory: Path, key: str, processed: Processed) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{key}.jpg").write_bytes(processed.full)
    (directory / f"{key}-thumb.jpg").write_bytes(processed.thumb)


async def store(session: AsyncSession, settings: Settings, vehicle_id: int, photos: list[Processed]) -> None:
    """Write the files and add their rows after the vehicle's existing photos."""
    if not photos:
        return
    top = await session.scalar(select(func.max(VehiclePhoto.position)).where(VehiclePhoto.vehicle_id == vehicle_id))
    position = (top if top is not None else -1) + 1
    directory = photo_dir(settings)
    for p in photos:
        key = secrets.token_hex(16)
        await anyio.to_thread.run_sync(_write, directory, key, p)
        session.add(
            VehiclePhoto(
                vehicle_id=vehicle_id,
                position=position,
                storage_key=key,
                content_type="image/jpeg",
                width=p.width,
                height=p.height,
            )
        )
        position += 1
    await session.flush()


async def count(session: AsyncSession, vehicle_id: int) -> int:
    query = select(func.count()).select_from(VehiclePhoto).where(VehiclePhoto.vehicle_id == vehicle_id)
    return int(await session.scalar(query) or 0)


async def remove(session: AsyncSession, vehicle_id: int, photo_ids: list[int]) -> int:
    """Remove these photos of this vehicle (files stay until a clean-up; nobody can reach them any more)."""
    if not photo_ids:
        return 0
    result = await session.execute(
        delete(VehiclePhoto).where(VehiclePhoto.vehicle_id == vehicle_id, VehiclePhoto.id.in_(photo_ids))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def photos_by_vehicle(session: AsyncSession, vehicle_ids: list[int]) -> dict[int, list[VehiclePhoto]]:
    """Every photo of these vehicles, in order: one query."""
    out: dict[int, list[VehiclePhoto]] = {}
    if not vehicle_ids:
        return out
    rows = await session.scalars(
        select(VehiclePhoto)
        .where(VehiclePhoto.vehicle_id.in_(vehicle_ids))
        .order_by(VehiclePhoto.vehicle_id, VehiclePhoto.position, VehiclePhoto.id)
    )
    for p in rows:
        out.setdefault(p.vehicle_id, []).append(p)
    return out


async def photo_for_viewer(session: AsyncSession, viewer: Viewer | None, photo_id: int) -> VehiclePhoto:
    """The photo, if the viewer owns the car, organizes an event it is entered in, or judges its class there."""
    row = (
        await session.execute(
            select(VehiclePhoto, Vehicle.entrant_id)
            .join(Vehicle, Vehicle.id == VehiclePhoto.vehicle_id)
            .where(VehiclePhoto.id == photo_id)
        )
    ).first()
    if row is None or viewer is None:
        raise NotFound("There is no such photo.")
    photo, owner_id = row._tuple()
    if viewer.entrant_id is not None and viewer.entrant_id == owner_id:
        return photo
    staff = viewer.organizer_event_ids | viewer.chief_judge_event_ids
    conditions: list[ColumnElement[bool]] = []
    if staff:
        conditions.append(Entry.event_id.in_(staff))
    if viewer.judge_id is not None:
        on_team = (
            select(Team.class_id)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(TeamMember.judge_id == viewer.judge_id)
        )
        conflicted = (
            select(Conflict.id)
            .where(
                Conflict.judge_id == viewer.judge_id,
                conflict_binds(),
                or_(
                    Conflict.entry_id == Entry.id,
                    Conflict.entrant_id == Entry.entrant_id,
                    Conflict.class_id == Entry.class_id,
                ),
            )
            .exists()
        )
        # Judges see the cars they judge: on their class team, not absent, never a car they are conflicted with.
        conditions.append(
            and_(Entry.status == "accepted", Entry.absent_reason == "", Entry.class_id.in_(on_team), ~conflicted)
        )
    if conditions:
        allowed = await session.scalar(
            select(Entry.id).where(Entry.vehicle_id == photo.vehicle_id, or_(*conditions)).limit(1)
        )
        if allowed is not None:
            return photo
    # The same answer as for a photo that does not exist: nothing is learnt about other people's cars.
    raise NotFound("There is no such photo.")


def photo_path(settings: Settings, photo: VehiclePhoto, *, thumb: bool) -> Path:
    return photo_dir(settings) / (f"{photo.storage_key}-thumb.jpg" if thumb else f"{photo.storage_key}.jpg")
