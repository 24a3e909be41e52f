"""The certified record's content hash: canonical (key order and container types do not matter), stable over the
same data, changed by any line's value, note or comment; the printed code and what a reader may type."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

import pytest

from concours.domain.certificate import canonical, content_hash, grouped, normalise_code, short_code


def record() -> dict[str, Any]:
    return {
        "format": 1,
        "event": {"id": 3, "slug": "lakeside-2027"},
        "class": {"id": 7, "code": "C"},
        "certification": {"number": 1, "at": datetime(2027, 6, 13, 15, 30, tzinfo=UTC), "by": 2},
        "rules": {"method": "points", "system": {"places": 3, "max_units": Fraction(1000), "tie_break_keys": ()}},
        "sheets": [
            {
                "id": 11,
                "entry_id": 5,
                "comment": "A superb car.",
                "lines": [
                    {"category": "exterior", "value_units": 270, "note": "Paint excellent"},
                    {"category": "interior", "value_units": 180, "note": ""},
                ],
            }
        ],
        "result": [{"entry_id": 5, "rank": 1, "score_units": 450, "award": "1st in class", "explanation": {}}],
    }


def test_the_hash_is_sha256_hex_and_stable() -> None:
    digest = content_hash(record())
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert content_hash(record()) == digest
    assert content_hash(copy.deepcopy(record())) == digest


def test_key_order_and_tuples_do_not_change_it() -> None:
    r = record()
    reordered = {k: r[k] for k in reversed(list(r))}
    reordered["rules"] = {
        "system": {"tie_break_keys": [], "max_units": Fraction(1000), "places": 3},
        "method": "points",
    }
    assert canonical(reordered) == canonical(record())


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r["sheets"][0]["lines"][0].update(value_units=260),
        lambda r: r["sheets"][0]["lines"][1].update(note="Worn seat"),
        lambda r: r["sheets"][0].update(comment="A fine car."),
        lambda r: r["result"][0].update(award="2nd in class"),
        lambda r: r["rules"]["system"].update(places=2),
        lambda r: r["certification"].update(number=2),
    ],
    ids=["line value", "line note", "comment", "award", "rules", "re-certified"],
)
def test_any_change_changes_it(change: Any) -> None:
    changed = record()
    change(changed)
    assert content_hash(changed) != content_hash(record())


def test_the_printed_code_and_what_a_reader_may_type() -> None:
    digest = "3f2a91c077b1" + "0" * 52
    code = short_code(digest)
    assert code == "3f2a91c077b1" and grouped(code) == "3F2A-91C0-77B1"
    for typed in ("3F2A-91C0-77B1", " 3f2a 91c0 77b1 ", digest, "https://x.example/verify/3f2a91c077b1/"):
        assert normalise_code(typed) == code
    for bad in ("", "3f2a", "not a code at all", "zz2a91c077b1", "<script>"):
        assert normalise_code(bad) is None
