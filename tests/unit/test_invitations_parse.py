"""The invitation form's addresses, parsed row by row."""

from __future__ import annotations

import pytest

from concours.domain.awards import code_hash
from concours.domain.tokens import keyed_hash
from concours.services.errors import FormErrors
from concours.services.invitations import Invitee, parse_invitees


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("edith@example.com", "Edith", [Invitee("edith@example.com", "Edith")]),
        (" Edith@Example.com ", "", [Invitee("edith@example.com", "")]),
        ("a@example.com, b@example.com", "Ignored", [Invitee("a@example.com", ""), Invitee("b@example.com", "")]),
        (
            "a@example.com;\nb@example.com\na@example.com",
            "",
            [Invitee("a@example.com", ""), Invitee("b@example.com", "")],
        ),
        (
            '"Jane Doe" <jane@example.com>, bob@example.com',
            "",
            [Invitee("jane@example.com", "Jane Doe"), Invitee("bob@example.com", "")],
        ),
    ],
)
def test_addresses(text: str, name: str, expected: list[Invitee]) -> None:
    assert parse_invitees(text, name) == expected


@pytest.mark.parametrize(
    "text", ["", " , ", "edith", "edith@example", "a@example.com, <b@example.com", "x y@example.com"]
)
def test_refused(text: str) -> None:
    with pytest.raises(FormErrors) as exc:
        parse_invitees(text)
    assert "emails" in exc.value.errors


def test_voting_codes_keep_their_hash() -> None:
    """Voting codes hash through the shared helper exactly as before (codes already printed still work)."""
    import hashlib
    import hmac

    old = hmac.new(b"k", b"voting-code-hash:ABCD2345", hashlib.sha256).hexdigest()
    assert code_hash("k", "ABCD2345") == old == keyed_hash("k", "voting-code-hash", "ABCD2345")
    assert keyed_hash("k", "application-invitation", "ABCD2345") != old
