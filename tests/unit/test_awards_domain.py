"""Special awards, the pure parts: counting a round, voting codes, how an award reads."""

from __future__ import annotations

import pytest

from concours.domain import awards


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({}, (None, [])),
        ({7: 3, 8: 1}, (7, [7])),
        ({7: 2, 8: 2, 9: 1}, (None, [7, 8])),
        ({9: 0, 7: 0}, (None, [7, 9])),
    ],
)
def test_outcome(counts: dict[int, int], expected: tuple[int | None, list[int]]) -> None:
    assert awards.outcome(counts) == expected


def test_codes_are_derived_from_key_and_salt_and_read_back_however_typed() -> None:
    code = awards.voting_code("k" * 40, 1, 2, 3, "salt")
    assert len(code) == awards.CODE_LENGTH and set(code) <= set(awards.CODE_ALPHABET)
    assert code == awards.voting_code("k" * 40, 1, 2, 3, "salt")  # the sheet can be printed again
    assert code != awards.voting_code("k" * 40, 1, 2, 3, "other salt")
    assert code != awards.voting_code("j" * 40, 1, 2, 3, "salt")
    assert len({awards.voting_code("k" * 40, 1, 2, i, "salt") for i in range(500)}) == 500
    typed = f" {awards.format_code(code).lower()} "
    assert awards.normalize_code(typed) == code
    assert awards.normalize_code("ABCDE-FGHI0") is None  # 0 is never used
    assert awards.normalize_code("ABCD") is None
    assert awards.code_hash("k" * 40, code) != awards.code_hash("j" * 40, code)


def test_how_decided() -> None:
    assert awards.how_decided("designated", "the designer", 0, 0) == "chosen by the designer"
    assert awards.how_decided("ballot", "the honorary judges", 1, 4) == "secret ballot of the honorary judges"
    assert awards.how_decided("ballot", "", 3, 4) == "secret ballot of the judges, after 2 run-offs"
    assert awards.how_decided("peoples_choice", "the public", 1, 1) == "People's Choice, 1 vote from spectators"
