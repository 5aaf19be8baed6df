"""Helpers for admin tests that talk real HTTP: read a form as a browser would, snapshot the DB."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.test import Client

from .rolematrix import forms_in


def form_values(html: str) -> dict[str, list[str]]:
    """What a browser would submit from the page's forms, read by the role matrix's parser."""
    values: dict[str, list[str]] = {}
    for form in forms_in(html):
        for name, value in form.fields:
            values.setdefault(name, []).append(value)
    return values


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
