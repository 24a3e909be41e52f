"""Light pages: the judge's sheet loads in under 60 KB compressed (HTML, CSS and JS), static files are cached
for a year under versioned URLs and never carry a cookie, pages are compressed and never cached."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from concours.settings import Settings
from tests.conftest import new_client, run_db
from tests.scenes import SESSION_COOKIE, BigShow, Seeded, big_show, seed_scoring

SHEET_BUDGET_BYTES = 60 * 1024


@contextmanager
def signed_in(settings: Settings, token: str) -> Iterator[TestClient[Any]]:
    with new_client(settings) as c:
        c.cookies.set(SESSION_COOKIE, token)
        yield c


def seed(db_url: str, settings: Settings) -> Seeded:
    async def go(session: AsyncSession) -> Seeded:
        return await seed_scoring(session, settings, judges=3, cars=2)

    return run_db(db_url, go)


def transferred(client: TestClient[Any], url: str, encoding: str) -> tuple[int, Any]:
    """Bytes on the wire for ``url`` (the body as sent, before decompression) and the response."""
    with client.stream("GET", url, headers={"accept-encoding": encoding}) as r:
        size = sum(len(chunk) for chunk in r.iter_raw())
    return size, r


def test_judge_sheet_first_load_is_under_60_kb_compressed(db_url: str, settings: Settings) -> None:
    s = seed(db_url, settings)
    with signed_in(settings, s.judge_tokens[0]) as judge:
        for encoding in ("br", "gzip"):
            size, page = transferred(judge, f"/judging/entries/{s.entries[0]}", encoding)
            assert page.status_code == 200
            assert page.headers["content-encoding"] == encoding
            assert page.headers["cache-control"] == "no-store"
            html = judge.get(f"/judging/entries/{s.entries[0]}").text
            assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
            assert {a.split("?")[0] for a in assets} >= {"/static/css/concours.css", "/static/js/htmx.min.js"}
            total = size
            raw_total = len(html.encode())
            for asset in assets:
                asset_size, r = transferred(judge, asset, encoding)
                assert r.status_code == 200 and r.headers["content-encoding"] == encoding, asset
                total += asset_size
                raw_total += len(judge.get(asset).content)
            assert total <= SHEET_BUDGET_BYTES, (encoding, total)
            assert total < raw_total / 2  # compression is doing the work


def test_static_files_are_versioned_cached_for_a_year_and_set_no_cookie(client: TestClient[Any]) -> None:
    page = client.get("/login")
    assert page.status_code == 200 and "concours_csrf" in page.headers.get("set-cookie", "")
    css = re.search(r'href="(/static/css/concours\.css\?v=([0-9a-f]{12}))"', page.text)
    js = re.search(r'src="(/static/js/concours\.js\?v=[0-9a-f]{12})"', page.text)
    assert css and js, page.text[:500]
    fresh = TestClient(app=client.app, base_url=str(client.base_url))  # a browser with no cookie yet
    for url, kind in ((css.group(1), "text/css"), (js.group(1), "javascript")):
        r = fresh.get(url)
        assert r.status_code == 200 and kind in r.headers["content-type"], r.headers  # browsers check the type
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "set-cookie" not in r.headers
        assert not fresh.cookies
    # Without the version (or with an old one) the browser revalidates: a deploy is never hidden by a cache.
    for url in ("/static/css/concours.css", "/static/css/concours.css?v=000000000000"):
        r = fresh.get(url)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-cache" and "set-cookie" not in r.headers
    assert fresh.get("/static/../pyproject.toml").status_code == 404
    assert fresh.get("/static/css/nothing.css").status_code == 404
    assert fresh.get("/static/%2e%2e/%2e%2e/pyproject.toml").status_code == 404


# -- the long lists: the organizer's entries and the chief judge's board stay the same size whatever the show --

LIST_BUDGET_BYTES = 200 * 1024  # raw HTML of one page of either list (50 cars), before compression


def big(db_url: str, settings: Settings, cars: int, prefix: str) -> BigShow:
    async def go(session: AsyncSession) -> BigShow:
        return await big_show(session, settings, cars=cars, prefix=prefix)

    return run_db(db_url, go)


def test_entries_page_and_chief_board_are_the_same_size_at_60_and_300_cars(db_url: str, settings: Settings) -> None:
    small, large = big(db_url, settings, 60, "s-"), big(db_url, settings, 300, "l-")
    sizes: dict[str, dict[int, int]] = {"entries": {}, "board": {}}
    for show, cars in ((small, 60), (large, 300)):
        with signed_in(settings, show.organizer_token) as org:
            for name, url in (
                ("entries", f"/organizer/events/{show.event_id}/entries"),
                ("board", f"/chief/events/{show.event_id}"),
            ):
                page = org.get(url)
                assert page.status_code == 200, page.text[:300]
                sizes[name][cars] = len(page.content)
                compressed, _ = transferred(org, url, "br")
                assert compressed < len(page.content) / 4, (name, cars, compressed)
    for name, by_cars in sizes.items():
        assert by_cars[300] <= LIST_BUDGET_BYTES, (name, by_cars)
        # Constant in the show's size: 5× the cars, within 10 % of the same weight.
        assert abs(by_cars[300] - by_cars[60]) <= by_cars[60] / 10, (name, by_cars)
