"""Special awards, the pure parts: how each is decided, who may win, counting a round, voting codes."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from concours.domain.tokens import keyed_hash
from concours.i18n import N_, gettext, ngettext

KINDS = {
    "ballot": N_("Ballot of named judges (Best of Show, Best Pre-war …)"),
    "designated": N_("Chosen by a named person (sponsor's, Chairman's, Best Preservation …)"),
    "peoples_choice": N_("People's Choice (spectators vote with printed codes)"),
}

ELIGIBILITY = {
    "class_winners": N_("Class winners of the classes picked below"),
    "nominated": N_("Cars the chief judge nominates"),
    "judged": N_("Cars present and judged"),
    "accepted": N_("Any accepted car"),
}

STATUS_LABELS = {
    "setup": N_("Not open yet"),
    "open": N_("Voting open"),
    "closed": N_("Counted: a tie waits for a decision"),
    "decided": N_("Decided"),
}

# Voting codes: 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L): 31**10 ≈ 2**49.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def outcome(counts: Mapping[int, int]) -> tuple[int | None, list[int]]:
    """The winner of a round (entry id → votes), or ``None`` and the cars tied at the top (by id)."""
    if not counts:
        return None, []
    top = max(counts.values())
    leaders = sorted(e for e, n in counts.items() if n == top)
    return (leaders[0], leaders) if len(leaders) == 1 else (None, leaders)


def how_decided(kind: str, chosen_by: str, rounds: int, votes: int) -> str:
    """A short line saying how an award was decided, for results pages and the ceremony."""
    if kind == "designated":
        return gettext("chosen by %(who)s", who=chosen_by) if chosen_by else gettext("designated")
    if kind == "ballot":
        who = chosen_by or gettext("the judges")
        if rounds > 1:
            return ngettext(
                "secret ballot of %(who)s, after %(num)s run-off",
                "secret ballot of %(who)s, after %(num)s run-offs",
                rounds - 1,
                who=who,
            )
        return gettext("secret ballot of %(who)s", who=who)
    return ngettext(
        "People's Choice, %(num)s vote from spectators", "People's Choice, %(num)s votes from spectators", votes
    )


def voting_code(secret: str, award_id: int, batch_id: int, index: int, salt: str = "") -> str:
    """The ``index``-th code of a batch, derived from the secret key and the batch's random salt (so a sheet can be
    printed again, and nobody can compute codes without both: not with the development key, not from the database)."""
    message = f"voting-code:{award_id}:{batch_id}:{index}" + (f":{salt}" if salt else "")
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, r = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[r])
    return "".join(chars)


def code_hash(secret: str, code: str) -> str:
    """What is stored for a code: a keyed hash, useless for enumerating codes without the secret key."""
    return keyed_hash(secret, "voting-code-hash", code)


def normalize_code(text: str) -> str | None:
    """A code as typed or scanned (any case, spaces or dashes) in its canonical form, or None if it cannot be one."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t")
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def format_code(code: str) -> str:
    """For print: two groups of five."""
    return f"{code[:5]}-{code[5:]}"
