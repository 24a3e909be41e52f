"""PDF reports rendered with WeasyPrint, always off the event loop."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from jinja2 import Environment, FileSystemLoader, select_autoescape

from concours.resources import resource_dir

_env: Environment | None = None


def _environment() -> Environment:
    global _env
    if _env is None:
        _env = Environment(loader=FileSystemLoader(resource_dir("templates")), autoescape=select_autoescape(["html"]))
    return _env


def _render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = _environment().get_template(template).render(**context)
    return HTML(string=html, base_url=str(resource_dir("static"))).write_pdf()  # type: ignore[no-any-return]


async def render_pdf(template: str, **context: Any) -> bytes:
    """Render ``templates/<template>`` to PDF in a worker thread."""
    return await anyio.to_thread.run_sync(_render_pdf, template, context)
