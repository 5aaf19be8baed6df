"""The app's settings: one namespaced dict (``settings.SUPPRESSION``) read through one helper."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "SOFT_BOUNCE_THRESHOLD": 3,
    "SOFT_BOUNCE_WINDOW_DAYS": 14,
    "PROBATION_DAYS": 30,
    "REPEAT_REINSTATEMENT_COUNT": 3,
    "REPEAT_REINSTATEMENT_WINDOW_DAYS": 180,
    "HARD_BOUNCE_AFTER_REINSTATEMENT_DAYS": 30,
    "DNS_NAMESERVERS": [],
    "DNS_PORT": 53,
    "DNS_TIMEOUT_SECONDS": 3.0,
    "MAX_MESSAGE_BYTES": 10 * 1024 * 1024,
    # Client-side database deadlines (suppression/deadlines.py), in seconds.
    "DB_CONNECT_TIMEOUT_SECONDS": 10,
    "DB_KEEPALIVE_IDLE_SECONDS": 30,
    "DB_TCP_USER_TIMEOUT_SECONDS": 30,
    "PIPE_DEADLINE_SECONDS": 60,
    "WEB_STATEMENT_TIMEOUT_SECONDS": 30,
    # The PostgreSQL role each connection switches to (suppression/dbroles.py); "" for none.
    "DB_APP_ROLE": "",
    # The owner portal
    "OWNER_DAILY_REQUEST_LIMIT": 30,
    "SUPPORT_EMAIL": "",
    "SITE_URL": "http://127.0.0.1:8000",
    "INVITATION_DAYS": 7,
    # The console: how long a pending request may wait before the queue shows it as late.
    "REQUEST_RESPONSE_TARGET_HOURS": 24,
}

POSITIVE_INTEGERS = (
    "SOFT_BOUNCE_THRESHOLD",
    "SOFT_BOUNCE_WINDOW_DAYS",
    "PROBATION_DAYS",
    "REPEAT_REINSTATEMENT_COUNT",
    "REPEAT_REINSTATEMENT_WINDOW_DAYS",
    "HARD_BOUNCE_AFTER_REINSTATEMENT_DAYS",
    "DNS_PORT",
    "MAX_MESSAGE_BYTES",
    "DB_CONNECT_TIMEOUT_SECONDS",
    "DB_KEEPALIVE_IDLE_SECONDS",
    "DB_TCP_USER_TIMEOUT_SECONDS",
    "PIPE_DEADLINE_SECONDS",
    "OWNER_DAILY_REQUEST_LIMIT",
    "INVITATION_DAYS",
    "REQUEST_RESPONSE_TARGET_HOURS",
)


def setting(name: str) -> Any:
    """One app setting, falling back to docs/design.md's default."""
    if name not in DEFAULTS:
        raise KeyError(f"Unknown SUPPRESSION setting {name!r}")
    return getattr(settings, "SUPPRESSION", {}).get(name, DEFAULTS[name])
