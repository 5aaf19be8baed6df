"""Helpers for admin tests that talk real HTTP: read a form as a browser would, snapshot the DB."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from django.apps import apps
from django.test import Client


class _FormReader(HTMLParser):
    """Collects what a browser would submit from the page's forms (first value wins per name)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._option: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.values.setdefault(name, []).append(a.get("value", default))
        elif tag == "select" and name and "disabled" not in a:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values.setdefault(self._select, []).append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.values.setdefault(name, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Browsers drop the newline that follows <textarea>.
            value = self.values[self._textarea][-1]
            self.values[self._textarea][-1] = value.removeprefix("\n")
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][-1] += data


def form_values(html: str) -> dict[str, list[str]]:
    reader = _FormReader()
    reader.feed(html)
    return reader.values


def csrf_client(user: Any) -> Client:
    """A client that enforces CSRF like a browser session does."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def get_then_post(
    client: Client, url: str, changes: dict[str, Any] | None = None, **extra: Any
) -> Any:
    """GET the page, then POST back its own rendered values, ``changes`` and its CSRF token."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    data: dict[str, Any] = form_values(page.content.decode())
    assert data.get("csrfmiddlewaretoken"), "the page renders no CSRF token"
    data.update(changes or {})
    return client.post(url, data, **extra)


def post_with_token(client: Client, url: str, data: dict[str, Any]) -> Any:
    """POST with a valid CSRF token taken from the admin index (for pages that refuse a GET)."""
    token = client.get("/admin/").context["csrf_token"]
    return client.post(url, {**data, "csrfmiddlewaretoken": str(token)})


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table that matters here (the test databases are small)."""
    skip = {"sessions.session"}
    return {
        model._meta.label_lower: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label_lower not in skip and model._meta.managed
    }
