from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from suppression.services.api_clients import IssuedToken, api_client_create


class ApiCaller:
    """The test client with a bearer token, speaking JSON."""

    def __init__(self, client: Client, token: str | None) -> None:
        self.client = client
        self.token = token

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self._headers(headers))

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return self.client.post(
            f"/api/v1{path}",
            data,
            content_type="application/json",
            headers=self._headers(headers),
        )


@pytest.fixture
def issued(db: None) -> IssuedToken:
    return api_client_create(name="sending-system", scopes=["check", "ingest"], actor=None)


@pytest.fixture
def api(issued: IssuedToken) -> ApiCaller:
    return ApiCaller(Client(raise_request_exception=False), issued.token)


@pytest.fixture
def live_server_connections_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """The live server serves each request on a new thread; with persistent connections
    (CONN_MAX_AGE) each thread would leave one open until garbage collection, and a few hundred
    requests exhaust PostgreSQL's max_connections."""
    from django.db import connections

    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
