"""Names, shops and addresses compared the way the app looks for conflicts: case-, accent- and
punctuation-insensitive, whole words (pure functions; :mod:`concours.services.conflict_suggestions` uses them)."""

from __future__ import annotations

import re
import unicodedata


def surname(name: str) -> str:
    """The last word of a person's name, lower-cased, letters only ("Ann  O'Neil-Smith" → "o'neil-smith")."""
    words = re.findall(r"[^\W\d_][\w'’-]*", name.casefold())
    return words[-1] if words else ""


def chassis_key(text: str) -> str:
    return "".join(text.split()).casefold()


def _fold(text: str) -> str:
    """Case- and accent-insensitive: "Chapron" and "CHAPRÓN" fold alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", _fold(text).replace("&", " and "))


def name_key(name: str) -> str:
    """A person's name compared case-, accent- and punctuation-insensitively ("Paul  DELACROIX." → "paul delacroix")."""
    return " ".join(_words(name))


# Words at the end of a shop's name that say what kind of company it is, not which: "Russell & Co." is "Russell".
_COMPANY_WORDS = {
    "co",
    "company",
    "ltd",
    "limited",
    "inc",
    "llc",
    "gmbh",
    "sa",
    "sarl",
    "srl",
    "bv",
    "ag",
    "plc",
    "and",
}
MAX_TIES = 20
MAX_TIE = 100


def split_ties(text: str) -> list[str]:
    """A judge's ties, one per line (or separated by semicolons), trimmed, duplicates dropped."""
    seen: dict[str, str] = {}
    for line in re.split(r"[\n;]", text):
        tie = " ".join(line.split())
        if tie and name_key(tie) and name_key(tie) not in seen:
            seen[name_key(tie)] = tie
    return list(seen.values())


def _tie_words(tie: str) -> list[str]:
    words = _words(tie)
    while len(words) > 1 and words[-1] in _COMPANY_WORDS:
        words.pop()
    while len(words) > 1 and words[0] == "the":
        words.pop(0)
    return words


def find_tie(tie: str, text: str, *, around: int = 40) -> str | None:
    """Where ``text`` names the shop ``tie`` — whole words, in order, whatever the case, accents or punctuation
    between them ("Paul Russell & Co." is named by "restored by paul russell and company in 2019", not by
    "Russellville") — the words around the match, else None. A one-word tie needs three letters or more."""
    words = _tie_words(tie)
    if not words or (len(words) == 1 and len(words[0]) < 3):
        return None
    folded = _fold(text)
    if len(folded) != len(text):  # a character folded into several: the snippet quotes the folded text
        text = folded
    text = text.replace("\n", " ").replace("\r", " ")
    pattern = re.escape(words[0])
    after_and = False
    for word in words[1:]:
        if word == "and":
            after_and = True
            continue
        pattern += (r"(?:[\W_]+and[\W_]+|[^\w&]*&[^\w&]*)" if after_and else r"[\W_]+") + re.escape(word)
        after_and = False
    match = re.search(r"(?<![^\W_])" + pattern + r"(?![^\W_])", folded)
    if match is None:
        return None
    start = max(0, match.start() - around)
    if start > 0:
        space = text.find(" ", start, match.start())
        start = space + 1 if space != -1 else match.start()
    end = min(len(text), match.end() + around)
    if end < len(text):
        space = text.rfind(" ", match.end(), end)
        end = space if space != -1 else match.end()
    snippet = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + snippet + ("…" if end < len(text) else "")


_STREET_WORDS = {
    "street": "st",
    "road": "rd",
    "avenue": "ave",
    "av": "ave",
    "lane": "ln",
    "drive": "dr",
    "boulevard": "blvd",
    "bd": "blvd",
    "place": "pl",
    "court": "ct",
    "square": "sq",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
}


def address_key(address: str, postcode: str) -> str | None:
    """A street address and postcode compared case- and punctuation-insensitively, common street words abbreviated
    ("12, Elm Street" / "sw1a 1aa" and "12 elm st." / "SW1A1AA" are the same); None unless both are given."""
    street = [_STREET_WORDS.get(w, w) for w in _words(address)]
    code = "".join(_words(postcode))
    if not street or not code:
        return None
    return " ".join(street) + "|" + code
