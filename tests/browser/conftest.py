"""Browser-test fixtures: the real app served by uvicorn on a free local port, and a headless Debian Chromium
driven by Playwright (its own browser download does not work here, so we launch the system one).

Between its calls, Playwright's sync API leaves its own event loop marked as running in the test's thread, so
``asyncio.run`` (``run_db`` and the helpers built on it) fails there while a browser is open: call those through
``off_loop``. The browser lives for one test module, so the other test modules never see that loop."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Response, expect, sync_playwright

from concours.app import create_app
from concours.settings import Settings
from tests.conftest import TEST_SECRET, _empty_tables

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 20.0

P = ParamSpec("P")
T = TypeVar("T")


def off_loop(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Call ``fn`` in a worker thread, out of reach of Playwright's event loop (see the module docstring)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


@pytest.fixture
def db_url(database_url: str) -> Iterator[str]:
    """The test database, emptied after the test (off Playwright's loop)."""
    yield database_url
    off_loop(_empty_tables, database_url)


@pytest.fixture
def live_socket() -> Iterator[socket.socket]:
    """A listening socket on a free port: bound before the app exists, so the port cannot be taken meanwhile."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    try:
        yield sock
    finally:
        sock.close()


@pytest.fixture
def settings(db_url: str, tmp_path: Path, live_socket: socket.socket) -> Settings:
    port = live_socket.getsockname()[1]
    return Settings(
        database_url=db_url,
        secret_key=TEST_SECRET,
        environment="test",
        media_dir=tmp_path / "media",
        base_url=f"http://127.0.0.1:{port}",
    )


@pytest.fixture
def live_server(settings: Settings, live_socket: socket.socket) -> Iterator[str]:
    """The real app on ``settings.base_url``; yields that URL and stops the server after the test."""
    config = uvicorn.Config(
        app=create_app(settings, run_outbox=False), log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)  # off the main thread it leaves signals alone
    thread = threading.Thread(target=server.run, kwargs={"sockets": [live_socket]}, daemon=True, name="live-server")
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            with urllib.request.urlopen(f"{settings.base_url}/healthz", timeout=2) as r:  # noqa: S310 - local URL
                if r.status == 200:
                    break
        except OSError:
            pass
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the live server did not start on {settings.base_url}")
        time.sleep(0.05)
    try:
        yield settings.base_url
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="module")
def browser(database_url: str) -> Iterator[Browser]:
    """Headless Debian Chromium for one test module (after the database is migrated: Playwright's loop would
    stop the migrations' ``asyncio.run``). Without Chromium the browser tests are skipped locally, and fail in CI."""
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI must run the browser tests", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def new_context(browser: Browser, live_server: str) -> Iterator[Callable[..., BrowserContext]]:
    """Make a fresh browser context (its own cookies: another person, another device) on the live server;
    keyword arguments go to ``Browser.new_context`` (viewport, is_mobile, has_touch...). Closed after the test."""
    contexts: list[BrowserContext] = []

    def make(**kwargs: Any) -> BrowserContext:
        ctx = browser.new_context(base_url=live_server, **kwargs)
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        return ctx

    try:
        yield make
    finally:
        for ctx in contexts:
            ctx.close()


# -- what the browser tests share: device sizes, a watch on the pages, locators ------------------------

LAPTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
TABLET = {"viewport": {"width": 820, "height": 1180}, "is_mobile": True, "has_touch": True}
SCREENSHOTS = Path("/tmp/concours-browser")


class Watch:
    """Everything that went wrong in the pages without failing a step: uncaught JS errors and 5xx answers."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def page(self, ctx: BrowserContext) -> Page:
        page = ctx.new_page()
        page.on("pageerror", lambda exc: self.problems.append(f"JS error on {page.url}: {exc}"))
        page.on("response", self._response)
        return page

    def _response(self, response: Response) -> None:
        if response.status >= 500:
            self.problems.append(f"{response.status} from {response.request.method} {response.url}")


def status_badge(page: Page) -> Locator:
    return page.locator("#status h2 .badge")


def move_status(page: Page, label: str) -> None:
    page.once("dialog", lambda dialog: dialog.accept())  # the move asks to confirm
    page.get_by_role("button", name=f"Move to “{label}”").click()
    expect(status_badge(page)).to_have_text(label)


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def sheet_line(page: Page, category: str) -> Locator:
    return page.locator("form.line").filter(has=page.get_by_role("heading", name=category))


CLASS = "C — French Curves 1935-1939"


def set_up(org: Page) -> str:
    """The organizer signs in, creates the event with one class and opens registration; returns its public path."""
    org.goto("/login")
    org.locator("#f-email").fill("org@example.com")
    org.get_by_label("Password").fill("correct horse battery")
    org.get_by_role("button", name="Sign in", exact=True).click()
    new_event = org.locator("#new-event")
    new_event.get_by_label("Name").fill("Lakeside Concours")
    new_event.get_by_label("Venue").fill("Lakeside Park")
    new_event.get_by_label("First day").fill("2027-06-12")
    new_event.get_by_label("Last day").fill("2027-06-12")
    new_event.get_by_role("button", name="Create the event").click()
    expect(org).to_have_url(re.compile(r"/organizer/events/\d+$"))
    classes = org.locator("#classes")
    classes.get_by_label("Code").fill("C")
    classes.get_by_label("Name").fill("French Curves 1935-1939")
    classes.get_by_role("button", name="Add class").click()
    expect(classes.locator("tbody tr")).to_have_count(1)
    move_status(org, "Registration open")
    href = org.get_by_role("link", name="Public page").get_attribute("href")
    assert href
    return href


def wait_until(page: Page, expression: str, timeout_s: float = 15.0) -> None:
    """Poll a JS expression (awaited if a promise) until it is true. Not ``page.wait_for_function``: its polling
    evaluates a string in the page, which the Content-Security-Policy (no 'unsafe-eval') forbids."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(f"Promise.resolve({expression}).then(Boolean)"):
        assert time.monotonic() < deadline, f"still false after {timeout_s} s: {expression}"
        page.wait_for_timeout(200)


def thumbs_loaded(page: Page, scope: str) -> int:
    return int(
        page.evaluate(
            f"Array.from(document.querySelectorAll('{scope} img')).filter(i => i.complete && i.naturalWidth > 0).length"
        )
    )
