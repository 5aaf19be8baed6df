"""Every page carries a Content-Security-Policy, and no page of ours needs inline script."""

from __future__ import annotations

import io
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

SCRIPT_DATA_TYPES = {"application/json"}


class PageParts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.inline_scripts: list[str] = []
        self.inline_handlers: list[str] = []
        self._script: dict[str, str | None] | None = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.inline_handlers += [f"<{tag} {name}>" for name in attributes if name.startswith("on")]
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"] or "")
        if tag == "script":
            self._script = attributes
            self._script_text = []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            kind = (self._script.get("type") or "").lower()
            if not self._script.get("src") and kind not in SCRIPT_DATA_TYPES:
                self.inline_scripts.append("".join(self._script_text).strip()[:200])
            self._script = None


def parse(html: str) -> PageParts:
    parts = PageParts()
    parts.feed(html)
    return parts


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def assert_strict_policy(response) -> None:
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


@pytest.fixture
def demo(db: None) -> None:
    call_command("seed_demo", addresses=30, stdout=io.StringIO())


def test_the_policy_is_on_the_login_index_a_changelist_and_the_api_docs(
    client, admin_user, demo
) -> None:
    assert_strict_policy(client.get("/admin/login/"))
    client.force_login(admin_user)
    for url in ("/admin/", "/admin/suppression/suppression/", "/api/v1/docs"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_policy(response)


def test_the_api_docs_load_swagger_from_this_server_not_a_cdn(client) -> None:
    page = client.get("/api/v1/docs").text
    assert "cdn" not in page.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "/static/ninja/swagger-ui-init.js" in page
    assert parse(page).inline_scripts == []


def test_the_lockout_page_has_the_policy_and_no_inline_script(client, agent) -> None:
    for n in range(5):
        response = client.post("/admin/login/", {"username": "agent", "password": f"x{n}"})
    assert response.status_code == 429
    assert_strict_policy(response)
    assert parse(response.text).inline_scripts == []


def test_no_admin_page_a_superuser_reaches_has_inline_script(client, admin_user, demo) -> None:
    """Follow the admin's links from the index: lists, rows, forms, history and delete pages.

    Two pages of each URL shape (ids replaced) are enough: rows of one model share a template.
    """
    client.force_login(admin_user)
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue: deque[tuple[str, int]] = deque([("/admin/", 0), ("/api/v1/docs", 4)])
    offenders: dict[str, list[str]] = {}
    while queue:
        url, depth = queue.popleft()
        shape = re.sub(r"/\d+/", "/N/", urlsplit(url).path)
        if url in seen or shapes.get(shape, 0) >= 2:
            continue
        seen.add(url)
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(url)
        assert "Content-Security-Policy" in response, url
        # Pages a superuser is refused (or sent elsewhere) have no scripts to check.
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        parts = parse(response.text)
        if parts.inline_scripts or parts.inline_handlers:
            offenders[url] = parts.inline_scripts + parts.inline_handlers
        if depth >= 4:
            continue
        for href in parts.links:
            target = urldefrag(urljoin(url, href))[0]
            split = urlsplit(target)
            if split.netloc or not split.path.startswith("/admin/"):
                continue
            if split.path.startswith("/admin/logout/") or "_popup" in split.query:
                continue
            queue.append((target, depth + 1))
    assert len(shapes) > 40
    assert any(shape.endswith("/history/") for shape in shapes)
    assert offenders == {}
