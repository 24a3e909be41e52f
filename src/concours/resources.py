"""Where templates, static files and migrations are: inside the installed package, or the repo."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent.parent


def resource_dir(name: str) -> Path:
    """``templates``, ``static`` or ``migrations``: shipped in the wheel, or at the repo's top level."""
    for candidate in (_PACKAGE / name, _REPO / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the {name}/ folder of Concours")
