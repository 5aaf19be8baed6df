"""Persistent connections: ping a reused connection only after it sat idle.

With ``CONN_HEALTH_CHECKS`` Django runs ``SELECT 1`` on a reused connection before the first
query of every request: one round trip in each, a third of the database time of a single check
through the API (token, then the address). A connection that finished a request without an error
less than ``DB_HEALTH_CHECK_IDLE_SECONDS`` ago (default 1) is taken to be alive, as Django took
every persistent connection to be before 4.1; one that sat idle longer is pinged as before. If the
server dropped it within that second, that one request fails and Django closes the connection
(``errors_occurred``), so the next one reconnects. ``0`` pings before every request again.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import connections

from .conf import setting

_FRESH_UNTIL = "_suppression_fresh_until"


def idle_limit() -> float:
    return float(setting("DB_HEALTH_CHECK_IDLE_SECONDS"))


def note_fresh_connections(**kwargs: Any) -> None:
    """At the end of a request (after Django's own close_old_connections): remember until when
    each connection still open, without errors, counts as alive."""
    limit = idle_limit()
    if limit <= 0:
        return
    until = time.monotonic() + limit
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.errors_occurred:
            setattr(conn, _FRESH_UNTIL, until)


def skip_fresh_health_checks(**kwargs: Any) -> None:
    """At the start of a request (after close_old_connections re-armed the health check): a
    connection that served a request moments ago needs no ping."""
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and getattr(conn, _FRESH_UNTIL, 0.0) > now:
            # Django's own flag (close_if_health_check_failed reads it), absent from the stubs.
            setattr(conn, "health_check_done", True)  # noqa: B010
