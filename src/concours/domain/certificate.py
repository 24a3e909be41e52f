"""A certified record's content hash and the short code printed on paper.

The record is plain data (what ``services/certificates.py`` loads: the event and class, the rules, every
submitted sheet, the frozen result). Its canonical serialisation is JSON with sorted keys and no spaces, so the
same data always give the same bytes and so the same SHA-256. A document prints the hash's first
``CODE_LENGTH`` hex characters, grouped for reading aloud, with a QR code to the verification page."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from fractions import Fraction
from typing import Any

CODE_LENGTH = 12
_HEX = re.compile(r"[0-9a-f]+")


def _plain(value: Any) -> Any:
    """What JSON cannot write on its own, written one way only."""
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} has no canonical form")


def canonical(record: Any) -> bytes:
    """The record as canonical JSON: sorted keys, no whitespace, UTF-8."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain).encode()


def content_hash(record: Any) -> str:
    """SHA-256 of the canonical record, 64 hex characters."""
    return hashlib.sha256(canonical(record)).hexdigest()


def short_code(digest: str) -> str:
    """The code a document prints and the verification URL carries: the hash's first characters."""
    return digest[:CODE_LENGTH]


def grouped(code: str) -> str:
    """The code for reading and typing: upper case in groups of four, ``3F2A-91C0-77B1``."""
    up = code.upper()
    return "-".join(up[i : i + 4] for i in range(0, len(up), 4))


def normalise_code(text: str) -> str | None:
    """A code as someone typed or pasted it (grouped, in any case, the whole hash, or the verification URL) as
    the stored code; None when it cannot be one."""
    text = text.strip().rstrip("/")
    if "/" in text:
        text = text.rsplit("/", 1)[1]
    cleaned = re.sub(r"[\s\-.]", "", text).lower()
    if len(cleaned) < CODE_LENGTH or len(cleaned) > 64 or not _HEX.fullmatch(cleaned):
        return None
    return cleaned[:CODE_LENGTH]
