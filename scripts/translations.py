"""The translation catalogs: extract the app's strings, fold them into each language's catalog, list what is missing.

    uv run python scripts/translations.py update        # extract, then update every locale/<lang>/.../messages.po
    uv run python scripts/translations.py missing fr [templates/judging]   # French still to translate (or fuzzy)
    uv run python scripts/translations.py stub fr judging templates/judging  # a part file of those, to fill in
    uv run python scripts/translations.py check         # exit 1 when any language lacks a translation
    uv run python scripts/translations.py pot FILE      # write the extracted template (for a translator's tool)

Strings come from ``templates/**.html`` (Jinja2: ``{% trans %}`` blocks and ``_()``, whitespace trimmed) and
``src/concours/**.py`` (``_()``, ``gettext()``, ``ngettext()``, ``pgettext()``, and the marker ``N_()``). See
:mod:`concours.i18n`. While several people translate at once each may keep their part in its own ``*.po`` file
beside ``messages.po``; the app reads them all, and ``update`` folds them into ``messages.po``."""

from __future__ import annotations

import gettext
import io
import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "src" / "concours" / "locale"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "N_": None,
    "N_p": (1, 2),
}
SOURCES: list[tuple[Path, list[tuple[str, str]], dict[str, dict[str, str]]]] = [
    (ROOT / "templates", [("**.html", "jinja2")], {"**.html": {"trimmed": "true", "silent": "false"}}),
    (ROOT / "src" / "concours", [("**.py", "python")], {}),
]


def extract() -> Catalog:
    """Every translatable string of the app, with where it is used."""
    catalog = Catalog(project="Concours", charset="utf-8", fuzzy=False)
    for folder, methods, options in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(folder), methods, options_map=options, keywords=KEYWORDS, strip_comment_tags=True
        ):
            location = (str((folder / filename).relative_to(ROOT)), lineno)
            catalog.add(message, None, [location], auto_comments=comments, context=context)
    return catalog


def languages() -> list[str]:
    return sorted(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES").is_dir())


def _read(path: Path, lang: str) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=lang)


def read_language(lang: str) -> Catalog:
    """``messages.po`` for ``lang`` with any part files beside it folded in (their translations fill gaps)."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    main = folder / "messages.po"
    catalog = _read(main, lang) if main.is_file() else Catalog(locale=lang, project="Concours")
    for part in sorted(folder.glob("*.po")):
        if part.name == "messages.po":
            continue
        part_catalog = _read(part, lang)
        for message in part_catalog:
            if not message.id or not message.string:
                continue
            if isinstance(message.string, tuple):
                message.string = _plural_forms(message.string, part_catalog, catalog)
            existing = catalog.get(message.id, context=message.context)
            if existing is None or not existing.string or existing.fuzzy:
                catalog[message.id] = message
    return catalog


def _plural_forms(strings: tuple[str, ...], source: Catalog, target: Catalog) -> tuple[str, ...]:
    """A plural translation written for ``source``'s plural rule, as ``target``'s rule numbers its forms (e.g.
    Babel's three French forms, with one for millions, to the catalog's two)."""
    if source.plural_expr == target.plural_expr:
        return strings
    from_form, to_form = gettext.c2py(source.plural_expr), gettext.c2py(target.plural_expr)
    samples = (0, 1, 2, 3, 5, 11, 21, 101, 1_000_000)
    out = []
    for index in range(target.num_plurals):
        n = next((n for n in samples if to_form(n) == index), None)
        out.append(strings[min(from_form(n), len(strings) - 1)] if n is not None else strings[-1])
    return tuple(out)


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def missing(lang: str, template: Catalog | None = None, under: str = "") -> list[str]:
    """The extracted strings that ``lang`` does not translate (or only fuzzily); with ``under``, only those used
    in files whose path (from the repo's top) starts with it."""
    template = template or extract()
    catalog = read_language(lang)
    gaps = []
    for message in template:
        if not message.id or not any(path.startswith(under) for path, _ in message.locations):
            continue
        found = catalog.get(message.id, context=message.context)
        strings = found.string if found is not None else None
        done = bool(strings) and (all(strings) if isinstance(strings, tuple) else True)
        if found is None or not done or found.fuzzy:
            gaps.append(_key(message.id))
    return gaps


def update(lang: str, template: Catalog) -> Catalog:
    """Fold the extracted strings and any part files into ``messages.po``; the part files are removed."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    catalog = read_language(lang)
    created = catalog.creation_date
    catalog.update(template, no_fuzzy_matching=True)
    catalog.creation_date = created  # the header changes only when a person edits it: quiet diffs
    catalog.msgid_bugs_address = "concours@example.invalid"
    catalog.last_translator = "Concours"
    catalog.obsolete.clear()
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=120, sort_output=False, ignore_obsolete=True, include_previous=False)
    (folder / "messages.po").write_bytes(buffer.getvalue())
    for part in folder.glob("*.po"):
        if part.name != "messages.po":
            part.unlink()
    return catalog


def stub(lang: str, name: str, under: str, template: Catalog) -> Path:
    """A part file ``<name>.po`` beside ``messages.po`` holding the untranslated strings used ``under`` a path,
    with empty translations to fill in (an existing part file of that name keeps what it has)."""
    wanted = set(missing(lang, template, under))
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{name}.po"
    part = _read(path, lang) if path.is_file() else Catalog(locale=lang, project="Concours")
    for message in template:
        if _key(message.id) in wanted and part.get(message.id, context=message.context) is None:
            part.add(message.id, None, message.locations, context=message.context)
    buffer = io.BytesIO()
    write_po(buffer, part, width=120, omit_header=False)
    path.write_bytes(buffer.getvalue())
    return path


def _print(lines: Iterable[str]) -> None:
    for line in lines:
        print(line)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "pot" and len(argv) == 2:
        buffer = io.BytesIO()
        write_po(buffer, extract(), width=120)
        Path(argv[1]).write_bytes(buffer.getvalue())
        return 0
    template = extract()
    if command == "update":
        for lang in languages():
            update(lang, template)
            print(f"{lang}: {len(template) - len(missing(lang, template))} of {len(template)} translated")
        return 0
    if command == "missing":
        _print(missing(argv[1] if len(argv) > 1 else "fr", template, argv[2] if len(argv) > 2 else ""))
        return 0
    if command == "stub" and len(argv) == 4:
        print(stub(argv[1], argv[2], argv[3], template))
        return 0
    if command == "check":
        bad = 0
        for lang in languages():
            gaps = missing(lang, template)
            print(f"{lang}: {len(template) - len(gaps)} of {len(template)} translated")
            bad += len(gaps)
        return 1 if bad else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
