"""Tokens: how a client gets one, every way a request can fail authentication, and no leaks."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from suppression.models import ApiClient
from suppression.services.api_clients import (
    api_client_create,
    api_client_revoke,
    api_client_rotate,
    hash_token,
)

from .conftest import ApiCaller

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/suppressions/ann@example.com", None),
    ("get", "/suppressions/changes", None),
    ("post", "/suppressions/check", {"emails": ["ann@example.com"]}),
    ("post", "/bounces", {"events": []}),
]


def call(caller: ApiCaller, method: str, path: str, body: object):
    return caller.get(path) if method == "get" else caller.post(path, body)


def test_the_command_prints_the_token_once_and_stores_only_its_hash() -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_client", "mta", "--scopes", "check,ingest", stdout=out, stderr=err)
    token = out.getvalue().strip()
    client = ApiClient.objects.get(name="mta")
    assert client.scopes == ["check", "ingest"]
    assert client.token_hash == hash_token(token)
    assert token.startswith(client.token_prefix) and len(token) > 40
    assert token not in repr(list(ApiClient.objects.values()))
    assert token not in repr(list(ApiClient.history.values()))
    assert "shown only now" in err.getvalue()
    assert ApiCaller(Client(), token).get("/suppressions/a@example.com").status_code == 200


def test_the_command_refuses_unknown_scopes() -> None:
    with pytest.raises(Exception, match="Unknown scope"):
        call_command("create_api_client", "mta", "--scopes", "check,admin", stdout=io.StringIO())


def test_the_command_refuses_an_overlong_name_clearly() -> None:
    with pytest.raises(Exception, match="Keep the name to 100 characters"):
        call_command("create_api_client", "x" * 101, "--scopes", "check", stdout=io.StringIO())


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer wrong-token",
        "Token {token}",
        "Bearer {token}x",
        "Bearer " + "x" * 5000,
    ],
)
def test_missing_malformed_or_wrong_tokens_are_401(
    issued, method, path, body, authorization
) -> None:
    headers = (
        {} if authorization is None else {"Authorization": authorization.format(token=issued.token)}
    )
    response = call(ApiCaller(Client(headers=headers), None), method, path, body)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_expired_and_revoked_tokens_are_401(api, issued, method, path, body) -> None:
    ApiClient.objects.filter(pk=issued.client.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert call(api, method, path, body).status_code == 401
    ApiClient.objects.filter(pk=issued.client.pk).update(expires_at=None)
    assert call(api, method, path, body).status_code in (200, 400)
    api_client_revoke(client=issued.client, actor=None)
    assert call(api, method, path, body).status_code == 401


def test_a_rotated_token_replaces_the_old_one(api, issued) -> None:
    new = api_client_rotate(client=issued.client, actor=None)
    assert api.get("/suppressions/changes").status_code == 401
    assert ApiCaller(Client(), new.token).get("/suppressions/changes").status_code == 200


def test_scopes_are_enforced_per_endpoint(db) -> None:
    checker = api_client_create(name="checker", scopes=["check"], actor=None)
    ingester = api_client_create(name="ingester", scopes=["ingest"], actor=None)
    as_checker = ApiCaller(Client(), checker.token)
    as_ingester = ApiCaller(Client(), ingester.token)
    for method, path, body in ENDPOINTS:
        allowed, refused = (
            (as_ingester, as_checker) if path == "/bounces" else (as_checker, as_ingester)
        )
        assert call(allowed, method, path, body).status_code in (200, 400)
        response = call(refused, method, path, body)
        assert response.status_code == 403
        assert response.json()["error"] == "forbidden"


def test_last_used_is_stamped_at_most_once_a_minute(api, issued) -> None:
    assert issued.client.last_used_at is None
    api.get("/suppressions/changes")
    first = ApiClient.objects.get().last_used_at
    assert first is not None
    api.get("/suppressions/changes")
    assert ApiClient.objects.get().last_used_at == first
    ApiClient.objects.update(last_used_at=first - timedelta(minutes=2))
    api.get("/suppressions/changes")
    assert ApiClient.objects.get().last_used_at > first


def _everything_logged(caplog) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.__dict__))
        request = getattr(record, "request", None)
        if request is not None:
            parts.append(repr(getattr(request, "META", {})))
            parts.append(repr(dict(request.headers)))
    return "\n".join(parts)


def test_no_token_reaches_the_logs_on_401_403_or_500(issued, settings, caplog, monkeypatch):
    settings.DEBUG = True  # ninja's stock bearer auth logs the header in DEBUG
    caplog.set_level(logging.DEBUG)
    client = Client(raise_request_exception=False)
    wrong = "kwm_wrong_" + "s3cr3t" * 5
    for header in (f"Token {issued.token}", f"Bearer {wrong}", f"Basic {issued.token}"):
        response = client.get("/api/v1/suppressions/changes", headers={"Authorization": header})
        assert response.status_code == 401
    checker = api_client_create(name="checker", scopes=["check"], actor=None)
    assert (
        client.post(
            "/api/v1/bounces",
            "{}",
            content_type="application/json",
            headers={"Authorization": f"Bearer {checker.token}"},
        ).status_code
        == 403
    )

    settings.DEBUG = False

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr("suppression.api.suppressions.address_status", broken)
    response = client.get(
        "/api/v1/suppressions/ann@example.com", headers={"Authorization": f"Bearer {issued.token}"}
    )
    assert response.status_code == 500
    logged = _everything_logged(caplog)
    assert "database on fire" in logged  # the 500 was logged, with its request
    for secret in (issued.token, wrong, checker.token):
        assert secret not in logged


def test_a_lead_revokes_a_client_in_the_admin_and_its_token_stops_working(api, issued, lead):
    from django.test import Client as Browser

    browser = Browser()
    browser.force_login(lead)
    page = browser.get("/admin/suppression/apiclient/")
    assert page.status_code == 200
    assert issued.client.token_prefix in page.content.decode()
    assert issued.token not in page.content.decode()
    change_page = f"/admin/suppression/apiclient/{issued.client.pk}/change/"
    assert browser.get(change_page).status_code == 200
    response = browser.post(
        "/admin/suppression/apiclient/",
        {"action": "revoke", "_selected_action": [issued.client.pk]},
    )
    assert response.status_code == 302
    assert ApiClient.objects.get().revoked_at is not None
    assert ApiClient.history.first().history_user == lead
    assert api.get("/suppressions/changes").status_code == 401


def test_a_lead_changes_scopes_in_the_admin(api, issued, lead) -> None:
    from django.test import Client as Browser

    browser = Browser()
    browser.force_login(lead)
    response = browser.post(
        f"/admin/suppression/apiclient/{issued.client.pk}/change/",
        {"name": "sending-system", "scopes": ["ingest"], "expires_at_0": "", "expires_at_1": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ApiClient.objects.get().scopes == ["ingest"]
    assert api.get("/suppressions/changes").status_code == 403
