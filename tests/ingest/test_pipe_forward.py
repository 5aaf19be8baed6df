"""``ingest_bounces -`` handing its message to ``serve_lmtp`` (``SUPPRESSION_PIPE_LMTP``).

The pipe then sets up no Django at all; its exit status keeps the MTA's meaning, and without a
server to hand to it ingests the message itself as before.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from suppression.models import BounceEvent, SourceLiveness, UnparsedMessage

from ..tcpproxy import TcpProxy
from .messages import kwiga_dsn
from .test_lmtp import Server

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
DJANGO = ("django", "psycopg", "suppression.models", "suppression.dsn")


def pipe(raw: bytes, target: str, **env: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """``manage.py ingest_bounces -`` as Postfix runs it, and the modules it imported."""
    db = connection.settings_dict
    environment = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{db['PORT'] or 5432}/{db['NAME']}",
        "KWIGA_ENV": "development",
        "SUPPRESSION_PIPE_LMTP": target,
        **env,
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.pop("PYTHONWARNINGS", None)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", MANAGE, "ingest_bounces", "-"],
        input=raw,
        capture_output=True,
        env=environment,
        timeout=120,
        check=False,
    )
    lines = done.stderr.decode().splitlines()
    modules = {line.rsplit("|", 1)[1].strip() for line in lines if line.startswith("import time:")}
    done.stderr = "\n".join(line for line in lines if not line.startswith("import time:")).encode()
    return done, modules


def django_loaded(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in DJANGO or m.startswith(DJANGO)}


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.stop()


def test_the_pipe_hands_the_message_to_serve_lmtp_without_setting_up_django(
    server: Server,
) -> None:
    raw = kwiga_dsn(recipient="handed@example.com", message_id="<handed-1@mx1.kwiga.com>")

    done, modules = pipe(raw, f"127.0.0.1:{server.port}")
    again, _ = pipe(raw, f"127.0.0.1:{server.port}")

    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().startswith("1 message stored by serve_lmtp at 127.0.0.1:")
    assert not django_loaded(modules), sorted(django_loaded(modules))[:10]
    assert again.returncode == 0
    assert BounceEvent.objects.filter(address__address="handed@example.com").count() == 1
    # The pipe's own liveness, not LMTP's: the MTA delivers through the pipe.
    assert list(SourceLiveness.objects.values_list("source", flat=True)) == ["pipe"]


def test_without_a_server_the_pipe_ingests_the_message_itself() -> None:
    proxy = TcpProxy(("127.0.0.1", 5432))
    port = proxy.port
    proxy.close()  # a port nothing listens on
    raw = kwiga_dsn(recipient="alone@example.com", message_id="<alone-1@mx1.kwiga.com>")

    done, modules = pipe(raw, f"127.0.0.1:{port}")

    assert done.returncode == 0, done.stderr.decode()
    assert b"no LMTP server at 127.0.0.1:" in done.stderr
    assert done.stdout.decode().startswith("1 messages read: 1 bounce events recorded")
    assert "django.db" in modules
    assert BounceEvent.objects.filter(address__address="alone@example.com").count() == 1


def test_a_server_that_cannot_store_it_makes_the_pipe_exit_75() -> None:
    db = connection.settings_dict
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    running = Server(db_port=proxy.port)
    try:
        proxy.blackholed.set()  # the server's database never answers: 451 at its deadline
        done, _ = pipe(kwiga_dsn(recipient="later@example.com"), f"127.0.0.1:{running.port}")
    finally:
        running.stop()
        proxy.close()

    assert done.returncode == 75
    assert b"answered 451 4.3.0" in done.stderr


def test_a_message_over_the_servers_size_limit_is_kept_by_the_pipe_itself() -> None:
    running = Server(env={"SUPPRESSION_MAX_MESSAGE_BYTES": "4000"})
    try:
        big = kwiga_dsn(recipient="big@example.com").replace(b"Spring sale", b"x" * 5000)
        done, _ = pipe(big, f"127.0.0.1:{running.port}", SUPPRESSION_MAX_MESSAGE_BYTES="4000")
    finally:
        running.stop()

    assert done.returncode == 0, done.stderr.decode()
    assert b"answered 552" in done.stderr
    kept = UnparsedMessage.objects.get()
    assert kept.size > 5000 and len(bytes(kept.raw)) == 4000
