"""Security headers: a Content-Security-Policy that allows only the site's own scripts and styles, on pages,
fragments, error pages and static files; HSTS when served over https; and no template that would need more."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from concours.app import create_app
from concours.resources import resource_dir
from concours.settings import Settings


def _csp(response: Any) -> dict[str, str]:
    header = response.headers.get("content-security-policy", "")
    return {d.split()[0]: " ".join(d.split()[1:]) for d in header.split(";") if d.strip()}


def test_csp_on_every_kind_of_answer(client: TestClient[Any]) -> None:
    for url, status in [("/", 200), ("/login", 200), ("/no-such-page", 404), ("/static/js/concours.js", 200)]:
        r = client.get(url)
        assert r.status_code == status, url
        csp = _csp(r)
        assert csp.get("default-src") == "'self'", (url, csp)
        assert csp.get("script-src") == "'self'", url
        assert csp.get("style-src") == "'self'", url
        assert csp.get("frame-ancestors") == "'none'", url
        assert csp.get("object-src") == "'none'" and csp.get("base-uri") == "'none'", url
        assert "unsafe-inline" not in r.headers["content-security-policy"]
        assert "unsafe-eval" not in r.headers["content-security-policy"]
        assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
        assert "strict-transport-security" not in r.headers  # served over http here
    r = client.post("/logout")  # refused (no CSRF token): the error page has the policy too
    assert r.status_code == 403 and _csp(r).get("script-src") == "'self'"


def test_hsts_when_the_base_url_is_https(settings: Settings) -> None:
    secure = Settings(**{**settings.__dict__, "base_url": "https://concours.example.org"})
    with TestClient(app=create_app(secure, run_outbox=False), base_url="https://concours.example.org") as c:
        r = c.get("/login")
        assert r.headers["strict-transport-security"].startswith("max-age=31536000")


INLINE = [
    # Data blocks (type="application/json") are never run, so the policy lets them be; code is.
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")[^>]*>", re.I), "an inline <script> block"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<style[\s>]", re.I), "a <style> element"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (re.compile(r"hx-(on|vars)\b|hx-vals\s*=\s*['\"]\s*(js|javascript):", re.I), "htmx code that needs eval"),
]


def test_no_template_served_to_browsers_needs_inline_code() -> None:
    """Pages must work under the policy; PDF templates (reports/) are rendered by WeasyPrint, not a browser."""
    root = Path(resource_dir("templates"))
    problems = []
    for path in sorted(root.rglob("*.html")):
        if path.relative_to(root).parts[0] == "reports":
            continue
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                problems.append(f"{path.relative_to(root)}:{line}: {what}")
    assert problems == [], "\n".join(problems)


def test_htmx_is_configured_without_eval(client: TestClient[Any]) -> None:
    page = client.get("/login").text
    assert '"allowEval": false' in page and '"includeIndicatorStyles": false' in page


def test_no_openapi_schema_is_served(client: TestClient[Any]) -> None:
    for url in ("/schema", "/schema/openapi.json", "/schema/swagger"):
        assert client.get(url).status_code == 404, url
