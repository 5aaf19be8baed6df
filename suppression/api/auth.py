"""Bearer-token authentication with scopes.

A missing, malformed, unknown, expired or revoked token is 401; a good token without the
operation's scope is 403. The token never reaches a log: ninja's stock ``HttpBearer`` logs the
whole header when DEBUG is on and the scheme is not "Bearer", so this class reads the header
itself, and it drops the header from the request once read so that Django's error reports
(which print ``request.META``) cannot show it either.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthorizationError
from ninja.security.http import HttpBearer

from ..models import ApiClient
from ..services.api_clients import api_client_touch, hash_token

MAX_TOKEN_LENGTH = 200


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
        client = ApiClient.objects.filter(token_hash=hash_token(token)).first()
        now = timezone.now()
        if client is None or not client.is_active(now):
            return None
        if self.scope not in (client.scopes or []):
            raise AuthorizationError(message=f"This token lacks the {self.scope!r} scope.")
        api_client_touch(client, at=now)
        return client


check_scope = ClientToken(ApiClient.Scope.CHECK)
ingest_scope = ClientToken(ApiClient.Scope.INGEST)
