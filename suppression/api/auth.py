"""Bearer-token authentication with scopes.

A missing, malformed, unknown, expired or revoked token is 401; a good token without the
operation's scope is 403. The token never reaches a log: ninja's stock ``HttpBearer`` logs the
whole header when DEBUG is on and the scheme is not "Bearer", so this class reads the header
itself, and it drops the header from the request once read so that Django's error reports
(which print ``request.META``) cannot show it either.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthorizationError
from ninja.security.http import HttpBearer

from ..models import ApiClient
from ..selectors import db_time
from ..services.api_clients import api_client_touch, hash_token

MAX_TOKEN_LENGTH = 200

# Every API call looks its token up: through the ORM that costs ~0.4 ms of query building for a
# ~0.08 ms indexed lookup, a fifth of a single check. The same row, by hand, with what
# authentication needs; the client's other fields load on first use, as deferred fields do.
_CLIENT_FIELDS = ("id", "scopes", "expires_at", "revoked_at", "last_used_at")
_CLIENT_SQL = (
    f"SELECT {', '.join(_CLIENT_FIELDS)} FROM {ApiClient._meta.db_table} WHERE token_hash = %s"
)


def client_by_token_hash(token_hash: str) -> ApiClient | None:
    """The client whose token hashes to ``token_hash`` (unique), active or not."""
    with connection.cursor() as cursor:
        cursor.execute(_CLIENT_SQL, [token_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, scopes, expires_at, revoked_at, last_used_at = row
    if isinstance(scopes, str):  # JSON arrives as text (Django's loader; SQLite)
        scopes = json.loads(scopes)
    values = [pk, scopes, db_time(expires_at), db_time(revoked_at), db_time(last_used_at)]
    return ApiClient.from_db(connection.alias, list(_CLIENT_FIELDS), values)


def _take_authorization(request: HttpRequest) -> str:
    value = request.META.pop("HTTP_AUTHORIZATION", "")
    request.__dict__.pop("headers", None)  # the cached HttpHeaders copy holds it too
    return value if isinstance(value, str) else ""


class ClientToken(HttpBearer):
    """Authenticates an ``ApiClient`` and requires ``scope`` of it."""

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def __call__(self, request: HttpRequest) -> Any:
        value = _take_authorization(request)
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        client = client_by_token_hash(hash_token(token))
        now = timezone.now()
        if client is None or not client.is_active(now):
            return None
        if self.scope not in (client.scopes or []):
            raise AuthorizationError(message=f"This token lacks the {self.scope!r} scope.")
        api_client_touch(client, at=now)
        return client


check_scope = ClientToken(ApiClient.Scope.CHECK)
ingest_scope = ClientToken(ApiClient.Scope.INGEST)
