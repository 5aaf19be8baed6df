"""Client-side deadlines on database work, written once for every process that talks to PostgreSQL.

A server-side ``statement_timeout`` cannot fire when the server, or anything in front of it,
accepts the connection and never answers. So the client bounds its own waiting:

* every PostgreSQL connection gets libpq's ``connect_timeout`` (the whole handshake, not only
  the TCP connect), TCP keepalives and ``tcp_user_timeout`` (a peer that vanished: host down,
  network cut) from :func:`postgres_options`, which ``settings.py`` puts in ``DATABASES``;
* a one-shot process that must answer in time (the MTA pipe) ends itself with a given exit status
  at an overall deadline, :func:`process_deadline`, because a server process that hangs while
  its host keeps acknowledging packets defeats both of the above;
* web connections get a ``statement_timeout`` (:func:`set_statement_timeout`), so one slow query
  cannot hold a worker for long.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# sysexits.h: "temporary failure; user is invited to retry". MTAs keep the message and retry.
EX_TEMPFAIL = 75
# The keepalive probes after the idle time: this many, this far apart, before the link is dead.
KEEPALIVE_PROBES = 3

_web_process = False


def postgres_options(
    *, connect_timeout: int, keepalive_idle: int, tcp_user_timeout: int
) -> dict[str, int]:
    """libpq connection parameters for ``DATABASES[...]['OPTIONS']``, from seconds."""
    return {
        "connect_timeout": connect_timeout,
        "keepalives": 1,
        "keepalives_idle": keepalive_idle,
        "keepalives_interval": max(1, keepalive_idle // KEEPALIVE_PROBES),
        "keepalives_count": KEEPALIVE_PROBES,
        "tcp_user_timeout": tcp_user_timeout * 1000,
    }


def _expire(exit_code: int, message: str) -> None:
    # Ends the process from the timer thread: the main thread may be blocked on a socket that
    # never answers, and the cleanup an exception would run (rollback, close) would block too.
    # Nothing is half-written: the server rolls back the open transaction when the socket closes,
    # and a retry of something that did commit is recorded once (every write is idempotent).
    os.write(2, f"{message}\n".encode(errors="replace"))
    os._exit(exit_code)


@contextmanager
def process_deadline(seconds: float, *, exit_code: int, message: str) -> Iterator[None]:
    """End the process with ``exit_code``, ``message`` on stderr, if the block outlives ``seconds``.

    For one-shot commands only (the MTA pipe): a long-running server bounds each piece of work
    with the connection options and statement timeouts instead.
    """
    timer = threading.Timer(seconds, _expire, args=(exit_code, message))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def set_statement_timeout(connection: Any, seconds: int) -> None:
    """Have PostgreSQL cancel statements on this connection after ``seconds`` (0: never)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{seconds}s"])


def mark_web_process() -> None:
    """Called by the WSGI and ASGI entry points: connections opened from now on serve the web."""
    global _web_process
    _web_process = True


def is_web_process() -> bool:
    return _web_process


def on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: a web process's connections get the statement timeout."""
    from .conf import setting  # here: settings.py imports this module before Django is set up

    seconds = setting("WEB_STATEMENT_TIMEOUT_SECONDS")
    if _web_process and seconds:
        set_statement_timeout(connection, seconds)
