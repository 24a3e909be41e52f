"""Accessibility checks with axe-core in the real browser.

    from tests.browser.axe import axe_violations, format_violations

    page.goto("/organizer/")
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)

axe is injected with ``page.evaluate(source)`` (a DevTools evaluation, which the page's
Content-Security-Policy does not govern), so pages are checked under their real CSP: no
``bypass_csp=True`` context is needed, and none should be used (it would hide CSP violations).
The vendored ``vendor/axe.min.js`` is axe-core from npm (licence beside it).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
# WCAG 2.1 A and AA: what the project commits to.
DEFAULT_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


@cache
def _source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(
    page: Page,
    *,
    tags: tuple[str, ...] = DEFAULT_TAGS,
    selector: str | None = None,
    disable: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """Run axe on the page as it is now (or on ``selector`` only); one dict per violated rule:
    ``id``, ``impact``, ``help``, ``nodes`` (each with ``target`` and ``html``). ``disable`` names rules
    to skip, which a caller should justify in a comment."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    options = {"runOnly": {"type": "tag", "values": list(tags)}, "rules": {r: {"enabled": False} for r in disable}}
    result: dict[str, Any] = page.evaluate(
        """async ([context, options]) => {
            const r = await window.axe.run(context || document, options);
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
            }));
        }""",
        [selector, options],
    )
    return list(result)  # type: ignore[arg-type]


def format_violations(violations: list[dict[str, Any]]) -> str:
    """A readable summary for an assertion message."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)
