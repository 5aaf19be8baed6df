"""The MTA pipe against a database that accepts connections and never answers.

``ingest_bounces -`` runs as a separate process, as Postfix runs it, through a TCP proxy in front
of the test database that stops answering: it must give up with 75 (EX_TEMPFAIL) well inside
the MTA's own time limit, so that the MTA keeps the message and retries, and a later run with
the database answering records it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from suppression.deadlines import EX_TEMPFAIL
from suppression.models import BounceEvent

from ..tcpproxy import TcpProxy
from .messages import kwiga_dsn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
CONNECT_TIMEOUT = 2
DEADLINE = 6
# Starting Python and Django on a loaded CI machine, on top of the deadline itself (20 s and
# more were seen). Still far inside Postfix's command_time_limit of 1000 s; the messages on
# stderr say which deadline ended the run.
STARTUP = 60
RAW = kwiga_dsn(recipient="hung@example.com", message_id="<hung-1@mx1.kwiga.com>")


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    db = connection.settings_dict
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    yield proxy
    proxy.close()


def pipe(port: int, stdin: bytes) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``ingest_bounces -`` as the MTA would, against the test database through ``port``."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@127.0.0.1:{port}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "KWIGA_ENV": "development",
        "SUPPRESSION_DB_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
        "SUPPRESSION_PIPE_DEADLINE": str(DEADLINE),
    }
    env.pop("PYTHONWARNINGS", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py picks settings_ingest, as in production
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, MANAGE, "ingest_bounces", "-"],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    return done, time.monotonic() - started


def recorded() -> list[tuple[str, str]]:
    return list(
        BounceEvent.objects.filter(address__address="hung@example.com").values_list(
            "address__address", "reason"
        )
    )


def test_a_server_that_never_answers_the_connection_exits_75_then_a_retry_records(
    proxy: TcpProxy,
) -> None:
    proxy.blackholed.set()

    hung, elapsed = pipe(proxy.port, RAW)

    assert hung.returncode == EX_TEMPFAIL, hung.stderr.decode()
    assert elapsed < CONNECT_TIMEOUT + STARTUP
    assert b"Could not store the message from stdin, try again later" in hung.stderr
    assert b"connection timeout expired" in hung.stderr
    assert recorded() == []

    proxy.blackholed.clear()
    retry, _ = pipe(proxy.port, RAW)

    assert retry.returncode == 0, retry.stderr.decode()
    assert recorded() == [("hung@example.com", "mailbox_unknown")]


def test_a_server_that_stops_answering_mid_message_exits_75_at_the_deadline(
    proxy: TcpProxy,
) -> None:
    # Connected and past the handshake, the first query on the app's tables gets no answer:
    # the server's host still acknowledges every packet, so only the overall deadline ends it.
    proxy.hang_on = b"suppression_"

    hung, elapsed = pipe(proxy.port, RAW)

    assert hung.returncode == EX_TEMPFAIL, hung.stderr.decode()
    assert DEADLINE <= elapsed < DEADLINE + STARTUP
    assert hung.stdout == b""
    assert hung.stderr == (
        b"CommandError: Could not store the message from stdin, try again later: "
        b"no answer from the database within 6 s\n"
    )
    assert recorded() == []

    proxy.hang_on = None
    retry, _ = pipe(proxy.port, RAW)

    assert retry.returncode == 0, retry.stderr.decode()
    assert b"1 bounce events recorded" in retry.stdout
    assert recorded() == [("hung@example.com", "mailbox_unknown")]
