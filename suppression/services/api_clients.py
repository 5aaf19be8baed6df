"""API clients: issuing, rotating and revoking the tokens the sending system calls the API with.

The token itself is shown once, when issued, and never stored: the table keeps its sha256 (looked
up on every request) and a short prefix so that people can tell tokens apart in the admin.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ..exceptions import SuppressionError
from ..models import ApiClient
from .common import Actor, audited_save

TOKEN_PREFIX = "kwm_"
PREFIX_LENGTH = 12  # "kwm_" and 8 random characters: enough to tell tokens apart, useless alone
# Writing last_used_at on every request would put a row write in front of every check; a minute's
# resolution is all the admin needs to tell a live client from a dead one.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class InvalidApiClient(SuppressionError):
    """The API client's settings are not valid."""

    code = "invalid_api_client"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    client: ApiClient
    token: str  # shown once; only its hash is stored


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _new_token() -> tuple[str, str, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token[:PREFIX_LENGTH], hash_token(token)


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    cleaned = sorted({scope.strip() for scope in scopes if scope.strip()})
    unknown = [scope for scope in cleaned if scope not in ApiClient.Scope.values]
    if unknown:
        raise InvalidApiClient(
            f"Unknown scope(s): {', '.join(unknown)}. Known: {', '.join(ApiClient.Scope.values)}."
        )
    if not cleaned:
        raise InvalidApiClient("Give the client at least one scope.")
    return cleaned


def api_client_create(
    *,
    name: str,
    scopes: Iterable[str],
    actor: Actor,
    expires_at: datetime | None = None,
) -> IssuedToken:
    """Create a client and issue its token (returned once, stored only as a hash).

    Writes the client's history row (by ``actor``, None for a command run by an operator).
    """
    name = name.strip()
    if not name:
        raise InvalidApiClient("Give the client a name.")
    max_length = ApiClient._meta.get_field("name").max_length or 100
    if len(name) > max_length:
        raise InvalidApiClient(f"Keep the name to {max_length} characters.")
    if expires_at is not None and timezone.is_naive(expires_at):
        raise InvalidApiClient("The expiry needs a time zone.")
    cleaned = _clean_scopes(scopes)
    if ApiClient.objects.filter(name=name).exists():
        raise InvalidApiClient(f"An API client named {name!r} already exists.")
    token, prefix, digest = _new_token()
    client = ApiClient(
        name=name,
        scopes=cleaned,
        token_prefix=prefix,
        token_hash=digest,
        expires_at=expires_at,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    with transaction.atomic():
        audited_save(
            client, actor=actor, why=f"API client created with scopes {', '.join(cleaned)}"
        )
    return IssuedToken(client=client, token=token)


def api_client_rotate(*, client: ApiClient, actor: Actor) -> IssuedToken:
    """Issue a new token for ``client``; the old one stops working at once."""
    token, prefix, digest = _new_token()
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        locked.token_prefix, locked.token_hash = prefix, digest
        audited_save(
            locked, actor=actor, why="token rotated", update_fields=["token_prefix", "token_hash"]
        )
    return IssuedToken(client=locked, token=token)


def api_client_revoke(*, client: ApiClient, actor: Actor, why: str = "") -> ApiClient:
    """Stop the client's token from working, for good (a new client is needed to call again)."""
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            audited_save(
                locked,
                actor=actor,
                why=f"revoked{f': {why}' if why else ''}",
                update_fields=["revoked_at"],
            )
    return locked


def api_client_touch(client: ApiClient, *, at: datetime | None = None) -> None:
    """Note that ``client`` called the API, at most once per ``LAST_USED_RESOLUTION``.

    ``last_used_at`` is excluded from the client's history, so a plain UPDATE (no history row, no
    row lock held across the request) is the right write here.
    """
    at = at or timezone.now()
    if client.last_used_at is not None and at - client.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=at)
    client.last_used_at = at
