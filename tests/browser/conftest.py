"""Browser fixtures: one headless Chromium for the package, one live server, reused pages.

Every test module here sets `pytestmark = pytest.mark.browser`. Where
Chromium is missing they skip locally and FAIL under CI (tests/conftest.py).
How to add a page or a journey: docs/browser.md.
"""

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from pytest_django.live_server_helper import LiveServer

from tests.browser import kit

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="package")
def live_server():
    """pytest-django's live server, but on 127.0.0.1 and a free port (never localhost:fixed).

    Overriding the fixture by name keeps pytest-django's helper: each test using it gets
    `transactional_db`, so rows a test creates are visible to the server thread.
    """
    server = LiveServer("127.0.0.1:0")
    yield server
    server.stop()


@pytest.fixture(scope="package")
def chromium(live_server):
    """One headless Chromium for every browser test (about 1.5 s to start).

    It depends on the live server so that it closes first: a browser still holding
    keep-alive connections to a stopped server leaves its threads using the database.
    """
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop on this thread, which Django's
    # async-safety check mistakes for async code calling the ORM. The check is switched
    # off only while the browser runs, and restored afterwards.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        # launch() gives Chromium a fresh temporary user-data-dir and deletes it on close.
        browser = playwright.chromium.launch(
            executable_path=kit.CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def _shared_context(chromium):
    context = chromium.new_context(viewport=kit.DESKTOP, locale="en-US")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(_shared_context, live_server):
    """The reused tab, reset for this test: no cookies, desktop size, blank."""
    _shared_context.clear_cookies()
    tab = _shared_context.pages[0] if _shared_context.pages else _shared_context.new_page()
    tab.goto("about:blank")
    tab.set_viewport_size(kit.DESKTOP)
    yield tab
    tab.goto("about:blank")


@pytest.fixture
def new_context(chromium, live_server):
    """A fresh context with options (`java_script_enabled=False`, a phone, a locale...)."""
    opened = []

    def _open(**options):
        options.setdefault("viewport", kit.DESKTOP)
        context = chromium.new_context(**options)
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield _open
    for context in opened:
        context.close()


@pytest.fixture
def sign_in(login, live_server):
    """Sign a user in inside a browser context, through the project's `login` fixture.

    The session cookie of a test client signed in by `login` (which passes the second
    factor once that work lands) is copied into the browser.
    """

    def _sign_in(context, user):
        client = login(Client(), user)
        context.add_cookies(
            [
                {"name": cookie.key, "value": cookie.value, "url": live_server.url}
                for cookie in client.cookies.values()
            ]
        )
        return context

    return _sign_in


class _TileHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server API
        self.server.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(kit.TILE_PNG)))
        self.end_headers()
        self.wfile.write(kit.TILE_PNG)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="package")
def tile_server():
    """A map tile server on 127.0.0.1 (port 0): every tile is one plain PNG."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TileHandler)
    server.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="package", autouse=True)
def _clean_screenshots():
    kit.clean_artifacts()
