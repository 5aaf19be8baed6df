"""Playwright driving Debian's Chromium (never a downloaded browser build)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium")


@contextmanager
def chromium_page() -> Iterator[object]:
    require_chromium()
    # Playwright's sync API runs an event loop in this thread; the ORM work of the test is done
    # before the browser starts, so Django's async-safety guard has nothing to protect here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(15000)
            yield page
        finally:
            browser.close()
            _close_connections_opened_inside()


def _close_connections_opened_inside() -> None:
    """Close what ORM work inside the ``with`` block opened: Playwright runs that code in a
    greenlet of its own, whose context gets connections of its own that pytest-django never sees
    and that outlive the test (on PostgreSQL, the test database can then not be dropped)."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()
